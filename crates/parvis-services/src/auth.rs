//! Accounts: passwords (argon2id), sessions, emailed magic links, API tokens, invitations,
//! and the rate limit on sign-in.
//!
//! Secrets (session tokens, link tokens, API tokens) are 256-bit random values; only their
//! SHA-256 is stored. A password check for an unknown email still runs argon2 against a fixed
//! hash so the answer takes the same time whether the account exists or not.

use crate::{Result, ServiceError, Services, mail_text};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use parvis_domain::*;
use parvis_store::{ApiTokenInfo, NewMember};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A sign-in link is valid this long.
const LINK_TTL_MS: i64 = 30 * 60 * 1000;

/// The member on whose behalf a request acts, with their role.
#[derive(Debug, Clone)]
pub struct Actor {
    pub member: Member,
}

impl Actor {
    /// Refuse unless the actor is an admin.
    pub fn require_admin(&self) -> Result<()> {
        if self.member.site_role.is_admin() {
            Ok(())
        } else {
            Err(ServiceError::Forbidden("this needs the admin role".into()))
        }
    }

    /// Refuse unless the actor moderates.
    pub fn require_moderator(&self) -> Result<()> {
        if self.member.site_role.can_moderate() {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(
                "this needs the moderator or admin role".into(),
            ))
        }
    }
}

/// A new session: the secret goes into the cookie, the CSRF token into forms.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub session_token: String,
    pub csrf_token: String,
    pub member: Member,
    pub max_age_secs: i64,
}

/// 256 random bits as hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The stored form of a secret.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Hash a password with argon2id (the crate's recommended parameters).
pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Validation(ValidationError::new("password", e.to_string())))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A valid argon2 hash of a random password, checked when the email is unknown.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$5r0ikSBNZDg1vnnYWZ3bxFAWqOqBzuTJGPjrDbqDy6E";

/// Check a new password: 10 to 200 characters.
pub fn check_password_rules(password: &str) -> Result<()> {
    let n = password.chars().count();
    if !(10..=200).contains(&n) {
        return Err(ValidationError::broke(
            "password",
            Rule::PasswordLength,
            "must be 10 to 200 characters",
        )
        .into());
    }
    Ok(())
}

impl Services {
    async fn open_session(&self, member: Member) -> Result<SignedIn> {
        let token = random_token();
        let csrf = random_token();
        let now = now_millis();
        let ttl = self.config().session_days * 86_400_000;
        self.store()
            .create_session(&hash_token(&token), member.id, &csrf, now, now + ttl)
            .await?;
        Ok(SignedIn {
            session_token: token,
            csrf_token: csrf,
            member,
            max_age_secs: ttl / 1000,
        })
    }

    async fn member_by_id(&self, id: MemberId) -> Result<Member> {
        self.store()
            .member_by_id(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound("member".into()))
    }

    /// Sign in with email and password. `client` is the caller's address, for the rate limit.
    pub async fn sign_in_password(
        &self,
        email: &str,
        password: &str,
        client: &str,
    ) -> Result<SignedIn> {
        let email = Email::parse("email", email)?;
        // The rules are in `ratelimit`: failures only, never the owner's sign-in links.
        self.password_gate(email.as_str(), client).await?;
        let creds = self.store().credentials_by_email(email.as_str()).await?;
        let hash = creds
            .as_ref()
            .and_then(|c| c.password_hash.clone())
            .unwrap_or_else(|| DUMMY_HASH.to_string());
        let password = password.to_string();
        let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
            .await
            .unwrap_or(false);
        match creds {
            Some(c) if ok && c.password_hash.is_some() => {
                self.password_succeeded(email.as_str(), client).await?;
                let member = self.member_by_id(c.member_id).await?;
                tracing::info!(member = member.handle.as_str(), "signed in with password");
                self.open_session(member).await
            }
            _ => {
                self.password_failed(email.as_str(), client).await?;
                Err(ServiceError::BadCredentials)
            }
        }
    }

    /// Email a one-time sign-in link. Answers the same whether the email is known or not, so
    /// that the form cannot be used to probe who is a member.
    pub async fn request_magic_link(&self, email: &str, client: &str, lang: Lang) -> Result<()> {
        let email = Email::parse("email", email)?;
        self.link_gate(email.as_str(), client).await?;
        let Some(member_id) = self.store().member_id_by_email(email.as_str()).await? else {
            tracing::info!("sign-in link requested for an unknown email; nothing sent");
            return Ok(());
        };
        self.send_magic_link(member_id, email.as_str(), lang, false)
            .await
    }

    async fn send_magic_link(
        &self,
        member: MemberId,
        email: &str,
        lang: Lang,
        invitation: bool,
    ) -> Result<()> {
        let token = random_token();
        let now = now_millis();
        let ttl = if invitation {
            7 * 86_400_000
        } else {
            LINK_TTL_MS
        };
        self.store()
            .create_magic_link(&hash_token(&token), member, now, now + ttl)
            .await?;
        let link = format!(
            "{}/auth/link/{token}",
            self.config().public_url.trim_end_matches('/')
        );
        let (subject, body) = if invitation {
            ("invitation-subject", "invitation-body")
        } else {
            ("signin-link-subject", "signin-link-body")
        };
        let subject = mail_text::text(lang, subject, &[]);
        let text = mail_text::text(lang, body, &[("link", link.as_str().into())]);
        self.mailer().send(email, &subject, &text, &link).await?;
        Ok(())
    }

    /// Use a sign-in link: opens a session once.
    pub async fn sign_in_link(&self, token: &str) -> Result<SignedIn> {
        let member = self
            .store()
            .consume_magic_link(&hash_token(token), now_millis())
            .await?
            .ok_or(ServiceError::BadLink)?;
        let member = self.member_by_id(member).await?;
        tracing::info!(member = member.handle.as_str(), "signed in with a link");
        self.open_session(member).await
    }

    /// The actor and CSRF token behind a session cookie.
    pub async fn session_actor(&self, session_token: &str) -> Result<Option<(Actor, String)>> {
        let found = self
            .store()
            .session_member(&hash_token(session_token), now_millis())
            .await?;
        Ok(found.map(|(session, member)| (Actor { member }, session.csrf_token)))
    }

    /// End a session.
    pub async fn sign_out(&self, session_token: &str) -> Result<()> {
        Ok(self
            .store()
            .delete_session(&hash_token(session_token))
            .await?)
    }

    /// The actor behind an API bearer token.
    pub async fn token_actor(&self, token: &str) -> Result<Option<Actor>> {
        match self
            .store()
            .api_token_member(&hash_token(token), now_millis())
            .await?
        {
            Some(id) => Ok(Some(Actor {
                member: self.member_by_id(id).await?,
            })),
            None => Ok(None),
        }
    }

    /// Create an API token; the secret is returned once and never stored.
    pub async fn create_api_token(
        &self,
        actor: &Actor,
        name: &str,
    ) -> Result<(ApiTokenInfo, String)> {
        let name = hygiene::label("name", name, 80)?;
        let token = format!("pvs_{}", random_token());
        let id = self
            .store()
            .create_api_token(actor.member.id, &name, &hash_token(&token), now_millis())
            .await?;
        let info = self
            .store()
            .list_api_tokens(actor.member.id)
            .await?
            .into_iter()
            .find(|t| t.id == id)
            .ok_or_else(|| ServiceError::NotFound("token".into()))?;
        Ok((info, token))
    }

    /// One's API tokens.
    pub async fn api_tokens(&self, actor: &Actor) -> Result<Vec<ApiTokenInfo>> {
        Ok(self.store().list_api_tokens(actor.member.id).await?)
    }

    /// Revoke one of one's API tokens.
    pub async fn revoke_api_token(&self, actor: &Actor, id: TokenId) -> Result<()> {
        if self.store().revoke_api_token(actor.member.id, id).await? {
            Ok(())
        } else {
            Err(ServiceError::NotFound(format!("token {id}")))
        }
    }

    /// Set one's password (needed for password sign-in; members invited by link may never set one).
    pub async fn set_password(&self, actor: &Actor, password: &str) -> Result<()> {
        check_password_rules(password)?;
        let password = password.to_string();
        let hash = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| ServiceError::Forbidden(e.to_string()))??;
        Ok(self
            .store()
            .set_password_hash(actor.member.id, &hash)
            .await?)
    }

    /// Invite someone (admins only): creates their account with the given roles and emails them
    /// a sign-in link valid for a week.
    #[allow(clippy::too_many_arguments)]
    pub async fn invite(
        &self,
        actor: &Actor,
        email: &str,
        display_name: &str,
        site_role: &str,
        ecosystem_role: &str,
        organisation: &str,
        lang: Lang,
    ) -> Result<Member> {
        actor.require_admin()?;
        let email = Email::parse("email", email)?;
        let display_name = hygiene::label("display_name", display_name, 80)?;
        hygiene::check("organisation", organisation)?;
        let site_role = SiteRole::parse("site_role", site_role)?;
        let ecosystem_role = EcosystemRole::parse("ecosystem_role", ecosystem_role)?;
        let mut handle = Handle::suggest(email.as_str()).as_str().to_string();
        // Find a free handle: marie, marie2, marie3…
        let base = handle.clone();
        let mut n = 1;
        while self.store().member_by_handle(&handle).await?.is_some() {
            n += 1;
            handle = format!("{base}{n}");
        }
        let id = self
            .store()
            .create_member(&NewMember {
                handle: handle.clone(),
                display_name,
                email: Some(email.as_str().to_string()),
                password_hash: None,
                site_role,
                ecosystem_role,
                organisation: organisation.trim().to_string(),
                bio: String::new(),
                lang: lang.code().to_string(),
                created_at: now_millis(),
            })
            .await?;
        self.send_magic_link(id, email.as_str(), lang, true).await?;
        tracing::info!(
            by = actor.member.handle.as_str(),
            handle = handle.as_str(),
            "member invited"
        );
        self.member_by_id(id).await
    }

    /// The mailer, for the use cases of this crate that send mail.
    pub(crate) fn mailer(&self) -> &crate::Mailer {
        &self.inner.mailer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong horse battery", &h));
        assert!(!verify_password("anything", DUMMY_HASH));
        assert!(
            PasswordHash::new(DUMMY_HASH).is_ok(),
            "the dummy hash must parse, or timing differs"
        );
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = random_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_token());
        assert_ne!(hash_token(&a), a);
    }
}

/// What `parvis admin add` did, so the command can say it truthfully.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminBootstrap {
    /// A new member was created with the admin role.
    Created,
    /// The address belonged to a member, who is now an admin.
    Promoted,
    /// The address already belonged to an admin: only a new sign-in link was made.
    AlreadyAdmin,
}

/// Create an admin from the command line and return a one-time sign-in link for them (the
/// way into a fresh instance, before anyone can sign in through the web).
pub async fn bootstrap_admin(
    store: &parvis_store::Store,
    email: &str,
    name: &str,
    public_url: &str,
) -> Result<(AdminBootstrap, String)> {
    let email = Email::parse("email", email)?;
    let name = hygiene::label("name", name, 80)?;
    let now = now_millis();
    let mut outcome = AdminBootstrap::Created;
    let id = match store.member_id_by_email(email.as_str()).await? {
        Some(id) => {
            let was_admin = store
                .member_by_id(id)
                .await?
                .is_some_and(|m| m.site_role.is_admin());
            if was_admin {
                outcome = AdminBootstrap::AlreadyAdmin;
            } else {
                store.set_site_role(id, SiteRole::Admin).await?;
                outcome = AdminBootstrap::Promoted;
            }
            id
        }
        None => {
            let mut handle = Handle::suggest(email.as_str()).as_str().to_string();
            if store.member_by_handle(&handle).await?.is_some() {
                handle = format!("{handle}.admin");
            }
            store
                .create_member(&NewMember {
                    handle,
                    display_name: name,
                    email: Some(email.as_str().to_string()),
                    password_hash: None,
                    site_role: SiteRole::Admin,
                    ecosystem_role: EcosystemRole::Employee,
                    organisation: String::new(),
                    bio: String::new(),
                    lang: "fr".into(),
                    created_at: now,
                })
                .await?
        }
    };
    let token = random_token();
    store
        .create_magic_link(&hash_token(&token), id, now, now + 7 * 86_400_000)
        .await?;
    Ok((
        outcome,
        format!("{}/auth/link/{token}", public_url.trim_end_matches('/')),
    ))
}
