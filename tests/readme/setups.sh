# Fixtures and setups for the README runner (tests/readme/readme_test.cpp), sourced by bash in
# the folder a block runs in, with `dreamwalk` on PATH and DREAMWALK_SOURCE set to the checkout.
# A fixture is made once per test process and copied for each block (`in=`); a setup runs in the
# block's folder just before it (`setup=`), making the files the README tells the user to bring.
# Everything is small: a few short 64x64 episodes and a model trained for two steps.

# The folders a block sees of the checkout: configs and the shipped model (read only) and docs/.
checkout_layout() {
  ln -s "$DREAMWALK_SOURCE/configs" configs
  ln -s "$DREAMWALK_SOURCE/models" models
  mkdir -p docs
}

fixture_none() {
  checkout_layout
}

# data/default: the explore,keys mix at 64x64, long enough for 4 + 64 frame windows, with 4 test
# episodes (the README starts from test:3); data/keys stands in for the keys-only set.
fixture_data() {
  checkout_layout
  dreamwalk gen --world-seed 1 --episodes 4 --val-episodes 1 --test-episodes 4 --unseen-episodes 1 \
    --unseen-worlds 1 --steps 70 --size 64 --policy explore,keys --out data/default >/dev/null
  cp -r data/default data/keys
}

# runs/default: configs/small.yaml trained for two steps on data/default.
fixture_model() {
  fixture_data
  dreamwalk train --data data/default --config configs/small.yaml --out runs/default --steps 2 --seed 1 \
    --threads 1 >/dev/null
}

# The four frames the worked example asks for ("put 000000.png … 000003.png here").
setup_four_frames() {
  mkdir -p mydata/drive-001/frames
  for i in 0 1 2 3; do
    dreamwalk world --world-seed 1 --spawn-seed "$i" --size 64 --out "mydata/drive-001/frames/00000$i.png" >/dev/null
  done
}

# The README's list of mistakes, each made in the worked example (run just before, in=previous)
# and shown by validate.
setup_validate_mistakes() {
  local json=mydata/drive-001/episode.json
  cp "$json" good.json
  # One episode with three problems: validate lists them all.
  sed -i 's/\[0.1, -1.0\]/[0.1, -1.5]/' "$json"
  rm mydata/drive-001/frames/000002.png
  dreamwalk world --world-seed 1 --size 32 --out mydata/drive-001/frames/000003.png >/dev/null
  dreamwalk validate mydata 2>&1 || true
  setup_four_frames
  sed 's/, \[0.1, -1.0\]//' good.json > "$json"
  dreamwalk validate mydata 2>&1 || true
  sed 's/"format_version": 1,/"format_version": 1,,/' good.json > "$json"
  dreamwalk validate mydata 2>&1 || true
  rm mydata/manifest.json
  dreamwalk validate mydata 2>&1 || true
}

# Import example 1: 601 frames (a generated walk) and a CSV of throttle, steering and brake.
setup_drive() {
  dreamwalk gen --world-seed 2 --episodes 1 --val-episodes 0 --test-episodes 0 --unseen-episodes 0 \
    --steps 600 --size 32 --out walk >/dev/null
  mkdir -p drive
  mv walk/train-00000/frames drive/frames
  awk 'BEGIN { print "throttle,steering,brake";
               for (i = 0; i < 600; i++) printf "%.2f,%.3f,0\n", (i % 11) / 10, 0.7 * sin(i / 17) }' > drive/actions.csv
}

# Import example 2: a 30 fps video (a rollout of the tiny model) and odometry at 20 Hz.
setup_walk_video() {
  dreamwalk rollout --checkpoint runs/default --policy explore --world-seed 1 --steps 150 --fps 30 \
    --out video >/dev/null
  mv video/rollout.mp4 walk.mp4
  awk 'BEGIN { print "time,x,y,yaw";
               for (i = 0; i <= 120; i++) printf "%.3f,%.3f,%.3f,%.4f\n", i / 20, 12.5 + i * 0.01, 3.2 + i * 0.06, 1.5708 + i * 0.002 }' \
    > walk_odometry.csv
}

# The rollout section's own start images and actions CSV (header = the model's action names).
setup_start_images() {
  local i=0 name
  for name in a b c d; do
    dreamwalk world --world-seed 1 --spawn-seed "$i" --size 64 --out "$name.png" >/dev/null
    i=$((i + 1))
  done
  awk 'BEGIN { print "forward,strafe,turn"; for (i = 0; i < 48; i++) print (i < 24 ? "1,0,0" : "0.5,0,1") }' > walk.csv
}
