//! Static assets compiled into the binary and served with long cache lifetimes.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "parvis.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/parvis.css"),
    ),
    (
        "parvis.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/parvis.js"),
    ),
    (
        "embed.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/embed.css"),
    ),
    (
        "embed-frame.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/embed-frame.js"),
    ),
    (
        "logo.svg",
        "image/svg+xml",
        include_bytes!("../assets/logo.svg"),
    ),
];

pub(crate) async fn serve(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, mime, bytes)) => (
            [
                (header::CONTENT_TYPE, *mime),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            *bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}
