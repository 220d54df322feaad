//! Signed webhooks, as Standard Webhooks sign them: `webhook-id`, `webhook-timestamp` and
//! `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">` — one `v1,…` per
//! valid secret while a secret rotates.
//!
//! An event is only a row in `webhook_deliveries` when it happens (nothing waits on the
//! network); a worker sends what is due, each request in its own task with a timeout, and
//! retries failures with growing delays. An endpoint that is down costs a few timed-out
//! requests in the background and gets its events when it is back.

use crate::{Actor, Result, Services};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use parvis_domain::*;
use parvis_store::{WebhookDelivery, WebhookEndpoint};
use sha2::Sha256;
use std::time::Duration;

/// The events an endpoint may subscribe to. Registrations reported by the organisation
/// arrive as `conversion.created` with `type: "registration"`; registrations to a session
/// on Parvis itself as `registration.created` (see `Services::emit_registration_created`);
/// an entry to a challenge (or an application to a job offer), from its page, the API or its
/// widget, as `submission.created`.
pub const EVENTS: &[&str] = &[
    "message.created",
    "conversion.created",
    "registration.created",
    "submission.created",
];
/// Delay before attempt n+1 after n failures; past the last, the delivery is given up.
const BACKOFF_SECS: &[i64] = &[5, 30, 120, 600, 1800, 3600, 10800, 21600];
/// How long one request may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A new Standard Webhooks secret: `whsec_` and 24 random bytes in base64.
pub fn new_webhook_secret() -> String {
    let raw = crate::random_token();
    format!(
        "whsec_{}",
        B64.encode(hex::decode(&raw[..48]).unwrap_or_default())
    )
}

/// The `webhook-signature` value for a body, with every secret given (current first).
pub fn webhook_signature(secrets: &[&str], id: &str, timestamp: i64, body: &str) -> String {
    secrets
        .iter()
        .filter(|s| !s.is_empty())
        .filter_map(|s| {
            let key = B64.decode(s.strip_prefix("whsec_").unwrap_or(s)).ok()?;
            let mut m = Hmac::<Sha256>::new_from_slice(&key).ok()?;
            m.update(format!("{id}.{timestamp}.{body}").as_bytes());
            Some(format!("v1,{}", B64.encode(m.finalize().into_bytes())))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn client() -> &'static reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default()
    })
}

impl Services {
    /// Queue `event` for every endpoint of the space subscribed to it. Never fails the
    /// caller: a queueing error is logged.
    pub async fn emit_webhook(&self, space: SpaceId, event: &str, data: serde_json::Value) {
        let endpoints = match self.store().webhook_endpoints(space).await {
            Ok(e) => e,
            Err(e) => {
                tracing::error!(error = %e, event, "webhook endpoints unreadable");
                return;
            }
        };
        let now = now_millis();
        for ep in endpoints.iter().filter(|e| {
            e.events
                .split(',')
                .any(|x| x.trim() == event || x.trim() == "*")
        }) {
            let id = format!("msg_{}", &crate::random_token()[..24]);
            let body = serde_json::json!({
                "type": event,
                "timestamp": time::OffsetDateTime::from_unix_timestamp(now / 1000)
                    .ok()
                    .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok()),
                "data": data,
            })
            .to_string();
            if let Err(e) = self
                .store()
                .enqueue_delivery(ep.id, &id, event, &body, now)
                .await
            {
                tracing::error!(error = %e, event, endpoint = ep.id, "webhook not queued");
            }
        }
    }

    /// Queue `message.created` for the thread's space (posts from the site and from embeds).
    pub(crate) async fn emit_message_created(
        &self,
        thread: &ThreadSummary,
        message: MessageId,
        actor: &Actor,
    ) {
        let base = self.config().public_url.trim_end_matches('/').to_string();
        self.emit_webhook(
            thread.space_id,
            "message.created",
            serde_json::json!({
                "thread_id": thread.id.0, "message_id": message.0, "title": thread.title,
                "author": {"handle": actor.member.handle, "display_name": actor.member.display_name},
                "url": format!("{base}/threads/{}#m{}", thread.id.0, message.0),
            }),
        )
        .await;
    }

    /// Queue `registration.created` for the session's space: a member registered, or a
    /// visitor confirmed by their emailed link. Who registered is told only when they
    /// consented to be contacted by the organisation (the consent's date and wording are in
    /// the lead export); otherwise the organisation learns that a seat was taken, not by whom.
    pub(crate) async fn emit_registration_created(
        &self,
        session: &parvis_store::SessionRow,
        reg: &parvis_store::Registration,
    ) {
        let base = self.config().public_url.trim_end_matches('/').to_string();
        let person = reg.consent_contact.then(|| {
            serde_json::json!({"name": reg.name, "email": reg.email, "organisation": reg.organisation})
        });
        self.emit_webhook(
            SpaceId(session.space_id),
            "registration.created",
            serde_json::json!({
                "session_id": session.id, "title": session.title, "starts_at": session.starts_at,
                "registration_id": reg.id, "status": reg.status, "lang": reg.lang,
                "consent_contact": reg.consent_contact, "consent_share": reg.consent_share,
                "person": person,
                "url": format!("{base}/sessions/{}", session.id),
            }),
        )
        .await;
    }

    /// Queue `submission.created` for the challenge's space: an entry was submitted (from the
    /// page, the API or the widget — they all go through `submit_entry`). The entrant is
    /// named by handle and display name, as on the challenge's page, never by address.
    pub(crate) async fn emit_submission_created(
        &self,
        challenge: &parvis_store::ChallengeRow,
        entry: &parvis_store::EntryRow,
    ) {
        let base = self.config().public_url.trim_end_matches('/').to_string();
        self.emit_webhook(
            SpaceId(challenge.space_id),
            "submission.created",
            serde_json::json!({
                "challenge_id": challenge.id, "challenge_title": challenge.title,
                "challenge_kind": challenge.kind,
                "entry_id": entry.id, "title": entry.title, "links": entry.links,
                "author": {"handle": entry.author.handle, "display_name": entry.author.display_name},
                "rules_accepted_at": entry.rules_accepted_at,
                "url": format!("{base}/challenges/{}#entry-{}", challenge.id, entry.id),
            }),
        )
        .await;
    }

    /// Send every delivery that is due, concurrently, and record each outcome. Returns how
    /// many were attempted.
    pub async fn deliver_due_webhooks(&self) -> Result<usize> {
        let now = now_millis();
        let due = self.store().due_deliveries(now, 50).await?;
        let mut tasks = tokio::task::JoinSet::new();
        for d in due.iter().cloned() {
            // Leased for longer than a request can take, so that the next pass skips it.
            self.store()
                .mark_delivery(
                    d.id,
                    "pending",
                    d.attempts,
                    now + 60_000,
                    d.last_status,
                    &d.last_error,
                    None,
                )
                .await?;
            let me = self.clone();
            tasks.spawn(async move { me.attempt(d).await });
        }
        while tasks.join_next().await.is_some() {}
        Ok(due.len())
    }

    async fn attempt(&self, d: WebhookDelivery) {
        let Ok(Some(ep)) = self.store().webhook_endpoint(d.endpoint_id).await else {
            return;
        };
        let ts = now_millis() / 1000;
        let sig = webhook_signature(&[&ep.secret, &ep.previous_secret], &d.event_id, ts, &d.body);
        let sent = client()
            .post(&ep.url)
            .header("content-type", "application/json")
            .header("webhook-id", &d.event_id)
            .header("webhook-timestamp", ts.to_string())
            .header("webhook-signature", sig)
            .body(d.body.clone())
            .send()
            .await;
        let attempts = d.attempts + 1;
        let now = now_millis();
        let (status, code, error) = match sent {
            Ok(r) if r.status().is_success() => {
                ("delivered", Some(r.status().as_u16() as i64), String::new())
            }
            Ok(r) => (
                "retry",
                Some(r.status().as_u16() as i64),
                format!("HTTP {}", r.status().as_u16()),
            ),
            Err(e) if e.is_timeout() => ("retry", None, "timed out".into()),
            Err(_) => ("retry", None, "could not connect".into()),
        };
        let outcome = match status {
            "delivered" => {
                self.store()
                    .mark_delivery(d.id, "delivered", attempts, now, code, "", Some(now))
                    .await
            }
            _ => {
                let (st, next) = match BACKOFF_SECS.get(d.attempts as usize) {
                    Some(s) => ("pending", now + s * 1000),
                    None => ("failed", now),
                };
                tracing::warn!(endpoint = ep.id, event = %d.event, attempts, error = %error, "webhook delivery failed");
                self.store()
                    .mark_delivery(d.id, st, attempts, next, code, &error, None)
                    .await
            }
        };
        if let Err(e) = outcome {
            tracing::error!(error = %e, delivery = d.id, "webhook outcome not recorded");
        }
    }

    /// Run the delivery loop until the process ends (`parvis serve` starts it).
    pub fn spawn_webhook_worker(&self) -> tokio::task::JoinHandle<()> {
        let me = self.clone();
        tokio::spawn(async move {
            loop {
                match me.deliver_due_webhooks().await {
                    Ok(0) => tokio::time::sleep(Duration::from_secs(1)).await,
                    Ok(_) => {}
                    Err(e) => {
                        tracing::error!(error = %e, "webhook worker");
                        tokio::time::sleep(Duration::from_secs(5)).await;
                    }
                }
            }
        })
    }

    /// Add an endpoint to a space (admins only); returns it and its secret, shown once.
    pub async fn add_webhook(
        &self,
        actor: &Actor,
        space: &Space,
        url: &str,
        events: &[String],
    ) -> Result<(WebhookEndpoint, String)> {
        actor.require_admin()?;
        let url = super::settings::parse_http_url("url", url)?;
        let mut chosen = Vec::new();
        for e in events.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
            if !EVENTS.contains(&e) {
                return Err(ValidationError::broke(
                    "events",
                    Rule::Choice,
                    format!("unknown event {e:?}; known: {}", EVENTS.join(", ")),
                )
                .into());
            }
            if !chosen.contains(&e) {
                chosen.push(e);
            }
        }
        if chosen.is_empty() {
            chosen = EVENTS.to_vec();
        }
        let secret = new_webhook_secret();
        let id = self
            .store()
            .add_webhook_endpoint(space.id, &url, &secret, &chosen.join(","), now_millis())
            .await?;
        let ep = self
            .store()
            .webhook_endpoint(id)
            .await?
            .ok_or_else(|| crate::ServiceError::NotFound(format!("webhook {id}")))?;
        Ok((ep, secret))
    }

    /// A space's endpoints and latest deliveries (admins only).
    pub async fn webhooks(
        &self,
        actor: &Actor,
        space: &Space,
    ) -> Result<(Vec<WebhookEndpoint>, Vec<WebhookDelivery>)> {
        actor.require_admin()?;
        Ok((
            self.store().webhook_endpoints(space.id).await?,
            self.store().webhook_deliveries(space.id, 100).await?,
        ))
    }

    /// Remove an endpoint of the space (admins only).
    pub async fn delete_webhook(&self, actor: &Actor, space: &Space, id: i64) -> Result<()> {
        actor.require_admin()?;
        match self.store().webhook_endpoint(id).await? {
            Some(ep) if ep.space_id == space.id => {
                self.store().delete_webhook_endpoint(id).await?;
                Ok(())
            }
            _ => Err(crate::ServiceError::NotFound(format!("webhook {id}"))),
        }
    }

    /// Send a delivery again, now (admins only).
    pub async fn replay_webhook(&self, actor: &Actor, space: &Space, delivery: i64) -> Result<()> {
        actor.require_admin()?;
        if self
            .store()
            .replay_delivery(space.id, delivery, now_millis())
            .await?
        {
            Ok(())
        } else {
            Err(crate::ServiceError::NotFound(format!(
                "delivery {delivery}"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification's reference libraries.
    #[test]
    fn signatures_match_standard_webhooks() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let sig = webhook_signature(
            &[secret],
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        let two = webhook_signature(
            &[secret, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
            "m",
            1,
            "b",
        );
        assert_eq!(two.split(' ').count(), 2);
        assert!(new_webhook_secret().starts_with("whsec_"));
    }
}
