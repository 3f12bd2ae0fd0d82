#!/usr/bin/env bash
# Smoke test of morphfit-fit: the no-argument run on the bundled sample, presets, exit codes, and
# no output folder on bad input.
# Usage: morphfit_fit_test.sh <morphfit-fit binary> <shared folder> <source folder>
set -euo pipefail
fit=$(realpath "$1")
shared=$(realpath "$2")
source_dir=$(realpath "$3")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# The documented layout: the shared folder beside the working directory.
mkdir -p "$tmp/work"
ln -s "$shared" "$tmp/shared"
cd "$tmp/work"
"$fit" >"$tmp/stdout.txt" || fail "no-argument run failed"
for file in depth.npy depth.png normals.npy normals.png mask.png overlay.png mesh.obj \
    landmarks.pts fit.json; do
  [ -s "morphfit-out/$file" ] || fail "morphfit-out/$file missing"
done
grep -q '"verdict": "kept"' morphfit-out/fit.json || fail "fit.json lacks the verdict"
if ls -a . | grep -q '\.tmp\.'; then fail "temporary folder left behind"; fi

for preset in "$source_dir"/data/presets/*.flags; do
  "$fit" --flagfile="$preset" --out "$tmp/preset" >/dev/null ||
    fail "preset $preset failed"
done

expect_exit() {
  local code=$1; shift
  set +e; "$fit" "$@" >/dev/null 2>"$tmp/stderr.txt"; local got=$?; set -e
  [ "$got" -eq "$code" ] || fail "$* exited $got, expected $code: $(cat "$tmp/stderr.txt")"
  [ "$(wc -l <"$tmp/stderr.txt")" -le 1 ] || fail "$* printed more than one line on stderr"
}
expect_exit 2 --no_such_flag
expect_exit 2 --max_iterations=many
expect_exit 2 --robust_loss=tukey
expect_exit 2 --fov=0
expect_exit 2 --shape_prior_weight=-1
expect_exit 1 --image "$tmp/missing.png" --out "$tmp/bad"
echo "not an image" >"$tmp/broken.png"
expect_exit 1 --image "$tmp/broken.png" --landmarks "$shared/samples/eos_image_0010.pts" --out "$tmp/bad"
[ ! -e "$tmp/bad" ] || fail "output folder written for a bad input"
"$fit" --help | grep -q -- "--shape_prior_weight" || fail "--help lacks the fit flags"
echo "morphfit-fit smoke test passed"
