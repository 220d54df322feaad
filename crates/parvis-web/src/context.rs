//! The request context: who is asking (session cookie or API token), in which language,
//! and the CSRF token their forms must carry.
//!
//! CSRF: every visitor gets a random `parvis_csrf` cookie (HttpOnly, SameSite=Lax); pages
//! put the same value in a hidden field of each form, and a write is accepted only when the
//! two match (double submit) and the `Origin` header, when present, is this site. An API call
//! authenticated by the session cookie must send the token in `X-CSRF-Token`; an API call
//! with a bearer token needs none (a browser never adds it on its own).

use crate::AppState;
use crate::error::ApiError;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use parvis_domain::Lang;
use parvis_services::{Actor, ServiceError};
use std::net::SocketAddr;

pub(crate) const SESSION_COOKIE: &str = "parvis_session";
pub(crate) const CSRF_COOKIE: &str = "parvis_csrf";
pub(crate) const LANG_COOKIE: &str = "parvis_lang";

/// Everything a handler needs to know about the caller.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub lang: Lang,
    pub actor: Option<Actor>,
    pub session_token: Option<String>,
    /// The CSRF token forms must echo.
    pub csrf: String,
    /// True when `csrf` was just generated and must be set as a cookie on the response.
    pub csrf_is_new: bool,
    /// The caller's address (for rate limits).
    pub client: String,
    /// Whether the actor came from a bearer token rather than a cookie.
    pub via_token: bool,
    /// The path and query of the request (for the language switch to come back to).
    pub path: String,
    /// Whether cookies must carry `Secure`.
    pub secure_cookies: bool,
}

impl Ctx {
    /// The signed-in actor, or `Unauthenticated`.
    pub fn actor(&self) -> Result<&Actor, ServiceError> {
        self.actor.as_ref().ok_or(ServiceError::Unauthenticated)
    }

    /// Check a form's CSRF field.
    pub fn check_form_csrf(&self, submitted: &str) -> Result<(), ApiError> {
        if self.csrf_is_new
            || submitted.is_empty()
            || !constant_time_eq(submitted.as_bytes(), self.csrf.as_bytes())
        {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "csrf",
                "Form expired",
                "the form's security token did not match; reload the page and submit again",
            ));
        }
        Ok(())
    }

    /// The `Set-Cookie` for a new CSRF token, if one was minted for this request.
    pub fn csrf_cookie(&self) -> Option<HeaderValue> {
        self.csrf_is_new.then(|| {
            cookie(
                CSRF_COOKIE,
                &self.csrf,
                Some(60 * 60 * 24 * 365),
                self.secure_cookies,
            )
        })
    }
}

/// Compare secrets without leaking where they differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Build a `Set-Cookie` value: HttpOnly and SameSite=Lax always, Secure on https.
pub(crate) fn cookie(
    name: &str,
    value: &str,
    max_age_secs: Option<i64>,
    secure: bool,
) -> HeaderValue {
    let mut s = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age_secs {
        s.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        s.push_str("; Secure");
    }
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

/// Read one cookie from the request headers.
pub(crate) fn read_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name && !v.is_empty()).then(|| v.to_string())
        })
}

pub(crate) fn origin_matches_host(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    if origin == "null" {
        return false;
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    origin
        .split_once("://")
        .map(|(_, h)| h.trim_end_matches('/'))
        == Some(host)
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let headers = &parts.headers;
        let lang = read_cookie(headers, LANG_COOKIE)
            .and_then(|c| Lang::from_code(&c))
            .or_else(|| {
                headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .map(Lang::negotiate)
            })
            .unwrap_or_default();
        let client = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| {
                state
                    .config
                    .trusted_proxies
                    .client(c.0.ip(), headers)
                    .to_string()
            })
            .unwrap_or_else(|| "unknown".into());
        let (csrf, csrf_is_new) = match read_cookie(headers, CSRF_COOKIE).filter(|c| c.len() == 64)
        {
            Some(c) => (c, false),
            None => (parvis_services::random_token(), true),
        };
        let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if unsafe_method && !origin_matches_host(headers) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "csrf",
                "Cross-site request refused",
                "the request came from another site",
            ));
        }
        let services = &state.services;
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let mut ctx = Ctx {
            lang,
            actor: None,
            session_token: None,
            csrf,
            csrf_is_new,
            client,
            via_token: false,
            path: parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".into()),
            secure_cookies: state.config.secure_cookies,
        };
        if let Some(token) = bearer {
            match services.token_actor(token).await.map_err(ApiError::from)? {
                Some(actor) => {
                    ctx.actor = Some(actor);
                    ctx.via_token = true;
                    return Ok(ctx);
                }
                None => {
                    return Err(ApiError::new(
                        StatusCode::UNAUTHORIZED,
                        "bad_token",
                        "Invalid API token",
                        "the bearer token is unknown or was revoked",
                    ));
                }
            }
        }
        if let Some(token) = read_cookie(headers, SESSION_COOKIE)
            && let Some((actor, _)) = services
                .session_actor(&token)
                .await
                .map_err(ApiError::from)?
        {
            // Nested routers strip their prefix from `uri`; the original one still has it.
            let path = parts
                .extensions
                .get::<axum::extract::OriginalUri>()
                .map(|u| u.0.path().to_string());
            let is_api = path
                .as_deref()
                .unwrap_or(parts.uri.path())
                .starts_with("/api/");
            if is_api && unsafe_method {
                let sent = headers
                    .get("x-csrf-token")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                if csrf_is_new || !constant_time_eq(sent.as_bytes(), ctx.csrf.as_bytes()) {
                    return Err(ApiError::new(
                        StatusCode::FORBIDDEN,
                        "csrf",
                        "CSRF token missing",
                        "API writes authenticated by the session cookie need the X-CSRF-Token header (or use an API token)",
                    ));
                }
            }
            ctx.actor = Some(actor);
            ctx.session_token = Some(token);
        }
        Ok(ctx)
    }
}
