//! Members, their identities on other channels and their consents.

use crate::read::{Arg, Cols, Reader};
use crate::{Result, Store, StoreError, conflict_as, int, opt_text, text};
use parvis_domain::{
    Consent, ConsentKind, EcosystemRole, Identity, Member, MemberId, MemberRef, Millis, Page,
    PageRequest, SiteRole,
};
use sqlx::Row;
use sqlx::any::AnyRow;

/// What is needed to create a member.
#[derive(Debug, Clone)]
pub struct NewMember {
    pub handle: String,
    pub display_name: String,
    pub email: Option<String>,
    pub password_hash: Option<String>,
    pub site_role: SiteRole,
    pub ecosystem_role: EcosystemRole,
    pub organisation: String,
    pub bio: String,
    pub lang: String,
    pub created_at: Millis,
}

/// What sign-in needs to check a password.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub member_id: MemberId,
    pub password_hash: Option<String>,
}

/// Columns of `members m` for a `MemberRef` (shared by every query that shows an author).
pub(crate) const MEMBER_REF_COLS: &str = "m.id AS m_id, m.handle AS m_handle, m.display_name AS m_name, m.organisation AS m_org, m.ecosystem_role AS m_eco";

pub(crate) fn member_ref(row: &AnyRow) -> Result<MemberRef> {
    Ok(MemberRef {
        id: MemberId(int(row, "m_id")?),
        handle: text(row, "m_handle")?,
        display_name: text(row, "m_name")?,
        organisation: text(row, "m_org")?,
        ecosystem_role: EcosystemRole::parse("ecosystem_role", &text(row, "m_eco")?)
            .unwrap_or(EcosystemRole::Other),
    })
}

/// The INSERT of a new member (`$1`…`$10` in [`NewMember`]'s field order), returning its id.
pub(crate) const INSERT_MEMBER_SQL: &str = "INSERT INTO members (handle, display_name, email, password_hash, site_role, ecosystem_role, organisation, bio, lang, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";

/// The INSERT for a new member, shared by accounts and importers.
pub(crate) fn insert_member(
    m: &NewMember,
) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
    sqlx::query(INSERT_MEMBER_SQL)
        .bind(&m.handle)
        .bind(&m.display_name)
        .bind(m.email.as_deref())
        .bind(m.password_hash.as_deref())
        .bind(m.site_role.as_str())
        .bind(m.ecosystem_role.as_str())
        .bind(&m.organisation)
        .bind(&m.bio)
        .bind(&m.lang)
        .bind(m.created_at)
}

macro_rules! member_cols {
    () => {
        "id, handle, display_name, email, site_role, ecosystem_role, organisation, bio, lang, created_at,
    (SELECT COUNT(*) FROM messages WHERE messages.author_id = members.id) AS message_count"
    };
}

/// One member by id or by handle, read by position on each backend's own driver
/// ([`read_member`]): signed-in requests read their member on every page.
pub(crate) const MEMBER_BY_ID_SQL: &str =
    concat!("SELECT ", member_cols!(), " FROM members WHERE id = $1");
const MEMBER_BY_HANDLE_SQL: &str =
    concat!("SELECT ", member_cols!(), " FROM members WHERE handle = $1");
const IDENTITIES_SQL: &str = "SELECT network, handle, verified FROM identities WHERE member_id = $1 ORDER BY network, handle";
const CONSENTS_SQL: &str =
    "SELECT kind, granted, updated_at FROM consents WHERE member_id = $1 ORDER BY kind";

/// The columns of [`MEMBER_COLS`], by position.
fn member_of(c: &dyn Cols) -> Result<Member> {
    Ok(Member {
        id: MemberId(c.int(0)?),
        handle: c.text(1)?,
        display_name: c.text(2)?,
        email: c.opt_text(3)?,
        site_role: SiteRole::parse("site_role", &c.text(4)?).unwrap_or(SiteRole::Member),
        ecosystem_role: EcosystemRole::parse("ecosystem_role", &c.text(5)?)
            .unwrap_or(EcosystemRole::Other),
        organisation: c.text(6)?,
        bio: c.text(7)?,
        lang: c.text(8)?,
        created_at: c.int(9)?,
        identities: Vec::new(),
        consents: Vec::new(),
        message_count: c.int(10)?,
    })
}

/// The member `sql` finds by `key` ([`MEMBER_BY_ID_SQL`], [`MEMBER_BY_HANDLE_SQL`]), with
/// identities and consents, within one read. A consent of a kind this version does not know
/// (written by a newer one) is left out.
pub(crate) async fn read_member(
    r: &mut Reader<'_>,
    sql: &'static str,
    key: Arg<'_>,
) -> Result<Option<Member>> {
    let Some(mut member) = r.opt(sql, &[key], member_of).await? else {
        return Ok(None);
    };
    let id = [Arg::Int(member.id.0)];
    member.identities = r
        .all(IDENTITIES_SQL, &id, |c| {
            Ok(Identity {
                network: c.text(0)?,
                handle: c.text(1)?,
                verified: c.int(2)? != 0,
            })
        })
        .await?;
    member.consents = r
        .all(CONSENTS_SQL, &id, |c| {
            let Ok(kind) = ConsentKind::parse("kind", &c.text(0)?) else {
                return Ok(None);
            };
            Ok(Some(Consent {
                kind,
                granted: c.int(1)? != 0,
                updated_at: c.int(2)?,
            }))
        })
        .await?
        .into_iter()
        .flatten()
        .collect();
    Ok(Some(member))
}

/// The members anyone may list: not merged, not erased, matched by `$1` (a `LIKE` pattern) on
/// name, handle or organisation.
macro_rules! listed_members {
    () => {
        " FROM members WHERE merged_into IS NULL AND erased_at IS NULL
         AND (LOWER(display_name) LIKE $1 OR handle LIKE $1 OR LOWER(organisation) LIKE $1)"
    };
}
const LIST_MEMBERS_SQL: &str = concat!(
    "SELECT ",
    member_cols!(),
    listed_members!(),
    " ORDER BY message_count DESC, display_name LIMIT $2 OFFSET $3"
);
const COUNT_MEMBERS_SQL: &str = concat!("SELECT COUNT(*)", listed_members!());

/// The members the admins' roles table lists (merged ones left out, erased ones kept), also
/// matched on their email.
macro_rules! admin_members {
    () => {
        " FROM members WHERE merged_into IS NULL
         AND (LOWER(display_name) LIKE $1 OR handle LIKE $1 OR LOWER(organisation) LIKE $1
              OR LOWER(COALESCE(email, '')) LIKE $1)"
    };
}
const LIST_MEMBERS_FOR_ADMIN_SQL: &str = concat!(
    "SELECT ",
    member_cols!(),
    admin_members!(),
    " ORDER BY CASE site_role WHEN 'admin' THEN 0 WHEN 'moderator' THEN 1 ELSE 2 END,
     LOWER(display_name), id LIMIT $2 OFFSET $3"
);
const COUNT_MEMBERS_FOR_ADMIN_SQL: &str = concat!("SELECT COUNT(*)", admin_members!());

/// A page of the members `list_sql` lists (`$1` the pattern, `$2` and `$3` the page) and how
/// many `count_sql` counts, in one read.
async fn members_page(
    r: &mut Reader<'_>,
    (list_sql, count_sql): (&'static str, &'static str),
    pattern: &str,
    page: PageRequest,
) -> Result<Page<Member>> {
    let args = [
        Arg::Text(pattern),
        Arg::Int(page.per_page as i64),
        Arg::Int(page.offset()),
    ];
    let items = r.all(list_sql, &args, member_of).await?;
    let total = r.count(count_sql, &[Arg::Text(pattern)]).await?;
    Ok(Page {
        items,
        page: page.page,
        per_page: page.per_page,
        total,
    })
}

impl Store {
    /// Create a member. `Conflict { what: "handle" | "email" }` when taken.
    pub async fn create_member(&self, m: &NewMember) -> Result<MemberId> {
        if let Some(email) = &m.email
            && self.member_id_by_email(email).await?.is_some()
        {
            return Err(StoreError::Conflict {
                what: "email".into(),
            });
        }
        let row = insert_member(m)
            .fetch_one(&self.pool)
            .await
            .map_err(conflict_as("handle"))?;
        Ok(MemberId(row.try_get::<i64, _>(0)?))
    }

    /// A member by handle, with identities and consents.
    pub async fn member_by_handle(&self, handle: &str) -> Result<Option<Member>> {
        let handle = handle.to_string();
        self.reads
            .run_short(move |r| {
                Box::pin(
                    async move { read_member(r, MEMBER_BY_HANDLE_SQL, Arg::Text(&handle)).await },
                )
            })
            .await
    }

    /// A member by id, with identities and consents.
    pub async fn member_by_id(&self, id: MemberId) -> Result<Option<Member>> {
        self.reads
            .run_short(move |r| {
                Box::pin(async move { read_member(r, MEMBER_BY_ID_SQL, Arg::Int(id.0)).await })
            })
            .await
    }

    /// The member with this (normalised) email, if any.
    pub async fn member_id_by_email(&self, email: &str) -> Result<Option<MemberId>> {
        let row = sqlx::query("SELECT id FROM members WHERE email = $1")
            .bind(email)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok(MemberId(int(&r, "id")?))).transpose()
    }

    /// The password hash of the member with this email.
    pub async fn credentials_by_email(&self, email: &str) -> Result<Option<Credentials>> {
        let row = sqlx::query("SELECT id, password_hash FROM members WHERE email = $1")
            .bind(email)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(Credentials {
                member_id: MemberId(int(&r, "id")?),
                password_hash: opt_text(&r, "password_hash")?,
            })
        })
        .transpose()
    }

    /// A page of members, most active first; `query` filters on name, handle or organisation.
    pub async fn list_members(
        &self,
        query: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<Member>> {
        let pattern = format!("%{}%", query.unwrap_or("").to_lowercase());
        let sql = (LIST_MEMBERS_SQL, COUNT_MEMBERS_SQL);
        self.reads
            .run(move |r| Box::pin(async move { members_page(r, sql, &pattern, page).await }))
            .await
    }

    /// Change a member's site role.
    pub async fn set_site_role(&self, id: MemberId, role: SiteRole) -> Result<()> {
        let r = sqlx::query("UPDATE members SET site_role = $1 WHERE id = $2")
            .bind(role.as_str())
            .bind(id.0)
            .execute(&self.pool)
            .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound("member"));
        }
        Ok(())
    }

    /// Change a member's ecosystem role and organisation.
    pub async fn set_profile(
        &self,
        id: MemberId,
        display_name: &str,
        eco: EcosystemRole,
        organisation: &str,
        bio: &str,
    ) -> Result<()> {
        sqlx::query("UPDATE members SET display_name = $1, ecosystem_role = $2, organisation = $3, bio = $4 WHERE id = $5")
            .bind(display_name)
            .bind(eco.as_str())
            .bind(organisation)
            .bind(bio)
            .bind(id.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Set or replace a member's password hash.
    pub async fn set_password_hash(&self, id: MemberId, hash: &str) -> Result<()> {
        sqlx::query("UPDATE members SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(id.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Attach an identity (network + handle) to a member. `Conflict` if another member has it.
    pub async fn add_identity(
        &self,
        id: MemberId,
        network: &str,
        handle: &str,
        verified: bool,
        now: Millis,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO identities (member_id, network, handle, verified, created_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (network, handle) DO UPDATE SET verified = excluded.verified WHERE identities.member_id = excluded.member_id",
        )
        .bind(id.0)
        .bind(network)
        .bind(handle)
        .bind(verified as i64)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(conflict_as("identity"))?;
        let owner =
            sqlx::query("SELECT member_id FROM identities WHERE network = $1 AND handle = $2")
                .bind(network)
                .bind(handle)
                .fetch_one(&self.pool)
                .await?
                .try_get::<i64, _>(0)?;
        if owner != id.0 {
            return Err(StoreError::Conflict {
                what: format!("identity {network}:{handle}"),
            });
        }
        Ok(())
    }

    /// Remove an identity from a member.
    pub async fn remove_identity(&self, id: MemberId, network: &str, handle: &str) -> Result<()> {
        sqlx::query("DELETE FROM identities WHERE member_id = $1 AND network = $2 AND handle = $3")
            .bind(id.0)
            .bind(network)
            .bind(handle)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Record that a consent was given or withdrawn at `now`, in the current state and in the
    /// dated history (`consent_events`); nothing changes when it already was in that state.
    pub async fn set_consent(
        &self,
        id: MemberId,
        kind: ConsentKind,
        granted: bool,
        now: Millis,
    ) -> Result<()> {
        // The current state and its history change together, and only on a change: saving
        // the same choice again keeps the date it was made.
        let mut tx = self.begin_write().await?;
        let current =
            sqlx::query("SELECT granted FROM consents WHERE member_id = $1 AND kind = $2")
                .bind(id.0)
                .bind(kind.as_str())
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(row) = current
            && (int(&row, "granted")? != 0) == granted
        {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO consents (member_id, kind, granted, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (member_id, kind) DO UPDATE SET granted = excluded.granted, updated_at = excluded.updated_at",
        )
        .bind(id.0)
        .bind(kind.as_str())
        .bind(granted as i64)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO consent_events (member_id, kind, granted, at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id.0)
        .bind(kind.as_str())
        .bind(granted as i64)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// How many members there are.
    pub async fn member_count(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) FROM members")
            .fetch_one(&self.pool)
            .await?
            .try_get::<i64, _>(0)?)
    }
}

impl Store {
    /// A page of members for the admins' roles table: matched on name, handle, organisation
    /// *or email* (only admins reach this), admins first, then by name.
    pub async fn list_members_for_admin(
        &self,
        query: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<Member>> {
        let pattern = format!("%{}%", query.unwrap_or("").trim().to_lowercase());
        let sql = (LIST_MEMBERS_FOR_ADMIN_SQL, COUNT_MEMBERS_FOR_ADMIN_SQL);
        self.reads
            .run(move |r| Box::pin(async move { members_page(r, sql, &pattern, page).await }))
            .await
    }
}
