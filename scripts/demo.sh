#!/usr/bin/env bash
# The sample e-commerce demo: order (HTTP), billing and logistic; places a few orders (one invalid,
# one charged back), prints the flow and a checked summary, then keeps serving the order API until
# Ctrl-C.  `npm run demo -- --exit` stops after the summary (exit status 0 only if every check held).
#
# Embedded mode (default: CELERY_BROKER_URL unset or memory://<vhost>): the three services run in
# this one Node process on the in-memory broker; needs nothing but Node and `npm install` (no
# RabbitMQ, no Python: the Python pusher is skipped, and billing then does not push invoices).
# Broker mode (CELERY_BROKER_URL=amqp://… or redis://…): each service is its own process
# (scripts/start-all.sh), plus the Python pusher when `/usr/bin/python3 -m celery` works.
# Redis results (with broker mode): CELERY_RESULT_BACKEND=redis://127.0.0.1:6379/0 makes every
# service (and the pusher, as any Celery app reading that variable) keep task results in Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
EXIT=()
for arg in "$@"; do
  case "$arg" in
    --exit) EXIT=(--exit) ;;
    *) echo "demo: unknown option '$arg' (use --exit)" >&2; exit 2 ;;
  esac
done
[ -d node_modules ] || bash scripts/install-deps.sh

URL="${CELERY_BROKER_URL:-}"
if [ -z "$URL" ] || [[ "$URL" == memory://* ]]; then
  exec node --import @swc-node/register/esm-register apps/demo/src/embedded-demo.main.ts "${EXIT[@]}"
fi

echo "demo: broker mode (${URL%%://*}://): order, billing and logistic as separate processes"
if ! bash scripts/ensure-services.sh; then
  echo "demo: scripts/ensure-services.sh could not set everything up (see above); trying anyway:" \
    "the services need RabbitMQ at $URL, the pusher is skipped without Python Celery" >&2
fi
exec bash scripts/start-all.sh --demo "${EXIT[@]}"
