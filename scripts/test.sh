#!/usr/bin/env bash
# Full test run: services, deps, typecheck, unit tests, e2e tests.
# Stops at the first failure. Always ends with one line "N passed, N failed, N skipped"
# (summed from jest's --json output of the unit and e2e runs; skipped counts skipped and todo tests).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

RESULTS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/nestjs-celery-test.XXXXXX")
UNIT_JSON="$RESULTS_DIR/unit.json"
E2E_JSON="$RESULTS_DIR/e2e.json"

summary() {
  local rc=$?
  set +e
  local counts
  counts=$(node -e '
    const fs = require("fs");
    let passed = 0, failed = 0, skipped = 0, brokenSuites = 0;
    for (const f of process.argv.slice(1)) {
      if (!fs.existsSync(f)) continue;
      try {
        const r = JSON.parse(fs.readFileSync(f, "utf8"));
        passed += r.numPassedTests || 0;
        failed += r.numFailedTests || 0;
        skipped += (r.numPendingTests || 0) + (r.numTodoTests || 0);
        // suites that failed without any failing test (e.g. compile errors)
        for (const s of r.testResults || []) {
          if (s.status === "failed" && !(s.assertionResults || []).some(a => a.status === "failed")) brokenSuites++;
        }
      } catch (e) {
        console.error("warning: cannot read jest results " + f + ": " + e.message);
      }
    }
    console.log(passed + " " + failed + " " + skipped + " " + brokenSuites);
  ' "$UNIT_JSON" "$E2E_JSON" "$RESULTS_DIR/e2e55.json")
  local passed failed skipped broken
  read -r passed failed skipped broken <<<"${counts:-0 0 0 0}"
  rm -rf "$RESULTS_DIR"
  if [ "$rc" -ne 0 ]; then
    echo "test.sh: FAILED (exit $rc)" >&2
    [ "${broken:-0}" -gt 0 ] && echo "test.sh: $broken test suite(s) failed to run" >&2
  fi
  echo
  echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
  exit "$rc"
}
trap summary EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step() { echo; echo "==> $*"; }

step "ensure services"
bash scripts/ensure-services.sh

if [ ! -d node_modules ]; then
  step "npm ci (node_modules missing)"
  bash scripts/install-deps.sh
fi

step "typecheck"
npm run typecheck

step "package (build, npm pack, publint, attw)"
npm run check:package

step "unit tests"
npm run test:unit -- --json --outputFile="$UNIT_JSON"

# The Celery 5.2 run (jest project e2e) and the Celery 5.5 rerun of the interop suites
# (e2e-celery55) run side by side, each in band, on separate RabbitMQ vhosts and Redis dbs: they
# mostly wait on Python workers, and in sequence they would take the suite past 30 minutes.
# Only against the local default broker (the 5.5 run needs a vhost of its own);
# NESTJS_CELERY_E2E_SERIAL=1 runs them one after the other.
E2E55_VHOST=nestjs-celery-55
parallel_e2e() {
  [ -z "${CELERY_BROKER_URL:-}" ] && [ -z "${NESTJS_CELERY_E2E_SERIAL:-}" ] || return 1
  command -v rabbitmqctl >/dev/null 2>&1 || return 1
  { rabbitmqctl -q add_vhost "$E2E55_VHOST" 2>/dev/null || rabbitmqctl -q list_vhosts | grep -qx "$E2E55_VHOST"; } \
    && rabbitmqctl -q set_permissions -p "$E2E55_VHOST" guest '.*' '.*' '.*' >/dev/null 2>&1
}
if parallel_e2e; then
  step "e2e tests (Celery 5.2 run and Celery 5.5 rerun side by side; 5.5 output follows at the end)"
  E2E55_LOG="$RESULTS_DIR/e2e-celery55.log"
  CELERY_BROKER_URL="amqp://guest:guest@127.0.0.1:5672/$E2E55_VHOST" \
    CELERY_REDIS_URL="${CELERY_REDIS_URL:-redis://127.0.0.1:6379/1}" CELERY_TEST_REDIS_DB_OFFSET=5 \
    NODE_OPTIONS=--experimental-vm-modules npx jest --selectProjects e2e-celery55 --runInBand \
    --json --outputFile="$RESULTS_DIR/e2e55.json" >"$E2E55_LOG" 2>&1 &
  e2e55_pid=$!
  e2e_rc=0
  NODE_OPTIONS=--experimental-vm-modules npx jest --selectProjects e2e --runInBand \
    --json --outputFile="$E2E_JSON" || e2e_rc=$?
  e2e55_rc=0
  wait "$e2e55_pid" || e2e55_rc=$?
  step "e2e tests on Celery 5.5 (output)"
  cat "$E2E55_LOG"
  [ "$e2e_rc" -eq 0 ] && [ "$e2e55_rc" -eq 0 ] || exit 1
else
  step "e2e tests"
  npm run test:e2e -- --json --outputFile="$E2E_JSON"
fi
