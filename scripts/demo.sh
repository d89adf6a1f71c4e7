#!/usr/bin/env bash
# The sample e-commerce demo: billing and logistic workers on RabbitMQ, and an order service that
# places a few orders through them. Sets up what it needs on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || bash scripts/install-deps.sh
bash scripts/ensure-services.sh
LOADER=(--import @swc-node/register/esm-register)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done; done
}
trap cleanup EXIT
node "${LOADER[@]}" apps/billing/src/main.ts > >(sed -u 's/^/[billing]  /') 2>&1 &
pids+=($!)
node "${LOADER[@]}" apps/logistic/src/main.ts > >(sed -u 's/^/[logistic] /') 2>&1 &
pids+=($!)
sleep 4
status=0
node "${LOADER[@]}" apps/order/src/main.ts > >(sed -u 's/^/[order]    /') 2>&1 || status=$?
sleep 0.5
exit "$status"
