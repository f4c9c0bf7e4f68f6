#!/usr/bin/env bash
# The README's default datasets, each generated when missing (under a minute each on 2 cores),
# and the default view map, so quickstart.sh and train-default-model.sh share one copy of each
# recipe:
#   default       data/default: the model's data, 200 walks of world 1 (the explore + keys mix)
#                 for training and 10 held-out walks each for val, test and test_unseen
#   map           data/map: the view map's walks, 800 walks of world 1 by the same recipe; gen's
#                 walks depend only on the world seed and their index, so its first 200 are
#                 data/default's training walks and the other 600 are walks the model never
#                 trained on (about 1.5 min)
#   view-map RUN  RUN/view_map.safetensors: the view map of map's training walks, generated in
#                 memory by `map-views --world-seed` (no dataset written; the same bytes as
#                 `map-views --data data/map`), and added to it the views of 200 walks in 100
#                 other worlds (seeds 2000..2099, never a held-out world: those are 1001.. and
#                 1101..) for walks in worlds the model never saw to find look-alike rooms in
#                 (about 30 s, 2.1 GB); built again when RUN/view_map.recipe names another recipe
#   unseen-val    data/unseen_val: a tuning split for worlds the model never saw, 40 walks in 4
#                 worlds (seeds 1101..1104, in its test_unseen split), so settings for those
#                 worlds are chosen without looking at data/default's test_unseen (about 10 s)
#   usage: tools/gen-default-data.sh DREAMWALK_BINARY default|map|view-map|unseen-val [RUN]
set -euo pipefail
cd "$(dirname "$0")/.."
dreamwalk="$1"
case "$2" in
  default) out=data/default; episodes=200 ;;
  map|view-map) out=data/map; episodes=800 ;;
  unseen-val) out=data/unseen_val; episodes=1 ;;
  *) echo "gen-default-data: '$2' is not one of default, map, view-map, unseen-val" >&2; exit 2 ;;
esac
walks="--world-seed 1 --episodes $episodes --steps 200 --policy explore,keys"
other_worlds="--world-seed 2000 --worlds 100 --episodes 200 --steps 200 --policy explore,keys"

if [ "$2" = view-map ]; then
  run="${3:?usage: tools/gen-default-data.sh DREAMWALK_BINARY view-map RUN}"
  stamp="$run/view_map.recipe"
  recipe="$walks + $other_worlds"
  if [ -f "$run/view_map.safetensors" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$recipe" ]; then exit 0; fi
  rm -f "$stamp"
  # shellcheck disable=SC2086  # $walks and $other_worlds are lists of flags
  "$dreamwalk" map-views --checkpoint "$run" $walks
  # shellcheck disable=SC2086
  "$dreamwalk" map-views --checkpoint "$run" --add $other_worlds
  echo "$recipe" > "$stamp.tmp" && mv "$stamp.tmp" "$stamp"
  exit 0
fi

if [ "$2" = unseen-val ]; then
  if [ -f "$out/manifest.json" ]; then exit 0; fi
  # World seed 101's held-out worlds are 1101..1104; its one training walk is not used.
  "$dreamwalk" gen --world-seed 101 --episodes 1 --val-episodes 0 --test-episodes 0 --unseen-worlds 4 \
    --unseen-episodes 40 --steps 200 --size 64 --policy explore,keys --out "$out" --force
  exit 0
fi

if [ -f "$out/manifest.json" ]; then
  # An older recipe's folder of another size would quietly give another model or map.
  if grep -q "\"train-$(printf '%05d' $((episodes - 1)))\"" "$out/manifest.json" &&
     ! grep -q "\"train-$(printf '%05d' "$episodes")\"" "$out/manifest.json"; then exit 0; fi
  echo "gen-default-data: $out is not the current recipe ($episodes training walks): generating it again"
fi
# shellcheck disable=SC2086  # $walks is a list of flags
"$dreamwalk" gen $walks --val-episodes 10 --test-episodes 10 --unseen-episodes 10 --size 64 --out "$out" --force
