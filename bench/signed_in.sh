#!/usr/bin/env bash
# Signed-in requests: what every page and API call of a signed-in member pays before its own
# work (the session and the member behind the cookie, with identities and consents). wrk on
# loopback against `GET /api/v1/me` with the demo admin's session cookie, for one binary or
# several side by side (runs interleaved, so that they share the machine's mood).
#
# Environment (all optional):
#   BINS         binaries to compare, space-separated (default: a release build, as lib.sh)
#   BACKENDS     "sqlite postgres" (default; postgres is skipped when unreachable)
#   ROUNDS=3 DURATION=5 WARMUP=2 CONNECTIONS=64 THREADS=2
# Output: a table on stdout (median req/s and p50 per binary and backend), logs in
# bench/out/signed_in/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BACKENDS="${BACKENDS:-sqlite postgres}"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-5}"
WARMUP="${WARMUP:-2}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
check_counts 600 ROUNDS="$ROUNDS" DURATION="$DURATION" WARMUP="$WARMUP" \
    CONNECTIONS="$CONNECTIONS" THREADS="$THREADS"
ensure_tools
if [ -z "${BINS:-}" ]; then
    build_parvis
    BINS="$PARVIS_BIN"
fi
for b in $BINS; do [ -x "$b" ] || die "not an executable: $b"; done

bench_workspace signed_in
RESULTS="$WORK/results.tsv"; : >"$RESULTS"

# The demo admin's session cookie, from a password sign-in.
session_cookie() {  # BASE_URL
    curl -s --max-time 10 -c "$WORK/jar" -H 'Content-Type: application/json' \
        -d '{"email": "admin@novea.example", "password": "parvis-demo-2026"}' \
        "$1/api/v1/auth/password" >/dev/null || die "sign-in failed"
    awk '$6 == "parvis_session" { print "parvis_session=" $7 }' "$WORK/jar"
}

bench_backend() {  # BACKEND DATABASE_URL
    local backend="$1" db="$2" bin r cookie out rps p50
    PARVIS_BIN="${BINS%% *}"
    start_parvis "$LOGS/$backend-demo.log" demo --database-url "$db"
    # One sign-in (sign-ins are rate-limited); the session lives in the store across restarts.
    cookie="$(session_cookie "$PARVIS_URL")"
    [ -n "$cookie" ] || die "no session cookie after the sign-in"
    stop_pid "$PARVIS_PID"; PARVIS_PID=""
    for r in $(seq 1 "$ROUNDS"); do
        for bin in $BINS; do
            PARVIS_BIN="$bin"
            start_parvis "$LOGS/$backend-$(basename "$bin")-$r.log" serve --database-url "$db"
            [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$PARVIS_URL/api/v1/me")" = 200 ] \
                || die "GET /api/v1/me is not 200 with the session cookie"
            timeout $((WARMUP + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" \
                -H "Cookie: $cookie" "$PARVIS_URL/api/v1/me" >/dev/null 2>&1 || true
            out="$LOGS/$backend-$(basename "$bin")-$r.txt"
            timeout $((DURATION + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency \
                -H "Cookie: $cookie" "$PARVIS_URL/api/v1/me" >"$out" 2>&1 || die "wrk failed ($out)"
            grep -q "Non-2xx" "$out" && die "non-2xx answers under load ($out)"
            rps="$(awk '/Requests\/sec/ { print $2 }' "$out")"
            p50="$(awk '$1 == "50%" { print $2 }' "$out")"
            printf '%s\t%s\t%s\t%s\n' "$backend" "$bin" "$rps" "$p50" >>"$RESULTS"
            log "  $backend $(basename "$bin") round $r: $rps req/s, p50 $p50"
            stop_pid "$PARVIS_PID"; PARVIS_PID=""
        done
    done
}

for backend in $BACKENDS; do
    case "$backend" in
        sqlite) bench_backend sqlite "sqlite://$WORK/bench.db" ;;
        postgres)
            if pg_reachable; then
                PG_SCHEMA="bench_signed_$(date +%s)_$$"
                bench_backend postgres "$(pg_fresh_schema "$PG_SCHEMA")"
                pg_drop_schema "$PG_SCHEMA"; PG_SCHEMA=""
            else
                log "PostgreSQL at 127.0.0.1:5432 is not reachable: skipping"
            fi ;;
        *) die "unknown backend $backend" ;;
    esac
done

echo
echo "GET /api/v1/me signed in, wrk -c$CONNECTIONS -t$THREADS, $ROUNDS x ${DURATION}s, median per binary"
python3 - "$RESULTS" <<'EOF'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
groups = {}
for backend, binary, rps, p50 in rows:
    groups.setdefault((backend, binary), []).append((float(rps), p50))
print(f"{'backend':9} {'req/s':>9}  runs  binary")
for (backend, binary), runs in groups.items():
    med = statistics.median(r for r, _ in runs)
    print(f"{backend:9} {med:9.0f}  {len(runs):4}  {binary}  ({', '.join(f'{r:.0f}' for r, _ in runs)})")
EOF
