#!/usr/bin/env bash
# The README's two default datasets, each generated when missing (under a minute each on 2 cores),
# so quickstart.sh and train-default-model.sh share one copy of the recipe:
#   default  data/default: the model's data, 200 walks of world 1 (the explore + keys mix) for
#            training and 10 held-out walks each for val, test and test_unseen
#   map      data/map: the view map's walks, 800 walks of world 1 by the same recipe; gen's walks
#            depend only on the world seed and their index, so its first 200 are data/default's
#            training walks and the other 600 are walks the model never trained on (about 1.5 min)
#   usage: tools/gen-default-data.sh DREAMWALK_BINARY default|map
set -euo pipefail
cd "$(dirname "$0")/.."
dreamwalk="$1"
case "$2" in
  default) out=data/default; episodes=200 ;;
  map) out=data/map; episodes=800 ;;
  *) echo "gen-default-data: '$2' is not one of default, map" >&2; exit 2 ;;
esac

if [ -f "$out/manifest.json" ]; then
  # An older recipe's folder of another size would quietly give another model or map.
  if grep -q "\"train-$(printf '%05d' $((episodes - 1)))\"" "$out/manifest.json" &&
     ! grep -q "\"train-$(printf '%05d' "$episodes")\"" "$out/manifest.json"; then exit 0; fi
  echo "gen-default-data: $out is not the current recipe ($episodes training walks): generating it again"
fi
"$dreamwalk" gen --world-seed 1 --episodes "$episodes" --val-episodes 10 --test-episodes 10 --unseen-episodes 10 \
    --steps 200 --size 64 --policy explore,keys --out "$out" --force
