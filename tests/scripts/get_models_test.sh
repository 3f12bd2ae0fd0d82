#!/usr/bin/env bash
# scripts/get_models.sh without the internet: it fails cleanly (message, non-zero exit, nothing
# left behind) when the source is unreachable or a file is damaged, and installs a model that
# loads when the source (a local file:// copy) is reachable. Never touches the network.
# Usage: get_models_test.sh <source dir> <model folder> <morphfit-info binary>
set -euo pipefail
script=$1/scripts/get_models.sh
model_dir=$2
info=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Runs get_models.sh, expecting failure with `message` and an untouched $tmp/work.
expect_failure() {
  local message=$1; shift
  set +e
  env "$@" bash "$script" "$tmp/work/data/models/sfm" >"$tmp/out.txt" 2>"$tmp/err.txt"
  local code=$?
  set -e
  [ "$code" -ne 0 ] || fail "$* succeeded"
  grep -qF "$message" "$tmp/err.txt" || fail "$*: no '$message' in: $(cat "$tmp/err.txt")"
  [ "$(wc -l <"$tmp/err.txt")" -eq 1 ] || fail "$*: error is not one line"
  [ -z "$(ls -A "$tmp/work")" ] || fail "$*: left $(find "$tmp/work")"
}
mkdir -p "$tmp/work"
for downloader in curl wget; do
  command -v $downloader >/dev/null || continue
  expect_failure "cannot download http://127.0.0.1:9/share/sfm_shape_3448.bin" \
    MORPHFIT_MODELS_URL=http://127.0.0.1:9/share MORPHFIT_DOWNLOADER=$downloader
done
expect_failure "no_such_tool is not installed" MORPHFIT_MODELS_URL=http://127.0.0.1:9/share \
  MORPHFIT_DOWNLOADER=no_such_tool

# A folder that exists already stays, and nothing else appears in it.
mkdir -p "$tmp/work/data/models"
set +e
MORPHFIT_MODELS_URL=http://127.0.0.1:9/share bash "$script" "$tmp/work/data/models/sfm" 2>/dev/null
code=$?
set -e
[ "$code" -ne 0 ] || fail "unreachable source succeeded"
[ -d "$tmp/work/data/models" ] && [ -z "$(ls -A "$tmp/work/data/models")" ] ||
  fail "existing folder changed: $(find "$tmp/work")"
rm -rf "$tmp/work/data"

command -v curl >/dev/null || { echo "curl missing: file:// cases skipped"; exit 0; }

# A damaged file: the checksum catches it and nothing is installed.
cp -r "$model_dir" "$tmp/source"
chmod -R u+w "$tmp/source"
echo "# changed" >>"$tmp/source/sfm_model_contours.json"
expect_failure "sfm_model_contours.json: SHA-256" MORPHFIT_MODELS_URL="file://$tmp/source" \
  MORPHFIT_DOWNLOADER=curl

# The intact files install, and the installed model loads.
MORPHFIT_MODELS_URL="file://$model_dir" MORPHFIT_DOWNLOADER=curl \
  bash "$script" "$tmp/work/data/models/sfm" >"$tmp/out.txt"
grep -q "non-commercial" "$tmp/out.txt" || fail "no licence note"
[ "$(ls "$tmp/work/data/models/sfm" | wc -l)" -eq 8 ] || fail "not 8 files installed"
[ -z "$(ls -A "$tmp/work/data/models" | grep -v '^sfm$')" ] || fail "staging folder left"
"$info" --model_dir "$tmp/work/data/models/sfm" | grep -q "vertices: 3448" || fail "model does not load"
# A second run finds everything in place.
MORPHFIT_MODELS_URL=http://127.0.0.1:9/share bash "$script" "$tmp/work/data/models/sfm" |
  grep -q "already" || fail "second run did not see the installed model"
echo "get_models.sh test passed"
