#!/usr/bin/env python3
"""Write COPIES copies of an mbox corpus, one file per copy, with every Message-ID,
In-Reply-To and References value made unique per copy (`<id>` -> `<id.cN>`), so that the
import sees COPIES times as many distinct messages and threads (not re-imports).

usage: make_big_mbox.py OUT_DIR COPIES FILE...

Only header lines (from a `From ` separator to the first empty line) named Message-ID,
In-Reply-To or References, and their folded continuation lines, are rewritten; bodies are
copied byte for byte. Prints one JSON line: files, bytes, rewritten header lines.
"""
import json, os, re, sys

out_dir, copies, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
TOKEN = b"\x01PARVISCOPY\x01"
ANGLE = re.compile(rb"<([^<>]*)>")  # ids may hold spaces (pipermail writes "x at y")
ID_HEADERS = (b"message-id:", b"in-reply-to:", b"references:")

# One pass over the corpus builds a template with TOKEN where the copy suffix goes.
parts = []
rewritten = 0
for path in files:
    with open(path, "rb") as f:
        data = f.read()
    if TOKEN in data:
        sys.exit(f"{path} already contains the placeholder token")
    in_header = False
    in_id_header = False
    prev_blank = True  # the parser's rule: a separator follows a blank line (or starts the file)
    out = []
    for line in data.splitlines(keepends=True):
        blank = line.strip() == b""
        if prev_blank and line.startswith(b"From "):
            in_header, in_id_header = True, False
        elif in_header and line.strip() == b"":
            in_header = in_id_header = False
        elif in_header:
            if line[:1] in (b" ", b"\t"):
                pass  # continuation: keeps the previous header's kind
            else:
                in_id_header = line.lower().startswith(ID_HEADERS)
            if in_id_header:
                new = ANGLE.sub(lambda m: b"<" + m.group(1) + b"." + TOKEN + b">", line)
                rewritten += new != line
                line = new
        out.append(line)
        prev_blank = blank
    chunk = b"".join(out)
    if not chunk.endswith(b"\n"):
        chunk += b"\n"
    parts.append(chunk)
    # keep a blank line between files so the next `From ` starts a new message
    parts.append(b"\n")
template = b"".join(parts)
del parts

os.makedirs(out_dir, exist_ok=True)
total = 0
names = []
for n in range(1, copies + 1):
    name = os.path.join(out_dir, f"copy-{n:02d}.mbox")
    with open(name, "wb") as f:
        f.write(template.replace(TOKEN, b"c%d" % n))
    total += os.path.getsize(name)
    names.append(name)
print(json.dumps({"files": names, "bytes": total, "header_lines_rewritten_per_copy": rewritten}))
