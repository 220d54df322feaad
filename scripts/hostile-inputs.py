#!/usr/bin/env python3
"""Writes the hostile files of SECURITY.md's "input" table into a folder (default: ./hostile).

Each file is small on disk and attacks one limit of the importers:
  deep.wxr / deep.rss / deep.atom   50,000 nested elements inside one item (~350 KB)
  deep-content.rss                  one item whose HTML content nests 50,000 <div>s and <blockquote>s
  deep.jsonl                        one JSON line nested 50,000 arrays deep
  deep.md                           Markdown with 50,000 nested list items / quotes (for the post form)
  slack-bomb.zip                    a Slack export whose channel file inflates to 4 GiB (~4 MB on disk)
  slack-bomb-small.zip              the same inflating to 512 MiB (~0.5 MB)
  huge-line.jsonl                   one message of 50 MB
  wxr-as-jsonl.wxr                  a WXR file (to import with --format jsonl: every line unreadable)
  empty.mbox                        an empty file
  truncated.wxr                     a WXR cut in the middle of its second item
  feed-bomb.rss.gz                  an RSS feed gzip-compressed to ~1 MB that inflates to 1 GiB (serve it
                                    with Content-Encoding: gzip to a followed feed)

Re-run with: python3 scripts/hostile-inputs.py [folder]; then see scripts/hostile-measure.sh.
"""
import gzip
import os
import sys
import zipfile
import zlib

DEPTH = 50_000


def deep(tag, depth=DEPTH):
    return "<" + tag + ">" * 1 + ("<" + tag + ">") * (depth - 1) + ("</" + tag + ">") * depth


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def zeros_entry(z, name, size, prefix=b"[", chunk=1 << 20):
    """Streams `size` bytes (a JSON array start, then spaces) into one zip entry."""
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with z.open(info, "w", force_zip64=True) as f:
        f.write(prefix)
        block = b" " * chunk
        left = size - len(prefix)
        while left > 0:
            n = min(left, chunk)
            f.write(block[:n])
            left -= n


def slack_bomb(path, size):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("users.json", '[{"id":"U1","name":"ann","real_name":"Ann"}]')
        z.writestr("channels.json", '[{"id":"C1","name":"general"}]')
        zeros_entry(z, "general/2024-01-01.json", size)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "hostile"
    os.makedirs(out, exist_ok=True)
    nest = "<x>" * DEPTH + "</x>" * DEPTH
    write(os.path.join(out, "deep.wxr"),
          '<?xml version="1.0"?>\n<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">'
          "<channel><title>t</title><item><title>deep</title>" + nest + "</item></channel></rss>\n")
    write(os.path.join(out, "deep.rss"),
          '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>t</title>'
          "<item><title>deep</title><guid>g1</guid><pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate>" + nest + "</item></channel></rss>\n")
    write(os.path.join(out, "deep.atom"),
          '<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
          '<entry><id>e1</id><title>deep</title><content type="xhtml">' + nest
          + "</content></entry></feed>\n")
    html = ("<div><blockquote>" * DEPTH) + "x" + ("</blockquote></div>" * DEPTH)
    write(os.path.join(out, "deep-content.rss"),
          '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>t</title>'
          "<item><title>deep html</title><guid>g2</guid><pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate><description><![CDATA[" + html
          + "]]></description></item></channel></rss>\n")
    write(os.path.join(out, "deep.jsonl"),
          '{"channel":"forum","id":"d1","author":{"handle":"ann"},"created_at":"2024-01-01T00:00:00Z",'
          '"text":' + "[" * DEPTH + "]" * DEPTH + "}\n")
    write(os.path.join(out, "deep.md"), "".join("  " * i + "- a\n" for i in range(0, 2000))
          + ">" * DEPTH + " quote\n" + "[" * DEPTH + "x" + "]" * DEPTH + "\n")
    write(os.path.join(out, "huge-line.jsonl"),
          '{"channel":"forum","id":"big1","author":{"handle":"ann"},"created_at":"2024-01-01T00:00:00Z","text":"'
          + "a" * 50_000_000 + '"}\n')
    wxr = ('<?xml version="1.0"?>\n<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"'
           ' xmlns:content="http://purl.org/rss/1.0/modules/content/">\n<channel>\n<title>t</title>\n')
    for i in range(1, 4):
        wxr += (f"<item>\n<title>post {i}</title>\n<wp:post_id>{i}</wp:post_id>\n"
                f"<wp:post_type>post</wp:post_type>\n<wp:status>publish</wp:status>\n"
                f"<wp:post_date_gmt>2024-01-0{i} 10:00:00</wp:post_date_gmt>\n"
                f"<content:encoded><![CDATA[<p>body {i}</p>]]></content:encoded>\n</item>\n")
    write(os.path.join(out, "wxr-as-jsonl.wxr"), wxr + "</channel>\n</rss>\n")
    cut = wxr.index("<item>", wxr.index("<item>") + 1) + 40
    write(os.path.join(out, "truncated.wxr"), wxr[:cut])
    write(os.path.join(out, "empty.mbox"), "")
    slack_bomb(os.path.join(out, "slack-bomb-small.zip"), 512 << 20)
    if os.environ.get("SKIP_BIG") != "1":
        slack_bomb(os.path.join(out, "slack-bomb.zip"), 4 << 30)
    with gzip.open(os.path.join(out, "feed-bomb.rss.gz"), "wb", compresslevel=9) as f:
        f.write(b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>t</title><!--')
        block = b" " * (1 << 20)
        for _ in range(1024):
            f.write(block)
        f.write(b"--></channel></rss>\n")
    for name in sorted(os.listdir(out)):
        print(f"{os.path.getsize(os.path.join(out, name)):>12,}  {out}/{name}")


if __name__ == "__main__":
    main()
