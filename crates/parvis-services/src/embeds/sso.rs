//! Single sign-on from the host site: it signs an HS256 JWT for its signed-in user and puts it
//! in the snippet (`data-sso`); the widget trades it for a widget token.
//!
//! Verified by hand with `hmac` + `sha2` (already in the tree; a JWT crate would add a second
//! crypto stack for one algorithm). Only `HS256` is accepted, whatever the header says, so
//! `alg: none` and algorithm confusion cannot happen. The header's `kid` picks one of the
//! space's secrets, so a host can rotate: add a key, sign with it, delete the old one.
//! A `jti` is spent once (kept until the token's `exp`), so a token copied from a page cannot
//! be replayed. `role` and `avatar` are read but grant nothing: a host site cannot hand out
//! Parvis roles, and widgets show no remote image (a tracking pixel otherwise).

use crate::auth::random_token;
use crate::embeds::posting::WidgetSession;
use crate::{Actor, Result, ServiceError, Services};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use parvis_domain::*;
use serde::Deserialize;
use sha2::Sha256;

/// The longest life a host may give a token (jtis are kept until `exp`).
const MAX_TOKEN_LIFE_MS: i64 = 24 * 3600 * 1000;
/// Clock difference tolerated between the host and us.
const LEEWAY_MS: i64 = 30_000;

/// Why a single sign-on token was refused; each has a stable code for the API.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SsoRefused {
    #[error("the token is not a JWT (three base64url parts): {0}")]
    Malformed(String),
    #[error("the token must be signed with HS256")]
    WrongAlgorithm,
    #[error("the token's kid {0:?} names no single sign-on secret of this space")]
    UnknownKid(String),
    #[error("the token's signature does not match the secret its kid names")]
    BadSignature,
    #[error("the token has expired (exp is in the past); sign a fresh one for each page")]
    Expired,
    #[error("the token was already used (its jti was seen); sign a fresh one for each page")]
    Replayed,
    #[error("the token has no email claim; it is needed to reach the member")]
    MissingEmail,
    #[error("the token has no {0} claim")]
    MissingClaim(&'static str),
    #[error("the email belongs to a moderator or admin, who sign in on Parvis itself")]
    Privileged,
}

impl SsoRefused {
    /// The API's code for this refusal.
    pub fn code(&self) -> &'static str {
        match self {
            SsoRefused::Malformed(_) | SsoRefused::WrongAlgorithm | SsoRefused::MissingClaim(_) => {
                "sso_malformed"
            }
            SsoRefused::UnknownKid(_) => "sso_unknown_kid",
            SsoRefused::BadSignature => "sso_bad_signature",
            SsoRefused::Expired => "sso_expired",
            SsoRefused::Replayed => "sso_replayed",
            SsoRefused::MissingEmail => "sso_missing_email",
            SsoRefused::Privileged => "sso_privileged",
        }
    }
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
}

/// The claims Parvis reads.
#[derive(Deserialize, Debug, Clone)]
pub struct Claims {
    pub sub: Option<serde_json::Value>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub role: Option<String>,
    pub avatar: Option<String>,
    pub exp: Option<f64>,
    pub jti: Option<String>,
}

fn part<T: serde::de::DeserializeOwned>(s: &str, what: &str) -> Result<T, SsoRefused> {
    let bytes = URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .map_err(|_| SsoRefused::Malformed(format!("the {what} is not base64url")))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| SsoRefused::Malformed(format!("the {what} is not JSON: {e}")))
}

/// The token's key id, read before its secret is known.
pub fn token_kid(token: &str) -> Result<String, SsoRefused> {
    let mut it = token.trim().split('.');
    let (Some(h), Some(_), Some(_), None) = (it.next(), it.next(), it.next(), it.next()) else {
        return Err(SsoRefused::Malformed(
            "expected header.payload.signature".into(),
        ));
    };
    let header: Header = part(h, "header")?;
    if header.alg != "HS256" {
        return Err(SsoRefused::WrongAlgorithm);
    }
    header
        .kid
        .filter(|k| !k.is_empty())
        .ok_or(SsoRefused::MissingClaim("kid (header)"))
}

/// Check a token's signature with `secret` and its expiry at `now`; the claims when good.
/// Pure: the store's parts (which secret, which jtis were seen) are the caller's.
pub fn verify(token: &str, secret: &str, now: Millis) -> Result<Claims, SsoRefused> {
    token_kid(token)?;
    let token = token.trim();
    let (signed, sig) = token.rsplit_once('.').ok_or(SsoRefused::BadSignature)?;
    let sig = URL_SAFE_NO_PAD
        .decode(sig.trim_end_matches('='))
        .map_err(|_| SsoRefused::BadSignature)?;
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|_| SsoRefused::BadSignature)?;
    mac.update(signed.as_bytes());
    mac.verify_slice(&sig)
        .map_err(|_| SsoRefused::BadSignature)?;
    let payload = signed.split('.').nth(1).unwrap_or_default();
    let claims: Claims = part(payload, "payload")?;
    let exp = claims.exp.ok_or(SsoRefused::MissingClaim("exp"))?;
    let exp_ms = (exp * 1000.0) as i64;
    if exp_ms + LEEWAY_MS <= now {
        return Err(SsoRefused::Expired);
    }
    if exp_ms > now + MAX_TOKEN_LIFE_MS {
        return Err(SsoRefused::Malformed(
            "exp is more than 24 hours ahead".into(),
        ));
    }
    Ok(claims)
}

/// Sign claims as a host site would (tests, and the README's example).
pub fn sign(kid: &str, secret: &str, claims: &serde_json::Value) -> String {
    let header = URL_SAFE_NO_PAD
        .encode(serde_json::json!({"alg": "HS256", "typ": "JWT", "kid": kid}).to_string());
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signed = format!("{header}.{payload}");
    // HMAC takes a key of any length: this never fails.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(signed.as_bytes());
    format!(
        "{signed}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

fn check_kid(kid: &str) -> Result<String> {
    let kid = kid.trim();
    if kid.is_empty()
        || kid.len() > 64
        || !kid
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(ValidationError::new("kid", "1 to 64 letters, digits, - or _").into());
    }
    Ok(kid.to_string())
}

impl Services {
    /// Trade a host site's signed token for a widget token in `space`.
    pub async fn widget_sso(&self, space: SpaceId, token: &str) -> Result<WidgetSession> {
        let refuse = |r: SsoRefused| {
            tracing::info!(space = space.0, code = r.code(), "single sign-on refused");
            ServiceError::Sso(r)
        };
        let kid = token_kid(token).map_err(refuse)?;
        let secret = self
            .store()
            .sso_secret(space, &kid)
            .await?
            .ok_or_else(|| refuse(SsoRefused::UnknownKid(kid.clone())))?;
        let now = now_millis();
        let claims = verify(token, &secret, now).map_err(refuse)?;
        let sub = match &claims.sub {
            Some(serde_json::Value::String(s)) if !s.is_empty() => s.clone(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => return Err(refuse(SsoRefused::MissingClaim("sub"))),
        };
        let jti = claims
            .jti
            .clone()
            .filter(|j| !j.is_empty() && j.len() <= 200)
            .ok_or_else(|| refuse(SsoRefused::MissingClaim("jti")))?;
        let exp_ms = (claims.exp.unwrap_or_default() * 1000.0) as i64;
        if !self
            .store()
            .use_sso_jti(space, &jti, exp_ms.max(now) + LEEWAY_MS, now)
            .await?
        {
            return Err(refuse(SsoRefused::Replayed));
        }
        let email = claims
            .email
            .as_deref()
            .filter(|e| !e.is_empty())
            .ok_or_else(|| refuse(SsoRefused::MissingEmail))?;
        let email = Email::parse("email", email)?;
        let member = match self.store().sso_member(space, &kid, &sub).await? {
            Some(m) => m,
            None => {
                let member = match self.store().member_id_by_email(email.as_str()).await? {
                    Some(existing) => {
                        let m = self.store().member_by_id(existing).await?;
                        if m.is_some_and(|m| m.site_role.can_moderate()) {
                            return Err(refuse(SsoRefused::Privileged));
                        }
                        existing
                    }
                    None => {
                        if !self.store().post_settings(space).await?.open_signup {
                            return Err(ServiceError::Forbidden(
                                "this space only lets its members take part; ask its organisers for an invitation".into(),
                            ));
                        }
                        let name = claims
                            .name
                            .as_deref()
                            .map(str::trim)
                            .filter(|n| !n.is_empty())
                            .unwrap_or("Participant");
                        let name = hygiene::label("name", name, 80)?;
                        let id = self
                            .new_member(Some(email.as_str()), &name, Lang::default())
                            .await?;
                        self.store()
                            .set_member_origin(id, &format!("sso:{kid}"), now)
                            .await?;
                        id
                    }
                };
                self.store()
                    .link_sso(space, &kid, &sub, member, now)
                    .await?;
                member
            }
        };
        tracing::info!(
            space = space.0,
            member = member.0,
            kid = kid.as_str(),
            "single sign-on"
        );
        self.issue_widget_token(member, space).await
    }

    /// Create a single sign-on secret (admins): returned once, never shown again.
    pub async fn add_sso_secret(&self, actor: &Actor, space: &Space, kid: &str) -> Result<String> {
        actor.require_admin()?;
        let kid = check_kid(kid)?;
        let secret = format!("pvsso_{}", random_token());
        self.store()
            .add_sso_secret(space.id, &kid, &secret, now_millis())
            .await?;
        tracing::info!(
            space = space.slug.as_str(),
            kid = kid.as_str(),
            "single sign-on secret added"
        );
        Ok(secret)
    }

    /// Delete a single sign-on secret (admins): tokens signed with it are refused from now.
    pub async fn delete_sso_secret(&self, actor: &Actor, space: &Space, kid: &str) -> Result<()> {
        actor.require_admin()?;
        if self.store().delete_sso_secret(space.id, kid).await? {
            Ok(())
        } else {
            Err(ServiceError::NotFound(format!("key {kid:?}")))
        }
    }

    /// The key ids of a space's secrets and when each was made (admins; never the secrets).
    pub async fn sso_keys(&self, actor: &Actor, space: &Space) -> Result<Vec<(String, Millis)>> {
        actor.require_admin()?;
        Ok(self.store().sso_kids(space.id).await?)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const NOW: Millis = 1_800_000_000_000;

    fn claims(exp_s: i64) -> serde_json::Value {
        serde_json::json!({"sub": "u1", "email": "a@b.example", "name": "Ana", "exp": exp_s, "jti": "j1"})
    }

    #[test]
    fn a_good_token_verifies_and_a_forged_one_does_not() {
        let t = sign("k1", "s3cret", &claims(NOW / 1000 + 60));
        assert_eq!(token_kid(&t).unwrap(), "k1");
        assert_eq!(
            verify(&t, "s3cret", NOW).unwrap().email.as_deref(),
            Some("a@b.example")
        );
        assert_eq!(
            verify(&t, "other", NOW).unwrap_err(),
            SsoRefused::BadSignature
        );
        let mut forged = t.clone();
        forged.insert(forged.rfind('.').unwrap() - 2, 'x');
        assert!(verify(&forged, "s3cret", NOW).is_err());
    }

    #[test]
    fn expired_and_unsigned_tokens_are_refused() {
        let t = sign("k1", "s", &claims(NOW / 1000 - 120));
        assert_eq!(verify(&t, "s", NOW).unwrap_err(), SsoRefused::Expired);
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"k1"}"#),
            URL_SAFE_NO_PAD.encode(claims(NOW / 1000 + 60).to_string())
        );
        assert_eq!(
            verify(&none, "s", NOW).unwrap_err(),
            SsoRefused::WrongAlgorithm
        );
        assert!(matches!(
            verify("abc", "s", NOW),
            Err(SsoRefused::Malformed(_))
        ));
    }
}
