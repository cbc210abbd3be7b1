#!/usr/bin/env bash
# Installs what building and testing need, only when missing. Idempotent, no prompts.
# Debian 12 packages for C++; npm packages for the test clients (pinned by tests/package-lock.json).
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev sqlite3 libsodium-dev libjwt-dev libssl-dev zlib1g-dev libspdlog-dev libfmt-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-15 libfuzzer-15-dev
  nodejs npm
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  # Node may come from somewhere other than apt (it does on our dev images): keep it.
  if command -v node >/dev/null && command -v npm >/dev/null; then
    tmp=(); for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || tmp+=("$p"); done
    missing=("${tmp[@]+"${tmp[@]}"}")
  fi
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ "${1:-}" = "--with-node-tests" ]; then
  # The realtime tests use Node's global WebSocket (--experimental-websocket, Node >= 20.10);
  # Debian 12's own nodejs is 18.
  node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$node_major" -lt 20 ]; then
    echo "install-deps: Node $(node --version 2>/dev/null) found; the tests need Node 20 or newer" >&2
    exit 1
  fi
  if [ ! -d tests/node_modules ] || [ tests/package-lock.json -nt tests/node_modules/.stamp ]; then
    (cd tests && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.stamp)
  fi
fi
