//! Charts drawn as SVG on the server: no JavaScript, no external renderer, readable in any
//! browser and in print. Pure functions from numbers to markup, tested without a server.

use std::fmt::Write;

/// One series of a stacked bar chart (e.g. a channel) with a value per bucket.
pub struct Series<'a> {
    pub label: &'a str,
    pub values: Vec<i64>,
}

/// Colours for series, chosen to stay distinguishable (and readable in grey).
const PALETTE: [&str; 8] = [
    "#2f5bea", "#0e9384", "#c4320a", "#7a5af8", "#dd2590", "#b54708", "#475467", "#3e7c17",
];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A stacked bar chart: one bar per bucket (`labels`), one colour per series, a legend and a
/// `<title>` on every bar segment so that hovering tells the number.
pub fn stacked_bars(title: &str, labels: &[String], series: &[Series<'_>]) -> String {
    let (w, h, left, bottom, top) = (640.0_f64, 220.0_f64, 36.0_f64, 28.0_f64, 10.0_f64);
    let n = labels.len().max(1) as f64;
    let totals: Vec<i64> = (0..labels.len())
        .map(|i| {
            series
                .iter()
                .map(|s| s.values.get(i).copied().unwrap_or(0))
                .sum()
        })
        .collect();
    let max = totals.iter().copied().max().unwrap_or(0).max(1) as f64;
    let plot_h = h - bottom - top;
    let slot = (w - left) / n;
    let bar = (slot * 0.7).max(2.0);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {w} {}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        h + 22.0 * ((series.len() as f64) / 4.0).ceil(),
        esc(title)
    );
    let _ = write!(svg, "<title>{}</title>", esc(title));
    for frac in [0.0, 0.5, 1.0] {
        let y = top + plot_h * (1.0 - frac);
        let _ = write!(
            svg,
            r##"<line x1="{left}" x2="{w}" y1="{y:.1}" y2="{y:.1}" stroke="#e4e2dc"/><text x="{}" y="{:.1}" font-size="10" text-anchor="end" fill="#646b7a">{}</text>"##,
            left - 4.0,
            y + 3.0,
            (max * frac).round() as i64
        );
    }
    for (i, label) in labels.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let mut y = top + plot_h;
        for (si, s) in series.iter().enumerate() {
            let v = s.values.get(i).copied().unwrap_or(0);
            if v == 0 {
                continue;
            }
            let bh = plot_h * v as f64 / max;
            y -= bh;
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{bh:.1}" fill="{}"><title>{} · {}: {v}</title></rect>"#,
                PALETTE[si % PALETTE.len()],
                esc(label),
                esc(s.label)
            );
        }
        let every = (labels.len() / 12).max(1);
        if i % every == 0 {
            let _ = write!(
                svg,
                r##"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="middle" fill="#646b7a">{}</text>"##,
                x + bar / 2.0,
                h - bottom + 14.0,
                esc(label)
            );
        }
    }
    for (si, s) in series.iter().enumerate() {
        let (col, row) = (si % 4, si / 4);
        let x = left + col as f64 * 150.0;
        let y = h + 8.0 + row as f64 * 20.0;
        let _ = write!(
            svg,
            r##"<rect x="{x}" y="{}" width="10" height="10" fill="{}"/><text x="{}" y="{}" font-size="11" fill="#1d2330">{}</text>"##,
            y - 9.0,
            PALETTE[si % PALETTE.len()],
            x + 14.0,
            y,
            esc(s.label)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_proportional_and_labels_escaped() {
        let labels = vec!["2026-01".to_string(), "2026-02".to_string()];
        let svg = stacked_bars(
            "a<b",
            &labels,
            &[
                Series {
                    label: "email",
                    values: vec![1, 4],
                },
                Series {
                    label: "<rss>",
                    values: vec![1, 0],
                },
            ],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("a&lt;b") && svg.contains("&lt;rss&gt;") && !svg.contains("<rss>"));
        assert!(svg.contains("2026-02 · email: 4"));
        // The tallest bar (4 of max 4) spans the whole plot height (182).
        assert!(svg.contains(r#"height="182.0""#), "{svg}");
        assert!(!svg.contains("NaN"));
        assert!(stacked_bars("empty", &[], &[]).contains("</svg>"));
    }
}
