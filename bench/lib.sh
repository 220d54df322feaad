# Shared helpers for the Parvis benchmarks. Source it; do not run it.
# Everything here talks to 127.0.0.1 only, and every wait is bounded.

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
OUT_DIR="$BENCH_DIR/out"
mkdir -p "$OUT_DIR"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# A scratch folder ($WORK, kept when KEEP_WORK=1) and a fresh log folder ($LOGS, under
# bench/out/NAME). On exit, whatever way the script ends, the Parvis and nginx servers it
# started ($PARVIS_PID, $NGINX_PID) are stopped, its PostgreSQL schema ($PG_SCHEMA) dropped and
# the scratch folder removed.
bench_workspace() {  # NAME
    WORK="$(mktemp -d "/tmp/parvis-bench-$1.XXXXXX")"
    LOGS="$OUT_DIR/$1"
    rm -rf "$LOGS"; mkdir -p "$LOGS"
    PARVIS_PID=""; NGINX_PID=""; PG_SCHEMA=""
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
}
bench_cleanup() {
    stop_pid "$PARVIS_PID"; stop_pid "$NGINX_PID"
    [ -n "$PG_SCHEMA" ] && pg_drop_schema "$PG_SCHEMA"
    if [ "${KEEP_WORK:-0}" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}

# Check numeric settings given as NAME=VALUE: each a whole number from 1 to MAX, else stop
# and say which setting is wrong and what it holds. Usage: check_counts MAX ROUNDS="$ROUNDS" …
check_counts() {
    local max="$1" pair name value; shift
    for pair in "$@"; do
        name="${pair%%=*}"; value="${pair#*=}"
        [[ "$value" =~ ^[0-9]+$ ]] && [ "$value" -ge 1 ] && [ "$value" -le "$max" ] \
            || die "$name must be a whole number from 1 to $max, not \"$value\""
    done
}

# Install nginx and wrk from Debian when missing (needs root).
ensure_tools() {
    local missing=()
    [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx-light)
    command -v wrk >/dev/null 2>&1 || missing+=(wrk)
    if [ ${#missing[@]} -gt 0 ]; then
        [ "$(id -u)" = 0 ] || die "missing ${missing[*]}; run as root or install them"
        log "installing ${missing[*]}"
        apt-get update >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >/dev/null
    fi
    for t in python3 curl; do command -v "$t" >/dev/null 2>&1 || die "$t is required"; done
    NGINX_BIN="$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)"
}

# Build (or take) the release binary; sets PARVIS_BIN and PARVIS_SOURCE.
# PARVIS_SRC=worktree (default) builds the working tree and, if it does not compile (other
# people are editing it), falls back to a snapshot of HEAD (git archive, in /tmp);
# PARVIS_SRC=head always builds that snapshot.
build_parvis() {
    local rev dirty
    rev="$(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    if [ -n "${PARVIS_BIN:-}" ]; then
        [ -x "$PARVIS_BIN" ] || die "PARVIS_BIN=$PARVIS_BIN is not executable"
        log "using PARVIS_BIN=$PARVIS_BIN"
        PARVIS_SOURCE="given binary $PARVIS_BIN"
        return
    fi
    export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO_DIR/target-bench}"
    PARVIS_BIN="$CARGO_TARGET_DIR/release/parvis"
    if [ "${PARVIS_SRC:-worktree}" != head ]; then
        dirty=""; git -C "$REPO_DIR" diff --quiet HEAD -- crates Cargo.toml Cargo.lock 2>/dev/null || dirty=" + uncommitted changes"
        log "building parvis (release, working tree at $rev$dirty) into $CARGO_TARGET_DIR"
        if (cd "$REPO_DIR" && timeout 3600 cargo build --release -p parvis --quiet); then
            PARVIS_SOURCE="working tree at $rev$dirty"
            return
        fi
        [ "${PARVIS_SRC:-worktree}" = worktree-only ] && die "cargo build failed"
        log "the working tree does not compile; building a snapshot of HEAD ($rev) instead"
    fi
    local src="/tmp/parvis-src-$rev"
    if [ ! -f "$src/.bench-snapshot" ]; then
        rm -rf "$src"; mkdir -p "$src"
        git -C "$REPO_DIR" archive HEAD | tar -x -C "$src" || die "git archive failed"
        touch "$src/.bench-snapshot"
    fi
    log "building parvis (release, HEAD $rev snapshot in $src) into $CARGO_TARGET_DIR"
    (cd "$src" && timeout 3600 cargo build --release -p parvis --quiet) || die "cargo build of HEAD failed"
    PARVIS_SOURCE="HEAD $rev (committed code only)"
    [ -x "$PARVIS_BIN" ] || die "no binary at $PARVIS_BIN"
}

# A free TCP port on 127.0.0.1.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Stop a process we started: TERM, wait up to 5 s, then KILL.
stop_pid() {
    local pid="$1" i
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
        sleep 0.1
    done
    log "pid $pid did not stop after TERM; killing"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# start_parvis LOGFILE ARGS... : runs "$PARVIS_BIN ARGS --host 127.0.0.1 --port 0" in the
# background, waits (max 120 s: the demo load can be slow on a busy machine) for its
# "is running at" line and a 200 on /healthz. Sets PARVIS_PID and PARVIS_URL.
start_parvis() {
    local logfile="$1"; shift
    "$PARVIS_BIN" "$@" --host 127.0.0.1 --port 0 >"$logfile" 2>&1 &
    PARVIS_PID=$!
    PARVIS_URL=""
    local i
    for i in $(seq 1 1200); do
        if ! kill -0 "$PARVIS_PID" 2>/dev/null; then
            cat "$logfile" >&2; die "parvis exited during start-up"
        fi
        PARVIS_URL="$(grep -o 'is running at http://127\.0\.0\.1:[0-9]*' "$logfile" | head -1 | sed 's/is running at //' || true)"
        [ -n "$PARVIS_URL" ] && break
        sleep 0.1
    done
    [ -n "$PARVIS_URL" ] || { stop_pid "$PARVIS_PID"; die "parvis did not report its URL in 120 s"; }
    for i in $(seq 1 100); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$PARVIS_URL/healthz")" = 200 ] && return 0
        sleep 0.1
    done
    stop_pid "$PARVIS_PID"; die "parvis /healthz never answered 200"
}

# CPU time (user + system, clock ticks) used so far by these processes and their children
# that are still running (nginx's workers): with the request count, the CPU each answer costs
# the server, a figure that a busy neighbour on a shared machine moves far less than req/s.
cpu_ticks() {
    local pid total=0 f
    for pid in "$@" $(for p in "$@"; do pgrep -P "$p" 2>/dev/null || true; done); do
        f="$(cat "/proc/$pid/stat" 2>/dev/null)" || continue
        # Fields after the command name (which may hold spaces): utime is 14th, stime 15th.
        f="${f##*) }"
        total=$((total + $(echo "$f" | awk '{ print $12 + $13 }')))
    done
    echo "$total"
}

# wait_idle PID: wait (at most 120 s) until the process has used at most one clock tick of
# CPU in each of two successive half-seconds: what a server does once at start (the feed
# engines brought up to date with messages written before it started, say) must not be
# measured as the cost of the requests of the first load. Prints how long it waited.
wait_idle() {
    local pid="$1" i before after quiet=0
    for i in $(seq 1 240); do
        before="$(cpu_ticks "$pid")"; sleep 0.5; after="$(cpu_ticks "$pid")"
        if [ $((after - before)) -le 1 ]; then quiet=$((quiet + 1)); else quiet=0; fi
        if [ "$quiet" -ge 2 ]; then echo "$(( i / 2 )) s"; return 0; fi
    done
    echo "120 s (still busy)"
}

# Is PostgreSQL reachable at 127.0.0.1:5432 (trust auth, user postgres, db test)?
PG_BASE="postgres://postgres@127.0.0.1:5432/test"
pg_reachable() {
    command -v psql >/dev/null 2>&1 || return 1
    timeout 5 psql -h 127.0.0.1 -p 5432 -U postgres -d test -Atqc 'select 1' >/dev/null 2>&1
}
# pg_fresh_schema NAME: create it (must not exist); prints the database URL for Parvis.
pg_fresh_schema() {
    timeout 10 psql -h 127.0.0.1 -p 5432 -U postgres -d test -qc "CREATE SCHEMA $1" >/dev/null || die "cannot create schema $1"
    printf '%s?options=-c%%20search_path%%3D%s' "$PG_BASE" "$1"
}
pg_drop_schema() {
    timeout 30 psql -h 127.0.0.1 -p 5432 -U postgres -d test -qc "DROP SCHEMA IF EXISTS $1 CASCADE" >/dev/null 2>&1 || true
}

# Machine description, one JSON object.
machine_json() {
    python3 - <<'EOF'
import json, os, platform
cpu = ""
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip(); break
mem_kb = 0
for line in open("/proc/meminfo"):
    if line.startswith("MemTotal:"):
        mem_kb = int(line.split()[1]); break
print(json.dumps({"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": round(mem_kb / 1048576, 1),
                  "kernel": platform.release(), "loadavg_at_start": os.getloadavg()[0]}))
EOF
}
