#!/usr/bin/env bash
# Builds and runs every suite; used by `make test` (and so by CI). Prints one summary line per
# suite and a final "suites: N passed, N failed" line; exits non-zero if any suite failed.
set -uo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
# ccache keys on paths relative to the checkout, so a fresh clone (CI) reuses what an earlier
# build of the same sources compiled, wherever that checkout was.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
failed=0
passed=0
run() {  # run NAME COMMAND...
  local name=$1; shift
  echo "=== $name"
  local start=$SECONDS
  if "$@"; then passed=$((passed + 1)); echo "=== $name: ok ($((SECONDS - start)) s)"
  else failed=$((failed + 1)); echo "=== $name: FAILED ($((SECONDS - start)) s)"; fi
}
build() {  # build DIR CMAKE_ARGS...
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null && cmake --build "$dir" -j "$JOBS"
}
node_suites() {  # node_suites BINARY DIRS...: the black-box suites against one build of the server
  local bin=$1; shift
  COCOBASE_BIN="$bin" node --experimental-websocket --no-warnings --test --test-concurrency=2 "$@"
}

run "build (release)" build build -DCMAKE_BUILD_TYPE=RelWithDebInfo
run "unit tests (release)" ctest --test-dir build --output-on-failure -j "$JOBS"
run "installed-package consumer (release)" scripts/check-consumer.sh build
run "black-box, realtime and npm SDK tests (release)" \
  node_suites "$PWD/build/cocobase" tests/integration/ tests/realtime/ tests/compat/

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run "build (asan+ubsan)" build build-asan -DCMAKE_BUILD_TYPE=Debug -DCOCOBASE_SANITIZE=address -DCOCOBASE_BENCH=OFF -DCOCOBASE_EXAMPLES=OFF
run "unit tests (asan+ubsan)" ctest --test-dir build-asan --output-on-failure -j "$JOBS"
run "black-box and realtime tests (asan+ubsan)" \
  node_suites "$PWD/build-asan/cocobase" tests/integration/ tests/realtime/

export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
run "build (tsan)" build build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCOCOBASE_SANITIZE=thread -DCOCOBASE_BENCH=OFF -DCOCOBASE_EXAMPLES=OFF
run "unit tests (tsan)" ctest --test-dir build-tsan --output-on-failure -j "$JOBS"
run "realtime tests (tsan)" node_suites "$PWD/build-tsan/cocobase" tests/realtime/

# Every fuzz target (fuzz/) for a few seconds, and the committed regression inputs replayed.
run "fuzz smoke" env FUZZ_SECONDS="${FUZZ_SMOKE_SECONDS:-10}" scripts/run-fuzz.sh

echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
