#!/usr/bin/env bash
# Imports each hostile file of scripts/hostile-inputs.py into a fresh SQLite store and prints one
# Markdown row per case: exit code, peak RSS (from /usr/bin/time -v), wall time, last line said.
#
#   python3 scripts/hostile-inputs.py /tmp/hostile            # writes the files (SKIP_BIG=1: no 4 GiB bomb)
#   scripts/hostile-measure.sh target/debug/parvis /tmp/hostile
#   SKIP='4 GiB|deep HTML' scripts/hostile-measure.sh old-parvis /tmp/hostile   # skip cases by name
#
# Compare two builds by running it with each binary (e.g. one built from an older commit).
set -u
bin=$(realpath "$1")
dir=$(realpath "${2:-hostile}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "| case | format | exit | peak RSS | wall | last line |"
echo "|---|---|---|---|---|---|"
run() { # name format file
  local name=$1 format=$2 file=$dir/$3
  if [ -n "${SKIP:-}" ] && [[ $name =~ $SKIP ]]; then echo "| $name | $format | (skipped) | | | |"; return; fi
  [ -e "$file" ] || { echo "| $name | $format | (no $3) | | | |"; return; }
  rm -f "$work"/db*
  PARVIS_LOG=warn "$bin" --database-url "sqlite://$work/db" space create hostile >/dev/null 2>&1
  PARVIS_LOG=warn /usr/bin/time -v -o "$work/time" "$bin" --database-url "sqlite://$work/db" \
    import "$format" "$file" --space hostile >"$work/out" 2>&1
  local code=$?
  local rss wall last
  rss=$(awk -F': ' '/Maximum resident/ {printf "%.0f MB", $2/1024}' "$work/time")
  wall=$(awk -F': ' '/Elapsed \(wall/ {print $2}' "$work/time")
  code=$(awk -F': ' '/Exit status/ {print $2}' "$work/time")
  grep -q "Command terminated by signal" "$work/time" && code="$(grep -o 'signal [0-9]*' "$work/time")"
  last=$(grep -v '^\s*$' "$work/out" | grep -iE 'error|abort|overflow|import|!|nothing|part' | tail -1 | cut -c1-110 | tr '|' '/')
  echo "| $name | $format | $code | $rss | $wall | ${last:-} |"
}
run "deep WXR (50k nested)" wxr deep.wxr
run "deep RSS (50k nested)" rss deep.rss
run "deep Atom xhtml (50k nested)" rss deep.atom
run "deep HTML in an RSS item" rss deep-content.rss
run "deep JSON line" jsonl deep.jsonl
run "Slack zip → 512 MiB" slack slack-bomb-small.zip
run "Slack zip → 4 GiB" slack slack-bomb.zip
run "50 MB message" jsonl huge-line.jsonl
run "WXR given as jsonl" jsonl wxr-as-jsonl.wxr
run "empty mbox" mbox empty.mbox
run "WXR cut mid-item" wxr truncated.wxr
