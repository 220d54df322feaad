//! Counting and attribution over HTTP: the frame's beacon (`/embed/e`), the call to action's
//! redirect (`/r/{click_id}`), conversion reports (`POST /api/v1/conversions`, signed) and
//! the conversion pixel (`/embed/c.gif`, for sites that cannot call a server).

use crate::AppState;
use crate::error::ApiError;
use axum::Extension;
use axum::Json;
use axum::body::Body;
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use parvis_services::ServiceError;
use parvis_services::embeds::track::{ConversionRefused, ConversionReport, Viewer};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use utoipa::ToSchema;

/// Who is asking, for counting: address (through trusted proxies), user agent, DNT/GPC.
pub(crate) fn viewer(st: &AppState, peer: Option<SocketAddr>, headers: &HeaderMap) -> Viewer {
    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("");
    Viewer {
        ip: peer
            .map(|p| {
                st.config
                    .trusted_proxies
                    .client(p.ip(), headers)
                    .to_string()
            })
            .unwrap_or_default(),
        user_agent: h("user-agent").chars().take(300).collect(),
        do_not_track: h("dnt") == "1" || h("sec-gpc") == "1",
    }
}

#[derive(Deserialize)]
pub(crate) struct BeaconQuery {
    k: Option<String>,
    e: Option<String>,
    h: Option<String>,
}

/// `POST /embed/e?k=thread/1&e=view&h=<host page>`: the frame's beacon. Always 204: a beacon
/// has no one to tell, and a failure here must never show on the host page.
pub(crate) async fn beacon(
    State(st): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Query(q): Query<BeaconQuery>,
) -> StatusCode {
    let v = viewer(&st, peer.map(|c| c.0.0), &headers);
    if let (Some(k), Some(e)) = (q.k.as_deref(), q.e.as_deref())
        && let Err(err) = st
            .services
            .record_embed_event(k, q.h.as_deref(), e, &v)
            .await
    {
        tracing::warn!(error = %err, "embed event not recorded");
    }
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
pub(crate) struct ClickQuery {
    k: Option<String>,
    h: Option<String>,
}

/// `/r/{click_id}?k=<embed>&h=<host page>`: record the click, then go to the call to
/// action's URL with `parvis_click` appended.
pub(crate) async fn click(
    State(st): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Path(click_id): Path<String>,
    Query(q): Query<ClickQuery>,
) -> Response {
    let v = viewer(&st, peer.map(|c| c.0.0), &headers);
    let key = q.k.unwrap_or_default();
    match st
        .services
        .follow_click(&click_id, &key, q.h.as_deref(), &v)
        .await
    {
        Ok(to) => {
            let mut res = Redirect::to(&to).into_response();
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => {
            tracing::info!(error = %e, "call-to-action link refused");
            let status = match e {
                ServiceError::NotFound(_) | ServiceError::Validation(_) => StatusCode::NOT_FOUND,
                _ => StatusCode::SERVICE_UNAVAILABLE,
            };
            (
                status,
                "This link is not valid. / Ce lien n'est pas valide.",
            )
                .into_response()
        }
    }
}

/// A conversion was counted.
#[derive(Serialize, ToSchema)]
pub(crate) struct Counted {
    /// Always true (a refusal is a problem).
    counted: bool,
}

fn refused(why: ConversionRefused) -> ApiError {
    use ConversionRefused as R;
    let (status, code, title) = match why {
        R::UnknownClick => (StatusCode::NOT_FOUND, "unknown_click", "Unknown click"),
        R::ExpiredClick => (StatusCode::GONE, "expired_click", "Expired click"),
        R::MissingSignature => (
            StatusCode::UNAUTHORIZED,
            "missing_signature",
            "Signature missing",
        ),
        R::BadSignature => (StatusCode::UNAUTHORIZED, "bad_signature", "Bad signature"),
        R::StaleSignature => (
            StatusCode::UNAUTHORIZED,
            "stale_signature",
            "Stale signature",
        ),
        R::Duplicate => (
            StatusCode::CONFLICT,
            "duplicate_transaction",
            "Already counted",
        ),
    };
    let field = match why {
        R::UnknownClick | R::ExpiredClick => Some("click_id"),
        R::Duplicate => Some("transaction_id"),
        _ => None,
    };
    let e = ApiError::new(status, code, title, why.to_string());
    match field {
        Some(f) => e.with_field(f),
        None => e,
    }
}

/// Report a conversion (server to server)
///
/// Sign the exact body with the space's embed secret (admin → space → Embeds):
/// `X-Parvis-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
/// A transaction id counts once: sending the same report again answers 409 and changes
/// nothing.
#[utoipa::path(post, path = "/conversions", tag = "embeds", request_body = ConversionReport,
    params(("X-Parvis-Signature" = String, Header, description = "t=<unix seconds>,v1=<hex HMAC-SHA256 of \"t.body\">")),
    responses((status = 201, description = "counted", body = Counted),
        (status = 401, description = "signature missing, wrong or older than 5 minutes"),
        (status = 404, description = "unknown click id"),
        (status = 409, description = "this transaction id was already counted"),
        (status = 410, description = "the click is older than 30 days")))]
pub(crate) async fn report_conversion(
    State(st): State<AppState>,
    req: Request,
) -> Result<(StatusCode, Json<Counted>), ApiError> {
    let headers = req.headers().clone();
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| {
            c.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/json")
        });
    if !is_json {
        return Err(crate::extract::unsupported_media_type("application/json"));
    }
    let body = axum::body::to_bytes(req.into_body(), 64 * 1024)
        .await
        .map_err(|_| crate::extract::payload_too_large())?;
    let de = &mut serde_json::Deserializer::from_slice(&body);
    let report: ConversionReport = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let mut err = ApiError::bad_request(format!("body: {}", e.into_inner()));
        if path != "." && !path.is_empty() {
            err.field = Some(path);
        }
        err
    })?;
    let sig = headers
        .get("x-parvis-signature")
        .and_then(|v| v.to_str().ok());
    match st
        .services
        .report_conversion(&body, &report, sig, "server")
        .await?
    {
        Ok(()) => Ok((StatusCode::CREATED, Json(Counted { counted: true }))),
        Err(why) => Err(refused(why)),
    }
}

#[derive(Deserialize)]
pub(crate) struct PixelQuery {
    click_id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    transaction_id: Option<String>,
    value: Option<String>,
}

/// The smallest transparent GIF.
const GIF: &[u8] = &[
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x21,
    0xf9, 4, 1, 0, 0, 0, 0, 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3b,
];

/// `/embed/c.gif?click_id=&type=&transaction_id=&value=`: the conversion pixel. Unsigned, so
/// it only counts a known click of the last 30 days, once per transaction; always answers
/// the image (a refusal is logged, never shown on the organisation's page).
pub(crate) async fn pixel(State(st): State<AppState>, Query(q): Query<PixelQuery>) -> Response {
    let report = ConversionReport {
        click_id: q.click_id.unwrap_or_default(),
        kind: q.kind.unwrap_or_else(|| "conversion".into()),
        value: q.value.and_then(|v| v.parse::<f64>().ok()),
        transaction_id: q.transaction_id.unwrap_or_default(),
    };
    match st
        .services
        .report_conversion(&[], &report, None, "pixel")
        .await
    {
        Ok(Ok(())) | Ok(Err(_)) => {}
        Err(e) => tracing::info!(error = %e, "conversion pixel refused"),
    }
    let mut res = (StatusCode::OK, Body::from(GIF)).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/gif"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}
