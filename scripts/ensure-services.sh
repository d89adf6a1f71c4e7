#!/usr/bin/env bash
# Make sure what the test suites need is present: Debian's python3-celery
# (for /usr/bin/python3), Celery 5.5 beside it (scripts/ensure-celery55.sh)
# python3-redis, Debian's chromium (the monitor page's browser test), a Redis at CELERY_REDIS_URL (default redis://127.0.0.1:6379/0)
# and a RabbitMQ broker reachable at CELERY_BROKER_URL
# (default amqp://guest:guest@127.0.0.1:5672//); with a redis:// CELERY_BROKER_URL
# only that Redis is checked, RabbitMQ is left alone.
#
# Idempotent and quick (~0.5 s) when everything is already there. Never
# prompts. Installs/starts things only as root or with password-less sudo;
# otherwise prints the exact command to run and exits 1.
# A local RabbitMQ is managed only when the broker URL points to
# 127.0.0.1/localhost; a remote broker is only checked.
set -euo pipefail

PY=/usr/bin/python3
CELERY_SERIES=5.2
DEFAULT_BROKER_URL='amqp://guest:guest@127.0.0.1:5672//'
BROKER_URL="${CELERY_BROKER_URL:-$DEFAULT_BROKER_URL}"
STARTUP_TIMEOUT=60

die() {
  echo "ensure-services: ERROR: $*" >&2
  exit 1
}

# Run a command as root: directly when root, via `sudo -n` when that works
# without a password, else explain exactly what to run and exit 1.
SUDO=()
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@" </dev/null
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n "$@" </dev/null
  else
    die "root is needed to run: $*
  Not root and no password-less sudo. Run it yourself, e.g.:
    sudo $*
  then re-run: bash scripts/ensure-services.sh"
  fi
}

APT_UPDATED=0
apt_install() {
  local pkg=$1
  command -v apt-get >/dev/null 2>&1 \
    || die "$pkg is needed but apt-get is not available; install $pkg by hand."
  if [ "$(id -u)" -ne 0 ] && ! { command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; }; then
    die "$pkg is not installed and installing it needs root (no password-less sudo). Run:
    sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y $pkg
  then re-run: bash scripts/ensure-services.sh"
  fi
  echo "$pkg: missing, installing with apt-get ..."
  if [ "$APT_UPDATED" -eq 0 ]; then
    as_root apt-get update -q || die "apt-get update failed"
    APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" \
    || die "apt-get install -y $pkg failed"
}

# ---------------------------------------------------------------- celery
celery_version() { "$PY" -m celery --version 2>/dev/null | awk '{print $1; exit}'; }

[ -x "$PY" ] || apt_install python3-celery   # pulls in /usr/bin/python3 too
ver=""
if "$PY" -c 'import celery' >/dev/null 2>&1; then
  ver=$(celery_version || true)
  echo "python3-celery ${ver:-?}: present"
else
  apt_install python3-celery
  "$PY" -c 'import celery' >/dev/null 2>&1 \
    || die "python3-celery was installed but '$PY -c \"import celery\"' still fails"
  ver=$(celery_version || true)
  echo "python3-celery ${ver:-?}: installed"
fi
case "$ver" in
  "$CELERY_SERIES".*) ;;
  *) die "'$PY -m celery --version' printed '${ver:-nothing}', expected $CELERY_SERIES.x (Debian bookworm's python3-celery)" ;;
esac

# ---------------------------------------------------------------- celery 5.5
# Celery 5.5 beside it, for the e2e-celery55 jest project (a user-level cache, no root).
bash "$(dirname "${BASH_SOURCE[0]}")/ensure-celery55.sh" >/dev/null \
  || die "Celery 5.5 is not available (see scripts/ensure-celery55.sh above)"
echo "python celery 5.5: $(cat "${CELERY55_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/nestjs-celery/celery55}/complete")"

# ---------------------------------------------------------------- redis
# Redis for the Redis result backend and broker suites (CELERY_REDIS_URL, default
# redis://127.0.0.1:6379/0), and python3-redis so Python Celery 5.2 can use it.
REDIS_URL="${CELERY_REDIS_URL:-redis://127.0.0.1:6379/0}"
"$PY" -c 'import redis' >/dev/null 2>&1 || apt_install python3-redis

# Debian's Chromium, for the monitoring page's browser test (test/monitor-page.e2e-spec.ts, via
# playwright-core with executablePath /usr/bin/chromium; no browser is downloaded).
[ -x /usr/bin/chromium ] || apt_install chromium
r_hostport=$(echo "$REDIS_URL" | sed -E 's#^rediss?://([^@/]*@)?([^/?]*).*#\2#')
R_HOST=${r_hostport%%:*}; R_PORT=${r_hostport##*:}; [ "$R_PORT" = "$r_hostport" ] && R_PORT=6379
[ "$R_HOST" = localhost ] && R_HOST=127.0.0.1
redis_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$R_HOST/$R_PORT" >/dev/null 2>&1; }
if redis_open; then
  echo "redis: running on $R_HOST:$R_PORT"
elif [ "$R_HOST" != 127.0.0.1 ] && [ "$R_HOST" != "::1" ]; then
  die "remote Redis $R_HOST:$R_PORT (from CELERY_REDIS_URL) is not reachable"
else
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  echo "redis: not answering on $R_HOST:$R_PORT, starting (redis-server --daemonize yes --save \"\") ..."
  as_root redis-server --daemonize yes --bind 127.0.0.1 --port "$R_PORT" --save "" --appendonly no \
    || die "'redis-server --daemonize yes' failed"
  for _ in $(seq 1 50); do redis_open && break; sleep 0.2; done
  redis_open || die "Redis did not start listening on $R_HOST:$R_PORT within 10s"
  echo "redis: started, running on $R_HOST:$R_PORT"
fi

# ---------------------------------------------------------------- Redis broker
# A redis:// broker URL (kombu's Redis transport) needs no RabbitMQ: check that Redis answers.
case "$BROKER_URL" in
  redis://*|rediss://*)
    b_hostport=$(echo "$BROKER_URL" | sed -E 's#^rediss?://([^@/]*@)?([^/?]*).*#\2#')
    BR_HOST=${b_hostport%%:*}; BR_PORT=${b_hostport##*:}; [ "$BR_PORT" = "$b_hostport" ] && BR_PORT=6379
    [ "$BR_HOST" = localhost ] && BR_HOST=127.0.0.1
    timeout 2 bash -c "exec 3<>/dev/tcp/$BR_HOST/$BR_PORT" >/dev/null 2>&1 \
      || die "the Redis broker $BR_HOST:$BR_PORT (from CELERY_BROKER_URL) is not reachable"
    echo "rabbitmq: not needed, the broker is Redis at $BR_HOST:$BR_PORT"
    exit 0
    ;;
esac

# ---------------------------------------------------------------- broker URL
# Parse with Python's urllib: prints host, port, user, password, vhost.
parsed=$("$PY" - "$BROKER_URL" <<'EOF'
import sys
from urllib.parse import urlsplit, unquote
u = urlsplit(sys.argv[1])
if u.scheme not in ("amqp", "pyamqp", "amqps"):
    sys.exit("unsupported broker URL scheme %r (expected amqp://)" % u.scheme)
port = u.port or (5671 if u.scheme == "amqps" else 5672)
path = u.path[1:] if u.path.startswith("/") else u.path
vhost = unquote(path) if path else "/"
print(u.hostname or "localhost")
print(port)
print(unquote(u.username or "guest"))
print(unquote(u.password or "guest"))
print(vhost)
EOF
) || die "cannot parse CELERY_BROKER_URL"
{ read -r B_HOST; read -r B_PORT; read -r B_USER; read -r B_PASS; read -r B_VHOST; } <<<"$parsed"
SHOWN_URL="amqp://${B_USER}:***@${B_HOST}:${B_PORT}/${B_VHOST}"

LOCAL=0
case "$B_HOST" in
  127.0.0.1|localhost|::1) LOCAL=1 ;;
esac
# /dev/tcp wants a plain address; localhost may resolve to ::1 first.
PROBE_HOST=$B_HOST
[ "$B_HOST" = localhost ] && PROBE_HOST=127.0.0.1

port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$PROBE_HOST/$B_PORT" >/dev/null 2>&1
}

# Full AMQP login with the URL's credentials (kombu ships with celery).
amqp_login() {
  timeout 15 "$PY" - "$BROKER_URL" >/dev/null 2>&1 <<'EOF'
import sys
from kombu import Connection
c = Connection(sys.argv[1], connect_timeout=5)
c.connect()
c.release()
EOF
}

if [ "$LOCAL" -eq 0 ]; then
  echo "rabbitmq: remote broker $SHOWN_URL (not managed here)"
  port_open || die "remote broker $B_HOST:$B_PORT (from CELERY_BROKER_URL) is not reachable"
  amqp_login || die "cannot log in to $SHOWN_URL (check CELERY_BROKER_URL credentials/vhost)"
  echo "rabbitmq: login as $B_USER ok"
  exit 0
fi

# ---------------------------------------------------------------- local RabbitMQ
if command -v rabbitmqctl >/dev/null 2>&1; then
  echo "rabbitmq-server $(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null || echo '?'): present"
else
  apt_install rabbitmq-server
  command -v rabbitmqctl >/dev/null 2>&1 || die "rabbitmq-server installed but rabbitmqctl not found on PATH"
  echo "rabbitmq-server $(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null || echo '?'): installed"
fi

if port_open; then
  echo "rabbitmq: running on $PROBE_HOST:$B_PORT"
else
  echo "rabbitmq: not answering on $PROBE_HOST:$B_PORT, starting (rabbitmq-server -detached) ..."
  as_root rabbitmq-server -detached || die "'rabbitmq-server -detached' failed; see /var/log/rabbitmq/"
  deadline=$((SECONDS + STARTUP_TIMEOUT))
  until port_open; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      die "RabbitMQ did not start listening on $PROBE_HOST:$B_PORT within ${STARTUP_TIMEOUT}s.
  Logs: /var/log/rabbitmq/ (try: rabbitmq-diagnostics status)"
    fi
    sleep 1
  done
  left=$((deadline - SECONDS)); [ "$left" -lt 5 ] && left=5
  as_root timeout "$left" rabbitmqctl -q await_startup >/dev/null 2>&1 \
    || die "RabbitMQ port is open but 'rabbitmqctl await_startup' did not succeed; see /var/log/rabbitmq/"
  echo "rabbitmq: started, running on $PROBE_HOST:$B_PORT"
fi

# ---------------------------------------------------------------- login
if amqp_login; then
  echo "rabbitmq: login as $B_USER on vhost $B_VHOST ok"
else
  echo "rabbitmq: login as $B_USER on vhost $B_VHOST failed, (re)creating user/permissions ..."
  ctl() { as_root timeout 30 rabbitmqctl -q "$@"; }
  ctl list_vhosts 2>/dev/null | grep -qxF -- "$B_VHOST" || ctl add_vhost "$B_VHOST" \
    || die "rabbitmqctl add_vhost $B_VHOST failed"
  if ctl list_users 2>/dev/null | awk '{print $1}' | grep -qxF -- "$B_USER"; then
    ctl change_password "$B_USER" "$B_PASS" || die "rabbitmqctl change_password $B_USER failed"
  else
    ctl add_user "$B_USER" "$B_PASS" || die "rabbitmqctl add_user $B_USER failed"
  fi
  ctl set_permissions -p "$B_VHOST" "$B_USER" '.*' '.*' '.*' \
    || die "rabbitmqctl set_permissions failed"
  amqp_login || die "still cannot log in to $SHOWN_URL after fixing user/permissions.
  If the user is 'guest', check loopback_users in /etc/rabbitmq/rabbitmq.conf."
  echo "rabbitmq: login as $B_USER on vhost $B_VHOST ok (fixed)"
fi
