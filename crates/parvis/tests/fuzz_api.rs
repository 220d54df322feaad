//! The API fuzzed against its own OpenAPI document: schemathesis (PyPI) runs against a real
//! `parvis demo`, once signed out and once with an admin's bearer token, each for
//! `PARVIS_FUZZ_SECONDS` (default 60). It must find no 5xx, no answer that breaks its
//! documented schema, no undocumented status code or content type, and no request that
//! breaks the schema yet is accepted. Skipped with a notice when the `st` command is not
//! installed (`.ci/run` installs it: `pip install schemathesis==…`).

mod support;

use std::process::Command;
use support::*;

/// The schemathesis command, if installed.
fn schemathesis() -> Option<&'static str> {
    ["st", "schemathesis"].into_iter().find(|cmd| {
        Command::new(cmd)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// Operations the signed-in run leaves out: they end the run's own access (deleting the
/// account or the token it signs in with, signing out). The signed-out run covers them.
const SELF_DESTRUCTIVE: &[&str] = &[
    "api_delete_me",
    "api_delete_member",
    "revoke_token",
    "sign_out",
];

/// Real slugs, handles and ids of the demo, offered to the fuzzer (a schemathesis.toml in
/// its working directory) beside the values it makes up: otherwise nearly every path with a
/// `{space}` or `{handle}` ends in a 404 and the operations behind them go untested.
fn write_dictionaries(url: &str, token: &str, dir: &std::path::Path) {
    let c = reqwest::blocking::Client::new();
    let get = |path: &str| -> serde_json::Value {
        c.get(format!("{url}/api/v1{path}"))
            .header("authorization", format!("Bearer {token}"))
            .send()
            .and_then(|r| r.json())
            .unwrap_or_default()
    };
    let strings = |v: &serde_json::Value, field: &str| -> Vec<serde_json::Value> {
        v["items"]
            .as_array()
            .map(|a| a.iter().map(|i| i[field].clone()).collect())
            .unwrap_or_default()
    };
    let spaces = strings(&get("/spaces"), "slug");
    let space = spaces
        .first()
        .and_then(|s| s.as_str())
        .unwrap_or("none")
        .to_string();
    let topics = strings(&get(&format!("/spaces/{space}/topics")), "slug");
    let handles = strings(&get("/members?per_page=50"), "handle");
    let mut ids = strings(&get(&format!("/spaces/{space}/threads?per_page=50")), "id");
    ids.extend((1..=20).map(serde_json::Value::from));
    let list = |v: &[serde_json::Value]| serde_json::Value::from(v.to_vec()).to_string();
    let toml = format!(
        "[dictionaries.spaces]\nvalues = {}\n[dictionaries.topics]\nvalues = {}\n\
         [dictionaries.handles]\nvalues = {}\n[dictionaries.ids]\nvalues = {}\n\
         [parameters]\n\
         \"path.space\" = {{ dictionary = \"spaces\", probability = 0.8 }}\n\
         \"path.topic\" = {{ dictionary = \"topics\", probability = 0.8 }}\n\
         \"path.handle\" = {{ dictionary = \"handles\", probability = 0.8 }}\n\
         \"path.id\" = {{ dictionary = \"ids\", probability = 0.8 }}\n",
        list(&spaces),
        list(&topics),
        list(&handles),
        list(&ids)
    );
    std::fs::write(dir.join("schemathesis.toml"), toml).expect("fuzzer configuration written");
}

struct Run {
    /// Contract violations found (schemathesis' "Failures:" section).
    failures: Vec<String>,
    /// Errors other than schemathesis' own crashes (a "Runtime Error" is a bug of the tool,
    /// reported but not held against the API; a network error is held against it).
    errors: Vec<String>,
    tested: String,
    cases: String,
    output: String,
}

fn fuzz(cmd: &str, url: &str, seconds: u64, dir: &std::path::Path, token: Option<&str>) -> Run {
    let mut args: Vec<String> = vec![
        "run".into(),
        format!("{url}/api/openapi.json"),
        "--checks".into(),
        "not_a_server_error,status_code_conformance,content_type_conformance,\
         response_schema_conformance,negative_data_rejection"
            .into(),
        "--max-time".into(),
        seconds.to_string(),
        "--workers".into(),
        "2".into(),
        "--generation-database".into(),
        "none".into(),
        "--no-color".into(),
    ];
    if let Some(t) = token {
        args.push("--header".into());
        args.push(format!("Authorization: Bearer {t}"));
        for op in SELF_DESTRUCTIVE {
            args.push("--exclude-operation-id".into());
            args.push((*op).into());
        }
    }
    let shown: Vec<String> = args
        .iter()
        .map(|a| {
            if a.starts_with("Authorization:") {
                "'Authorization: Bearer pvs_…'".to_string()
            } else {
                a.clone()
            }
        })
        .collect();
    eprintln!("fuzz: {cmd} {}", shown.join(" "));
    let out = Command::new(cmd)
        .args(&args)
        .current_dir(dir)
        .output()
        .expect("schemathesis runs");
    let output =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let after = |label: &str| {
        output
            .lines()
            .skip_while(|l| !l.trim_start().starts_with(label))
            .nth(1)
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let section = |title: &str| -> Vec<String> {
        output
            .lines()
            .skip_while(|l| l.trim() != title)
            .skip(1)
            .take_while(|l| !l.trim().is_empty())
            .map(|l| l.trim().to_string())
            .collect()
    };
    let errors = section("Errors:")
        .into_iter()
        .filter(|e| !e.contains("Runtime Error"))
        .collect();
    if !out.status.success() && output.contains("Runtime Error") {
        eprintln!(
            "notice: schemathesis hit an internal error of its own (Runtime Error); not the API's"
        );
    }
    Run {
        failures: section("Failures:"),
        errors,
        tested: output
            .lines()
            .find(|l| l.trim_start().starts_with("Tested:"))
            .unwrap_or("")
            .trim()
            .to_string(),
        cases: after("Test cases:"),
        output,
    }
}

#[test]
fn the_api_holds_its_contract_under_fuzzing() {
    let Some(cmd) = schemathesis() else {
        eprintln!(
            "notice: schemathesis is not installed (pip install schemathesis); API fuzzing skipped"
        );
        return;
    };
    let seconds: u64 = std::env::var("PARVIS_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let dir = tempfile::tempdir().unwrap();
    let server = start(&[
        "demo",
        "--database-url",
        &format!("sqlite://{}/demo.db", dir.path().display()),
    ]);
    // The token first: the signed-out run's failed sign-ins count against this client.
    let token = demo_token(&server.url);
    write_dictionaries(&server.url, &token, dir.path());
    let mut failed = Vec::new();
    for (name, token) in [("signed out", None), ("bearer token", Some(token.as_str()))] {
        let run = fuzz(cmd, &server.url, seconds, dir.path(), token);
        eprintln!(
            "fuzz ({name}, {seconds} s): {} operations; {}",
            run.tested, run.cases
        );
        if !run.failures.is_empty() || !run.errors.is_empty() {
            eprintln!("{}", run.output);
            failed.push(format!("{name}: {:?} {:?}", run.failures, run.errors));
        }
        // Whatever it was sent, the server is still up.
        wait_healthy(&server.url);
    }
    assert!(
        failed.is_empty(),
        "schemathesis found contract violations ({}); see the report above",
        failed.join(", ")
    );
}
