#!/usr/bin/env python3
"""How much of morphfit-eval's target a keep/reject rule could reach on a synthetic run.

Reads the cases.csv of `morphfit-eval --mode=synthetic` and prints, per statistic and for a
largest share of good fits rejected (default 0.10), the share of bad fits a rule could reject if
it told every corrupted case apart perfectly (bad ones rejected, good ones kept) and split the
clean cases (kind "none") with one threshold on that statistic, either side, spending the whole
false-rejection budget on them. It bounds what the statistic can add on clean fits, whose error
comes from the fit itself, not from a corrupted input; thresholds on several statistics together
can do somewhat better than the best single one, but each spends the same budget.

Usage: scripts/quality_bound.py CASES.csv [max_false_rejection]
"""
import csv
import math
import sys


def as_float(text):
    try:
        return float(text)
    except ValueError:
        return math.nan


def best_true_rejections(clean, statistic, budget):
    """Most clean bad fits rejected by one threshold on `statistic` rejecting <= budget good."""
    values = [(as_float(row[statistic]), row["bad"] == "1") for row in clean]
    values = [(v, bad) for v, bad in values if not math.isnan(v)]
    best = 0
    for sign in (1, -1):  # reject high values, then low values
        ordered = sorted(values, key=lambda item: -sign * item[0])
        good_rejected = bad_rejected = 0
        for _, bad in ordered:
            if bad:
                bad_rejected += 1
            else:
                good_rejected += 1
            if good_rejected <= budget:
                best = max(best, bad_rejected)
    return best


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    max_false_rejection = float(sys.argv[2]) if len(sys.argv) == 3 else 0.10
    with open(sys.argv[1], newline="") as stream:
        rows = list(csv.DictReader(stream))
    if not rows or "kind" not in rows[0] or "bad" not in rows[0]:
        sys.exit(sys.argv[1] + ": not a cases.csv of morphfit-eval --mode=synthetic")
    good = [r for r in rows if r["bad"] == "0"]
    bad = [r for r in rows if r["bad"] == "1"]
    clean = [r for r in rows if r["kind"] == "none" and not r["fit_error"]]
    clean_bad = sum(r["bad"] == "1" for r in clean)
    other_bad = len(bad) - clean_bad
    budget = math.floor(max_false_rejection * len(good))
    first_statistic = list(rows[0].keys()).index("landmark_rms_nme")
    statistics = list(rows[0].keys())[first_statistic:]
    print(f"{sys.argv[1]}: {len(rows)} cases, {len(bad)} bad, {len(good)} good; clean fits "
          f"{len(clean)}, of them bad {clean_bad}")
    print(f"false-rejection budget: {budget} good fits ({max_false_rejection:.2f} of {len(good)})")
    print(f"{'statistic':26s} {'clean bad rejected':>20s} {'bound on bad rejected':>22s}")
    results = []
    for statistic in statistics:
        caught = best_true_rejections(clean, statistic, budget)
        results.append(((other_bad + caught) / len(bad), statistic, caught))
    for share, statistic, caught in sorted(results, reverse=True):
        print(f"{statistic:26s} {caught:>12d} of {clean_bad:<5d} {share:>22.3f}")


if __name__ == "__main__":
    main()
