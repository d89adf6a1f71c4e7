#!/usr/bin/env bash
# Make Python Celery 5.5 available beside Debian bookworm's 5.2.6, without touching the
# system's apt or Python: Debian trixie's python3-celery and its dependencies are fetched
# with `apt-get download` (a private sources list, apt state and cache) from the Debian
# archive the machine's apt sources already use, and unpacked with `dpkg -x` into
#   ${CELERY55_DIR:-${XDG_CACHE_HOME:-~/.cache}/nestjs-celery/celery55}/site
# Then `PYTHONPATH=<that dir> /usr/bin/python3 -m celery` is Celery 5.5.2 / kombu 5.5.3
# (test/support/celery-version.ts does exactly that for the e2e-celery55 jest project).
#
# Idempotent: a fast no-op when the cache is complete. Needs no root. Prints the site
# directory on its last line. Exits 1 with the reason when it cannot (e.g. no network).
# Overrides: CELERY55_DIR (cache dir), CELERY55_MIRROR (archive URL, e.g. a snapshot).
set -euo pipefail

PY=/usr/bin/python3
SUITE=trixie
WANT_CELERY=5.5.2
WANT_KOMBU=5.5.3
# Celery 5.5's import-time dependencies (python3-celery's Depends, minus the optional
# ephem/memcache/pyparsing), plus redis for the Redis result backend.
PACKAGES=(
  python3-celery python3-kombu python3-amqp python3-vine python3-billiard
  python3-click python3-click-didyoumean python3-click-repl python3-click-plugins
  python3-dateutil python3-tz python3-pytz python3-tzlocal python3-prompt-toolkit python3-wcwidth
  python3-redis python3-async-timeout
)

CACHE_DIR="${CELERY55_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/nestjs-celery/celery55}"
SITE="$CACHE_DIR/site"
STAMP="$CACHE_DIR/complete"

die() {
  echo "ensure-celery55: ERROR: $*" >&2
  exit 1
}

# celery and kombu versions as the unpacked tree reports them: "5.5.2 5.5.3"
versions_in() {
  PYTHONPATH="$1" "$PY" -c 'import celery, kombu; print(celery.__version__, kombu.__version__)' 2>/dev/null
}

present() {
  if [ -f "$STAMP" ] && [ -f "$SITE/celery/__init__.py" ] && [ -d "$SITE/celery/__pycache__" ]; then
    echo "celery 5.5: present ($(cat "$STAMP"))"
    echo "$SITE"
    exit 0
  fi
}
present

[ -x "$PY" ] || die "$PY is missing (scripts/ensure-services.sh installs python3-celery, which brings it)"
for tool in apt-get dpkg; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is needed to fetch Celery 5.5 from Debian $SUITE (a Debian-based machine)"
done

# The archive the system already uses: the first Debian (not Debian-Security) deb source.
mirror="${CELERY55_MIRROR:-}"
if [ -z "$mirror" ]; then
  mirror=$(apt-get indextargets --format '$(TARGET_OF) $(LABEL) $(SITE)' 2>/dev/null \
    | awk '$1 == "deb" && $2 == "Debian" { print $3; exit }')
fi
if [ -z "$mirror" ]; then
  mirror=$(apt-get indextargets --format '$(TARGET_OF) $(SITE)' 2>/dev/null \
    | awk '$1 == "deb" && $2 !~ /security/ { print $2; exit }')
fi
[ -n "$mirror" ] || die "no Debian archive found in the system's apt sources; set CELERY55_MIRROR=http://deb.debian.org/debian"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || die "$keyring is missing (package debian-archive-keyring), needed to verify $SUITE"

mkdir -p "$CACHE_DIR"
# One fetch at a time (several checkouts share the cache); the one that waited finds it present.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE_DIR/.lock"
  flock 9
  present
fi
WORK=$(mktemp -d "$CACHE_DIR/.fetch.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/etc/sources.list.d" "$WORK/etc/preferences.d" "$WORK/state/lists/partial" \
  "$WORK/cache/archives/partial" "$WORK/debs" "$WORK/root"
echo "deb [signed-by=$keyring] $mirror $SUITE main" >"$WORK/etc/sources.list"
: >"$WORK/state/status"

APT_OPTS=(
  -o "Dir::Etc::SourceList=$WORK/etc/sources.list"
  -o "Dir::Etc::SourceParts=$WORK/etc/sources.list.d"
  -o "Dir::Etc::Preferences=$WORK/etc/preferences"
  -o "Dir::Etc::PreferencesParts=$WORK/etc/preferences.d"
  -o "Dir::State=$WORK/state"
  -o "Dir::State::status=$WORK/state/status"
  -o "Dir::Cache=$WORK/cache"
  -o "Debug::NoLocking=1"
  -o "Acquire::Retries=2"
  -o "Acquire::http::Timeout=30"
)
# As root apt drops to the _apt user, which cannot write into our private dirs.
[ "$(id -u)" -eq 0 ] && APT_OPTS+=(-o "APT::Sandbox::User=root")

echo "celery 5.5: fetching Debian $SUITE's python3-celery and dependencies from $mirror ..."
if ! apt-get "${APT_OPTS[@]}" -q update >"$WORK/update.log" 2>&1 || grep -q '^\(W\|E\): Failed to fetch' "$WORK/update.log"; then
  tail -n 5 "$WORK/update.log" >&2
  die "cannot read Debian $SUITE's package index from $mirror (no network?). Celery 5.5 is needed by the e2e-celery55 tests."
fi
(cd "$WORK/debs" && apt-get "${APT_OPTS[@]}" -q download "${PACKAGES[@]}") >"$WORK/download.log" 2>&1 || {
  tail -n 5 "$WORK/download.log" >&2
  die "apt-get download of Celery 5.5's packages from $mirror $SUITE failed"
}
for deb in "$WORK"/debs/*.deb; do
  dpkg -x "$deb" "$WORK/root" || die "dpkg -x $deb failed"
done

fetched="$WORK/root/usr/lib/python3/dist-packages"
# Byte-compile once, as Debian's postinst would: every Celery process otherwise compiles ~570
# modules at start (PYTHONDONTWRITEBYTECODE keeps Python from caching them).
"$PY" -m compileall -q -j 0 "$fetched" >"$WORK/compile.log" 2>&1 \
  || echo "ensure-celery55: warning: some modules did not byte-compile (they still import): $(tail -n 1 "$WORK/compile.log")" >&2
read -r celery kombu <<<"$(versions_in "$fetched" || true)"
[ "${celery:-}" = "$WANT_CELERY" ] && [ "${kombu:-}" = "$WANT_KOMBU" ] \
  || die "Debian $SUITE gave celery ${celery:-?} / kombu ${kombu:-?}, expected $WANT_CELERY / $WANT_KOMBU"

rm -rf "$SITE"
mv "$fetched" "$SITE"
(cd "$WORK/debs" && ls *.deb) >"$CACHE_DIR/packages.txt"
echo "celery $celery, kombu $kombu from $mirror $SUITE" >"$STAMP"
echo "celery 5.5: installed ($(cat "$STAMP"))"
echo "$SITE"
