#!/usr/bin/env bash
# Runs the realtime benchmark against cocobase and nats-server (Debian package, WebSocket
# listener, no TLS) with the same workloads: each server pinned to core 1, the load program to
# core 0. Sizes can be lowered for a quick check: N1=100 N2=500 M1=200 M2=50 bench/run_realtime.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${COCOBASE_BIN:-build/cocobase}
LOAD=build/bench/ws_fanout_bench
FLOOR=build/bench/send_floor  # the same latency workloads with a bare send() loop: the floor here
N1=${N1:-1000} M1=${M1:-2000} N2=${N2:-10000} M2=${M2:-200} IDLE=${IDLE:-19500}
command -v nats-server >/dev/null || { echo "nats-server missing: apt-get install nats-server"; exit 1; }
ulimit -n 20000

WORK=$(mktemp -d /var/tmp/cocobase-rtbench-XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT

start_cocobase() {
  taskset -c 1 "$BIN" serve --listen 127.0.0.1:0 --data "$WORK/data-$RANDOM" --io-threads 1 --ws-rate-per-sec 0 \
    >"$WORK/cocobase.log" 2>&1 &
  COCO_PID=$!
  for _ in $(seq 100); do grep -q Listening "$WORK/cocobase.log" && break; sleep 0.1; done
  COCO_PORT=$(grep -o 'Listening on http://127.0.0.1:[0-9]*' "$WORK/cocobase.log" | grep -o '[0-9]*$')
  COCO_KEY=$(grep -o 'cb_[A-Za-z0-9]*' "$WORK/cocobase.log" | head -1)
}
start_nats() {  # a random port may be taken: try a few
  for _ in 1 2 3 4 5; do
    NATS_PORT=$((20000 + RANDOM % 20000))
    cat >"$WORK/nats.conf" <<CONF
listen: 127.0.0.1:$((NATS_PORT + 1))
max_connections: 100000
websocket { listen: "127.0.0.1:$NATS_PORT", no_tls: true }
CONF
    taskset -c 1 nats-server -c "$WORK/nats.conf" >"$WORK/nats.log" 2>&1 &
    NATS_PID=$!
    sleep 0.5
    kill -0 "$NATS_PID" 2>/dev/null && return 0
  done
  echo "nats-server did not start: $(tail -1 "$WORK/nats.log")"
}
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

each() {  # each ARGS...: the same workload on a fresh cocobase and a fresh nats-server
  start_cocobase
  taskset -c 0 "$LOAD" --target cocobase --port "$COCO_PORT" --api-key "$COCO_KEY" --server-pid "$COCO_PID" "$@" || true
  stop "$COCO_PID"
  if [ "${1:-}" != "--mode" ] || [ "${2:-}" != "write" ]; then
    start_nats
    taskset -c 0 "$LOAD" --target nats --port "$NATS_PORT" --server-pid "$NATS_PID" "$@" || true
    stop "$NATS_PID"
  fi
}

each --mode fanout -n "$N1" --messages "$M1"
each --mode fanout -n "$N2" --messages "$M2"
each --mode steady -n "$N2" --rate 50 --seconds 10
"$FLOOR" -n "$N2" --rate 50 --seconds 10 || true
each --mode steady -n "$N1" --rate 50 --seconds 10
"$FLOOR" -n "$N1" --rate 50 --seconds 10 || true
each --mode write -n 1000 --rate 100 --seconds 10
"$FLOOR" -n 1000 --rate 100 --seconds 10 || true
each --mode idle -n "$IDLE"
