//! Running the real `parvis` binary from tests.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_parvis");

/// A running `parvis` process, killed when dropped.
pub struct Server {
    pub child: Child,
    pub url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start `parvis ARGS… --port 0` and wait for its "running at" line.
pub fn start(args: &[&str]) -> Server {
    start_bin(BIN, args)
}

/// `start` with another binary (benchmarks take a release build from `PARVIS_BIN`).
pub fn start_bin(bin: &str, args: &[&str]) -> Server {
    let mut child = Command::new(bin)
        .args(args)
        .args(["--port", "0", "--log", "warn"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("parvis starts");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(i) = line.find("running at ") {
                let _ = tx.send(line[i + 11..].trim().to_string());
            }
        }
    });
    let url = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("parvis printed its URL");
    wait_healthy(&url);
    Server { child, url }
}

pub fn wait_healthy(url: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(r) = reqwest::blocking::get(format!("{url}/healthz")) {
            if r.status().is_success() {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{url}/healthz never answered 200");
}

/// Run `parvis ARGS…` to completion: (success, stdout, stderr).
pub fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN).args(args).output().expect("parvis runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Run `parvis ARGS…` to completion: (exit code, None when killed by a signal; stdout; stderr).
pub fn run_code(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(BIN).args(args).output().expect("parvis runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub const DEMO_ADMIN: (&str, &str) = ("admin@novea.example", "parvis-demo-2026");

/// The slug of the demo's (first) space.
pub fn demo_space(url: &str) -> String {
    reqwest::blocking::get(format!("{url}/api/v1/spaces"))
        .unwrap()
        .json::<serde_json::Value>()
        .unwrap()["items"][0]["slug"]
        .as_str()
        .unwrap()
        .to_string()
}

/// An API token for the demo admin.
pub fn demo_token(url: &str) -> String {
    let c = reqwest::blocking::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let r: serde_json::Value = c
        .post(format!("{url}/api/v1/auth/password"))
        .json(&serde_json::json!({"email": DEMO_ADMIN.0, "password": DEMO_ADMIN.1}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let csrf = r["csrf_token"].as_str().unwrap().to_string();
    let r: serde_json::Value = c
        .post(format!("{url}/api/v1/me/tokens"))
        .header("x-csrf-token", csrf)
        .json(&serde_json::json!({"name": "test"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    r["secret"].as_str().unwrap().to_string()
}

/// The PostgreSQL server to test against, with a fresh schema, if configured.
pub fn fresh_postgres() -> Option<String> {
    let base = parvis_store::testing::postgres_test_url()?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    Some(
        rt.block_on(parvis_store::testing::fresh_postgres_url(&base))
            .unwrap(),
    )
}

/// A start `d` days from now at 18:30 UTC, as the form's local `YYYY-MM-DDTHH:MM`.
pub fn in_days(d: u64) -> String {
    let t = std::time::SystemTime::now() + Duration::from_secs(d * 86_400);
    let secs = t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    // Civil date from days since the epoch (UTC), for the form's local time.
    let days = secs.div_euclid(86_400);
    let (z, era) = (days + 719_468, (days + 719_468).div_euclid(146_097));
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T18:30")
}
