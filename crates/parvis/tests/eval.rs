//! `parvis eval feed` on a small mailing list written here, and on the real corpus when
//! `../shared` is present.

mod support;

use serde_json::Value;
use support::*;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

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
        for key in ["parvis", "most_recent", "most_active", "hot"] {
            let n = v[key]["ndcg_at_10"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&n), "{key}: {n}");
            assert!(v[key]["recall_at_20"].is_f64());
        }
        assert!(v["users"].as_u64().unwrap() > 0);
        // Judged against the best baseline, named.
        let best = v["best_baseline"].as_str().unwrap().to_string();
        let ratio = v["ratio_to_best"].as_f64().unwrap();
        let expect =
            v["parvis"]["ndcg_at_10"].as_f64().unwrap() / v[&best]["ndcg_at_10"].as_f64().unwrap();
        assert!((ratio - expect).abs() < 1e-9, "{ratio} vs {expect}");
        for key in ["most_recent", "most_active", "hot"] {
            assert!(v[&best]["ndcg_at_10"].as_f64() >= v[key]["ndcg_at_10"].as_f64());
        }
        // The same archive as Mailman offers it for download, every month gzipped: the same
        // report, figure for figure.
        let gz = tempfile::tempdir().unwrap();
        for e in std::fs::read_dir(&corpus).unwrap() {
            let p = e.unwrap().path();
            let name = format!("{}.gz", p.file_name().unwrap().to_string_lossy());
            std::fs::write(gz.path().join(name), gzip(&std::fs::read(&p).unwrap())).unwrap();
        }
        // A downloaded archive also holds its index page: left out, and said.
        std::fs::write(gz.path().join("index.html"), "<html></html>\n").unwrap();
        let (ok, out_gz, err) = run(&["eval", "feed", gz.path().to_str().unwrap(), "--json"]);
        assert!(ok, "{err}");
        let mut w: Value = serde_json::from_str(out_gz.trim()).unwrap();
        let left_out = w.as_object_mut().unwrap().remove("files_left_out").unwrap();
        assert!(
            left_out[0].as_str().unwrap().ends_with("index.html"),
            "{left_out}"
        );
        assert_eq!(w, v, "the same report, figure for figure");
    }
    let (ok, _, err) = run(&["eval", "feed", "/nonexistent/folder", "--json"]);
    assert!(!ok);
    assert!(err.contains("/nonexistent/folder"), "{err}");
    // Each cause said once, not repeated by the error chain.
    assert_eq!(err.matches("no such file or folder").count(), 1, "{err}");
}

/// Bad input says what the folder held and what the evaluation needs, exits non-zero and
/// never panics.
#[test]
fn eval_feed_explains_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let (ok, _, err) = run(&["eval", "feed", empty.to_str().unwrap()]);
    assert!(!ok);
    assert!(
        err.contains("holds no file") && err.contains("needs a folder of mbox files"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");

    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("notes.csv"), "a,b\n1,2\n").unwrap();
    std::fs::write(other.join("readme.txt"), "hello\n").unwrap();
    let (ok, _, err) = run(&["eval", "feed", other.to_str().unwrap(), "--json"]);
    assert!(!ok);
    assert!(
        err.contains("2 files") && err.contains("notes.csv") && err.contains("none is an mbox"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");

    // Three messages: a real mbox, far too small to learn or evaluate anything.
    let small = dir.path().join("small");
    std::fs::create_dir(&small).unwrap();
    let mut mbox = String::new();
    for (i, (who, day)) in [("ann", 1), ("bob", 2), ("ann", 3)].iter().enumerate() {
        mbox.push_str(&format!(
            "From {who} at example.org  Mon Mar  {day} 10:00:00 2025\nFrom: {who} at example.org ({who})\n\
             Date: Mon, {day} Mar 2025 10:00:00 +0000\nSubject: [list] rasters\nMessage-ID: <m{i}@example.org>\n\n\
             How do I reproject a raster?\n\n"
        ));
    }
    std::fs::write(small.join("2025-March.txt"), &mbox).unwrap();
    let (ok, _, err) = run(&["eval", "feed", small.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("found 3 messages"), "{err}");
    assert!(err.contains("needs"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    // The same, gzipped as Mailman offers its archives: read, then found too small.
    let small_gz = dir.path().join("small-gz");
    std::fs::create_dir(&small_gz).unwrap();
    std::fs::write(small_gz.join("2025-March.txt.gz"), gzip(mbox.as_bytes())).unwrap();
    let (ok, _, err) = run(&["eval", "feed", small_gz.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("found 3 messages"), "{err}");

    // A file named .gz that is not gzip, nor an mbox: said, not a panic.
    let bad_gz = dir.path().join("bad-gz");
    std::fs::create_dir(&bad_gz).unwrap();
    std::fs::write(bad_gz.join("2025-March.txt.gz"), [0x1f, 0x8b, 8, 0, 0xff]).unwrap();
    let (ok, _, err) = run(&["eval", "feed", bad_gz.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("none is an mbox"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
