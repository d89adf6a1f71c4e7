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
  ' "$UNIT_JSON" "$E2E_JSON")
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

step "e2e tests"
npm run test:e2e -- --json --outputFile="$E2E_JSON"
