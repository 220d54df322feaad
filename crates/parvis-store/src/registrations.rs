//! A session's registrations as they change: register, confirm, cancel, consents.
//!
//! These run on the native write path ([`crate::write`]): a session opening its registrations
//! receives them by the thousand a minute, and through sqlx's `Any` driver each of their
//! twenty-odd statements cost a thread hop on SQLite (BENCHMARKS.md, "Sessions pages and
//! registrations").
//!
//! Seats are decided inside one write transaction that first locks the session's row (an
//! `UPDATE` of the row: a row lock on PostgreSQL, the database write lock on SQLite, where the
//! transaction is `BEGIN IMMEDIATE`). Every decision — confirm, wait, promote — counts the
//! confirmed seats under that lock, so concurrent registrations never exceed the capacity.

use crate::read::Arg;
use crate::session_page::registration_at;
use crate::sessions::{NewRegistration, Registered, Registration};
use crate::write::Writer;
use crate::{Result, Store, StoreError};
use parvis_domain::Millis;

/// The columns [`registration_at`] reads, in its order (for the SQL written here with them).
macro_rules! reg_cols {
    () => {
        "id, session_id, person, member_id, name, email, organisation, lang, status, consent_contact, consent_share, consent_meet, created_at, confirmed_at, cancelled_at"
    };
}

/// Lock the session's row for the rest of the transaction; its capacity, or `NotFound`.
async fn lock_session(w: &mut Writer<'_>, session: i64) -> Result<Option<i64>> {
    w.opt(
        "UPDATE topic_sessions SET capacity = capacity WHERE id = $1 RETURNING capacity",
        &[Arg::Int(session)],
        |r| r.opt_int(0),
    )
    .await?
    .ok_or(StoreError::NotFound("session"))
}

/// `confirmed` when a seat is free under the lock, else `waiting`.
async fn seat_status(
    w: &mut Writer<'_>,
    session: i64,
    capacity: Option<i64>,
) -> Result<&'static str> {
    let Some(cap) = capacity else {
        return Ok("confirmed");
    };
    let confirmed = w
        .count(
            "SELECT COUNT(*) FROM registrations WHERE session_id = $1 AND status = 'confirmed'",
            &[Arg::Int(session)],
        )
        .await?;
    Ok(if confirmed < cap {
        "confirmed"
    } else {
        "waiting"
    })
}

async fn reg_by_id(w: &mut Writer<'_>, id: i64) -> Result<Registration> {
    w.opt(
        concat!("SELECT ", reg_cols!(), " FROM registrations WHERE id = $1"),
        &[Arg::Int(id)],
        registration_at,
    )
    .await?
    .ok_or(StoreError::NotFound("registration"))
}

/// The column a consent kind is kept in, or `NotFound` for an unknown kind.
fn consent_column(kind: &str) -> Result<usize> {
    match kind {
        "contact" => Ok(0),
        "share" => Ok(1),
        "meet" => Ok(2),
        _ => Err(StoreError::NotFound("consent kind")),
    }
}

/// Note a consent's wording and date in the registration's history.
async fn note_consent(
    w: &mut Writer<'_>,
    registration: i64,
    kind: &str,
    granted: bool,
    wording: &str,
    now: Millis,
) -> Result<()> {
    w.exec(
        "INSERT INTO registration_consents (registration_id, kind, granted, wording, at) VALUES ($1, $2, $3, $4, $5)",
        &[
            Arg::Int(registration),
            Arg::Text(kind),
            Arg::Int(granted as i64),
            Arg::Text(wording),
            Arg::Int(now),
        ],
    )
    .await?;
    Ok(())
}

/// Record a consent change (and the current state on the registration); nothing when
/// unchanged. The first choice is recorded even when it is "no", so the export shows what was
/// asked.
async fn set_consent(
    w: &mut Writer<'_>,
    registration: i64,
    kind: &str,
    granted: bool,
    wording: &str,
    now: Millis,
) -> Result<()> {
    let (read, update) = match consent_column(kind)? {
        0 => (
            "SELECT consent_contact FROM registrations WHERE id = $1",
            "UPDATE registrations SET consent_contact = $2 WHERE id = $1",
        ),
        1 => (
            "SELECT consent_share FROM registrations WHERE id = $1",
            "UPDATE registrations SET consent_share = $2 WHERE id = $1",
        ),
        _ => (
            "SELECT consent_meet FROM registrations WHERE id = $1",
            "UPDATE registrations SET consent_meet = $2 WHERE id = $1",
        ),
    };
    let current = w
        .opt(read, &[Arg::Int(registration)], |r| r.int(0))
        .await?
        .ok_or(StoreError::NotFound("registration"))?
        != 0;
    let noted = w
        .count(
            "SELECT COUNT(*) FROM registration_consents WHERE registration_id = $1 AND kind = $2",
            &[Arg::Int(registration), Arg::Text(kind)],
        )
        .await?;
    if current == granted && noted > 0 {
        return Ok(());
    }
    w.exec(update, &[Arg::Int(registration), Arg::Int(granted as i64)])
        .await?;
    note_consent(w, registration, kind, granted, wording, now).await
}

/// The registration transaction (see [`Store::register`]).
async fn register(w: &mut Writer<'_>, n: &NewRegistration) -> Result<Registered> {
    // The lock and the look for this person's registration in one statement (one round trip
    // on PostgreSQL); the registration itself is read only when there is one.
    let (capacity, existing_id) = w
        .opt(
            "UPDATE topic_sessions SET capacity = capacity WHERE id = $1
             RETURNING capacity, (SELECT r.id FROM registrations r WHERE r.session_id = $1 AND r.person = $2)",
            &[Arg::Int(n.session_id), Arg::Text(&n.person)],
            |r| Ok((r.opt_int(0)?, r.opt_int(1)?)),
        )
        .await?
        .ok_or(StoreError::NotFound("session"))?;
    let existing = match existing_id {
        Some(id) => Some(reg_by_id(w, id).await?),
        None => None,
    };
    if let Some(r) = &existing
        && r.status != "cancelled"
    {
        return Ok(Registered {
            registration: r.clone(),
            created: false,
        });
    }
    let status = if n.needs_confirmation {
        "pending"
    } else {
        seat_status(w, n.session_id, capacity).await?
    };
    let confirmed_at = (status != "pending").then_some(n.now);
    let registration = match existing {
        // A cancelled registration taken up again: its consents are asked afresh, and only
        // the changes are noted in its history.
        Some(r) => {
            w.exec(
                "UPDATE registrations SET status = $2, name = $3, email = $4, organisation = $5, lang = $6, consent_contact = 0, consent_share = 0, consent_meet = 0, confirm_token_hash = $7, manage_token_hash = COALESCE($8, manage_token_hash), created_at = $9, confirmed_at = $10, cancelled_at = NULL WHERE id = $1",
                &[
                    Arg::Int(r.id),
                    Arg::Text(status),
                    Arg::Text(&n.name),
                    Arg::Text(&n.email),
                    Arg::Text(&n.organisation),
                    Arg::Text(&n.lang),
                    Arg::OptText(n.confirm_token_hash.as_deref()),
                    Arg::OptText(n.manage_token_hash.as_deref()),
                    Arg::Int(n.now),
                    Arg::OptInt(confirmed_at),
                ],
            )
            .await?;
            for (kind, granted, wording) in &n.consents {
                set_consent(w, r.id, kind, *granted, wording, n.now).await?;
            }
            reg_by_id(w, r.id).await?
        }
        // A new one is written with its consents at once, each noted (even a "no").
        None => {
            let mut given = [0i64; 3];
            for (kind, granted, _) in &n.consents {
                given[consent_column(kind)?] = *granted as i64;
            }
            let registration = w
                .opt(
                    concat!(
                        "INSERT INTO registrations (session_id, person, member_id, name, email, organisation, lang, status, confirm_token_hash, manage_token_hash, created_at, confirmed_at, consent_contact, consent_share, consent_meet)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING ",
                        reg_cols!()
                    ),
                    &[
                        Arg::Int(n.session_id),
                        Arg::Text(&n.person),
                        Arg::OptInt(n.member_id),
                        Arg::Text(&n.name),
                        Arg::Text(&n.email),
                        Arg::Text(&n.organisation),
                        Arg::Text(&n.lang),
                        Arg::Text(status),
                        Arg::OptText(n.confirm_token_hash.as_deref()),
                        Arg::OptText(n.manage_token_hash.as_deref()),
                        Arg::Int(n.now),
                        Arg::OptInt(confirmed_at),
                        Arg::Int(given[0]),
                        Arg::Int(given[1]),
                        Arg::Int(given[2]),
                    ],
                    registration_at,
                )
                .await?
                .ok_or(StoreError::NotFound("registration"))?;
            match n.consents.as_slice() {
                // The usual three (contact, share, meet) in one statement: one round trip on
                // PostgreSQL instead of three.
                [(k1, g1, w1), (k2, g2, w2), (k3, g3, w3)] => {
                    w.exec(
                        "INSERT INTO registration_consents (registration_id, kind, granted, wording, at)
                         VALUES ($1, $2, $3, $4, $11), ($1, $5, $6, $7, $11), ($1, $8, $9, $10, $11)",
                        &[
                            Arg::Int(registration.id),
                            Arg::Text(k1),
                            Arg::Int(*g1 as i64),
                            Arg::Text(w1),
                            Arg::Text(k2),
                            Arg::Int(*g2 as i64),
                            Arg::Text(w2),
                            Arg::Text(k3),
                            Arg::Int(*g3 as i64),
                            Arg::Text(w3),
                            Arg::Int(n.now),
                        ],
                    )
                    .await?;
                }
                consents => {
                    for (kind, granted, wording) in consents {
                        note_consent(w, registration.id, kind, *granted, wording, n.now).await?;
                    }
                }
            }
            registration
        }
    };
    Ok(Registered {
        registration,
        created: true,
    })
}

/// The confirmation transaction (see [`Store::confirm_registration`]).
async fn confirm(
    w: &mut Writer<'_>,
    session: i64,
    token_hash: &str,
    now: Millis,
) -> Result<Option<Registration>> {
    let capacity = lock_session(w, session).await?;
    let status = seat_status(w, session, capacity).await?;
    w.opt(
        concat!(
            "UPDATE registrations SET status = $2, confirmed_at = $3, confirm_token_hash = NULL WHERE confirm_token_hash = $1 AND status = 'pending' RETURNING ",
            reg_cols!()
        ),
        &[Arg::Text(token_hash), Arg::Text(status), Arg::Int(now)],
        registration_at,
    )
    .await
}

/// The cancellation transaction (see [`Store::cancel_registration`]).
async fn cancel(
    w: &mut Writer<'_>,
    session: i64,
    id: i64,
    now: Millis,
) -> Result<(Registration, Option<Registration>)> {
    let capacity = lock_session(w, session).await?;
    let before = reg_by_id(w, id).await?;
    w.exec(
        "UPDATE registrations SET status = 'cancelled', cancelled_at = $2 WHERE id = $1",
        &[Arg::Int(id), Arg::Int(now)],
    )
    .await?;
    let mut promoted = None;
    if before.status == "confirmed" && seat_status(w, session, capacity).await? == "confirmed" {
        let next = w
            .opt(
                "SELECT id FROM registrations WHERE session_id = $1 AND status = 'waiting' ORDER BY created_at, id LIMIT 1",
                &[Arg::Int(session)],
                |r| r.int(0),
            )
            .await?;
        if let Some(pid) = next {
            w.exec(
                "UPDATE registrations SET status = 'confirmed', confirmed_at = $2 WHERE id = $1",
                &[Arg::Int(pid), Arg::Int(now)],
            )
            .await?;
            promoted = Some(reg_by_id(w, pid).await?);
        }
    }
    Ok((reg_by_id(w, id).await?, promoted))
}

impl Store {
    /// Register a person. The same person again gets their registration back (a cancelled
    /// one is taken up again); a member takes a seat at once (or the waiting list), a visitor
    /// stays `pending` until they confirm by the emailed link.
    pub async fn register(&self, n: &NewRegistration) -> Result<Registered> {
        let n = n.clone();
        self.writes
            .run(move |w| Box::pin(async move { register(w, &n).await }))
            .await
    }

    /// New links for a registration still waiting for its visitor's confirmation (their mail
    /// may never have arrived): the hashes of the new confirm and manage tokens replace the
    /// old ones. False when it is no longer pending (nothing changes).
    pub async fn renew_pending_links(
        &self,
        registration: i64,
        confirm_token_hash: &str,
        manage_token_hash: &str,
    ) -> Result<bool> {
        let (confirm, manage) = (
            confirm_token_hash.to_string(),
            manage_token_hash.to_string(),
        );
        let changed =
            self.writes
                .run(move |w| {
                    Box::pin(async move {
                        w.exec(
                        "UPDATE registrations SET confirm_token_hash = $2, manage_token_hash = $3
                         WHERE id = $1 AND status = 'pending'",
                        &[Arg::Int(registration), Arg::Text(&confirm), Arg::Text(&manage)],
                    )
                    .await
                    })
                })
                .await?;
        Ok(changed == 1)
    }

    /// The session of the pending registration behind the hash of an emailed token (`None`
    /// for an unknown or used token).
    pub async fn pending_registration_session(&self, token_hash: &str) -> Result<Option<i64>> {
        let hash = token_hash.to_string();
        self.reads
            .run_short(move |r| {
                Box::pin(async move {
                    r.opt(
                        "SELECT session_id FROM registrations WHERE confirm_token_hash = $1 AND status = 'pending'",
                        &[Arg::Text(&hash)],
                        |c| c.int(0),
                    )
                    .await
                })
            })
            .await
    }

    /// Confirm a visitor's registration by the hash of their emailed token: it takes a seat,
    /// or the waiting list. Used once; `None` for an unknown or used token.
    pub async fn confirm_registration(
        &self,
        token_hash: &str,
        now: Millis,
    ) -> Result<Option<Registration>> {
        match self.pending_registration_session(token_hash).await? {
            Some(session) => {
                self.confirm_pending_registration(session, token_hash, now)
                    .await
            }
            None => Ok(None),
        }
    }

    /// [`Store::confirm_registration`] for a caller that already read the token's session
    /// ([`Store::pending_registration_session`]); `None` if it was used meanwhile.
    pub async fn confirm_pending_registration(
        &self,
        session: i64,
        token_hash: &str,
        now: Millis,
    ) -> Result<Option<Registration>> {
        let hash = token_hash.to_string();
        self.writes
            .run(move |w| Box::pin(async move { confirm(w, session, &hash, now).await }))
            .await
    }

    /// Cancel a registration; when it held a seat, the first on the waiting list takes it.
    /// Returns (the cancelled registration, the promoted one).
    pub async fn cancel_registration(
        &self,
        id: i64,
        now: Millis,
    ) -> Result<(Registration, Option<Registration>)> {
        let session = self
            .registration(id)
            .await?
            .ok_or(StoreError::NotFound("registration"))?
            .session_id;
        self.writes
            .run(move |w| Box::pin(async move { cancel(w, session, id, now).await }))
            .await
    }

    /// Give or withdraw a consent on a registration, dated, with its wording (only a change
    /// is recorded).
    pub async fn set_registration_consent(
        &self,
        registration: i64,
        kind: &str,
        granted: bool,
        wording: &str,
        now: Millis,
    ) -> Result<()> {
        let (kind, wording) = (kind.to_string(), wording.to_string());
        self.writes
            .run(move |w| {
                Box::pin(async move {
                    set_consent(w, registration, &kind, granted, &wording, now).await
                })
            })
            .await
    }
}
