#!/usr/bin/env bash
# Process-level tests of morphfit-batch on synthetic renders (real pipeline, landmark-only fits):
# per-class counts, a corrupt image and a bad row recorded as failures, resume after kill -9,
# refusal of changed fit flags, shards + merge equal to the whole run (byte-identical maps).
# Usage: batch_app_test.sh MORPHFIT_BATCH MAKE_FACE_DATASET MODEL_DIR
set -euo pipefail
app=$1 tool=$2 model_dir=$3
scratch=$(mktemp -d /tmp/morphfit_batch_app.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
rows() { tail -n +2 "$1/results.csv" | wc -l; }

# --- a dataset: 16 synthetic faces, a corrupt image and a malformed row ---
"$tool" --model_dir "$model_dir" --out "$scratch/data" --count 16 --format affectnet --size 200
printf 'not a png' > "$scratch/data/images/3/corrupt.png"
echo "3/corrupt.png,0,0,200,200,,1,0,0" >> "$scratch/data/manifest.csv"
echo "this row is malformed" >> "$scratch/data/manifest.csv"
input=(--manifest "$scratch/data/manifest.csv" --images_root "$scratch/data/images"
       --model_dir "$model_dir")
# Landmark-only fits keep the test fast; the batch machinery does not depend on the stages.
fit=(${BATCH_TEST_FIT_FLAGS:---stages=landmarks})

# --- the whole run, uninterrupted ---
"$app" "${input[@]}" "${fit[@]}" --out "$scratch/whole" --threads 2 > "$scratch/whole.txt"
[ "$(rows "$scratch/whole")" -eq 18 ] || fail "whole run: expected 18 rows, got $(rows "$scratch/whole")"
grep -q '^| input | 2 | 2 | 2 | 2 | 3 | 2 | 2 | 2 | 1 | 18 |$' "$scratch/whole.txt" ||
  fail "per-class input row wrong: $(grep '^| input' "$scratch/whole.txt")"
grep -q '^| failed | 0 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 1 | 2 |$' "$scratch/whole.txt" ||
  fail "failures row wrong: $(grep '^| failed' "$scratch/whole.txt")"
grep -q '^3/corrupt.png,Happy,failed,' "$scratch/whole/results.csv" || fail "corrupt image not recorded"
grep -q '^manifest.csv:line 19,Unlabelled,failed,.*line 19' "$scratch/whole/results.csv" ||
  fail "malformed row not recorded with its line"
[ -s "$scratch/whole/summary.md" ] && [ -s "$scratch/whole/contact_sheet.png" ] || fail "no summary"
for f in depth.npy depth.png normals.npy normals.png mask.png overlay.png mesh.obj landmarks.pts fit.json; do
  [ -s "$scratch/whole/0/face_00000/$f" ] || fail "missing output $f"
done

# --- kill -9 in the middle, then the same command again ---
"$app" "${input[@]}" "${fit[@]}" --out "$scratch/killed" --threads 1 > /dev/null 2>&1 &
pid=$!
for _ in $(seq 1 1000); do
  [ -f "$scratch/killed/results.csv" ] && [ "$(rows "$scratch/killed")" -ge 3 ] && break
  sleep 0.01
done
kill -9 "$pid" 2>/dev/null || fail "the run ended before it could be killed"
wait "$pid" 2>/dev/null || true
before=$(rows "$scratch/killed")
[ "$before" -lt 18 ] || fail "the run finished before the kill"
"$app" "${input[@]}" "${fit[@]}" --out "$scratch/killed" --threads 2 > "$scratch/resumed.txt" 2>&1
grep -q "resuming: [0-9]* of 18 images already done" "$scratch/resumed.txt" || fail "no resume message"
[ "$(rows "$scratch/killed")" -eq 18 ] || fail "after resume: $(rows "$scratch/killed") rows, expected 18"
[ "$(cut -d, -f1 "$scratch/killed/results.csv" | sort | uniq -d | wc -l)" -eq 0 ] || fail "repeated rows"
leftovers=$(find "$scratch/killed" -name '*.tmp.*' | wc -l)
[ "$leftovers" -eq 0 ] || fail "temporary files left: $(find "$scratch/killed" -name '*.tmp.*')"

# --- a folder run with --out inside --input: the first run's maps are not read back as photos ---
images="$scratch/data/images"
"$app" --input "$images/0" --model_dir "$model_dir" "${fit[@]}" --out "$images/0/rgbd" --quiet
first=$(rows "$images/0/rgbd")
"$app" --input "$images/0" --model_dir "$model_dir" "${fit[@]}" --out "$images/0/rgbd" --quiet
[ "$(rows "$images/0/rgbd")" -eq "$first" ] ||
  fail "rerun with --out inside --input: $(rows "$images/0/rgbd") rows, $first before"
set +e
"$app" --input "$images/0" --model_dir "$model_dir" "${fit[@]}" --out "$images/0/" > /dev/null 2>&1
code=$?
set -e
[ "$code" -eq 2 ] || fail "--out equal to --input: exit $code, expected 2"
set +e
"$app" "${input[@]}" "${fit[@]}" --out "$scratch/wide" --contact_sheet_samples 21 > /dev/null 2>&1
code=$?
set -e
[ "$code" -eq 2 ] || fail "--contact_sheet_samples 21: exit $code, expected 2"
rm -rf "$images/0/rgbd"

# --- changed fit flags are refused (exit 2) unless --overwrite ---
set +e
"$app" "${input[@]}" "${fit[@]}" --out "$scratch/killed" --threads 2 --fov 45 > /dev/null 2> "$scratch/refused.txt"
code=$?
set -e
[ "$code" -eq 2 ] || fail "changed flags: exit $code, expected 2"
grep -q "fit.fov" "$scratch/refused.txt" || fail "refusal does not name the flag: $(cat "$scratch/refused.txt")"
# The detection flags decide the landmarks of images without a .pts: a change is refused too.
set +e
"$app" "${input[@]}" "${fit[@]}" --out "$scratch/killed" --threads 2 --upsample_times 1 > /dev/null 2> "$scratch/refused_detect.txt"
code=$?
set -e
[ "$code" -eq 2 ] || fail "changed detection flags: exit $code, expected 2"
grep -q "fit.upsample_times" "$scratch/refused_detect.txt" ||
  fail "refusal does not name the detection flag: $(cat "$scratch/refused_detect.txt")"
grep -q '"landmark_model"' "$scratch/killed/run.json" || fail "run.json lacks the detection flags"
grep -q '"face_index"' "$scratch/killed/run.json" && fail "run.json records --face_index, which a batch refuses"

# --- three shards and the merge equal the whole run ---
list=""
for i in 0 1 2; do
  "$app" "${input[@]}" "${fit[@]}" --out "$scratch/shard$i" --shard_index $i --num_shards 3 --threads 1 --quiet
  list+="$scratch/shard$i,"
done
"$app" --merge "${list%,}" --out "$scratch/merged" > "$scratch/merged.txt"
# Same rows apart from the time and where the folders are (columns seconds and output).
columns() { python3 -c 'import csv,sys
r=list(csv.reader(open(sys.argv[1])))
h=r[0]
for row in r[1:]: print([v for k,v in zip(h,row) if k not in ("seconds","output")])' "$1"; }
diff <(columns "$scratch/whole/results.csv") <(columns "$scratch/merged/results.csv") ||
  fail "merged results differ from the whole run"
diff <(sed -n '/^| input/,/^| failed/p' "$scratch/whole.txt") <(sed -n '/^| input/,/^| failed/p' "$scratch/merged.txt") ||
  fail "merged summary table differs"
# Per image: byte-identical maps, and fit.json equal but for its timings.
python3 - "$scratch/whole" "$scratch/merged" <<'PY' || fail "shard outputs differ from the whole run"
import csv, json, os, sys
whole, merged = sys.argv[1], sys.argv[2]
def outputs(folder):
    return {row["image"]: os.path.join(folder, row["output"])
            for row in csv.DictReader(open(os.path.join(folder, "results.csv"))) if row["output"]}
def fit_json(path):
    fit = json.load(open(path))
    fit.pop("timings_seconds", None)
    for stage in fit.get("stages", []):
        stage.pop("seconds", None)
    return fit
a, b = outputs(whole), outputs(merged)
assert a.keys() == b.keys() and len(a) == 16, (sorted(a), sorted(b))
for image in a:
    for name in ("depth.npy", "normals.npy", "mask.png", "depth.png", "normals.png"):
        with open(os.path.join(a[image], name), "rb") as x, open(os.path.join(b[image], name), "rb") as y:
            assert x.read() == y.read(), (image, name)
    assert fit_json(os.path.join(a[image], "fit.json")) == fit_json(os.path.join(b[image], "fit.json")), image
PY
echo "PASS"
