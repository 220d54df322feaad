//! The background job runner (the queue itself is `parvis_store::jobs`).
//!
//! `parvis serve` runs [`Services::spawn_job_worker`]; tests call [`Services::run_due_jobs`]
//! with the time they want. Each kind has its handler here; a kind this binary does not know
//! is left for a newer one (retried later, the error says why). A failed run is retried with
//! an exponential back-off (1, 2, 4… minutes, at most 6 hours) and given up after
//! [`MAX_ATTEMPTS`], its last error kept for the moderator to see.

use crate::ical::{CalEvent, calendar};
use crate::{Attachment, Result, Services, mail_text};
use parvis_domain::fluent::Value;
use parvis_domain::*;
use parvis_store::Job;

/// A session mail (confirmation, waiting list, reminder).
pub const SESSION_MAIL: &str = "session.mail";
/// Attempts before a job is given up.
pub const MAX_ATTEMPTS: i64 = 8;
/// How long a claimed job is leased to its worker (then another may take it).
const LEASE_MS: i64 = 5 * 60 * 1000;

/// The delay before attempt `attempts + 1`.
pub fn backoff_ms(attempts: i64) -> i64 {
    let minutes = 1i64 << attempts.clamp(0, 10).saturating_sub(1).max(0);
    (minutes * 60_000).min(6 * 3_600_000)
}

/// A session mail job's payload (see `after_seat`).
#[derive(serde::Deserialize)]
pub(crate) struct SessionMail {
    pub(crate) registration: i64,
    what: String,
    before_min: i64,
    starts_at: Millis,
    status: String,
}

impl Services {
    /// Run the jobs due at `now`; how many ran (successfully or not).
    pub async fn run_due_jobs(&self, now: Millis) -> Result<usize> {
        let jobs = self.store().claim_jobs(now, 50, LEASE_MS).await?;
        let n = jobs.len();
        for job in jobs {
            let outcome = match job.kind.as_str() {
                SESSION_MAIL => self.run_session_mail(&job, now).await,
                crate::session_reminders::CLOSE_REMINDER => self.run_close_reminder(&job).await,
                crate::measure::digest::MEASURES_DIGEST => self.run_measure_digest(&job).await,
                crate::challenges::CHALLENGE_MAIL => self.run_challenge_mail(&job).await,
                crate::tagging::TOPIC_TAG => self.run_topic_tag(&job).await,
                crate::measure::survey_mail::SURVEY_MAIL => self.run_survey_mail(&job).await,
                other => Err(format!("no handler for job kind {other:?} in this version")),
            };
            match outcome {
                Ok(()) => self.store().finish_job(job.id, now_millis()).await?,
                Err(e) => {
                    let retry =
                        (job.attempts < MAX_ATTEMPTS).then(|| now + backoff_ms(job.attempts));
                    tracing::warn!(job = job.id, kind = %job.kind, attempts = job.attempts, error = %e, "job failed");
                    self.store().fail_job(job.id, &e, retry, now).await?;
                }
            }
        }
        Ok(n)
    }

    /// Run due jobs every `every`, for as long as the server runs; plan the weekly measures
    /// digests and the reminders to close ended sessions at start and then every hour
    /// (planning twice changes nothing).
    pub fn spawn_job_worker(&self, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
        let me = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            let mut planned_at: Option<std::time::Instant> = None;
            loop {
                tick.tick().await;
                if planned_at.is_none_or(|t| t.elapsed() >= std::time::Duration::from_secs(3600)) {
                    planned_at = Some(std::time::Instant::now());
                    if let Err(e) = me.plan_measure_digests(now_millis()).await {
                        tracing::warn!(error = %e, "measures digest: planning failed");
                    }
                    if let Err(e) = me.plan_close_reminders(now_millis()).await {
                        tracing::warn!(error = %e, "session close reminders: planning failed");
                    }
                }
                if let Err(e) = me.run_due_jobs(now_millis()).await {
                    tracing::warn!(error = %e, "job queue unreachable");
                }
            }
        })
    }

    /// Whether the reminder `before_min` minutes ahead would arrive too late to be true: a
    /// worker that was down through its moment runs it after the session began, or when a
    /// closer reminder is due too (that one says "in 1 hour"; this one would say "in 24
    /// hours", a second mail an hour before the start).
    fn reminder_is_stale(&self, before_min: i64, starts_at: Millis, now: Millis) -> bool {
        now >= starts_at
            || self
                .config()
                .reminder_minutes
                .iter()
                .any(|&m| m < before_min && now >= starts_at - m * 60_000)
    }

    /// The `.ics` of one session.
    pub async fn session_ics(&self, session: &parvis_store::SessionRow) -> String {
        let url = format!("{}/sessions/{}", self.config().public_url, session.id);
        calendar(
            &session.title,
            &[CalEvent {
                session,
                url,
                host: self.host(),
                status: "CONFIRMED",
            }],
            now_millis(),
        )
    }

    /// This instance's host name, for calendar UIDs.
    pub(crate) fn host(&self) -> String {
        url::Url::parse(&self.config().public_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "parvis".into())
    }

    async fn run_session_mail(&self, job: &Job, now: Millis) -> Result<(), String> {
        let p: SessionMail = serde_json::from_str(&job.payload).map_err(|e| e.to_string())?;
        let Some(reg) = self
            .store()
            .registration(p.registration)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(()); // registration deleted (account erased): nothing to send
        };
        let Some(row) = self
            .store()
            .topic_session(reg.session_id)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(());
        };
        // Stale jobs are done without a mail: the registration changed since, or the session
        // moved (the move planned reminders of its own).
        if reg.status != p.status || row.starts_at != p.starts_at || row.closed_at.is_some() {
            return Ok(());
        }
        if p.what == "reminder" && self.reminder_is_stale(p.before_min, row.starts_at, now) {
            return Ok(());
        }
        let lang = Lang::from_code(&reg.lang).unwrap_or_default();
        let when = format!(
            "{} ({})",
            crate::sessions::millis_to_local(row.starts_at, &row.time_zone).replace('T', " "),
            row.time_zone
        );
        let page = format!("{}/sessions/{}", self.config().public_url, row.id);
        let title = || Value::from(row.title.as_str());
        let (subject, intro) = match (p.what.as_str(), reg.status.as_str()) {
            ("reminder", _) => ("reminder-subject", "reminder-intro"),
            (_, "waiting") => ("waiting-subject", "waiting-intro"),
            _ => ("confirmed-subject", "confirmed-intro"),
        };
        let soon = || Value::from(mail_text::in_time(lang, p.before_min));
        let subject = mail_text::text(lang, subject, &[("title", title()), ("when", soon())]);
        let intro = mail_text::text(lang, intro, &[("title", title()), ("when", soon())]);
        let body = mail_text::text(
            lang,
            "registration-mail-body",
            &[
                ("name", reg.name.as_str().into()),
                ("intro", intro.into()),
                ("when", when.as_str().into()),
                ("page", page.as_str().into()),
            ],
        );
        let attachments = if reg.status == "confirmed" {
            vec![Attachment {
                filename: "session.ics".into(),
                content_type: "text/calendar; charset=utf-8; method=PUBLISH".into(),
                body: self.session_ics(&row).await.into_bytes(),
            }]
        } else {
            Vec::new()
        };
        self.mailer()
            .send_with(&reg.email, &subject, &body, &attachments, &page)
            .await
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_and_is_capped() {
        assert_eq!(backoff_ms(1), 60_000);
        assert_eq!(backoff_ms(2), 120_000);
        assert_eq!(backoff_ms(3), 240_000);
        assert_eq!(backoff_ms(30), 6 * 3_600_000);
    }
}
