//! Static assets compiled into the binary and served with long cache lifetimes.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

pub(crate) const ASSETS: &[(&str, &str, &[u8])] = &[
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
        "embed.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/embed.js"),
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
        "embed-post.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/embed-post.js"),
    ),
    (
        "live.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/live.js"),
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

#[cfg(test)]
mod tests {
    use super::ASSETS;
    use std::io::Write;

    fn gzipped(names: &[&str]) -> usize {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        for name in names {
            let (_, _, bytes) = ASSETS
                .iter()
                .find(|(n, _, _)| n == name)
                .unwrap_or_else(|| panic!("no asset {name}"));
            gz.write_all(bytes).unwrap();
        }
        gz.finish().unwrap().len()
    }

    /// The snippet's loader stays within Remark42's budget (2.5 KB gzipped) and the whole
    /// widget — loader, frame scripts (reading and taking part) and stylesheet — within 25 KB gzipped (Isso ships about
    /// 20 KB). The frame's HTML is the conversation itself and is not counted.
    #[test]
    fn the_embed_stays_within_its_size_budget() {
        let loader = gzipped(&["embed.js"]);
        assert!(
            loader <= 2560,
            "embed.js is {loader} bytes gzipped, over 2.5 KB"
        );
        let widget = gzipped(&["embed.js", "embed-frame.js", "embed-post.js", "embed.css"]);
        assert!(
            widget <= 25 * 1024,
            "the widget is {widget} bytes gzipped, over 25 KB"
        );
        eprintln!("embed sizes gzipped: loader {loader} B, widget {widget} B");
    }
}
