#!/usr/bin/env bash
# The embedding check: installs build/ into a temporary prefix, builds docs/examples/embed as a
# separate CMake project against the *installed* package (find_package(dreamwalk)), and runs it on
# the shipped model. A broken export, a missing header or a torch include in a public header fails.
# Run after tools/build.sh.   usage: tools/check-install.sh [WORK_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work=${1:-$(mktemp -d /tmp/dreamwalk-install.XXXXXX)}
fail() { echo "check-install: $*" >&2; exit 1; }

cmake --install "$root/build" --prefix "$work/prefix" >/dev/null
cmake -S "$root/docs/examples/embed" -B "$work/example" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/example" -j"$(nproc)" >/dev/null

"$work/prefix/bin/dreamwalk" world --world-seed 1 --spawn-seed 0 --size 64 --out "$work/start.png" >/dev/null
OMP_NUM_THREADS=1 "$work/example/embed-example" "$root/models/default" "$work/start.png" 8 "$work/frames"
count=$(find "$work/frames" -name 'frame_*.png' | wc -l)
[[ $count -eq 8 ]] || fail "expected 8 imagined frames in $work/frames, found $count"
# Bad input is one line and exit 2, from the library's UserError.
status=0
"$work/example/embed-example" "$work/missing" "$work/start.png" 8 "$work/frames" 2>"$work/err.txt" || status=$?
[[ $status -eq 2 && $(wc -l <"$work/err.txt") -eq 1 ]] || fail "a missing checkpoint gave exit $status: $(cat "$work/err.txt")"
echo "check-install: the installed package builds the embedding example, and it dreamed $count frames"
