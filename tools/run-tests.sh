#!/usr/bin/env bash
# Installs what is needed, builds everything, and runs every test (the [vulkan] ones under Xvfb
# with Mesa's software Vulkan, so none are skipped), then the embedding example against the
# installed package.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
bash tools/build.sh -DDREAMWALK_BUILD_TESTS=ON
cd build
xvfb-run -a -s "-screen 0 1280x800x24" ctest --output-on-failure -j"$(nproc)"
cd ..
bash tools/check-install.sh
