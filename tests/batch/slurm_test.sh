#!/usr/bin/env bash
# The Slurm scripts for real: starts a one-node cluster (scripts/slurm/local_cluster.sh), submits
# a synthetic dataset with scripts/slurm/submit_batch.sh (job array + dependent merge), waits for
# the merge's completion marker, checks the merged table against an unsharded run, and stops the
# daemons it started. Exits 77 (skipped) without root or the Slurm packages.
# Usage: slurm_test.sh MORPHFIT_BATCH MAKE_FACE_DATASET MODEL_DIR SOURCE_DIR
set -euo pipefail
app=$1 tool=$2 model_dir=$3 source_dir=$4
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root (munged runs as the munge user)"; exit 77; fi
for needed in /usr/sbin/munged /usr/sbin/slurmctld /usr/sbin/slurmd sbatch scontrol sinfo runuser; do
  command -v "$needed" > /dev/null || { echo "SKIP: $needed missing (scripts/debian-packages.txt)"; exit 77; }
done
fail() { echo "FAIL: $*" >&2; exit 1; }

scratch=$(mktemp -d /tmp/morphfit_slurm.XXXXXX)
chmod 0755 "$scratch"  # munged (the munge user) must reach its socket folder inside
# shellcheck source=../../scripts/slurm/local_cluster.sh
source "$source_dir/scripts/slurm/local_cluster.sh"
cleanup() {
  local_cluster_stop
  rm -rf "$scratch"
}
trap cleanup EXIT
local_cluster_start "$scratch/cluster" || { cat "$scratch"/cluster/log/*.log >&2 || true; fail "cluster did not start"; }

"$tool" --model_dir "$model_dir" --out "$scratch/data" --count 14 --format rafd --size 200
input=(--rafd_dir "$scratch/data" --model_dir "$model_dir" ${BATCH_TEST_FIT_FLAGS:---stages=landmarks})

# 14 images at 4 per shard: 4 array tasks, then the merge.
"$source_dir/scripts/slurm/submit_batch.sh" --out "$scratch/run" --images_per_shard 4 \
  --cpus_per_task 1 --bin "$app" -- "${input[@]}" > "$scratch/submitted.txt"
array_id=$(awk '/^array/ {print $2}' "$scratch/submitted.txt")
merge_id=$(awk '/^merge/ {print $2}' "$scratch/submitted.txt")
[ -n "$array_id" ] && [ -n "$merge_id" ] || fail "submit printed no job ids"
scontrol show job "$merge_id" | grep -q "Dependency=afterok:${array_id}" ||
  fail "the merge job does not depend on the array: $(scontrol show job "$merge_id" | grep Dependency)"

# Wait for the completion marker; scontrol tells a failed job apart from a slow one.
for _ in $(seq 1 600); do
  [ -f "$scratch/run/merged/DONE" ] && break
  if scontrol show job "$array_id" "$merge_id" 2>/dev/null | grep -qE 'JobState=(FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY)'; then
    cat "$scratch"/run/logs/*.out >&2 || true
    fail "a job failed: $(scontrol show job "$array_id" "$merge_id" | grep -E 'JobId|JobState')"
  fi
  sleep 0.1
done
[ -f "$scratch/run/merged/DONE" ] || { cat "$scratch"/run/logs/*.out >&2 || true; fail "no merge after 60 s"; }
# The marker is the merge script's last write; the job itself ends a moment later (RUNNING, then
# COMPLETING), so wait for Slurm to record its end before asking how it ended.
for _ in $(seq 1 100); do
  scontrol show job "$merge_id" | grep -qE 'JobState=(RUNNING|COMPLETING|PENDING)' || break
  sleep 0.1
done
scontrol show job "$merge_id" | grep -q 'JobState=COMPLETED' ||
  fail "merge job not COMPLETED: $(scontrol show job "$merge_id" | grep -oE 'JobState=[A-Z_]+')"
[ "$(find "$scratch/run/shards" -maxdepth 1 -name 'shard_*' | wc -l)" -eq 4 ] || fail "expected 4 shards"
[ "$(scontrol show job "$array_id" | grep -c 'JobState=COMPLETED')" -eq 4 ] || fail "expected 4 completed array tasks"

# The merged table equals an unsharded run, row for row (apart from times and folder paths).
"$app" "${input[@]}" --out "$scratch/whole" --quiet
columns() { python3 -c 'import csv,sys
r=list(csv.reader(open(sys.argv[1])))
for row in r[1:]: print([v for k,v in zip(r[0],row) if k not in ("seconds","output")])' "$1"; }
[ "$(tail -n +2 "$scratch/run/merged/results.csv" | wc -l)" -eq 14 ] || fail "merged table has not 14 rows"
diff <(columns "$scratch/whole/results.csv") <(columns "$scratch/run/merged/results.csv") ||
  fail "merged results differ from the unsharded run"
[ -s "$scratch/run/merged/summary.md" ] && [ -s "$scratch/run/merged/contact_sheet.png" ] || fail "no merged summary"
echo "PASS"
