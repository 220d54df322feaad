//! Meet: one-to-one meetings between a session's participants, from the existing matchmaking
//! (`parvis_relevance::matching`).
//!
//! Who takes part: confirmed registrants who ticked the third consent, *propose me meetings
//! with other participants* (never ticked in advance, dated like the others). A moderator
//! generates the plan — a number of slots of a set length (e.g. 3 × 15 min in the networking
//! break) — and may generate it again: a re-plan keeps what people already agreed to (a
//! meeting someone accepted and nobody declined, and every meeting that took place), keeps
//! declined proposals as a record (that pair is not proposed again in this session), and plans
//! everyone else afresh. A decline therefore frees both people for the next re-plan.
//!
//! Hard rules, all enforced when planning: nobody twice in one slot, no pair twice in a
//! session, and no pair that met at an earlier session (a meeting marked "we met" by either
//! party or a moderator). Each person sees only their own proposals with the other's name,
//! organisation and the shared subjects the matchmaking found — never an email; moderators see
//! the whole plan; anyone else sees nothing.

use crate::{Actor, Result, ServiceError, Services};
use parvis_domain::*;
use parvis_relevance as rel;
use parvis_store::{MeetPlan, MeetingRow, NewMeeting, Registration, SessionRow};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;

/// Slots per plan, at most.
pub const MAX_SLOTS: i64 = 12;

/// What a moderator sets to generate a plan.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct MeetPlanInput {
    /// How many meeting slots (1 to 12).
    pub slots: i64,
    /// Length of each slot in minutes (5 to 120).
    pub slot_minutes: i64,
    /// When the first slot starts, local `YYYY-MM-DDTHH:MM` in the session's zone; the
    /// session's start when absent.
    #[serde(default)]
    pub first_slot: Option<String>,
}

/// A participant as others see them: never an email.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetPerson {
    pub name: String,
    pub organisation: String,
}

/// A meeting in the moderators' view of the plan.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlannedMeeting {
    pub id: i64,
    /// Slot number, from 1.
    pub slot: i64,
    pub starts_at: Millis,
    /// Local start and end in the session's zone (`2026-12-10T19:45`).
    pub starts_local: String,
    pub ends_local: String,
    pub a: MeetPerson,
    pub b: MeetPerson,
    /// What the two share, as the matchmaking found it (empty: an open meeting).
    pub reason: Vec<String>,
    /// '' (not yet), `accepted` or `declined`.
    pub answer_a: String,
    pub answer_b: String,
    /// `proposed`, `accepted` (both), `declined` (either) or `met`.
    pub status: String,
    pub met_at: Option<Millis>,
}

/// The whole plan (moderators).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetPlanView {
    pub session_id: i64,
    /// Absent until a plan is generated.
    pub slots: Option<i64>,
    pub slot_minutes: Option<i64>,
    pub first_slot_local: Option<String>,
    pub generated_at: Option<Millis>,
    /// Confirmed registrants who asked for meetings.
    pub opted_in: i64,
    pub meetings: Vec<PlannedMeeting>,
    /// Meetings that took place.
    pub held: i64,
}

/// One of the viewer's own meetings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyMeeting {
    pub id: i64,
    pub slot: i64,
    pub starts_at: Millis,
    pub starts_local: String,
    pub ends_local: String,
    /// Whom the viewer meets.
    pub with: MeetPerson,
    pub reason: Vec<String>,
    pub my_answer: String,
    pub their_answer: String,
    pub status: String,
    /// Whether "we met" may be said now (the session has begun, nobody declined, not yet said).
    pub can_mark_met: bool,
}

/// The viewer's side of the plan.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyMeetings {
    pub session_id: i64,
    /// Whether the viewer asked for meetings (the third consent).
    pub opted_in: bool,
    pub meetings: Vec<MyMeeting>,
}

fn status_of(m: &MeetingRow) -> &'static str {
    if m.met_at.is_some() {
        "met"
    } else if m.answer_a == "declined" || m.answer_b == "declined" {
        "declined"
    } else if m.answer_a == "accepted" && m.answer_b == "accepted" {
        "accepted"
    } else {
        "proposed"
    }
}

fn reason_of(m: &MeetingRow) -> Vec<String> {
    m.reason
        .lines()
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

fn slot_times(plan: &MeetPlan, slot: i64, zone: &str) -> (Millis, String, String) {
    let start = plan.first_slot_at + slot * plan.slot_minutes * 60_000;
    let end = start + plan.slot_minutes * 60_000;
    (
        start,
        crate::sessions::millis_to_local(start, zone),
        crate::sessions::millis_to_local(end, zone),
    )
}

/// A pair as a set key (order does not matter).
fn pair(a: i64, b: i64) -> (i64, i64) {
    (a.min(b), a.max(b))
}

/// Whether a re-plan keeps a meeting: it took place, or someone accepted and nobody declined
/// (declined ones are kept too, as the record that forbids the pair; see the module doc).
fn kept(m: &MeetingRow, eligible: &HashSet<i64>, slots: i64) -> bool {
    if m.met_at.is_some() {
        return true;
    }
    let declined = m.answer_a == "declined" || m.answer_b == "declined";
    let accepted = m.answer_a == "accepted" || m.answer_b == "accepted";
    declined
        || (accepted
            && m.slot < slots
            && eligible.contains(&m.reg_a)
            && eligible.contains(&m.reg_b))
}

/// Plan the free people of each slot, never a forbidden pair; returns the new meetings.
/// Pure: `interests` by registration id, `busy` the people already seated per slot.
pub fn plan_slots(
    eligible: &[i64],
    interests: &HashMap<i64, Vec<(String, f32)>>,
    slots: i64,
    busy: &HashMap<i64, HashSet<i64>>,
    forbidden: &mut HashSet<(i64, i64)>,
) -> Vec<NewMeeting> {
    let mut out = Vec::new();
    for slot in 0..slots {
        let taken = busy.get(&slot);
        let participants: Vec<rel::matching::Participant> = eligible
            .iter()
            .filter(|r| taken.is_none_or(|t| !t.contains(r)))
            .map(|&r| rel::matching::Participant {
                member: rel::MemberId(r),
                interests: interests.get(&r).cloned().unwrap_or_default(),
                do_not_match: Vec::new(),
            })
            .collect();
        let request = rel::matching::MatchRequest {
            format: rel::matching::Format::Pairs,
            slots: 1,
            already_met: forbidden
                .iter()
                .map(|&(a, b)| (rel::MemberId(a), rel::MemberId(b)))
                .collect(),
        };
        let plan = rel::matching::plan(&participants, &request);
        for m in plan.slots.into_iter().flat_map(|s| s.meetings) {
            let [a, b] = m.members[..] else { continue };
            forbidden.insert(pair(a.0, b.0));
            out.push(NewMeeting {
                slot,
                reg_a: a.0,
                reg_b: b.0,
                reason: m.shared_subjects.join("\n"),
            });
        }
    }
    out
}

/// The plan as CSV (moderators' export): slot, times, both people, subjects, answers, status.
pub fn meet_plan_csv(v: &MeetPlanView) -> String {
    use crate::calendar::csv_field as field;
    let mut out = String::from(
        "slot,starts,ends,name_a,organisation_a,name_b,organisation_b,shared_subjects,answer_a,answer_b,status\r\n",
    );
    for m in &v.meetings {
        let cells = [
            m.slot.to_string(),
            field(&m.starts_local),
            field(&m.ends_local),
            field(&m.a.name),
            field(&m.a.organisation),
            field(&m.b.name),
            field(&m.b.organisation),
            field(&m.reason.join("; ")),
            field(&m.answer_a),
            field(&m.answer_b),
            m.status.clone(),
        ];
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

impl Services {
    fn forbidden(msg: &str) -> ServiceError {
        ServiceError::Forbidden(msg.into())
    }

    /// The whole meeting plan of a session (its moderators, site moderators, admins).
    pub async fn meet_plan(&self, actor: &Actor, session: i64) -> Result<MeetPlanView> {
        let row = self.session_row(session).await?;
        if !self.can_manage_session(Some(actor), session).await? {
            return Err(Self::forbidden(
                "only the session's moderators see the whole meeting plan",
            ));
        }
        self.plan_view(&row).await
    }

    async fn plan_view(&self, row: &SessionRow) -> Result<MeetPlanView> {
        let plan = self.store().meet_plan(row.id).await?;
        let regs = self.store().registrations(row.id).await?;
        let opted_in = regs
            .iter()
            .filter(|r| r.status == "confirmed" && r.consent_meet)
            .count() as i64;
        let rows = self.store().session_meetings(row.id).await?;
        let meetings = match &plan {
            None => Vec::new(),
            Some(p) => rows
                .iter()
                .map(|m| {
                    let (starts_at, starts_local, ends_local) =
                        slot_times(p, m.slot, &row.time_zone);
                    PlannedMeeting {
                        id: m.id,
                        slot: m.slot + 1,
                        starts_at,
                        starts_local,
                        ends_local,
                        a: MeetPerson {
                            name: m.name_a.clone(),
                            organisation: m.organisation_a.clone(),
                        },
                        b: MeetPerson {
                            name: m.name_b.clone(),
                            organisation: m.organisation_b.clone(),
                        },
                        reason: reason_of(m),
                        answer_a: m.answer_a.clone(),
                        answer_b: m.answer_b.clone(),
                        status: status_of(m).into(),
                        met_at: m.met_at,
                    }
                })
                .collect(),
        };
        Ok(MeetPlanView {
            session_id: row.id,
            slots: plan.map(|p| p.slots),
            slot_minutes: plan.map(|p| p.slot_minutes),
            first_slot_local: plan
                .map(|p| crate::sessions::millis_to_local(p.first_slot_at, &row.time_zone)),
            generated_at: plan.map(|p| p.generated_at),
            opted_in,
            held: rows.iter().filter(|m| m.met_at.is_some()).count() as i64,
            meetings,
        })
    }

    /// Generate (or regenerate) a session's meeting plan (its moderators, site moderators,
    /// admins). See the module doc for what a re-plan keeps.
    pub async fn generate_meet_plan(
        &self,
        actor: &Actor,
        session: i64,
        input: &MeetPlanInput,
    ) -> Result<MeetPlanView> {
        let row = self.session_row(session).await?;
        if !self.can_manage_session(Some(actor), session).await? {
            return Err(Self::forbidden(
                "only the session's moderators may plan its meetings",
            ));
        }
        if row.closed_at.is_some() {
            return Err(ValidationError::broke(
                "plan",
                Rule::InPast,
                "this session is closed: its meetings can no longer be planned",
            )
            .into());
        }
        if !(1..=MAX_SLOTS).contains(&input.slots) {
            return Err(ValidationError::broke(
                "slots",
                Rule::Range,
                format!("between 1 and {MAX_SLOTS} slots"),
            )
            .into());
        }
        if !(5..=120).contains(&input.slot_minutes) {
            return Err(ValidationError::broke(
                "slot_minutes",
                Rule::Range,
                "a slot lasts between 5 and 120 minutes",
            )
            .into());
        }
        let first_slot_at = match input.first_slot.as_deref().map(str::trim) {
            Some(l) if !l.is_empty() => {
                crate::sessions::local_to_millis("first_slot", l, &row.time_zone)?
            }
            _ => row.starts_at,
        };
        let regs = self.store().registrations(session).await?;
        let eligible: Vec<&Registration> = regs
            .iter()
            .filter(|r| r.status == "confirmed" && r.consent_meet)
            .collect();
        let eligible_ids: HashSet<i64> = eligible.iter().map(|r| r.id).collect();
        let existing = self.store().session_meetings(session).await?;
        let (keep, drop): (Vec<&MeetingRow>, Vec<&MeetingRow>) = existing
            .iter()
            .partition(|m| kept(m, &eligible_ids, input.slots));
        let mut forbidden: HashSet<(i64, i64)> =
            keep.iter().map(|m| pair(m.reg_a, m.reg_b)).collect();
        // People who met at an earlier session, by their person key.
        let by_person: HashMap<&str, i64> =
            eligible.iter().map(|r| (r.person.as_str(), r.id)).collect();
        for (a, b) in self.store().met_before(session).await? {
            if let (Some(&a), Some(&b)) = (by_person.get(a.as_str()), by_person.get(b.as_str())) {
                forbidden.insert(pair(a, b));
            }
        }
        let mut busy: HashMap<i64, HashSet<i64>> = HashMap::new();
        for m in keep.iter().filter(|m| status_of(m) != "declined") {
            let seats = busy.entry(m.slot).or_default();
            seats.insert(m.reg_a);
            seats.insert(m.reg_b);
        }
        let members: Vec<i64> = eligible.iter().filter_map(|r| r.member_id).collect();
        let (space, _) = self.session_place(&row).await?;
        let by_member = self.member_interests(&space, &members).await?;
        let interests: HashMap<i64, Vec<(String, f32)>> = eligible
            .iter()
            .filter_map(|r| Some((r.id, by_member.get(&r.member_id?)?.clone())))
            .collect();
        let ids: Vec<i64> = eligible.iter().map(|r| r.id).collect();
        let new = plan_slots(&ids, &interests, input.slots, &busy, &mut forbidden);
        let plan = MeetPlan {
            slots: input.slots,
            slot_minutes: input.slot_minutes,
            first_slot_at,
            generated_at: now_millis(),
        };
        let drop: Vec<i64> = drop.iter().map(|m| m.id).collect();
        self.store()
            .replace_meet_plan(session, &plan, &drop, &new)
            .await?;
        tracing::info!(
            session,
            proposed = new.len(),
            kept = keep.len(),
            "meeting plan generated"
        );
        self.plan_view(&row).await
    }

    /// The viewer's meetings from their registration (members: by account).
    pub async fn my_meetings(&self, actor: &Actor, session: i64) -> Result<MyMeetings> {
        let reg = self.member_registration(actor, session).await?;
        self.meetings_of(&reg).await
    }

    /// A visitor's meetings at `session`, by the token of their manage link.
    pub async fn meetings_by_manage_token(&self, session: i64, token: &str) -> Result<MyMeetings> {
        let reg = self.visitor_registration(session, token).await?;
        self.meetings_of(&reg).await
    }

    /// A visitor's registration by their link's token, only for this session and not
    /// cancelled.
    async fn visitor_registration(&self, session: i64, token: &str) -> Result<Registration> {
        let reg = self.registration_by_manage_token(token).await?;
        if reg.session_id != session || reg.status == "cancelled" {
            return Err(Self::forbidden(
                "only the session's registrants see their meeting proposals",
            ));
        }
        Ok(reg)
    }

    async fn member_registration(&self, actor: &Actor, session: i64) -> Result<Registration> {
        self.session_row(session).await?;
        self.store()
            .registration_of(session, &format!("m{}", actor.member.id.0))
            .await?
            .filter(|r| r.status != "cancelled")
            .ok_or_else(|| {
                Self::forbidden("only the session's registrants see their meeting proposals")
            })
    }

    async fn meetings_of(&self, reg: &Registration) -> Result<MyMeetings> {
        let row = self.session_row(reg.session_id).await?;
        let plan = self.store().meet_plan(row.id).await?;
        let mut meetings = Vec::new();
        if let Some(p) = &plan {
            let started = now_millis() >= row.starts_at;
            for m in self.store().session_meetings(row.id).await? {
                let mine = m.reg_a == reg.id;
                if !mine && m.reg_b != reg.id {
                    continue;
                }
                let (starts_at, starts_local, ends_local) = slot_times(p, m.slot, &row.time_zone);
                let status = status_of(&m);
                let (me, them, name, org) = if mine {
                    (&m.answer_a, &m.answer_b, &m.name_b, &m.organisation_b)
                } else {
                    (&m.answer_b, &m.answer_a, &m.name_a, &m.organisation_a)
                };
                meetings.push(MyMeeting {
                    id: m.id,
                    slot: m.slot + 1,
                    starts_at,
                    starts_local,
                    ends_local,
                    with: MeetPerson {
                        name: name.clone(),
                        organisation: org.clone(),
                    },
                    reason: reason_of(&m),
                    my_answer: me.clone(),
                    their_answer: them.clone(),
                    status: status.into(),
                    can_mark_met: started && matches!(status, "proposed" | "accepted"),
                });
            }
        }
        Ok(MyMeetings {
            session_id: row.id,
            opted_in: reg.consent_meet,
            meetings,
        })
    }

    /// The meeting `id` of `session`, and the viewer's registration when they are a party.
    async fn meeting_for(&self, session: i64, id: i64) -> Result<MeetingRow> {
        self.store()
            .session_meeting(id)
            .await?
            .filter(|m| m.session_id == session)
            .ok_or_else(|| ServiceError::NotFound(format!("meeting {id}")))
    }

    async fn answer(&self, reg: &Registration, id: i64, accept: bool) -> Result<MyMeetings> {
        let m = self.meeting_for(reg.session_id, id).await?;
        if m.reg_a != reg.id && m.reg_b != reg.id {
            return Err(ServiceError::NotFound(format!("meeting {id}")));
        }
        if m.met_at.is_some() {
            return Err(ServiceError::Conflict(
                "this meeting took place: its answer".into(),
            ));
        }
        let answer = if accept { "accepted" } else { "declined" };
        self.store().answer_meeting(id, reg.id, answer).await?;
        self.meetings_of(reg).await
    }

    /// Accept or decline one of one's meeting proposals (member).
    pub async fn answer_meeting(
        &self,
        actor: &Actor,
        session: i64,
        meeting: i64,
        accept: bool,
    ) -> Result<MyMeetings> {
        let reg = self.member_registration(actor, session).await?;
        self.answer(&reg, meeting, accept).await
    }

    /// Accept or decline by a visitor's manage link.
    pub async fn answer_meeting_by_token(
        &self,
        session: i64,
        token: &str,
        meeting: i64,
        accept: bool,
    ) -> Result<MyMeetings> {
        let reg = self.visitor_registration(session, token).await?;
        self.answer(&reg, meeting, accept).await
    }

    async fn record_met(&self, row: &SessionRow, m: &MeetingRow) -> Result<()> {
        if now_millis() < row.starts_at {
            return Err(ValidationError::broke(
                "meeting",
                Rule::InPast,
                "a meeting can be marked as held once the session has begun",
            )
            .into());
        }
        if status_of(m) == "declined" {
            return Err(ServiceError::Conflict(
                "a declined meeting cannot be marked as held; a meeting".into(),
            ));
        }
        self.store().mark_meeting_met(m.id, now_millis()).await?;
        Ok(())
    }

    /// "We met": either party or a moderator records that a meeting took place, so the two are
    /// not proposed to each other at a later session.
    pub async fn mark_meeting_met(&self, actor: &Actor, session: i64, meeting: i64) -> Result<()> {
        let row = self.session_row(session).await?;
        let m = self.meeting_for(session, meeting).await?;
        if !self.can_manage_session(Some(actor), session).await? {
            let reg = self.member_registration(actor, session).await?;
            if m.reg_a != reg.id && m.reg_b != reg.id {
                return Err(ServiceError::NotFound(format!("meeting {meeting}")));
            }
        }
        self.record_met(&row, &m).await
    }

    /// "We met" by a visitor's manage link.
    pub async fn mark_meeting_met_by_token(
        &self,
        session: i64,
        token: &str,
        meeting: i64,
    ) -> Result<()> {
        let reg = self.visitor_registration(session, token).await?;
        let row = self.session_row(session).await?;
        let m = self.meeting_for(session, meeting).await?;
        if m.reg_a != reg.id && m.reg_b != reg.id {
            return Err(ServiceError::NotFound(format!("meeting {meeting}")));
        }
        self.record_met(&row, &m).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_never_seat_anyone_twice_nor_repeat_a_pair() {
        let people: Vec<i64> = (1..=6).collect();
        let mut forbidden = HashSet::from([(1, 2)]);
        let busy = HashMap::from([(0, HashSet::from([5, 6]))]);
        let new = plan_slots(&people, &HashMap::new(), 3, &busy, &mut forbidden);
        let mut pairs = HashSet::new();
        for slot in 0..3 {
            let mut seen = HashSet::new();
            for m in new.iter().filter(|m| m.slot == slot) {
                assert!(
                    seen.insert(m.reg_a) && seen.insert(m.reg_b),
                    "twice in slot {slot}"
                );
                assert!(pairs.insert(pair(m.reg_a, m.reg_b)), "a pair met twice");
                assert_ne!(pair(m.reg_a, m.reg_b), (1, 2), "a forbidden pair");
            }
            if slot == 0 {
                assert!(
                    !seen.contains(&5) && !seen.contains(&6),
                    "busy people are left alone"
                );
            }
        }
        assert!(!new.is_empty());
    }
}
