//! A named guest's private withdrawal link.
//!
//! A member withdraws the consent behind their testimonial from their own session; a guest
//! has no account, so they get a link of their own instead: mailed when their address is
//! known, and shown to the manager (once: only its hash is kept, like a sign-in link) to pass
//! on. Opening the link shows what the person agreed to, and only a confirmed POST withdraws
//! — a mail scanner following links must not withdraw anything. The withdrawal is the same
//! record a manager's would be, so the testimonial leaves every page, the API, exports,
//! search and the feed at once.

use crate::auth::{hash_token, random_token};
use crate::{Actor, Result, ServiceError, Services, mail_text};
use parvis_domain::*;
use parvis_store::ConsentRecord;
use serde::Serialize;
use utoipa::ToSchema;

/// What the person sees through their link: what they gave and what they agreed to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GuestConsent {
    pub testimonial_id: i64,
    /// `testimonial` or `interview`.
    pub kind: String,
    pub title: String,
    /// The name as recorded (the person reads their own name, whatever is shown to others).
    pub person_name: String,
    pub organisation: String,
    /// Whether it is published now.
    pub published: bool,
    /// The consent in force (the withdrawal itself once withdrawn).
    pub consent: Option<ConsentRecord>,
    /// What was agreed before the withdrawal, when it is withdrawn.
    pub agreed: Option<ConsentRecord>,
    pub withdrawn: bool,
}

/// A newly issued link.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WithdrawalLink {
    /// The link to pass on; it is not shown again (issuing a new one replaces it).
    pub url: String,
    /// The address it was mailed to, if any.
    pub mailed_to: Option<String>,
}

/// The wording kept with a withdrawal made through the link.
const WITHDRAWN_BY_LINK: &str = "withdrawn by the person through their private link";

fn unknown_link() -> ServiceError {
    ServiceError::NotFound(
        "withdrawal link (unknown, or replaced by a newer one: ask the organisation for the latest)"
            .into(),
    )
}

impl Services {
    /// Issue a new withdrawal link for a guest's testimonial (moderators and admins), mailing
    /// it to `email` when given. Any earlier link stops working.
    pub async fn issue_withdrawal_link(
        &self,
        actor: &Actor,
        id: i64,
        email: Option<&str>,
    ) -> Result<WithdrawalLink> {
        actor.require_moderator()?;
        let email = email
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(|e| Email::parse("person_email", e))
            .transpose()?;
        let row = self
            .store()
            .testimonial(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("testimonial {id}")))?;
        if row.person_member_id.is_some() {
            return Err(ValidationError::broke(
                "person",
                Rule::Choice,
                "a member withdraws from their own account: withdrawal links are for guests",
            )
            .into());
        }
        let token = random_token();
        self.store()
            .set_testimonial_withdrawal_link(id, &hash_token(&token), now_millis())
            .await?;
        let url = format!(
            "{}/consent/{token}",
            self.config().public_url.trim_end_matches('/')
        );
        let mut mailed_to = None;
        if let Some(email) = email {
            let lang = Lang::from_code(&actor.member.lang).unwrap_or_default();
            let (subject, body) = withdrawal_mail(lang, &row.person_name, &row.title, &url);
            // The link is also returned to the manager: a mail that fails is logged, not fatal.
            match self
                .mailer()
                .send(email.as_str(), &subject, &body, &url)
                .await
            {
                Ok(()) => mailed_to = Some(email.as_str().to_string()),
                Err(e) => {
                    tracing::warn!(testimonial = id, error = %e, "withdrawal link not mailed")
                }
            }
        }
        Ok(WithdrawalLink { url, mailed_to })
    }

    async fn guest_row(&self, token: &str) -> Result<parvis_store::TestimonialRow> {
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(unknown_link());
        }
        self.store()
            .testimonial_by_withdrawal_link(&hash_token(token))
            .await?
            .ok_or_else(unknown_link)
    }

    /// What the holder of a withdrawal link agreed to.
    pub async fn guest_consent(&self, token: &str) -> Result<GuestConsent> {
        let row = self.guest_row(token).await?;
        let consents = self.store().testimonial_consents(row.id).await?;
        let consent = consents.last().cloned();
        let withdrawn = consent.as_ref().is_none_or(|c| c.withdrawn);
        Ok(GuestConsent {
            testimonial_id: row.id,
            kind: row.kind,
            title: row.title,
            person_name: row.person_name,
            organisation: row.person_org,
            published: row.published_at.is_some(),
            agreed: consents.iter().rev().find(|c| !c.withdrawn).cloned(),
            consent,
            withdrawn,
        })
    }

    /// Withdraw through the link: recorded once (a second confirmation changes nothing).
    pub async fn withdraw_by_link(&self, token: &str) -> Result<GuestConsent> {
        let now = self.guest_consent(token).await?;
        if !now.withdrawn {
            let record = ConsentRecord {
                internal_use: false,
                public_use: false,
                name_shown: "initials".into(),
                photo: false,
                withdrawn: true,
                wording: WITHDRAWN_BY_LINK.into(),
                recorded_at: now_millis(),
            };
            self.store()
                .record_testimonial_consent(now.testimonial_id, &record, None)
                .await?;
            tracing::info!(
                testimonial = now.testimonial_id,
                "testimonial consent withdrawn through the guest's link"
            );
        }
        self.guest_consent(token).await
    }
}

/// The mail carrying the link, in the manager's language.
fn withdrawal_mail(lang: Lang, name: &str, title: &str, url: &str) -> (String, String) {
    (
        mail_text::text(lang, "withdrawal-link-subject", &[("title", title.into())]),
        mail_text::text(
            lang,
            "withdrawal-link-body",
            &[
                ("name", name.into()),
                ("title", title.into()),
                ("link", url.into()),
            ],
        ),
    )
}
