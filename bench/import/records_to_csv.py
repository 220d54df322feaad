#!/usr/bin/env python3
"""Turn `count -d mbox FILES…` output (one JSON record per line) into the CSV that
`sqlite3 .import` loads: id, thread, author, date, body — the rows Parvis stores.

usage: count -d mbox FILES… | records_to_csv.py OUT.csv > stats.json

id = Message-ID (`source_id`), thread = thread id (`thread_source_id`), author = the
author's handle (the e-mail address for mail), date = `created_at` as ISO 8601 UTC,
body = `body_text`. Like `parvis import`, a (channel, id) seen twice keeps its first copy,
so both sides load the same rows. No header line (`.import` into an existing table takes
every line as data). The last line of `count`'s output (its summary, not JSON) is kept
in the stats.
"""
import csv, json, sys
from datetime import datetime, timezone

out = open(sys.argv[1], "w", newline="", encoding="utf-8")
w = csv.writer(out, lineterminator="\n")
seen = set()
stats = {"rows": 0, "duplicate_ids": 0, "skipped": 0, "errors": 0, "other": 0, "csv_bytes": 0,
         "count_summary": None}
for line in sys.stdin:
    if not line.startswith("{"):
        if line.startswith("format="):
            stats["count_summary"] = line.strip()
        continue
    rec = json.loads(line)
    if "Message" in rec:
        m = rec["Message"]
        key = (m["channel"], m["source_id"])
        if key in seen:
            stats["duplicate_ids"] += 1
            continue
        seen.add(key)
        date = datetime.fromtimestamp(m["created_at"] / 1000, tz=timezone.utc)
        w.writerow([m["source_id"], m["thread_source_id"], m["author"]["handle"],
                    date.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z", m["body_text"]])
        stats["rows"] += 1
    elif "Skipped" in rec:
        stats["skipped"] += 1
    elif "Person" in rec:
        stats["other"] += 1
    else:
        stats["errors"] += 1
out.close()
import os
stats["csv_bytes"] = os.path.getsize(sys.argv[1])
print(json.dumps(stats))
