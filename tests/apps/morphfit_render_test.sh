#!/usr/bin/env bash
# Smoke test of morphfit-render: the map files, determinism, exit codes.
# Usage: morphfit_render_test.sh <morphfit-render binary> <model folder>
set -euo pipefail
app=("$(realpath "$1")" --model_dir "$2")
source "$(dirname "$0")/smoke_helpers.sh"

# Bad flags: 2.
expect_exit 2
expect_exit 2 --out "$tmp/x" --width 0
expect_exit 2 --out "$tmp/x" --distance -1
expect_exit 2 --out "$tmp/x" --yaw nan
# Bad output or scene: 1, naming the problem; nothing replaced.
echo "a file" >"$tmp/file"
expect_exit 1 --out "$tmp/file"
grep -q "$tmp/file: cannot create the output folder" "$tmp/err.txt" || fail "file not named: $(cat "$tmp/err.txt")"
[ "$(cat "$tmp/file")" = "a file" ] || fail "the file was replaced"
expect_exit 1 --out "$tmp/far" --distance 1e9
grep -q "not in view" "$tmp/err.txt" || fail "empty view not reported: $(cat "$tmp/err.txt")"

# A random face at 30 degrees of yaw, twice: every map, float32 npy of the image's size, the same
# bytes both times.
for run in a b; do
  expect_exit 0 --out "$tmp/$run" --seed 3 --yaw 30 --width 320 --height 240
done
for f in depth.npy depth.png normals.npy normals.png mask.png image.png overlay.png render.json; do
  [ -s "$tmp/a/$f" ] || fail "$f not written"
  cmp -s "$tmp/a/$f" "$tmp/b/$f" || fail "$f differs between two identical runs"
done
head -c 128 "$tmp/a/depth.npy" | grep -aq "'descr': '<f4', 'fortran_order': False, 'shape': (240, 320)" ||
  fail "depth.npy header: $(head -c 128 "$tmp/a/depth.npy")"
head -c 128 "$tmp/a/normals.npy" | grep -aq "'shape': (240, 320, 3)" || fail "normals.npy header"
covered=$(grep -o '"covered_pixels": [0-9]*' "$tmp/a/render.json" | grep -o '[0-9]*$')
[ "$covered" -gt 5000 ] && [ "$covered" -lt 76800 ] || fail "covered pixels $covered"
if ls "$tmp/a" | grep -q '\.tmp\.'; then fail "temporary files left behind"; fi
echo "morphfit-render smoke test passed"
