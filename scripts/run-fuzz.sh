#!/usr/bin/env bash
# Builds the libFuzzer targets (build-fuzz/, clang-15, ASan+UBSan) and runs each for
# FUZZ_SECONDS on a copy of its seed corpus, then replays fuzz/regressions/<target>/.
# Fails on any crash, leak, timeout or out-of-memory. Used by `make fuzz` and by the smoke in
# scripts/run-tests.sh. The committed corpus is never written: new inputs go to a temporary copy.
#   FUZZ_SECONDS  seconds per target (default 60)
#   FUZZ_TARGETS  space-separated subset (default: all)
#   FUZZ_WORKERS  parallel jobs per target (default 1)
#   FUZZ_KEEP     a directory: keep each target's grown corpus there instead of deleting it
set -uo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_WORKERS=${FUZZ_WORKERS:-1}
JOBS=${JOBS:-$(nproc)}
BUILD=${FUZZ_BUILD_DIR:-build-fuzz}
ALL="fuzz_json fuzz_query fuzz_ws_frames fuzz_http_request fuzz_auth_message fuzz_sdk_messages"
TARGETS=${FUZZ_TARGETS:-$ALL}

# -O1 keeps asserts (no NDEBUG) and runs fast enough; everything is instrumented.
CC=clang-15 CXX=clang++-15 cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" -DCOCOBASE_FUZZ=ON -DCOCOBASE_TESTS=OFF \
  -DCOCOBASE_BENCH=OFF -DCOCOBASE_EXAMPLES=OFF >/dev/null || exit 1
cmake --build "$BUILD" -j "$JOBS" || exit 1

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
work=$(mktemp -d "${TMPDIR:-/tmp}/cocobase-fuzz-XXXXXX")
trap 'rm -rf "$work"' EXIT
failed=0
for t in $TARGETS; do
  bin="$BUILD/fuzz/$t"
  dict=(); [ -f "fuzz/dict/$t.dict" ] && dict=("-dict=$PWD/fuzz/dict/$t.dict")
  if [ -d "fuzz/regressions/$t" ] && [ -n "$(ls -A "fuzz/regressions/$t")" ]; then
    if ! "$bin" -runs=0 "fuzz/regressions/$t"/* >"$work/$t.replay.log" 2>&1; then
      echo "run-fuzz: $t: a regression input fails again:"; tail -40 "$work/$t.replay.log"
      failed=1; continue
    fi
  fi
  mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
  cp fuzz/corpus/"$t"/* "$work/$t/corpus/" 2>/dev/null
  # -rss_limit_mb: the server's own limits keep one input far below this; -timeout: one input
  # taking 10 s is a finding (a cost bound missing).
  args=(-max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1
        -artifact_prefix="$work/$t/artifacts/" "${dict[@]}")
  if [ "$FUZZ_WORKERS" -gt 1 ]; then args+=(-jobs="$FUZZ_WORKERS" -workers="$FUZZ_WORKERS"); fi
  log="$work/$t.log"
  (cd "$work/$t" && "$OLDPWD/$bin" "${args[@]}" corpus) >"$log" 2>&1
  rc=$?
  # libFuzzer's final stats: number_of_executed_units, average_exec_per_sec.
  runs=$(grep -h '^stat::number_of_executed_units' "$log" "$work/$t"/fuzz-*.log 2>/dev/null | awk '{s+=$2} END {print s+0}')
  rate=$(grep -h '^stat::average_exec_per_sec' "$log" "$work/$t"/fuzz-*.log 2>/dev/null | awk '{s+=$2} END {print s+0}')
  if [ $rc -ne 0 ] || [ -n "$(ls -A "$work/$t/artifacts")" ]; then
    echo "run-fuzz: $t FAILED (exit $rc); inputs in fuzz artifacts:"; ls "$work/$t/artifacts"
    grep -h -A40 -E '^==[0-9]+==ERROR|runtime error|deadly signal|fuzz_[a-z_]+: ' "$log" "$work/$t"/fuzz-*.log 2>/dev/null | head -80 ||
      tail -20 "$log"
    mkdir -p fuzz/findings/"$t" && cp "$work/$t/artifacts"/* fuzz/findings/"$t"/ 2>/dev/null
    echo "run-fuzz: crashing inputs copied to fuzz/findings/$t/ (not committed)"
    failed=1
  else
    echo "run-fuzz: $t ok: $runs runs in ${FUZZ_SECONDS} s ($rate exec/s), corpus $(ls "$work/$t/corpus" | wc -l) inputs"
  fi
  if [ -n "${FUZZ_KEEP:-}" ]; then mkdir -p "$FUZZ_KEEP/$t" && cp "$work/$t/corpus"/* "$FUZZ_KEEP/$t/" 2>/dev/null; fi
done
exit $failed
