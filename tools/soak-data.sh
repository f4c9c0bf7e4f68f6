#!/usr/bin/env bash
# Kill -9 soak of the commands that write datasets and recordings: `gen`, `import` and `rollout`
# (whose GIF/MP4 writers are the viewer's recordings'). Each is SIGKILLed at KILLS seeded random
# moments; after every kill its --out folder must be absent or byte-identical to an uninterrupted
# run (never a folder that looks complete but is not), and a final rerun must produce the same
# bytes. The viewer's saved walks and recordings are killed the same way in killed_writes_test.
#
#   tools/soak-data.sh KILLS      env: SOAK_SEED (1), SOAK_DIR (a new temp folder),
#                                      DREAMWALK (build/tools/dreamwalk)
# Exit 0 when every command passes, 1 otherwise.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
kills=${1:?usage: tools/soak-data.sh KILLS}
RANDOM=${SOAK_SEED:-1}
bin=${DREAMWALK:-$root/build/tools/dreamwalk}
work=${SOAK_DIR:-$(mktemp -d /tmp/dreamwalk-soak.XXXXXX)}
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
fail() { echo "soak-data: $*" >&2; exit 1; }

# soak NAME MAX_DELAY_TENTHS COMMAND... : the command must take --out "$work/NAME" and --force.
soak() {
  local name=$1 max_delay=$2
  shift 2
  local out="$work/$name" reference="$work/$name.reference" landed=0
  rm -rf "$out" "$reference"
  "$@" --out "$reference" >/dev/null 2>&1 || fail "$name: the uninterrupted run failed: $*"
  for ((kill = 1; kill <= kills; kill++)); do
    "$@" --out "$out" --force >/dev/null 2>&1 &
    local pid=$!
    sleep "0.$((RANDOM % max_delay))"
    if kill -9 "$pid" 2>/dev/null; then landed=$((landed + 1)); fi
    local status=0
    wait "$pid" 2>/dev/null || status=$?
    # Not killed (it ended first): it must have ended well, not on what an earlier kill left.
    (( status == 0 || status == 137 )) || fail "$name: kill $kill: the run exited with $status: $*"
    if [[ -e "$out" ]] && ! diff -r -q "$reference" "$out" >/dev/null; then
      fail "$name: kill $kill left $out looking complete but different from the uninterrupted run"
    fi
  done
  "$@" --out "$out" --force >/dev/null 2>&1 || fail "$name: the rerun after $kills kills failed"
  diff -r -q "$reference" "$out" >/dev/null || fail "$name: the rerun after $kills kills differs from the uninterrupted run"
  # What the killed runs left under a temporary name, the rerun has removed (nav/base/atomic_file.h).
  [[ -z "$(find "$work" -maxdepth 1 -name ".$name.*")" ]] || fail "$name: the rerun left the killed runs' temporaries in $work"
  echo "soak-data: $name: $kills kills ($landed while running): no incomplete folder, rerun byte-identical"
}

mkdir -p "$work"
soak gen 9 "$bin" gen --world-seed 1 --episodes 8 --val-episodes 1 --test-episodes 1 --steps 60 --size 32 \
  --threads 1

# import: a folder of 400 frames and an actions CSV, as a user brings them.
rm -rf "$work/drive" "$work/walk"
"$bin" gen --world-seed 2 --episodes 1 --val-episodes 0 --test-episodes 0 --unseen-episodes 0 --steps 400 \
  --size 32 --out "$work/walk" >/dev/null 2>&1
mkdir -p "$work/drive"
mv "$work/walk/train-00000/frames" "$work/drive/frames"
awk 'BEGIN { print "forward,turn"; for (i = 0; i < 400; i++) printf "%.2f,%.3f\n", (i % 11) / 10, 0.7 * sin(i / 17) }' \
  >"$work/drive/actions.csv"
soak import 9 "$bin" import --frames "$work/drive/frames" --actions "$work/drive/actions.csv" --size 32 \
  --episode-length 50 --split 0.8,0.1,0.1 --seed 1

soak rollout 9 "$bin" rollout --checkpoint "$root/models/default" --policy explore --world-seed 1 --steps 60 --compare
