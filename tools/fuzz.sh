#!/usr/bin/env bash
# Fuzzes every parser (tests/fuzz/): builds the libFuzzer targets with clang into build-fuzz/, then
# runs each for SECONDS, one after another, and prints one line per target (executions, rate,
# result). Exits 1 when any target finds a crash, leak, hang (-timeout) or oversized allocation
# (-malloc_limit_mb); the input that did it is under build-fuzz/findings/PARSER/. New inputs that
# reach new code go to build-fuzz/corpus/PARSER/; the seeds in tests/fuzz/corpus/ are only read.
#
#   bash tools/fuzz.sh SECONDS [PARSER...]      e.g. bash tools/fuzz.sh 15; bash tools/fuzz.sh 600 image
#   DREAMWALK_FUZZ_RUNS=N                       also stop each target after N executions
# Needs clang-14 and libfuzzer-14-dev (tools/install-deps.sh installs both).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -lt 1 || ! "$1" =~ ^[0-9]+$ ]]; then
  echo "usage: tools/fuzz.sh SECONDS [PARSER...]" >&2
  exit 2
fi
seconds=$1
shift
all=(image safetensors model_json config_yaml episode_json manifest_json packed_index actions_csv poses_csv
     walk_json viewer_script)
parsers=("${@:-${all[@]}}")
for parser in "${parsers[@]}"; do
  if [[ ! -d tests/fuzz/corpus/$parser ]]; then
    echo "tools/fuzz.sh: no parser '$parser' (known: ${all[*]})" >&2
    exit 2
  fi
done

if ! command -v clang++-14 >/dev/null || ! ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  echo "tools/fuzz.sh: needs clang-14 and libFuzzer (Debian: apt-get install clang-14 libfuzzer-14-dev)" >&2
  exit 2
fi

# -O1 -g without NDEBUG: assertions stay on and reports have line numbers.
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g" "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" \
  -DDREAMWALK_BUILD_FUZZERS=ON -DDREAMWALK_BUILD_TESTS=OFF -DDREAMWALK_BUILD_VIEWER=OFF >/dev/null
targets=()
for parser in "${parsers[@]}"; do targets+=(--target "fuzz_$parser"); done
cmake --build build-fuzz -j"$(nproc)" "${targets[@]}" >/dev/null

# Limits. Inputs are at most 4 KB (libFuzzer's default; images 1 KB, since a valid 1 KB image may
# hold 8 million 1-bit pixels), so no single allocation may pass 64 MB: anything bigger was sized
# from a header the file cannot back. A unit running 10 s is a hang.
limits=(-rss_limit_mb=2048 -malloc_limit_mb=64 -timeout=10 -print_final_stats=1)
[[ -n "${DREAMWALK_FUZZ_RUNS:-}" ]] && limits+=("-runs=$DREAMWALK_FUZZ_RUNS")
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

failed=0
for parser in "${parsers[@]}"; do
  corpus=build-fuzz/corpus/$parser
  findings=build-fuzz/findings/$parser
  log=build-fuzz/logs/$parser.log
  mkdir -p "$corpus" "$findings" "$(dirname "$log")"
  max_len=()
  [[ $parser == image ]] && max_len=(-max_len=1024)
  start=$(date +%s)
  status=0
  ./build-fuzz/tests/fuzz/fuzz_"$parser" "${limits[@]}" "${max_len[@]}" -max_total_time="$seconds" \
    -artifact_prefix="$findings/" "$corpus" "tests/fuzz/corpus/$parser" >"$log" 2>&1 || status=$?
  elapsed=$(( $(date +%s) - start ))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  runs=${runs:-0}
  rate=$(( runs / (elapsed > 0 ? elapsed : 1) ))
  if [[ $status -eq 0 ]]; then
    result="no findings"
  else
    failed=1
    finding=$(ls -t "$findings" 2>/dev/null | head -1)
    kind=$(grep -m1 -oE 'ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer): [a-z-]+|runtime error: .*|out-of-memory \(malloc\([0-9]+\)\)|timeout after [0-9]+ seconds|deadly signal' "$log" || true)
    result="FINDING (${kind:-exit $status}): $findings/$finding, log $log"
  fi
  printf 'fuzz_%-14s %12s executions in %4d s (%d/s), %s\n' "$parser" "$runs" "$elapsed" "$rate" "$result"
done
exit "$failed"
