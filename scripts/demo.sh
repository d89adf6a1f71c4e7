#!/usr/bin/env bash
# The sample e-commerce demo on RabbitMQ: order (HTTP), billing and logistic as separate processes
# plus the Python pusher when Python Celery is installed; places a few orders, charges one back,
# prints the flow and a summary, then stops. `npm run demo -- --serve` keeps serving afterwards.
# Sets up what it needs on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || bash scripts/install-deps.sh
bash scripts/ensure-services.sh
if [ "${1:-}" = "--serve" ]; then
  exec bash scripts/start-all.sh --demo
fi
exec bash scripts/start-all.sh --demo --exit
