#!/usr/bin/env bash
# Installs the built project into a temporary prefix, then configures, builds and runs the
# consumer project against it with find_package(morphfit).
# Usage: consumer_test.sh <build dir> <consumer source dir> <model folder> <cmake generator>
set -euo pipefail
build_dir=$1
consumer_dir=$2
model_dir=$3
generator=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build_dir" --prefix "$tmp/prefix" >"$tmp/install.log"
for file in bin/morphfit-info include/morphfit/model/morphable_model.h \
    include/morphfit/render/camera.h lib/cmake/morphfit/morphfitConfig.cmake \
    lib/cmake/morphfit/morphfitTargets.cmake; do
  [ -f "$tmp/prefix/$file" ] || fail "install lacks $file"
done

# No package registry, so only the temporary prefix can satisfy find_package(morphfit).
cmake -S "$consumer_dir" -B "$tmp/build" -G "$generator" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$tmp/prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >"$tmp/configure.log" ||
  { cat "$tmp/configure.log"; fail "configure"; }
grep -q "$tmp/prefix" "$tmp/build/CMakeCache.txt" || fail "morphfit not found in the prefix"
cmake --build "$tmp/build" >"$tmp/build.log" || { cat "$tmp/build.log"; fail "build"; }

"$tmp/build/morphfit_consumer" "$model_dir" "$tmp/face.obj" | tee "$tmp/run.txt"
grep -qx "vertices 3448 triangles 6736 fixed landmarks 50" "$tmp/run.txt" || fail "consumer output"
[ "$(grep -c '^f ' "$tmp/face.obj")" -eq 6736 ] || fail "consumer mesh"
"$tmp/prefix/bin/morphfit-info" --model_dir "$model_dir" | grep -q "vertices: 3448" ||
  fail "installed morphfit-info"
echo "install and consumer test passed"
