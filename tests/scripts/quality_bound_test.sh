#!/usr/bin/env bash
# scripts/quality_bound.py on a hand-made cases.csv whose bound is known: 10 good fits (budget 1),
# 4 bad: 2 corrupted, 2 clean. Statistic a puts both clean bad fits above every good one (bound
# 4/4); b puts one clean bad fit below the good ones and one at the top (1 caught: 3/4).
set -euo pipefail
script=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
{
  echo "name,kind,bad,fit_error,landmark_rms_nme,a,b"
  for i in 0 1 2 3 4 5 6 7 8 9; do echo "g$i,none,0,,0.0$i,$i,$((i + 10))"; done
  echo "c1,none,1,,0.05,20,30"
  echo "c2,none,1,,0.05,21,1"
  echo "o1,other_face,1,,0.5,0,0"
  echo "o2,non_face,1,,0.5,0,0"
} >"$tmp/cases.csv"
python3 "$script" "$tmp/cases.csv" >"$tmp/out.txt" || fail "exit $?: $(cat "$tmp/out.txt")"
grep -q "budget: 1 good fits" "$tmp/out.txt" || fail "budget: $(cat "$tmp/out.txt")"
grep -Eq "^a +2 of 2 +1.000$" "$tmp/out.txt" || fail "a: $(cat "$tmp/out.txt")"
grep -Eq "^b +1 of 2 +0.750$" "$tmp/out.txt" || fail "b: $(cat "$tmp/out.txt")"
code=0
python3 "$script" "$tmp/out.txt" >/dev/null 2>&1 || code=$?
[ "$code" -ne 0 ] || fail "a file that is no cases.csv was accepted"
echo "quality_bound test passed"
