//! Embeds: per-space settings (allowed origins, call to action, signing secret), cookieless
//! counts, clicks, conversions, and webhook deliveries.

use crate::{Result, Store, int, opt_int, text};
use parvis_domain::{Millis, SpaceId};
use serde::Serialize;
use std::collections::BTreeMap;

/// How a space's embeds behave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbedSettings {
    pub space_id: SpaceId,
    /// Origins allowed to embed (`https://www.example.org`); empty: anywhere.
    pub origins: Vec<String>,
    /// The default call to action (empty label: none).
    pub cta_label: String,
    pub cta_url: String,
    /// Signs conversion reports (HMAC-SHA256).
    pub secret: String,
    /// Still accepted while the organisation moves to `secret`.
    pub previous_secret: String,
    pub updated_at: Millis,
}

/// A click to record.
#[derive(Debug, Clone)]
pub struct NewClick {
    pub click_id: String,
    pub space_id: SpaceId,
    pub embed_key: String,
    pub host: String,
    pub visitor: String,
    pub target_url: String,
    pub created_at: Millis,
}

/// A recorded click.
pub type Click = NewClick;

/// A conversion to record.
#[derive(Debug, Clone)]
pub struct NewConversion {
    pub space_id: SpaceId,
    pub click_id: String,
    pub kind: String,
    pub value_cents: i64,
    pub transaction_id: String,
    /// `server` (signed report) or `pixel`.
    pub source: String,
    pub created_at: Millis,
}

/// The funnel of one embed on one host page over a period.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema, PartialEq, Eq)]
pub struct FunnelRow {
    /// The embed (`thread/12`).
    pub embed: String,
    /// The host page (origin and path), or `(unknown)`.
    pub host: String,
    /// Distinct visitors who saw it, summed over days.
    pub impressions: i64,
    /// Distinct visitors who read it to the end (or voted, or posted), summed over days.
    pub engagements: i64,
    pub clicks: i64,
    pub conversions: i64,
    /// Sum of the conversions' values, in cents.
    pub value_cents: i64,
}

/// A webhook endpoint of a space.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WebhookEndpoint {
    pub id: i64,
    pub space_id: SpaceId,
    pub url: String,
    #[serde(skip)]
    pub secret: String,
    #[serde(skip)]
    pub previous_secret: String,
    /// Event names it receives, comma-separated (`message.created,conversion.created`).
    pub events: String,
    pub created_at: Millis,
}

/// One event's delivery to one endpoint.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WebhookDelivery {
    pub id: i64,
    pub endpoint_id: i64,
    pub event_id: String,
    pub event: String,
    pub body: String,
    /// `pending`, `delivered` or `failed` (gave up).
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Millis,
    pub last_status: Option<i64>,
    pub last_error: String,
    pub created_at: Millis,
    pub delivered_at: Option<Millis>,
}

fn settings_row(r: &sqlx::any::AnyRow) -> Result<EmbedSettings> {
    Ok(EmbedSettings {
        space_id: SpaceId(int(r, "space_id")?),
        origins: text(r, "origins")?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
        cta_label: text(r, "cta_label")?,
        cta_url: text(r, "cta_url")?,
        secret: text(r, "secret")?,
        previous_secret: text(r, "previous_secret")?,
        updated_at: int(r, "updated_at")?,
    })
}

fn endpoint_row(r: &sqlx::any::AnyRow) -> Result<WebhookEndpoint> {
    Ok(WebhookEndpoint {
        id: int(r, "id")?,
        space_id: SpaceId(int(r, "space_id")?),
        url: text(r, "url")?,
        secret: text(r, "secret")?,
        previous_secret: text(r, "previous_secret")?,
        events: text(r, "events")?,
        created_at: int(r, "created_at")?,
    })
}

fn delivery_row(r: &sqlx::any::AnyRow) -> Result<WebhookDelivery> {
    Ok(WebhookDelivery {
        id: int(r, "id")?,
        endpoint_id: int(r, "endpoint_id")?,
        event_id: text(r, "event_id")?,
        event: text(r, "event")?,
        body: text(r, "body")?,
        status: text(r, "status")?,
        attempts: int(r, "attempts")?,
        next_attempt_at: int(r, "next_attempt_at")?,
        last_status: opt_int(r, "last_status")?,
        last_error: text(r, "last_error")?,
        created_at: int(r, "created_at")?,
        delivered_at: opt_int(r, "delivered_at")?,
    })
}

const DELIVERY_COLS: &str = "d.id, d.endpoint_id, d.event_id, d.event, d.body, d.status, d.attempts, d.next_attempt_at, d.last_status, d.last_error, d.created_at, d.delivered_at";

impl Store {
    /// A space's embed settings, if it has any.
    pub async fn embed_settings(&self, space: SpaceId) -> Result<Option<EmbedSettings>> {
        let row = sqlx::query(
            "SELECT space_id, origins, cta_label, cta_url, secret, previous_secret, updated_at
             FROM embed_settings WHERE space_id = $1",
        )
        .bind(space.0)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(settings_row).transpose()
    }

    /// Create or replace a space's embed settings.
    pub async fn put_embed_settings(&self, s: &EmbedSettings) -> Result<()> {
        sqlx::query(
            "INSERT INTO embed_settings (space_id, origins, cta_label, cta_url, secret, previous_secret, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (space_id) DO UPDATE SET origins = excluded.origins, cta_label = excluded.cta_label,
               cta_url = excluded.cta_url, secret = excluded.secret, previous_secret = excluded.previous_secret,
               updated_at = excluded.updated_at",
        )
        .bind(s.space_id.0)
        .bind(s.origins.join("\n"))
        .bind(&s.cta_label)
        .bind(&s.cta_url)
        .bind(&s.secret)
        .bind(&s.previous_secret)
        .bind(s.updated_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The call to action of one embed, when it has its own: (label, url).
    pub async fn embed_cta(&self, key: &str) -> Result<Option<(String, String)>> {
        let row = sqlx::query("SELECT label, url FROM embed_ctas WHERE embed_key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((text(&r, "label")?, text(&r, "url")?)))
            .transpose()
    }

    /// Set (or, with an empty label, remove) one embed's own call to action.
    pub async fn put_embed_cta(
        &self,
        key: &str,
        space: SpaceId,
        label: &str,
        url: &str,
        now: Millis,
    ) -> Result<()> {
        if label.is_empty() {
            sqlx::query("DELETE FROM embed_ctas WHERE embed_key = $1")
                .bind(key)
                .execute(&self.pool)
                .await?;
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO embed_ctas (embed_key, space_id, label, url, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (embed_key) DO UPDATE SET label = excluded.label, url = excluded.url, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(space.0)
        .bind(label)
        .bind(url)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The salt of `day`: `candidate` if the day has none yet. Salts older than yesterday
    /// are deleted, so that last week's hashes cannot be recomputed from an address.
    pub async fn embed_salt(&self, day: i64, candidate: &str) -> Result<String> {
        sqlx::query(
            "INSERT INTO embed_salts (day, salt) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING",
        )
        .bind(day)
        .bind(candidate)
        .execute(&self.pool)
        .await?;
        sqlx::query("DELETE FROM embed_salts WHERE day < $1")
            .bind(day - 1)
            .execute(&self.pool)
            .await?;
        let row = sqlx::query("SELECT salt FROM embed_salts WHERE day = $1")
            .bind(day)
            .fetch_one(&self.pool)
            .await?;
        text(&row, "salt")
    }

    /// Record a view or an engagement; false when this visitor already did that today.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_embed_event(
        &self,
        space: SpaceId,
        key: &str,
        host: &str,
        event: &str,
        visitor: &str,
        day: i64,
        now: Millis,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO embed_events (space_id, embed_key, host, event, visitor, day, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        )
        .bind(space.0)
        .bind(key)
        .bind(host)
        .bind(event)
        .bind(visitor)
        .bind(day)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Record a click; false when this click id was already recorded.
    pub async fn record_click(&self, c: &NewClick) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO embed_clicks (click_id, space_id, embed_key, host, visitor, target_url, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (click_id) DO NOTHING",
        )
        .bind(&c.click_id)
        .bind(c.space_id.0)
        .bind(&c.embed_key)
        .bind(&c.host)
        .bind(&c.visitor)
        .bind(&c.target_url)
        .bind(c.created_at)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// A click by its id.
    pub async fn click(&self, click_id: &str) -> Result<Option<Click>> {
        let row = sqlx::query(
            "SELECT click_id, space_id, embed_key, host, visitor, target_url, created_at
             FROM embed_clicks WHERE click_id = $1",
        )
        .bind(click_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(NewClick {
                click_id: text(&r, "click_id")?,
                space_id: SpaceId(int(&r, "space_id")?),
                embed_key: text(&r, "embed_key")?,
                host: text(&r, "host")?,
                visitor: text(&r, "visitor")?,
                target_url: text(&r, "target_url")?,
                created_at: int(&r, "created_at")?,
            })
        })
        .transpose()
    }

    /// Record a conversion; false when its transaction id was already counted in the space.
    pub async fn record_conversion(&self, c: &NewConversion) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO embed_conversions (space_id, click_id, kind, value_cents, transaction_id, source, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (space_id, transaction_id) DO NOTHING",
        )
        .bind(c.space_id.0)
        .bind(&c.click_id)
        .bind(&c.kind)
        .bind(c.value_cents)
        .bind(&c.transaction_id)
        .bind(&c.source)
        .bind(c.created_at)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Note the embed click a pending registration came through, to count it as that click's
    /// conversion once confirmed (`take_registration_click`). The first click noted stays.
    pub async fn note_registration_click(&self, registration: i64, click_id: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO registration_clicks (registration_id, click_id) VALUES ($1, $2)
             ON CONFLICT (registration_id) DO NOTHING",
        )
        .bind(registration)
        .bind(click_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The embed click noted for a registration, forgotten as it is read.
    pub async fn take_registration_click(&self, registration: i64) -> Result<Option<String>> {
        let row = sqlx::query(
            "DELETE FROM registration_clicks WHERE registration_id = $1 RETURNING click_id",
        )
        .bind(registration)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| text(&r, "click_id")).transpose()
    }

    /// The funnel per embed and host page of a space, for days `from_day..=to_day`
    /// (days since the epoch, UTC).
    pub async fn embed_funnel(
        &self,
        space: SpaceId,
        from_day: i64,
        to_day: i64,
    ) -> Result<Vec<FunnelRow>> {
        const DAY: i64 = 86_400_000;
        let (from_ms, to_ms) = (from_day * DAY, (to_day + 1) * DAY);
        let mut rows: BTreeMap<(String, String), FunnelRow> = BTreeMap::new();
        fn entry(
            rows: &mut BTreeMap<(String, String), FunnelRow>,
            embed: String,
            host: String,
        ) -> &mut FunnelRow {
            rows.entry((embed.clone(), host.clone()))
                .or_insert_with(|| FunnelRow {
                    embed,
                    host,
                    ..FunnelRow::default()
                })
        }
        // Engagement counts visitors (per day, as views do), not actions: one who reads to
        // the end, posts and likes is one engaged visitor, so the rate stays a share of views.
        let events = sqlx::query(
            "SELECT embed_key, host, CAST(SUM(CASE WHEN event = 'view' THEN 1 ELSE 0 END) AS BIGINT) AS views,
                    CAST(COUNT(DISTINCT CASE WHEN event <> 'view' THEN visitor || '|' || CAST(day AS TEXT) END) AS BIGINT) AS engaged
             FROM embed_events WHERE space_id = $1 AND day >= $2 AND day <= $3 GROUP BY embed_key, host",
        )
        .bind(space.0)
        .bind(from_day)
        .bind(to_day)
        .fetch_all(&self.pool)
        .await?;
        for r in &events {
            let row = entry(&mut rows, text(r, "embed_key")?, text(r, "host")?);
            row.impressions = int(r, "views")?;
            row.engagements = int(r, "engaged")?;
        }
        let clicks = sqlx::query(
            "SELECT embed_key, host, COUNT(*) AS n FROM embed_clicks
             WHERE space_id = $1 AND created_at >= $2 AND created_at < $3 GROUP BY embed_key, host",
        )
        .bind(space.0)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(&self.pool)
        .await?;
        for r in &clicks {
            entry(&mut rows, text(r, "embed_key")?, text(r, "host")?).clicks = int(r, "n")?;
        }
        let conversions = sqlx::query(
            "SELECT c.embed_key, c.host, COUNT(*) AS n, CAST(COALESCE(SUM(v.value_cents), 0) AS BIGINT) AS value
             FROM embed_conversions v JOIN embed_clicks c ON c.click_id = v.click_id
             WHERE v.space_id = $1 AND v.created_at >= $2 AND v.created_at < $3 GROUP BY c.embed_key, c.host",
        )
        .bind(space.0)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(&self.pool)
        .await?;
        for r in &conversions {
            let row = entry(&mut rows, text(r, "embed_key")?, text(r, "host")?);
            row.conversions = int(r, "n")?;
            row.value_cents = int(r, "value")?;
        }
        Ok(rows.into_values().collect())
    }

    // ----- webhooks ----------------------------------------------------------------------

    /// The webhook endpoints of a space.
    pub async fn webhook_endpoints(&self, space: SpaceId) -> Result<Vec<WebhookEndpoint>> {
        let rows = sqlx::query(
            "SELECT id, space_id, url, secret, previous_secret, events, created_at
             FROM webhook_endpoints WHERE space_id = $1 ORDER BY id",
        )
        .bind(space.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(endpoint_row).collect()
    }

    /// One endpoint by id.
    pub async fn webhook_endpoint(&self, id: i64) -> Result<Option<WebhookEndpoint>> {
        let row = sqlx::query(
            "SELECT id, space_id, url, secret, previous_secret, events, created_at
             FROM webhook_endpoints WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(endpoint_row).transpose()
    }

    /// Add an endpoint; returns its id.
    pub async fn add_webhook_endpoint(
        &self,
        space: SpaceId,
        url: &str,
        secret: &str,
        events: &str,
        now: Millis,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO webhook_endpoints (space_id, url, secret, previous_secret, events, created_at)
             VALUES ($1, $2, $3, '', $4, $5) RETURNING id",
        )
        .bind(space.0)
        .bind(url)
        .bind(secret)
        .bind(events)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        int(&row, "id")
    }

    /// Replace an endpoint's secret, keeping the old one valid (signed too) meanwhile.
    pub async fn rotate_webhook_secret(&self, id: i64, secret: &str) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE webhook_endpoints SET previous_secret = secret, secret = $2 WHERE id = $1",
        )
        .bind(id)
        .bind(secret)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Remove an endpoint and its deliveries.
    pub async fn delete_webhook_endpoint(&self, id: i64) -> Result<bool> {
        sqlx::query("DELETE FROM webhook_deliveries WHERE endpoint_id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        let done = sqlx::query("DELETE FROM webhook_endpoints WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Queue one event for one endpoint.
    pub async fn enqueue_delivery(
        &self,
        endpoint: i64,
        event_id: &str,
        event: &str,
        body: &str,
        now: Millis,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO webhook_deliveries (endpoint_id, event_id, event, body, status, attempts, next_attempt_at, last_error, created_at)
             VALUES ($1, $2, $3, $4, 'pending', 0, $5, '', $5)",
        )
        .bind(endpoint)
        .bind(event_id)
        .bind(event)
        .bind(body)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Deliveries due by `now`, oldest first.
    pub async fn due_deliveries(&self, now: Millis, limit: i64) -> Result<Vec<WebhookDelivery>> {
        let sql = format!(
            "SELECT {DELIVERY_COLS} FROM webhook_deliveries d
             WHERE d.status = 'pending' AND d.next_attempt_at <= $1 ORDER BY d.next_attempt_at, d.id LIMIT $2"
        );
        let rows = sqlx::query(&sql)
            .bind(now)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(delivery_row).collect()
    }

    /// Record an attempt's outcome.
    #[allow(clippy::too_many_arguments)]
    pub async fn mark_delivery(
        &self,
        id: i64,
        status: &str,
        attempts: i64,
        next_attempt_at: Millis,
        last_status: Option<i64>,
        last_error: &str,
        delivered_at: Option<Millis>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE webhook_deliveries SET status = $2, attempts = $3, next_attempt_at = $4, last_status = $5,
               last_error = $6, delivered_at = $7 WHERE id = $1",
        )
        .bind(id)
        .bind(status)
        .bind(attempts)
        .bind(next_attempt_at)
        .bind(last_status)
        .bind(last_error)
        .bind(delivered_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The latest deliveries of a space's endpoints, newest first.
    pub async fn webhook_deliveries(
        &self,
        space: SpaceId,
        limit: i64,
    ) -> Result<Vec<WebhookDelivery>> {
        let sql = format!(
            "SELECT {DELIVERY_COLS} FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
             WHERE e.space_id = $1 ORDER BY d.id DESC LIMIT $2"
        );
        let rows = sqlx::query(&sql)
            .bind(space.0)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(delivery_row).collect()
    }

    /// Put a delivery back in the queue, due now (an admin's replay).
    pub async fn replay_delivery(&self, space: SpaceId, id: i64, now: Millis) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $3
             WHERE id = $2 AND endpoint_id IN (SELECT id FROM webhook_endpoints WHERE space_id = $1)",
        )
        .bind(space.0)
        .bind(id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }
}
