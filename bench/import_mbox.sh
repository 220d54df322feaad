#!/usr/bin/env bash
# Import throughput and memory: the real r-sig-geo mailing-list corpus (mbox, ~29,600
# messages) imported by `parvis import mbox` into a fresh SQLite demo store, against
# `sqlite3`'s own `.import` of the same rows (id, thread, author, date, body) from CSV,
# interleaved in the same run. Goal: Parvis >= 0.5 x sqlite3 messages/s (identity
# resolution is always on in Parvis). Then memory on a ~1 GB input (the corpus concatenated
# BIG_COPIES times with per-copy unique Message-IDs): goal peak RSS < 200 MB.
#
# Environment (all optional):
#   PARVIS_BIN, CARGO_TARGET_DIR, PARVIS_SRC   as in bench/lib.sh
#   COUNT_BIN       the parvis-import `count` example (built next to parvis otherwise)
#   CORPUS_DIR=/work/shared/data/corpus/r-sig-geo   the *.txt mbox files to import
#   ROUNDS=3        interleaved rounds (sqlite3 WAL, sqlite3 default, Parvis, parse only)
#   BIG=1           run the ~1 GB memory test (0 to skip)
#   BIG_COPIES=13   copies of the corpus in the big input (13 x 78 MB ~ 1 GB)
#   BIG_TIMEOUT=1800  cap, in seconds, on the big import (reported honestly if hit)
#   KEEP_WORK=0     1 keeps the temp dir (databases, CSV, big mbox) for inspection
# Output: a table on stdout, bench/out/import_mbox.json, per-run files in bench/out/import_mbox/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CORPUS_DIR="${CORPUS_DIR:-/work/shared/data/corpus/r-sig-geo}"
ROUNDS="${ROUNDS:-3}"
BIG="${BIG:-1}"
BIG_COPIES="${BIG_COPIES:-13}"
BIG_TIMEOUT="${BIG_TIMEOUT:-1800}"
KEEP_WORK="${KEEP_WORK:-0}"
SPACE=forum-alliance
RUN_TIMEOUT=1800 # per timed process in the rounds (bounded, generous on a shared machine)
check_counts 50 ROUNDS="$ROUNDS" BIG_COPIES="$BIG_COPIES"
[[ "$BIG_TIMEOUT" =~ ^[0-9]+$ ]] || die "bad BIG_TIMEOUT: $BIG_TIMEOUT"

for t in python3 curl sqlite3; do command -v "$t" >/dev/null 2>&1 || die "$t is required"; done
shopt -s nullglob
CORPUS=("$CORPUS_DIR"/*.txt)
shopt -u nullglob
[ ${#CORPUS[@]} -gt 0 ] || die "no *.txt mbox files in $CORPUS_DIR"
HELP="$BENCH_DIR/import"
SAMPLE="$HELP/run_sampled.py"

MACHINE="$(machine_json)"
build_parvis

# The parser's `count` example, for the CSV and for the parse-only speed.
if [ -z "${COUNT_BIN:-}" ]; then
    export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO_DIR/target-bench}"
    COUNT_BIN="$CARGO_TARGET_DIR/release/examples/count"
    src="$REPO_DIR"
    case "$PARVIS_SOURCE" in HEAD*) src="/tmp/parvis-src-$(git -C "$REPO_DIR" rev-parse --short HEAD)" ;; esac
    log "building the parvis-import count example (release) from $src"
    if ! (cd "$src" && timeout 3600 cargo build --release -p parvis-import --example count --quiet); then
        rev="$(git -C "$REPO_DIR" rev-parse --short HEAD)"
        [ -d "/tmp/parvis-src-$rev" ] || { mkdir -p "/tmp/parvis-src-$rev" &&
            git -C "$REPO_DIR" archive HEAD | tar -x -C "/tmp/parvis-src-$rev"; }
        (cd "/tmp/parvis-src-$rev" && timeout 3600 cargo build --release -p parvis-import --example count --quiet) ||
            die "cannot build the count example"
    fi
fi
[ -x "$COUNT_BIN" ] || die "no count example at $COUNT_BIN"

bench_workspace import_mbox

# ---- CSV for sqlite3 (once, not timed) -------------------------------------------------
CSV="$WORK/messages.csv"
log "dumping ${#CORPUS[@]} mbox files with the parser and writing $CSV"
timeout 1800 "$COUNT_BIN" -d mbox "${CORPUS[@]}" | python3 "$HELP/records_to_csv.py" "$CSV" >"$LOGS/csv.json"
CSV_ROWS="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rows"])' "$LOGS/csv.json")"
[ "$CSV_ROWS" -gt 0 ] || die "the CSV is empty"
log "CSV: $CSV_ROWS rows, $(du -h "$CSV" | cut -f1) ($(cat "$LOGS/csv.json"))"

SCHEMA='CREATE TABLE messages(id TEXT PRIMARY KEY, thread TEXT, author TEXT, date TEXT, body TEXT);'
printf 'PRAGMA journal_mode=WAL;\nPRAGMA synchronous=NORMAL;\n%s\n.mode csv\n.import %s messages\n' \
    "$SCHEMA" "$CSV" >"$WORK/import-wal.sql"
printf '%s\n.mode csv\n.import %s messages\n' "$SCHEMA" "$CSV" >"$WORK/import-default.sql"

# sqlite_round MODE ROUND: .import into a fresh file, the whole sqlite3 process timed.
sqlite_round() {
    local mode="$1" r="$2" db="$WORK/sqlite-$1-$2.db" n
    rm -f "$db" "$db-wal" "$db-shm"
    python3 "$SAMPLE" "$LOGS/sqlite-$mode-$r.json" "$RUN_TIMEOUT" 0.2 -- \
        sqlite3 -batch -bail "$db" ".read $WORK/import-$mode.sql"
    n="$(sqlite3 "$db" 'SELECT count(*) FROM messages')"
    python3 - "$LOGS/sqlite-$mode-$r.json" "$n" "$(du -sbc "$db"* | tail -1 | cut -f1)" <<'EOF'
import json, sys
p, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
d = json.load(open(p)); d["rows"] = n; d["db_bytes"] = size
d["rate"] = n / d["wall_s"]; json.dump(d, open(p, "w"))
EOF
    log "  sqlite3 $mode: $n rows in $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["wall_s"])' "$LOGS/sqlite-$mode-$r.json") s"
    rm -f "$db" "$db-wal" "$db-shm"
}

# demo_store DB LOG: a fresh demo store (start `parvis demo`, wait for it, SIGTERM).
demo_store() {
    rm -f "$1" "$1-wal" "$1-shm"
    start_parvis "$2" demo --database-url "sqlite://$1"
    stop_pid "$PARVIS_PID"; PARVIS_PID=""
}

# parvis_import OUT.json TIMEOUT INTERVAL DB FILES...: the timed import.
parvis_import() {
    local out="$1" to="$2" iv="$3" db="$4"; shift 4
    python3 "$SAMPLE" "$out" "$to" "$iv" -- \
        "$PARVIS_BIN" import mbox "$@" --space "$SPACE" --database-url "sqlite://$db" --json
    python3 - "$out" "$db" <<'EOF'
import json, os, sqlite3, sys
p, db = sys.argv[1], sys.argv[2]
d = json.load(open(p))
summary = None
for line in d["stdout"].splitlines():
    if line.startswith("{"):
        try: summary = json.loads(line)
        except ValueError: pass
d["summary"] = summary
# committed rows (also right when the run was cut by the timeout: whole batches are kept)
c = sqlite3.connect(db, timeout=30)
d["email_messages_in_store"] = c.execute("SELECT count(*) FROM messages WHERE channel = 'email'").fetchone()[0]
d["members_in_store"] = c.execute("SELECT count(*) FROM members").fetchone()[0]
c.close()
d["db_bytes"] = sum(os.path.getsize(db + s) for s in ("", "-wal", "-shm") if os.path.exists(db + s))
n = summary["messages_created"] if summary else d["email_messages_in_store"]
d["messages"] = n
d["rate"] = n / d["wall_s"]
d["loadavg_after"] = os.getloadavg()[0]
json.dump(d, open(p, "w"))
EOF
}

# ---- interleaved rounds ----------------------------------------------------------------
for r in $(seq 1 "$ROUNDS"); do
    log "round $r/$ROUNDS (load $(cut -d' ' -f1 /proc/loadavg))"
    sqlite_round wal "$r"
    sqlite_round default "$r"
    db="$WORK/parvis-$r.db"
    demo_store "$db" "$LOGS/demo-$r.log"
    parvis_import "$LOGS/parvis-$r.json" "$RUN_TIMEOUT" 0.5 "$db" "${CORPUS[@]}"
    log "  parvis: $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["messages"], "messages in", d["wall_s"], "s, peak RSS", d["maxrss_kb"]//1024, "MB")' "$LOGS/parvis-$r.json")"
    rm -f "$db" "$db-wal" "$db-shm"
    # parse only: the parser alone over the same files, no store (pure parse speed)
    python3 "$SAMPLE" "$LOGS/parse-$r.json" "$RUN_TIMEOUT" 0.5 -- "$COUNT_BIN" mbox "${CORPUS[@]}"
done

# ---- memory on a ~1 GB input -----------------------------------------------------------
if [ "$BIG" = 1 ]; then
    log "writing $BIG_COPIES copies of the corpus with per-copy Message-IDs into $WORK/big"
    python3 "$HELP/make_big_mbox.py" "$WORK/big" "$BIG_COPIES" "${CORPUS[@]}" >"$LOGS/big-input.json"
    mapfile -t BIG_FILES < <(python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["files"]))' "$LOGS/big-input.json")
    log "big input: $(python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["bytes"]/1e6), "MB")' "$LOGS/big-input.json") in ${#BIG_FILES[@]} files; importing (cap ${BIG_TIMEOUT} s)"
    db="$WORK/parvis-big.db"
    demo_store "$db" "$LOGS/demo-big.log"
    parvis_import "$LOGS/parvis-big.json" "$BIG_TIMEOUT" 1 "$db" "${BIG_FILES[@]}"
    rm -rf "$WORK/big" "$db" "$db-wal" "$db-shm"
fi

# ---- results -----------------------------------------------------------------------------
python3 - "$LOGS" "$OUT_DIR/import_mbox.json" "$ROUNDS" "$BIG" "$MACHINE" "$PARVIS_SOURCE" \
    "${#CORPUS[@]}" "$CORPUS_DIR" <<'EOF'
import json, os, statistics, sys
logs, out, rounds, big, machine, source, nfiles, corpus = sys.argv[1:]
rounds = int(rounds)
load = lambda name: json.load(open(os.path.join(logs, name)))
med = statistics.median
res = {"machine": json.loads(machine), "parvis": source, "corpus": corpus, "corpus_files": int(nfiles),
       "csv": load("csv.json"), "rounds": rounds, "runs": {}}
rows = []
for kind in ("sqlite-wal", "sqlite-default", "parvis", "parse"):
    runs = [load(f"{kind}-{r}.json") for r in range(1, rounds + 1)]
    for d in runs:
        d.pop("stdout", None) if kind != "parse" else None
    if kind == "parse":
        for d in runs:
            n = int(d["stdout"].split("messages=")[1].split()[0])
            d["messages"] = n; d["rate"] = n / d["wall_s"]; d.pop("stdout")
    res["runs"][kind] = runs
    rates = [d["rate"] for d in runs]
    res[kind] = {"rate_median": med(rates), "rates": rates,
                 "wall_median_s": med(d["wall_s"] for d in runs),
                 "maxrss_kb_median": med(d["maxrss_kb"] for d in runs),
                 "maxrss_kb_max": max(d["maxrss_kb"] for d in runs),
                 "cpu_median_s": med(d["user_s"] + d["sys_s"] for d in runs)}
p, sw, sd = res["parvis"]["rate_median"], res["sqlite-wal"]["rate_median"], res["sqlite-default"]["rate_median"]
res["ratio_vs_wal"] = p / sw
res["ratio_vs_default"] = p / sd
res["goal_throughput"] = {"goal": ">= 0.5 x sqlite3 .import (WAL, synchronous=NORMAL)",
                          "ratio": p / sw, "pass": p / sw >= 0.5}
last = res["runs"]["parvis"][-1]
res["parvis_summary"] = last.get("summary")
if big == "1":
    b = load("parvis-big.json"); b.pop("stdout", None)
    b["input"] = load("big-input.json"); b["input"].pop("files", None)
    res["big"] = b
    res["goal_memory"] = {"goal": "peak RSS < 200 MB on a ~1 GB input",
                          "peak_rss_mb": b["maxrss_kb"] / 1024, "pass": b["maxrss_kb"] < 200 * 1024,
                          "completed": not b["timed_out"] and b["rc"] == 0}
json.dump(res, open(out, "w"), indent=1)

n = res["csv"]["rows"]
print(f"\nImport of {corpus} ({nfiles} files, {n} distinct messages), {rounds} interleaved rounds, medians")
print(f"{'target':<34}{'msgs/s':>10}{'wall s':>9}{'CPU s':>8}{'peak RSS':>10}{'vs Parvis':>10}")
for kind, label in (("sqlite-wal", "sqlite3 .import (WAL, sync=NORMAL)"),
                    ("sqlite-default", "sqlite3 .import (default journal)"),
                    ("parvis", "parvis import mbox"),
                    ("parse", "parser only (count example)")):
    k = res[kind]
    print(f"{label:<34}{k['rate_median']:>10,.0f}{k['wall_median_s']:>9.2f}{k['cpu_median_s']:>8.2f}"
          f"{k['maxrss_kb_max']/1024:>8.1f}MB{p / k['rate_median']:>10.3f}")
s = res["parvis_summary"] or {}
print(f"Parvis summary: created {s.get('messages_created')} messages, {s.get('threads_created')} threads, "
      f"{s.get('people_created')} people created, {s.get('people_matched')} matched, "
      f"{s.get('merges_proposed')} merges proposed, {s.get('skipped')} skipped")
g = res["goal_throughput"]
print(f"Goal Parvis >= 0.5 x sqlite3 (WAL): ratio {g['ratio']:.3f} -> {'PASS' if g['pass'] else 'FAIL'}"
      f"   (vs default journal: {res['ratio_vs_default']:.3f})")
if big == "1":
    b, g = res["big"], res["goal_memory"]
    state = "completed" if g["completed"] else ("CUT BY THE TIMEOUT" if b["timed_out"] else f"rc={b['rc']}")
    print(f"Big input ({b['input']['bytes']/1e6:.0f} MB of mbox): {b['messages']} messages in {b['wall_s']:.0f} s "
          f"({b['rate']:,.0f} msgs/s), {state}; peak RSS {g['peak_rss_mb']:.1f} MB -> {'PASS' if g['pass'] else 'FAIL'} (< 200 MB)")
print(f"results: {out}")
EOF
