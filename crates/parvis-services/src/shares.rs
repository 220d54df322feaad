//! Personal share links (social selling): any member gets a link of their own to any page
//! (`/threads/12?ref=CODE`). A visit through it is credited to them, and so are the actions
//! the visitor then takes in Parvis (a registration to a session, a challenge entry, a
//! reply, a reaction, a vote), remembered by an HttpOnly cookie. An unknown code opens the page and credits no
//! one; nobody is credited for their own visits or actions. The buttons are plain links
//! (LinkedIn, X, Mastodon, email): no third-party script runs on our pages.
//!
//! Mastodon has no one site: the button goes to the member's own instance, which they name
//! once (the page remembers it in a cookie). Until then there is no Mastodon address at all
//! rather than a default instance that is not theirs. The name is checked to be a plain host
//! name, so the button can only ever lead to `https://<host>/share`.

use crate::{Actor, Result, ServiceError, Services};
use parvis_domain::*;
use parvis_store::{ShareCredits, ShareStats};
use serde::Serialize;
use utoipa::ToSchema;

/// Actions credited besides visits (reactions and votes are engagement, shown on "My
/// shares" but not counted as actions brought: `parvis_store::shares::NOT_ACTIONS`).
pub const ACTIONS: [&str; 5] = [
    "registration",
    "challenge_entry",
    "reply",
    "reaction",
    "vote",
];

/// How long a visit through a link keeps crediting the visitor's actions (the `parvis_ref`
/// cookie's lifetime, and the window of a widget sign-in's note).
pub const REF_TTL_MS: i64 = 30 * 24 * 3600 * 1000;

/// The note of a widget sign-in confirmed through a link (not an action in itself).
const WIDGET_SIGN_IN: &str = "widget_sign_in";

fn widget_target(member: MemberId) -> String {
    format!("member:{}", member.0)
}

/// A member's link to a page, ready to share.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ShareLink {
    pub code: String,
    pub path: String,
    /// The page's address with `?ref=CODE`.
    pub url: String,
    pub linkedin: String,
    pub x: String,
    /// The share address on the member's Mastodon instance; absent until they name it.
    pub mastodon: Option<String>,
    pub email: String,
}

/// Whether `code` looks like one of ours (before asking the store).
pub fn plausible_code(code: &str) -> bool {
    (6..=32).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A Mastodon instance as typed (`piaille.fr`, `https://piaille.fr/`, `@me@piaille.fr`),
/// checked to be a plain public host name and returned lowercased (IDN in punycode).
/// Addresses, ports, paths and single-label names (`localhost`) are refused. Pure.
pub fn mastodon_instance(typed: &str) -> std::result::Result<String, ValidationError> {
    let bad = || {
        ValidationError::broke(
            "mastodon_instance",
            Rule::Url,
            "expected the host name of a Mastodon instance, such as mastodon.social",
        )
    };
    let s = typed.trim();
    let s = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or(s);
    // A full handle (`@me@piaille.fr`) names its instance after the last `@`.
    let s = s.rsplit('@').next().unwrap_or(s).trim_end_matches('/');
    if s.is_empty() || s.len() > 253 || s.contains(['/', ':', '?', '#', '\\', ' ']) {
        return Err(bad());
    }
    let host = match url::Host::parse(s) {
        Ok(url::Host::Domain(d)) => d.to_ascii_lowercase(),
        _ => return Err(bad()),
    };
    let labels: Vec<&str> = host.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    let tld_ok = labels
        .last()
        .is_some_and(|t| t.bytes().any(|b| b.is_ascii_alphabetic()));
    if labels.len() < 2 || !labels.iter().all(label_ok) || !tld_ok {
        return Err(bad());
    }
    Ok(host)
}

/// The share URL and its buttons; the Mastodon one only with the member's instance (an
/// instance that does not pass [`mastodon_instance`] is ignored).
pub fn share_link(public_url: &str, path: &str, code: &str, mastodon: Option<&str>) -> ShareLink {
    let sep = if path.contains('?') { '&' } else { '?' };
    let url = format!("{public_url}{path}{sep}ref={code}");
    ShareLink {
        linkedin: format!(
            "https://www.linkedin.com/sharing/share-offsite/?url={}",
            enc(&url)
        ),
        x: format!("https://x.com/intent/post?url={}", enc(&url)),
        mastodon: mastodon
            .and_then(|m| mastodon_instance(m).ok())
            .map(|host| format!("https://{host}/share?text={}", enc(&url))),
        email: format!("mailto:?body={}", enc(&url).replace('+', "%20")),
        code: code.into(),
        path: path.into(),
        url,
    }
}

impl Services {
    /// The actor's personal link to `path` (a page of this site), made on first ask, with a
    /// Mastodon button on `mastodon` (their instance) when known.
    pub async fn share(
        &self,
        actor: &Actor,
        path: &str,
        mastodon: Option<&str>,
    ) -> Result<ShareLink> {
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
        Ok(share_link(&self.config().public_url, path, &code, mastodon))
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

    /// Note that `member` signed in to a widget while carrying the link `code` (our cookie
    /// at an emailed sign-in's confirmation, or the host page's address at a single
    /// sign-on): the widget is a third-party frame that never sends our cookies, so its
    /// later actions are credited to that link through this note (see
    /// [`Self::widget_share_code`]). The sharer's own sign-in notes nothing; false for an
    /// unknown code.
    pub async fn note_widget_share(&self, code: &str, member: MemberId) -> Result<bool> {
        if !plausible_code(code) {
            return Ok(false);
        }
        Ok(self
            .store()
            .share_credit(
                code,
                WIDGET_SIGN_IN,
                Some(member.0),
                &widget_target(member),
                now_millis(),
            )
            .await?)
    }

    /// The link a widget's member came through, if they confirmed a widget sign-in carrying
    /// one within the cookie's lifetime (the newest such link).
    pub async fn widget_share_code(&self, member: MemberId) -> Result<Option<String>> {
        let since = now_millis() - REF_TTL_MS;
        Ok(self
            .store()
            .share_code_of_target(WIDGET_SIGN_IN, &widget_target(member), since)
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
                let l = share_link(&self.config().public_url, &s.path, &s.code, None);
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
        let l = share_link("https://p.example", "/threads/12", "abc123def456", None);
        assert_eq!(l.url, "https://p.example/threads/12?ref=abc123def456");
        assert!(
            l.linkedin
                .ends_with("url=https%3A%2F%2Fp.example%2Fthreads%2F12%3Fref%3Dabc123def456")
        );
        assert!(l.email.starts_with("mailto:?body=https%3A"));
        assert_eq!(
            share_link("", "/s/x?y=1", "c0de00", None).url,
            "/s/x?y=1&ref=c0de00"
        );
        assert!(!plausible_code("x';--") && !plausible_code("abc") && plausible_code("abc123"));
    }

    #[test]
    fn mastodon_goes_to_the_members_instance_and_only_to_a_host_name() {
        assert_eq!(
            share_link("https://p.example", "/t/1", "abc123", None).mastodon,
            None,
            "no default instance"
        );
        assert_eq!(
            share_link("https://p.example", "/t/1", "abc123", Some("Piaille.FR"))
                .mastodon
                .as_deref(),
            Some("https://piaille.fr/share?text=https%3A%2F%2Fp.example%2Ft%2F1%3Fref%3Dabc123")
        );
        for (typed, host) in [
            ("mastodon.social", "mastodon.social"),
            (" https://Piaille.fr/ ", "piaille.fr"),
            ("@camille@eldritch.cafe", "eldritch.cafe"),
            ("mastodon.xn--3ds443g", "mastodon.xn--3ds443g"),
            ("toot.café", "toot.xn--caf-dma"),
        ] {
            assert_eq!(mastodon_instance(typed).as_deref(), Ok(host), "{typed}");
        }
        for typed in [
            "",
            "localhost",
            "127.0.0.1",
            "[::1]",
            "mastodon.social:8443",
            "mastodon.social/evil",
            "evil.example?x=mastodon.social",
            "javascript:alert(1)",
            "-bad.example",
            "a..b",
            "x.123",
            "two words.example",
        ] {
            assert!(mastodon_instance(typed).is_err(), "{typed:?} is refused");
        }
        // A tampered cookie gives no button rather than a bad one.
        assert_eq!(
            share_link("", "/t/1", "abc123", Some("evil.example/x")).mastodon,
            None
        );
    }
}
