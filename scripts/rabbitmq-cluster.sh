#!/usr/bin/env bash
# A real 3-node RabbitMQ cluster on loopback ports, for the cluster e2e tests and the cluster bench
# (never touches the shared broker on 5672):
#
#   scripts/rabbitmq-cluster.sh start    boots 3 nodes and joins nodes 2 and 3 to node 1; prints the AMQP URLs
#   scripts/rabbitmq-cluster.sh stop     stops every node and deletes the cluster's directory
#   scripts/rabbitmq-cluster.sh status   cluster_status of node 1
#   scripts/rabbitmq-cluster.sh kill N   SIGKILLs node N's Erlang VM (a crash, for failover tests)
#   scripts/rabbitmq-cluster.sh boot N   starts node N again (it rejoins the cluster by itself)
#
# Each node has its own name (RABBITMQ_NODENAME=nestjs-celery-cluster-<port>@localhost), AMQP port
# (RABBITMQ_NODE_PORT), Erlang distribution port (RABBITMQ_DIST_PORT), config, Mnesia, log and pid
# paths under CLUSTER_DIR. They share the Erlang cookie of the `rabbitmq` user (the rabbitmq-server
# wrapper runs them as that user; run this as root, like rabbitmqctl).
# Overrides: CLUSTER_DIR (default /tmp/nestjs-celery-cluster), CLUSTER_PORTS (three AMQP ports,
# default "5681 5682 5683"), CLUSTER_DIST_PORTS (three distribution ports, default AMQP port + 20000),
# CLUSTER_EXTRA_CONFIG (more rabbitmq.conf lines). Use the same variables for every command.
set -euo pipefail

DIR="${CLUSTER_DIR:-/tmp/nestjs-celery-cluster}"
read -r -a PORTS <<<"${CLUSTER_PORTS:-5681 5682 5683}"
read -r -a DIST_PORTS <<<"${CLUSTER_DIST_PORTS:-$((PORTS[0] + 20000)) $((PORTS[1] + 20000)) $((PORTS[2] + 20000))}"
[ "${#PORTS[@]}" -eq 3 ] && [ "${#DIST_PORTS[@]}" -eq 3 ] || { echo "CLUSTER_PORTS and CLUSTER_DIST_PORTS must name three ports each" >&2; exit 2; }

node_name() { echo "nestjs-celery-cluster-${PORTS[$1]}@localhost"; }

node_env() {
  local i=$1 port=${PORTS[$1]} dir="$DIR/n$1"
  echo RABBITMQ_NODENAME="$(node_name "$i")" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$port" \
    RABBITMQ_DIST_PORT="${DIST_PORTS[$i]}" RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" RABBITMQ_MNESIA_BASE="$dir/mnesia" \
    RABBITMQ_LOG_BASE="$dir/log" RABBITMQ_PID_FILE="$dir/rabbit.pid"
}

ctl() { local i=$1; shift; env $(node_env "$i") rabbitmqctl -n "$(node_name "$i")" -q "$@"; }

boot() {
  local i=$1
  env $(node_env "$i") rabbitmq-server -detached >/dev/null 2>&1 || true
  for _ in $(seq 1 90); do
    if ctl "$i" await_startup --timeout 30 >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "node $i ($(node_name "$i")) did not start; log tail:" >&2
  tail -n 20 "$DIR/n$i/log/"*.log >&2 || true
  return 1
}

prepare() {
  local i=$1 dir="$DIR/n$1"
  mkdir -p "$dir/mnesia" "$dir/log"
  printf 'listeners.tcp.local = 127.0.0.1:%s\nloopback_users = none\n%s\n' "${PORTS[$i]}" "${CLUSTER_EXTRA_CONFIG:-}" >"$dir/rabbitmq.conf"
  echo '[].' >"$dir/enabled_plugins"
  if [ "$(id -u)" -eq 0 ]; then chown -R rabbitmq:rabbitmq "$dir"; fi
}

urls() { for i in 0 1 2; do echo "amqp://guest:guest@127.0.0.1:${PORTS[$i]}//"; done; }

case "${1:-}" in
  start)
    mkdir -p "$DIR"
    if [ "$(id -u)" -eq 0 ]; then chown rabbitmq:rabbitmq "$DIR"; fi
    for i in 0 1 2; do prepare "$i"; done
    for i in 0 1 2; do boot "$i"; done
    for i in 1 2; do
      ctl "$i" stop_app >/dev/null 2>&1
      ctl "$i" reset >/dev/null 2>&1
      ctl "$i" join_cluster "$(node_name 0)" >/dev/null 2>&1
      ctl "$i" start_app >/dev/null 2>&1
      ctl "$i" await_startup >/dev/null 2>&1
    done
    urls
    ;;
  stop)
    for i in 0 1 2; do
      ctl "$i" stop >/dev/null 2>&1 || true
      if [ -f "$DIR/n$i/rabbit.pid" ]; then kill -9 "$(cat "$DIR/n$i/rabbit.pid")" 2>/dev/null || true; fi
    done
    rm -rf "$DIR"
    ;;
  status) ctl 0 cluster_status ;;
  kill)
    i=$(( ${2:?node number 1-3} - 1 ))
    kill -9 "$(cat "$DIR/n$i/rabbit.pid")"
    ;;
  boot) boot $(( ${2:?node number 1-3} - 1 )) ;;
  urls) urls ;;
  *) echo "usage: $0 start|stop|status|kill N|boot N|urls" >&2; exit 2 ;;
esac
