//! Sessions of a topic: scheduled debates (in the room, online, both, or a webcast), with
//! moderators, speakers and an agenda. Sessions of one topic form its series; "repeat" copies
//! a session's agenda and people to a new date.
//!
//! Times: a session is entered in local time in its IANA zone (`2026-12-10T18:30` in
//! `Europe/Paris`; the space's zone unless another is named, see [`crate::zones`]) and stored
//! as a UTC instant; pages print it back in the zone, so a daylight-saving change between two
//! sessions of a series does not move the local hour.
//!
//! Who may: site moderators and admins create sessions; they and the session's own
//! moderators edit it.

use crate::reports::Attendance;
use crate::{Actor, Result, ServiceError, Services};
use parvis_domain::*;
use parvis_store::{AgendaItem, NewSession, Registration, SessionPerson, SessionRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use crate::zones::{DEFAULT_TIME_ZONE, local_to_millis, millis_to_local};
/// Session modes.
pub const MODES: [&str; 4] = ["in_person", "online", "phygital", "webcast"];

/// A speaker: a member by handle, or a named guest.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Default)]
pub struct SpeakerInput {
    /// A member's handle; leave empty for a guest.
    #[serde(default)]
    pub handle: Option<String>,
    /// A guest's name (ignored for a member).
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub organisation: String,
}

/// What a moderator fills in to schedule or edit a session.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Default)]
pub struct SessionInput {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Local start in the session's zone, `YYYY-MM-DDTHH:MM`.
    #[schema(example = "2026-12-10T18:30")]
    pub starts_at: String,
    /// Length in minutes (1 to 1440).
    pub duration_min: i64,
    /// IANA zone; when absent, the space's for a new session, the session's own for an edit.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// `in_person`, `online`, `phygital` or `webcast`.
    pub mode: String,
    /// Where (needed in person and phygital).
    #[serde(default)]
    pub place: String,
    /// The online link (needed online, phygital and webcast), http(s).
    #[serde(default)]
    pub online_url: String,
    /// A webcast's access code (a webcast needs one); absent keeps the current one, empty
    /// removes it.
    #[serde(default)]
    pub access_code: Option<String>,
    /// Seats; absent for no limit.
    #[serde(default)]
    pub capacity: Option<i64>,
    /// Partners named in the "share my contact" consent.
    #[serde(default)]
    pub partners: String,
    /// Moderators' handles (the creator when empty).
    #[serde(default)]
    pub moderators: Vec<String>,
    #[serde(default)]
    pub speakers: Vec<SpeakerInput>,
    #[serde(default)]
    pub agenda: Vec<AgendaItem>,
}

/// A session as a viewer sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionView {
    pub session: SessionRow,
    pub space: String,
    pub topic: String,
    pub topic_title: String,
    /// Local start and end in the session's zone (`2026-12-10T18:30`).
    pub starts_local: String,
    pub ends_local: String,
    pub ends_at: Millis,
    /// `upcoming`, `live`, `ended` or `closed`.
    pub state: String,
    pub moderators: Vec<SessionPerson>,
    pub speakers: Vec<SessionPerson>,
    pub agenda: Vec<AgendaItem>,
    /// The viewer's own registration, if any.
    pub my_registration: Option<Registration>,
    /// Whether the viewer may edit, export and close it.
    pub can_manage: bool,
}

/// The key that unlocks a webcast's link, derived from its code's hash (changing the code
/// locks out every browser that had the old one); `None` when no code is asked.
pub fn webcast_key(row: &SessionRow) -> Option<String> {
    row.access_code_hash
        .as_ref()
        .map(|h| crate::auth::hash_token(&format!("webcast-unlock:{h}")))
}

fn is_http_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

impl Services {
    /// Whether `actor` may edit a session: site moderators and admins, and its moderators.
    pub(crate) async fn can_manage_session(&self, actor: Option<&Actor>, id: i64) -> Result<bool> {
        let Some(a) = actor else { return Ok(false) };
        if a.member.site_role.can_moderate() {
            return Ok(true);
        }
        Ok(self
            .store()
            .session_people(id)
            .await?
            .iter()
            .any(|p| p.role == "moderator" && p.member_id == Some(a.member.id.0)))
    }

    async fn require_manage(&self, actor: &Actor, id: i64) -> Result<()> {
        if self.can_manage_session(Some(actor), id).await? {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(
                "only the session's moderators, site moderators and admins may do this".into(),
            ))
        }
    }

    /// Check and turn an input into what the store writes (`confirmed`: seats already taken;
    /// `default_zone`: the zone when the input names none — the space's for a new session,
    /// the session's own for an edit; `keeps_code`: the session has an access code that an
    /// input without one keeps).
    #[allow(clippy::too_many_arguments)]
    async fn validate_session(
        &self,
        actor: &Actor,
        space: &Space,
        topic: &Topic,
        input: &SessionInput,
        confirmed: i64,
        default_zone: &str,
        keeps_code: bool,
    ) -> Result<NewSession> {
        let title = hygiene::label("title", &input.title, 200)?;
        let zone = match input.time_zone.as_deref().map(str::trim) {
            Some(z) if !z.is_empty() => crate::zones::parse_time_zone("time_zone", z)?,
            _ => default_zone.to_string(),
        };
        let starts_at = local_to_millis("starts_at", &input.starts_at, &zone)?;
        if starts_at <= now_millis() {
            return Err(ValidationError::broke(
                "starts_at",
                Rule::InPast,
                "the start is in the past",
            )
            .into());
        }
        if !(1..=1440).contains(&input.duration_min) {
            return Err(ValidationError::broke(
                "duration_min",
                Rule::Range,
                "the duration must be between 1 and 1440 minutes (the end must come after the start)",
            )
            .into());
        }
        let mode = input.mode.trim().to_ascii_lowercase();
        if !MODES.contains(&mode.as_str()) {
            return Err(ValidationError::broke(
                "mode",
                Rule::Choice,
                "expected in_person, online, phygital or webcast",
            )
            .into());
        }
        let place = input.place.trim().to_string();
        hygiene::check("place", &place)?;
        if matches!(mode.as_str(), "in_person" | "phygital") && place.is_empty() {
            return Err(ValidationError::broke(
                "place",
                Rule::Required,
                "a session in the room needs a place",
            )
            .into());
        }
        let online_url = input.online_url.trim().to_string();
        if matches!(mode.as_str(), "online" | "phygital" | "webcast") || !online_url.is_empty() {
            if online_url.is_empty() {
                return Err(ValidationError::broke(
                    "online_url",
                    Rule::Required,
                    "an online session needs a link",
                )
                .into());
            }
            if !is_http_url(&online_url) {
                return Err(ValidationError::broke(
                    "online_url",
                    Rule::Url,
                    "expected an http or https address",
                )
                .into());
            }
        }
        if let Some(cap) = input.capacity {
            if !(1..=1_000_000).contains(&cap) {
                return Err(ValidationError::broke(
                    "capacity",
                    Rule::Range,
                    "the capacity must be between 1 and 1,000,000 (or empty for no limit)",
                )
                .into());
            }
            if cap < confirmed {
                return Err(ValidationError::broke(
                    "capacity",
                    Rule::BelowTaken,
                    format!("{confirmed} seats are already taken: the capacity cannot be lower"),
                )
                .into());
            }
        }
        let access_code_hash = match input.access_code.as_deref().map(str::trim) {
            None => None,
            Some("") => Some(None),
            Some(code) => {
                hygiene::label("access_code", code, 100)?;
                Some(Some(crate::auth::hash_token(code)))
            }
        };
        // A webcast is the event whose link is private: it cannot go without its code (one
        // given now, or the one it has when the edit leaves the field out).
        let has_code = match &access_code_hash {
            None => keeps_code,
            Some(code) => code.is_some(),
        };
        if mode == "webcast" && !has_code {
            return Err(ValidationError::broke(
                "access_code",
                Rule::Required,
                "a webcast session needs an access code",
            )
            .into());
        }
        let partners = input.partners.trim().to_string();
        hygiene::check("partners", &partners)?;
        let mut people = Vec::new();
        let mut handles: Vec<String> = input
            .moderators
            .iter()
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .collect();
        if handles.is_empty() {
            handles.push(actor.member.handle.clone());
        }
        for h in handles {
            let m = self
                .store()
                .member_by_handle(&h.trim_start_matches('@').to_lowercase())
                .await?
                .ok_or_else(|| {
                    ValidationError::broke("moderators", Rule::Handle, format!("no member {h:?}"))
                })?;
            people.push(SessionPerson {
                role: "moderator".into(),
                handle: Some(m.handle.clone()),
                name: m.display_name.clone(),
                organisation: m.organisation.clone(),
                member_id: Some(m.id.0),
            });
        }
        for s in &input.speakers {
            match s.handle.as_deref().map(str::trim).filter(|h| !h.is_empty()) {
                Some(h) => {
                    let m = self
                        .store()
                        .member_by_handle(&h.trim_start_matches('@').to_lowercase())
                        .await?
                        .ok_or_else(|| {
                            ValidationError::broke(
                                "speakers",
                                Rule::Handle,
                                format!("no member {h:?}"),
                            )
                        })?;
                    people.push(SessionPerson {
                        role: "speaker".into(),
                        handle: Some(m.handle.clone()),
                        name: m.display_name.clone(),
                        organisation: m.organisation.clone(),
                        member_id: Some(m.id.0),
                    });
                }
                None => people.push(SessionPerson {
                    role: "speaker".into(),
                    handle: None,
                    name: hygiene::label("speakers", &s.name, 120)?,
                    organisation: hygiene::label("speakers", &s.organisation, 120)
                        .unwrap_or_default(),
                    member_id: None,
                }),
            }
        }
        let mut agenda = Vec::new();
        for a in &input.agenda {
            let title = hygiene::label("agenda", &a.title, 200)?;
            if !(1..=1440).contains(&a.minutes) {
                return Err(ValidationError::broke(
                    "agenda",
                    Rule::Range,
                    "each agenda item lasts 1 to 1440 minutes",
                )
                .into());
            }
            agenda.push(AgendaItem {
                title,
                minutes: a.minutes,
            });
        }
        if input.description.chars().count() > crate::MAX_BODY_CHARS {
            return Err(ValidationError::broke(
                "description",
                Rule::TooLong(crate::MAX_BODY_CHARS),
                "too long",
            )
            .into());
        }
        Ok(NewSession {
            space_id: space.id.0,
            topic_id: topic.id.0,
            title,
            description: input.description.trim().to_string(),
            starts_at,
            duration_min: input.duration_min,
            time_zone: zone,
            mode,
            place,
            online_url,
            access_code_hash,
            capacity: input.capacity,
            partners,
            created_by: Some(actor.member.id.0),
            repeated_from: None,
            people,
            agenda,
        })
    }

    /// Schedule a session of a topic (site moderators and admins).
    pub async fn create_session(
        &self,
        actor: &Actor,
        space: &Space,
        topic: &Topic,
        input: &SessionInput,
    ) -> Result<SessionView> {
        actor.require_moderator()?;
        Self::check_writable(Some(space), Some(topic))?;
        let new = self
            .validate_session(actor, space, topic, input, 0, &space.time_zone, false)
            .await?;
        let id = self
            .store()
            .create_topic_session(&new, now_millis())
            .await?;
        tracing::info!(session = id, topic = topic.id.0, "session scheduled");
        self.session_view(Some(actor), id).await
    }

    /// Edit a session (its moderators, site moderators, admins).
    pub async fn update_session(
        &self,
        actor: &Actor,
        id: i64,
        input: &SessionInput,
    ) -> Result<SessionView> {
        let row = self.session_row(id).await?;
        self.require_manage(actor, id).await?;
        let (space, topic) = self.session_place(&row).await?;
        let mut new = self
            .validate_session(
                actor,
                &space,
                &topic,
                input,
                row.confirmed,
                &row.time_zone,
                row.access_code_hash.is_some(),
            )
            .await?;
        new.created_by = row.created_by;
        self.store()
            .update_topic_session(id, &new)
            .await
            .map_err(|e| match e {
                parvis_store::StoreError::Conflict { .. } => ValidationError::broke(
                    "capacity",
                    Rule::BelowTaken,
                    "more seats are already taken than this capacity",
                )
                .into(),
                e => ServiceError::from(e),
            })?;
        self.session_view(Some(actor), id).await
    }

    /// Schedule the next session of the series: same agenda, people, mode and place, at a new
    /// local start. Hooks registered by other capabilities (the live room's polls) follow.
    pub async fn repeat_session(
        &self,
        actor: &Actor,
        id: i64,
        starts_at: &str,
    ) -> Result<SessionView> {
        let row = self.session_row(id).await?;
        self.require_manage(actor, id).await?;
        let (space, topic) = self.session_place(&row).await?;
        let people = self.store().session_people(id).await?;
        let input = SessionInput {
            title: row.title.clone(),
            description: row.description.clone(),
            starts_at: starts_at.to_string(),
            duration_min: row.duration_min,
            time_zone: Some(row.time_zone.clone()),
            mode: row.mode.clone(),
            place: row.place.clone(),
            online_url: row.online_url.clone(),
            access_code: None,
            capacity: row.capacity,
            partners: row.partners.clone(),
            moderators: people
                .iter()
                .filter(|p| p.role == "moderator")
                .filter_map(|p| p.handle.clone())
                .collect(),
            speakers: people
                .iter()
                .filter(|p| p.role == "speaker")
                .map(|p| SpeakerInput {
                    handle: p.handle.clone(),
                    name: p.name.clone(),
                    organisation: p.organisation.clone(),
                })
                .collect(),
            agenda: self.store().session_agenda(id).await?,
        };
        let mut new = self
            // The repeat copies the code below; a webcast scheduled before codes were
            // required stays repeatable (its past edition cannot be edited any more).
            .validate_session(actor, &space, &topic, &input, 0, &row.time_zone, true)
            .await?;
        new.repeated_from = Some(id);
        new.access_code_hash = Some(row.access_code_hash.clone());
        let new_id = self
            .store()
            .create_topic_session(&new, now_millis())
            .await?;
        for hook in self.repeat_hooks() {
            hook(id, new_id);
        }
        self.session_view(Some(actor), new_id).await
    }

    pub(crate) async fn session_row(&self, id: i64) -> Result<SessionRow> {
        self.store()
            .topic_session(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("session {id}")))
    }

    /// The space and topic a session belongs to.
    pub(crate) async fn session_place(&self, row: &SessionRow) -> Result<(Space, Topic)> {
        let space = self
            .store()
            .space_by_id(SpaceId(row.space_id))
            .await?
            .ok_or_else(|| ServiceError::NotFound("space".into()))?;
        let topic = self
            .store()
            .topic_by_id(TopicId(row.topic_id))
            .await?
            .filter(|t| t.space_id == space.id)
            .ok_or_else(|| ServiceError::NotFound("topic".into()))?;
        Ok((space, topic))
    }

    /// A session as `viewer` sees it. The webcast link stays hidden (empty) unless the viewer
    /// manages the session; `unlocked` says the access code was given.
    pub async fn session_view(&self, viewer: Option<&Actor>, id: i64) -> Result<SessionView> {
        self.session_view_unlocked(viewer, id, false).await
    }

    /// As [`Self::session_view`], with the webcast link shown when `unlocked`.
    pub async fn session_view_unlocked(
        &self,
        viewer: Option<&Actor>,
        id: i64,
        unlocked: bool,
    ) -> Result<SessionView> {
        Ok(self.session_page(viewer, id, |_| unlocked).await?.0)
    }

    /// A session's page as `viewer` sees it, with its attendance, from one read of the store
    /// (see `parvis_store::SessionPageRead`); `unlocked` says, given the session, whether the
    /// viewer gave its webcast code.
    pub async fn session_page(
        &self,
        viewer: Option<&Actor>,
        id: i64,
        unlocked: impl FnOnce(&SessionRow) -> bool,
    ) -> Result<(SessionView, Attendance)> {
        let person = viewer.map(|a| format!("m{}", a.member.id.0));
        let read = self
            .store()
            .session_page_read(id, person)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("session {id}")))?;
        let mut row = read.session;
        // As `can_manage_session`, from the people already read.
        let can_manage = viewer.is_some_and(|a| {
            a.member.site_role.can_moderate()
                || read
                    .people
                    .iter()
                    .any(|p| p.role == "moderator" && p.member_id == Some(a.member.id.0))
        });
        let attendance = crate::reports::attendance_of(&row, &read.attendance);
        if row.has_access_code && !can_manage && !unlocked(&row) {
            row.online_url = String::new();
        }
        let ends_at = row.starts_at + row.duration_min * 60_000;
        let now = now_millis();
        let state = if row.closed_at.is_some() {
            "closed"
        } else if now < row.starts_at {
            "upcoming"
        } else if now < ends_at {
            "live"
        } else {
            "ended"
        };
        let (moderators, speakers): (Vec<_>, Vec<_>) =
            read.people.into_iter().partition(|p| p.role == "moderator");
        let view = SessionView {
            starts_local: millis_to_local(row.starts_at, &row.time_zone),
            ends_local: millis_to_local(ends_at, &row.time_zone),
            ends_at,
            state: state.into(),
            moderators,
            speakers: speakers
                .into_iter()
                .filter(|p| p.role == "speaker")
                .collect(),
            agenda: read.agenda,
            my_registration: read.registration,
            can_manage,
            space: read.space_slug,
            topic: read.topic_slug,
            topic_title: read.topic_title,
            session: row,
        };
        Ok((view, attendance))
    }

    /// Check a webcast's access code; the key that unlocks the stream link (kept by the
    /// browser in a cookie). Wrong codes are rate-limited per client and per session.
    pub async fn unlock_webcast(&self, id: i64, code: &str, client: &str) -> Result<String> {
        let row = self.session_row(id).await?;
        let Some(key) = webcast_key(&row) else {
            return Ok(String::new());
        };
        self.access_code_gate(id, client).await?;
        let given = crate::auth::hash_token(code.trim());
        if Some(given.as_str()) != row.access_code_hash.as_deref() {
            self.access_code_failed(id, client).await?;
            return Err(
                ValidationError::broke("code", Rule::AccessCode, "wrong access code").into(),
            );
        }
        Ok(key)
    }

    /// A session as `viewer` sees it, the webcast link shown when `key` unlocks it.
    pub async fn session_view_with_key(
        &self,
        viewer: Option<&Actor>,
        id: i64,
        key: Option<&str>,
    ) -> Result<SessionView> {
        Ok(self.session_page_with_key(viewer, id, key).await?.0)
    }

    /// [`Self::session_page`], unlocked when `key` is the webcast's (the session page).
    pub async fn session_page_with_key(
        &self,
        viewer: Option<&Actor>,
        id: i64,
        key: Option<&str>,
    ) -> Result<(SessionView, Attendance)> {
        self.session_page(viewer, id, |row| match (webcast_key(row), key) {
            (Some(k), Some(given)) => crate::auth::hash_token(given) == crate::auth::hash_token(&k),
            _ => false,
        })
        .await
    }

    /// A topic's sessions, oldest first (its series).
    pub async fn topic_series(&self, topic: &Topic) -> Result<Vec<SessionRow>> {
        let mut rows = self.store().sessions_of_topic(topic.id.0).await?;
        for r in &mut rows {
            if r.has_access_code {
                r.online_url = String::new();
            }
        }
        Ok(rows)
    }
}
