//! Charts as PNG, drawn on the server: for API users and scripts that cannot run a browser
//! (the dashboard's own "PNG" buttons draw the same SVG in the reader's browser).
//!
//! The SVG the dashboard shows is rasterised by resvg at twice its size, on white. Its text
//! is set in DejaVu Sans, embedded in the binary (`assets/fonts/`, with its licence), so the
//! image reads the same on a server without any font installed.

use resvg::{tiny_skia, usvg};
use std::sync::{Arc, LazyLock};

const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const FONT_FAMILY: &str = "DejaVu Sans";
/// Pixels per SVG unit: sharp on a high-density screen or in a slide.
const SCALE: f32 = 2.0;
/// Charts are a few hundred units wide; anything far larger is not one of ours.
const MAX_SIDE: u32 = 4_000;

static FONTS: LazyLock<Arc<usvg::fontdb::Database>> = LazyLock::new(|| {
    let mut db = usvg::fontdb::Database::new();
    db.load_font_data(FONT.to_vec());
    db.set_sans_serif_family(FONT_FAMILY);
    Arc::new(db)
});

/// The PNG of `svg`, or why it cannot be drawn.
pub(crate) fn png(svg: &str) -> Result<Vec<u8>, String> {
    let options = usvg::Options {
        font_family: FONT_FAMILY.to_string(),
        fontdb: FONTS.clone(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| e.to_string())?;
    let size = tree.size().to_int_size();
    let (w, h) = (
        (size.width() as f32 * SCALE).ceil() as u32,
        (size.height() as f32 * SCALE).ceil() as u32,
    );
    if w > MAX_SIDE || h > MAX_SIDE {
        return Err(format!("a {w}×{h} image is too large"));
    }
    let mut pixmap = tiny_skia::Pixmap::new(w, h).ok_or("an empty image")?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(SCALE, SCALE),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|e| e.to_string())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Width, height and the share of pixels that are not white, from the PNG itself.
    fn look(png: &[u8]) -> (u32, u32, f64) {
        let pixmap = tiny_skia::Pixmap::decode_png(png).unwrap();
        let inked = pixmap
            .pixels()
            .iter()
            .filter(|p| p.red() < 200 || p.green() < 200 || p.blue() < 200)
            .count();
        (
            pixmap.width(),
            pixmap.height(),
            inked as f64 / pixmap.pixels().len() as f64,
        )
    }

    #[test]
    fn a_chart_is_drawn_at_twice_its_size_with_its_text() {
        let bars = r##"<svg xmlns="http://www.w3.org/2000/svg" width="300" height="100" viewBox="0 0 300 100"><rect x="10" y="10" width="100" height="30" fill="#3b6fd1"/></svg>"##;
        let png_bars = png(bars).unwrap();
        assert_eq!(&png_bars[..8], b"\x89PNG\r\n\x1a\n");
        let (w, h, ink) = look(&png_bars);
        assert_eq!((w, h), (600, 200));
        // The bar covers 100×30 of 300×100 units: a tenth of the image.
        assert!((ink - 0.1).abs() < 0.01, "{ink}");
        // Text is drawn with the embedded font (without one it would draw nothing).
        let with_text = bars.replace(
            "</svg>",
            r##"<text x="150" y="80" font-size="16" fill="#1d2330">Ambassadeurs : 12 (+3)</text></svg>"##,
        );
        let (_, _, more_ink) = look(&png(&with_text).unwrap());
        assert!(more_ink > ink + 0.01, "{more_ink} vs {ink}");
    }

    #[test]
    fn what_is_not_a_chart_is_refused_not_drawn() {
        assert!(png("not svg").is_err());
        assert!(
            png(r#"<svg xmlns="http://www.w3.org/2000/svg" width="90000" height="90000"/>"#)
                .is_err()
        );
    }
}
