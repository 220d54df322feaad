//! The web UI driven in a real headless Chromium (through chromedriver's WebDriver API):
//! sign in, post a reply, see it. Skipped with a notice where Chromium is not installed
//! (`.ci/run` installs it).

mod support;

use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::*;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Driver {
    child: Child,
    base: String,
    session: String,
    http: reqwest::blocking::Client,
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
    fn start(profile: &std::path::Path) -> Option<Driver> {
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

    fn cmd(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}/session/{}{}", self.base, self.session, path);
        let req = match method {
            "GET" => self.http.get(url),
            _ => self.http.post(url).json(&body),
        };
        let v: Value = req.send().unwrap().json().unwrap();
        v["value"].clone()
    }

    fn go(&self, url: &str) {
        self.cmd("POST", "/url", json!({"url": url}));
    }

    fn element(&self, css: &str) -> String {
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

    fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css);
        self.cmd(
            "POST",
            &format!("/element/{id}/value"),
            json!({"text": text}),
        );
    }

    fn click(&self, css: &str) {
        let id = self.element(css);
        self.cmd("POST", &format!("/element/{id}/click"), json!({}));
    }

    fn source(&self) -> String {
        self.cmd("GET", "/source", Value::Null)
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    fn wait_for_text(&self, text: &str) -> String {
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

#[test]
fn sign_in_post_a_reply_and_see_it() {
    let dir = tempfile::tempdir().unwrap();
    let Some(driver) = Driver::start(&dir.path().join("profile")) else {
        eprintln!(
            "notice: chromium/chromedriver not installed; browser test skipped (apt-get install chromium chromium-driver)"
        );
        return;
    };
    let server = start(&[
        "demo",
        "--database-url",
        &format!("sqlite://{}/demo.db", dir.path().display()),
    ]);

    driver.go(&format!("{}/signin", server.url));
    driver.wait_for_text("password-form");
    driver.type_into("#password-form input[name=email]", DEMO_ADMIN.0);
    driver.type_into("#password-form input[name=password]", DEMO_ADMIN.1);
    driver.click("#password-form button[type=submit]");
    driver.wait_for_text("Camille");

    driver.go(&format!("{}/threads/1", server.url));
    let reply = "Réponse écrite dans Chromium, **en gras**";
    driver.type_into("#reply-form textarea", reply);
    driver.click("#reply-submit");
    let page = driver.wait_for_text("Réponse écrite dans Chromium");
    assert!(
        page.contains("<strong>en gras</strong>"),
        "the reply is rendered from Markdown"
    );

    // The same reply is visible to an anonymous visitor through the API.
    let v: Value = reqwest::blocking::get(format!("{}/api/v1/threads/1?per_page=200", server.url))
        .unwrap()
        .json()
        .unwrap();
    let bodies: Vec<&str> = v["messages"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["body_markdown"].as_str())
        .collect();
    assert!(bodies.contains(&reply));
}
