#!/usr/bin/env bash
# Builds and runs every suite; used by `make test` (and so by CI). Prints one summary line per
# suite and a final "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
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

run "build (release)" build build -DCMAKE_BUILD_TYPE=RelWithDebInfo || true
run "unit tests (release)" ctest --test-dir build --output-on-failure -j "$JOBS"
run "black-box + npm SDK tests (release)" env COCOBASE_BIN="$PWD/build/cocobase" \
  node --test --test-concurrency=2 tests/integration/ tests/compat/

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run "build (asan+ubsan)" build build-asan -DCMAKE_BUILD_TYPE=Debug -DCOCOBASE_SANITIZE=address -DCOCOBASE_BENCH=OFF
run "unit tests (asan+ubsan)" ctest --test-dir build-asan --output-on-failure -j "$JOBS"
run "black-box tests (asan+ubsan)" env COCOBASE_BIN="$PWD/build-asan/cocobase" \
  node --test --test-concurrency=2 tests/integration/

echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
