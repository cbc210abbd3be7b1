#!/usr/bin/env bash
# Soak: churn and memory (issue 12). Starts cocobase on a free loopback port with a temp data dir,
# runs bench/soak/soak.mjs against it (200 realtime clients churning plus a REST writer, RSS and
# fds sampled), stops the server and removes the dir. Prints a table and a verdict; exits 0
# either way (it is a measurement).
#   COCOBASE_BIN=/path/to/cocobase bench/run_soak.sh [--duration-s 600] [--clients 200]
#     [--quiet-s 30] [--sample-s 10] [other soak.mjs flags]
# or the same through SOAK_DURATION_S, SOAK_CLIENTS, SOAK_QUIET_S, SOAK_SAMPLE_S.
# Extra server flags: SOAK_SERVER_ARGS="--ws-rate-per-sec 0".
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${COCOBASE_BIN:-build/cocobase}
[ -x "$BIN" ] || { echo "cocobase binary not found at $BIN (set COCOBASE_BIN)"; exit 1; }
ulimit -n 4096

WORK=$(mktemp -d /var/tmp/cocobase-soak-XXXXXX)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# shellcheck disable=SC2086  # SOAK_SERVER_ARGS is a list of flags
"$BIN" serve --listen 127.0.0.1:0 --data "$WORK/data" ${SOAK_SERVER_ARGS:-} >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 200); do grep -q 'Listening on' "$WORK/server.log" && break; sleep 0.1; done
PORT=$(grep -o 'Listening on http://127.0.0.1:[0-9]*' "$WORK/server.log" | grep -o '[0-9]*$' || true)
KEY=$(grep -o 'cb_[A-Za-z0-9]*' "$WORK/server.log" | head -1 || true)
[ -n "$PORT" ] && [ -n "$KEY" ] || { echo "server did not start:"; cat "$WORK/server.log"; exit 1; }
echo "soak: binary $BIN ($(stat -c '%y' "$BIN" | cut -d. -f1)), server flags: ${SOAK_SERVER_ARGS:-(defaults)}"

node --experimental-websocket --no-warnings bench/soak/soak.mjs \
  --url "http://127.0.0.1:$PORT" --api-key "$KEY" --pid "$SERVER_PID" "$@" || true

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  echo "soak: the server exited during the run; last log lines:"; tail -20 "$WORK/server.log"
fi
