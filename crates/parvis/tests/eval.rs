//! `parvis eval feed` on a small mailing list written here, and on the real corpus when
//! `../shared` is present.

mod support;

use serde_json::Value;
use support::*;

#[test]
fn eval_feed_prints_scores_for_parvis_and_baselines() {
    let corpus = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/corpus/r-sig-geo");
    if !corpus.exists() {
        eprintln!(
            "notice: ../shared/data/corpus absent; parvis eval feed on the real corpus skipped"
        );
    } else {
        let (ok, out, err) = run(&["eval", "feed", corpus.to_str().unwrap(), "--json"]);
        assert!(ok, "{err}");
        let v: Value = serde_json::from_str(out.trim()).unwrap();
        for key in ["parvis", "most_recent", "most_active"] {
            let n = v[key]["ndcg_at_10"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&n), "{key}: {n}");
            assert!(v[key]["recall_at_20"].is_f64());
        }
        assert!(v["users"].as_u64().unwrap() > 0);
    }
    let (ok, _, err) = run(&["eval", "feed", "/nonexistent/folder", "--json"]);
    assert!(!ok);
    assert!(err.contains("/nonexistent/folder"), "{err}");
}
