//! Integration tests (one binary). Data under `../shared` is optional: tests that need it print
//! a notice and return when it is absent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use parvis_opinion::*;
use serde_json::Value;

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/polis")
}

fn shared_dir(rel: &str) -> Option<PathBuf> {
    let p = shared().join(rel);
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("skipping: ../shared absent ({})", p.display());
        None
    }
}

#[allow(dead_code)]
fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Adjusted Rand index, written from the contingency table definition.
fn ari(a: &[usize], b: &[usize]) -> f64 {
    assert_eq!(a.len(), b.len());
    let mut table: HashMap<(usize, usize), f64> = HashMap::new();
    let mut ra: HashMap<usize, f64> = HashMap::new();
    let mut rb: HashMap<usize, f64> = HashMap::new();
    for (&x, &y) in a.iter().zip(b) {
        *table.entry((x, y)).or_default() += 1.0;
        *ra.entry(x).or_default() += 1.0;
        *rb.entry(y).or_default() += 1.0;
    }
    let c2 = |n: f64| n * (n - 1.0) / 2.0;
    let index: f64 = table.values().map(|&n| c2(n)).sum();
    let sa: f64 = ra.values().map(|&n| c2(n)).sum();
    let sb: f64 = rb.values().map(|&n| c2(n)).sum();
    let total = c2(a.len() as f64);
    let expected = sa * sb / total;
    let max = (sa + sb) / 2.0;
    if max == expected {
        1.0
    } else {
        (index - expected) / (max - expected)
    }
}

#[test]
fn ari_sanity() {
    assert!((ari(&[0, 0, 1, 1], &[1, 1, 0, 0]) - 1.0).abs() < 1e-12);
    // sklearn: adjusted_rand_score([0,0,1,1],[0,0,1,2]) = 0.5714285714285715
    assert!((ari(&[0, 0, 1, 1], &[0, 0, 1, 2]) - 0.5714285714285715).abs() < 1e-12);
}

/// Exported group-id per participant (participants-votes.csv).
fn exported_groups(path: &Path) -> HashMap<String, usize> {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let h = rdr.headers().unwrap().clone();
    let pi = h.iter().position(|x| x == "participant").unwrap();
    let gi = h.iter().position(|x| x == "group-id").unwrap();
    let mut out = HashMap::new();
    for r in rdr.records() {
        let r = r.unwrap();
        if let Ok(g) = r[gi].trim().parse::<usize>() {
            out.insert(r[pi].trim().to_string(), g);
        }
    }
    out
}

fn ari_vs_export(report: &Report, groups: &HashMap<String, usize>) -> f64 {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for p in &report.participants {
        if let (Some(g), Some(&e)) = (p.group, groups.get(&p.id)) {
            a.push(g);
            b.push(e);
        }
    }
    ari(&a, &b)
}

fn assert_no_nan(report: &Report) {
    // serde_json writes NaN/inf as null: any null outside `group` is a non-finite number.
    fn walk(v: &Value, key: &str, path: &str) {
        match v {
            Value::Null => assert_eq!(key, "group", "null (NaN?) at {path}"),
            Value::Number(n) => assert!(n.as_f64().is_some_and(f64::is_finite), "{path}"),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, x)| walk(x, key, &format!("{path}[{i}]"))),
            Value::Object(o) => o
                .iter()
                .for_each(|(k, x)| walk(x, k, &format!("{path}.{k}"))),
            _ => {}
        }
    }
    walk(&serde_json::to_value(report).unwrap(), "", "$");
}

// ---------------------------------------------------------------- production blobs (compat)

struct Blob {
    v: Value,
}

impl Blob {
    fn load(dir: &Path) -> Blob {
        let f = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().ends_with("_math_blob.json"))
            .unwrap();
        Blob {
            v: serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap(),
        }
    }
    fn ids(&self, key: &str) -> Vec<u64> {
        self.v[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .collect()
    }
    fn f64s(v: &Value) -> Vec<f64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    }
    /// Participant id lists of the base clusters, by base id.
    fn base_members(&self) -> BTreeMap<u64, Vec<String>> {
        let b = &self.v["base-clusters"];
        let ids = b["id"].as_array().unwrap();
        let mem = b["members"].as_array().unwrap();
        ids.iter()
            .zip(mem)
            .map(|(i, m)| {
                (
                    i.as_u64().unwrap(),
                    m.as_array()
                        .unwrap()
                        .iter()
                        .map(|p| p.to_string())
                        .collect(),
                )
            })
            .collect()
    }
    fn groups(&self) -> Vec<BTreeSet<String>> {
        let base = self.base_members();
        self.v["group-clusters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                g["members"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .flat_map(|b| base[&b.as_u64().unwrap()].clone())
                    .collect()
            })
            .collect()
    }
    /// The state Pol.is had after this update, as a warm start.
    fn warm_start(&self) -> WarmStart {
        let tids = self.ids("tids");
        let comps = self.v["pca"]["comps"].as_array().unwrap();
        let groups = self.v["group-clusters"].as_array().unwrap();
        let centers: Vec<[f64; 2]> = groups
            .iter()
            .map(|g| {
                let c = Blob::f64s(&g["center"]);
                [c[0], c[1]]
            })
            .collect();
        let k = centers.len();
        let mut tallies: HashMap<u64, (u64, u64, u64)> = HashMap::new();
        for (_, g) in self.v["group-votes"].as_object().unwrap() {
            for (t, c) in g["votes"].as_object().unwrap() {
                let e = tallies.entry(t.parse().unwrap()).or_default();
                e.0 += c["A"].as_u64().unwrap();
                e.1 += c["D"].as_u64().unwrap();
                e.2 += c["S"].as_u64().unwrap();
            }
        }
        WarmStart {
            in_conv: self.v["in-conv"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.to_string())
                .collect(),
            components: Some((tids, [Blob::f64s(&comps[0]), Blob::f64s(&comps[1])])),
            pca_guards: Vec::new(),
            base_clusters: self.base_members().into_values().collect(),
            group_centers: [(k, centers)].into_iter().collect(),
            k_smoother: Some((k, k, 0)),
            tallies,
        }
    }
}

fn load_reference(name: &str) -> Option<(Conversation, Blob)> {
    let dir = shared_dir(&format!("reference/{name}"))?;
    let blob = Blob::load(&dir);
    let mut conv = Conversation::from_polis_export_dir(&dir).unwrap();
    // The blob's own moderation state (the comments export lacks is-meta).
    let mod_out: BTreeSet<u64> = blob.ids("mod-out").into_iter().collect();
    let meta: BTreeSet<u64> = blob.ids("meta-tids").into_iter().collect();
    let ids: Vec<u64> = conv.statements().iter().map(|s| s.id).collect();
    for id in ids {
        conv.set_moderation(
            id,
            mod_out.contains(&id) && !meta.contains(&id),
            meta.contains(&id),
        );
    }
    Some((conv, blob))
}

fn close(a: f64, b: f64, tol: f64, what: &str) {
    let scale = 1.0f64.max(b.abs());
    assert!(
        (a - b).abs() <= tol * scale,
        "{what}: ours {a} vs Pol.is {b}"
    );
}

fn check_blob(name: &str) {
    let Some((conv, blob)) = load_reference(name) else {
        return;
    };
    let warm = blob.warm_start();
    let (r, _) = analyze_warm(&conv, &Options::compat(), Some(&warm)).unwrap();
    let tids = blob.ids("tids");
    assert_eq!(r.statement_ids, tids, "column set");
    let col: HashMap<u64, usize> = r
        .statement_ids
        .iter()
        .enumerate()
        .map(|(i, &t)| (t, i))
        .collect();

    // In-conv and vote counts.
    let in_conv: BTreeSet<String> = warm.in_conv.iter().cloned().collect();
    let ours_in: BTreeSet<String> = r
        .participants
        .iter()
        .filter(|p| p.group.is_some())
        .map(|p| p.id.clone())
        .collect();
    assert_eq!(ours_in, in_conv, "in-conv");

    // PCA centre.
    let center = Blob::f64s(&blob.v["pca"]["center"]);
    for (j, c) in center.iter().enumerate() {
        close(r.pca.center[j], *c, 1e-9, "pca centre");
    }
    // Components: Pol.is ran 100 warm-started steps per update for the whole life of the
    // conversation; one more update from its own vector moves it only by the remaining
    // convergence error.
    let comps = blob.v["pca"]["comps"].as_array().unwrap();
    let mut comp_err = 0.0f64;
    for (c, bc) in comps.iter().enumerate() {
        let bc = Blob::f64s(bc);
        let dot: f64 = bc
            .iter()
            .zip(&r.pca.components[c])
            .map(|(a, b)| a * b)
            .sum();
        let s = dot.signum();
        for (j, x) in bc.iter().enumerate() {
            comp_err = comp_err.max((r.pca.components[c][j] * s - x).abs());
        }
    }
    eprintln!("{name}: max |component − Pol.is| = {comp_err:.3e}");
    assert!(comp_err < 1e-9, "components differ by {comp_err}");
    // Extremity.
    let ext = Blob::f64s(&blob.v["pca"]["comment-extremity"]);
    let mut ext_err = 0.0f64;
    for (j, e) in ext.iter().enumerate() {
        ext_err = ext_err.max((r.pca.statement_extremity[j] - e).abs() / e.abs().max(1.0));
    }
    eprintln!("{name}: max extremity rel. error = {ext_err:.3e}");
    assert!(ext_err < 1e-9);

    // Base clusters: same memberships, same centres.
    let base: BTreeSet<Vec<String>> = blob
        .base_members()
        .into_values()
        .map(|mut v| {
            v.sort();
            v
        })
        .collect();
    let ours: BTreeSet<Vec<String>> = r
        .base_clusters
        .iter()
        .map(|b| {
            let mut v = b.members.clone();
            v.sort();
            v
        })
        .collect();
    assert_eq!(ours, base, "base-cluster memberships");
    let bx = Blob::f64s(&blob.v["base-clusters"]["x"]);
    let by = Blob::f64s(&blob.v["base-clusters"]["y"]);
    let bm = blob.base_members();
    let mut centre_err = 0.0f64;
    for (i, (_, members)) in bm.iter().enumerate() {
        let mut m = members.clone();
        m.sort();
        let ob = r
            .base_clusters
            .iter()
            .find(|b| {
                let mut v = b.members.clone();
                v.sort();
                v == m
            })
            .unwrap();
        centre_err = centre_err.max((ob.x - bx[i]).abs().max((ob.y - by[i]).abs()));
    }
    eprintln!("{name}: max base-centre error = {centre_err:.3e}");
    assert!(centre_err < 1e-9);

    // Groups.
    let bg: BTreeSet<BTreeSet<String>> = blob.groups().into_iter().collect();
    let og: BTreeSet<BTreeSet<String>> = r
        .groups
        .iter()
        .map(|g| g.members.iter().cloned().collect())
        .collect();
    assert_eq!(og, bg, "group memberships");

    // Group mapping (ours → blob id) by membership.
    let bgroups = blob.groups();
    let map: HashMap<usize, usize> = r
        .groups
        .iter()
        .map(|g| {
            let s: BTreeSet<String> = g.members.iter().cloned().collect();
            (g.id, bgroups.iter().position(|b| *b == s).unwrap())
        })
        .collect();

    // Repness.
    for g in &r.groups {
        let theirs = blob.v["repness"][map[&g.id].to_string()]
            .as_array()
            .unwrap();
        assert_eq!(
            g.representative.len(),
            theirs.len(),
            "repness count, group {}",
            g.id
        );
        for (o, t) in g.representative.iter().zip(theirs) {
            assert_eq!(
                o.statement,
                t["tid"].as_u64().unwrap(),
                "repness order, group {}",
                g.id
            );
            let rf = match o.repful_for {
                Repful::Agree => "agree",
                Repful::Disagree => "disagree",
            };
            assert_eq!(rf, t["repful-for"].as_str().unwrap());
            assert_eq!(o.n_success, t["n-success"].as_u64().unwrap());
            assert_eq!(o.n_trials, t["n-trials"].as_u64().unwrap());
            assert_eq!(o.best_agree, t["best-agree"].as_bool().unwrap_or(false));
            close(
                o.p_success,
                t["p-success"].as_f64().unwrap(),
                1e-9,
                "p-success",
            );
            close(o.p_test, t["p-test"].as_f64().unwrap(), 1e-9, "p-test");
            close(o.repness, t["repness"].as_f64().unwrap(), 1e-9, "repness");
            close(
                o.repness_test,
                t["repness-test"].as_f64().unwrap(),
                1e-6,
                "repness-test (f32)",
            );
        }
    }
    // Consensus.
    for (ours, key) in [
        (&r.consensus.agree, "agree"),
        (&r.consensus.disagree, "disagree"),
    ] {
        let theirs = blob.v["consensus"][key].as_array().unwrap();
        let a: Vec<u64> = ours.iter().map(|c| c.statement).collect();
        let b: Vec<u64> = theirs.iter().map(|c| c["tid"].as_u64().unwrap()).collect();
        assert_eq!(a, b, "consensus {key}");
        for (o, t) in ours.iter().zip(theirs) {
            assert_eq!(o.n_success, t["n-success"].as_u64().unwrap());
            assert_eq!(o.n_trials, t["n-trials"].as_u64().unwrap());
            close(
                o.p_success,
                t["p-success"].as_f64().unwrap(),
                1e-9,
                "consensus p",
            );
            close(o.p_test, t["p-test"].as_f64().unwrap(), 1e-9, "consensus z");
        }
    }
    // Group-aware consensus and priorities.
    for sv in &r.group_aware_consensus {
        let t = blob.v["group-aware-consensus"][sv.statement.to_string()]
            .as_f64()
            .unwrap();
        close(sv.value, t, 1e-9, "group-aware consensus");
    }
    let mut prio_err = 0.0f64;
    for sv in &r.priorities {
        let t = blob.v["comment-priorities"][sv.statement.to_string()]
            .as_f64()
            .unwrap();
        prio_err = prio_err.max((sv.value - t).abs() / t.abs().max(1e-300));
    }
    eprintln!("{name}: max priority rel. error = {prio_err:.3e}");
    assert!(prio_err < 1e-9);
    let _ = col;
    assert_no_nan(&r);
}

#[test]
fn compat_reproduces_vw_blob() {
    check_blob("r6vbnhffkxbd7ifmfbdrd-vw");
}

#[test]
fn compat_reproduces_biodiversity_blob() {
    check_blob("r4tykwac8thvzv35jrn53-biodiversity");
}

// ---------------------------------------------------------------- cold start vs exported groups

fn cold_ari(rel: &str) -> Option<(f64, Report)> {
    let dir = shared_dir(&format!("open-data/{rel}"))?;
    let conv = Conversation::from_polis_export_dir(&dir).unwrap();
    let r = analyze(&conv, &Options::compat()).unwrap();
    let groups = exported_groups(&dir.join("participants-votes.csv"));
    let a = ari_vs_export(&r, &groups);
    let sizes: Vec<usize> = r.groups.iter().map(|g| g.members.len()).collect();
    eprintln!(
        "{rel}: in-conv {} groups {:?} ARI {a:.3}",
        r.n_in_conv, sizes
    );
    assert_no_nan(&r);
    Some((a, r))
}

#[test]
fn cold_start_matches_polis_groups_biodiversity() {
    if let Some((a, _)) = cold_ari("scoop-hivemind.biodiversity") {
        assert!(a >= 0.9, "ARI {a}");
    }
}

#[test]
fn cold_start_matches_polis_groups_vtaiwan() {
    if let Some((a, _)) = cold_ari("vtaiwan.uberx") {
        assert!(a >= 0.9, "ARI {a}");
    }
}

#[test]
fn cold_start_matches_polis_groups_bg2050() {
    if let Some((a, _)) = cold_ari("bg2050-volunteers") {
        assert!(a >= 0.9, "ARI {a}");
    }
}

#[test]
fn cold_start_taxes_reported() {
    // POLIS_MATH §1.13: 0.81 expected (warm-start history); printed, loosely bounded.
    if let Some((a, _)) = cold_ari("scoop-hivemind.taxes") {
        assert!(a >= 0.7, "ARI {a}");
    }
}

// ---------------------------------------------------------------- fixture (always present)

fn london() -> Conversation {
    Conversation::from_polis_export_dir(&fixture("london.youth.policing")).unwrap()
}

#[test]
fn export_reader_reads_the_fixture() {
    let conv = london();
    assert_eq!(conv.statements().len(), 39);
    assert_eq!(conv.votes().len(), 640);
    // comments.csv `agrees` equals the number of +1 votes (export encoding: agree = +1).
    let agrees = conv
        .votes()
        .iter()
        .filter(|v| v.value == VoteValue::Agree)
        .count();
    let mut rdr = csv::Reader::from_path(fixture("london.youth.policing/comments.csv")).unwrap();
    let h = rdr.headers().unwrap().clone();
    let ai = h.iter().position(|x| x == "agrees").unwrap();
    let total: usize = rdr
        .records()
        .map(|r| r.unwrap()[ai].parse::<usize>().unwrap())
        .sum();
    assert_eq!(agrees, total);
    let r = analyze(&conv, &Options::compat()).unwrap();
    // The report counts the latest vote per (participant, statement): this export holds a few
    // re-votes, which comments.csv counts twice.
    let mut last: HashMap<(String, u64), (i64, usize, VoteValue)> = HashMap::new();
    for (i, v) in conv.votes().iter().enumerate() {
        let e =
            last.entry((v.participant.clone(), v.statement))
                .or_insert((v.timestamp, i, v.value));
        if (v.timestamp, i) >= (e.0, e.1) {
            *e = (v.timestamp, i, v.value);
        }
    }
    let dedup_agrees = last.values().filter(|e| e.2 == VoteValue::Agree).count();
    let agrees_in_report: u64 = r.statements.iter().map(|s| s.agrees).sum();
    assert_eq!(agrees_in_report as usize, dedup_agrees);
    assert_eq!(r.n_votes, last.len());
    assert!(last.len() < conv.votes().len());
    assert_no_nan(&r);
    let text = render_text(&r);
    assert!(text.contains("Opinion map (Compat mode)"), "{text}");
    let csv = report_csv(&r);
    assert_eq!(csv.lines().count(), r.statements.len() + 1);
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .starts_with("statement-id,moderated,meta,agrees")
    );
}

#[test]
fn export_reader_errors_name_file_line_and_field() {
    let dir = std::env::temp_dir().join(format!("parvis-opinion-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("comments.csv"),
        "comment-id,moderated,comment-body\n1,0,a\n2,0,b\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("votes.csv"),
        "timestamp,comment-id,voter-id,vote\n1,1,p,1\n2,2,p,7\n",
    )
    .unwrap();
    let e = Conversation::from_polis_export_dir(&dir)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("votes.csv") && e.contains("line 3") && e.contains("`vote`"),
        "{e}"
    );
    std::fs::write(
        dir.join("votes.csv"),
        "timestamp,comment-id,voter-id,vote\n1,9,p,1\n",
    )
    .unwrap();
    let e = Conversation::from_polis_export_dir(&dir)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("line 2") && e.contains("unknown statement 9"),
        "{e}"
    );
    std::fs::write(dir.join("votes.csv"), "timestamp,comment-id,vote\n1,1,1\n").unwrap();
    let e = Conversation::from_polis_export_dir(&dir)
        .unwrap_err()
        .to_string();
    assert!(e.contains("missing column `voter-id`"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------- default mode

#[test]
fn default_mode_is_deterministic_for_a_seed() {
    let conv = london();
    let opts = Options {
        mode: Mode::Default,
        seed: 42,
        ..Default::default()
    };
    let a = serde_json::to_string(&analyze(&conv, &opts).unwrap()).unwrap();
    let b = serde_json::to_string(&analyze(&conv, &opts).unwrap()).unwrap();
    assert_eq!(a, b);
    // Another seed: same map up to the components' sign (exact PCA converges to the same axes).
    let c = analyze(
        &conv,
        &Options {
            seed: 7,
            ..opts.clone()
        },
    )
    .unwrap();
    let a: Report = serde_json::from_str(&a).unwrap();
    let ga: Vec<Option<usize>> = a.participants.iter().map(|p| p.group).collect();
    let gc: Vec<Option<usize>> = c.participants.iter().map(|p| p.group).collect();
    assert_eq!(
        ga.iter().filter(|g| g.is_some()).count(),
        gc.iter().filter(|g| g.is_some()).count()
    );
}

fn no_small_groups(r: &Report, min: usize) {
    for g in &r.groups {
        assert!(
            g.members.len() >= min,
            "group {} has {} member(s)",
            g.id,
            g.members.len()
        );
    }
}

#[test]
fn default_mode_has_no_one_person_groups_and_reports_its_distance_from_compat() {
    let mut dirs = vec![fixture("london.youth.policing")];
    for rel in [
        "open-data/scoop-hivemind.biodiversity",
        "open-data/vtaiwan.uberx",
        "open-data/scoop-hivemind.ubi",
    ] {
        if let Some(d) = shared_dir(rel) {
            dirs.push(d);
        }
    }
    for dir in dirs {
        let conv = Conversation::from_polis_export_dir(&dir).unwrap();
        let c = analyze(&conv, &Options::compat()).unwrap();
        let d = analyze(&conv, &Options::default()).unwrap();
        no_small_groups(&d, 2);
        assert_no_nan(&d);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for (x, y) in c.participants.iter().zip(&d.participants) {
            assert_eq!(x.id, y.id);
            if let (Some(x), Some(y)) = (x.group, y.group) {
                a.push(x);
                b.push(y);
            }
        }
        let cos: Vec<f64> = (0..2)
            .map(|k| {
                c.pca.components[k]
                    .iter()
                    .zip(&d.pca.components[k])
                    .map(|(x, y)| x * y)
                    .sum::<f64>()
                    .abs()
            })
            .collect();
        let ari_cd = ari(&a, &b);
        eprintln!(
            "{}: compat k={} sizes {:?} | default k={} sizes {:?} | ARI(compat, default) {:.3} | |cos| pc1 {:.6} pc2 {:.6} | PCA products compat {} default {}",
            dir.file_name().unwrap().to_string_lossy(),
            c.groups.len(),
            c.groups.iter().map(|g| g.members.len()).collect::<Vec<_>>(),
            d.groups.len(),
            d.groups.iter().map(|g| g.members.len()).collect::<Vec<_>>(),
            ari_cd,
            cos[0],
            cos[1],
            c.pca.iterations,
            d.pca.iterations
        );
        // Same data, same first axis.
        assert!(cos[0] > 0.999, "pc1 moved: {}", cos[0]);
    }
}

// ---------------------------------------------------------------- bad input

fn small(n_people: usize, n_statements: u64) -> Conversation {
    let mut c = Conversation::new();
    for s in 0..n_statements {
        c.add_statement(s, format!("statement {s}"), false).unwrap();
    }
    for p in 0..n_people {
        for s in 0..n_statements {
            let v = match (p + s as usize) % 3 {
                0 => VoteValue::Agree,
                1 => VoteValue::Disagree,
                _ => VoteValue::Pass,
            };
            c.add_vote(format!("p{p}"), s, v, (p * 100 + s as usize) as i64)
                .unwrap();
        }
    }
    c
}

#[test]
fn unknown_statement_is_an_error() {
    let mut c = small(3, 3);
    let e = c.add_vote("p0", 99, VoteValue::Agree, 0).unwrap_err();
    assert!(
        matches!(e, OpinionError::UnknownStatement { statement: 99, .. }),
        "{e}"
    );
    assert!(c.add_statement(1, "again", false).is_err());
}

#[test]
fn duplicate_votes_last_one_counts() {
    let mut c = small(20, 8);
    // p0 agreed with 0 at t=0; later disagree, then (same timestamp, later call) agree again on 1.
    c.add_vote("p0", 0, VoteValue::Disagree, 10_000).unwrap();
    c.add_vote("p0", 1, VoteValue::Pass, 20_000).unwrap();
    c.add_vote("p0", 1, VoteValue::Agree, 20_000).unwrap();
    // An older vote arriving late does not override.
    c.add_vote("p0", 2, VoteValue::Agree, -5).unwrap();
    for mode in [Mode::Compat, Mode::Default] {
        let r = analyze(
            &c,
            &Options {
                mode,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(r.n_votes, 20 * 8);
        let s0 = r.statements.iter().find(|s| s.id == 0).unwrap();
        let s1 = r.statements.iter().find(|s| s.id == 1).unwrap();
        let s2 = r.statements.iter().find(|s| s.id == 2).unwrap();
        let base = small(20, 8);
        let b = analyze(
            &base,
            &Options {
                mode,
                ..Default::default()
            },
        )
        .unwrap();
        let b0 = b.statements.iter().find(|s| s.id == 0).unwrap();
        let b1 = b.statements.iter().find(|s| s.id == 1).unwrap();
        let b2 = b.statements.iter().find(|s| s.id == 2).unwrap();
        // p0's original votes: s0 agree ((0+0)%3=0), s1 disagree, s2 pass.
        assert_eq!((s0.agrees, s0.disagrees), (b0.agrees - 1, b0.disagrees + 1));
        assert_eq!((s1.agrees, s1.disagrees), (b1.agrees + 1, b1.disagrees - 1));
        assert_eq!((s2.agrees, s2.passes), (b2.agrees, b2.passes));
        assert_no_nan(&r);
    }
}

#[test]
fn too_few_participants_or_statements_is_a_clear_error() {
    for (p, s) in [(1, 5), (5, 1), (0, 0)] {
        let c = small(p, s);
        for mode in [Mode::Compat, Mode::Default] {
            let e = analyze(
                &c,
                &Options {
                    mode,
                    ..Default::default()
                },
            )
            .unwrap_err();
            assert!(matches!(e, OpinionError::NotEnoughData(_)), "{e}");
            assert!(e.to_string().contains("at least 2"), "{e}");
        }
    }
    // Exactly two of each works.
    for mode in [Mode::Compat, Mode::Default] {
        let r = analyze(
            &small(2, 2),
            &Options {
                mode,
                ..Default::default()
            },
        )
        .unwrap();
        assert_no_nan(&r);
    }
}

#[test]
fn all_pass_and_identical_voters_give_no_nan() {
    let mut c = Conversation::new();
    for s in 0..10 {
        c.add_statement(s, "s", false).unwrap();
    }
    for p in 0..30 {
        for s in 0..10 {
            c.add_vote(p.to_string(), s, VoteValue::Pass, 0).unwrap();
        }
    }
    for mode in [Mode::Compat, Mode::Default] {
        let r = analyze(
            &c,
            &Options {
                mode,
                ..Default::default()
            },
        )
        .unwrap();
        assert_no_nan(&r);
        assert!(r.pca.components.iter().flatten().all(|x| *x == 0.0));
        assert!(!r.groups.is_empty());
        render_text(&r);
        report_csv(&r);
    }
    // Everyone identical (all agree), plus a moderated statement and a meta one.
    let mut c = Conversation::new();
    for s in 0..6 {
        c.add_statement(s, "s", s == 4).unwrap();
    }
    c.push_statement(Statement {
        id: 9,
        text: "meta".into(),
        moderated: false,
        meta: true,
    })
    .unwrap();
    for p in 0..20 {
        for s in [0, 1, 2, 3, 4, 5, 9] {
            c.add_vote(p.to_string(), s, VoteValue::Agree, 0).unwrap();
        }
    }
    for mode in [Mode::Compat, Mode::Default] {
        let r = analyze(
            &c,
            &Options {
                mode,
                ..Default::default()
            },
        )
        .unwrap();
        assert_no_nan(&r);
        let meta = r.priorities.iter().find(|p| p.statement == 9).unwrap();
        assert_eq!(meta.value, 49.0);
        assert!(
            r.consensus
                .agree
                .iter()
                .all(|s| s.statement != 4 && s.statement != 9)
        );
    }
}

#[test]
fn polis_caps_drop_votes_in_compat_only() {
    let c = small(12, 6);
    let lowered = Options {
        polis_caps: (10, 4),
        ..Options::compat()
    };
    let r = analyze(&c, &lowered).unwrap();
    assert_eq!(
        (r.n_participants, r.n_statements),
        (10, 4),
        "Pol.is drops votes past its caps"
    );
    let d = analyze(
        &c,
        &Options {
            polis_caps: (10, 4),
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(
        (d.n_participants, d.n_statements, d.n_votes),
        (12, 6, 72),
        "Parvis keeps every vote"
    );
}

// ---------------------------------------------------------------- incremental

#[test]
fn incremental_update_matches_a_recompute_closely() {
    let conv = london();
    for opts in [Options::compat(), Options::default()] {
        let mut st = OpinionState::new(&conv, opts.clone()).unwrap();
        let before = st.report().unwrap().clone();
        // A new participant who agrees with statement 1, and a changed vote.
        st.add_vote("new-person", 1, VoteValue::Agree).unwrap();
        let r = st.report().unwrap().clone();
        assert_eq!(r.n_participants, before.n_participants + 1);
        assert_eq!(r.n_votes, before.n_votes + 1);
        assert_eq!(
            st.group_of("new-person"),
            None,
            "one vote is too few to be clustered"
        );
        st.add_vote("new-person", 1, VoteValue::Disagree).unwrap();
        let r = st.report().unwrap().clone();
        assert_eq!(r.n_votes, before.n_votes + 1);
        let s1 = r.statements.iter().find(|s| s.id == 1).unwrap();
        let b1 = before.statements.iter().find(|s| s.id == 1).unwrap();
        assert_eq!(s1.disagrees, b1.disagrees + 1);
        assert!(st.add_vote("x", 12345, VoteValue::Agree).is_err());
        let clustered = r.participants.iter().find(|p| p.group.is_some()).unwrap();
        assert_eq!(st.group_of(&clustered.id), clustered.group);
        // The warm state survives a round trip through its serialisable form.
        let warm = st.warm_start().unwrap();
        let json = serde_json::to_string(&warm).unwrap();
        let warm: WarmStart = serde_json::from_str(&json).unwrap();
        let mut conv1 = conv.clone();
        conv1
            .add_vote("new-person", 1, VoteValue::Disagree, i64::MAX)
            .unwrap();
        let mut again = OpinionState::with_warm_start(&conv1, opts.clone(), &warm).unwrap();
        let ra = again.report().unwrap();
        let clustered_ids = |r: &Report| -> BTreeSet<String> {
            r.participants
                .iter()
                .filter(|p| p.group.is_some())
                .map(|p| p.id.clone())
                .collect()
        };
        let (ga, gb) = (clustered_ids(ra), clustered_ids(&r));
        assert_eq!(ga, gb, "same clustered set after a warm restart");
        // The warm-started map agrees with a cold recompute of the same votes.
        let mut conv2 = conv.clone();
        conv2
            .add_vote("new-person", 1, VoteValue::Disagree, i64::MAX)
            .unwrap();
        let cold = analyze(&conv2, &opts).unwrap();
        let warm = st.report().unwrap();
        let cos = cold.pca.components[0]
            .iter()
            .zip(&warm.pca.components[0])
            .map(|(a, b)| a * b)
            .sum::<f64>()
            .abs();
        assert!(cos > 0.999, "pc1 |cos| {cos}");
        assert_no_nan(warm);
        if opts.mode == Mode::Default {
            no_small_groups(warm, 2);
        }
    }
}

// ---------------------------------------------------------------- API contract

#[test]
fn report_json_contract_for_the_app() {
    let conv = london();
    let r = analyze(&conv, &Options::default()).unwrap();
    let v = serde_json::to_value(&r).unwrap();
    let parts = v["participants"].as_array().unwrap();
    assert_eq!(parts.len(), r.n_participants);
    for p in parts {
        let keys: BTreeSet<&str> = p.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, BTreeSet::from(["id", "group"]));
        assert!(p["id"].is_string());
        assert!(p["group"].is_null() || p["group"].is_u64());
    }
    // Unclustered participants (fewer than 7 votes) have a null group.
    let few: Vec<&str> = r
        .participants
        .iter()
        .filter(|p| p.group.is_none())
        .map(|p| p.id.as_str())
        .collect();
    for id in &few {
        let n = conv.votes().iter().filter(|v| v.participant == *id).count();
        assert!(n < 7, "{id} has {n} votes but no group");
    }
    // Round trip.
    let back: Report = serde_json::from_value(v).unwrap();
    assert_eq!(back, r);
    assert_eq!(serde_json::to_value(Mode::Compat).unwrap(), "compat");
}

#[test]
fn conversation_round_trips_through_serde() {
    let conv = london();
    let json = serde_json::to_string(&conv).unwrap();
    let mut back: Conversation = serde_json::from_str(&json).unwrap();
    assert_eq!(back.statements(), conv.statements());
    assert_eq!(back.votes(), conv.votes());
    let a = analyze(&conv, &Options::default()).unwrap();
    let b = analyze(&back, &Options::default()).unwrap();
    assert_eq!(a, b);
    // The statement index is rebuilt after deserialisation.
    assert!(back.add_vote("z", 1, VoteValue::Pass, 0).is_ok());
    assert!(back.add_vote("z", 999, VoteValue::Pass, 0).is_err());
}

#[test]
fn export_reader_reads_is_meta_and_moderation() {
    let dir = std::env::temp_dir().join(format!("parvis-opinion-meta-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("comments.csv"),
        "timestamp,comment-id,author-id,agrees,disagrees,moderated,is-meta,is-seed,comment-body\n\
         1,0,0,0,0,1,true,true,\"I am, a \"\"meta\"\" one\"\n2,1,0,0,0,-1,false,false,hidden\n3,2,0,0,0,0,false,false,plain\n",
    )
    .unwrap();
    let mut votes = String::from("timestamp,datetime,comment-id,voter-id,vote\n");
    for p in 0..4 {
        for c in 0..3 {
            votes.push_str(&format!(
                "{},x,{c},{p},{}\n",
                p * 10 + c,
                if (p + c) % 2 == 0 { 1 } else { -1 }
            ));
        }
    }
    std::fs::write(dir.join("votes.csv"), votes).unwrap();
    let conv = Conversation::from_polis_export_dir(&dir).unwrap();
    let s0 = conv.statement(0).unwrap();
    assert!(s0.meta && !s0.moderated);
    assert_eq!(s0.text, "I am, a \"meta\" one");
    assert!(conv.statement(1).unwrap().moderated);
    let r = analyze(&conv, &Options::compat()).unwrap();
    assert_eq!(
        r.priorities
            .iter()
            .find(|p| p.statement == 0)
            .unwrap()
            .value,
        49.0
    );
    // Moderated and meta columns are zeroed: centre 0, no weight in the components.
    assert_eq!(r.pca.center[0], 0.0);
    assert_eq!(r.pca.center[1], 0.0);
    assert!(r.pca.components.iter().all(|c| c[0] == 0.0 && c[1] == 0.0));
    assert!(
        r.groups
            .iter()
            .flat_map(|g| &g.representative)
            .all(|s| s.statement == 2)
    );
    let csv = report_csv(&r);
    assert!(csv.contains("\"I am, a \"\"meta\"\" one\""), "{csv}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn default_mode_agreement_with_polis_exports_is_reported() {
    for rel in [
        "scoop-hivemind.biodiversity",
        "vtaiwan.uberx",
        "bg2050-volunteers",
        "scoop-hivemind.taxes",
    ] {
        let Some(dir) = shared_dir(&format!("open-data/{rel}")) else {
            return;
        };
        let conv = Conversation::from_polis_export_dir(&dir).unwrap();
        let r = analyze(&conv, &Options::default()).unwrap();
        let a = ari_vs_export(&r, &exported_groups(&dir.join("participants-votes.csv")));
        eprintln!(
            "{rel}: default mode k={} sizes {:?} ARI vs Pol.is export {a:.3}",
            r.groups.len(),
            r.groups.iter().map(|g| g.members.len()).collect::<Vec<_>>()
        );
        assert!(a.is_finite());
        no_small_groups(&r, 2);
    }
}

#[test]
fn incremental_state_starts_empty_and_grows_a_map() {
    let mut conv = Conversation::new();
    for s in 0..5 {
        conv.add_statement(s, format!("s{s}"), false).unwrap();
    }
    let mut st = OpinionState::new(&conv, Options::default()).unwrap();
    assert!(st.report().is_none(), "no votes, no map");
    for p in 0..20u64 {
        for s in 0..5u64 {
            let v = if (p % 2 == 0) == (s < 3) {
                VoteValue::Agree
            } else {
                VoteValue::Disagree
            };
            st.add_vote(&format!("m{p}"), s, v).unwrap();
        }
    }
    st.add_statement(7, "late", false);
    st.add_vote("m0", 7, VoteValue::Agree).unwrap();
    let r = st.report().unwrap();
    assert_eq!(r.n_participants, 20);
    assert_eq!(r.n_statements, 6);
    assert_eq!(r.groups.len(), 2, "two opinion camps: {:?}", r.silhouettes);
    assert_no_nan(r);
    let g0 = st.group_of("m0");
    assert!(g0.is_some());
    assert_eq!(st.group_of("m2"), g0);
    assert_ne!(st.group_of("m1"), g0);
}

#[test]
fn compat_updates_use_previous_tallies_for_priorities_default_uses_current() {
    fn priority(a: f64, d: f64, s: f64, e: f64) -> f64 {
        let p = s - (a + d);
        let imp = (1.0 - (p + 1.0) / (s + 2.0)) * (e + 1.0) * (a + 1.0) / (s + 2.0);
        (imp * (1.0 + 8.0 * 2f64.powf(-s / 5.0))).powi(2)
    }
    fn summed(r: &Report, id: u64) -> (f64, f64, f64) {
        let s = r.statements.iter().find(|s| s.id == id).unwrap();
        s.groups.iter().fold((0.0, 0.0, 0.0), |acc, t| {
            (
                acc.0 + t.agrees as f64,
                acc.1 + t.disagrees as f64,
                acc.2 + t.seen as f64,
            )
        })
    }
    let conv = london();
    for opts in [Options::compat(), Options::default()] {
        let mut st = OpinionState::new(&conv, opts.clone()).unwrap();
        let before = st.report().unwrap().clone();
        // A clustered participant changes a vote: the group tallies move.
        let who = before
            .participants
            .iter()
            .find(|p| p.group.is_some())
            .unwrap()
            .id
            .clone();
        st.add_vote(&who, 1, VoteValue::Pass).unwrap();
        let after = st.report().unwrap().clone();
        assert_ne!(
            summed(&before, 1),
            summed(&after, 1),
            "the vote must change the tallies"
        );
        for (j, &id) in after.statement_ids.iter().enumerate() {
            let e = after.pca.statement_extremity[j];
            let (a, d, s) = if opts.mode == Mode::Compat {
                summed(&before, id)
            } else {
                summed(&after, id)
            };
            let want = priority(a, d, s, e);
            let got = after.priorities[j].value;
            assert!(
                (got - want).abs() <= 1e-12 * want.max(1.0),
                "{:?} statement {id}: {got} vs {want}",
                opts.mode
            );
        }
    }
}
