#!/usr/bin/env bash
# Packs libs/nestjs-celery as `npm publish` would and checks the tarball: it ships the built
# JavaScript, its types and source maps and the docs, nothing else (no sources, specs or test
# vectors) and the monitoring page's assets (monitor-ui/); publint; arethetypeswrong, ignoring only what an ESM-only package has by nature
# (libs/nestjs-celery/.attw.json, explained in libs/nestjs-celery/README.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

out=$(mktemp -d "${TMPDIR:-/tmp}/nestjs-celery-pack.XXXXXX")
trap 'rm -rf "$out"' EXIT

npm run --silent build --workspace nestjs-celery
npm pack --silent --ignore-scripts --json --workspace nestjs-celery --pack-destination "$out" >"$out/pack.json"

tarball=$(node -e '
  const fs = require("node:fs");
  const [packed] = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  const files = new Set(packed.files.map((f) => f.path));
  const allowed = /^(dist\/.+\.(js|d\.ts|js\.map)|monitor-ui\/(index\.html|monitor\.js|monitor\.css)|package\.json|README\.md|LICENSE|CHANGELOG\.md)$/;
  const testCode = /\.spec\.|(^|\/)(test|vectors)\//;
  const problems = [...files].filter((f) => !allowed.test(f) || testCode.test(f)).map((f) => `ships ${f} (only dist JavaScript, types, maps and docs belong in the package)`);
  for (const f of ["README.md", "LICENSE", "CHANGELOG.md", "dist/index.js", "dist/testing/index.js", "dist/health/index.js", "dist/metrics/index.js", "dist/monitor/index.js", "monitor-ui/index.html", "monitor-ui/monitor.js", "monitor-ui/monitor.css"]) if (!files.has(f)) problems.push(`does not ship ${f}`);
  for (const f of files) {
    if (!f.endsWith(".js") || f.startsWith("monitor-ui/")) continue;
    for (const twin of [f.replace(/\.js$/, ".d.ts"), f + ".map"]) if (!files.has(twin)) problems.push(`ships ${f} without ${twin}`);
  }
  if (problems.length) { console.error("check-package: the nestjs-celery tarball " + problems.join("\ncheck-package: the nestjs-celery tarball ")); process.exit(1); }
  console.error(`check-package: ${packed.filename}: ${files.size} files, ${packed.size} bytes packed`);
  console.log(packed.filename);
' "$out/pack.json")

# every package the built JavaScript loads must be a declared (peer) dependency
node -e '
  const fs = require("node:fs");
  const { builtinModules } = require("node:module");
  const dir = "libs/nestjs-celery";
  const pkg = JSON.parse(fs.readFileSync(`${dir}/package.json`, "utf8"));
  const declared = new Set([...Object.keys(pkg.peerDependencies ?? {}), ...Object.keys(pkg.dependencies ?? {})]);
  const undeclared = new Set();
  for (const file of fs.readdirSync(`${dir}/dist`, { recursive: true })) {
    if (!file.endsWith(".js")) continue;
    const code = fs.readFileSync(`${dir}/dist/${file}`, "utf8");
    for (const [, specifier] of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire(?:\.resolve)?\(\s*)["\x27]([^"\x27.][^"\x27]*)["\x27]/g)) {
      const name = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0];
      if (specifier.startsWith("node:") || builtinModules.includes(name) || declared.has(name)) continue;
      undeclared.add(`${name} (dist/${file})`);
    }
  }
  if (undeclared.size) { console.error(`check-package: nestjs-celery loads packages its package.json does not declare: ${[...undeclared].join(", ")}`); process.exit(1); }
'

npx --no-install publint run --strict "$out/$tarball"
npx --no-install attw "$out/$tarball" --config-path libs/nestjs-celery/.attw.json --format table-flipped --no-emoji
