#!/usr/bin/env python3
"""Markdown table of per-sample landmark error and time from detect_bench's JSON output.

  build/bench/detect_bench --benchmark_filter=BM_Detect --benchmark_repetitions=5 \
      --benchmark_report_aggregates_only=true --benchmark_out=detect.json --benchmark_out_format=json
  python3 scripts/detect_table.py detect.json
"""
import json
import statistics
import sys


def main(path):
    with open(path) as stream:
        runs = json.load(stream)["benchmarks"]
    rows = [r for r in runs if r.get("aggregate_name") == "median" and r["run_name"].startswith("BM_Detect/")]
    print("| sample | size | faces | NME (%) | time, median (ms) | CPU, median (ms) |")
    print("|---|---|---:|---:|---:|---:|")
    nmes, times, cpus = [], [], []
    for r in rows:
        name = r["run_name"].split("/", 1)[1]
        nme = r["nme_pct"]
        nme_text = f"{nme:.2f}" if nme >= 0 else "no face"
        if nme >= 0:
            nmes.append(nme)
        times.append(r["real_time"])
        cpus.append(r["cpu_time"])
        print(f"| {name} | {r.get('label', '')} | {int(r['faces'])} | {nme_text} | "
              f"{r['real_time']:.0f} | {r['cpu_time']:.0f} |")
    if rows:
        print(f"| **median over {len(rows)} images** | | | "
              f"{statistics.median(nmes):.2f} ({len(nmes)} found) | "
              f"{statistics.median(times):.0f} | {statistics.median(cpus):.0f} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "detect.json")
