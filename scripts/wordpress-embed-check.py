#!/usr/bin/env python3
"""The Parvis side and the visitor side of scripts/wordpress-embed-test.sh (which starts the
servers and installs WordPress; run that, not this).

  prepare PARVIS WP ORG_URL            a thread, the call to action and WordPress's origin as
                                       the only allowed site; prints the thread's address
  check   PARVIS WP ORG_URL POST_URL   the post as a visitor fetches it, then in headless
                                       Chromium: height, call to action, landing, funnel

Standard library only; the browser is driven through chromedriver's WebDriver API.
"""

import hashlib
import hmac
import html
import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ADMIN = ("admin@novea.example", "parvis-demo-2026")
TITLE = "Renouvellement des contrats partenaires"
# Two short messages: the card stays under WordPress's 1000 px cap, so the height it reports
# must be applied as is.
BODIES = [
    "Le renouvellement passe **désormais** par le portail : qui l'a déjà essayé ?",
    "Oui, trois clics et la signature électronique. Le délai est d'une semaine.",
]
CTA_LABEL = "Devenir partenaire"


def fail(msg):
    print(f"FAILED: {msg}", file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def call(base, method, path, body=None, headers=None, opener=urllib.request.urlopen):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, method=method, data=data,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    with opener(req, timeout=30) as r:
        raw = r.read()
        return json.loads(raw) if raw else None


def admin_token(parvis):
    jar = http.cookiejar.CookieJar()
    op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)).open
    signed = call(parvis, "POST", "/api/v1/auth/password",
                  {"email": ADMIN[0], "password": ADMIN[1]}, opener=op)
    tok = call(parvis, "POST", "/api/v1/me/tokens", {"name": "wordpress-test"},
               {"X-CSRF-Token": signed["csrf_token"]}, opener=op)["secret"]
    return {"Authorization": "Bearer " + tok}


def prepare(parvis, wp, org_url):
    auth = admin_token(parvis)
    space = call(parvis, "GET", "/api/v1/spaces")["items"][0]["slug"]
    t = call(parvis, "POST", f"/api/v1/spaces/{space}/threads", {"title": TITLE, "body": BODIES[0]}, auth)
    call(parvis, "POST", f"/api/v1/threads/{t['id']}/messages", {"body": BODIES[1]}, auth)
    # The blog is the only site allowed: the frame must recognise it from the browser's Referer.
    call(parvis, "PUT", f"/api/v1/spaces/{space}/embed",
         {"origins": wp, "cta_label": CTA_LABEL, "cta_url": org_url}, auth)
    print(f"{parvis}/threads/{t['id']}")


def attrs(tag):
    return {k.lower(): html.unescape(v) for k, v in re.findall(r'([\w-]+)="([^"]*)"', tag)}


# ---- WebDriver --------------------------------------------------------------------------
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


class Browser:
    def __init__(self, profile):
        chromium = next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser",
                                     "/usr/bin/google-chrome") if os.path.exists(p)), None)
        driver = shutil.which("chromedriver") or next(
            (p for p in ("/usr/lib/chromium/chromedriver",) if os.path.exists(p)), None)
        if not (chromium and driver):
            raise FileNotFoundError("chromium/chromedriver")
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        self.proc = subprocess.Popen([driver, f"--port={port}"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 20
        while True:
            try:
                urllib.request.urlopen(self.base + "/status", timeout=2).read()
                break
            except OSError:
                check(time.time() < deadline, "chromedriver did not start")
                time.sleep(0.1)
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--lang=fr-FR", f"--user-data-dir={profile}", "--window-size=1280,900"],
            "prefs": {"intl.accept_languages": "fr-FR,fr"}}}}}
        self.session = self._req("POST", "/session", caps)["sessionId"]

    def _req(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, method=method, data=data,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return json.loads(r.read())["value"]
        except urllib.error.HTTPError as e:
            fail(f"WebDriver {method} {path}: {e.read()[:500]!r}")

    def cmd(self, method, path, body=None):
        return self._req(method, f"/session/{self.session}{path}", {} if body is None and method == "POST" else body)

    def go(self, url):
        self.cmd("POST", "/url", {"url": url})

    def js(self, script, *args):
        return self.cmd("POST", "/execute/sync", {"script": script, "args": list(args)})

    def element(self, css, within=10):
        deadline = time.time() + within
        while True:
            v = self.cmd("POST", "/element", {"using": "css selector", "value": css}) \
                if self._exists(css) else None
            if v and ELEMENT in v:
                return v[ELEMENT]
            check(time.time() < deadline, f"no element {css}")
            time.sleep(0.1)

    def _exists(self, css):
        return self.js("return !!document.querySelector(arguments[0]);", css)

    def wait(self, expr, what, within=15):
        deadline = time.time() + within
        while True:
            v = self.js(f"return ({expr});")
            if v:
                return v
            check(time.time() < deadline, f"{what} (never true: {expr})")
            time.sleep(0.1)

    def close(self):
        try:
            self._req("DELETE", f"/session/{self.session}")
        finally:
            self.proc.kill()
            self.proc.wait()


def visitor_fetch(parvis, thread_url, post_url):
    """The post as a visitor's browser receives it: WordPress embedded the thread."""
    with urllib.request.urlopen(post_url, timeout=60) as r:
        page = r.read().decode("utf-8", "replace")
    tid = thread_url.rsplit("/", 1)[1]
    quotes = [attrs(m) for m in re.findall(r"<blockquote[^>]*>", page)]
    frames = [attrs(m) for m in re.findall(r"<iframe[^>]*>", page)]
    frames = [f for f in frames if f.get("src", "").startswith(f"{parvis}/embed/thread/{tid}")]
    check(len(frames) == 1, f"the post has no iframe on {parvis}/embed/thread/{tid}: WordPress did "
                            f"not embed the thread. Page:\n{page[:3000]}")
    f = frames[0]
    secret = f.get("data-secret", "")
    check(re.fullmatch(r"[A-Za-z0-9]{10}", secret), f"the iframe has no data-secret: {f}")
    check(f["src"] == f"{parvis}/embed/thread/{tid}#?secret={secret}", f"iframe src: {f['src']}")
    check(f.get("sandbox") == "allow-scripts", f"the iframe is not sandboxed as WordPress does: {f}")
    check("wp-embedded-content" in f.get("class", ""), f"iframe class: {f}")
    check("clip" in f.get("style", ""), "the iframe is hidden until it reports its height")
    q = [b for b in quotes if b.get("data-secret") == secret]
    check(q and "wp-embedded-content" in q[0].get("class", ""), "no blockquote with the iframe's secret")
    check(f'<a href="{thread_url}">{TITLE}</a>' in page.replace("&rsquo;", "'"),
          "the blockquote links to the thread with its title")
    check("wp-embed" in page, "WordPress's embed script is on the page")
    print(f"  visitor: WordPress embedded {f['src'].split('#')[0]} (iframe {f.get('width')}x{f.get('height')},"
          f" sandbox={f['sandbox']}, secret {secret})", file=sys.stderr)
    return int(f.get("height", "0") or 0)


def funnel_row(parvis, auth, space, key):
    rows = call(parvis, "GET", f"/api/v1/spaces/{space}/embed/funnel", headers=auth)["rows"]
    mine = [r for r in rows if r["embed"] == key]
    total = {k: sum(r[k] for r in mine) for k in ("impressions", "engagements", "clicks", "conversions",
                                                  "value_cents")}
    total["hosts"] = sorted({r["host"] for r in mine})
    return total


def in_browser(parvis, wp, org_url, thread_url, post_url, default_height):
    tid = thread_url.rsplit("/", 1)[1]
    profile = tempfile.mkdtemp(prefix="parvis-wp-chromium-")
    try:
        b = Browser(profile)
    except FileNotFoundError:
        print("notice: chromium/chromedriver not installed: the browser half of the WordPress test "
              "is skipped (apt-get install chromium chromium-driver)", file=sys.stderr)
        return
    try:
        # Record what the frame tells the page, to say what went wrong if it does.
        b.go("about:blank")
        b.cmd("POST", "/goog/cdp/execute", {"cmd": "Page.addScriptToEvaluateOnNewDocument", "params": {
            "source": "window.__pv = []; addEventListener('message', function (e) {"
                      " if (e.data && e.data.message) window.__pv.push(e.data.message + ' ' + e.data.value); }, true);"}})
        b.go(post_url)
        frame = "document.querySelector('iframe.wp-embedded-content')"
        # wp-embed.js drops the hiding style and applies the height the frame reports.
        b.wait(f"{frame} && !{frame}.hasAttribute('style') && {frame}.height != '{default_height}'",
               "the embedded frame never reported its height to WordPress",
               # CI runs this beside the other test binaries on two cores: Chromium, php-fpm
               # and Parvis may each take seconds to answer there.
               within=60)
        # Then the height settles (fonts and styles may still arrive).
        deadline, last = time.time() + 10, None
        while True:
            h = b.js(f"return {frame}.height;")
            if h == last:
                break
            check(time.time() < deadline, "the frame's height never settled")
            last = h
            time.sleep(0.5)
        said = b.js('return window.__pv;') or []
        print(f"  browser: the frame said {said}", file=sys.stderr)
        b.wait("getComputedStyle(document.querySelector('blockquote.wp-embedded-content')).display === 'none'",
               "WordPress still shows the blockquote")
        shown = int(b.js(f"return {frame}.height;"))
        box = b.js(f"return Math.round({frame}.getBoundingClientRect().height);")
        # Inside the frame: the card, its real height, the call to action.
        el = b.element("iframe.wp-embedded-content")
        b.cmd("POST", "/frame", {"id": {ELEMENT: el}})
        b.wait(f"document.body.innerText.includes({json.dumps(TITLE)})", "the frame shows the thread")
        b.wait("document.body.innerText.includes('trois clics')", "the frame shows the reply")
        inner = b.js("return Math.ceil(document.documentElement.getBoundingClientRect().height);")
        check(200 <= inner <= 1000, f"the card is {inner} px high: pick a thread that fits WordPress's 200-1000")
        check(shown == inner, f"WordPress sized the frame {shown} px, the card is {inner} px")
        # No jump on the way: the frame never reported more than the card (it once said
        # thousands of pixels while WordPress still had it at zero width).
        heights = [int(m.split()[1]) for m in said if m.startswith("height ")]
        check(heights and max(heights) <= inner, f"the frame reported heights {heights} for a {inner} px card")
        check(box == shown, f"the frame occupies {box} px on the page, not {shown}")
        label = b.js("return document.getElementById('pv-cta').textContent.trim();")
        check(label == CTA_LABEL, f"the call to action reads {label!r}")
        href = b.js("return document.getElementById('pv-cta').href;")
        check(href.startswith(f"{parvis}/r/"), f"the call to action goes through /r/: {href}")
        click_id = href.split("/r/", 1)[1].split("?", 1)[0]
        print(f"  browser: frame sized {shown} px (default {default_height}), card {inner} px; "
              f"call to action {href}", file=sys.stderr)
        b.cmd("POST", f"/element/{b.element('#pv-cta')}/click")
        b.cmd("POST", "/frame/parent")
        deadline = time.time() + 15
        while not b.cmd("GET", "/url").startswith(org_url):
            check(time.time() < deadline, f"the click did not land on {org_url}: at {b.cmd('GET', '/url')}")
            time.sleep(0.1)
        landed = b.cmd("GET", "/url")
        check(f"parvis_click={click_id}" in landed, f"the landing address lacks the click id: {landed}")
        b.wait("document.getElementById('org') !== null", "the organisation's page shows")
        print(f"  browser: landed on {landed}", file=sys.stderr)
    finally:
        b.close()
        shutil.rmtree(profile, ignore_errors=True)

    # The organisation reports the conversion, signed with the space's secret; the admin's
    # funnel counts the impression, the click and the conversion, once each.
    auth = admin_token(parvis)
    space = call(parvis, "GET", "/api/v1/spaces")["items"][0]["slug"]
    secret = call(parvis, "GET", f"/api/v1/spaces/{space}/embed", headers=auth)["secret"]
    check(secret, "the space has a conversion secret")
    body = json.dumps({"click_id": click_id, "type": "registration", "value": 120.0,
                       "transaction_id": f"wp-{click_id}"}).encode()
    ts = str(int(time.time()))
    sig = hmac.new(secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()

    def report():
        req = urllib.request.Request(parvis + "/api/v1/conversions", method="POST", data=body, headers={
            "Content-Type": "application/json", "X-Parvis-Signature": f"t={ts},v1={sig}"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code
    check(report() == 201, "the signed conversion is accepted")
    check(report() == 409, "the same transaction reported twice is refused")
    deadline = time.time() + 10
    while True:
        f = funnel_row(parvis, auth, space, f"thread/{tid}")
        if f["impressions"] >= 1 and f["clicks"] == 1 and f["conversions"] == 1:
            break
        check(time.time() < deadline, f"the funnel of thread/{tid} is {f}")
        time.sleep(0.2)
    check(f["impressions"] == 1, f"one visitor, one impression: {f}")
    check(f["value_cents"] == 12000, f"the conversion's value: {f}")
    check(all(h.startswith(wp) for h in f["hosts"]), f"counted on the blog: {f['hosts']}")
    print(f"  funnel: {f}", file=sys.stderr)


def main():
    if len(sys.argv) >= 5 and sys.argv[1] == "prepare":
        prepare(*sys.argv[2:5])
    elif len(sys.argv) >= 6 and sys.argv[1] == "check":
        parvis, wp, org_url, post_url = sys.argv[2:6]
        # The thread the post names: its body is the thread's address alone.
        threads = call(parvis, "GET", "/api/v1/spaces")["items"][0]["slug"]
        listing = call(parvis, "GET", f"/api/v1/spaces/{threads}/threads")["items"]
        tid = next(t["id"] for t in listing if t["title"] == TITLE)
        thread_url = f"{parvis}/threads/{tid}"
        height = visitor_fetch(parvis, thread_url, post_url)
        in_browser(parvis, wp, org_url, thread_url, post_url, height)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
