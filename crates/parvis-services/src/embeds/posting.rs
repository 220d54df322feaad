//! Taking part from a widget: sign-in by emailed link without cookies, short-lived widget
//! tokens, posting and voting through them, pseudonyms, and moderation (held first posts,
//! banned and suspect words, a per-member rate limit, one queue for moderators).
//!
//! Why a poll rather than a cookie: the widget is an iframe on our origin inside someone
//! else's page, where browsers block third-party cookies and partition storage. So the widget
//! keeps an opaque attempt id in memory, the visitor confirms the emailed link in a new tab
//! (a button, never on plain GET: mail scanners open links), and the widget's next poll
//! receives a bearer token. The token is sent as `Authorization: Bearer`, which a browser
//! never adds by itself: no CSRF is possible, unlike with a cookie.
//!
//! A widget token acts for one member in one space, for two hours, and only on the widget's
//! own endpoints (post, react, see one's held messages): it is not an API token.

use crate::auth::{hash_token, random_token};
use crate::{Actor, MAX_BODY_CHARS, Result, ServiceError, Services, mail_text};
use parvis_domain::*;
use parvis_store::{
    AttemptState, EmbedAttempt, HeldMessage, NewEmbedAttempt, NewHeld, NewMember, PostSettings,
};
use serde::Serialize;

/// A widget token lives this long; the widget signs in again after.
pub const WIDGET_TOKEN_TTL_MS: i64 = 2 * 3600 * 1000;
/// An emailed widget link is valid this long.
const ATTEMPT_TTL_MS: i64 = 30 * 60 * 1000;
/// Posts per member from widgets: per minute, per hour.
pub const POSTS_PER_MINUTE: i64 = 5;
pub const POSTS_PER_HOUR: i64 = 30;

/// What a widget gets once signed in.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WidgetSession {
    /// Send as `Authorization: Bearer …` on the widget's write calls.
    pub token: String,
    pub expires_at: Millis,
    /// The name the member's posts show (their pseudonym in this space when they chose one).
    pub display_name: String,
    /// Whether this space lets posters choose a pseudonym.
    pub pseudonyms_allowed: bool,
}

/// Who a widget token acts for, and in which space.
#[derive(Debug, Clone)]
pub struct WidgetActor {
    pub actor: Actor,
    pub space: SpaceId,
}

impl WidgetActor {
    /// Refuse what belongs to another space than the one this widget's sign-in is for.
    pub(crate) fn check_space(&self, space: SpaceId) -> Result<()> {
        if space != self.space {
            return Err(ServiceError::Forbidden(
                "this widget's sign-in is for another space".into(),
            ));
        }
        Ok(())
    }
}

/// What became of a widget post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostOutcome {
    /// Published: the message's id.
    Published(MessageId),
    /// Held for a moderator: the held message's id and why.
    Held { id: i64, reason: String },
}

/// The first of `words` that `text` contains as a whole word (case-insensitive; a word of
/// several words matches as a phrase). Pure, so the rule is tested without a store.
pub fn find_word<'a>(text: &str, words: &'a [String]) -> Option<&'a str> {
    let text = text.to_lowercase();
    let is_word = |c: char| c.is_alphanumeric();
    words.iter().map(String::as_str).find(|w| {
        !w.is_empty()
            && text.match_indices(*w).any(|(at, _)| {
                let before = text[..at].chars().next_back();
                let after = text[at + w.len()..].chars().next();
                !before.is_some_and(is_word) && !after.is_some_and(is_word)
            })
    })
}

/// Parse a list of words typed one per line (or comma-separated).
pub fn parse_words(field: &str, s: &str) -> Result<Vec<String>, ValidationError> {
    let mut out = Vec::new();
    for w in s
        .split(['\n', ','])
        .map(str::trim)
        .filter(|w| !w.is_empty())
    {
        hygiene::check(field, w)?;
        if w.chars().count() > 80 {
            return Err(ValidationError::broke(
                field,
                Rule::TooLong(80),
                "each word must be at most 80 characters",
            ));
        }
        out.push(w.to_lowercase());
    }
    if out.len() > 500 {
        return Err(ValidationError::new(field, "at most 500 words"));
    }
    Ok(out)
}

/// What an admin sets for posting from a space's widgets.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct PostSettingsInput {
    pub hold_first: bool,
    pub pseudonyms: bool,
    pub open_signup: bool,
    /// One word per line (or comma-separated): a message that has one is refused.
    #[serde(default)]
    pub banned_words: String,
    /// One word per line (or comma-separated): a message that has one is held.
    #[serde(default)]
    pub suspect_words: String,
}

impl Services {
    /// Start a widget sign-in: mails a one-time link to `email` (in `lang`) and returns the
    /// attempt id the widget polls with. Answers the same whether the email is known or not.
    /// `share_ref`, the share link's code the host page's address carried, is kept with the
    /// attempt for its confirmation (a code not shaped like ours is dropped, never refused).
    pub async fn widget_sign_in_start(
        &self,
        space: SpaceId,
        email: &str,
        host: &str,
        share_ref: Option<&str>,
        client: &str,
        lang: Lang,
    ) -> Result<String> {
        let email = Email::parse("email", email)?;
        self.link_gate(email.as_str(), client).await?;
        let attempt = random_token();
        let link = random_token();
        let now = now_millis();
        self.store()
            .create_embed_attempt(&NewEmbedAttempt {
                attempt_hash: hash_token(&attempt),
                link_hash: hash_token(&link),
                space_id: space,
                email: email.as_str().to_string(),
                host: host.chars().take(200).collect(),
                lang: lang.code().to_string(),
                share_ref: share_ref
                    .map(str::trim)
                    .filter(|c| crate::shares::plausible_code(c))
                    .unwrap_or_default()
                    .to_string(),
                created_at: now,
                expires_at: now + ATTEMPT_TTL_MS,
            })
            .await?;
        let url = format!(
            "{}/auth/widget/{link}",
            self.config().public_url.trim_end_matches('/')
        );
        // The site's name only: the mail is no place for the host page's full address.
        let host = track_host(host);
        let subject = mail_text::text(lang, "widget-link-subject", &[]);
        let text = mail_text::text(
            lang,
            "widget-link-body",
            &[
                ("host", host.to_string().into()),
                ("link", url.as_str().into()),
            ],
        );
        self.mailer()
            .send(email.as_str(), &subject, &text, &url)
            .await?;
        Ok(attempt)
    }

    /// The widget sign-in behind an emailed link (for its confirmation page).
    pub async fn widget_attempt(&self, link: &str) -> Result<EmbedAttempt> {
        self.store()
            .embed_attempt_by_link(&hash_token(link), now_millis())
            .await?
            .ok_or(ServiceError::BadLink)
    }

    /// Confirm a widget sign-in (the button on the emailed link's page). An unknown email
    /// becomes a member when the space allows it, with `embed:<host>` as their origin. The
    /// member signed in, and the share link's code the host page carried when the sign-in
    /// started, if any (to note with [`Self::note_widget_share`]).
    pub async fn widget_confirm(&self, link: &str) -> Result<(MemberId, Option<String>)> {
        let attempt = self.widget_attempt(link).await?;
        if attempt.confirmed {
            return Err(ServiceError::BadLink);
        }
        let lang = Lang::from_code(&attempt.lang).unwrap_or_default();
        let member = match self.store().member_id_by_email(&attempt.email).await? {
            Some(id) => id,
            None => {
                let settings = self.store().post_settings(attempt.space_id).await?;
                if !settings.open_signup {
                    return Err(ServiceError::Forbidden(
                        "this space only lets its members take part; ask its organisers for an invitation".into(),
                    ));
                }
                let name = mail_text::text(lang, "widget-default-name", &[]);
                let id = self.new_member(Some(&attempt.email), &name, lang).await?;
                let host = track_host(&attempt.host);
                self.store()
                    .set_member_origin(id, &format!("embed:{host}"), now_millis())
                    .await?;
                id
            }
        };
        if !self
            .store()
            .confirm_embed_attempt(&hash_token(link), member, now_millis())
            .await?
        {
            return Err(ServiceError::BadLink);
        }
        tracing::info!(member = member.0, "widget sign-in confirmed");
        let share_ref = Some(attempt.share_ref).filter(|c| !c.is_empty());
        Ok((member, share_ref))
    }

    /// A member with a free handle derived from `seed`.
    pub(crate) async fn new_member(
        &self,
        email: Option<&str>,
        name: &str,
        lang: Lang,
    ) -> Result<MemberId> {
        let seed = email.unwrap_or(name);
        let base = Handle::suggest(seed).as_str().to_string();
        let mut handle = base.clone();
        let mut n = 1;
        while self.store().member_by_handle(&handle).await?.is_some() {
            n += 1;
            handle = format!("{base}{n}");
        }
        Ok(self
            .store()
            .create_member(&NewMember {
                handle,
                display_name: name.to_string(),
                email: email.map(str::to_string),
                password_hash: None,
                site_role: SiteRole::Member,
                ecosystem_role: EcosystemRole::Other,
                organisation: String::new(),
                bio: String::new(),
                lang: lang.code().to_string(),
                created_at: now_millis(),
            })
            .await?)
    }

    /// A widget's poll: `None` while the link is not confirmed; the token once it is (only
    /// once); `BadLink` when the attempt is unknown, expired or already used.
    pub async fn widget_poll(&self, attempt: &str) -> Result<Option<WidgetSession>> {
        match self
            .store()
            .take_embed_attempt(&hash_token(attempt), now_millis())
            .await?
        {
            AttemptState::Pending => Ok(None),
            AttemptState::Gone => Err(ServiceError::BadLink),
            AttemptState::Confirmed { member, space } => {
                Ok(Some(self.issue_widget_token(member, space).await?))
            }
        }
    }

    pub(crate) async fn issue_widget_token(
        &self,
        member: MemberId,
        space: SpaceId,
    ) -> Result<WidgetSession> {
        let token = format!("pvw_{}", random_token());
        let now = now_millis();
        let expires_at = now + WIDGET_TOKEN_TTL_MS;
        self.store()
            .create_embed_token(&hash_token(&token), member, space, now, expires_at)
            .await?;
        let settings = self.store().post_settings(space).await?;
        let shown = match self.store().pseudonym_alias(space, member).await? {
            Some(alias) if settings.pseudonyms => alias,
            _ => member,
        };
        let display_name = self
            .store()
            .member_by_id(shown)
            .await?
            .map(|m| m.display_name)
            .unwrap_or_default();
        Ok(WidgetSession {
            token,
            expires_at,
            display_name,
            pseudonyms_allowed: settings.pseudonyms,
        })
    }

    /// Who a widget token acts for; `None` when it is unknown or expired.
    pub async fn widget_actor(&self, token: &str) -> Result<Option<WidgetActor>> {
        let Some((member, space)) = self
            .store()
            .embed_token(&hash_token(token), now_millis())
            .await?
        else {
            return Ok(None);
        };
        let Some(member) = self.store().member_by_id(member).await? else {
            return Ok(None);
        };
        Ok(Some(WidgetActor {
            actor: Actor { member },
            space,
        }))
    }

    /// A space's posting rules.
    pub async fn post_settings(&self, space: SpaceId) -> Result<PostSettings> {
        Ok(self.store().post_settings(space).await?)
    }

    /// Change a space's posting rules (admins).
    pub async fn update_post_settings(
        &self,
        actor: &Actor,
        space: &Space,
        input: &PostSettingsInput,
    ) -> Result<PostSettings> {
        actor.require_admin()?;
        let s = PostSettings {
            space_id: space.id,
            hold_first: input.hold_first,
            pseudonyms: input.pseudonyms,
            open_signup: input.open_signup,
            banned_words: parse_words("banned_words", &input.banned_words)?,
            suspect_words: parse_words("suspect_words", &input.suspect_words)?,
            updated_at: now_millis(),
        };
        self.store().put_post_settings(&s).await?;
        Ok(s)
    }

    /// Refuse a post over the member's budget (5 a minute, 30 an hour), else note it.
    async fn post_gate(&self, member: MemberId) -> Result<()> {
        let now = now_millis();
        for (window, budget) in [(60_000, POSTS_PER_MINUTE), (3_600_000, POSTS_PER_HOUR)] {
            let (n, oldest) = self.store().embed_posts_since(member, now - window).await?;
            if n >= budget {
                let until = oldest.unwrap_or(now) + window;
                tracing::info!(member = member.0, "widget post rate limit");
                return Err(ServiceError::RateLimited {
                    retry_after_secs: ((until - now).max(1000) as u64).div_ceil(1000),
                });
            }
        }
        self.store()
            .log_embed_post(member, now, now - 3_600_000)
            .await?;
        Ok(())
    }

    /// The author record a poster uses in a space: their pseudonym's when they give one (and
    /// the space allows it), else their own.
    async fn posting_actor(
        &self,
        w: &WidgetActor,
        pseudonym: Option<&str>,
    ) -> Result<(Actor, Option<MemberId>)> {
        let Some(name) = pseudonym.map(str::trim).filter(|p| !p.is_empty()) else {
            return Ok((w.actor.clone(), None));
        };
        let settings = self.store().post_settings(w.space).await?;
        if !settings.pseudonyms {
            return Err(
                ValidationError::new("pseudonym", "this space does not allow pseudonyms").into(),
            );
        }
        let name = hygiene::label("pseudonym", name, 60)?;
        let alias = match self
            .store()
            .pseudonym_alias(w.space, w.actor.member.id)
            .await?
        {
            Some(alias) => alias,
            None => {
                // A separate author record with no email: every page and API shows the
                // pseudonym without knowing pseudonyms exist, and the email cannot leak.
                let seed = format!("pseudo-{}", &random_token()[..8]);
                let lang = Lang::from_code(&w.actor.member.lang).unwrap_or_default();
                let id = self.new_member(None, &seed, lang).await?;
                self.store().set_display_name(id, &name).await?;
                self.store()
                    .put_pseudonym_alias(w.space, w.actor.member.id, id, now_millis())
                    .await?;
                id
            }
        };
        let mut member = self
            .store()
            .member_by_id(alias)
            .await?
            .ok_or_else(|| ServiceError::NotFound("pseudonym".into()))?;
        if member.display_name != name {
            self.store().set_display_name(alias, &name).await?;
            member.display_name = name;
            // Thread pages already written show the pseudonym's messages by name.
            self.after_bulk_change().await?;
        }
        Ok((Actor { member }, Some(alias)))
    }

    /// Post from a widget: refused when it has a banned word, held when it has a suspect
    /// word or is the member's first in the space (and the space holds first posts),
    /// published otherwise.
    pub async fn widget_post(
        &self,
        w: &WidgetActor,
        thread: ThreadId,
        parent: Option<MessageId>,
        body: &str,
        pseudonym: Option<&str>,
    ) -> Result<PostOutcome> {
        let body = required_text("body", body, MAX_BODY_CHARS)?;
        let summary = self.thread(thread).await?;
        w.check_space(summary.space_id)?;
        self.check_thread_writable(&summary).await?;
        let settings = self.store().post_settings(w.space).await?;
        if let Some(word) = find_word(&body, &settings.banned_words) {
            return Err(ValidationError::new(
                "body",
                format!("the message contains \u{201c}{word}\u{201d}, a word this space does not accept; please rephrase"),
            )
            .into());
        }
        self.post_gate(w.actor.member.id).await?;
        let (poster, alias) = self.posting_actor(w, pseudonym).await?;
        let reason = if let Some(word) = find_word(&body, &settings.suspect_words) {
            Some(format!("suspect_word:{word}"))
        } else if settings.hold_first
            && !w.actor.member.site_role.can_moderate()
            && !self
                .store()
                .has_posted_in_space(w.actor.member.id, w.space)
                .await?
        {
            Some("first_post".to_string())
        } else {
            None
        };
        match reason {
            Some(reason) => {
                let id = self
                    .store()
                    .hold_message(&NewHeld {
                        space_id: w.space,
                        thread_id: thread,
                        parent_id: parent.map(|p| p.0),
                        author_id: w.actor.member.id,
                        alias_id: alias,
                        body_html: markdown::render(&body),
                        body_md: body,
                        reason: reason.clone(),
                        created_at: now_millis(),
                    })
                    .await?;
                tracing::info!(held = id, reason = reason.as_str(), "widget post held");
                Ok(PostOutcome::Held { id, reason })
            }
            None => Ok(PostOutcome::Published(
                self.reply(&poster, thread, parent, &body).await?,
            )),
        }
    }

    /// Submit a challenge entry from a widget (a visitor signed in there, or by the host's
    /// single sign-on): the same checks as on the challenge's page (open, before the
    /// deadline, rules accepted), the token's space must be the challenge's, and the
    /// widget's posting budget applies.
    pub async fn widget_submit_entry(
        &self,
        w: &WidgetActor,
        challenge: i64,
        input: &crate::challenges::EntryInput,
    ) -> Result<parvis_store::EntryRow> {
        let row = self.challenge_row(challenge).await?;
        w.check_space(SpaceId(row.space_id))?;
        self.post_gate(w.actor.member.id).await?;
        self.submit_entry(&w.actor, challenge, input).await
    }

    /// React from a widget (likes and the other kinds, on a message of the token's space).
    pub async fn widget_react(
        &self,
        w: &WidgetActor,
        message: MessageId,
        kind: ReactionKind,
        on: bool,
    ) -> Result<ThreadId> {
        let thread = self
            .store()
            .thread_of_message(message)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("message {message}")))?;
        w.check_space(self.thread(thread).await?.space_id)?;
        self.widget_action_gate(w.actor.member.id).await?;
        self.react(&w.actor, message, kind, on).await
    }

    /// One's own reactions in a thread, for the widget to show them as given (its card is
    /// drawn without a cookie, so the same for everyone).
    pub async fn widget_reactions(
        &self,
        w: &WidgetActor,
        thread: ThreadId,
    ) -> Result<Vec<(MessageId, ReactionKind)>> {
        w.check_space(self.thread(thread).await?.space_id)?;
        Ok(self
            .store()
            .member_reactions_in_thread(thread, w.actor.member.id, 10_000)
            .await?)
    }

    /// One's own messages still held in a thread (nobody else but moderators sees them).
    pub async fn widget_held(&self, w: &WidgetActor, thread: ThreadId) -> Result<Vec<HeldMessage>> {
        let mut held = self
            .store()
            .held_by_author(w.actor.member.id, thread)
            .await?;
        for h in &mut held {
            h.author_email = None;
        }
        Ok(held)
    }

    /// Everything held in a space, for its moderators; emails only for admins.
    pub async fn moderation_queue(
        &self,
        actor: &Actor,
        space: Option<&Space>,
    ) -> Result<Vec<HeldMessage>> {
        actor.require_moderator()?;
        let mut held = self.store().held_messages(space.map(|s| s.id)).await?;
        if !actor.member.site_role.is_admin() {
            for h in &mut held {
                h.author_email = None;
            }
        }
        Ok(held)
    }

    /// Approve (publish, which fires `message.created` now) or reject a held message.
    pub async fn moderate(
        &self,
        actor: &Actor,
        space: &Space,
        id: i64,
        approve: bool,
    ) -> Result<Option<MessageId>> {
        actor.require_moderator()?;
        let held = self
            .store()
            .held_message(id)
            .await?
            .filter(|h| h.space_id == space.id && h.status == "held")
            .ok_or_else(|| ServiceError::NotFound(format!("held message {id}")))?;
        let status = if approve { "approved" } else { "rejected" };
        if !self
            .store()
            .decide_held(id, status, actor.member.id, now_millis())
            .await?
        {
            return Err(ServiceError::NotFound(format!("held message {id}")));
        }
        tracing::info!(
            held = id,
            by = actor.member.handle.as_str(),
            status,
            "moderated"
        );
        if !approve {
            return Ok(None);
        }
        let published = async {
            let author = self
                .store()
                .member_by_id(held.alias_id.unwrap_or(held.author_id))
                .await?
                .ok_or_else(|| ServiceError::NotFound("author".into()))?;
            self.reply(
                &Actor { member: author },
                held.thread_id,
                held.parent_id.map(MessageId),
                &held.body_markdown,
            )
            .await
        };
        let message = match published.await {
            Ok(message) => message,
            Err(e) => {
                // Nothing was published (the thread's topic was archived meanwhile, say):
                // the message goes back to the queue rather than stay "approved" with no post.
                self.store().reopen_held(id).await?;
                return Err(e);
            }
        };
        self.store().set_held_published(id, message.0).await?;
        Ok(Some(message))
    }
}

/// The host of an address (`https://blog.example/post` → `blog.example`), else the text.
fn track_host(s: &str) -> String {
    url::Url::parse(s)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| s.chars().take(100).collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn words_match_whole_words_only() {
        let w = vec!["arnaque".to_string(), "mot interdit".to_string()];
        assert_eq!(find_word("C'est une ARNAQUE !", &w), Some("arnaque"));
        assert_eq!(find_word("arnaques", &w), None);
        assert_eq!(find_word("un mot interdit ici", &w), Some("mot interdit"));
        assert_eq!(find_word("rien", &w), None);
        assert_eq!(find_word("anything", &[]), None);
    }

    #[test]
    fn word_lists_parse_and_refuse_junk() {
        assert_eq!(
            parse_words("w", "Spam, scam\n\n casino ").unwrap(),
            vec!["spam", "scam", "casino"]
        );
        assert!(parse_words("w", "bad\u{202e}word").is_err());
    }
}
