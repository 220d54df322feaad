//! Errors as HTTP answers: `application/problem+json` for the API (RFC 9457), an HTML page
//! for the UI. The `code` of a problem is stable: integrators may match on it.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use parvis_services::ServiceError;
use serde::Serialize;

/// RFC 9457 problem details, the body of every API error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// `/api/problems/<code>`.
    #[serde(rename = "type")]
    pub type_: String,
    /// A short summary of the kind of problem.
    pub title: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong, for a person.
    pub detail: String,
    /// Stable: integrators may match on it (`bad_request`, `not_found`, `invalid_field`,
    /// `unauthenticated`, `forbidden`, `rate_limited`…).
    pub code: &'static str,
    /// The parameter or body field at fault, for bad input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// An API error: becomes a problem+json response.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub title: &'static str,
    pub detail: String,
    pub field: Option<String>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// A new error.
    pub fn new(
        status: StatusCode,
        code: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code,
            title,
            detail: detail.into(),
            field: None,
            retry_after: None,
        }
    }

    /// Name the field at fault.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// 400 for a request body that does not parse.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "Malformed request",
            detail,
        )
    }

    /// 404 for something that does not exist.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "Not found", detail)
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        use ServiceError as E;
        match e {
            E::Validation(v) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                "Invalid field",
                v.to_string(),
            )
            .with_field(v.field),
            E::NotFound(what) => ApiError::not_found(format!("{what} not found")),
            E::Unauthenticated => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Authentication required",
                "sign in, or send an API token as `Authorization: Bearer pvs_…`",
            ),
            E::BadCredentials => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "bad_credentials",
                "Sign-in failed",
                e.to_string(),
            ),
            E::BadLink => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "bad_link",
                "Sign-in failed",
                e.to_string(),
            ),
            E::Sso(r) => ApiError::new(
                StatusCode::UNAUTHORIZED,
                r.code(),
                "Single sign-on refused",
                r.to_string(),
            ),
            E::Forbidden(why) => {
                ApiError::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", why)
            }
            E::Conflict(what) => ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                "Conflict",
                format!("{what} already exists"),
            ),
            E::RateLimited { retry_after_secs } => {
                let mut a = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    "Too many attempts",
                    e.to_string(),
                );
                a.retry_after = Some(retry_after_secs);
                a
            }
            E::Mail(m) => {
                tracing::error!(error = %m, "mail failed");
                ApiError::new(
                    StatusCode::BAD_GATEWAY,
                    "mail_failed",
                    "Mail could not be sent",
                    "the mail server refused the message; try again later",
                )
            }
            E::Store(s) => {
                tracing::error!(error = %s, "store error");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "store_unavailable",
                    "Store unavailable",
                    "the store did not answer; try again",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Problem {
            type_: format!("/api/problems/{}", self.code),
            title: self.title,
            status: self.status.as_u16(),
            detail: self.detail,
            code: self.code,
            field: self.field,
        };
        let json = serde_json::to_vec(&body).unwrap_or_default();
        let mut res = (self.status, json).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }
}

/// A UI error: rendered as a page in the visitor's language by `pages::error_page`. The
/// error is boxed: every page handler returns this, and most of them succeed.
#[derive(Debug)]
pub struct PageError {
    pub api: Box<ApiError>,
    pub lang: parvis_domain::Lang,
    pub html: Option<String>,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let mut res = match self.html {
            Some(html) => (self.api.status, axum::response::Html(html)).into_response(),
            None => (self.api.status, self.api.detail).into_response(),
        };
        if let Some(secs) = self.api.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }
}
