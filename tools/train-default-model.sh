#!/usr/bin/env bash
# Rebuilds the shipped default model (models/default/: model.json + model.safetensors) from
# nothing: the README's default dataset (explore + keys mix) with fixed seeds, then training of
# configs/small.yaml with a fixed seed for a fixed number of steps, so the result does not depend
# on how fast the machine is. About 30 minutes on the 2-core machine the README's figures come
# from. The shipped files are replaced only when training has finished (temporary name, rename).
#   DREAMWALK_DEFAULT_STEPS   optimisation steps (default: the count the shipped model was trained for)
set -euo pipefail
cd "$(dirname "$0")/.."
steps="${DREAMWALK_DEFAULT_STEPS:-765}"
data=data/default
run=runs/default-model

bash tools/install-deps.sh
bash tools/build.sh -DDREAMWALK_BUILD_TESTS=OFF
dreamwalk=./build/tools/dreamwalk

bash tools/gen-default-data.sh "$dreamwalk" default
rm -rf "$run"
"$dreamwalk" train --data "$data" --config configs/small.yaml --out "$run" --steps "$steps" --seed 1 --threads 2

rm -rf models/default.tmp
mkdir -p models/default.tmp
cp "$run/model.json" "$run/model.safetensors" models/default.tmp/
# Trained without it, run with decoder.track_anchor (no parameters of its own): with the view map
# it keeps the frames between recalled views sharp (README, "What I tried", J).
sed -i 's/"track_anchor": false/"track_anchor": true/' models/default.tmp/model.json
[ "$(grep -c '"track_anchor"' models/default.tmp/model.json)" = 1 ] && grep -q '"track_anchor": true' models/default.tmp/model.json ||
  { echo "train-default-model: could not switch on track_anchor" >&2; exit 1; }
rm -rf models/default
mv models/default.tmp models/default
bash tools/gen-default-data.sh "$dreamwalk" view-map models/default   # not committed: see .gitignore
echo "train-default-model: models/default is the model of $run (step $steps)"
