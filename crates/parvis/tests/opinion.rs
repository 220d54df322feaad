//! `parvis opinion report` on a real Pol.is export (a CC BY 4.0 conversation committed as a
//! fixture of the parvis-opinion crate).

mod support;

use serde_json::Value;
use support::*;

fn fixture() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../parvis-opinion/tests/fixtures/london.youth.policing")
}

#[test]
fn report_prints_groups_as_text_json_and_csv() {
    let dir = fixture();
    let (ok, out, err) = run(&["opinion", "report", dir.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(
        out.contains("Opinion map") && out.contains("Group"),
        "{out}"
    );

    let (ok, out, err) = run(&["opinion", "report", dir.to_str().unwrap(), "--json"]);
    assert!(ok, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let participants = report["participants"].as_array().unwrap();
    assert!(!participants.is_empty());
    assert!(
        participants
            .iter()
            .all(|p| p.get("id").is_some() && p.get("group").is_some())
    );
    assert!(
        participants.iter().any(|p| p["group"].is_u64()),
        "someone is clustered"
    );
    assert!(!out.contains("NaN"));

    let (ok, out, _) = run(&[
        "opinion",
        "report",
        dir.to_str().unwrap(),
        "--compat",
        "polis",
        "--json",
    ]);
    assert!(ok);
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap()["mode"],
        "compat"
    );
    let (ok, out, _) = run(&["opinion", "report", dir.to_str().unwrap(), "--csv"]);
    assert!(ok);
    assert!(out.lines().count() > 2);

    let (ok, _, err) = run(&["opinion", "report", "/nonexistent/export"]);
    assert!(!ok);
    assert!(
        err.contains("comments.csv") || err.contains("/nonexistent/export"),
        "{err}"
    );
    let (ok, _, err) = run(&[
        "opinion",
        "report",
        dir.to_str().unwrap(),
        "--compat",
        "nope",
    ]);
    assert!(!ok);
    assert!(err.contains("polis"), "{err}");
}
