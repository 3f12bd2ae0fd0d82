#!/usr/bin/env bash
# The whole morphfit-fit command on the bundled 1280x1024 sample (model load, image and landmark
# reading, fit, rendering, writing the output folder). Target: median <= 0.5 s.
# Usage: bench/fit_command_bench.sh <morphfit-fit binary> <shared folder> [runs]
# Prints the median wall-clock and CPU (user + sys) seconds over the runs.
set -euo pipefail
fit=$(realpath "$1")
shared=$(realpath "$2")
runs=${3:-15}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/work"
ln -s "$shared" "$tmp/shared"
cd "$tmp/work"
"$fit" >/dev/null  # warm the file cache
for _ in $(seq "$runs"); do
  /usr/bin/time -f "%e %U %S" -a -o "$tmp/times.txt" "$fit" >/dev/null
done
sort -n "$tmp/times.txt" | awk '{ wall[NR] = $1 } END { printf "wall median %.3f s\n", wall[int((NR + 1) / 2)] }'
awk '{ print $2 + $3 }' "$tmp/times.txt" | sort -n |
  awk '{ cpu[NR] = $1 } END { printf "cpu (user+sys) median %.3f s over %d runs\n", cpu[int((NR + 1) / 2)], NR }'
