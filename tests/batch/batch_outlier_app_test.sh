#!/usr/bin/env bash
# Process-level tests of morphfit-batch's batch rule (--outlier_k) on synthetic renders (real
# pipeline, landmark-only fits) with one planted outlier, a face whose landmarks are jittered:
# it is rejected with reason outlier_k and the others are not; rerunning changes no file;
# changing only --outlier_k re-decides without refitting (and k = 0 gives what a run without the
# rule gives); shards leave the rule to --merge, which gives the unsharded run's decisions.
# Usage: batch_outlier_app_test.sh MORPHFIT_BATCH MAKE_FACE_DATASET MODEL_DIR
set -euo pipefail
app=$1 tool=$2 model_dir=$3
scratch=$(mktemp -d /tmp/morphfit_batch_outlier.XXXXXX)
trap '[ -n "${KEEP_SCRATCH:-}" ] || rm -rf "$scratch"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
planted=5/face_00005.png
# The results row of an image, and the image rows whose reasons name outlier_k.
row() { grep "^$2," "$1/results.csv"; }
outlier_rows() { python3 -c 'import csv,sys
for r in csv.DictReader(open(sys.argv[1])):
    if "outlier_k" in r["reasons"].split(";"): print(r["image"])' "$1/results.csv"; }
# Checksums of every fit.json a results table points at, and of the table and the limits.
checksums() { python3 -c 'import csv,hashlib,os,sys
d=sys.argv[1]
names=[os.path.join(d,r["output"],"fit.json") for r in csv.DictReader(open(os.path.join(d,"results.csv"))) if r["output"]]
names+=[os.path.join(d,n) for n in ("results.csv","batch_limits.json") if os.path.exists(os.path.join(d,n))]
for n in names: print(hashlib.md5(open(n,"rb").read()).hexdigest(), os.path.relpath(n,d))' "$1"; }
# Results without the columns that depend on time and place.
columns() { python3 -c 'import csv,sys
r=list(csv.reader(open(sys.argv[1])))
for row in r[1:]: print([v for k,v in zip(r[0],row) if k not in ("seconds","output")])' "$1"; }
# Every fit.json of two results folders equal but for the timings.
same_fit_json() { python3 - "$1" "$2" <<'PY'
import csv, json, os, sys
def fits(folder):
    out = {}
    for row in csv.DictReader(open(os.path.join(folder, "results.csv"))):
        if row["output"]:
            fit = json.load(open(os.path.join(folder, row["output"], "fit.json")))
            fit.pop("timings_seconds", None)
            for stage in fit.get("stages", []):
                stage.pop("seconds", None)
            out[row["image"]] = fit
    return out
a, b = fits(sys.argv[1]), fits(sys.argv[2])
assert a.keys() == b.keys(), (sorted(a), sorted(b))
for image in a:
    assert a[image] == b[image], image
PY
}

# --- 16 synthetic faces; face 5's landmarks jittered by 5 px, alternately in x and y ---
"$tool" --model_dir "$model_dir" --out "$scratch/data" --count 16 --format affectnet --size 200
python3 - "$scratch/data/manifest.csv" "$planted" <<'PY'
import csv, sys
path, planted = sys.argv[1], sys.argv[2]
rows = list(csv.reader(open(path)))
for row in rows[1:]:
    if row[0] == planted:
        values = [float(v) for v in row[5].split(";")]
        row[5] = ";".join("%.3f" % (v + (5 if (i // 2) % 2 else -5)) for i, v in enumerate(values))
        break
else:
    sys.exit("no row " + planted)
csv.writer(open(path, "w", newline=""), lineterminator="\n").writerows(rows)
PY
input=(--manifest "$scratch/data/manifest.csv" --images_root "$scratch/data/images"
       --model_dir "$model_dir")
fit=(--stages=landmarks --outlier_min_batch=10 --outlier_statistics=landmark_rms_nme --threads 2)

# --- the whole run: the planted face, and only it, is rejected by the batch rule ---
"$app" "${input[@]}" "${fit[@]}" --outlier_k=5 --out "$scratch/whole" > "$scratch/whole.txt"
[ "$(outlier_rows "$scratch/whole")" = "$planted" ] ||
  fail "expected only $planted rejected by outlier_k, got: $(outlier_rows "$scratch/whole" | tr '\n' ' ')"
row "$scratch/whole" "$planted" | grep -q ',rejected,' || fail "planted row: $(row "$scratch/whole" "$planted")"
python3 - "$scratch/whole" "$planted" <<'PY' || fail "fit.json or batch_limits.json of the planted fit"
import csv, json, os, sys
folder, planted = sys.argv[1], sys.argv[2]
limits = json.load(open(os.path.join(folder, "batch_limits.json")))
assert limits["outlier_k"] == 5 and limits["fits"] == 16 and limits["failed"] == 0, limits
(limit,) = limits["limits"]
assert limit["statistic"] == "landmark_rms_nme" and limit["count"] == 16 and limit["beyond"] == 1, limit
for row in csv.DictReader(open(os.path.join(folder, "results.csv"))):
    fit = json.load(open(os.path.join(folder, row["output"], "fit.json")))
    assert fit["verdict"] == row["verdict"], row["image"]
    (recorded,) = fit["quality"]["batch"]["limits"]
    assert recorded.items() <= limit.items(), (row["image"], recorded, limit)
    outliers = [r for r in fit["reasons"] if r["name"] == "outlier_k"]
    if row["image"] != planted:
        assert not outliers, row["image"]
        continue
    (reason,) = outliers
    value = fit["quality"]["statistics"]["landmarks"]["rms_nme"]
    assert reason["value"] == value >= reason["threshold"] == limit["limit"], reason
    assert reason["median"] == limit["median"] and reason["scaled_mad"] == limit["scaled_mad"], reason
    assert abs(limit["median"] + 5 * limit["scaled_mad"] - limit["limit"]) < 1e-12, limit
PY
grep -q '^## Batch rule' "$scratch/whole/summary.md" || fail "no batch rule section in summary.md"
grep -q '^| landmark_rms_nme | higher | 16 |' "$scratch/whole/summary.md" || fail "no limits table in summary.md"
grep -q '^| outlier_k | 1 |' "$scratch/whole/summary.md" || fail "outlier_k not among the reasons"

# --- the same command again: nothing is refitted and no file changes ---
checksums "$scratch/whole" > "$scratch/whole.md5"
"$app" "${input[@]}" "${fit[@]}" --outlier_k=5 --out "$scratch/whole" > /dev/null 2> "$scratch/again.txt"
grep -q "resuming: 16 of 16 images already done" "$scratch/again.txt" || fail "the rerun refitted: $(cat "$scratch/again.txt")"
diff <(checksums "$scratch/whole") "$scratch/whole.md5" || fail "a rerun changed files"

# --- only --outlier_k changed: resumed (not refused), re-decided, not refitted ---
"$app" "${input[@]}" "${fit[@]}" --outlier_k=0 --out "$scratch/whole" > /dev/null 2> "$scratch/k0.txt" ||
  fail "changing only --outlier_k was refused: $(cat "$scratch/k0.txt")"
grep -q "fit.outlier_k: '5' -> '0'" "$scratch/k0.txt" || fail "no note of the changed batch rule: $(cat "$scratch/k0.txt")"
grep -q "resuming: 16 of 16 images already done" "$scratch/k0.txt" || fail "k change refitted"
[ -z "$(outlier_rows "$scratch/whole")" ] || fail "outlier_k reasons left after --outlier_k=0"
[ ! -e "$scratch/whole/batch_limits.json" ] || fail "batch_limits.json left after --outlier_k=0"
grep -q '"outlier_k": "0"' "$scratch/whole/run.json" || fail "run.json does not record the new k"
# k = 0 is what a run without the batch rule gives.
"$app" "${input[@]}" "${fit[@]}" --out "$scratch/plain" > /dev/null 2>&1
[ ! -e "$scratch/plain/batch_limits.json" ] || fail "batch_limits.json with the rule off"
if grep -rq -e '"batch":' -e '"name": "outlier_k"' --include=fit.json "$scratch/plain"; then
  fail "--outlier_k=0 left batch traces in fit.json"
fi
diff <(columns "$scratch/plain/results.csv") <(columns "$scratch/whole/results.csv") ||
  fail "k=5 then k=0 differs from a run without the rule"
same_fit_json "$scratch/plain" "$scratch/whole" || fail "fit.json after k=5 then k=0 differs from k=0"
# And back to k = 5: the very files of the first run.
"$app" "${input[@]}" "${fit[@]}" --outlier_k=5 --out "$scratch/whole" > /dev/null 2>&1
diff <(checksums "$scratch/whole") "$scratch/whole.md5" || fail "k=5 again differs from the first k=5 run"

# --- shards leave the rule to --merge, which decides over the whole dataset ---
list=""
for i in 0 1 2; do
  "$app" "${input[@]}" "${fit[@]}" --outlier_k=5 --out "$scratch/shard$i" --shard_index $i --num_shards 3 \
    > "$scratch/shard$i.txt" 2>&1
  list+="$scratch/shard$i,"
  [ -z "$(outlier_rows "$scratch/shard$i")" ] || fail "shard $i applied the batch rule"
  [ ! -e "$scratch/shard$i/batch_limits.json" ] || fail "shard $i wrote batch_limits.json"
  grep -q "Not applied to a shard: \`--merge\` applies it" "$scratch/shard$i/summary.md" ||
    fail "shard $i's summary does not say the rule is left to --merge"
done
"$app" --merge "${list%,}" --out "$scratch/merged" > "$scratch/merged.txt"
diff <(columns "$scratch/whole/results.csv") <(columns "$scratch/merged/results.csv") ||
  fail "merged decisions differ from the whole run's"
cmp "$scratch/whole/batch_limits.json" "$scratch/merged/batch_limits.json" ||
  fail "merged limits differ from the whole run's"
same_fit_json "$scratch/whole" "$scratch/merged" || fail "merged fit.json differ from the whole run's"
# The merge may re-decide with another k (the shards' k otherwise); its run.json says which.
"$app" --merge "${list%,}" --out "$scratch/merged" --outlier_k=0 > /dev/null
[ -z "$(outlier_rows "$scratch/merged")" ] || fail "--merge --outlier_k=0 kept outlier_k reasons"
grep -q '"outlier_k": "0"' "$scratch/merged/run.json" || fail "merged run.json does not record k=0"
same_fit_json "$scratch/plain" "$scratch/merged" || fail "merge with k=0 differs from a run without the rule"
# A bad k given to --merge is a flag error (exit 2), found before anything is written.
set +e
"$app" --merge "${list%,}" --out "$scratch/merged_bad" --outlier_k=-1 > /dev/null 2>&1
code=$?
set -e
[ "$code" -eq 2 ] || fail "--merge --outlier_k=-1: exit $code, expected 2"
[ ! -e "$scratch/merged_bad/results.csv" ] || fail "--merge with a bad flag wrote results.csv"
echo "PASS"
