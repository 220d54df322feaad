//! Registering to a session: members in one click, visitors with name, email and organisation
//! who confirm by a one-time emailed link. Three separate consents, never ticked in advance:
//! *the organisation may contact me*, *share my contact with the session's partners* (named)
//! and *propose me meetings with other participants* (see `meet`); each is stored dated, with
//! the wording the person saw.
//!
//! Seats: capacity, then a waiting list; a cancelled seat goes to the first who waits (the
//! store decides under a lock, see `parvis_store::sessions`). Registering after the start is
//! refused. Mails (confirmation with the `.ics`, reminders) are background jobs: a failed
//! send never blocks a registration and is retried (see `jobs`).

use crate::auth::hash_token;
use crate::{Actor, Result, ServiceError, Services, mail_text, random_token};
use parvis_domain::*;
use parvis_store::{NewRegistration, Registration, SessionRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The consents a registration asks (each unticked until the person ticks it).
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, ToSchema)]
pub struct RegistrationConsents {
    /// The organisation may contact me.
    #[serde(default)]
    pub contact: bool,
    /// Share my contact with the session's partners.
    #[serde(default)]
    pub share: bool,
    /// Propose me meetings with other participants.
    #[serde(default)]
    pub meet: bool,
}

/// A visitor's registration form.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct VisitorRegistration {
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub organisation: String,
    /// The organisation may contact me.
    #[serde(default)]
    pub contact: bool,
    /// Share my contact with the session's partners.
    #[serde(default)]
    pub share: bool,
    /// Propose me meetings with other participants.
    #[serde(default)]
    pub meet: bool,
}

impl VisitorRegistration {
    /// The consents as given.
    pub fn consents(&self) -> RegistrationConsents {
        RegistrationConsents {
            contact: self.contact,
            share: self.share,
            meet: self.meet,
        }
    }
}

/// The wording of a consent in `lang`, as shown on the form and stored with the choice.
pub fn consent_wording(kind: &str, lang: Lang, partners: &str) -> String {
    match (kind, lang) {
        ("contact", Lang::Fr) => "L'organisation peut me contacter.".into(),
        ("contact", Lang::En) => "The organisation may contact me.".into(),
        ("meet", Lang::Fr) => "Me proposer des rencontres avec d'autres participants.".into(),
        ("meet", Lang::En) => "Propose me meetings with other participants.".into(),
        (_, Lang::Fr) if partners.is_empty() => {
            "Partager mes coordonnées avec les partenaires de la session.".into()
        }
        (_, Lang::Fr) => {
            format!("Partager mes coordonnées avec les partenaires de la session : {partners}.")
        }
        (_, Lang::En) if partners.is_empty() => {
            "Share my contact details with the session's partners.".into()
        }
        (_, Lang::En) => {
            format!("Share my contact details with the session's partners: {partners}.")
        }
    }
}

fn consents_of(c: RegistrationConsents, lang: Lang, partners: &str) -> Vec<(String, bool, String)> {
    vec![
        (
            "contact".into(),
            c.contact,
            consent_wording("contact", lang, partners),
        ),
        (
            "share".into(),
            c.share,
            consent_wording("share", lang, partners),
        ),
        (
            "meet".into(),
            c.meet,
            consent_wording("meet", lang, partners),
        ),
    ]
}

/// Refuse a registration once the session has begun or is closed.
fn check_open(row: &SessionRow) -> Result<()> {
    if row.closed_at.is_some() || now_millis() >= row.starts_at {
        return Err(ValidationError::broke(
            "session",
            Rule::InPast,
            "this session has already begun: registrations are closed",
        )
        .into());
    }
    Ok(())
}

impl Services {
    /// Register the signed-in member (one click).
    pub async fn register_member(
        &self,
        actor: &Actor,
        session: i64,
        consents: RegistrationConsents,
    ) -> Result<Registration> {
        let row = self.session_row(session).await?;
        check_open(&row)?;
        let m = &actor.member;
        let lang = Lang::from_code(&m.lang).unwrap_or_default();
        let out = self
            .store()
            .register(&NewRegistration {
                session_id: session,
                person: format!("m{}", m.id.0),
                member_id: Some(m.id.0),
                name: m.display_name.clone(),
                email: m.email.clone().unwrap_or_default(),
                organisation: m.organisation.clone(),
                lang: lang.code().into(),
                needs_confirmation: false,
                confirm_token_hash: None,
                manage_token_hash: None,
                consents: consents_of(consents, lang, &row.partners),
                now: now_millis(),
            })
            .await?;
        if out.created {
            self.after_seat(&row, &out.registration).await?;
            self.emit_registration_created(&row, &out.registration)
                .await;
        }
        Ok(out.registration)
    }

    /// Register a visitor: pending until they follow the one-time link mailed to them, with
    /// a second link to cancel. Registering again with the same email is the same
    /// registration; while it is still pending, new links are mailed (the old ones stop).
    pub async fn register_visitor(
        &self,
        session: i64,
        form: &VisitorRegistration,
        lang: Lang,
    ) -> Result<Registration> {
        let row = self.session_row(session).await?;
        check_open(&row)?;
        let name = hygiene::label("name", &form.name, 120)?;
        let email = Email::parse("email", &form.email)?;
        let organisation = form.organisation.trim().to_string();
        hygiene::check("organisation", &organisation)?;
        if organisation.chars().count() > 120 {
            return Err(ValidationError::broke(
                "organisation",
                Rule::TooLong(120),
                "at most 120 characters",
            )
            .into());
        }
        let token = random_token();
        let manage = random_token();
        let out = self
            .store()
            .register(&NewRegistration {
                session_id: session,
                person: format!("e{}", email.as_str()),
                member_id: None,
                name,
                email: email.as_str().into(),
                organisation,
                lang: lang.code().into(),
                needs_confirmation: true,
                confirm_token_hash: Some(hash_token(&token)),
                manage_token_hash: Some(hash_token(&manage)),
                consents: consents_of(form.consents(), lang, &row.partners),
                now: now_millis(),
            })
            .await?;
        // Registering again while still pending sends new links: the first mail may never
        // have arrived (a mail server down), and this is how the visitor asks for another.
        let again = !out.created && out.registration.status == "pending";
        if out.created || again {
            let link = format!("{}/sessions/confirm/{token}", self.config().public_url);
            let cancel = format!("{}/sessions/manage/{manage}", self.config().public_url);
            let subject = mail_text::text(
                lang,
                "registration-link-subject",
                &[("title", row.title.as_str().into())],
            );
            let body = mail_text::text(
                lang,
                "registration-link-body",
                &[
                    ("name", out.registration.name.as_str().into()),
                    ("title", row.title.as_str().into()),
                    ("link", link.as_str().into()),
                    ("cancel", cancel.as_str().into()),
                ],
            );
            // Someone registering a stranger's address to session after session: the
            // registrations are kept (unconfirmed, they count for nothing) but the mails stop.
            match self.registration_mail_gate(email.as_str()).await {
                Err(ServiceError::RateLimited { .. }) => return Ok(out.registration),
                other => other?,
            }
            // Past the gate only, so a flood of registrations cannot void the links of a mail
            // that did arrive without sending new ones.
            if again
                && !self
                    .store()
                    .renew_pending_links(
                        out.registration.id,
                        &hash_token(&token),
                        &hash_token(&manage),
                    )
                    .await?
            {
                return Ok(out.registration);
            }
            // A mail that fails must not lose the registration: it is kept, and the visitor
            // can register again to get a new link.
            if let Err(e) = self
                .mailer()
                .send(email.as_str(), &subject, &body, &link)
                .await
            {
                tracing::warn!(session, error = %e, "registration link not sent");
            }
        }
        Ok(out.registration)
    }

    /// Confirm a visitor's registration by their emailed token.
    pub async fn confirm_registration(&self, token: &str) -> Result<Registration> {
        let hash = hash_token(token.trim());
        let session = self
            .store()
            .pending_registration_session(&hash)
            .await?
            .ok_or(ServiceError::BadLink)?;
        // A link opened after the session began comes too late, as a registration would.
        let row = self.session_row(session).await?;
        check_open(&row)?;
        let reg = self
            .store()
            .confirm_pending_registration(session, &hash, now_millis())
            .await?
            .ok_or(ServiceError::BadLink)?;
        self.after_seat(&row, &reg).await?;
        // A visitor's registration counts once confirmed: an unconfirmed address is nobody's.
        self.emit_registration_created(&row, &reg).await;
        // Nor is it the conversion of the embed click it came through until now; a failure
        // to count it must not undo the confirmation.
        if let Err(e) = self.registration_confirmed(&reg).await {
            tracing::warn!(registration = reg.id, error = %e, "registration not counted for its embed");
        }
        Ok(reg)
    }

    /// Cancel the signed-in member's registration to a session.
    pub async fn cancel_member_registration(
        &self,
        actor: &Actor,
        session: i64,
    ) -> Result<Registration> {
        let reg = self
            .store()
            .registration_of(session, &format!("m{}", actor.member.id.0))
            .await?
            .ok_or_else(|| ServiceError::NotFound("registration".into()))?;
        self.cancel(reg.id).await
    }

    async fn cancel(&self, id: i64) -> Result<Registration> {
        let (reg, promoted) = self.store().cancel_registration(id, now_millis()).await?;
        if let Some(p) = promoted {
            let row = self.session_row(p.session_id).await?;
            tracing::info!(
                session = row.id,
                registration = p.id,
                "promoted from the waiting list"
            );
            self.after_seat(&row, &p).await?;
        }
        Ok(reg)
    }

    /// After a registration is confirmed or put on the waiting list: plan its mails (the
    /// confirmation now, reminders before the start for a confirmed seat).
    pub(crate) async fn after_seat(&self, row: &SessionRow, reg: &Registration) -> Result<()> {
        if reg.email.is_empty() {
            return Ok(());
        }
        let now = now_millis();
        let stamp = reg.confirmed_at.unwrap_or(now);
        let payload = |what: &str, before: i64| {
            serde_json::json!({"registration": reg.id, "what": what, "before_min": before, "starts_at": row.starts_at, "status": reg.status}).to_string()
        };
        self.store()
            .enqueue_job(
                crate::jobs::SESSION_MAIL,
                &format!(
                    "session:{}:mail:{}:{}:{}",
                    row.id, reg.id, reg.status, stamp
                ),
                &payload("confirmation", 0),
                now,
                now,
            )
            .await?;
        if reg.status == "confirmed" {
            for before in &self.config().reminder_minutes {
                let at = row.starts_at - before * 60_000;
                if at > now {
                    self.store()
                        .enqueue_job(
                            crate::jobs::SESSION_MAIL,
                            &format!(
                                "session:{}:reminder:{}:{before}:{}",
                                row.id, reg.id, row.starts_at
                            ),
                            &payload("reminder", *before),
                            at,
                            now,
                        )
                        .await?;
                }
            }
        }
        Ok(())
    }

    /// A session's registrations (its moderators, site moderators, admins).
    pub async fn session_registrations(
        &self,
        actor: &Actor,
        session: i64,
    ) -> Result<Vec<Registration>> {
        self.session_row(session).await?;
        if !self.can_manage_session(Some(actor), session).await? {
            return Err(ServiceError::Forbidden(
                "only the session's moderators see its registrations".into(),
            ));
        }
        // Contact details only for those who consented to be contacted (docs/PRIVACY.md).
        let mut regs = self.store().registrations(session).await?;
        for r in &mut regs {
            if !r.consent_contact {
                r.email = String::new();
            }
        }
        Ok(regs)
    }

    /// A visitor's registration by the token of their manage link.
    pub async fn registration_by_manage_token(&self, token: &str) -> Result<Registration> {
        self.store()
            .registration_by_manage_token(&hash_token(token.trim()))
            .await?
            .ok_or(ServiceError::BadLink)
    }

    /// Cancel by a manage link (visitors without an account).
    pub async fn cancel_by_manage_token(&self, token: &str) -> Result<Registration> {
        let reg = self.registration_by_manage_token(token).await?;
        self.cancel(reg.id).await
    }

    /// Change one's consents on a registration (member), each change dated.
    pub async fn set_member_registration_consents(
        &self,
        actor: &Actor,
        session: i64,
        consents: RegistrationConsents,
    ) -> Result<Registration> {
        let row = self.session_row(session).await?;
        let reg = self
            .store()
            .registration_of(session, &format!("m{}", actor.member.id.0))
            .await?
            .ok_or_else(|| ServiceError::NotFound("registration".into()))?;
        let lang = Lang::from_code(&reg.lang).unwrap_or_default();
        for (kind, granted, wording) in consents_of(consents, lang, &row.partners) {
            self.store()
                .set_registration_consent(reg.id, &kind, granted, &wording, now_millis())
                .await?;
        }
        self.store()
            .registration(reg.id)
            .await?
            .ok_or_else(|| ServiceError::NotFound("registration".into()))
    }

    /// Change a visitor's consents by their manage link, each change dated.
    pub async fn set_consents_by_manage_token(
        &self,
        token: &str,
        consents: RegistrationConsents,
    ) -> Result<Registration> {
        let reg = self.registration_by_manage_token(token).await?;
        let row = self.session_row(reg.session_id).await?;
        let lang = Lang::from_code(&reg.lang).unwrap_or_default();
        for (kind, granted, wording) in consents_of(consents, lang, &row.partners) {
            self.store()
                .set_registration_consent(reg.id, &kind, granted, &wording, now_millis())
                .await?;
        }
        self.registration_by_manage_token(token).await
    }
}
