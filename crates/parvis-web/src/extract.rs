//! The API's extractors: axum's `Json`, `Query` and `Path`, but every rejection becomes an
//! `application/problem+json` answer that names the parameter or field at fault (axum's own
//! rejections are `text/plain` and would break the API's contract).

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::de::DeserializeOwned;

/// A JSON body whose errors name the field at fault (`title: invalid type: integer…`).
/// Wrong content type: 415; over the body limit: 413; anything unreadable: 400.
pub(crate) struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                let ct = ct.trim_start().to_ascii_lowercase();
                ct.starts_with("application/json")
                    || ct.split(';').next().is_some_and(|m| m.ends_with("+json"))
            });
        if !is_json {
            return Err(unsupported_media_type("application/json"));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| body_rejection(e.status(), &e.body_text()))?;
        // Every body of this API is a JSON object, as the contract says. serde's derived
        // structs also accept an array of their fields in order, so `[]` would otherwise
        // pass as "every field left at its default" on routes whose fields are optional.
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if first.is_some_and(|b| *b != b'{') {
            return Err(ApiError::bad_request(
                "the body must be a JSON object ({…}) with the fields this route documents",
            ));
        }
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(de)
            .map(ApiJson)
            .map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner();
                let field = if path == "." || path.is_empty() {
                    missing_field(&inner.to_string())
                } else {
                    Some(path)
                };
                let detail = match &field {
                    Some(f) => format!("field `{f}`: {inner}"),
                    None => format!("the body is not valid JSON: {inner}"),
                };
                let mut err = ApiError::bad_request(detail);
                err.field = field;
                err
            })
    }
}

/// 415 naming the content type expected.
pub(crate) fn unsupported_media_type(expected: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "Unsupported media type",
        format!("send the body as Content-Type: {expected}"),
    )
}

/// A body that could not be read: 413 when it is over the limit, 400 otherwise.
pub(crate) fn body_rejection(status: StatusCode, text: &str) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        payload_too_large()
    } else {
        ApiError::bad_request(format!("could not read the body: {text}"))
    }
}

/// 413: the body is over the route's limit.
pub(crate) fn payload_too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "Body too large",
        "the request body is over this route's size limit",
    )
}

fn missing_field(msg: &str) -> Option<String> {
    let rest = msg.strip_prefix("missing field `")?;
    Some(rest.split('`').next()?.to_string())
}

/// A query string whose errors name the parameter at fault (`?page=abc` → 400, field `page`).
pub(crate) struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner().to_string();
                let field = if path == "." || path.is_empty() {
                    missing_field(&inner)
                } else {
                    Some(path)
                };
                let detail = match &field {
                    Some(f) => format!("query parameter `{f}`: {inner}"),
                    None => format!("the query string is malformed: {inner}"),
                };
                let mut err = ApiError::bad_request(detail);
                err.field = field;
                err
            })
    }
}

/// Path parameters, typed (ids are integers): a value that does not parse is a 400 that names
/// the parameter, not axum's plain-text answer.
pub(crate) struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::path::ErrorKind;
        use axum::extract::rejection::PathRejection;
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(ApiPath(v)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                // Name the parameter even when axum only knows its position.
                let names: Vec<String> = RawPathParams::from_request_parts(parts, state)
                    .await
                    .map(|raw| raw.iter().map(|(k, _)| k.to_string()).collect())
                    .unwrap_or_default();
                let field = match e.kind() {
                    ErrorKind::ParseErrorAtKey { key, .. }
                    | ErrorKind::InvalidUtf8InPathParam { key } => Some(key.clone()),
                    ErrorKind::ParseErrorAtIndex { index, .. } => names.get(*index).cloned(),
                    ErrorKind::ParseError { .. } if names.len() == 1 => names.first().cloned(),
                    _ => None,
                };
                let detail = match &field {
                    Some(f) => format!("path parameter `{f}`: {}", e.body_text()),
                    None => e.body_text(),
                };
                let mut err = ApiError::bad_request(detail);
                err.field = field;
                Err(err)
            }
            Err(other) => Err(ApiError::bad_request(other.body_text())),
        }
    }
}

/// The safety net under every API route: an error answer that is not already a problem
/// (axum's 404/405 fallbacks, a rejection from a layer) becomes one, with a code that
/// follows its status. Success answers pass untouched.
pub(crate) async fn problems_only(res: axum::response::Response) -> axum::response::Response {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if is_problem {
        return res;
    }
    let allow = res.headers().get(header::ALLOW).cloned();
    let err = match status {
        StatusCode::NOT_FOUND => {
            ApiError::not_found("no such API route; see /api/openapi.json for the routes")
        }
        StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
            status,
            "method_not_allowed",
            "Method not allowed",
            match &allow {
                Some(a) => format!(
                    "this route answers {}; see /api/openapi.json",
                    a.to_str().unwrap_or("")
                ),
                None => "this route does not answer this method; see /api/openapi.json".into(),
            },
        ),
        StatusCode::PAYLOAD_TOO_LARGE => payload_too_large(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => unsupported_media_type("application/json"),
        s if s.is_server_error() => ApiError::new(
            s,
            "server_error",
            "Server error",
            "the server could not answer; try again",
        ),
        s => ApiError::new(
            s,
            "bad_request",
            "Malformed request",
            s.canonical_reason().unwrap_or("the request was refused"),
        ),
    };
    let mut out = err.into_response();
    if let Some(a) = allow {
        out.headers_mut().insert(header::ALLOW, a);
    }
    out
}
