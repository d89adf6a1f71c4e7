#!/usr/bin/env bash
# Starts the sample services on RabbitMQ, each as its own process: billing, logistic, order (HTTP),
# plus the Python pusher (examples/python-pusher) when `/usr/bin/python3 -m celery` works.
# Output is prefixed per service. Ctrl-C stops them all.
#
#   bash scripts/start-all.sh            # serve until Ctrl-C      (npm run start:all)
#   bash scripts/start-all.sh --demo     # also drive a few orders through, print a summary, keep serving
#   bash scripts/start-all.sh --demo --exit   # ... then stop (exit status 1 if a check failed)   (npm run demo)
#
# Each Nest service serves /health and /metrics; order also serves the Celery monitoring page at /celery.
#
# Settings: CELERY_BROKER_URL (default amqp://guest:guest@127.0.0.1:5672//), CELERY_RESULT_BACKEND
# (default rpc://; redis://host:port/db keeps every service's task results in Redis), ORDER_PORT (3000),
# BILLING_PORT (3001), LOGISTIC_PORT (3002),
# NESTJS_CELERY_DEMO_DIR (data folder, default $TMPDIR/nestjs-celery-demo: billing's journal
# and the pusher's bucket), BILLING_JOURNAL, PUSHER_BUCKET_DIR, LOGISTIC_DISPATCH_DELAY_S (3),
# CELERY_PYTHON (/usr/bin/python3), SAMPLE_LOG (flow: the services print their flow lines only;
# the default with --demo).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DEMO=0
EXIT=0
for arg in "$@"; do
  case "$arg" in
    --demo) DEMO=1 ;;
    --exit) EXIT=1 ;;
    *) echo "start-all: unknown option '$arg' (use --demo, --exit)" >&2; exit 2 ;;
  esac
done

export CELERY_BROKER_URL="${CELERY_BROKER_URL:-amqp://guest:guest@127.0.0.1:5672//}"
export ORDER_PORT="${ORDER_PORT:-3000}"
export BILLING_PORT="${BILLING_PORT:-3001}"
export LOGISTIC_PORT="${LOGISTIC_PORT:-3002}"
DATA_DIR="${NESTJS_CELERY_DEMO_DIR:-${TMPDIR:-/tmp}/nestjs-celery-demo}"
export BILLING_JOURNAL="${BILLING_JOURNAL:-$DATA_DIR/billing.journal.jsonl}"
export PUSHER_BUCKET_DIR="${PUSHER_BUCKET_DIR:-$DATA_DIR/bucket}"
PY="${CELERY_PYTHON:-/usr/bin/python3}"
LOGS="$DATA_DIR/logs"
mkdir -p "$LOGS"
LOADER=(--import @swc-node/register/esm-register)

pids=()
declare -A PID_OF
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start NAME COMMAND...: runs it in the background, output prefixed and copied to $LOGS/NAME.log.
# Lines a service's flow logger already tagged (`[billing]  …`, SAMPLE_LOG=flow) keep their tag.
start() {
  local name=$1 skip_tagged=''
  shift
  [ "${SAMPLE_LOG:-}" = flow ] && [ "$name" != pusher ] && skip_tagged='/^\[[a-z]*\] /!'
  : >"$LOGS/$name.log"
  "$@" > >(tee -a "$LOGS/$name.log" | sed -u "${skip_tagged}s/^/$(printf '%-9s' "[$name]") /") 2>&1 &
  pids+=($!)
  PID_OF[$name]=$!
}

# ready NAME PATTERN: waits until NAME's log shows PATTERN (fails if it exits or takes over 60 s).
ready() {
  local name=$1 pattern=$2 waited=0
  until grep -q "$pattern" "$LOGS/$name.log"; do
    if ! kill -0 "${PID_OF[$name]}" 2>/dev/null; then
      echo "start-all: $name exited before it was ready; see its output above ($LOGS/$name.log)" >&2
      exit 1
    fi
    if [ "$waited" -ge 600 ]; then
      echo "start-all: $name not ready after 60 s; is RabbitMQ reachable at $CELERY_BROKER_URL?" >&2
      exit 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

# The demo shows the services' flow lines (SAMPLE_LOG=flow: one line per step, no start-up chatter).
[ "$DEMO" = 1 ] && export SAMPLE_LOG="${SAMPLE_LOG:-flow}"
echo "start-all: broker $CELERY_BROKER_URL, results ${CELERY_RESULT_BACKEND:-rpc://}, data in $DATA_DIR"
if "$PY" -m celery --version >/dev/null 2>&1; then
  PUSHER=1
else
  PUSHER=0
  export BILLING_PUSH_INVOICES=0
  echo "start-all: Python pusher: SKIPPED: '$PY -m celery' does not work (install python3-celery," \
    "see examples/python-pusher/README.md); billing will not push invoice documents."
fi

# Consumers of order's events first: a topic exchange drops events no queue is bound for yet.
start billing node "${LOADER[@]}" apps/billing/src/main.ts
start logistic node "${LOADER[@]}" apps/logistic/src/main.ts
if [ "$PUSHER" = 1 ]; then
  start pusher env PYTHONPATH=examples/python-pusher "$PY" -m celery -A pusher_app worker -Q pusher \
    -P solo -c 1 -n "pusher-$$@%h" --without-mingle --without-gossip -l info
fi
ready billing 'billing worker ready'
ready logistic 'logistic worker ready'
start order node "${LOADER[@]}" apps/order/src/main.ts
ready order 'order service ready'
[ "$PUSHER" = 1 ] && ready pusher ' ready\.'

echo "start-all: ready. Order API: http://127.0.0.1:$ORDER_PORT/orders  (invoices land in $PUSHER_BUCKET_DIR)"
echo "start-all: monitoring page: http://127.0.0.1:$ORDER_PORT/celery"
echo "start-all: health and metrics: http://127.0.0.1:{$ORDER_PORT,$BILLING_PORT,$LOGISTIC_PORT}/health and /metrics (order, billing, logistic)"
status=0
if [ "$DEMO" = 1 ]; then
  node "${LOADER[@]}" apps/order/src/demo/order-demo.main.ts 2>&1 || status=$?  # prints its own [demo] lines
  sleep 0.3
  echo "start-all: watch the workers, queues, task rates and failures at http://127.0.0.1:$ORDER_PORT/celery"
fi
if [ "$EXIT" = 1 ]; then
  exit "$status"
fi
echo "start-all: serving; Ctrl-C stops everything."
wait
