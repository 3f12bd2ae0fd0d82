#!/usr/bin/env bash
# Smoke test of morphfit-info on the real model: summary, files, determinism, exit codes.
# Usage: morphfit_info_test.sh <morphfit-info binary> <model folder>
set -euo pipefail
info=$(realpath "$1")
model_dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$info" --model_dir "$model_dir" --sample 2 --seed 7 --out "$tmp/a" >"$tmp/summary.txt"
for expected in "vertices: 3448" "triangles: 6736" "shape components: 63" \
    "expression components: 6 (blendshapes: anger disgust fear happiness sadness surprise)" \
    "albedo components: none" "landmarks mapped: 50 fixed, 16 contour; unmapped iBUG: 61 65" \
    "contour vertices: right 17, left 17" "symmetry: 845 of 3448"; do
  grep -qF "$expected" "$tmp/summary.txt" || fail "summary lacks '$expected'"
done

for mesh in mean sample_0000 sample_0001; do
  file="$tmp/a/$mesh.obj"
  [ -f "$file" ] || fail "$file not written"
  [ "$(grep -c '^v ' "$file")" -eq 3448 ] || fail "$file: vertex count"
  [ "$(grep -c '^vn ' "$file")" -eq 3448 ] || fail "$file: normal count"
  [ "$(grep -c '^f ' "$file")" -eq 6736 ] || fail "$file: face count"
done
[ ! -e "$tmp/a/sample_0002.obj" ] || fail "more samples than asked for"
if ls "$tmp/a" | grep -q '\.tmp\.'; then fail "temporary files left behind"; fi

# The mean face is the stored mean (first vertex of sfm_shape_3448.bin: floats at byte 12).
head -1 "$tmp/a/mean.obj" | grep -qx 'v -54.126328 -49.502426 -71.2307' || fail "mean.obj is not the mean"

# A random face is a plausible face: per-vertex RMS offset from the mean of a few millimetres
# (coefficients ~ N(0, 1) in standard deviations; the SFM's total standard deviation per vertex
# is about 7 mm), and the two samples differ.
rms() {
  paste -d' ' <(grep '^v ' "$1") <(grep '^v ' "$2") |
    awk '{ s += ($2-$6)^2 + ($3-$7)^2 + ($4-$8)^2 } END { printf "%.3f", sqrt(s / NR) }'
}
for sample in sample_0000 sample_0001; do
  offset=$(rms "$tmp/a/mean.obj" "$tmp/a/$sample.obj")
  awk -v r="$offset" 'BEGIN { exit !(r > 1 && r < 40) }' || fail "$sample: RMS offset $offset mm"
done
cmp -s "$tmp/a/sample_0000.obj" "$tmp/a/sample_0001.obj" && fail "the two samples are equal"

# Same seed, same bytes; the first sample does not depend on how many are asked for.
"$info" --model_dir "$model_dir" --sample 2 --seed 7 --out "$tmp/b" >/dev/null
cmp "$tmp/a/sample_0001.obj" "$tmp/b/sample_0001.obj" || fail "same seed, different faces"
"$info" --model_dir "$model_dir" --sample 1 --seed 7 --out "$tmp/c" >/dev/null
cmp "$tmp/a/sample_0000.obj" "$tmp/c/sample_0000.obj" || fail "first sample depends on --sample"
"$info" --model_dir "$model_dir" --sample 1 --seed 8 --out "$tmp/d" >/dev/null
cmp -s "$tmp/a/sample_0000.obj" "$tmp/d/sample_0000.obj" && fail "different seeds, same face"

# Without --out nothing is written; summary only.
(cd "$tmp" && "$info" --model_dir "$model_dir" >/dev/null)
[ "$(ls "$tmp" | wc -l)" -eq 5 ] || fail "files written without --out"

# Exit codes: 2 bad flags, 1 bad input (one line on stderr naming the folder), 0 help.
expect_exit() {
  local code=$1; shift
  set +e
  "$info" "$@" >"$tmp/out.txt" 2>"$tmp/err.txt"
  local got=$?
  set -e
  [ "$got" -eq "$code" ] || fail "'$*' exited $got, expected $code: $(cat "$tmp/err.txt")"
}
expect_exit 2 --no_such_flag
expect_exit 2 --sample=many --out "$tmp/e"
expect_exit 2 --sample -1 --out "$tmp/e"
expect_exit 2 --sample 10001 --out "$tmp/e"
expect_exit 2 --sample 1
expect_exit 2 stray_argument
mkdir -p "$tmp/empty"
expect_exit 1 --model_dir "$tmp/empty"
[ "$(wc -l <"$tmp/err.txt")" -eq 1 ] || fail "error is not one line"
grep -qF "$tmp/empty" "$tmp/err.txt" || fail "error does not name the folder"
expect_exit 0 --help
for flag in --model_dir --sample --seed --out; do
  grep -q -- "$flag" "$tmp/out.txt" || fail "--help does not list $flag"
done
echo "morphfit-info smoke test passed"
