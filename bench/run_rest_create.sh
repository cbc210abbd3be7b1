#!/usr/bin/env bash
# Starts a server on a fresh data dir pinned to core 1, runs the REST create benchmark pinned
# to core 0, and stops the server. Extra arguments go to the benchmark (e.g. --runs 5).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${COCOBASE_BIN:-build/cocobase}
DATA=$(mktemp -d /var/tmp/cocobase-bench-XXXXXX)
LOG="$DATA/server.log"
# PIN=0: no pinning, the server with one I/O thread per core (the whole machine, shared with
# the load generator).
if [ "${PIN:-1}" = 1 ]; then SERVER_CPU=(taskset -c 1); CLIENT_CPU=(taskset -c 0); THREADS=1
else SERVER_CPU=(); CLIENT_CPU=(); THREADS=0; fi
"${SERVER_CPU[@]}" "$BIN" serve --listen 127.0.0.1:0 --data "$DATA" --io-threads "$THREADS" >"$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 100); do grep -q Listening "$LOG" && break; sleep 0.1; done
PORT=$(grep -o 'Listening on http://127.0.0.1:[0-9]*' "$LOG" | grep -o '[0-9]*$')
KEY=$(grep -o 'cb_[A-Za-z0-9]*' "$LOG" | head -1)
echo "server pid $SERVER on port $PORT, data in $DATA, pinned: ${PIN:-1}"
"${CLIENT_CPU[@]}" build/bench/rest_create_bench --port "$PORT" --api-key "$KEY" --baseline-db "$DATA/baseline.db" "$@"
