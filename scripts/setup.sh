#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (run as root, or with sudo available).
#   scripts/setup.sh run    install packages, build, fit the bundled sample into ./morphfit-out
#   scripts/setup.sh test   install packages, build, run the whole test suite with CTest
#   scripts/setup.sh deps | build   just that step
# BUILD_DIR (default: build) and JOBS (default: all cores) can be set in the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

deps() {
  local packages missing="" status
  packages=$(grep -v '^#' scripts/debian-packages.txt)
  # Skip the network entirely when everything is already installed.
  for package in $packages; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing="$missing $package"
  done
  if [ -n "$missing" ]; then
    echo "Installing Debian packages:$missing"
    as_root apt-get update -qq
    # shellcheck disable=SC2086
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
  fi
}

# build [TARGET...]: everything, or only the targets named.
build() {
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMORPHFIT_WARNINGS_AS_ERRORS=ON
  if [ "$#" -eq 0 ]; then
    cmake --build "$BUILD_DIR" -j "$JOBS"
  else
    cmake --build "$BUILD_DIR" -j "$JOBS" --target "$@"
  fi
}

# The main job: fit the bundled sample (../shared/samples/eos_image_0010.png with its .pts) and
# write the full output folder to ./morphfit-out.
run_main() {
  "$BUILD_DIR/apps/morphfit-info"
  "$BUILD_DIR/apps/morphfit-fit" --out morphfit-out
  echo "outputs in $(pwd)/morphfit-out"
}

run_tests() {
  ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS" --timeout 900
}

case "${1:-}" in
  deps) deps ;;
  build) build ;;
  run) deps; build morphfit-info morphfit-fit; run_main ;;
  test) deps; build; run_tests ;;
  *) echo "usage: $0 run|test|deps|build" >&2; exit 2 ;;
esac
