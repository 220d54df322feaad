#!/usr/bin/env bash
# (a) Memory at rest: RSS of `parvis demo` on a fresh SQLite file after a few pages and API
#     calls, 2 s later (VmRSS from /proc/PID/status). Goal: under 60 MB.
# (b) Start-up: wall time from exec to the first 200 on /healthz, the demo store already
#     created (a restart). Median of 11 runs. Goal: under 300 ms.
#
# Environment (all optional):
#   PARVIS_BIN, CARGO_TARGET_DIR  as in thread_read.sh
#   RSS_RUNS=3        fresh stores measured for (a) (median reported)
#   START_RUNS=11     restarts measured for (b)
#   START_PG=1        also time `serve` on PostgreSQL when reachable (0 to skip)
# Output: a table on stdout, bench/out/startup_memory.json, logs in bench/out/startup_memory/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RSS_RUNS="${RSS_RUNS:-3}"
START_RUNS="${START_RUNS:-11}"
START_PG="${START_PG:-1}"
check_counts 101 RSS_RUNS="$RSS_RUNS" START_RUNS="$START_RUNS"

for t in python3 curl; do command -v "$t" >/dev/null 2>&1 || die "$t is required"; done
build_parvis

bench_workspace startup_memory

# ---- (a) RSS at rest --------------------------------------------------------------------
RSS="$WORK/rss.jsonl"; : >"$RSS"
for i in $(seq 1 "$RSS_RUNS"); do
    log "RSS run $i/$RSS_RUNS: parvis demo on a fresh SQLite file"
    start_parvis "$LOGS/rss-$i.log" demo --database-url "sqlite://$WORK/rss-$i.db"
    tid="$(curl -s --max-time 10 "$PARVIS_URL/api/v1/spaces/forum-alliance/threads" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')"
    codes=""
    for path in / /s/forum-alliance "/threads/$tid" /members /api/v1/spaces \
        /api/v1/spaces/forum-alliance/threads "/api/v1/threads/$tid" /api/v1/members \
        /api/openapi.json /healthz; do
        codes+="$path=$(curl -s -o /dev/null --max-time 10 -w '%{http_code}' "$PARVIS_URL$path") "
    done
    log "  $codes"
    sleep 2
    python3 - "$PARVIS_PID" "$i" "$codes" >>"$RSS" <<'EOF'
import json, sys
pid, run, codes = sys.argv[1:]
st = {}
for line in open(f"/proc/{pid}/status"):
    k, _, v = line.partition(":")
    if k in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "Threads", "VmSize"):
        st[k] = v.strip()
kb = lambda k: int(st[k].split()[0])
print(json.dumps({"run": int(run), "rss_mb": kb("VmRSS") / 1024, "peak_rss_mb": kb("VmHWM") / 1024,
                  "anon_mb": kb("RssAnon") / 1024, "file_mb": kb("RssFile") / 1024,
                  "threads": int(st["Threads"]), "virt_mb": kb("VmSize") / 1024,
                  "responses": codes.strip()}))
EOF
    log "  $(tail -1 "$RSS")"
    stop_pid "$PARVIS_PID"; PARVIS_PID=""
done

# ---- (b) exec to first 200 on /healthz ---------------------------------------------------
# Python spawns the binary and polls with raw socket connects + a minimal HTTP request,
# 1 ms apart, for at most 10 s; TERM then at most 5 s before KILL.
time_starts() {  # LABEL RUNS ARGS...
    local label="$1" runs="$2"; shift 2
    python3 - "$label" "$runs" "$LOGS" "$PARVIS_BIN" "$@" <<'EOF'
import json, os, signal, socket, subprocess, sys, time
label, runs, logs, binary, *args = sys.argv[1:]
def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p
def healthz(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False
times, stops = [], []
for i in range(int(runs)):
    port = free_port()
    with open(os.path.join(logs, f"start-{label}-{i + 1}.log"), "wb") as out:
        t0 = time.perf_counter()
        p = subprocess.Popen([binary, *args, "--host", "127.0.0.1", "--port", str(port)],
                             stdout=out, stderr=subprocess.STDOUT)
        ok = False
        while time.perf_counter() - t0 < 10:
            if healthz(port):
                ok = True
                break
            if p.poll() is not None:
                break
            time.sleep(0.001)
        t1 = time.perf_counter()
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill(); p.wait()
        stops.append((time.perf_counter() - t1) * 1000)
    if not ok:
        sys.exit(f"{label}: run {i + 1}: no 200 on /healthz within 10 s (exit {p.returncode})")
    times.append((t1 - t0) * 1000)
    time.sleep(0.2)
print(json.dumps({"label": label, "args": args, "runs_ms": [round(t, 1) for t in times],
                  "shutdown_ms": [round(t, 1) for t in stops]}))
EOF
}

STARTS="$WORK/starts.jsonl"; : >"$STARTS"
DEMO_DB="sqlite://$WORK/start.db"
log "creating the demo store for the restart timings"
start_parvis "$LOGS/start-create.log" demo --database-url "$DEMO_DB"
stop_pid "$PARVIS_PID"; PARVIS_PID=""
log "timing $START_RUNS restarts of parvis demo (SQLite)"
time_starts sqlite-demo "$START_RUNS" demo --database-url "$DEMO_DB" >>"$STARTS"
log "timing $START_RUNS restarts of parvis serve (SQLite)"
time_starts sqlite-serve "$START_RUNS" serve --database-url "$DEMO_DB" >>"$STARTS"
if [ "$START_PG" = 1 ] && pg_reachable; then
    PG_SCHEMA="bench_start_$(date +%s)_$$"
    PG_URL="$(pg_fresh_schema "$PG_SCHEMA")"
    start_parvis "$LOGS/start-create-pg.log" demo --database-url "$PG_URL"
    stop_pid "$PARVIS_PID"; PARVIS_PID=""
    log "timing $START_RUNS restarts of parvis demo (PostgreSQL)"
    time_starts postgres-demo "$START_RUNS" demo --database-url "$PG_URL" >>"$STARTS"
    log "timing $START_RUNS restarts of parvis serve (PostgreSQL)"
    time_starts postgres-serve "$START_RUNS" serve --database-url "$PG_URL" >>"$STARTS"
    pg_drop_schema "$PG_SCHEMA"; PG_SCHEMA=""
fi

# ---- summary ---------------------------------------------------------------------------
python3 - "$RSS" "$STARTS" "$OUT_DIR/startup_memory.json" "$(machine_json)" "$PARVIS_BIN" "$PARVIS_SOURCE" <<'EOF'
import json, statistics, sys
rss_path, starts_path, out_path, machine, binary, source = sys.argv[1:]
rss = [json.loads(l) for l in open(rss_path) if l.strip()]
starts = [json.loads(l) for l in open(starts_path) if l.strip()]
med = statistics.median
rss_med = med([r["rss_mb"] for r in rss])
doc = {"benchmark": "startup_memory", "machine": json.loads(machine), "binary": binary, "source": source,
       "rss": {"runs": rss, "median_rss_mb": round(rss_med, 1),
               "median_peak_rss_mb": round(med([r["peak_rss_mb"] for r in rss]), 1),
               "goal_mb": 60, "pass": rss_med < 60},
       "startup": []}
for s in starts:
    m = med(s["runs_ms"])
    doc["startup"].append({**s, "median_ms": round(m, 1), "min_ms": min(s["runs_ms"]),
                           "median_shutdown_ms": round(med(s["shutdown_ms"]), 1),
                           "max_ms": max(s["runs_ms"]), "goal_ms": 300, "pass": m < 300})
json.dump(doc, open(out_path, "w"), indent=2)
print()
print(f"Machine: {doc['machine']['nproc']} x {doc['machine']['cpu']}, {doc['machine']['ram_gb']} GB")
print(f"RSS at rest, parvis demo on fresh SQLite ({len(rss)} runs): median {rss_med:.1f} MB "
      f"(peak {doc['rss']['median_peak_rss_mb']:.1f} MB, threads {rss[0]['threads']})  goal < 60 MB: "
      f"{'PASS' if doc['rss']['pass'] else 'FAIL'}")
for s in doc["startup"]:
    print(f"exec -> first 200 on /healthz, {s['label']:15} ({len(s['runs_ms'])} runs): median {s['median_ms']:6.1f} ms "
          f"(min {s['min_ms']:.1f}, max {s['max_ms']:.1f}; TERM->exit {s['median_shutdown_ms']:.0f} ms)  goal < 300 ms: {'PASS' if s['pass'] else 'FAIL'}")
print(f"binary: {binary} ({source})")
print(f"written: {out_path}")
EOF
