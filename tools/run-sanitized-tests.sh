#!/usr/bin/env bash
# The torch-free test executables (base, nav, world CLI, media, datasets, import) and the fuzz
# corpus replays, built with AddressSanitizer and UndefinedBehaviorSanitizer into build-sanitize/;
# any report fails the run.
# Run after tools/run-tests.sh (which installs the dependencies).
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(dreamwalk_base_tests dreamwalk_nav_tests dreamwalk_world_cli_tests dreamwalk_media_tests dreamwalk_datasets_tests
         dreamwalk_import_tests)
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Debug -DDREAMWALK_SANITIZE=ON -DDREAMWALK_BUILD_TESTS=ON \
  -DDREAMWALK_BUILD_VIEWER=OFF >/dev/null
cmake --build build-sanitize -j"$(nproc)" --target "${targets[@]}"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
for target in "${targets[@]}"; do
  echo "== $target (ASan + UBSan)"
  ./build-sanitize/tests/"$target"
done
# Every fuzz corpus (seeds and kept crashers) replayed under the sanitizers too: without them an
# oversized allocation or a read past a buffer would pass the plain replay.
parsers=(image safetensors model_json config_yaml episode_json manifest_json packed_index actions_csv poses_csv
         walk_json viewer_script)
replays=()
for parser in "${parsers[@]}"; do replays+=("fuzz_${parser}_replay"); done
cmake --build build-sanitize -j"$(nproc)" --target "${replays[@]}"
for parser in "${parsers[@]}"; do
  echo "== fuzz corpus $parser (ASan + UBSan)"
  ./build-sanitize/tests/fuzz/fuzz_"$parser"_replay tests/fuzz/corpus/"$parser"
done
