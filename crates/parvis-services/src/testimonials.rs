//! Testimonials and interviews, shown only as far as the person consented.
//!
//! Every testimonial carries consent records (append-only): internal use, public use, name in
//! full or initials only, photo, with the wording agreed and its date. What a reader gets is
//! decided by one pure function, [`shown`], from the record in force and who reads:
//! - nothing at all once consent is withdrawn (pages, API, embeds, exports) — only the record
//!   of the withdrawal stays, for managers and the person;
//! - visitors and the public API: published and public use only;
//! - members: published and internal or public use;
//! - managers (site moderators and admins): also what is not published yet.
//!
//! The name is the full name with the organisation, or initials alone ("M. D."); the photo
//! only when consented. An interview is questions and answers, with the interviewer and
//! whether it was prepared (an unprepared interview says more than a rehearsed one).

use crate::{Actor, Result, ServiceError, Services};
use parvis_domain::*;
use parvis_store::{ConsentRecord, NewTestimonial, QaPair, TestimonialRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Who reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Audience {
    Public,
    Member,
    Manager,
}

/// The person as the consent allows them to be shown.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct ShownPerson {
    /// The full name, or initials only.
    pub name: String,
    /// Only with the full name.
    pub organisation: String,
    /// The member's handle, only with the full name.
    pub handle: Option<String>,
    /// Only when the photo is consented.
    pub photo_url: String,
}

/// A testimonial or interview as a reader may see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TestimonialView {
    pub id: i64,
    pub space: String,
    /// `testimonial` or `interview`.
    pub kind: String,
    pub title: String,
    pub topic: String,
    pub body_html: String,
    /// A video or audio link, with its transcript.
    pub media_url: String,
    pub transcript: String,
    pub person: ShownPerson,
    pub interviewer: String,
    /// Whether the interview was prepared (false: unprepared).
    pub prepared: bool,
    pub qa: Vec<QaPair>,
    pub published_at: Option<Millis>,
    /// `published`, `unpublished` or `withdrawn`.
    pub status: String,
    /// Whether the reader manages testimonials (publish, export).
    pub can_manage: bool,
    /// Whether the reader is the person (they may withdraw).
    pub is_person: bool,
    /// Consent records, oldest first: for managers and the person only.
    pub consents: Vec<ConsentRecord>,
    /// Given by a named guest (no account): they withdraw through a private link.
    pub guest: bool,
    /// The guest's withdrawal link, only in the answer that issued it (never stored in clear).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawal: Option<crate::testimonial_links::WithdrawalLink>,
}

/// What someone agrees to, as typed.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Default)]
pub struct ConsentInput {
    #[serde(default)]
    pub internal_use: bool,
    #[serde(default)]
    pub public_use: bool,
    /// `full` or `initials`.
    #[serde(default)]
    pub name_shown: String,
    #[serde(default)]
    pub photo: bool,
    /// The words the person agreed to.
    #[serde(default)]
    pub wording: String,
    /// Withdraw every consent (the other fields are then ignored).
    #[serde(default)]
    pub withdrawn: bool,
}

/// A testimonial or interview as an admin enters it.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Default)]
pub struct TestimonialInput {
    /// `testimonial` or `interview`.
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub topic: String,
    /// The testimonial's text (Markdown); an interview may leave it empty.
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub media_url: String,
    #[serde(default)]
    pub transcript: String,
    /// The person's handle when they are a member.
    #[serde(default)]
    pub person_handle: Option<String>,
    /// A guest's name (a member's comes from their profile).
    #[serde(default)]
    pub person_name: String,
    /// A guest's email address, to mail them their private withdrawal link (not kept).
    #[serde(default)]
    pub person_email: String,
    #[serde(default)]
    pub person_organisation: String,
    #[serde(default)]
    pub photo_url: String,
    #[serde(default)]
    pub interviewer: String,
    #[serde(default)]
    pub prepared: bool,
    #[serde(default)]
    pub qa: Vec<QaPair>,
    /// The person's consent (required).
    #[serde(default)]
    pub consent: Option<ConsentInput>,
    /// Publish at once.
    #[serde(default)]
    pub publish: bool,
}

/// "Marie-Claire Dupont" → "M. D.".
pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .map(|c| format!("{}.", c.to_uppercase()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What `audience` may see of `row` under the consent in force (`None`: nothing at all).
pub fn shown(
    row: &TestimonialRow,
    consent: Option<&ConsentRecord>,
    audience: Audience,
    handle: Option<&str>,
) -> Option<ShownPerson> {
    let c = consent.filter(|c| !c.withdrawn)?;
    let allowed = match audience {
        Audience::Manager => c.internal_use || c.public_use,
        Audience::Member => row.published_at.is_some() && (c.internal_use || c.public_use),
        Audience::Public => row.published_at.is_some() && c.public_use,
    };
    if !allowed {
        return None;
    }
    let full = c.name_shown == "full";
    Some(ShownPerson {
        name: if full {
            row.person_name.clone()
        } else {
            initials(&row.person_name)
        },
        organisation: if full {
            row.person_org.clone()
        } else {
            String::new()
        },
        handle: handle.filter(|_| full).map(str::to_string),
        photo_url: if c.photo {
            row.photo_url.clone()
        } else {
            String::new()
        },
    })
}

fn broke(field: &str, rule: Rule, message: impl Into<String>) -> ServiceError {
    ValidationError::broke(field, rule, message).into()
}

fn optional_url(field: &str, s: &str) -> Result<String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(String::new());
    }
    let ok = !s.contains('\0')
        && url::Url::parse(s)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if !ok {
        return Err(broke(field, Rule::Url, "expected an http or https address"));
    }
    Ok(s.to_string())
}

fn consent_record(c: &ConsentInput) -> Result<ConsentRecord> {
    let now = now_millis();
    if c.withdrawn {
        return Ok(ConsentRecord {
            internal_use: false,
            public_use: false,
            name_shown: "initials".into(),
            photo: false,
            withdrawn: true,
            wording: "withdrawn".into(),
            recorded_at: now,
        });
    }
    if !c.internal_use && !c.public_use {
        return Err(broke(
            "consent",
            Rule::Required,
            "a testimonial needs the person's consent to internal or public use",
        ));
    }
    let name_shown = c.name_shown.trim().to_ascii_lowercase();
    if !["full", "initials"].contains(&name_shown.as_str()) {
        return Err(broke(
            "name_shown",
            Rule::Choice,
            "expected full or initials",
        ));
    }
    crate::challenges::no_nul("consent_wording", &c.wording)?;
    Ok(ConsentRecord {
        internal_use: c.internal_use,
        public_use: c.public_use,
        name_shown,
        photo: c.photo,
        withdrawn: false,
        wording: required_text("consent_wording", &c.wording, 5_000)?,
        recorded_at: now,
    })
}

fn audience(viewer: Option<&Actor>) -> Audience {
    match viewer {
        Some(a) if a.member.site_role.can_moderate() => Audience::Manager,
        Some(_) => Audience::Member,
        None => Audience::Public,
    }
}

impl Services {
    /// Record a testimonial or interview with the person's consent (moderators and admins).
    pub async fn create_testimonial(
        &self,
        actor: &Actor,
        space: &Space,
        input: &TestimonialInput,
    ) -> Result<TestimonialView> {
        actor.require_moderator()?;
        Self::check_writable(Some(space), None)?;
        let kind = input.kind.trim().to_ascii_lowercase();
        if !["testimonial", "interview"].contains(&kind.as_str()) {
            return Err(broke(
                "kind",
                Rule::Choice,
                "expected testimonial or interview",
            ));
        }
        let title = hygiene::label("title", &input.title, 200)?;
        let topic = input.topic.trim().to_string();
        hygiene::check("topic", &topic)?;
        for (f, v) in [("body", &input.body), ("transcript", &input.transcript)] {
            crate::challenges::no_nul(f, v)?;
            if v.chars().count() > crate::MAX_BODY_CHARS {
                return Err(broke(f, Rule::TooLong(crate::MAX_BODY_CHARS), "too long"));
            }
        }
        let media_url = optional_url("media_url", &input.media_url)?;
        let photo_url = optional_url("photo_url", &input.photo_url)?;
        let mut qa = Vec::new();
        for p in &input.qa {
            crate::challenges::no_nul("qa", &p.question)?;
            crate::challenges::no_nul("qa", &p.answer)?;
            qa.push(QaPair {
                question: required_text("qa", &p.question, 2_000)?,
                answer: required_text("qa", &p.answer, 20_000)?,
            });
        }
        if kind == "interview" && qa.is_empty() {
            return Err(broke(
                "qa",
                Rule::Required,
                "an interview needs questions and answers",
            ));
        }
        if kind == "testimonial" && input.body.trim().is_empty() && media_url.is_empty() {
            return Err(broke(
                "body",
                Rule::Required,
                "a testimonial needs its text or a video or audio link",
            ));
        }
        let (member, name, org) = match input
            .person_handle
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())
        {
            Some(h) => {
                let m = self
                    .store()
                    .member_by_handle(&h.trim_start_matches('@').to_lowercase())
                    .await?
                    .ok_or_else(|| {
                        broke("person_handle", Rule::Handle, format!("no member {h:?}"))
                    })?;
                (Some(m.id.0), m.display_name, m.organisation)
            }
            None => (
                None,
                hygiene::label("person_name", &input.person_name, 120)?,
                input.person_organisation.trim().to_string(),
            ),
        };
        hygiene::check("person_organisation", &org)?;
        if member.is_none() && !input.person_email.trim().is_empty() {
            // Checked before anything is stored, so a typo does not leave a half-made record.
            Email::parse("person_email", &input.person_email)?;
        }
        let interviewer = input.interviewer.trim().to_string();
        hygiene::check("interviewer", &interviewer)?;
        let consent = consent_record(input.consent.as_ref().ok_or_else(|| {
            broke(
                "consent",
                Rule::Required,
                "a testimonial needs the person's consent",
            )
        })?)?;
        if consent.withdrawn {
            return Err(broke(
                "consent",
                Rule::Required,
                "a testimonial needs the person's consent",
            ));
        }
        let body = input.body.trim().to_string();
        let id = self
            .store()
            .create_testimonial(&NewTestimonial {
                space_id: space.id.0,
                kind,
                title,
                topic,
                body_html: markdown::render(&body),
                body_md: body,
                media_url,
                transcript: input.transcript.trim().to_string(),
                person_member_id: member,
                person_name: name,
                person_org: org,
                photo_url,
                interviewer,
                prepared: input.prepared,
                qa,
                consent,
                created_by: Some(actor.member.id.0),
                now: now_millis(),
            })
            .await?;
        if input.publish {
            self.store().publish_testimonial(id, now_millis()).await?;
        }
        let mut view = self.testimonial_view(Some(actor), id).await?;
        if member.is_none() {
            view.withdrawal = Some(
                self.issue_withdrawal_link(actor, id, Some(&input.person_email))
                    .await?,
            );
        }
        Ok(view)
    }

    pub(crate) async fn testimonial_view_of(
        &self,
        viewer: Option<&Actor>,
        row: TestimonialRow,
    ) -> Result<Option<TestimonialView>> {
        let consents = self.store().testimonial_consents(row.id).await?;
        let current = consents.last();
        let aud = audience(viewer);
        let is_person = viewer.is_some_and(|a| Some(a.member.id.0) == row.person_member_id);
        let handle = match row.person_member_id {
            Some(m) => self
                .store()
                .member_by_id(MemberId(m))
                .await?
                .map(|m| m.handle),
            None => None,
        };
        let withdrawn = current.is_none_or(|c| c.withdrawn);
        let status = if withdrawn {
            "withdrawn"
        } else if row.published_at.is_some() {
            "published"
        } else {
            "unpublished"
        };
        let person = shown(&row, current, aud, handle.as_deref());
        // Managers and the person still see that it exists once withdrawn (the record of
        // the withdrawal), but none of its content.
        if person.is_none() && !(withdrawn && (aud == Audience::Manager || is_person)) {
            return Ok(None);
        }
        let space = self
            .store()
            .space_by_id(SpaceId(row.space_id))
            .await?
            .map(|s| s.slug)
            .unwrap_or_default();
        let see_records = aud == Audience::Manager || is_person;
        let Some(person) = person else {
            return Ok(Some(TestimonialView {
                id: row.id,
                space,
                kind: row.kind,
                title: String::new(),
                topic: String::new(),
                body_html: String::new(),
                media_url: String::new(),
                transcript: String::new(),
                person: ShownPerson {
                    name: String::new(),
                    organisation: String::new(),
                    handle: None,
                    photo_url: String::new(),
                },
                interviewer: String::new(),
                prepared: row.prepared,
                qa: Vec::new(),
                published_at: None,
                status: status.into(),
                can_manage: aud == Audience::Manager,
                is_person,
                consents,
                guest: row.person_member_id.is_none(),
                withdrawal: None,
            }));
        };
        Ok(Some(TestimonialView {
            qa: self.store().interview_answers(row.id).await?,
            id: row.id,
            space,
            kind: row.kind,
            title: row.title,
            topic: row.topic,
            body_html: row.body_html,
            media_url: row.media_url,
            transcript: row.transcript,
            person,
            interviewer: row.interviewer,
            prepared: row.prepared,
            published_at: row.published_at,
            status: status.into(),
            can_manage: aud == Audience::Manager,
            is_person,
            consents: if see_records { consents } else { Vec::new() },
            guest: row.person_member_id.is_none(),
            withdrawal: None,
        }))
    }

    /// A testimonial as `viewer` may see it; not found when nothing may be shown to them.
    pub async fn testimonial_view(
        &self,
        viewer: Option<&Actor>,
        id: i64,
    ) -> Result<TestimonialView> {
        let not_found = || ServiceError::NotFound(format!("testimonial {id}"));
        let row = self.store().testimonial(id).await?.ok_or_else(not_found)?;
        self.testimonial_view_of(viewer, row)
            .await?
            .ok_or_else(not_found)
    }

    /// A space's testimonials and interviews that `viewer` may see (with content), newest first.
    pub async fn space_testimonials(
        &self,
        viewer: Option<&Actor>,
        space: &Space,
    ) -> Result<Vec<TestimonialView>> {
        let mut out = Vec::new();
        for row in self.store().testimonials_of_space(space.id.0).await? {
            if let Some(v) = self.testimonial_view_of(viewer, row).await? {
                out.push(v);
            }
        }
        Ok(out)
    }

    /// Publish (moderators and admins): refused when the consent in force was withdrawn,
    /// even a moment before.
    pub async fn publish_testimonial(&self, actor: &Actor, id: i64) -> Result<TestimonialView> {
        actor.require_moderator()?;
        if !self.store().publish_testimonial(id, now_millis()).await? {
            return Err(broke(
                "consent",
                Rule::Choice,
                "the person's consent was withdrawn: the testimonial cannot be published",
            ));
        }
        self.testimonial_view(Some(actor), id).await
    }

    /// Record a new consent or a withdrawal: the person themself (a member), or a manager
    /// on their behalf. A withdrawal unpublishes at once; earlier records are kept.
    pub async fn set_testimonial_consent(
        &self,
        actor: &Actor,
        id: i64,
        input: &ConsentInput,
    ) -> Result<TestimonialView> {
        let row = self
            .store()
            .testimonial(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("testimonial {id}")))?;
        let is_person = Some(actor.member.id.0) == row.person_member_id;
        if !is_person && !actor.member.site_role.can_moderate() {
            return Err(ServiceError::Forbidden(
                "only the person, moderators and admins change this consent".into(),
            ));
        }
        let record = consent_record(input)?;
        self.store()
            .record_testimonial_consent(id, &record, Some(actor.member.id.0))
            .await?;
        tracing::info!(
            testimonial = id,
            withdrawn = record.withdrawn,
            "testimonial consent recorded"
        );
        self.testimonial_view(Some(actor), id).await
    }

    /// Every testimonial of a space with its consent records (moderators and admins); the
    /// content of withdrawn ones is left out, their records stay.
    pub async fn testimonials_export(
        &self,
        actor: &Actor,
        space: &Space,
    ) -> Result<Vec<TestimonialView>> {
        actor.require_moderator()?;
        self.space_testimonials(Some(actor), space).await
    }
}

/// The export as CSV: one line per testimonial, the consent in force and its date.
pub fn testimonials_csv(items: &[TestimonialView]) -> String {
    use crate::calendar::csv_field as f;
    let mut out = String::from(
        "id,kind,status,title,person,organisation,topic,prepared,published_at,internal_use,public_use,name_shown,photo,consent_at,consent_wording\r\n",
    );
    for v in items {
        let c = v.consents.last();
        let yes = |b: bool| if b { "yes" } else { "no" };
        let cells = [
            v.id.to_string(),
            v.kind.clone(),
            v.status.clone(),
            f(&v.title),
            f(&v.person.name),
            f(&v.person.organisation),
            f(&v.topic),
            yes(v.prepared).into(),
            v.published_at.map(rfc3339).unwrap_or_default(),
            yes(c.is_some_and(|c| c.internal_use)).into(),
            yes(c.is_some_and(|c| c.public_use)).into(),
            c.map(|c| c.name_shown.clone()).unwrap_or_default(),
            yes(c.is_some_and(|c| c.photo)).into(),
            c.map(|c| rfc3339(c.recorded_at)).unwrap_or_default(),
            f(&c.map(|c| c.wording.clone()).unwrap_or_default()),
        ];
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(published: bool) -> TestimonialRow {
        TestimonialRow {
            id: 1,
            space_id: 1,
            kind: "testimonial".into(),
            title: "t".into(),
            topic: String::new(),
            body_md: String::new(),
            body_html: String::new(),
            media_url: String::new(),
            transcript: String::new(),
            person_member_id: None,
            person_name: "Marie-Claire Dupont".into(),
            person_org: "Acme".into(),
            photo_url: "https://x.example/p.jpg".into(),
            interviewer: String::new(),
            prepared: false,
            published_at: published.then_some(1),
            created_at: 0,
        }
    }
    fn consent(
        internal: bool,
        public: bool,
        name: &str,
        photo: bool,
        withdrawn: bool,
    ) -> ConsentRecord {
        ConsentRecord {
            internal_use: internal,
            public_use: public,
            name_shown: name.into(),
            photo,
            withdrawn,
            wording: "w".into(),
            recorded_at: 0,
        }
    }

    #[test]
    fn nothing_beyond_consent() {
        let r = row(true);
        // Initials only, no photo: no organisation, no handle, no photo.
        let p = shown(
            &r,
            Some(&consent(true, true, "initials", false, false)),
            Audience::Public,
            Some("marie"),
        )
        .unwrap();
        assert_eq!(
            p,
            ShownPerson {
                name: "M. D.".into(),
                organisation: String::new(),
                handle: None,
                photo_url: String::new()
            }
        );
        let p = shown(
            &r,
            Some(&consent(true, true, "full", true, false)),
            Audience::Public,
            Some("marie"),
        )
        .unwrap();
        assert_eq!(
            (
                p.name.as_str(),
                p.organisation.as_str(),
                p.handle.as_deref()
            ),
            ("Marie-Claire Dupont", "Acme", Some("marie"))
        );
        assert!(!p.photo_url.is_empty());
        // Internal use only: members, not visitors.
        let internal = consent(true, false, "full", false, false);
        assert!(shown(&r, Some(&internal), Audience::Public, None).is_none());
        assert!(shown(&r, Some(&internal), Audience::Member, None).is_some());
        // Unpublished: managers only.
        let r2 = row(false);
        assert!(shown(&r2, Some(&internal), Audience::Member, None).is_none());
        assert!(shown(&r2, Some(&internal), Audience::Manager, None).is_some());
    }

    #[test]
    fn a_withdrawal_hides_everything_from_everyone() {
        let c = consent(true, true, "full", true, true);
        for a in [Audience::Public, Audience::Member, Audience::Manager] {
            assert!(shown(&row(true), Some(&c), a, None).is_none());
        }
        assert!(shown(&row(true), None, Audience::Manager, None).is_none());
        assert_eq!(initials("jean  pierre"), "J. P.");
    }
}
