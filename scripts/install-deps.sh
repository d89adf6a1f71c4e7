#!/usr/bin/env bash
# Installs the exact dependency versions from package-lock.json.
# npm ci is preferred. npm 11 writes lockfiles without the other platforms' optional native
# binaries (@swc/core-*, @unrs/resolver-binding-*; npm/cli#4828, #8320) and then refuses them in
# `npm ci`; only for that error we fall back to `npm install`, which keeps the locked versions.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
if npm ci --no-audit --no-fund >"$log" 2>&1; then
  tail -n 2 "$log"; rm -f "$log"; exit 0
fi
if grep -q "can only install packages when your package.json and package-lock.json" "$log"; then
  echo "install-deps: npm ci refused the lockfile (npm's missing-platform-binaries bug); falling back to npm install" >&2
  grep "Missing:" "$log" | head -3 >&2 || true
  rm -f "$log"
  npm install --no-audit --no-fund
  git checkout -- package-lock.json 2>/dev/null || true
  exit 0
fi
cat "$log" >&2
rm -f "$log"
echo "install-deps: npm ci failed (see above)" >&2
exit 1
