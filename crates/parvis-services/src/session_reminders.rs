//! Sessions left unclosed remind their moderators: a session's report (conclusions, key
//! questions, the layer it adds to the topic's synthesis) is only written when a moderator
//! closes it, so a session that ended without being closed is a gap in the series.
//!
//! The job worker plans, every hour, two reminders per ended session still open — two hours
//! after its end and three days after — as jobs keyed `session:{id}:close-reminder:{round}`
//! (planning twice is one job; they show in the session's mail list). A reminder that comes
//! due after the session was closed sends nothing. Each goes to the session's moderators who
//! are members with an address (its creator when it has none), in their language.

use crate::{Result, Services, mail_text};
use parvis_domain::fluent::Value;
use parvis_domain::*;
use parvis_store::Job;

/// The job kind.
pub const CLOSE_REMINDER: &str = "session.close_reminder";
/// When the reminders come, after the session's end.
pub const REMINDER_DELAYS_MS: [i64; 2] = [2 * 3_600_000, 3 * 86_400_000];
/// Sessions ended longer ago than this are not chased any more.
const LOOK_BACK_MS: i64 = 14 * 86_400_000;

#[derive(serde::Serialize, serde::Deserialize)]
struct Reminder {
    session: i64,
    round: usize,
}

impl Services {
    /// Plan the reminders of the sessions that ended unclosed (up to `now`); how many new.
    pub async fn plan_close_reminders(&self, now: Millis) -> Result<usize> {
        let ended = self
            .store()
            .sessions_ended_unclosed(now - LOOK_BACK_MS, now)
            .await?;
        let mut planned = 0;
        for s in ended {
            let end = s.starts_at + s.duration_min * 60_000;
            for (round, delay) in REMINDER_DELAYS_MS.iter().enumerate() {
                let key = format!("session:{}:close-reminder:{}", s.id, round + 1);
                let payload = serde_json::json!(Reminder {
                    session: s.id,
                    round: round + 1
                })
                .to_string();
                if self
                    .store()
                    .enqueue_job(CLOSE_REMINDER, &key, &payload, end + delay, now)
                    .await?
                {
                    planned += 1;
                }
            }
        }
        Ok(planned)
    }

    /// Send one reminder (a job's work); nothing once the session is closed or deleted.
    pub(crate) async fn run_close_reminder(&self, job: &Job) -> Result<(), String> {
        let p: Reminder = serde_json::from_str(&job.payload).map_err(|e| e.to_string())?;
        let err = |e: parvis_store::StoreError| e.to_string();
        let Some(s) = self.store().topic_session(p.session).await.map_err(err)? else {
            return Ok(());
        };
        if s.closed_at.is_some() {
            return Ok(());
        }
        let mut to: Vec<i64> = self
            .store()
            .session_people(s.id)
            .await
            .map_err(err)?
            .iter()
            .filter(|m| m.role == "moderator")
            .filter_map(|m| m.member_id)
            .collect();
        if to.is_empty() {
            to.extend(s.created_by);
        }
        let link = format!("{}/sessions/{}/close", self.config().public_url, s.id);
        let mut failed = Vec::new();
        for id in to {
            let Some(m) = self.store().member_by_id(MemberId(id)).await.map_err(err)? else {
                continue;
            };
            let Some(email) = m.email.clone().filter(|e| !e.is_empty()) else {
                continue;
            };
            let when =
                crate::sessions::millis_to_local(s.starts_at, &s.time_zone).replace('T', " ");
            let lang = Lang::from_code(&m.lang).unwrap_or_default();
            let title = || Value::from(s.title.as_str());
            let subject = mail_text::text(lang, "close-reminder-subject", &[("title", title())]);
            let body = mail_text::text(
                lang,
                "close-reminder-body",
                &[
                    ("name", m.display_name.as_str().into()),
                    ("title", title()),
                    ("when", when.as_str().into()),
                    ("link", link.as_str().into()),
                ],
            );
            if let Err(e) = self.mailer().send(&email, &subject, &body, &link).await {
                failed.push(e.to_string());
            }
        }
        // A failed address is retried with the job (the others may get it twice; better than
        // a moderator never told).
        match failed.first() {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }
}
