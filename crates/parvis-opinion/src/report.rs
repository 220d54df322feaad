//! The report (serde-serialisable) and its text and CSV renderings.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::Mode;

/// Everything an opinion map computes. Statement-indexed vectors follow `statement_ids`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Report {
    /// The mode that produced it.
    pub mode: Mode,
    /// Participants with at least one counted vote.
    pub n_participants: usize,
    /// Statements with at least one counted vote (the matrix columns).
    pub n_statements: usize,
    /// Counted votes (after deduplication and, in compat mode, Pol.is's caps).
    pub n_votes: usize,
    /// Participants clustered (Pol.is "in-conv").
    pub n_in_conv: usize,
    /// Column order of every per-statement vector below.
    pub statement_ids: Vec<u64>,
    /// PCA results.
    pub pca: Pca,
    /// 2-D position of every participant (all participants, clustered or not).
    pub projections: Vec<Projection>,
    /// Each participant and their group (None when not clustered).
    pub participants: Vec<ParticipantGroup>,
    /// Base clusters (k-means with k = 100 on the in-conv projections).
    pub base_clusters: Vec<BaseCluster>,
    /// Silhouette of each candidate group count.
    pub silhouettes: Vec<KScore>,
    /// The groups shown on the map.
    pub groups: Vec<Group>,
    /// Statements the whole population agrees / disagrees with.
    pub consensus: Consensus,
    /// Group-aware consensus per statement: Π_g (A_g+1)/(S_g+2).
    pub group_aware_consensus: Vec<StatementValue>,
    /// Statements that split the groups most (largest spread of agree share between groups).
    pub divisive: Vec<Divisive>,
    /// Routing priority per statement.
    pub priorities: Vec<StatementValue>,
    /// Per-statement totals and per-group tallies.
    pub statements: Vec<StatementStats>,
}

/// PCA output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Pca {
    /// Column means over voted cells.
    pub center: Vec<f64>,
    /// Two unit components, one value per statement.
    pub components: Vec<Vec<f64>>,
    /// Where a participant who agreed with only that statement would sit.
    pub statement_projections: Vec<[f64; 2]>,
    /// Length of each statement projection.
    pub statement_extremity: Vec<f64>,
    /// Matrix–vector products used (both components).
    pub iterations: usize,
}

/// A participant's position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Projection {
    /// Participant id.
    pub id: String,
    /// First coordinate.
    pub x: f64,
    /// Second coordinate.
    pub y: f64,
}

/// A participant's group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ParticipantGroup {
    /// Participant id from the export or the app.
    pub id: String,
    /// Group id, or None when the participant is not clustered (too few votes).
    pub group: Option<usize>,
}

/// A base cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BaseCluster {
    /// Id (position in this list).
    pub id: usize,
    /// Participant ids.
    pub members: Vec<String>,
    /// Centre.
    pub x: f64,
    /// Centre.
    pub y: f64,
}

/// Silhouette of one candidate k.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct KScore {
    /// Number of groups asked for.
    pub k: usize,
    /// Mean silhouette over base-cluster centres.
    pub silhouette: f64,
    /// False when default mode rejected it (a group smaller than `min_group_size`).
    pub eligible: bool,
}

/// One opinion group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Group {
    /// Group id (0-based).
    pub id: usize,
    /// Participant ids.
    pub members: Vec<String>,
    /// Base-cluster ids.
    pub base_clusters: Vec<usize>,
    /// Weighted centre.
    pub center: [f64; 2],
    /// Representative statements, agrees first (Pol.is repness).
    pub representative: Vec<RepStatement>,
}

/// Whether a statement represents a group by agreement or disagreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Repful {
    /// The group agrees more than the rest.
    Agree,
    /// The group disagrees more than the rest.
    Disagree,
}

/// A representative statement with its statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RepStatement {
    /// Statement id.
    pub statement: u64,
    /// Agree or disagree.
    pub repful_for: Repful,
    /// Group members who agreed (or disagreed).
    pub n_success: u64,
    /// Group members who saw it (passes included).
    pub n_trials: u64,
    /// (1 + n_success) / (2 + n_trials).
    pub p_success: f64,
    /// One-sample z against 0.5.
    pub p_test: f64,
    /// p_success over the rest's.
    pub repness: f64,
    /// Two-proportion z against the rest (float32 precision in compat mode, as Pol.is stores it).
    pub repness_test: f64,
    /// Pol.is's "best agree" pick.
    pub best_agree: bool,
    /// 100 · n_success / n_trials.
    pub percent: f64,
}

/// Population consensus lists.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Consensus {
    /// Top agreed statements.
    pub agree: Vec<ConsensusStatement>,
    /// Top disagreed statements.
    pub disagree: Vec<ConsensusStatement>,
}

/// A consensus statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConsensusStatement {
    /// Statement id.
    pub statement: u64,
    /// Agrees (or disagrees).
    pub n_success: u64,
    /// Votes, passes included.
    pub n_trials: u64,
    /// (1 + n_success) / (2 + n_trials).
    pub p_success: f64,
    /// One-sample z against 0.5.
    pub p_test: f64,
    /// 100 · n_success / n_trials.
    pub percent: f64,
}

/// A number per statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StatementValue {
    /// Statement id.
    pub statement: u64,
    /// The value.
    pub value: f64,
}

/// A divisive statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Divisive {
    /// Statement id.
    pub statement: u64,
    /// max − min over groups of the smoothed agree share (A+1)/(A+D+2).
    pub score: f64,
    /// That share, per group.
    pub agree_share: Vec<f64>,
}

/// Per-statement totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StatementStats {
    /// Statement id.
    pub id: u64,
    /// Text.
    pub text: String,
    /// Moderated out.
    pub moderated: bool,
    /// Meta statement.
    pub meta: bool,
    /// Agrees (everyone).
    pub agrees: u64,
    /// Disagrees (everyone).
    pub disagrees: u64,
    /// Passes (everyone).
    pub passes: u64,
    /// Extremity.
    pub extremity: f64,
    /// Priority.
    pub priority: f64,
    /// Group-aware consensus.
    pub group_aware_consensus: f64,
    /// Tallies per group (raw votes of the group's members).
    pub groups: Vec<GroupTally>,
}

/// A group's votes on one statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GroupTally {
    /// Group id.
    pub group: usize,
    /// Agrees.
    pub agrees: u64,
    /// Disagrees.
    pub disagrees: u64,
    /// Votes, passes included.
    pub seen: u64,
}

fn pct(a: u64, n: u64) -> f64 {
    if n == 0 {
        0.0
    } else {
        100.0 * a as f64 / n as f64
    }
}

fn short(text: &str, n: usize) -> String {
    let t: String = text.chars().take(n).collect();
    if text.chars().count() > n {
        format!("{t}…")
    } else {
        t
    }
}

/// A human summary for a terminal.
pub fn render_text(r: &Report) -> String {
    let text_of = |id: u64| {
        r.statements
            .iter()
            .find(|s| s.id == id)
            .map(|s| short(&s.text, 90))
            .unwrap_or_default()
    };
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Opinion map ({:?} mode): {} participants ({} clustered), {} statements, {} votes",
        r.mode, r.n_participants, r.n_in_conv, r.n_statements, r.n_votes
    );
    let sizes: Vec<String> = r
        .groups
        .iter()
        .map(|g| g.members.len().to_string())
        .collect();
    let _ = writeln!(
        o,
        "{} base clusters, {} groups (sizes {})",
        r.base_clusters.len(),
        r.groups.len(),
        sizes.join(", ")
    );
    for g in &r.groups {
        let _ = writeln!(o, "\nGroup {} — {} members", g.id, g.members.len());
        for s in &g.representative {
            let verb = match s.repful_for {
                Repful::Agree => "agree",
                Repful::Disagree => "disagree",
            };
            let _ = writeln!(
                o,
                "  {:>3.0}% {:<8} #{:<5} {}",
                s.percent,
                verb,
                s.statement,
                text_of(s.statement)
            );
        }
    }
    let _ = writeln!(o, "\nConsensus (everyone):");
    for (label, list) in [
        ("agree", &r.consensus.agree),
        ("disagree", &r.consensus.disagree),
    ] {
        for s in list {
            let _ = writeln!(
                o,
                "  {:>3.0}% {:<8} #{:<5} {}",
                s.percent,
                label,
                s.statement,
                text_of(s.statement)
            );
        }
    }
    let mut gac = r.group_aware_consensus.clone();
    gac.sort_by(|a, b| b.value.total_cmp(&a.value));
    let _ = writeln!(o, "\nGroup-aware consensus (top 5):");
    for s in gac.iter().take(5) {
        let _ = writeln!(
            o,
            "  {:.3}  #{:<5} {}",
            s.value,
            s.statement,
            text_of(s.statement)
        );
    }
    if !r.divisive.is_empty() {
        let _ = writeln!(o, "\nDivisive:");
        for d in &r.divisive {
            let _ = writeln!(
                o,
                "  {:.3}  #{:<5} {}",
                d.score,
                d.statement,
                text_of(d.statement)
            );
        }
    }
    o
}

/// A free-text CSV cell. A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage
/// return is read as a formula by spreadsheets (formula injection: a statement such as
/// `=HYPERLINK("http://evil", "click")` would run when the export is opened), so it gets a
/// leading `'`, which spreadsheets show as text. Only text cells are concerned: the numeric
/// cells are written by this module and a negative number must stay a number.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Statements with totals and per-group stats, one CSV row per statement.
pub fn report_csv(r: &Report) -> String {
    let mut o = String::new();
    let mut header = vec![
        "statement-id".to_string(),
        "moderated".into(),
        "meta".into(),
        "agrees".into(),
        "disagrees".into(),
        "passes".into(),
        "extremity".into(),
        "priority".into(),
        "group-aware-consensus".into(),
    ];
    for g in &r.groups {
        for f in ["agrees", "disagrees", "seen", "agree-pct", "disagree-pct"] {
            header.push(format!("group-{}-{f}", g.id));
        }
    }
    header.push("text".into());
    let _ = writeln!(o, "{}", header.join(","));
    for s in &r.statements {
        let mut row = vec![
            s.id.to_string(),
            s.moderated.to_string(),
            s.meta.to_string(),
            s.agrees.to_string(),
            s.disagrees.to_string(),
            s.passes.to_string(),
            format!("{}", s.extremity),
            format!("{}", s.priority),
            format!("{}", s.group_aware_consensus),
        ];
        for t in &s.groups {
            row.push(t.agrees.to_string());
            row.push(t.disagrees.to_string());
            row.push(t.seen.to_string());
            row.push(format!("{:.1}", pct(t.agrees, t.seen)));
            row.push(format!("{:.1}", pct(t.disagrees, t.seen)));
        }
        row.push(csv_field(&s.text));
        let _ = writeln!(o, "{}", row.join(","));
    }
    o
}
