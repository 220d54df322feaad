#!/usr/bin/env bash
# Search benchmark: parvis-search (tantivy) vs SQLite FTS5 over the same messages, same run.
#
#   bench/search/run.sh                 # 1,000,000 messages, 5 passes
#   bench/search/run.sh --quick         # 100,000 messages, 3 passes
#   MESSAGES=250000 PASSES=5 bench/search/run.sh
#
# Output: bench/search/out/search-<N>.md (tables) and .json; figures go in RESULTS.md by hand.
# Needs: cargo; the corpus in /work/shared/data/corpus (else synthetic English text).
# Disk: about 6 GB for 1M messages (both indexes), in $BENCH_WORK (default /tmp).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
MESSAGES="${MESSAGES:-1000000}"
PASSES="${PASSES:-5}"
if [ "${1:-}" = "--quick" ]; then MESSAGES=100000; PASSES=3; fi
CORPUS="${CORPUS:-$REPO/../shared/data/corpus}"
[ -d "$CORPUS" ] || CORPUS=/work/shared/data/corpus
WORK="${BENCH_WORK:-/tmp}/parvis-search-bench"
OUT="$HERE/out"
mkdir -p "$OUT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target-search}"

cd "$REPO"
cargo build --release -p parvis-search --example search_bench
BIN="$CARGO_TARGET_DIR/release/examples/search_bench"
{
    echo "# search bench, $MESSAGES messages, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)"
    echo
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
    echo
    "$BIN" --messages "$MESSAGES" --passes "$PASSES" --dir "$WORK" --corpus "$CORPUS" --json "$OUT/search-$MESSAGES.json"
} | tee "$OUT/search-$MESSAGES.md"
rm -rf "$WORK"
