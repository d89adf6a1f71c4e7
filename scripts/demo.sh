#!/usr/bin/env bash
# The sample e-commerce demo: billing and logistic workers on RabbitMQ, and an order service that
# places a few orders through them. Sets up what it needs on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/ensure-services.sh
run() { node --import @swc-node/register/esm-register "$@"; }
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
log=$(mktemp -d)
run apps/billing/src/main.ts > >(sed 's/^/[billing]  /') 2>&1 & pids+=($!)
run apps/logistic/src/main.ts > >(sed 's/^/[logistic] /') 2>&1 & pids+=($!)
sleep 4
run apps/order/src/main.ts 2>&1 | sed 's/^/[order]    /'
status=${PIPESTATUS[0]}
sleep 0.5
rm -rf "$log"
exit "$status"
