#!/usr/bin/env bash
# Throughput of morphfit-batch: images/s and peak memory (/usr/bin/time -v) for 1 and 2 threads
# over a generated set of synthetic face renders (bench is a script, not Google Benchmark: it
# measures whole processes, with their I/O).
#
#   bench/batch_throughput.sh [BUILD_DIR] [-- extra morphfit-batch fit flags]
# Environment: IMAGES (default 60), SIZE (default 400 px), REPEATS (default 3), THREADS ("1 2").
# Prints, per thread count, the median images/s and peak RSS over REPEATS runs into fresh folders.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
[ "${1:-}" = "--" ] && shift
images=${IMAGES:-60}
size=${SIZE:-400}
repeats=${REPEATS:-3}
threads_list=${THREADS:-1 2}
app=$build/apps/morphfit-batch
tool=$build/tests/make_face_dataset
for exe in "$app" "$tool" /usr/bin/time; do
  [ -x "$exe" ] || { echo "batch_throughput.sh: $exe missing (build morphfit-batch and make_face_dataset)" >&2; exit 2; }
done
scratch=$(mktemp -d /tmp/morphfit_bench.XXXXXX)
trap 'rm -rf "$scratch"' EXIT

"$tool" --out "$scratch/data" --count "$images" --format affectnet --size "$size"
echo "dataset: $images synthetic faces of ${size}x${size} px; fit flags: ${*:-(defaults)}"
printf '%-8s %-14s %-14s %s\n' threads "images/s" "peak RSS MB" "runs (images/s)"
for threads in $threads_list; do
  rates=() memories=()
  for ((r = 0; r < repeats; r++)); do
    out=$scratch/out_${threads}_$r
    /usr/bin/time -v -o "$scratch/time.txt" "$app" --manifest "$scratch/data/manifest.csv" \
      --images_root "$scratch/data/images" --out "$out" --threads "$threads" "$@" \
      > "$scratch/run.txt" 2> /dev/null
    # "this run: N images in T s (R images/s) ..." is printed by the app: fit time only, without
    # the model load and the summary.
    rates+=("$(sed -n 's/^this run: .*(\([0-9.]*\) images\/s).*/\1/p' "$scratch/run.txt")")
    memories+=("$(awk '/Maximum resident set size/ {printf "%.0f", $6 / 1024}' "$scratch/time.txt")")
    rm -rf "$out"
  done
  median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
  printf '%-8s %-14s %-14s %s\n' "$threads" "$(median "${rates[@]}")" "$(median "${memories[@]}")" "${rates[*]}"
done
