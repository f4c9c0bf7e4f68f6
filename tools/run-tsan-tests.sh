#!/usr/bin/env bash
# The threaded code under ThreadSanitizer, built into build-tsan/: the window sampler's prefetch
# threads and `gen --threads` (the datasets tests) and the viewer's stepper thread with the fake
# simulator (the stepper tests). All of it is torch-free, so every line that runs is instrumented.
# Any data race report fails the run. Run after tools/run-tests.sh (which installs the dependencies).
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(dreamwalk_datasets_tests dreamwalk_stepper_tests)
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDREAMWALK_SANITIZE_THREAD=ON \
  -DDREAMWALK_BUILD_TESTS=ON -DDREAMWALK_BUILD_VIEWER=OFF >/dev/null
cmake --build build-tsan -j"$(nproc)" --target "${targets[@]}"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
echo "== the window sampler's prefetch threads and gen --threads (ThreadSanitizer)"
./build-tsan/tests/dreamwalk_datasets_tests "[sampler],[generate]"
echo "== the viewer's stepper thread (ThreadSanitizer)"
./build-tsan/tests/dreamwalk_stepper_tests "[threads]"
