#!/usr/bin/env bash
# Set-up for the language-model side: installs the Debian packages the pretraining corpus is made
# from and builds data/corpus/train.txt (git-ignored). data/corpus/heldout.txt and manifest.json are
# committed, so the held-out slice (KL term, retention evaluation, the default model's perplexity)
# is there without this script; the corpus build rewrites them identically and warns when the
# installed package versions give different text. Safe to run again: it skips what is done.
set -euo pipefail
cd "$(dirname "$0")/.."

# tmux drives the REPL test in a real terminal.
PACKAGES=(fortunes fortunes-min wordnet-base dict-gcide jargon-text
          bible-kjv bible-kjv-text dict-foldoc python3.11-doc debian-handbook gnu-standards tmux)
CORPUS=data/corpus

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then missing+=("$p"); fi
done
if ((${#missing[@]})); then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
  echo "Installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The SHA-256 the committed manifest records for a corpus file ("" when unknown).
manifest_sha() {
  [ -f "$CORPUS/manifest.json" ] || { echo ""; return; }
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["files"][sys.argv[2]]["sha256"])' "$CORPUS/manifest.json" "$1" 2>/dev/null \
    || grep -A1 "\"$1\"" "$CORPUS/manifest.json" | sed -n 's/.*"sha256": "\([0-9a-f]*\)".*/\1/p'
}

want_train=$(manifest_sha train.txt)
want_heldout=$(manifest_sha heldout.txt)
if [ -f "$CORPUS/train.txt" ] && [ -n "$want_train" ] && [ "$(sha256sum "$CORPUS/train.txt" | cut -d' ' -f1)" = "$want_train" ]; then
  echo "Corpus up to date: $CORPUS/train.txt ($want_train)"
else
  echo "Building the corpus in $CORPUS …"
  dotnet run --project src/TracrInjection.Cli -c Release -- corpus --out "$CORPUS"
  got_train=$(sha256sum "$CORPUS/train.txt" | cut -d' ' -f1)
  got_heldout=$(sha256sum "$CORPUS/heldout.txt" | cut -d' ' -f1)
  if [ -n "$want_train" ] && [ "$got_train" != "$want_train" ]; then
    echo "warning: train.txt SHA-256 $got_train differs from the recorded $want_train (different Debian package versions?)" >&2
  fi
  if [ -n "$want_heldout" ] && [ "$got_heldout" != "$want_heldout" ]; then
    echo "warning: heldout.txt SHA-256 $got_heldout differs from the recorded $want_heldout; restore the committed one with 'git checkout $CORPUS'" >&2
  fi
fi
