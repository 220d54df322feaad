//! Sign-in rate limits: keep password guessing out without ever locking the owner out.
//!
//! The rules, and why:
//! - Only *failed* password attempts count (a member who signs in often is not an attacker).
//! - Per (address, client): a small budget ([`PAIR_FAILURES`]), then an exponential back-off
//!   from the latest failure. A success clears it. This is what someone mistyping meets.
//! - Per client, all addresses: a larger budget ([`CLIENT_FAILURES`]): one machine spraying
//!   passwords over many accounts.
//! - Per address, all clients: a large budget ([`ADDRESS_FAILURES`]), for passwords only: a
//!   guessing campaign spread over many machines. An attacker elsewhere can exhaust it, so
//!   sign-in links have their own budgets and never look at the password counts: the owner
//!   can always get in by link.
//! - Sign-in links are counted by request (each one sends a mail): per (address, client),
//!   per client and per address, to keep the form from being used to flood a mailbox.
//!
//! Widget actions that are not text (likes, votes on challenge entries and on opinion
//! statements, survey answers) share one budget per visitor ([`WIDGET_ACTIONS_PER_MINUTE`]),
//! counted the same way under the member's key: a script holding a widget token cannot
//! flood the store or sway a map by clicking thousands of times.
//!
//! The client is the caller's address as the web layer resolved it (behind a reverse proxy,
//! only trusted proxies' `X-Forwarded-For` is believed; see `--trusted-proxies`). Counts
//! live in the store so that several instances share them.

use crate::{Result, ServiceError, Services};
use parvis_domain::now_millis;

/// The window over which attempts are counted.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
/// Failed passwords per (address, client) before the back-off starts.
pub const PAIR_FAILURES: i64 = 5;
/// The first back-off after [`PAIR_FAILURES`]; doubled by each further failure, capped at the
/// window.
pub const BACKOFF_MS: i64 = 30 * 1000;
/// Failed passwords per client, over all addresses, per window.
pub const CLIENT_FAILURES: i64 = 30;
/// Failed passwords per address, over all clients, per window.
pub const ADDRESS_FAILURES: i64 = 100;
/// Sign-in links asked per (address, client) per window.
pub const PAIR_LINKS: i64 = 5;
/// Sign-in links asked per client, over all addresses, per window.
pub const CLIENT_LINKS: i64 = 20;
/// Sign-in links sent to one address, over all clients, per window.
pub const ADDRESS_LINKS: i64 = 20;
/// Registration links mailed to one address (visitors registering to sessions), over all
/// clients and sessions, per window. Per address only: a venue's visitors share one network
/// address, and one session never mails an address twice.
pub const ADDRESS_REGISTRATION_MAILS: i64 = 10;
/// Survey sendings per space per window (each may mail up to 5,000 addresses).
pub const SPACE_SURVEY_SENDINGS: i64 = 10;
/// Likes, votes and survey answers per visitor from widgets, per minute. A person clicking
/// through an opinion map reads each statement for a few seconds, so even a fast reader stays
/// well under one a second; 60 leaves them room for bursts (agree, agree, pass on short
/// statements, a like taken back and given again) while a script is stopped within a minute.
pub const WIDGET_ACTIONS_PER_MINUTE: i64 = 60;
/// The window of [`WIDGET_ACTIONS_PER_MINUTE`].
pub const WIDGET_ACTIONS_WINDOW_MS: i64 = 60 * 1000;

fn pw_pair(email: &str, client: &str) -> String {
    format!("pw:{email}|{client}")
}
fn pw_client(client: &str) -> String {
    format!("pw-client:{client}")
}
fn pw_address(email: &str) -> String {
    format!("pw:{email}")
}
fn link_pair(email: &str, client: &str) -> String {
    format!("link:{email}|{client}")
}
fn link_client(client: &str) -> String {
    format!("link-client:{client}")
}
fn link_address(email: &str) -> String {
    format!("link:{email}")
}

fn limited(until: i64, now: i64) -> ServiceError {
    ServiceError::RateLimited {
        retry_after_secs: ((until - now).max(1000) as u64).div_ceil(1000),
    }
}

impl Services {
    /// Refuse when `key` has `budget` attempts or more in the window; say when one frees up.
    async fn within_budget(&self, key: &str, budget: i64, now: i64) -> Result<()> {
        self.within_budget_over(key, budget, WINDOW_MS, now).await
    }

    /// [`Self::within_budget`] over a window shorter than [`WINDOW_MS`].
    async fn within_budget_over(
        &self,
        key: &str,
        budget: i64,
        window: i64,
        now: i64,
    ) -> Result<()> {
        let a = self.store().auth_attempts(key, now - window).await?;
        if a.count >= budget {
            return Err(limited(a.oldest.unwrap_or(now) + window, now));
        }
        Ok(())
    }

    /// May this widget visitor like, vote or answer now? Counts the action when it may.
    pub(crate) async fn widget_action_gate(&self, member: parvis_domain::MemberId) -> Result<()> {
        let now = now_millis();
        let key = format!("widget-action:{}", member.0);
        self.within_budget_over(
            &key,
            WIDGET_ACTIONS_PER_MINUTE,
            WIDGET_ACTIONS_WINDOW_MS,
            now,
        )
        .await
        .inspect_err(|_| tracing::info!(member = member.0, "widget action rate limit"))?;
        // Pruning drops every key's rows older than `forget_before`: give the widest window
        // any key counts over, not this key's minute, or the sign-in counts would lose rows
        // still inside their own window.
        self.store()
            .record_auth_attempt(&key, now, now - WINDOW_MS)
            .await?;
        Ok(())
    }

    /// May `client` try a password for `email` now?
    pub(crate) async fn password_gate(&self, email: &str, client: &str) -> Result<()> {
        let now = now_millis();
        let pair = self
            .store()
            .auth_attempts(&pw_pair(email, client), now - WINDOW_MS)
            .await?;
        if pair.count >= PAIR_FAILURES {
            let doublings = (pair.count - PAIR_FAILURES).min(10) as u32;
            let wait = (BACKOFF_MS << doublings).min(WINDOW_MS);
            let until = pair.latest.unwrap_or(now) + wait;
            if now < until {
                tracing::warn!(client, "password sign-in backing off");
                return Err(limited(until, now));
            }
        }
        self.within_budget(&pw_client(client), CLIENT_FAILURES, now)
            .await
            .inspect_err(|_| tracing::warn!(client, "password sign-in limit per client"))?;
        self.within_budget(&pw_address(email), ADDRESS_FAILURES, now)
            .await
            .inspect_err(|_| tracing::warn!("password sign-in limit per address"))?;
        Ok(())
    }

    /// Count a failed password.
    pub(crate) async fn password_failed(&self, email: &str, client: &str) -> Result<()> {
        let now = now_millis();
        let forget = now - WINDOW_MS;
        for key in [pw_pair(email, client), pw_client(client), pw_address(email)] {
            self.store().record_auth_attempt(&key, now, forget).await?;
        }
        Ok(())
    }

    /// A password succeeded: this client's own failures for this address are forgotten.
    pub(crate) async fn password_succeeded(&self, email: &str, client: &str) -> Result<()> {
        Ok(self
            .store()
            .clear_auth_attempts(&pw_pair(email, client))
            .await?)
    }

    /// May `client` have a sign-in link sent to `email` now? Counts the request when it may.
    pub(crate) async fn link_gate(&self, email: &str, client: &str) -> Result<()> {
        let now = now_millis();
        self.within_budget(&link_pair(email, client), PAIR_LINKS, now)
            .await?;
        self.within_budget(&link_client(client), CLIENT_LINKS, now)
            .await?;
        self.within_budget(&link_address(email), ADDRESS_LINKS, now)
            .await?;
        let forget = now - WINDOW_MS;
        for key in [
            link_pair(email, client),
            link_client(client),
            link_address(email),
        ] {
            self.store().record_auth_attempt(&key, now, forget).await?;
        }
        Ok(())
    }

    /// May a registration link be mailed to `email` now? Counts it when it may: someone
    /// registering a stranger's address to session after session cannot flood their mailbox.
    pub(crate) async fn registration_mail_gate(&self, email: &str) -> Result<()> {
        let now = now_millis();
        let key = format!("reg-mail:{email}");
        self.within_budget(&key, ADDRESS_REGISTRATION_MAILS, now)
            .await
            .inspect_err(|_| tracing::warn!("registration mails limit per address"))?;
        self.store()
            .record_auth_attempt(&key, now, now - WINDOW_MS)
            .await?;
        Ok(())
    }

    /// May a space's admins send a survey by email now? Counts the sending when it may: a
    /// stolen admin session cannot turn the instance into a mass mailer.
    pub(crate) async fn survey_send_gate(&self, space_id: i64) -> Result<()> {
        let now = now_millis();
        let key = format!("survey-send:{space_id}");
        self.within_budget(&key, SPACE_SURVEY_SENDINGS, now)
            .await
            .inspect_err(|_| tracing::warn!(space = space_id, "survey sendings limit"))?;
        self.store()
            .record_auth_attempt(&key, now, now - WINDOW_MS)
            .await?;
        Ok(())
    }

    /// May `client` try a webcast access code for `session` now? Wrong codes count: 5 per
    /// (session, client) and 50 per session over all clients, per window.
    pub(crate) async fn access_code_gate(&self, session: i64, client: &str) -> Result<()> {
        let now = now_millis();
        self.within_budget(&format!("code:{session}|{client}"), PAIR_FAILURES, now)
            .await?;
        self.within_budget(&format!("code:{session}"), 50, now)
            .await
    }

    /// Count a wrong webcast access code.
    pub(crate) async fn access_code_failed(&self, session: i64, client: &str) -> Result<()> {
        let now = now_millis();
        for key in [
            format!("code:{session}|{client}"),
            format!("code:{session}"),
        ] {
            self.store()
                .record_auth_attempt(&key, now, now - WINDOW_MS)
                .await?;
        }
        Ok(())
    }
}
