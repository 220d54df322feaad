//! A challenge as its page and its ranked scorecard read it: everything in one read through
//! the read path ([`crate::read`]) — one snapshot, one thread hop on SQLite, one connection
//! on PostgreSQL — instead of seven round trips through the `Any` pool (challenge, space,
//! evaluators, criteria, entries, comments, the viewer's votes or the score sums).
//! Measured in BENCHMARKS.md ("Challenges").

use crate::challenges::{ChallengeRow, Criterion, EntryComment, EntryRow, ScoreSum};
use crate::content_read::member_at;
use crate::read::{Arg, Cols, Reader};
use crate::{Result, Store};
use parvis_domain::MemberRef;

/// A challenge with what its page or scorecard shows around it.
#[derive(Debug, Clone)]
pub struct ChallengeRead {
    pub challenge: ChallengeRow,
    pub space_slug: String,
    pub space_name: String,
    pub criteria: Vec<Criterion>,
    pub evaluators: Vec<MemberRef>,
    /// Oldest first.
    pub entries: Vec<EntryRow>,
    /// Page only: every comment, oldest first.
    pub comments: Vec<EntryComment>,
    /// Page only: the entries the viewer voted for.
    pub my_votes: Vec<i64>,
    /// Scorecard only: scores summed per entry and criterion.
    pub score_sums: Vec<ScoreSum>,
}

/// What to read besides the challenge, its space, criteria, evaluators and entries.
#[derive(Debug, Clone, Copy)]
pub enum ChallengeReadFor {
    /// The page: comments, and the votes of this member when signed in.
    Page { viewer: Option<i64> },
    /// The ranked scorecard: the score sums.
    Scorecard,
}

const CHALLENGE_SQL: &str =
    "SELECT c.id, c.space_id, c.kind, c.title, c.brief_md, c.brief_html, c.rules,
    c.deadline, c.time_zone, c.award, c.cta_label, c.cta_url, c.votes_hidden, c.scale_max, c.state,
    c.created_by, c.created_at, c.announced_at,
    (SELECT COUNT(*) FROM challenge_entries e WHERE e.challenge_id = c.id) AS entry_count,
    s.slug, s.name
  FROM challenges c JOIN spaces s ON s.id = c.space_id WHERE c.id = $1";

const CRITERIA_SQL: &str =
    "SELECT id, name, weight FROM challenge_criteria WHERE challenge_id = $1 ORDER BY position";

const EVALUATORS_SQL: &str =
    "SELECT m.id, m.handle, m.display_name, m.organisation, m.ecosystem_role
  FROM challenge_evaluators v JOIN members m ON m.id = v.member_id
  WHERE v.challenge_id = $1 ORDER BY m.display_name";

const ENTRIES_SQL: &str = "SELECT e.id, e.challenge_id, e.title, e.body_md, e.body_html, e.links,
    e.rules_wording, e.rules_accepted_at, e.created_at, e.shortlisted, e.winner, e.vote_count,
    e.comment_count, m.id, m.handle, m.display_name, m.organisation, m.ecosystem_role
  FROM challenge_entries e JOIN members m ON m.id = e.member_id
  WHERE e.challenge_id = $1 ORDER BY e.created_at, e.id";

const COMMENTS_SQL: &str = "SELECT k.id, k.entry_id, k.body_html, k.created_at,
    m.id, m.handle, m.display_name, m.organisation, m.ecosystem_role
  FROM challenge_comments k JOIN members m ON m.id = k.member_id
  WHERE k.challenge_id = $1 ORDER BY k.created_at, k.id";

const MY_VOTES_SQL: &str =
    "SELECT entry_id FROM challenge_votes WHERE challenge_id = $1 AND member_id = $2";

const SCORE_SUMS_SQL: &str = "SELECT entry_id, criterion_id, CAST(SUM(score) AS BIGINT), COUNT(*)
  FROM challenge_scores WHERE challenge_id = $1 GROUP BY entry_id, criterion_id";

fn challenge_of(r: &dyn Cols) -> Result<(ChallengeRow, String, String)> {
    Ok((
        ChallengeRow {
            id: r.int(0)?,
            space_id: r.int(1)?,
            kind: r.text(2)?,
            title: r.text(3)?,
            brief_md: r.text(4)?,
            brief_html: r.text(5)?,
            rules: r.text(6)?,
            deadline: r.int(7)?,
            time_zone: r.text(8)?,
            award: r.text(9)?,
            cta_label: r.text(10)?,
            cta_url: r.text(11)?,
            votes_hidden: r.int(12)? != 0,
            scale_max: r.int(13)?,
            state: r.text(14)?,
            created_by: r.opt_int(15)?,
            created_at: r.int(16)?,
            announced_at: r.opt_int(17)?,
            entry_count: r.int(18)?,
        },
        r.text(19)?,
        r.text(20)?,
    ))
}

fn entry_of(r: &dyn Cols) -> Result<EntryRow> {
    Ok(EntryRow {
        id: r.int(0)?,
        challenge_id: r.int(1)?,
        title: r.text(2)?,
        body_md: r.text(3)?,
        body_html: r.text(4)?,
        links: r
            .text(5)?
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        rules_wording: r.text(6)?,
        rules_accepted_at: r.int(7)?,
        created_at: r.int(8)?,
        shortlisted: r.int(9)? != 0,
        winner: r.int(10)? != 0,
        vote_count: Some(r.int(11)?),
        comment_count: r.int(12)?,
        author: member_at(r, 13)?,
    })
}

fn comment_of(r: &dyn Cols) -> Result<EntryComment> {
    Ok(EntryComment {
        id: r.int(0)?,
        entry_id: r.int(1)?,
        body_html: r.text(2)?,
        created_at: r.int(3)?,
        author: member_at(r, 4)?,
    })
}

async fn read(
    r: &mut Reader<'_>,
    id: i64,
    what: ChallengeReadFor,
) -> Result<Option<ChallengeRead>> {
    let at = [Arg::Int(id)];
    let Some((challenge, space_slug, space_name)) = r.opt(CHALLENGE_SQL, &at, challenge_of).await?
    else {
        return Ok(None);
    };
    let criteria = r
        .all(CRITERIA_SQL, &at, |r| {
            Ok(Criterion {
                id: r.int(0)?,
                name: r.text(1)?,
                weight: r.int(2)?,
            })
        })
        .await?;
    let evaluators = r.all(EVALUATORS_SQL, &at, |r| member_at(r, 0)).await?;
    let entries = r.all(ENTRIES_SQL, &at, entry_of).await?;
    let (mut comments, mut my_votes, mut score_sums) = (Vec::new(), Vec::new(), Vec::new());
    match what {
        ChallengeReadFor::Page { viewer } => {
            comments = r.all(COMMENTS_SQL, &at, comment_of).await?;
            if let Some(m) = viewer {
                my_votes = r
                    .all(MY_VOTES_SQL, &[Arg::Int(id), Arg::Int(m)], |r| r.int(0))
                    .await?;
            }
        }
        ChallengeReadFor::Scorecard => {
            score_sums = r
                .all(SCORE_SUMS_SQL, &at, |r| {
                    Ok(ScoreSum {
                        entry_id: r.int(0)?,
                        criterion_id: r.int(1)?,
                        total: r.int(2)?,
                        count: r.int(3)?,
                    })
                })
                .await?;
        }
    }
    Ok(Some(ChallengeRead {
        challenge,
        space_slug,
        space_name,
        criteria,
        evaluators,
        entries,
        comments,
        my_votes,
        score_sums,
    }))
}

impl Store {
    /// A challenge and what its page or scorecard shows, in one read; `None` if unknown.
    pub async fn challenge_read(
        &self,
        id: i64,
        what: ChallengeReadFor,
    ) -> Result<Option<ChallengeRead>> {
        self.reads
            .run(move |r| Box::pin(async move { read(r, id, what).await }))
            .await
    }
}
