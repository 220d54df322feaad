//! Room check-in by QR code, and when a session's live room is open to join.
//!
//! The QR code printed for a session (and shown to its moderators) holds a secret address,
//! `/sessions/{id}/checkin/{key}`: scanning it marks the scanner present *in the room* — a
//! signed-in member, or a registered visitor recognised by the link of their confirmation
//! e-mail (kept by their browser once opened). The key makes the address useless to guess
//! from home. Check-in is open from an hour before the start until the end.

use crate::{Actor, Result, ServiceError, Services};
use parvis_domain::*;
use parvis_store::SessionRow;

/// Check-in opens this long before the start.
pub const CHECKIN_OPENS_BEFORE_MS: i64 = 60 * 60 * 1000;
/// The live room can be joined this long before the start.
pub const ROOM_OPENS_BEFORE_MS: i64 = 30 * 60 * 1000;

/// Whether a session's live room can be joined at `now` by someone who does not manage it:
/// from half an hour before the start until the end, unless closed.
pub fn room_open_at(row: &SessionRow, now: Millis) -> bool {
    let end = row.starts_at + row.duration_min * 60_000;
    row.closed_at.is_none() && now >= row.starts_at - ROOM_OPENS_BEFORE_MS && now < end
}

/// Who scanned the code.
pub enum Scanner<'a> {
    /// A signed-in member.
    Member(&'a Actor),
    /// A visitor's registration, by the secret of their emailed link.
    Visitor(&'a str),
    /// Nobody we know: they are asked to sign in or register.
    Unknown,
}

/// Refused, with the reason, when `row` has no room to check in to at `now`: an online
/// session, or outside the window from an hour before the start until the end.
fn checkin_open(row: &SessionRow, now: Millis) -> Result<()> {
    let end = row.starts_at + row.duration_min * 60_000;
    if row.mode == "online" {
        return Err(ValidationError::broke(
            "checkin_mode",
            Rule::Other,
            "this session is online only: there is no room to check in to",
        )
        .into());
    }
    if row.closed_at.is_some() || now < row.starts_at - CHECKIN_OPENS_BEFORE_MS || now >= end {
        return Err(ValidationError::broke(
            "checkin",
            Rule::Other,
            "check-in opens an hour before the session and closes at its end",
        )
        .into());
    }
    Ok(())
}

impl Services {
    /// The secret of a session's check-in address, made on first need (its managers only).
    pub async fn checkin_key(&self, actor: &Actor, session: i64) -> Result<String> {
        if !self.can_manage_session(Some(actor), session).await? {
            return Err(ServiceError::Forbidden(
                "only the session's moderators may print its check-in code".into(),
            ));
        }
        self.session_row(session).await?;
        self.store()
            .session_checkin_key(session, &crate::random_token()[..24])
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("session {session}")))
    }

    /// Mark the scanner present in the room. `Ok(false)`: nobody identified (nothing
    /// recorded). A wrong key is "not found"; outside the check-in window or for an online
    /// session, refused with the reason.
    pub async fn check_in(&self, session: i64, key: &str, who: Scanner<'_>) -> Result<bool> {
        let row = self.session_row(session).await?;
        let stored = self
            .store()
            .session_checkin_key(session, &crate::random_token()[..24])
            .await?;
        let given = crate::auth::hash_token(key);
        if stored.map(|k| crate::auth::hash_token(&k)) != Some(given) {
            return Err(ServiceError::NotFound(format!(
                "check-in address of session {session}"
            )));
        }
        let now = now_millis();
        checkin_open(&row, now)?;
        let person = match who {
            Scanner::Member(a) => format!("m{}", a.member.id.0),
            Scanner::Visitor(token) => {
                let reg = self.registration_by_manage_token(token).await?;
                if reg.session_id != session || reg.status == "cancelled" {
                    return Ok(false);
                }
                reg.person
            }
            Scanner::Unknown => return Ok(false),
        };
        self.store()
            .record_attendance(session, &person, "room", now)
            .await?;
        tracing::info!(session, "checked in the room");
        Ok(true)
    }

    /// A session's moderator marks one of its registrants present in the room (someone at
    /// the door without a phone), under the same window as the QR code. A cancelled
    /// registration, or a visitor's never confirmed, is nobody to check in.
    pub async fn check_in_registration(
        &self,
        actor: &Actor,
        session: i64,
        registration: i64,
    ) -> Result<()> {
        let row = self.session_row(session).await?;
        if !self.can_manage_session(Some(actor), session).await? {
            return Err(ServiceError::Forbidden(
                "only the session's moderators check its registrants in".into(),
            ));
        }
        let reg = self
            .store()
            .registration(registration)
            .await?
            .filter(|r| r.session_id == session)
            .ok_or_else(|| {
                ServiceError::NotFound(format!("registration {registration} of session {session}"))
            })?;
        if reg.status == "cancelled" || reg.status == "pending" {
            return Err(ValidationError::broke(
                "registration",
                Rule::Other,
                "this registration was cancelled or never confirmed",
            )
            .into());
        }
        let now = now_millis();
        checkin_open(&row, now)?;
        self.store()
            .record_attendance(session, &reg.person, "room", now)
            .await?;
        tracing::info!(session, registration, "checked in the room by a moderator");
        Ok(())
    }
}
