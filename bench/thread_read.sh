#!/usr/bin/env bash
# Read throughput of the pages that read the store, at 64 connections with wrk on loopback,
# each against nginx serving the very same bytes as a static file in the same run:
#   thread  GET /api/v1/threads/{id}  (a thread of exactly 50 messages, as JSON)
#   space   GET /s/forum-alliance     (the space page, anonymous, HTML)
#   search  GET /api/v1/spaces/forum-alliance/search?q=renewal+partner  (JSON)
#   embed   GET /api/v1/embed/threads/{id}  (the embed's data endpoint, issue 14: the same
#           thread's JSON through the allowed-sites check; not in the default TARGETS)
#   fresh   GET /api/v1/threads/{id}?per_page=49  (a page size that is not kept in the store:
#           the thread read and written afresh on every request, as the first read after a
#           write is; not in the default TARGETS)
# Backends: SQLite, and PostgreSQL when 127.0.0.1:5432 answers. Parvis is measured with its
# thread cache on (the default) and off (--thread-cache false); the cache only serves
# `thread`. In both modes the space page is served from the copy kept for anonymous
# visitors once drawn (every request still reads the store's content version), and
# `search` reads the store.
# On PostgreSQL, with pgbench present, also the store's own ceiling: the uncached thread
# page's three queries (bench/thread_read_pg.sql) run by pgbench alone, reads per second, and
# the one query of a read that finds the page kept in the store (bench/thread_read_pg_kept.sql).
#
# Environment (all optional):
#   PARVIS_BIN   a parvis binary to use instead of building one
#   CARGO_TARGET_DIR  where to build (default: <repo>/target-bench)
#   BACKENDS     "sqlite postgres" (default; postgres is skipped when unreachable)
#   CACHE_MODES  "on off" (default)
#   TARGETS      "thread space search" (default)
#   ROUNDS=3 DURATION=10 WARMUP=3 CONNECTIONS=64 THREADS=2
# Output: a table on stdout, bench/out/thread_read.json, logs in bench/out/thread_read/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BACKENDS="${BACKENDS:-sqlite postgres}"
CACHE_MODES="${CACHE_MODES:-on off}"
TARGETS="${TARGETS:-thread space search}"
for t in $TARGETS; do case "$t" in thread|space|search|embed|fresh) ;; *) die "unknown target $t" ;; esac; done
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-3}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
check_counts 600 ROUNDS="$ROUNDS" DURATION="$DURATION" WARMUP="$WARMUP" \
    CONNECTIONS="$CONNECTIONS" THREADS="$THREADS"

ensure_tools
build_parvis

bench_workspace thread_read

RESULTS="$WORK/results.jsonl"   # one line per wrk run
: >"$RESULTS"

# ---- the 50-message thread -------------------------------------------------------------
# Signs in as the demo admin, makes an API token, creates 1 thread + 49 replies with
# Markdown bodies of 200-800 characters (fixed seed), prints the thread id.
make_thread() {
    python3 - "$1" <<'EOF'
import json, random, sys, urllib.request
base = sys.argv[1]
assert base.startswith("http://127.0.0.1:"), base
def call(method, path, body=None, headers=None, opener=urllib.request.urlopen):
    req = urllib.request.Request(base + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json", **(headers or {})})
    with opener(req, timeout=30) as r:
        return json.loads(r.read() or b"null")
import http.cookiejar
jar = http.cookiejar.CookieJar()
op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)).open
signed = call("POST", "/api/v1/auth/password",
              {"email": "admin@novea.example", "password": "parvis-demo-2026"}, opener=op)
tok = call("POST", "/api/v1/me/tokens", {"name": "bench"},
           {"X-CSRF-Token": signed["csrf_token"]}, opener=op)["secret"]
auth = {"Authorization": "Bearer " + tok}

rnd = random.Random(2026)
words = ("the partner portal onboarding renewal invoice latency migration roadmap customer "
         "feedback release contract support ticket dashboard export sync webhook schedule "
         "pricing region quota integration team quarter review proposal budget rollout "
         "feature request workaround escalation meeting notes trust community answer").split()
def sentence(n):
    w = [rnd.choice(words) for _ in range(n)]
    return " ".join(w).capitalize() + rnd.choice([".", ".", ".", "?", "!"])
def body():
    target = rnd.randint(200, 800)
    parts = []
    while sum(len(p) + 2 for p in parts) < target - 60:
        kind = rnd.random()
        if kind < 0.55:
            para = " ".join(sentence(rnd.randint(6, 14)) for _ in range(rnd.randint(1, 3)))
            if rnd.random() < 0.4:
                w = rnd.choice(words); para = para.replace(w, f"**{w}**", 1)
            if rnd.random() < 0.2:
                para += " See [the notes](https://docs.example.org/" + rnd.choice(words) + ")."
            parts.append(para)
        elif kind < 0.75:
            parts.append("\n".join("- " + sentence(rnd.randint(3, 7)) for _ in range(rnd.randint(2, 4))))
        elif kind < 0.85:
            parts.append("> " + sentence(rnd.randint(6, 12)))
        else:
            parts.append("```\n" + rnd.choice(words) + " --" + rnd.choice(words) + " = 42\n```")
    text = "\n\n".join(parts)
    if len(text) > 800:
        text = text[:800].rsplit(" ", 1)[0]
    while len(text) < 200:
        text += " " + sentence(8)
    return text[:800]

t = call("POST", "/api/v1/spaces/forum-alliance/threads",
         {"title": "Benchmark: renewal process for partner contracts", "body": body()}, auth)
tid = t["id"]
for i in range(49):
    call("POST", f"/api/v1/threads/{tid}/messages", {"body": body()}, auth)
got = call("GET", f"/api/v1/threads/{tid}")
assert len(got["messages"]["items"]) == 50, got["messages"].get("total")
print(tid)
EOF
}

check_thread_json() {  # FILE: valid JSON with a thread and exactly 50 messages
    python3 - "$1" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1], "rb"))
items = d["messages"]["items"]
assert "thread" in d and len(items) == 50 and d["messages"]["total"] == 50, "expected 50 messages"
print(f"{len(items)} messages")
EOF
}

# ---- nginx -----------------------------------------------------------------------------
start_nginx() {  # DIR (thread.json, space.html, search.json) ; sets NGINX_URL (base), NGINX_PID
    local files="$1" port ndir="$WORK/nginx"
    rm -rf "$ndir"; mkdir -p "$ndir/www" "$ndir/tmp"
    cp "$files"/* "$ndir/www/"
    # nginx workers drop to an unprivileged user when started as root: let them read them.
    chmod 755 "$WORK" "$ndir" "$ndir/www"; chmod 644 "$ndir/www/"*
    port="$(free_port)"
    cat >"$ndir/nginx.conf" <<EOF
worker_processes auto;
pid $ndir/nginx.pid;
error_log $ndir/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    open_file_cache max=16 inactive=60s;
    open_file_cache_valid 60s;
    client_body_temp_path $ndir/tmp/body;
    proxy_temp_path $ndir/tmp/proxy;
    fastcgi_temp_path $ndir/tmp/fastcgi;
    uwsgi_temp_path $ndir/tmp/uwsgi;
    scgi_temp_path $ndir/tmp/scgi;
    server {
        listen 127.0.0.1:$port;
        root $ndir/www;
        types { }
        default_type application/json;
        location = /space.html { default_type "text/html; charset=utf-8"; }
    }
}
EOF
    "$NGINX_BIN" -p "$ndir" -c "$ndir/nginx.conf" -g 'daemon off;' >"$LOGS/nginx.out" 2>&1 &
    NGINX_PID=$!
    NGINX_URL="http://127.0.0.1:$port"
    local i
    for i in $(seq 1 50); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$NGINX_URL/thread.json")" = 200 ] && return 0
        sleep 0.1
    done
    tail -5 "$ndir/error.log" >&2 || true
    die "nginx did not start"
}

# The file nginx serves for a target, and Parvis's path for it.
nginx_file() { case "$1" in thread) echo thread.json ;; space) echo space.html ;; search) echo search.json ;; embed) echo embed.json ;; fresh) echo fresh.json ;; esac; }
parvis_path() {
    case "$1" in
        thread) echo "/api/v1/threads/$TID" ;;
        embed) echo "/api/v1/embed/threads/$TID" ;;
        fresh) echo "/api/v1/threads/$TID?per_page=49" ;;
        space) echo "/s/forum-alliance" ;;
        search) echo "/api/v1/spaces/forum-alliance/search?q=renewal+partner" ;;
    esac
}

# ---- wrk -------------------------------------------------------------------------------
# run_wrk LABEL URL BACKEND MODE TARGET ROUND PAGE : warm-up, then the measured run; appends JSON.
run_wrk() {
    local label="$1" url="$2" backend="$3" mode="$4" target="$5" round="$6" page="${7:-thread}"
    local out="$LOGS/$label.txt" server_pid cpu_before cpu_after
    server_pid="$PARVIS_PID"; [ "$target" = nginx ] && server_pid="$NGINX_PID"
    timeout $((WARMUP + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "$url" >/dev/null 2>&1 || true
    cpu_before="$(cpu_ticks "$server_pid")"
    timeout $((DURATION + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$url" >"$out" 2>&1 \
        || die "wrk failed for $label (see $out)"
    cpu_after="$(cpu_ticks "$server_pid")"
    python3 - "$out" "$backend" "$mode" "$target" "$round" "$page" "$((cpu_after - cpu_before))" \
        "$(getconf CLK_TCK)" >>"$RESULTS" <<'EOF'
import json, re, sys
path, backend, mode, target, rnd, page, ticks, hz = sys.argv[1:]
text = open(path).read()
def ms(v):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", v)
    n, u = float(m.group(1)), m.group(2)
    return n * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[u]
lat = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", text, re.M))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
total = int(re.search(r"(\d+) requests in", text).group(1))
non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
sock = re.search(r"Socket errors: (.*)", text)
print(json.dumps({"backend": backend, "mode": mode, "target": target, "page": page, "round": int(rnd),
                  "rps": rps, "requests": total,
                  "cpu_us_per_request": round(int(ticks) / int(hz) * 1e6 / total, 1) if total else None,
                  "p50_ms": ms(lat["50"]), "p75_ms": ms(lat["75"]), "p90_ms": ms(lat["90"]),
                  "p99_ms": ms(lat["99"]),
                  "non_2xx": int(non2xx.group(1)) if non2xx else 0,
                  "socket_errors": sock.group(1).strip() if sock else ""}))
EOF
    log "  $label: $(tail -1 "$RESULTS" | python3 -c 'import json,sys; r=json.load(sys.stdin); print("%.0f req/s  p50 %.2f ms  p99 %.2f ms  non-2xx %d" % (r["rps"], r["p50_ms"], r["p99_ms"], r["non_2xx"]))')"
}

# Parvis serves the same bytes as nginx? (compares bodies and content types). The space page
# carries a fresh CSRF token per anonymous visitor: 64-hex-digit tokens are masked first
# (same length, everything else identical).
same_bytes() {  # PARVIS_URL NGINX_URL LABEL
    local a="$WORK/check-parvis" b="$WORK/check-nginx" cta ctb
    cta="$(curl -s --max-time 10 -o "$a" -w '%{content_type}' "$1")"
    ctb="$(curl -s --max-time 10 -o "$b" -w '%{content_type}' "$2")"
    if [ "$cta" = "$ctb" ] && python3 -c '
import re, sys
a, b = (re.sub(rb"[0-9a-f]{64}", b"T" * 64, open(p, "rb").read()) for p in sys.argv[1:])
sys.exit(0 if a == b else 1)' "$a" "$b"; then
        log "  $3: identical bytes ($(stat -c %s "$a") B, $cta)"; echo true
    else
        log "  $3: MISMATCH (parvis $(stat -c %s "$a") B $cta, nginx $(stat -c %s "$b") B $ctb)"; echo false
    fi
}

SAME="$WORK/same.jsonl"; : >"$SAME"
bench_backend() {  # BACKEND DATABASE_URL
    local backend="$1" db="$2" mode r url nurl page files="$WORK/files-$1"
    log "== $backend: loading the demo and creating a 50-message thread"
    start_parvis "$LOGS/parvis-$backend-demo.log" demo --database-url "$db"
    SERVED_MODE=on
    TID="$(make_thread "$PARVIS_URL")" || die "could not create the thread on $backend"
    url="$PARVIS_URL/api/v1/threads/$TID"
    curl -s --max-time 10 -o "$WORK/thread-$backend.json" "$url"
    check_thread_json "$WORK/thread-$backend.json" >/dev/null
    cp "$WORK/thread-$backend.json" "$OUT_DIR/thread_read-$backend.json"
    log "   thread $TID: $(stat -c %s "$WORK/thread-$backend.json") bytes"
    # The search index follows the store in the background: wait until it has the new thread.
    for r in $(seq 1 100); do
        curl -s --max-time 10 "$PARVIS_URL$(parvis_path search)" | grep -q "\"thread_id\":$TID" && break
        sleep 0.2
    done
    rm -rf "$files"; mkdir -p "$files"
    for page in thread space search embed fresh; do
        curl -s --max-time 10 -o "$files/$(nginx_file "$page")" "$PARVIS_URL$(parvis_path "$page")"
        log "   $page: $(stat -c %s "$files/$(nginx_file "$page")") bytes"
    done
    start_nginx "$files"
    for mode in $CACHE_MODES; do
        # A server per mode, whatever their order (the demo's server runs with the cache on).
        if [ "$mode" = off ] || [ -z "$PARVIS_PID" ] || [ "$SERVED_MODE" != "$mode" ]; then
            SERVED_MODE="$mode"
            stop_pid "$PARVIS_PID"; PARVIS_PID=""
            local flag=true; [ "$mode" = off ] && flag=false
            start_parvis "$LOGS/parvis-$backend-$mode.log" serve --database-url "$db" --thread-cache "$flag"
            log "   the server was idle after $(wait_idle "$PARVIS_PID") (start-up work is not measured)"
        fi
        for page in $TARGETS; do
            url="$PARVIS_URL$(parvis_path "$page")"
            nurl="$NGINX_URL/$(nginx_file "$page")"
            log "-- $backend, thread cache $mode, $page: $ROUNDS rounds of ${WARMUP}s warm-up + ${DURATION}s, -c$CONNECTIONS -t$THREADS"
            printf '{"backend":"%s","mode":"%s","page":"%s","before":%s,' "$backend" "$mode" "$page" \
                "$(same_bytes "$url" "$nurl" "$backend/$mode/$page before")" >>"$SAME"
            for r in $(seq 1 "$ROUNDS"); do
                run_wrk "$backend-$mode-$page-nginx-$r" "$nurl" "$backend" "$mode" nginx "$r" "$page"
                run_wrk "$backend-$mode-$page-parvis-$r" "$url" "$backend" "$mode" parvis "$r" "$page"
            done
            printf '"after":%s}\n' "$(same_bytes "$url" "$nurl" "$backend/$mode/$page after")" >>"$SAME"
        done
        if [ "$mode" = on ]; then
            # Framework ceiling: /healthz (routing + a store ping + a tiny JSON), one run.
            run_wrk "$backend-$mode-healthz" "$PARVIS_URL/healthz" "$backend" "$mode" healthz 1 healthz
        fi
    done
    stop_pid "$PARVIS_PID"; PARVIS_PID=""
    stop_pid "$NGINX_PID"; NGINX_PID=""
    if [ "$backend" = postgres ] && command -v pgbench >/dev/null 2>&1; then
        # The store's own ceiling: the uncached thread page's three queries run by pgbench
        # (prepared, 8 clients as Parvis's read pool), Parvis stopped.
        local schema out="$LOGS/postgres-pgbench.txt"
        schema="$(printf '%s' "$db" | sed 's/.*search_path%3D//')"
        PGOPTIONS="-c search_path=$schema" timeout $((DURATION + 60)) pgbench -h 127.0.0.1 -p 5432 \
            -U postgres -n -M prepared -c 8 -j 2 -T "$DURATION" -D tid="$TID" \
            -f "$BENCH_DIR/thread_read_pg.sql" test >"$out" 2>&1 || log "pgbench failed (see $out)"
        PG_CEILING="$(awk '/^tps/ { print int($3) }' "$out")"
        log "  postgres alone (pgbench, the thread page's 3 queries): ${PG_CEILING:-?} reads/s"
        # And the one query of a read that finds the page kept (kept by the reads above).
        out="$LOGS/postgres-pgbench-kept.txt"
        PGOPTIONS="-c search_path=$schema" timeout $((DURATION + 60)) pgbench -h 127.0.0.1 -p 5432 \
            -U postgres -n -M prepared -c 8 -j 2 -T "$DURATION" -D tid="$TID" \
            -f "$BENCH_DIR/thread_read_pg_kept.sql" test >"$out" 2>&1 || log "pgbench failed (see $out)"
        PG_KEPT_CEILING="$(awk '/^tps/ { print int($3) }' "$out")"
        log "  postgres alone (pgbench, the kept page's one query): ${PG_KEPT_CEILING:-?} reads/s"
    fi
}
PG_CEILING=""
PG_KEPT_CEILING=""

MACHINE="$(machine_json)"
for backend in $BACKENDS; do
    case "$backend" in
        sqlite)
            bench_backend sqlite "sqlite://$WORK/bench.db" ;;
        postgres)
            if pg_reachable; then
                PG_SCHEMA="bench_thread_$(date +%s)_$$"
                bench_backend postgres "$(pg_fresh_schema "$PG_SCHEMA")"
                pg_drop_schema "$PG_SCHEMA"; PG_SCHEMA=""
            else
                log "PostgreSQL at 127.0.0.1:5432 is not reachable: skipping"
            fi ;;
        *) die "unknown backend $backend" ;;
    esac
done

# ---- summary ---------------------------------------------------------------------------
PG_CEILING="$PG_CEILING" PG_KEPT_CEILING="$PG_KEPT_CEILING" python3 - "$RESULTS" "$SAME" "$OUT_DIR/thread_read.json" "$MACHINE" \
    "$ROUNDS" "$DURATION" "$WARMUP" "$CONNECTIONS" "$THREADS" "$PARVIS_BIN" "$PARVIS_SOURCE" <<'EOF'
import json, statistics, sys, os
res_path, same_path, out_path, machine, rounds, dur, warm, conns, thr, binary, source = sys.argv[1:]
runs = [json.loads(l) for l in open(res_path) if l.strip()]
same = [json.loads(l) for l in open(same_path) if l.strip()]
med = lambda xs: statistics.median(xs) if xs else None
groups = {}
for r in runs:
    groups.setdefault((r["backend"], r["mode"], r.get("page", "thread"), r["target"]), []).append(r)
summary = []
for (b, m, pg, t), rs in groups.items():
    summary.append({"backend": b, "mode": m, "page": pg, "target": t, "runs": len(rs),
                    "median_rps": med([r["rps"] for r in rs]),
                    "median_p50_ms": med([r["p50_ms"] for r in rs]),
                    "median_p99_ms": med([r["p99_ms"] for r in rs]),
                    "median_cpu_us": med([r["cpu_us_per_request"] for r in rs
                                          if r.get("cpu_us_per_request") is not None]),
                    "non_2xx": sum(r["non_2xx"] for r in rs)})
def find(b, m, pg, t):
    return next((s for s in summary if (s["backend"], s["mode"], s["page"], s["target"]) == (b, m, pg, t)), None)
# Goals (issue 10): with the thread cache on, the thread JSON at >= 0.9x nginx; the thread
# JSON with the cache off and the space page >= 0.25x on SQLite and >= 0.15x on PostgreSQL
# (the issue's goal names these two). Search is measured for information: this script held
# it to the same bar until 2026-12-08, and it stays far below it (0.04-0.07x, BENCHMARKS.md);
# its own goal is issue 4's, p99 against SQLite FTS5 (bench/search/).
# The embed's data endpoint (issue 14): >= 0.5x with the cache on, >= 0.25x off.
def goal(b, m, pg):
    if pg in ("fresh", "search"):
        return None  # for information (fresh: what a read after each write costs)
    if pg == "embed":
        return 0.5 if m == "on" else 0.25
    if pg == "thread" and m == "on":
        return 0.9
    return 0.25 if b == "sqlite" else 0.15
order = {"thread": 0, "space": 1, "search": 2, "embed": 3, "fresh": 4}
comparisons = []
keys = sorted({(s["backend"], s["mode"], s["page"]) for s in summary if s["target"] != "healthz"},
              key=lambda k: (k[0] != "sqlite", order.get(k[2], 9), k[1] != "on"))
for b, m, pg in keys:
    p, n = find(b, m, pg, "parvis"), find(b, m, pg, "nginx")
    if not (p and n):
        continue
    ratio = p["median_rps"] / n["median_rps"]
    g = goal(b, m, pg)
    sb = next((x for x in same if x["backend"] == b and x["mode"] == m and x.get("page", "thread") == pg), {})
    comparisons.append({"backend": b, "thread_cache": m, "page": pg, "parvis": p, "nginx": n,
                        "ratio": round(ratio, 3), "goal": g,
                        "pass": None if g is None else (ratio >= g and p["non_2xx"] == 0),
                        "same_bytes": bool(sb.get("before")) and bool(sb.get("after"))})
doc = {"benchmark": "thread_read", "machine": json.loads(machine),
       "settings": {"rounds": int(rounds), "duration_s": int(dur), "warmup_s": int(warm),
                    "connections": int(conns), "wrk_threads": int(thr), "binary": binary, "source": source,
                    "message_count": 50},
       "comparisons": comparisons, "summary": summary, "runs": runs}
json.dump(doc, open(out_path, "w"), indent=2)

print()
print(f"Pages that read the store, wrk -c{conns} -t{thr}, {rounds} x {dur}s (median); machine: "
      f"{doc['machine']['nproc']} x {doc['machine']['cpu']}")
cpu = lambda s: f"{s['median_cpu_us']:7.0f}" if s.get("median_cpu_us") is not None else f"{'?':>7}"
hdr = f"{'backend':9} {'page':7} {'cache':5} {'target':7} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'cpu µs':>7}  {'ratio':>6}  {'goal':>5}        same-bytes"
print(hdr); print("-" * len(hdr))
for c in comparisons:
    for t in ("nginx", "parvis"):
        s = c[t]
        verdict = ("(info)" if c["pass"] is None else ("PASS" if c["pass"] else "FAIL"))
        wanted = f">={c['goal']:<4}" if c["goal"] is not None else f"{'—':6}"
        tail = (f"  {c['ratio']:6.3f}  {wanted} {verdict:6}  {c['same_bytes']}"
                if t == "parvis" else "")
        print(f"{c['backend']:9} {c['page']:7} {c['thread_cache']:5} {t:7} {s['median_rps']:9.0f} {s['median_p50_ms']:8.2f} {s['median_p99_ms']:8.2f} {cpu(s)}{tail}")
for s in summary:
    if s["target"] == "healthz":
        print(f"{s['backend']:9} {'healthz':7} {s['mode']:5} {'parvis':7} {s['median_rps']:9.0f} {s['median_p50_ms']:8.2f} {s['median_p99_ms']:8.2f} {cpu(s)}  (framework + store ping ceiling)")
print("cpu µs: the server's CPU time (user + system, all its threads; nginx's workers) per request, median")
if os.environ.get("PG_CEILING"):
    print(f"postgres alone (pgbench -c8, the uncached thread page's three queries): "
          f"{int(os.environ['PG_CEILING'])} reads/s (Parvis stopped)")
if os.environ.get("PG_KEPT_CEILING"):
    print(f"postgres alone (pgbench -c8, the kept page's one query): "
          f"{int(os.environ['PG_KEPT_CEILING'])} reads/s (Parvis stopped)")
print(f"binary: {binary} ({source})")
print(f"written: {out_path}")
EOF
