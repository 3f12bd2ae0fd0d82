#!/usr/bin/env bash
# Downloads the public Surrey Face Model (shape-only, 3448 vertices) and the files that go with it
# from the eos project's repository, at a fixed commit, into data/models/sfm (or the folder given).
#   scripts/get_models.sh [DEST]
# Every file is checked against its SHA-256 and moved into place only when all arrived intact, so
# a failed run (no internet, bad download) leaves nothing behind. Needs curl or wget.
# Environment: MORPHFIT_MODELS_URL (another source folder, e.g. a mirror or file:// with curl),
# MORPHFIT_DOWNLOADER=curl|wget (default: curl if installed).
# Licence: the Surrey Face Model is free for non-commercial use only (cvssp.org/facemodel).
set -euo pipefail
cd "$(dirname "$0")/.."

readonly COMMIT=ce984207a51c2edd2e7568a64fec9b98ef61aeed
readonly BASE_URL=${MORPHFIT_MODELS_URL:-https://raw.githubusercontent.com/patrikhuber/eos/$COMMIT/share}
readonly DEST=${1:-data/models/sfm}
# name and SHA-256 of each file at $COMMIT.
readonly FILES="
sfm_shape_3448.bin 43750338ae533e7fb981e924b6f67ebde3d292f15ec4fc886ae5af14308ad980
expression_blendshapes_3448.bin a77c81712fc5e8b08a1be4cd2824d51514e5bde6578109ae5240dfb3489efd43
ibug_to_sfm.txt 810810c457184526c7d54305ecbc5da764e2431b5e66025d921a7d424aebfac9
sfm_model_contours.json c9e69bfa995ab19ac6b27abb07729eb0520a00bb192be12426ca6bce76f3fded
sfm_reference_symmetry.txt d26e02dbb2cf72bfa88bc6bf6f175bf261bae7aff00509cc0ff277675f2fff47
sfm_3448_edge_topology.json 5934e5ec34dd6779fda06d28a1f8d02ca9a238bff882e5ccd6da5af9fffe61d5
sfm_reference.obj 1ac929fc7db5a2ec5a1bc9160b92cf8478a360866422a35105717dbc5992ca56
readme.txt 57742d6348d04faf051e0066d93df7f2499d874068f8aab89fb8bb051cd02105
"

fail() {
  echo "get_models.sh: $*" >&2
  exit 1
}

downloader=${MORPHFIT_DOWNLOADER:-}
if [ -z "$downloader" ]; then
  if command -v curl >/dev/null; then downloader=curl
  elif command -v wget >/dev/null; then downloader=wget
  else fail "neither curl nor wget is installed (apt-get install curl)"
  fi
fi
command -v "$downloader" >/dev/null || fail "$downloader is not installed"
command -v sha256sum >/dev/null || fail "sha256sum is not installed (coreutils)"

download() {  # url file
  case $downloader in
    curl) curl --fail --silent --show-error --location --retry 2 --connect-timeout 20 -o "$2" "$1" ;;
    wget) wget --quiet --tries=2 --timeout=20 -O "$2" "$1" ;;
    *) fail "MORPHFIT_DOWNLOADER must be curl or wget, not '$downloader'" ;;
  esac
}

all_present=true
while read -r name sha; do
  [ -n "$name" ] || continue
  if [ ! -f "$DEST/$name" ] || [ "$(sha256sum <"$DEST/$name" | cut -d' ' -f1)" != "$sha" ]; then
    all_present=false
  fi
done <<<"$FILES"
if $all_present; then
  echo "The Surrey Face Model is already in $DEST."
  exit 0
fi

# Stage next to the destination so that the final moves are renames within one file system; on
# any failure the trap removes the staging folder and any parent folder this run created.
parent=$(dirname "$DEST")
created=""
if [ ! -d "$parent" ]; then
  created=$parent
  while [ ! -d "$(dirname "$created")" ]; do created=$(dirname "$created"); done
  mkdir -p "$parent" || fail "cannot create $parent"
fi
staging=$(mktemp -d "$parent/.sfm-download.XXXXXX") || fail "cannot write to $parent"
cleanup() {
  rm -rf "$staging"
  if [ -n "$created" ]; then rm -rf "$created"; fi
}
trap cleanup EXIT

echo "Downloading the Surrey Face Model from $BASE_URL"
while read -r name sha; do
  [ -n "$name" ] || continue
  download "$BASE_URL/$name" "$staging/$name" 2>"$staging/error.txt" ||
    fail "cannot download $BASE_URL/$name ($(tail -n 1 "$staging/error.txt")); no internet? Nothing was installed. Copy the files by hand into $DEST, or point --model_dir or MORPHFIT_MODEL_DIR at a folder holding them."
  actual=$(sha256sum <"$staging/$name" | cut -d' ' -f1)
  [ "$actual" = "$sha" ] ||
    fail "$name: SHA-256 $actual, expected $sha (damaged or changed download); nothing was installed"
  echo "  $name"
done <<<"$FILES"

mkdir -p "$DEST" || fail "cannot create $DEST"
while read -r name sha; do
  [ -n "$name" ] || continue
  mv -f "$staging/$name" "$DEST/$name"
done <<<"$FILES"
created=""
echo "The Surrey Face Model is in $DEST. It is free for non-commercial use only; see $DEST/readme.txt and cvssp.org/facemodel."
