//! Surveys sent by email and answered without an account, and answered from a widget.
//!
//! An admin sends a survey to pasted addresses and/or the members (all, or one ecosystem
//! role). Each address gets one mail (a `survey.mail` job, retried like session mails) with a
//! personal link `/surveys/{token}?r=…`; only the link secret's hash is kept, minted when the
//! mail goes out, and the address is forgotten once it went. The link answers once: the
//! recipient row is marked used and the answer stored, in one transaction, under a random
//! respondent — so an answer is never tied to the address it came from (employee surveys'
//! anonymity rules keep holding on top: `surveys_summary`). A link whose address belongs to a
//! member who answered signed in is refused too, and so is a link mailed to a member (the
//! address theirs as the mail left) once they answered signed in under any address: one
//! answer per person (`surveys`). Closing a survey drops the mails not sent yet; a job that
//! finds its survey closed drops its row.
//!
//! A widget answers through its emailed-link sign-in (a member, one answer per member, the
//! same respondent hash as on the page).

use crate::auth::{hash_token, random_token};
use crate::embeds::posting::WidgetActor;
use crate::{Actor, Result, ServiceError, Services, mail_text};
use parvis_domain::fluent::Value;
use parvis_domain::*;
use parvis_measure::surveys::Kind;
use parvis_store::{AnswerOutcome, Job, SurveyRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The job kind of one survey mail.
pub const SURVEY_MAIL: &str = "survey.mail";
/// Most addresses one sending may reach (pasted and members together).
pub const MAX_RECIPIENTS: usize = 5_000;

/// What an admin sends a survey to.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct SendSurvey {
    /// Addresses, one per entry (the page splits its text box by lines; blank entries are
    /// skipped).
    #[serde(default)]
    pub emails: Vec<String>,
    /// Also send to members: `members` (every member with an address) or
    /// `ecosystem_role:ROLE` (`customer`, `partner`, `employee`…); empty for none.
    #[serde(default)]
    pub audience: String,
}

/// How a sending went.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SurveySending {
    /// Addresses newly queued for a mail.
    pub queued: u64,
    /// Addresses this survey was already sent to (not mailed again).
    pub already: u64,
}

/// A personal link's state, for the answer page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// It may answer.
    Open,
    /// It answered already.
    Used,
    /// Not a link of this survey (mistyped, or replaced by a newer mail).
    Unknown,
    /// The person it was mailed to answered while signed in: one answer per person.
    PersonAnswered,
}

/// A refused address list: where and why, for the page to say it in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressListError {
    /// Entry `line` (1-based, counting blank ones) is not an address.
    Bad { line: usize, entry: String },
    /// More than [`MAX_RECIPIENTS`] addresses.
    TooMany { count: usize },
}

impl From<AddressListError> for ServiceError {
    fn from(e: AddressListError) -> Self {
        match e {
            AddressListError::Bad { line, entry } => ValidationError::broke(
                "emails",
                Rule::Email,
                format!("line {line} is not an email address: {entry:?}"),
            ),
            AddressListError::TooMany { count } => ValidationError::broke(
                "emails",
                Rule::Range,
                format!("at most {MAX_RECIPIENTS} addresses per sending ({count} given)"),
            ),
        }
        .into()
    }
}

/// Parse pasted addresses (blank entries skipped, duplicates dropped, at most
/// [`MAX_RECIPIENTS`]). Pure, so the page can say which line is wrong in its own words.
pub fn parse_addresses(entries: &[String]) -> Result<Vec<Email>, AddressListError> {
    let mut out: Vec<Email> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, raw) in entries.iter().enumerate() {
        let entry = raw.trim().trim_end_matches([',', ';']).trim();
        if entry.is_empty() {
            continue;
        }
        let email = Email::parse("emails", entry).map_err(|_| AddressListError::Bad {
            line: i + 1,
            entry: entry.chars().take(80).collect(),
        })?;
        if seen.insert(email.as_str().to_string()) {
            out.push(email);
        }
    }
    if out.len() > MAX_RECIPIENTS {
        return Err(AddressListError::TooMany { count: out.len() });
    }
    Ok(out)
}

/// Why a link may not answer, as an error (`Ok` when it may).
fn refusal(state: LinkState) -> Result<()> {
    match state {
        LinkState::Open => Ok(()),
        LinkState::Used => Err(ServiceError::Conflict("link".into())),
        LinkState::PersonAnswered => Err(ServiceError::Conflict("person".into())),
        LinkState::Unknown => Err(ServiceError::BadLink),
    }
}

/// The respondent of an answer given through a personal link: random, never derived from
/// the link or the address.
fn link_respondent() -> String {
    format!("link:{}", random_token())
}

/// The hash a recipient row keeps of its (normalised) address, once the mail went: one
/// survey mails an address once, and a person answers once (the markers of signed-in answers
/// are the same hash). A prefix of its own, so that it is no other secret's hash.
pub(crate) fn address_hash(email: &str) -> String {
    hash_token(&format!("parvis-survey-recipient:{email}"))
}

/// The member marker of a member (see the store's `survey_answers`): left by their signed-in
/// answers and noted on the survey mails that go to their address, so that one person answers
/// once even across a change of address. A hash of the id under a prefix of its own: no other
/// secret's hash, and not the member's respondent hash (which would join a mailing's rows to
/// the signed-in answers).
pub(crate) fn member_marker(member: MemberId) -> String {
    hash_token(&format!("parvis-survey-member:{}", member.0))
}

impl Services {
    /// A space's survey by id, or `NotFound`.
    pub(crate) async fn space_survey(&self, space: &Space, id: i64) -> Result<SurveyRow> {
        self.store()
            .survey_by_id(id)
            .await?
            .filter(|s| s.space_id == space.id.0)
            .ok_or_else(|| ServiceError::NotFound(format!("survey {id}")))
    }

    /// Send a survey by email (admins): to `input.emails` and the members `input.audience`
    /// names; `lang` is the language of mails to addresses that are no member's. Each address
    /// is mailed once per survey; at most [`MAX_RECIPIENTS`] per sending, and 10 sendings per
    /// space per quarter hour.
    pub async fn send_survey(
        &self,
        actor: &Actor,
        slug: &str,
        survey: i64,
        input: &SendSurvey,
        lang: Lang,
    ) -> Result<SurveySending> {
        actor.require_admin()?;
        let space = self.space(slug).await?;
        let s = self.space_survey(&space, survey).await?;
        if s.closed_at.is_some() {
            return Err(super::surveys::closed());
        }
        let mut emails = parse_addresses(&input.emails)?;
        let audience = input.audience.trim();
        let role = match audience {
            "" => None,
            "members" => Some(""),
            a => match a.strip_prefix("ecosystem_role:") {
                Some(r) => Some(EcosystemRole::parse("audience", r)?.as_str()),
                None => {
                    return Err(ValidationError::broke(
                        "audience",
                        Rule::Choice,
                        "expected `members` or `ecosystem_role:ROLE`",
                    )
                    .into());
                }
            },
        };
        if let Some(role) = role {
            let mut seen: std::collections::HashSet<String> =
                emails.iter().map(|e| e.as_str().to_string()).collect();
            for a in self
                .store()
                .member_addresses((!role.is_empty()).then_some(role))
                .await?
            {
                if let Ok(e) = Email::parse("emails", &a)
                    && seen.insert(e.as_str().to_string())
                {
                    emails.push(e);
                }
            }
            if emails.len() > MAX_RECIPIENTS {
                return Err(AddressListError::TooMany {
                    count: emails.len(),
                }
                .into());
            }
        }
        if emails.is_empty() {
            return Err(ValidationError::broke(
                "emails",
                Rule::Required,
                "give at least one address, or choose members to send to",
            )
            .into());
        }
        self.survey_send_gate(space.id.0).await?;
        let now = now_millis();
        let people: Vec<(String, String, String)> = emails
            .iter()
            .map(|e| {
                (
                    address_hash(e.as_str()),
                    e.as_str().to_string(),
                    lang.code().to_string(),
                )
            })
            .collect();
        let ids = self
            .store()
            .add_survey_recipients(s.id, &people, now)
            .await?;
        for id in &ids {
            self.store()
                .enqueue_job(
                    SURVEY_MAIL,
                    &format!("survey:{}:mail:{id}", s.id),
                    &serde_json::json!({ "recipient": id }).to_string(),
                    now,
                    now,
                )
                .await?;
        }
        tracing::info!(survey = s.id, queued = ids.len(), "survey sent by email");
        Ok(SurveySending {
            queued: ids.len() as u64,
            already: (people.len() - ids.len()) as u64,
        })
    }

    /// Mail one recipient its personal link (a `survey.mail` job): a new link each time, so
    /// a retried mail's link is the one that works.
    pub(crate) async fn run_survey_mail(&self, job: &Job) -> Result<(), String> {
        #[derive(Deserialize)]
        struct P {
            recipient: i64,
        }
        let err = |e: ServiceError| e.to_string();
        let p: P = serde_json::from_str(&job.payload).map_err(|e| e.to_string())?;
        let store = self.store();
        let Some(r) = store
            .survey_recipient(p.recipient)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(()); // the survey was deleted since
        };
        if r.email.is_empty() || r.answered {
            return Ok(()); // already mailed
        }
        let Some(s) = store
            .survey_by_id(r.survey_id)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(());
        };
        if s.closed_at.is_some() {
            // Closed after this mail was queued: dropped, its address with it.
            store
                .drop_unsent_survey_recipient(r.id)
                .await
                .map_err(|e| err(e.into()))?;
            return Ok(());
        }
        let space = store
            .space_by_id(SpaceId(s.space_id))
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("space {} gone", s.space_id))?;
        // A member reads it in their own language, and the link is noted as theirs.
        let member = store
            .member_id_by_email(&r.email)
            .await
            .map_err(|e| e.to_string())?;
        let member_lang = match member {
            Some(id) => store
                .member_by_id(id)
                .await
                .map_err(|e| e.to_string())?
                .map(|m| m.lang),
            None => None,
        };
        let lang = member_lang
            .as_deref()
            .and_then(Lang::from_code)
            .or_else(|| Lang::from_code(&r.lang))
            .unwrap_or_default();
        let secret = random_token();
        store
            .set_survey_recipient_link(r.id, &hash_token(&secret))
            .await
            .map_err(|e| err(e.into()))?;
        let link = format!(
            "{}/surveys/{}?r={secret}",
            self.config().public_url.trim_end_matches('/'),
            s.token
        );
        let args = [
            ("space", Value::from(space.name.as_str())),
            ("title", Value::from(s.title.as_str())),
            ("link", Value::from(link.as_str())),
        ];
        let subject = mail_text::text(lang, "survey-link-subject", &args);
        let body = mail_text::text(lang, "survey-link-body", &args);
        self.mailer()
            .send(&r.email, &subject, &body, &link)
            .await
            .map_err(|e| e.to_string())?;
        store
            .survey_recipient_mailed(r.id, now_millis(), member.map(member_marker).as_deref())
            .await
            .map_err(|e| err(e.into()))?;
        Ok(())
    }

    /// A survey behind its link and the state of the personal link `r`.
    pub async fn survey_for_link(&self, token: &str, r: &str) -> Result<(SurveyRow, LinkState)> {
        let s = self
            .store()
            .survey_by_token(token)
            .await?
            .ok_or_else(|| ServiceError::NotFound("survey".into()))?;
        let state = match self
            .store()
            .survey_link(s.id, &hash_token(r.trim()))
            .await?
        {
            None => LinkState::Unknown,
            Some(l) if l.used => LinkState::Used,
            Some(l) if l.person_answered => LinkState::PersonAnswered,
            Some(_) => LinkState::Open,
        };
        Ok((s, state))
    }

    /// Answer a survey through a personal link, without an account, once. A link already
    /// used is a `Conflict` on "link"; a link whose person answered signed in a `Conflict` on
    /// "person"; an unknown one is `BadLink`; a closed survey [`super::surveys::SURVEY_CLOSED`].
    pub async fn answer_survey_by_link(
        &self,
        token: &str,
        r: &str,
        score: i64,
        comment: &str,
        group: &str,
    ) -> Result<()> {
        let (s, state) = self.survey_for_link(token, r).await?;
        if s.closed_at.is_some() {
            return Err(super::surveys::closed());
        }
        refusal(state)?;
        let (comment, group) = Self::check_answer(&s, score, comment, group)?;
        // Checked again in the answer's own transaction (another answer may have come since).
        let outcome = self
            .store()
            .answer_survey_by_link(
                s.id,
                &hash_token(r.trim()),
                &link_respondent(),
                score,
                &comment,
                &group,
                now_millis(),
            )
            .await?;
        refusal(match outcome {
            AnswerOutcome::Recorded => LinkState::Open,
            AnswerOutcome::Closed => return Err(super::surveys::closed()),
            AnswerOutcome::AlreadyAnswered => LinkState::PersonAnswered,
            AnswerOutcome::LinkUsed => LinkState::Used,
            AnswerOutcome::UnknownLink => LinkState::Unknown,
        })?;
        self.forget_dashboard(s.space_id);
        Ok(())
    }

    /// Answer a survey from its widget (the widget's sign-in, for the survey's space): one
    /// answer per member, as on the page.
    pub async fn widget_answer_survey(
        &self,
        w: &WidgetActor,
        token: &str,
        score: i64,
        comment: &str,
        group: &str,
    ) -> Result<()> {
        let s = self
            .store()
            .survey_by_token(token)
            .await?
            .ok_or_else(|| ServiceError::NotFound("survey".into()))?;
        w.check_space(SpaceId(s.space_id))?;
        self.widget_action_gate(w.actor.member.id).await?;
        self.answer_survey(&w.actor, token, score, comment, group)
            .await
    }

    /// Mailing counts of a survey: addresses mailed, and how many of their links answered.
    pub(crate) async fn survey_mailing(&self, survey: i64) -> Result<(u64, u64)> {
        let c = self.store().survey_recipient_counts(survey).await?;
        Ok((c.sent.max(0) as u64, c.answered.max(0) as u64))
    }

    /// The kind of a survey, for the answer page's scale.
    pub fn survey_kind(s: &SurveyRow) -> Option<Kind> {
        Kind::parse(&s.kind, "kind").ok()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn entries(s: &str) -> Vec<String> {
        s.lines().map(str::to_string).collect()
    }

    #[test]
    fn pasted_addresses_parse_or_name_the_line() {
        let ok = parse_addresses(&entries("a@x.example\n\n B@X.example ;\na@x.example")).unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[1].as_str(), "b@x.example");
        assert_eq!(
            parse_addresses(&entries("a@x.example\n\nnot-an-address")),
            Err(AddressListError::Bad {
                line: 3,
                entry: "not-an-address".into()
            })
        );
        let many: Vec<String> = (0..=MAX_RECIPIENTS)
            .map(|i| format!("p{i}@x.example"))
            .collect();
        assert_eq!(
            parse_addresses(&many),
            Err(AddressListError::TooMany {
                count: MAX_RECIPIENTS + 1
            })
        );
    }
}
