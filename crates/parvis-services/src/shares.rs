//! Personal share links (social selling): any member gets a link of their own to any page
//! (`/threads/12?ref=CODE`). A visit through it is credited to them, and so are the actions
//! the visitor then takes in Parvis (a registration to a session, a challenge entry, a
//! reply), remembered by an HttpOnly cookie. An unknown code opens the page and credits no
//! one; nobody is credited for their own visits or actions. The buttons are plain links
//! (LinkedIn, X, Mastodon, email): no third-party script runs on our pages.

use crate::{Actor, Result, ServiceError, Services};
use parvis_domain::*;
use parvis_store::{ShareCredits, ShareStats};
use serde::Serialize;
use utoipa::ToSchema;

/// Actions credited besides visits.
pub const ACTIONS: [&str; 3] = ["registration", "challenge_entry", "reply"];

/// A member's link to a page, ready to share.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ShareLink {
    pub code: String,
    pub path: String,
    /// The page's address with `?ref=CODE`.
    pub url: String,
    pub linkedin: String,
    pub x: String,
    pub mastodon: String,
    pub email: String,
}

/// Whether `code` looks like one of ours (before asking the store).
pub fn plausible_code(code: &str) -> bool {
    (6..=32).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The share URL and its buttons.
pub fn share_link(public_url: &str, path: &str, code: &str) -> ShareLink {
    let sep = if path.contains('?') { '&' } else { '?' };
    let url = format!("{public_url}{path}{sep}ref={code}");
    ShareLink {
        linkedin: format!(
            "https://www.linkedin.com/sharing/share-offsite/?url={}",
            enc(&url)
        ),
        x: format!("https://x.com/intent/post?url={}", enc(&url)),
        mastodon: format!("https://mastodon.social/share?text={}", enc(&url)),
        email: format!("mailto:?body={}", enc(&url).replace('+', "%20")),
        code: code.into(),
        path: path.into(),
        url,
    }
}

impl Services {
    /// The actor's personal link to `path` (a page of this site), made on first ask.
    pub async fn share(&self, actor: &Actor, path: &str) -> Result<ShareLink> {
        let path = path.trim();
        let ok = path.starts_with('/')
            && !path.starts_with("//")
            && path.len() <= 500
            && !path.contains('\\')
            && !path.contains("ref=")
            && !path.starts_with("/api/")
            && !path.chars().any(|c| c.is_control() || c.is_whitespace());
        if !ok {
            return Err(ValidationError::broke(
                "path",
                Rule::Url,
                "expected the path of a page of this site, such as /threads/12",
            )
            .into());
        }
        let fresh: String = crate::random_token().chars().take(12).collect();
        let code = self
            .store()
            .share_link(actor.member.id.0, path, &fresh, now_millis())
            .await?;
        Ok(share_link(&self.config().public_url, path, &code))
    }

    /// Credit a visit or an action to the owner of `code`; false for an unknown code.
    pub async fn credit_share(
        &self,
        code: &str,
        action: &str,
        actor: Option<&Actor>,
        target: &str,
    ) -> Result<bool> {
        if !plausible_code(code) {
            return Ok(false);
        }
        Ok(self
            .store()
            .share_credit(
                code,
                action,
                actor.map(|a| a.member.id.0),
                target,
                now_millis(),
            )
            .await?)
    }

    /// Whether a code is known (a visit through it sets the cookie).
    pub async fn share_code_known(&self, code: &str) -> Result<bool> {
        Ok(plausible_code(code) && self.store().share_code_exists(code).await?)
    }

    /// "My shares": the actor's links and what each brought.
    pub async fn my_shares(&self, actor: &Actor) -> Result<Vec<(ShareStats, ShareLink)>> {
        Ok(self
            .store()
            .member_shares(actor.member.id.0)
            .await?
            .into_iter()
            .map(|s| {
                let l = share_link(&self.config().public_url, &s.path, &s.code);
                (s, l)
            })
            .collect())
    }

    /// The ambassadors' ranking (moderators and admins).
    pub async fn ambassadors(&self, actor: &Actor) -> Result<Vec<ShareCredits>> {
        actor.require_moderator()?;
        Ok(self.store().share_credits_by_member().await?)
    }

    /// Share credits per member, for the measures (the ambassador level).
    pub async fn share_credits(&self) -> Result<Vec<ShareCredits>> {
        self.store()
            .share_credits_by_member()
            .await
            .map_err(ServiceError::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_carry_the_code_and_buttons_are_plain_links() {
        let l = share_link("https://p.example", "/threads/12", "abc123def456");
        assert_eq!(l.url, "https://p.example/threads/12?ref=abc123def456");
        assert!(
            l.linkedin
                .ends_with("url=https%3A%2F%2Fp.example%2Fthreads%2F12%3Fref%3Dabc123def456")
        );
        assert!(l.email.starts_with("mailto:?body=https%3A"));
        assert_eq!(
            share_link("", "/s/x?y=1", "c0de00").url,
            "/s/x?y=1&ref=c0de00"
        );
        assert!(!plausible_code("x';--") && !plausible_code("abc") && plausible_code("abc123"));
    }
}
