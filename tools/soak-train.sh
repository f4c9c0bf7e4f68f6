#!/usr/bin/env bash
# Kill -9 soak of training: trains configs/tiny.yaml, SIGKILLs it at KILLS seeded random moments,
# checks after each kill that the run folder still loads, resumes, and at the end requires the
# weights and optimizer state to be bit-identical to an uninterrupted run with the same seed and
# step count (resume is exact on the CPU). DREAMWALK_TEST_SLOW_WRITES_MS makes every atomic write
# wait before its rename, so many kills land inside checkpoint writes; the summary counts them.
#
#   tools/soak-train.sh KILLS [STEPS=12*KILLS+12]   env: SOAK_SEED (1), SOAK_DIR (a new temp folder),
#                                               DREAMWALK (build/tools/dreamwalk)
# Exit 0 when identical, 1 on any difference or a run folder that does not load.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
kills=${1:?usage: tools/soak-train.sh KILLS [STEPS]}
steps=${2:-$((12 * kills + 12))}  # enough that the run is still going at every kill
RANDOM=${SOAK_SEED:-1}
bin=${DREAMWALK:-$root/build/tools/dreamwalk}
work=${SOAK_DIR:-$(mktemp -d /tmp/dreamwalk-soak.XXXXXX)}
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
fail() { echo "soak-train: $*" >&2; exit 1; }

# An array, not a function: `train &` would background a subshell, and SIGKILL would miss dreamwalk.
train=("$bin" train --data "$work/data" --config "$root/configs/tiny.yaml" --seed 7 --threads 1)
checkpoint_step() { sed -n 's/^  "step": \([0-9]*\),*$/\1/p' "$1/model.json"; }

rm -rf "$work/data" "$work/reference" "$work/run"
"$bin" gen --world-seed 1 --episodes 6 --val-episodes 1 --test-episodes 1 --steps 30 --size 32 \
  --policy explore --out "$work/data" >/dev/null 2>&1
"${train[@]}" --out "$work/reference" --steps "$steps" >/dev/null 2>&1 || fail "the uninterrupted run failed"

in_write=0 landed=0
for ((kill = 1; kill <= kills; kill++)); do
  done_steps=0 resume=()
  if [[ -f "$work/run/model.json" ]]; then done_steps=$(checkpoint_step "$work/run"); resume=(--resume); fi
  (( done_steps < steps )) || fail "kill $kill: the run finished early; use more STEPS"
  touch "$work/started"
  DREAMWALK_TEST_SLOW_WRITES_MS=150 "${train[@]}" --out "$work/run" "${resume[@]}" --steps $((steps - done_steps)) \
    >"$work/train.log" 2>&1 &
  pid=$!
  # Up to 4 s: start-up, training steps, checkpoint writes and validation are all in reach.
  sleep "$((RANDOM % 4)).$((RANDOM % 10))"
  if kill -9 "$pid" 2>/dev/null; then landed=$((landed + 1)); fi
  status=0
  wait "$pid" 2>/dev/null || status=$?
  # Not killed (it ended first): it must have ended well, e.g. a resume after the previous kill.
  (( status == 0 || status == 137 )) || fail "kill $kill: train exited with $status: $(tail -1 "$work/train.log")"
  # A temporary this run wrote and never renamed: the kill landed inside a write.
  if [[ -n "$(find "$work/run" -name '.*.tmp' -newer "$work/started" 2>/dev/null)" ]]; then in_write=$((in_write + 1)); fi
  if [[ -f "$work/run/model.json" ]]; then
    "$bin" bench step --checkpoint "$work/run" --steps 1 >/dev/null 2>&1 ||
      fail "kill $kill: $work/run does not load after SIGKILL"
  fi
done

done_steps=0 resume=()
if [[ -f "$work/run/model.json" ]]; then done_steps=$(checkpoint_step "$work/run"); resume=(--resume); fi
if (( done_steps < steps )); then
  "${train[@]}" --out "$work/run" "${resume[@]}" --steps $((steps - done_steps)) >/dev/null 2>&1 ||
    fail "the final resume failed ($work/run)"
fi
# Temporaries of killed checkpoint writes are removed by the next write of the same file.
left=$(find "$work/run" -maxdepth 1 -name '.*.tmp')
[[ -z "$left" ]] || fail "the final resume left the killed writes' temporaries: $left"
for file in model.safetensors optimizer.safetensors; do
  cmp -s "$work/reference/$file" "$work/run/$file" ||
    fail "$file after $kills kills differs from the uninterrupted run ($work)"
done
echo "soak-train: $kills kills ($landed while running, $in_write inside a write), $steps steps: weights bit-identical"
