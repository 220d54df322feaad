//! A session's mails as its moderators read them on the registrations page: who each mail is
//! for, where it stands, and — for a failed one — why, as a reason a person understands and a
//! page can translate, never the mail library's own words (those stay in the logs, where the
//! job runner writes them).
//!
//! Who a mail is for follows the registrations table's rule: the registrant's name always,
//! their address only if they agreed to be contacted (docs/PRIVACY.md).

use crate::{Actor, Result, ServiceError, Services};
use parvis_domain::Millis;
use parvis_store::Job;
use serde::Serialize;
use std::collections::HashMap;

/// Why a mail could not be sent, as the moderator is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MailFailure {
    /// The mail server could not be reached (no connection, hung up, timed out, TLS).
    Unreachable,
    /// The address was refused: malformed, or the server said the mailbox does not exist.
    AddressRefused,
    /// The server refused the mail for now (a 4xx answer: busy, throttling, greylisting).
    RefusedForNow,
    /// Anything else.
    Failed,
}

impl MailFailure {
    /// Read a job's recorded error: the text of a [`crate::MailerError`] (`SMTP: …` wraps
    /// lettre's own `Connection error`, `permanent error (550)`…). Errors recorded before
    /// this reading existed are read the same way, since the text is what the store keeps.
    pub fn of_error(raw: &str) -> Self {
        let raw = raw.trim();
        if raw.starts_with("invalid address") {
            return Self::AddressRefused;
        }
        let Some(smtp) = raw.strip_prefix("SMTP: ") else {
            return Self::Failed;
        };
        let lower = smtp.to_ascii_lowercase();
        if let Some(code) = lower
            .strip_prefix("permanent error (")
            .and_then(|r| r.get(..3))
        {
            // 550 mailbox unavailable, 551 user not local, 553 mailbox name not allowed, or
            // an enhanced status 5.1.x (bad destination address).
            let address = matches!(code, "550" | "551" | "553") || lower.contains(" 5.1.");
            return if address {
                Self::AddressRefused
            } else {
                Self::Failed
            };
        }
        if lower.starts_with("transient error (") {
            return Self::RefusedForNow;
        }
        let unreachable = [
            "connection error",
            "network error",
            "response error",
            "tls error",
            "transport has been shut down",
            "timed out",
            "connection refused",
        ];
        if unreachable.iter().any(|u| lower.contains(u)) {
            Self::Unreachable
        } else {
            Self::Failed
        }
    }
}

/// One of a session's mails, for its moderators (page and API).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionMailLine {
    pub id: i64,
    /// What it is, as the job queue knows it (e.g. `session:12:reg:40:reminder:60`,
    /// `session:12:close-reminder:1`): one mail per key, ever.
    pub key: String,
    /// When it was (or will be) sent, or last tried.
    pub run_at: Millis,
    pub attempts: i64,
    /// `sent`, `planned`, `failed_retry` (will be tried again) or `given_up`.
    #[schema(value_type = String)]
    pub state: &'static str,
    /// `registrant` (a confirmation or reminder), `moderators` (the reminder to close the
    /// session) or `deleted` (the registration is gone: its person was erased).
    #[schema(value_type = String)]
    pub to: &'static str,
    /// The registrant's name (empty unless `to` is `registrant`).
    pub to_name: String,
    /// Their address, only if they agreed to be contacted (as in the registrations table).
    pub to_email: String,
    /// Why it failed, when its last try failed.
    pub failure: Option<MailFailure>,
}

impl Services {
    /// A session's mails, oldest planned first, each with who it is for and why it failed
    /// (the session's moderators, site moderators, admins).
    pub async fn session_mail_lines(
        &self,
        actor: &Actor,
        session: i64,
    ) -> Result<Vec<SessionMailLine>> {
        if !self.can_manage_session(Some(actor), session).await? {
            return Err(ServiceError::Forbidden(
                "only the session's moderators see its mails".into(),
            ));
        }
        let jobs = self
            .store()
            .jobs_with_prefix(&format!("session:{session}:"))
            .await?;
        let regs: HashMap<i64, _> = self
            .store()
            .registrations(session)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        Ok(jobs
            .into_iter()
            .map(|j| {
                let reg = (j.kind == crate::jobs::SESSION_MAIL)
                    .then(|| serde_json::from_str::<crate::jobs::SessionMail>(&j.payload).ok())
                    .flatten()
                    .map(|p| regs.get(&p.registration));
                let (to, to_name, to_email) = match reg {
                    None => ("moderators", String::new(), String::new()),
                    Some(None) => ("deleted", String::new(), String::new()),
                    Some(Some(r)) => (
                        "registrant",
                        r.name.clone(),
                        if r.consent_contact {
                            r.email.clone()
                        } else {
                            String::new()
                        },
                    ),
                };
                line(j, to, to_name, to_email)
            })
            .collect())
    }
}

fn line(j: Job, to: &'static str, to_name: String, to_email: String) -> SessionMailLine {
    let failure = j.last_error.as_deref().map(MailFailure::of_error);
    let state = match (j.done_at.is_some(), failure.is_some()) {
        (true, false) => "sent",
        (true, true) => "given_up",
        (false, true) => "failed_retry",
        (false, false) => "planned",
    };
    SessionMailLine {
        id: j.id,
        key: j.dedup_key,
        run_at: j.run_at,
        attempts: j.attempts,
        state,
        to,
        to_name,
        to_email,
        failure,
    }
}

#[cfg(test)]
mod tests {
    use super::MailFailure::{self, *};

    #[test]
    fn a_server_that_cannot_be_reached_is_told_as_unreachable() {
        for raw in [
            "SMTP: Connection error: Connection refused (os error 111)",
            "SMTP: network error: connection reset by peer",
            "SMTP: response error: incomplete response",
            "SMTP: tls error: invalid certificate",
            "SMTP: Connection error: timed out",
        ] {
            assert_eq!(MailFailure::of_error(raw), Unreachable, "{raw}");
        }
    }

    #[test]
    fn a_refused_address_is_told_apart_from_other_refusals() {
        for raw in [
            "invalid address \"not an address\"",
            "SMTP: permanent error (550): 5.1.1 no such user",
            "SMTP: permanent error (553): mailbox name not allowed",
            "SMTP: permanent error (554): 5.1.2 bad destination host",
        ] {
            assert_eq!(MailFailure::of_error(raw), AddressRefused, "{raw}");
        }
        assert_eq!(
            MailFailure::of_error("SMTP: transient error (451): 4.3.2 try again later"),
            RefusedForNow
        );
        assert_eq!(
            MailFailure::of_error("SMTP: permanent error (552): message too big"),
            Failed
        );
    }

    #[test]
    fn anything_else_is_a_failed_send() {
        for raw in [
            "mail folder: /nope: permission denied",
            "SMTP: internal client error: unknown",
            "no handler for job kind \"x\" in this version",
            "",
        ] {
            assert_eq!(MailFailure::of_error(raw), Failed, "{raw:?}");
        }
    }
}
