//! Counting without cookies, clicks on the call to action, and conversions reported back.
//!
//! A visitor is `SHA-256(daily salt | IP | user agent | host domain)`, cut to 128 bits: the
//! same person on the same site counts once a day, across sites they cannot be followed,
//! and once yesterday's salt is deleted nobody — us included — can tell whose hash it was.
//! The IP is never stored. Do-Not-Track (or Global Privacy Control) means no hash at all:
//! views are not counted, and a click is kept only as an anonymous click (the organisation
//! needs it to attribute the purchase the visitor chose to make).

use super::{EmbedCard, EmbedTarget};
use crate::{Actor, Result, ServiceError, Services, random_token};
use hmac::{Hmac, Mac};
use parvis_domain::*;
use parvis_store::{FunnelRow, NewClick, NewConversion};
use sha2::{Digest, Sha256};

const DAY_MS: i64 = 86_400_000;
/// A conversion must come within this many days of its click.
pub const CLICK_TTL_DAYS: i64 = 30;
/// A signed report older (or newer) than this is refused as a possible replay.
pub const SIGNATURE_TOLERANCE_SECS: i64 = 300;

/// Who is looking, as far as counting needs: never stored as such.
#[derive(Debug, Clone, Default)]
pub struct Viewer {
    pub ip: String,
    pub user_agent: String,
    /// Do-Not-Track or Global Privacy Control.
    pub do_not_track: bool,
}

/// The host page as counted: origin and path, no query or fragment (they may hold personal
/// data), at most 300 characters; `(unknown)` when the frame could not tell.
pub fn host_page(s: Option<&str>) -> String {
    s.and_then(|s| url::Url::parse(s.trim()).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        .map(|u| {
            let p = format!("{}{}", u.origin().ascii_serialization(), u.path());
            p.chars().take(300).collect()
        })
        .unwrap_or_else(|| "(unknown)".into())
}

fn host_domain(host: &str) -> &str {
    host.split("://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or("")
}

/// A fresh click id (URL-safe, 32 hex characters).
pub fn new_click_id() -> String {
    random_token()[..32].to_string()
}

/// Whether `s` looks like a click id we mint (refuse anything else before a lookup).
pub fn is_click_id(s: &str) -> bool {
    (16..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The signature a conversion report carries: `t=<unix seconds>,v1=<hex HMAC-SHA256 of
/// "t.body" with the space's secret>`.
pub fn sign_report(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac(secret, timestamp, body))
    )
}

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Vec<u8> {
    let Ok(mut m) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return Vec::new();
    };
    m.update(timestamp.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    m.finalize().into_bytes().to_vec()
}

/// Why a conversion report was refused (each maps to one HTTP status and a stable code).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConversionRefused {
    #[error("unknown click id")]
    UnknownClick,
    #[error("the click is older than {CLICK_TTL_DAYS} days")]
    ExpiredClick,
    #[error("missing or malformed signature header (expected t=<unix seconds>,v1=<hex>)")]
    MissingSignature,
    #[error("the signature does not match the space's secret")]
    BadSignature,
    #[error("the signature's timestamp is more than {SIGNATURE_TOLERANCE_SECS} s away from now")]
    StaleSignature,
    #[error("this transaction id was already counted")]
    Duplicate,
}

/// A conversion report, as the organisation sends it.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct ConversionReport {
    /// The click id Parvis appended to the organisation's URL (`parvis_click`).
    pub click_id: String,
    /// What happened: `registration`, `application`, `purchase`, … (letters, digits, `_`, `-`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Its value, in the organisation's currency (e.g. 49.90).
    #[serde(default)]
    pub value: Option<f64>,
    /// The organisation's own id of the transaction: a report sent twice counts once.
    pub transaction_id: String,
}

fn check_report(r: &ConversionReport) -> Result<i64, ValidationError> {
    if !is_click_id(&r.click_id) {
        return Err(ValidationError::new("click_id", "not a Parvis click id"));
    }
    if r.kind.is_empty()
        || r.kind.len() > 40
        || !r
            .kind
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(ValidationError::broke(
            "type",
            Rule::Other,
            "1–40 letters, digits, '_' or '-' (registration, application, purchase…)",
        ));
    }
    let t = r.transaction_id.trim();
    if t.is_empty() || t.len() > 200 || t.chars().any(char::is_control) {
        return Err(ValidationError::broke(
            "transaction_id",
            Rule::Required,
            "1–200 characters, no control character",
        ));
    }
    match r.value {
        None => Ok(0),
        Some(v) if v.is_finite() && (0.0..=1e12).contains(&v) => Ok((v * 100.0).round() as i64),
        Some(_) => Err(ValidationError::new("value", "a number between 0 and 1e12")),
    }
}

impl Services {
    async fn visitor(&self, viewer: &Viewer, host: &str, now: Millis) -> Result<Option<String>> {
        if viewer.do_not_track {
            return Ok(None);
        }
        let salt = self
            .store()
            .embed_salt(now / DAY_MS, &random_token())
            .await?;
        let mut h = Sha256::new();
        for part in [&salt, &viewer.ip, &viewer.user_agent, host_domain(host)] {
            h.update(part.as_bytes());
            h.update(b"|");
        }
        Ok(Some(hex::encode(&h.finalize()[..16])))
    }

    /// Count a view (`view`) or an engagement (`read`: scrolled to the end) of an embed on a
    /// host page, as the frame's beacon reports them. Unknown embeds and events are ignored
    /// (a beacon never fails the page).
    pub async fn record_embed_event(
        &self,
        key: &str,
        host: Option<&str>,
        event: &str,
        viewer: &Viewer,
    ) -> Result<bool> {
        let (Some(target), true) = (
            EmbedTarget::parse_key(key),
            matches!(event, "view" | "read"),
        ) else {
            return Ok(false);
        };
        self.count_embed_event(&target, host, event, viewer).await
    }

    /// Count what a visitor did from a widget as engagement: `post` (a reply, published or
    /// held), `react` (a like or another reaction), `entry` (a challenge entry), `answer` (a
    /// survey's answer) or `vote` (for a challenge's entry, or on an opinion map's statement).
    /// Called by the widget's write API once the action succeeded — never from the public
    /// beacon, so a page cannot forge posts into the funnel. `host` is the page the widget runs on, as the
    /// frame counted its view, so the action lands on the same row of the funnel.
    pub async fn record_widget_engagement(
        &self,
        target: &EmbedTarget,
        host: Option<&str>,
        event: &str,
        viewer: &Viewer,
    ) -> Result<bool> {
        if !matches!(event, "post" | "react" | "entry" | "answer" | "vote") {
            return Ok(false);
        }
        self.count_embed_event(target, host, event, viewer).await
    }

    async fn count_embed_event(
        &self,
        target: &EmbedTarget,
        host: Option<&str>,
        event: &str,
        viewer: &Viewer,
    ) -> Result<bool> {
        let card = match self.embed_card(target).await {
            Ok(c) => c,
            Err(ServiceError::NotFound(_)) => return Ok(false),
            Err(e) => return Err(e),
        };
        let host = host_page(host);
        let now = now_millis();
        let Some(visitor) = self.visitor(viewer, &host, now).await? else {
            return Ok(false);
        };
        Ok(self
            .store()
            .record_embed_event(
                card.space_id,
                &card.key,
                &host,
                event,
                &visitor,
                now / DAY_MS,
                now,
            )
            .await?)
    }

    /// Record a click on an embed's call to action and say where it leads: the call to
    /// action's URL with `parvis_click=<id>` appended (or the Parvis page when there is no
    /// call to action; a session's page with `parvis_click` too). A click id counts once,
    /// however often it is followed.
    pub async fn follow_click(
        &self,
        click_id: &str,
        key: &str,
        host: Option<&str>,
        viewer: &Viewer,
    ) -> Result<String> {
        let base = self.config().public_url.trim_end_matches('/').to_string();
        let target = EmbedTarget::parse_key(key)
            .ok_or_else(|| ServiceError::NotFound(format!("embed {key:?}")))?;
        if !is_click_id(click_id) {
            return Err(ValidationError::new("click_id", "not a Parvis click id").into());
        }
        if let Some(known) = self.store().click(click_id).await? {
            return Ok(known.target_url);
        }
        let card: EmbedCard = self.embed_card(&target).await?;
        let to = match self.embed_cta(&card).await? {
            Some((_, url)) => match url::Url::parse(&url) {
                Ok(mut u) => {
                    u.query_pairs_mut().append_pair("parvis_click", click_id);
                    u.to_string()
                }
                Err(_) => format!("{base}{}", card.page_path),
            },
            // A session's own page registers: its form carries the click, and the
            // registration counts as its conversion (`registration_from_click`).
            None if matches!(target, EmbedTarget::Session(_)) => {
                format!("{base}{}?parvis_click={click_id}", card.page_path)
            }
            None => format!("{base}{}", card.page_path),
        };
        let host = host_page(host);
        let now = now_millis();
        let visitor = self.visitor(viewer, &host, now).await?.unwrap_or_default();
        self.store()
            .record_click(&NewClick {
                click_id: click_id.to_string(),
                space_id: card.space_id,
                embed_key: card.key.clone(),
                host,
                visitor,
                target_url: to.clone(),
                created_at: now,
            })
            .await?;
        tracing::info!(embed = %card.key, "call to action followed");
        Ok(to)
    }

    /// Count a conversion reported by the organisation. `signature` is the header's value;
    /// `None` for the pixel (unsigned: it can only count a known, fresh click once per
    /// transaction). Every refusal is logged.
    pub async fn report_conversion(
        &self,
        body: &[u8],
        report: &ConversionReport,
        signature: Option<&str>,
        source: &str,
    ) -> Result<std::result::Result<(), ConversionRefused>> {
        let value_cents = check_report(report)?;
        let refuse = |why: ConversionRefused| {
            tracing::warn!(reason = %why, source, "conversion refused");
            Ok(Err(why))
        };
        let Some(click) = self.store().click(&report.click_id).await? else {
            return refuse(ConversionRefused::UnknownClick);
        };
        let now = now_millis();
        if now - click.created_at > CLICK_TTL_DAYS * DAY_MS {
            return refuse(ConversionRefused::ExpiredClick);
        }
        if source != "pixel" {
            let Some((t, v1)) = signature.and_then(parse_signature) else {
                return refuse(ConversionRefused::MissingSignature);
            };
            let settings = self.embed_settings(click.space_id).await?;
            let ok = [&settings.secret, &settings.previous_secret]
                .iter()
                .filter(|s| !s.is_empty())
                .any(|s| constant_time_eq(&mac(s, t, body), &v1));
            if !ok {
                return refuse(ConversionRefused::BadSignature);
            }
            if (now / 1000 - t).abs() > SIGNATURE_TOLERANCE_SECS {
                return refuse(ConversionRefused::StaleSignature);
            }
        }
        let conversion = NewConversion {
            space_id: click.space_id,
            click_id: click.click_id.clone(),
            kind: report.kind.clone(),
            value_cents,
            transaction_id: report.transaction_id.trim().to_string(),
            source: source.to_string(),
            created_at: now,
        };
        if !self.count_conversion(&click, &conversion).await? {
            return refuse(ConversionRefused::Duplicate);
        }
        Ok(Ok(()))
    }

    /// Record a conversion of `click`, credit the share link the visitor came through and
    /// send the webhook; false when its transaction id was already counted.
    async fn count_conversion(&self, click: &NewClick, c: &NewConversion) -> Result<bool> {
        if !self.store().record_conversion(c).await? {
            return Ok(false);
        }
        tracing::info!(embed = %click.embed_key, kind = %c.kind, source = %c.source, "conversion counted");
        // The visitor who followed this call to action came through a member's share link:
        // the conversion is that member's too (once per transaction, as counted above).
        if let Some(code) = self.store().share_code_of_click(&click.click_id).await? {
            let target = format!("conversion:{}", click.click_id);
            self.credit_share(&code, "conversion", None, &target)
                .await?;
        }
        self.emit_webhook(
            click.space_id,
            "conversion.created",
            serde_json::json!({
                "click_id": click.click_id, "embed": click.embed_key, "host": click.host,
                "type": c.kind, "value": c.value_cents as f64 / 100.0,
                "transaction_id": c.transaction_id, "source": c.source,
            }),
        )
        .await;
        Ok(true)
    }

    /// A registration made on a session's page reached by a click on that session's embedded
    /// card (its "Register" leads to the page itself, where no organisation can report it):
    /// the registration is the click's conversion (`registration`, value 0, transaction
    /// `registration:<id>`, source `registration`). A visitor's counts once confirmed by the
    /// emailed link (`registration_confirmed`). Nothing for a click of another embed, an
    /// unknown or stale one, or a registration older than the click.
    pub async fn registration_from_click(
        &self,
        session: i64,
        reg: &parvis_store::Registration,
        click_id: &str,
    ) -> Result<()> {
        if !is_click_id(click_id) {
            return Ok(());
        }
        let Some(click) = self.store().click(click_id).await? else {
            return Ok(());
        };
        let now = now_millis();
        if click.embed_key != EmbedTarget::Session(session).key()
            || reg.session_id != session
            || reg.created_at < click.created_at
            || now - click.created_at > CLICK_TTL_DAYS * DAY_MS
        {
            return Ok(());
        }
        match reg.status.as_str() {
            "pending" => {
                self.store()
                    .note_registration_click(reg.id, &click.click_id)
                    .await?
            }
            "confirmed" | "waiting" => self.registration_conversion(&click, reg.id).await?,
            _ => {}
        }
        Ok(())
    }

    /// A visitor confirmed their registration: the click it came through, if any, converts.
    pub(crate) async fn registration_confirmed(
        &self,
        reg: &parvis_store::Registration,
    ) -> Result<()> {
        let Some(id) = self.store().take_registration_click(reg.id).await? else {
            return Ok(());
        };
        match self.store().click(&id).await? {
            Some(click) => self.registration_conversion(&click, reg.id).await,
            None => Ok(()),
        }
    }

    async fn registration_conversion(&self, click: &NewClick, registration: i64) -> Result<()> {
        let c = NewConversion {
            space_id: click.space_id,
            click_id: click.click_id.clone(),
            kind: "registration".into(),
            value_cents: 0,
            transaction_id: format!("registration:{registration}"),
            source: "registration".into(),
            created_at: now_millis(),
        };
        self.count_conversion(click, &c).await?;
        Ok(())
    }

    /// The funnel of a space's embeds per embed and host page, days `from..=to` (days since
    /// the epoch, UTC) — admins only.
    pub async fn embed_funnel(
        &self,
        actor: &Actor,
        space: &Space,
        from_day: i64,
        to_day: i64,
    ) -> Result<Vec<FunnelRow>> {
        actor.require_admin()?;
        Ok(self
            .store()
            .embed_funnel(space.id, from_day, to_day)
            .await?)
    }
}

/// A day (`2026-12-05`) as days since the epoch, or a validation error naming `field`.
pub fn parse_day(field: &str, s: &str) -> Result<i64, ValidationError> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s.trim(), &fmt)
        .map(|d| {
            (d - time::Date::from_calendar_date(1970, time::Month::January, 1).unwrap_or(d))
                .whole_days()
        })
        .map_err(|_| ValidationError::new(field, format!("{s:?} is not a date such as 2026-12-05")))
}

/// Days since the epoch as `2026-12-05`.
pub fn day_string(day: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(day * 86_400)
        .map(|t| t.date().to_string())
        .unwrap_or_default()
}

/// Today, in days since the epoch (UTC).
pub fn today() -> i64 {
    now_millis() / DAY_MS
}

/// The sum of a funnel's rows.
pub fn funnel_totals(rows: &[FunnelRow]) -> FunnelRow {
    rows.iter().fold(
        FunnelRow {
            embed: "*".into(),
            host: "*".into(),
            ..FunnelRow::default()
        },
        |mut t, r| {
            t.impressions += r.impressions;
            t.engagements += r.engagements;
            t.clicks += r.clicks;
            t.conversions += r.conversions;
            t.value_cents += r.value_cents;
            t
        },
    )
}

fn parse_signature(h: &str) -> Option<(i64, Vec<u8>)> {
    let mut t = None;
    let mut v1 = None;
    for part in h.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = hex::decode(v).ok(),
            _ => {}
        }
    }
    Some((t?, v1?))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_pages_drop_queries_and_signatures_verify() {
        assert_eq!(
            host_page(Some("https://blog.example/post?email=a@b.c#x")),
            "https://blog.example/post"
        );
        assert_eq!(host_page(Some("javascript:alert(1)")), "(unknown)");
        assert_eq!(host_page(None), "(unknown)");
        assert_eq!(host_domain("https://blog.example/post"), "blog.example");
        let sig = sign_report("s3cret", 1_700_000_000, b"{\"a\":1}");
        let (t, v1) = parse_signature(&sig).unwrap();
        assert_eq!(t, 1_700_000_000);
        assert!(constant_time_eq(&mac("s3cret", t, b"{\"a\":1}"), &v1));
        assert!(!constant_time_eq(&mac("other", t, b"{\"a\":1}"), &v1));
        assert!(parse_signature("v1=zz").is_none());
        assert!(is_click_id(&new_click_id()));
        assert_eq!(parse_day("from", "2026-12-05").unwrap(), 20_792);
        assert_eq!(day_string(20_792), "2026-12-05");
        assert_eq!(parse_day("from", "5/12/2026").unwrap_err().field, "from");
        assert!(!is_click_id("../../etc"));
    }
}
