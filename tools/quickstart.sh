#!/usr/bin/env bash
# The README's first command: install, build, generate the default dataset, train the default
# model for a few minutes (or reuse one already trained), then open the viewer on it. With no
# display (or no viewer in this build) it writes a rollout GIF instead and says where.
#   DREAMWALK_TRAIN_MINUTES  training budget when no model exists yet (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${DREAMWALK_TRAIN_MINUTES:-10}"
data=data/default
run=runs/default

bash tools/install-deps.sh
bash tools/build.sh -DDREAMWALK_BUILD_TESTS=OFF
dreamwalk=./build/tools/dreamwalk
mkdir -p out

if [ ! -f "$data/manifest.json" ]; then
  "$dreamwalk" gen --world-seed 1 --episodes 200 --steps 200 --size 64 --policy explore --out "$data"
fi
"$dreamwalk" sheet --data "$data" --out out/sheet.png
echo "quickstart: contact sheet of the data in out/sheet.png"

if [ ! -f "$run/model.json" ]; then
  "$dreamwalk" train --data "$data" --config configs/small.yaml --out "$run" --minutes "$minutes"
fi
"$dreamwalk" eval --checkpoint "$run" --data "$data" --split test --json out/eval.json --plot out/eval.png

if [ -n "${DISPLAY:-}" ] && "$dreamwalk" view --help >/dev/null 2>&1; then
  exec "$dreamwalk" view --checkpoint "$run" --world-seed 1
fi
"$dreamwalk" rollout --checkpoint "$run" --start-episode "$data:test:0" --compare --steps 64 --force --out out/rollout
echo "quickstart: no display, so no viewer; the imagined walk is in out/rollout/rollout.gif"
