#!/usr/bin/env bash
# Runs morphfit-batch over a dataset as a Slurm job array, then merges the shards in a job that
# starts only when every shard succeeded (--dependency=afterok).
#
#   scripts/slurm/submit_batch.sh --out /scratch/affectnet-rgbd [options] -- \
#       --manifest training.csv --images_root /data/affectnet [fit flags...]
#
# Options (before --):
#   --out DIR               where shards/shard_NNNN/, logs/ and merged/ go (required)
#   --images_per_shard N    aim for this many images per array task (default 500)
#   --max_shards N          at most this many array tasks (default and hard limit 1000)
#   --cpus_per_task N       threads of each task (default 2)
#   --max_parallel N        at most N tasks at once (sbatch --array=...%N)
#   --bin PATH              the morphfit-batch executable (default: on PATH, else build/apps)
#   --sbatch "ARGS"         extra sbatch arguments for both jobs, e.g. "--partition=cpu --time=4:00:00"
# Everything after -- goes to every morphfit-batch task (input and fit flags). The batch rule
# (--outlier_k) among them is not applied per shard: the merge job applies it to the whole dataset.
#
# Rerunning the same command after a failure resubmits; every shard resumes where it stopped.
# Prints "array <id>" and "merge <id>" and writes them to OUT/slurm_jobs.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

out=""
images_per_shard=500
max_shards=1000
cpus_per_task=2
max_parallel=""
bin=""
extra_sbatch=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --images_per_shard) images_per_shard=$2; shift 2 ;;
    --max_shards) max_shards=$2; shift 2 ;;
    --cpus_per_task) cpus_per_task=$2; shift 2 ;;
    --max_parallel) max_parallel=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    --sbatch) extra_sbatch=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "submit_batch.sh: unknown option '$1' (see the header of $0)" >&2; exit 2 ;;
  esac
done
[ -n "$out" ] || { echo "submit_batch.sh: --out is required" >&2; exit 2; }
[ $# -gt 0 ] || { echo "submit_batch.sh: give the morphfit-batch input flags after --" >&2; exit 2; }
# One array holds at most 1001 tasks; never one task per image.
if [ "$max_shards" -gt 1000 ] || [ "$max_shards" -lt 1 ]; then
  echo "submit_batch.sh: --max_shards must be within 1..1000" >&2; exit 2
fi
if [ -z "$bin" ]; then
  bin=$(command -v morphfit-batch || echo "$here/../../build/apps/morphfit-batch")
fi
[ -x "$bin" ] || { echo "submit_batch.sh: no morphfit-batch at '$bin' (use --bin)" >&2; exit 2; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
mkdir -p "$out/logs" "$out/shards"
out=$(cd "$out" && pwd)

# The shard count follows the dataset size: the manifest is read once here.
images=$("$bin" --count_only "$@")
shards=$(( (images + images_per_shard - 1) / images_per_shard ))
[ "$shards" -ge 1 ] || shards=1
[ "$shards" -le "$max_shards" ] || shards=$max_shards
echo "submit_batch.sh: $images images in $shards shards" >&2

array_spec="0-$((shards - 1))${max_parallel:+%$max_parallel}"
# shellcheck disable=SC2086  # extra_sbatch is a list of arguments
array_id=$(sbatch --parsable --job-name=morphfit-batch --array="$array_spec" \
  --cpus-per-task="$cpus_per_task" --output="$out/logs/shard_%a.out" $extra_sbatch \
  "$here/batch_shard.sbatch" "$bin" "$out" "$shards" "$@")
array_id=${array_id%%;*}
# shellcheck disable=SC2086
merge_id=$(sbatch --parsable --job-name=morphfit-merge --dependency="afterok:$array_id" \
  --kill-on-invalid-dep=yes --cpus-per-task=1 --output="$out/logs/merge.out" $extra_sbatch \
  "$here/batch_merge.sbatch" "$bin" "$out" "$shards")
merge_id=${merge_id%%;*}
printf 'array %s\nmerge %s\n' "$array_id" "$merge_id" | tee "$out/slurm_jobs.txt"
