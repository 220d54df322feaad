#!/usr/bin/env bash
# Opinion-map benchmark: Rust (parvis-opinion) vs the numpy reference pipeline on every public
# Pol.is conversation with votes, then the 10M-vote scale test and the incremental update.
# Usage: bench/opinion/run.sh [runs]        (from anywhere; writes bench/opinion/last-run.log)
set -euo pipefail
RUNS="${1:-7}"
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DATA="${POLIS_DATA:-$ROOT/../shared/data/polis}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target-opinion}"
LOG="$HERE/last-run.log"

python3 -c 'import numpy, pandas, sklearn' 2>/dev/null || pip install --quiet numpy pandas scikit-learn
(cd "$ROOT" && cargo build --release -p parvis-opinion --examples)
BIN="$CARGO_TARGET_DIR/release/examples/opinion_bench"

DIRS=()
for d in "$DATA"/open-data/*/; do
  [ -f "$d/votes.csv" ] && [ -f "$d/participants-votes.csv" ] && DIRS+=("${d%/}")
done

{
  echo "# $(date -u +%FT%TZ) $(uname -m), $(nproc) CPUs, runs=$RUNS"
  "$BIN" polis "${DIRS[@]}" --runs "$RUNS"
  python3 "$HERE/py_bench.py" "$DATA/reference_pipeline.py" "$RUNS" "${DIRS[@]}"
  "$BIN" scale 100000 10000 10000000 --runs 3
  "$BIN" incremental 1000000 --updates 51
} 2>&1 | tee "$LOG"

# Ratio table (python median / rust median, both including CSV reading).
python3 - "$LOG" <<'PY'
import re, sys
rust, py = {}, {}
for line in open(sys.argv[1]):
    m = re.match(r'RESULT polis (\S+) rust_total_ms=([\d.]+) rust_compute_ms=([\d.]+).*?(ptpts=\S+ cmts=\S+ votes=\S+)', line)
    if m: rust[m[1]] = (float(m[2]), float(m[3]), m[4])
    m = re.match(r'RESULT python (\S+) median_ms=([\d.]+) read_ms=([\d.]+)', line)
    if m: py[m[1]] = (float(m[2]), float(m[3]))
print('| conversation | size | numpy total ms | numpy compute ms (total − CSV read) | Rust total ms (read + analyze) | Rust analyze ms | speed-up total | speed-up compute |')
print('|---|---|---|---|---|---|---|---|')
rt, rc = [], []
for k in sorted(rust):
    if k in py:
        a = py[k][0] / rust[k][0]; b = (py[k][0] - py[k][1]) / rust[k][1]; rt.append(a); rc.append(b)
        print(f'| {k} | {rust[k][2]} | {py[k][0]:.1f} | {py[k][0] - py[k][1]:.1f} | {rust[k][0]:.2f} | {rust[k][1]:.2f} | {a:.1f}× | {b:.1f}× |')
for name, r in (('total', rt), ('compute', rc)):
    if r:
        r.sort(); print(f'\n{name}: median speed-up {r[len(r)//2]:.1f}×, min {r[0]:.1f}×, max {r[-1]:.1f}×')
PY
