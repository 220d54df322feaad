#!/bin/sh
# Reproduces bench/relevance/RESULTS.md (release builds, own target dir).
set -eu
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target-relevance}"
CORPUS="${CORPUS:-/work/shared/data/corpus}"
for list in r-sig-geo r-package-devel; do
    [ -d "$CORPUS/$list" ] || { echo "skip $list: $CORPUS/$list is absent"; continue; }
    echo "== $list: reported period (85 % -> end)"
    cargo run -q --release -p parvis-relevance --example eval_feed -- "$CORPUS/$list" --json
    echo "== $list: tuning period (70 % -> 85 %)"
    cargo run -q --release -p parvis-relevance --example eval_feed -- "$CORPUS/$list" --cutoff 0.70 --until 0.85
done
cargo run -q --release -p parvis-relevance --example relevance_bench -- "$CORPUS/r-sig-geo"
