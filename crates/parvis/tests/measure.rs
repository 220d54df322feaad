//! `parvis measure corpus` on the real mailing-list archives (skipped with a notice when
//! `../shared` is absent): the pyramid and the answerers must look like what a reader of
//! r-help in 2004 and r-sig-geo knows — a few people answer almost everything, within hours.

mod support;

use serde_json::Value;
use support::*;

fn report(corpus: &str, extra: &[&str]) -> Option<Value> {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/corpus")
        .join(corpus);
    if !dir.exists() {
        eprintln!(
            "notice: {} absent; plausibility check skipped",
            dir.display()
        );
        return None;
    }
    let mut args = vec!["measure", "corpus", dir.to_str().unwrap_or(""), "--json"];
    args.extend_from_slice(extra);
    let (ok, out, err) = run(&args);
    assert!(ok, "{err}");
    Some(serde_json::from_str(out.trim()).unwrap())
}

fn count(r: &Value, level: &str) -> u64 {
    r["pyramid"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["level"] == level)
        .and_then(|c| c["count"].as_u64())
        .unwrap()
}

fn plausible(r: &Value, top_answerer: &str) {
    // A pyramid: fewer engaged than contributors, and nobody invented above.
    assert!(count(r, "engaged") > 0);
    assert!(count(r, "engaged") < count(r, "contributor"));
    assert_eq!(
        count(r, "ambassador"),
        0,
        "mailing lists carry no invitations"
    );
    // Half or more of the threads get an answer, the first within a day (median).
    let share = r["answer_share"].as_f64().unwrap();
    assert!((0.4..0.95).contains(&share), "answer share {share}");
    let first = r["median_first_answer_hours"].as_f64().unwrap();
    assert!(first > 0.0 && first < 24.0, "median first answer {first} h");
    // The most active answerer is the one the list knows, answering nearly always others.
    let top = &r["top_answerers"][0];
    assert_eq!(top["display_name"], top_answerer);
    assert!(top["answer_rate"].as_f64().unwrap() > 0.9);
    assert!(top["median_answer_hours"].as_f64().unwrap() < 12.0);
    let answers: Vec<u64> = r["top_answerers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["answers"].as_u64().unwrap())
        .collect();
    assert!(
        answers.windows(2).all(|w| w[0] >= w[1]),
        "ranked by answers"
    );
}

#[test]
fn r_help_2004_looks_like_r_help() {
    if let Some(r) = report("r-help-2004", &[]) {
        plausible(&r, "Prof Brian Ripley");
    }
}

#[test]
fn r_sig_geo_at_its_busiest_looks_like_r_sig_geo() {
    // Read in mid-2010, when the list was busiest (its last months are quiet).
    if let Some(r) = report("r-sig-geo", &["--at", "2010-06-30"]) {
        plausible(&r, "Roger Bivand");
    }
}
