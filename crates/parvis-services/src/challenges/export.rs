//! Everything about a challenge for its managers (JSON and CSV), and the mail each entrant
//! receives when the winners are announced.

use super::ChallengeView;
use super::entries::ScorecardRow;
use crate::{Actor, Result, Services, mail_text};
use parvis_domain::fluent::Value;
use parvis_domain::*;
use parvis_store::{EntryComment, Job};
use serde::Serialize;
use utoipa::ToSchema;

/// One entry in an export: the entry, its place on the scorecard, its comments.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportEntry {
    #[serde(flatten)]
    pub row: ScorecardRow,
    pub comments: Vec<EntryComment>,
}

/// A challenge exported whole.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChallengeExport {
    pub challenge: ChallengeView,
    /// Entries in scorecard order.
    pub entries: Vec<ExportEntry>,
}

impl Services {
    /// Everything about a challenge (managers): entries ranked, with scores and comments.
    pub async fn challenge_export(&self, actor: &Actor, id: i64) -> Result<ChallengeExport> {
        let card = self.scorecard(actor, id).await?;
        let comments = self.store().challenge_comments(id).await?;
        let mut by_entry: std::collections::HashMap<i64, Vec<EntryComment>> =
            std::collections::HashMap::new();
        for c in comments {
            by_entry.entry(c.entry_id).or_default().push(c);
        }
        Ok(ChallengeExport {
            entries: card
                .rows
                .into_iter()
                .map(|row| ExportEntry {
                    comments: by_entry.remove(&row.entry.id).unwrap_or_default(),
                    row,
                })
                .collect(),
            challenge: card.view,
        })
    }

    /// Send the announcement to one entrant (a `challenge.mail` job).
    pub(crate) async fn run_challenge_mail(&self, job: &Job) -> Result<(), String> {
        #[derive(serde::Deserialize)]
        struct P {
            challenge: i64,
            member: i64,
        }
        let p: P = serde_json::from_str(&job.payload).map_err(|e| e.to_string())?;
        let err = |e: crate::ServiceError| e.to_string();
        let Some(c) = self
            .store()
            .challenge(p.challenge)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(()); // deleted since
        };
        let Some(m) = self
            .store()
            .member_by_id(MemberId(p.member))
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(()); // account erased since
        };
        let Some(email) = m.email.clone().filter(|e| !e.is_empty()) else {
            return Ok(());
        };
        let entries = self
            .store()
            .challenge_entries(c.id)
            .await
            .map_err(crate::ServiceError::from)
            .map_err(err)?;
        let won: Vec<&str> = entries
            .iter()
            .filter(|e| e.author.id.0 == p.member && e.winner)
            .map(|e| e.title.as_str())
            .collect();
        let lang = Lang::from_code(&m.lang).unwrap_or_default();
        let page = format!("{}/challenges/{}", self.config().public_url, c.id);
        let title = || Value::from(c.title.as_str());
        let (subject, intro) = if won.is_empty() {
            (
                mail_text::text(lang, "challenge-results-subject", &[("title", title())]),
                mail_text::text(lang, "challenge-results-intro", &[("title", title())]),
            )
        } else {
            let entries = won.join(&mail_text::text(lang, "challenge-entries-separator", &[]));
            (
                mail_text::text(lang, "challenge-won-subject", &[("title", title())]),
                mail_text::text(
                    lang,
                    "challenge-won-intro",
                    &[
                        ("title", title()),
                        ("entries", entries.into()),
                        ("count", (won.len() as i64).into()),
                    ],
                ),
            )
        };
        let body = mail_text::text(
            lang,
            "challenge-results-body",
            &[
                ("name", m.display_name.as_str().into()),
                ("intro", intro.into()),
                ("page", page.as_str().into()),
            ],
        );
        self.mailer()
            .send(&email, &subject, &body, &page)
            .await
            .map_err(|e| e.to_string())
    }
}

/// A challenge export as CSV (RFC 4180, a header line, one line per entry in scorecard
/// order; one column per criterion with the evaluators' mean).
pub fn challenge_csv(x: &ChallengeExport) -> String {
    use crate::calendar::csv_field as field;
    let iso = |ms: Millis| {
        jiff::Timestamp::from_millisecond(ms)
            .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default()
    };
    let mut header = vec![
        "rank",
        "entry_id",
        "title",
        "author_handle",
        "author_name",
        "organisation",
        "submitted_at",
        "links",
        "votes",
        "comments",
        "shortlisted",
        "winner",
        "score",
        "scores_in",
        "scores_expected",
        "rules_accepted_at",
    ]
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>();
    header.extend(x.challenge.criteria.iter().map(|c| field(&c.name)));
    let mut out = header.join(",");
    out.push_str("\r\n");
    let yes = |b: bool| if b { "yes" } else { "no" }.to_string();
    for e in &x.entries {
        let (en, r) = (&e.row.entry, &e.row.ranked);
        let mut cells = vec![
            r.rank.map(|n| n.to_string()).unwrap_or_default(),
            en.id.to_string(),
            field(&en.title),
            field(&en.author.handle),
            field(&en.author.display_name),
            field(&en.author.organisation),
            iso(en.created_at),
            field(&en.links.join(" ")),
            en.vote_count.unwrap_or(0).to_string(),
            en.comment_count.to_string(),
            yes(en.shortlisted),
            yes(en.winner),
            r.score.map(|s| format!("{s:.2}")).unwrap_or_default(),
            r.scores_in.to_string(),
            r.scores_expected.to_string(),
            iso(en.rules_accepted_at),
        ];
        cells.extend(
            r.by_criterion
                .iter()
                .map(|m| m.map(|s| format!("{s:.2}")).unwrap_or_default()),
        );
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}
