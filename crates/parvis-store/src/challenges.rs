//! Challenges (ideas, solutions, job offers): the challenge with its criteria and evaluators,
//! entries, votes, comments and scores.
//!
//! One vote per member and entry is the table's primary key, so a second vote is refused by
//! the database itself (`Conflict`), even when two requests race. The entry's vote and comment
//! counts are updated in the same transaction as the row they count.

use crate::members::{MEMBER_REF_COLS, member_ref};
use crate::{Result, Store, StoreError, conflict_as, int, opt_int, text};
use parvis_domain::{MemberRef, Millis};
use serde::Serialize;
use sqlx::any::AnyRow;

/// A challenge as stored, with its entry count.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChallengeRow {
    pub id: i64,
    pub space_id: i64,
    /// `ideas`, `solutions` or `job` (a job offer).
    pub kind: String,
    pub title: String,
    /// The brief as written (Markdown).
    pub brief_md: String,
    /// The brief rendered and sanitized.
    pub brief_html: String,
    /// The rules or agreement an entrant accepts before submitting.
    pub rules: String,
    /// Unix milliseconds (UTC).
    pub deadline: Millis,
    /// IANA zone the deadline is set in.
    pub time_zone: String,
    pub award: String,
    pub cta_label: String,
    pub cta_url: String,
    /// Vote counts stay hidden until the deadline.
    pub votes_hidden: bool,
    /// Scores go from 0 to this.
    pub scale_max: i64,
    /// `draft`, `open`, `judging` or `closed`.
    pub state: String,
    #[serde(skip)]
    pub created_by: Option<i64>,
    pub created_at: Millis,
    pub announced_at: Option<Millis>,
    pub entry_count: i64,
}

/// An evaluation criterion.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Criterion {
    #[serde(default)]
    pub id: i64,
    pub name: String,
    /// Relative weight (1 to 100).
    pub weight: i64,
}

/// What a challenge is made of, validated by the services.
#[derive(Debug, Clone)]
pub struct NewChallenge {
    pub space_id: i64,
    pub kind: String,
    pub title: String,
    pub brief_md: String,
    pub brief_html: String,
    pub rules: String,
    pub deadline: Millis,
    pub time_zone: String,
    pub award: String,
    pub cta_label: String,
    pub cta_url: String,
    pub votes_hidden: bool,
    pub scale_max: i64,
    pub created_by: Option<i64>,
    pub criteria: Vec<Criterion>,
    pub evaluators: Vec<i64>,
}

/// An entry, with its author and counts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EntryRow {
    pub id: i64,
    pub challenge_id: i64,
    pub author: MemberRef,
    pub title: String,
    pub body_md: String,
    pub body_html: String,
    /// http(s) links given with the entry.
    pub links: Vec<String>,
    /// The rules' wording the entrant accepted, and when.
    pub rules_wording: String,
    pub rules_accepted_at: Millis,
    pub created_at: Millis,
    pub shortlisted: bool,
    pub winner: bool,
    /// Absent while the challenge hides its votes.
    pub vote_count: Option<i64>,
    pub comment_count: i64,
}

/// A new entry, validated by the services.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub challenge_id: i64,
    pub member_id: i64,
    pub title: String,
    pub body_md: String,
    pub body_html: String,
    pub links: Vec<String>,
    pub rules_wording: String,
    pub now: Millis,
}

/// A comment on an entry.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EntryComment {
    pub id: i64,
    pub entry_id: i64,
    pub author: MemberRef,
    pub body_html: String,
    pub created_at: Millis,
}

/// One evaluator's score of an entry on a criterion.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct ScoreRow {
    pub entry_id: i64,
    pub evaluator_id: i64,
    pub criterion_id: i64,
    pub score: i64,
}

/// The scores of one entry on one criterion, summed over evaluators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScoreSum {
    pub entry_id: i64,
    pub criterion_id: i64,
    pub total: i64,
    pub count: i64,
}

const CHALLENGE_COLS: &str = "c.id, c.space_id, c.kind, c.title, c.brief_md, c.brief_html, c.rules, c.deadline, c.time_zone, c.award, c.cta_label, c.cta_url, c.votes_hidden, c.scale_max, c.state, c.created_by, c.created_at, c.announced_at,
  (SELECT COUNT(*) FROM challenge_entries e WHERE e.challenge_id = c.id) AS entry_count";

fn challenge_row(r: &AnyRow) -> Result<ChallengeRow> {
    Ok(ChallengeRow {
        id: int(r, "id")?,
        space_id: int(r, "space_id")?,
        kind: text(r, "kind")?,
        title: text(r, "title")?,
        brief_md: text(r, "brief_md")?,
        brief_html: text(r, "brief_html")?,
        rules: text(r, "rules")?,
        deadline: int(r, "deadline")?,
        time_zone: text(r, "time_zone")?,
        award: text(r, "award")?,
        cta_label: text(r, "cta_label")?,
        cta_url: text(r, "cta_url")?,
        votes_hidden: int(r, "votes_hidden")? != 0,
        scale_max: int(r, "scale_max")?,
        state: text(r, "state")?,
        created_by: opt_int(r, "created_by")?,
        created_at: int(r, "created_at")?,
        announced_at: opt_int(r, "announced_at")?,
        entry_count: int(r, "entry_count")?,
    })
}

/// The copy, for the measures, of one vote about to be withdrawn (`$1` entry, `$2` member).
static WITHDRAW_COPY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    crate::measure_taken_back::challenge_votes("v.entry_id = $1 AND v.member_id = $2")
});

const ENTRY_COLS: &str = "e.id, e.challenge_id, e.title, e.body_md, e.body_html, e.links, e.rules_wording, e.rules_accepted_at, e.created_at, e.shortlisted, e.winner, e.vote_count, e.comment_count";

fn entry_row(r: &AnyRow) -> Result<EntryRow> {
    Ok(EntryRow {
        id: int(r, "id")?,
        challenge_id: int(r, "challenge_id")?,
        author: member_ref(r)?,
        title: text(r, "title")?,
        body_md: text(r, "body_md")?,
        body_html: text(r, "body_html")?,
        links: text(r, "links")?
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        rules_wording: text(r, "rules_wording")?,
        rules_accepted_at: int(r, "rules_accepted_at")?,
        created_at: int(r, "created_at")?,
        shortlisted: int(r, "shortlisted")? != 0,
        winner: int(r, "winner")? != 0,
        vote_count: Some(int(r, "vote_count")?),
        comment_count: int(r, "comment_count")?,
    })
}

type Tx = sqlx::Transaction<'static, sqlx::Any>;

async fn write_criteria_and_evaluators(tx: &mut Tx, id: i64, c: &NewChallenge) -> Result<()> {
    // Criteria keep their ids by position, so scores already given survive an edit of a
    // name or a weight; criteria beyond the new list go, with their scores.
    let existing =
        sqlx::query("SELECT id FROM challenge_criteria WHERE challenge_id = $1 ORDER BY position")
            .bind(id)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| int(r, "id"))
            .collect::<Result<Vec<_>>>()?;
    for (i, cr) in c.criteria.iter().enumerate() {
        match existing.get(i) {
            Some(cid) => {
                sqlx::query("UPDATE challenge_criteria SET name = $1, weight = $2 WHERE id = $3")
                    .bind(&cr.name)
                    .bind(cr.weight)
                    .bind(*cid)
                    .execute(&mut **tx)
                    .await?;
            }
            None => {
                sqlx::query("INSERT INTO challenge_criteria (challenge_id, position, name, weight) VALUES ($1, $2, $3, $4)")
                    .bind(id)
                    .bind(i as i64)
                    .bind(&cr.name)
                    .bind(cr.weight)
                    .execute(&mut **tx)
                    .await?;
            }
        }
    }
    for cid in existing.iter().skip(c.criteria.len()) {
        sqlx::query("DELETE FROM challenge_criteria WHERE id = $1")
            .bind(*cid)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("DELETE FROM challenge_evaluators WHERE challenge_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for m in &c.evaluators {
        sqlx::query("INSERT INTO challenge_evaluators (challenge_id, member_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(id)
            .bind(*m)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Create a challenge (in `draft`) with its criteria and evaluators; its id.
    pub async fn create_challenge(&self, c: &NewChallenge, now: Millis) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO challenges (space_id, kind, title, brief_md, brief_html, rules, deadline, time_zone, award, cta_label, cta_url, votes_hidden, scale_max, state, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'draft', $14, $15) RETURNING id",
        )
        .bind(c.space_id)
        .bind(&c.kind)
        .bind(&c.title)
        .bind(&c.brief_md)
        .bind(&c.brief_html)
        .bind(&c.rules)
        .bind(c.deadline)
        .bind(&c.time_zone)
        .bind(&c.award)
        .bind(&c.cta_label)
        .bind(&c.cta_url)
        .bind(c.votes_hidden as i64)
        .bind(c.scale_max)
        .bind(c.created_by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let id = int(&row, "id")?;
        write_criteria_and_evaluators(&mut tx, id, c).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Edit a challenge (its state and entries stay).
    pub async fn update_challenge(&self, id: i64, c: &NewChallenge) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE challenges SET kind = $1, title = $2, brief_md = $3, brief_html = $4, rules = $5, deadline = $6, time_zone = $7, award = $8, cta_label = $9, cta_url = $10, votes_hidden = $11, scale_max = $12 WHERE id = $13",
        )
        .bind(&c.kind)
        .bind(&c.title)
        .bind(&c.brief_md)
        .bind(&c.brief_html)
        .bind(&c.rules)
        .bind(c.deadline)
        .bind(&c.time_zone)
        .bind(&c.award)
        .bind(&c.cta_label)
        .bind(&c.cta_url)
        .bind(c.votes_hidden as i64)
        .bind(c.scale_max)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("challenge"));
        }
        write_criteria_and_evaluators(&mut tx, id, c).await?;
        tx.commit().await?;
        Ok(())
    }

    /// One challenge.
    pub async fn challenge(&self, id: i64) -> Result<Option<ChallengeRow>> {
        let sql = format!("SELECT {CHALLENGE_COLS} FROM challenges c WHERE c.id = $1");
        sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(challenge_row)
            .transpose()
    }

    /// A space's challenges, newest first.
    pub async fn challenges_of_space(&self, space_id: i64) -> Result<Vec<ChallengeRow>> {
        let sql = format!(
            "SELECT {CHALLENGE_COLS} FROM challenges c WHERE c.space_id = $1 ORDER BY c.created_at DESC, c.id DESC"
        );
        sqlx::query(&sql)
            .bind(space_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(challenge_row)
            .collect()
    }

    /// Move a challenge from state `from` to `to`; false when it was no longer in `from`
    /// (two admins racing: only one transition happens).
    pub async fn set_challenge_state(&self, id: i64, from: &str, to: &str) -> Result<bool> {
        let done = sqlx::query("UPDATE challenges SET state = $1 WHERE id = $2 AND state = $3")
            .bind(to)
            .bind(id)
            .bind(from)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A challenge's criteria, in order.
    pub async fn challenge_criteria(&self, id: i64) -> Result<Vec<Criterion>> {
        sqlx::query("SELECT id, name, weight FROM challenge_criteria WHERE challenge_id = $1 ORDER BY position")
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(Criterion {
                    id: int(r, "id")?,
                    name: text(r, "name")?,
                    weight: int(r, "weight")?,
                })
            })
            .collect()
    }

    /// A challenge's evaluators.
    pub async fn challenge_evaluators(&self, id: i64) -> Result<Vec<MemberRef>> {
        let sql = format!(
            "SELECT {MEMBER_REF_COLS} FROM challenge_evaluators v JOIN members m ON m.id = v.member_id WHERE v.challenge_id = $1 ORDER BY m.display_name"
        );
        sqlx::query(&sql)
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(member_ref)
            .collect()
    }

    /// Add an entry; its id.
    pub async fn add_entry(&self, e: &NewEntry) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO challenge_entries (challenge_id, member_id, title, body_md, body_html, links, rules_wording, rules_accepted_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
        )
        .bind(e.challenge_id)
        .bind(e.member_id)
        .bind(&e.title)
        .bind(&e.body_md)
        .bind(&e.body_html)
        .bind(e.links.join("\n"))
        .bind(&e.rules_wording)
        .bind(e.now)
        .fetch_one(&self.pool)
        .await?;
        int(&row, "id")
    }

    /// A challenge's entries, oldest first.
    pub async fn challenge_entries(&self, challenge: i64) -> Result<Vec<EntryRow>> {
        let sql = format!(
            "SELECT {ENTRY_COLS}, {MEMBER_REF_COLS} FROM challenge_entries e JOIN members m ON m.id = e.member_id WHERE e.challenge_id = $1 ORDER BY e.created_at, e.id"
        );
        sqlx::query(&sql)
            .bind(challenge)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(entry_row)
            .collect()
    }

    /// One entry.
    pub async fn challenge_entry(&self, id: i64) -> Result<Option<EntryRow>> {
        let sql = format!(
            "SELECT {ENTRY_COLS}, {MEMBER_REF_COLS} FROM challenge_entries e JOIN members m ON m.id = e.member_id WHERE e.id = $1"
        );
        sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(entry_row)
            .transpose()
    }

    /// A member's vote on an entry; `Conflict { what: "vote" }` when they already voted.
    pub async fn vote_entry(
        &self,
        challenge: i64,
        entry: i64,
        member: i64,
        now: Millis,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO challenge_votes (entry_id, member_id, challenge_id, created_at) VALUES ($1, $2, $3, $4)")
            .bind(entry)
            .bind(member)
            .bind(challenge)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(conflict_as("vote"))?;
        sqlx::query("UPDATE challenge_entries SET vote_count = vote_count + 1 WHERE id = $1")
            .bind(entry)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Take `member`'s vote on `entry` back; `NotFound("vote")` when there is none. The
    /// measures forget it at their next refresh (see `measure_taken_back`): where and when it
    /// was counted is copied in this transaction, before the row goes.
    pub async fn withdraw_entry_vote(&self, entry: i64, member: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let mut gone = 0;
        for sql in [
            WITHDRAW_COPY.as_str(),
            "DELETE FROM challenge_votes WHERE entry_id = $1 AND member_id = $2",
        ] {
            let q = sqlx::query(sql).bind(entry).bind(member);
            gone = q.execute(&mut *tx).await?.rows_affected();
        }
        if gone == 0 {
            return Err(StoreError::NotFound("vote"));
        }
        sqlx::query("UPDATE challenge_entries SET vote_count = vote_count - 1 WHERE id = $1")
            .bind(entry)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The entries of a challenge `member` voted for.
    pub async fn my_entry_votes(&self, challenge: i64, member: i64) -> Result<Vec<i64>> {
        sqlx::query(
            "SELECT entry_id FROM challenge_votes WHERE challenge_id = $1 AND member_id = $2",
        )
        .bind(challenge)
        .bind(member)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| int(r, "entry_id"))
        .collect()
    }

    /// Comment on an entry; the comment's id.
    pub async fn add_entry_comment(
        &self,
        challenge: i64,
        entry: i64,
        member: i64,
        body_md: &str,
        body_html: &str,
        now: Millis,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("INSERT INTO challenge_comments (entry_id, challenge_id, member_id, body_md, body_html, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
            .bind(entry)
            .bind(challenge)
            .bind(member)
            .bind(body_md)
            .bind(body_html)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query("UPDATE challenge_entries SET comment_count = comment_count + 1 WHERE id = $1")
            .bind(entry)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        int(&row, "id")
    }

    /// A challenge's comments, oldest first.
    pub async fn challenge_comments(&self, challenge: i64) -> Result<Vec<EntryComment>> {
        let sql = format!(
            "SELECT k.id, k.entry_id, k.body_html, k.created_at, {MEMBER_REF_COLS} FROM challenge_comments k JOIN members m ON m.id = k.member_id WHERE k.challenge_id = $1 ORDER BY k.created_at, k.id"
        );
        sqlx::query(&sql)
            .bind(challenge)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(EntryComment {
                    id: int(r, "id")?,
                    entry_id: int(r, "entry_id")?,
                    author: member_ref(r)?,
                    body_html: text(r, "body_html")?,
                    created_at: int(r, "created_at")?,
                })
            })
            .collect()
    }

    /// Record an evaluator's scores of an entry (one per criterion; a new score replaces the
    /// evaluator's previous one), all or nothing.
    pub async fn set_entry_scores(
        &self,
        challenge: i64,
        entry: i64,
        evaluator: i64,
        scores: &[(i64, i64)],
        now: Millis,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for (criterion, score) in scores {
            sqlx::query(
                "INSERT INTO challenge_scores (entry_id, evaluator_id, criterion_id, challenge_id, score, scored_at) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (entry_id, evaluator_id, criterion_id) DO UPDATE SET score = excluded.score, scored_at = excluded.scored_at",
            )
            .bind(entry)
            .bind(evaluator)
            .bind(*criterion)
            .bind(challenge)
            .bind(*score)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every score given in a challenge.
    pub async fn challenge_scores(&self, challenge: i64) -> Result<Vec<ScoreRow>> {
        sqlx::query("SELECT entry_id, evaluator_id, criterion_id, score FROM challenge_scores WHERE challenge_id = $1")
            .bind(challenge)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(ScoreRow {
                    entry_id: int(r, "entry_id")?,
                    evaluator_id: int(r, "evaluator_id")?,
                    criterion_id: int(r, "criterion_id")?,
                    score: int(r, "score")?,
                })
            })
            .collect()
    }

    /// Put an entry on the shortlist or take it off.
    pub async fn set_entry_shortlisted(&self, entry: i64, on: bool) -> Result<()> {
        sqlx::query("UPDATE challenge_entries SET shortlisted = $1 WHERE id = $2")
            .bind(on as i64)
            .bind(entry)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Mark the winners and close the challenge, in one transaction; false when the
    /// challenge was no longer in judging (announced twice).
    pub async fn announce_winners(
        &self,
        challenge: i64,
        winners: &[i64],
        now: Millis,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE challenges SET state = 'closed', announced_at = $1 WHERE id = $2 AND state = 'judging'")
            .bind(now)
            .bind(challenge)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        for w in winners {
            sqlx::query(
                "UPDATE challenge_entries SET winner = 1 WHERE id = $1 AND challenge_id = $2",
            )
            .bind(*w)
            .bind(challenge)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}
