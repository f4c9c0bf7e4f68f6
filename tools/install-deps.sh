#!/usr/bin/env bash
# Installs exactly the Debian 12 packages Dreamwalk needs to build, test, fuzz and run.
# Idempotent and non-interactive; skips apt entirely when everything is already installed.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libtorch-dev libopenblas0-pthread libgloo-dev
  libcli11-dev nlohmann-json3-dev libyaml-cpp-dev libfmt-dev libstb-dev libgif-dev
  libavformat-dev libavcodec-dev libswscale-dev libavutil-dev
  libvulkan-dev glslc mesa-vulkan-drivers vulkan-validationlayers libglfw3-dev libimgui-dev
  catch2 xvfb xauth
  clang-14 libfuzzer-14-dev
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
