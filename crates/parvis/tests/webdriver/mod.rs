//! A headless Chromium driven through chromedriver's WebDriver API, shared by the browser
//! tests, and a second local origin to embed Parvis from. `Driver::start` is `None` where
//! Chromium or chromedriver is not installed (the tests then print a notice and pass).

#![allow(dead_code)]

use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Driver {
    pub child: Child,
    pub base: String,
    pub session: String,
    pub http: reqwest::blocking::Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.base, self.session))
            .send();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find(names: &[&str]) -> Option<String> {
    names
        .iter()
        .map(|n| n.to_string())
        .find(|p| std::path::Path::new(p).exists())
}

impl Driver {
    pub fn start(profile: &std::path::Path) -> Option<Driver> {
        let chromium = find(&[
            "/usr/bin/chromium",
            "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome",
        ])?;
        let driver = find(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"])?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .ok()?;
        let deadline = Instant::now() + Duration::from_secs(20);
        while http.get(format!("{base}/status")).send().is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--lang=fr-FR", format!("--user-data-dir={}", profile.display()), "--window-size=1280,900"],
            "prefs": {"intl.accept_languages": "fr-FR,fr"}}}}});
        let r: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .ok()?
            .json()
            .ok()?;
        let session = r["value"]["sessionId"]
            .as_str()
            .expect("a WebDriver session")
            .to_string();
        Some(Driver {
            child,
            base,
            session,
            http,
        })
    }

    pub fn cmd(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}/session/{}{}", self.base, self.session, path);
        let req = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(&body),
        };
        let v: Value = req.send().unwrap().json().unwrap();
        v["value"].clone()
    }

    pub fn go(&self, url: &str) {
        self.cmd("POST", "/url", json!({"url": url}));
    }

    pub fn element(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let v = self.cmd(
                "POST",
                "/element",
                json!({"using": "css selector", "value": css}),
            );
            if let Some(id) = v[ELEMENT].as_str() {
                return id.to_string();
            }
            assert!(Instant::now() < deadline, "no element {css}: {v}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css);
        self.cmd(
            "POST",
            &format!("/element/{id}/value"),
            json!({"text": text}),
        );
    }

    pub fn click(&self, css: &str) {
        let id = self.element(css);
        self.cmd("POST", &format!("/element/{id}/click"), json!({}));
    }

    pub fn source(&self) -> String {
        self.cmd("GET", "/source", Value::Null)
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    pub fn wait_for_text(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let s = self.source();
            if s.contains(text) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "the page never showed {text:?}; it shows:\n{}",
                &s[..s.len().min(1500)]
            );
            std::thread::sleep(Duration::from_millis(150));
        }
    }
}

impl Driver {
    /// Run a script in the page and return its value.
    pub fn script(&self, js: &str) -> Value {
        self.cmd("POST", "/execute/sync", json!({"script": js, "args": []}))
    }

    /// Lay pages out as a screen `width` CSS pixels wide (a phone at 390, a laptop at
    /// 1280), through Chromium's device emulation: desktop windows have a minimum width.
    pub fn viewport(&self, width: u32) {
        self.cmd(
            "POST",
            "/goog/cdp/execute",
            json!({"cmd": "Emulation.setDeviceMetricsOverride", "params": {
                "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600}}),
        );
    }

    /// Whether the page is wider than the screen (something sticks out sideways), and by what.
    pub fn overflow(&self) -> (i64, i64, String) {
        let v = self.script(
            // The layout width, not innerWidth: with a phone's emulated viewport, innerWidth
            // grows with whatever sticks out, and the page would always seem to fit.
            "const w = document.documentElement.clientWidth;
             const wide = [...document.querySelectorAll('body *')]
               .filter(e => e.getBoundingClientRect().right > w + 1)
               .slice(0, 3).map(e => e.tagName + '.' + e.className).join(', ');
             return [document.documentElement.scrollWidth, w, wide];",
        );
        (
            v[0].as_i64().unwrap_or(0),
            v[1].as_i64().unwrap_or(0),
            v[2].as_str().unwrap_or("").to_string(),
        )
    }

    /// Saves what the screen shows as a PNG file (WebDriver's screenshot, base64 in JSON).
    pub fn screenshot(&self, path: &std::path::Path) {
        use base64::Engine;
        let b64 = self.cmd("GET", "/screenshot", Value::Null);
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap_or(""))
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        std::fs::write(path, png).unwrap();
    }

    /// The words of the page as a reader sees them.
    pub fn visible_text(&self) -> String {
        self.script("return document.body.innerText;")
            .as_str()
            .unwrap_or("")
            .to_string()
    }
}

/// English words that never occur in French text: one of them on a French page means an
/// English sentence or label leaked in.
pub const ENGLISH_ONLY: &[&str] = &[
    "the", "and", "is", "are", "you", "your", "this", "with", "must", "expected", "sign", "found",
    "yet", "not", "space", "spaces", "topic", "topics", "thread", "threads", "members", "create",
    "search", "please", "there", "which", "been", "have", "settings", "role", "roles",
];

pub fn english_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .map(str::to_lowercase)
        .filter(|w| ENGLISH_ONLY.contains(&w.as_str()))
        .collect()
}

impl Driver {
    /// Wait until `js` (an expression) is truthy; returns how long it took.
    pub fn wait_until(&self, js: &str, within: Duration) -> Duration {
        let start = Instant::now();
        loop {
            if self.script(&format!("return !!({js});")) == Value::Bool(true) {
                return start.elapsed();
            }
            assert!(
                start.elapsed() < within,
                "never true within {within:?}: {js}\n{}",
                self.visible_text()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

/// A page on a second local origin (another port) that embeds thread 1 with the two-line
/// snippet, under a hostile stylesheet. Served by a thread that answers every request with it.
pub fn host_site(parvis: &str, key: &str) -> String {
    let page = format!(
        r#"<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Blog</title>
<style>* {{ color: rgb(255, 0, 0) !important; font-family: serif !important; }} body {{ font-size: 16px; }}</style></head>
<body><p id="host-p">Article du blog</p>
<div data-parvis-embed="{key}" id="w"></div>
<script async src="{parvis}/assets/embed.js"></script></body></html>"#
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for mut s in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
                page.len()
            );
        }
    });
    url
}

/// The newest mail in `dir` that contains `marker`, quoted-printable soft breaks undone; the
/// first address in it that contains `marker`.
pub fn link_in_outbox(dir: &std::path::Path, marker: &str) -> String {
    link_in_mail_to(dir, "", marker)
}

/// `link_in_outbox` among the mails to `to` only (waiting for one to come).
pub fn link_in_mail_to(dir: &std::path::Path, to: &str, marker: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mut mails: Vec<_> = std::fs::read_dir(dir)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        mails.sort();
        for m in mails.iter().rev() {
            let text = std::fs::read_to_string(m).unwrap_or_default();
            let text = text
                .replace("=\r\n", "")
                .replace("=\n", "")
                .replace("=3D", "=");
            if !text.contains(to) {
                continue;
            }
            if let Some(i) = text.find(marker) {
                let start = text[..i].rfind("http").unwrap();
                return text[start..]
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .trim_end_matches(['>', '"', ')'])
                    .to_string();
            }
        }
        assert!(
            Instant::now() < deadline,
            "no mail with {marker} in {}",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Wait for the widget of the host page to report its height, then step into its frame.
pub fn into_widget(driver: &Driver) {
    driver.wait_until(
        "(function(){var f=document.querySelector('#w iframe');return f&&f.style.height&&f.style.height!=='240px';})()",
        Duration::from_secs(15),
    );
    let frame = driver.element("#w iframe");
    driver.cmd("POST", "/frame", json!({"id": {ELEMENT: frame}}));
}

/// Sign in from the widget the driver is in (its email form showing), by the link mailed
/// to `outbox`, confirmed in a new tab; then back in the widget.
pub fn sign_in_by_link(driver: &Driver, outbox: &std::path::Path, email: &str) {
    driver.type_into("#pv-email", email);
    driver.click("#pv-signin button[type=submit]");
    driver.wait_until(
        "!document.getElementById('pv-wait').hidden",
        Duration::from_secs(10),
    );
    let link = link_in_mail_to(outbox, email, "/auth/widget/");
    let widget_tab = driver.cmd("GET", "/window", Value::Null);
    let tab = driver.cmd("POST", "/window/new", json!({"type": "tab"}));
    driver.cmd("POST", "/window", json!({"handle": tab["handle"]}));
    driver.go(&link);
    driver.click("#widget-confirm");
    driver.element("#widget-confirmed");
    driver.cmd("DELETE", "/window", Value::Null);
    driver.cmd("POST", "/window", json!({"handle": widget_tab}));
    into_widget(driver);
}
