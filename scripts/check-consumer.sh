#!/usr/bin/env bash
# check-consumer.sh BUILD_DIR: installs BUILD_DIR into a temporary prefix and checks that an
# outside project can use the SDK from there, through find_package(cocobase) (examples/consumer)
# and through pkg-config (examples/consumer/pkg_config_check.cpp). Exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:?usage: check-consumer.sh BUILD_DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cmake --install "$build_dir" --prefix "$tmp/prefix" --component sdk >/dev/null

echo "--- find_package(cocobase)"
cmake -S examples/consumer -B "$tmp/consumer" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/consumer"
"$tmp/consumer/consumer"

echo "--- pkg-config cocobase"
pc_file=$(find "$tmp/prefix" -name cocobase.pc -print -quit)
[ -n "$pc_file" ] || { echo "cocobase.pc was not installed" >&2; exit 1; }
flags=$(PKG_CONFIG_PATH=$(dirname "$pc_file") pkg-config --cflags --libs cocobase)
"${CXX:-c++}" -std=c++20 -o "$tmp/pkg_config_check" examples/consumer/pkg_config_check.cpp $flags
"$tmp/pkg_config_check"
