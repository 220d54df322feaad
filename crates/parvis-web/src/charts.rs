//! Charts drawn as SVG on the server: no JavaScript, no external renderer, readable in any
//! browser and in print. Pure functions from numbers to markup, tested without a server.

use std::fmt::Write;

/// One series of a stacked bar chart (e.g. a channel) with a value per bucket.
pub struct Series<'a> {
    pub label: &'a str,
    pub values: Vec<i64>,
}

/// Colours for series, chosen to stay distinguishable (and readable in grey).
pub(crate) const PALETTE: [&str; 8] = [
    "#2f5bea", "#0e9384", "#c4320a", "#7a5af8", "#dd2590", "#b54708", "#475467", "#3e7c17",
];

pub(crate) fn esc(s: &str) -> String {
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
    // A few bars stay bars, not blocks: at most 48 units wide, centred in their slot.
    let bar = (slot * 0.7).clamp(2.0, 48.0);
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
    // Label a bar only every so often, so that labels never overlap: a 10-unit sans-serif
    // glyph is about 6.2 units wide (DejaVu Sans, the widest of the usual fonts, which the
    // server's PNG uses), plus a gap.
    let widest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
    let every = ((widest * 6.2 + 8.0) / slot).ceil().max(1.0) as usize;
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

/// Speaking time as horizontal bars, one per speaker (seconds), with the fair share drawn as
/// a dashed line and the budget (fair share × factor) as a dotted one: who spoke beyond it
/// shows at a glance. `fair_label` and `budget_label` name the two lines in the legend.
pub fn fairness_bars(
    title: &str,
    speakers: &[(String, i64, bool)],
    fair_s: i64,
    budget_s: i64,
    fair_label: &str,
    budget_label: &str,
) -> String {
    let (w, left, row, top) = (640.0_f64, 170.0_f64, 24.0_f64, 8.0_f64);
    let h = top + row * speakers.len().max(1) as f64 + 40.0;
    let max = speakers
        .iter()
        .map(|s| s.1)
        .chain([fair_s, budget_s])
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let plot = w - left - 60.0;
    let x_of = |v: i64| left + plot * v as f64 / max;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        esc(title),
        esc(title)
    );
    for (i, (name, secs, over)) in speakers.iter().enumerate() {
        let y = top + row * i as f64;
        let bw = (x_of(*secs) - left).max(0.0);
        let label: String = name.chars().take(26).collect();
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end" fill="#1d2330">{}</text><rect x="{left}" y="{:.1}" width="{bw:.1}" height="{:.1}" fill="{}"><title>{}: {}:{:02}</title></rect><text x="{:.1}" y="{:.1}" font-size="10" fill="#646b7a">{}:{:02}</text>"##,
            left - 6.0,
            y + row * 0.62,
            esc(&label),
            y + 3.0,
            row - 6.0,
            if *over { PALETTE[2] } else { PALETTE[0] },
            esc(name),
            secs / 60,
            secs % 60,
            left + bw + 4.0,
            y + row * 0.62,
            secs / 60,
            secs % 60
        );
    }
    let bottom = top + row * speakers.len().max(1) as f64;
    for (v, dash, label, k) in [
        (fair_s, "6 3", fair_label, 0.0),
        (budget_s, "2 3", budget_label, 1.0),
    ] {
        if v <= 0 {
            continue;
        }
        let x = x_of(v);
        let _ = write!(
            svg,
            r##"<line x1="{x:.1}" x2="{x:.1}" y1="{top}" y2="{bottom:.1}" stroke="#1d2330" stroke-dasharray="{dash}"/><line x1="{:.1}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="#1d2330" stroke-dasharray="{dash}"/><text x="{:.1}" y="{:.1}" font-size="11" fill="#1d2330">{}</text>"##,
            left + k * 220.0,
            left + k * 220.0 + 24.0,
            bottom + 18.0,
            bottom + 18.0,
            left + k * 220.0 + 30.0,
            bottom + 22.0,
            esc(label)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fairness_bars_mark_who_spoke_beyond_the_budget() {
        let svg = fairness_bars(
            "Temps de parole",
            &[("Ana <b>".into(), 600, true), ("Bo".into(), 120, false)],
            360,
            540,
            "part équitable",
            "budget",
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Ana &lt;b&gt;: 10:00") && !svg.contains("<b>"));
        // Over budget in the warning colour, the other in the usual one.
        assert!(svg.contains(PALETTE[2]) && svg.contains(PALETTE[0]));
        assert!(svg.contains("stroke-dasharray=\"6 3\"") && svg.contains("part équitable"));
        assert!(!svg.contains("NaN"));
        assert!(fairness_bars("vide", &[], 0, 0, "a", "b").contains("</svg>"));
    }

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

    #[test]
    fn week_labels_never_overlap() {
        // Two years of weeks: 104 bars of about 5.8 units, dates of 10 characters.
        let labels: Vec<String> = (0..104)
            .map(|i| format!("2025-{:02}-{:02}", i / 9 + 1, i % 28 + 1))
            .collect();
        let svg = stacked_bars(
            "s",
            &labels,
            &[Series {
                label: "x",
                values: vec![1; 104],
            }],
        );
        // The x of every bar label (the only centred text of this chart).
        let xs: Vec<f64> = svg
            .split("<text x=\"")
            .skip(1)
            .filter(|t| t.contains("text-anchor=\"middle\""))
            .filter_map(|t| t.split_once('"')?.0.parse().ok())
            .collect();
        assert!(xs.len() >= 6, "some dates are labelled: {xs:?}");
        // Each label is about 62 units wide at this size: centres at least that far apart.
        for pair in xs.windows(2) {
            assert!(pair[1] - pair[0] >= 62.0, "{xs:?}");
        }
    }
}

/// A point of a scatter plot: position and group (None: not clustered).
pub struct Point {
    pub x: f64,
    pub y: f64,
    pub group: Option<usize>,
}

/// Participants on the opinion map: one dot each, coloured by group, group letters at the
/// group centres, and "you" ringed. Coordinates are scaled to fit whatever their range.
pub fn opinion_scatter(
    title: &str,
    points: &[Point],
    centres: &[(usize, f64, f64)],
    me: Option<(f64, f64)>,
) -> String {
    let (w, h, pad) = (480.0_f64, 360.0_f64, 24.0_f64);
    let xs = points
        .iter()
        .map(|p| p.x)
        .chain(centres.iter().map(|c| c.1))
        .chain(me.map(|m| m.0));
    let ys = points
        .iter()
        .map(|p| p.y)
        .chain(centres.iter().map(|c| c.2))
        .chain(me.map(|m| m.1));
    let finite = |v: f64| if v.is_finite() { v } else { 0.0 };
    let (mut x0, mut x1) = xs.fold((f64::MAX, f64::MIN), |(a, b), v| {
        (a.min(finite(v)), b.max(finite(v)))
    });
    let (mut y0, mut y1) = ys.fold((f64::MAX, f64::MIN), |(a, b), v| {
        (a.min(finite(v)), b.max(finite(v)))
    });
    if x0 > x1 {
        (x0, x1, y0, y1) = (-1.0, 1.0, -1.0, 1.0);
    }
    if (x1 - x0).abs() < 1e-9 {
        x0 -= 1.0;
        x1 += 1.0;
    }
    if (y1 - y0).abs() < 1e-9 {
        y0 -= 1.0;
        y1 += 1.0;
    }
    let sx = |x: f64| pad + (finite(x) - x0) / (x1 - x0) * (w - 2.0 * pad);
    let sy = |y: f64| h - pad - (finite(y) - y0) / (y1 - y0) * (h - 2.0 * pad);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg class="chart opinion-map" viewBox="0 0 {w} {h}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg"><title>{}</title><rect width="{w}" height="{h}" rx="10" fill="#fbfaf8" stroke="#e4e2dc"/>"##,
        esc(title),
        esc(title)
    );
    for p in points {
        let fill = p
            .group
            .map(|g| PALETTE[g % PALETTE.len()])
            .unwrap_or("#b8bcc6");
        let _ = write!(
            svg,
            r#"<circle cx="{:.1}" cy="{:.1}" r="3.2" fill="{fill}" fill-opacity="0.75"/>"#,
            sx(p.x),
            sy(p.y)
        );
    }
    for (g, x, y) in centres {
        let letter = (b'A' + (*g as u8 % 26)) as char;
        let _ = write!(
            svg,
            r##"<circle cx="{:.1}" cy="{:.1}" r="13" fill="#fff" stroke="{}" stroke-width="2"/><text x="{:.1}" y="{:.1}" font-size="13" font-weight="700" text-anchor="middle" fill="{}">{letter}</text>"##,
            sx(*x),
            sy(*y),
            PALETTE[g % PALETTE.len()],
            sx(*x),
            sy(*y) + 4.5,
            PALETTE[g % PALETTE.len()]
        );
    }
    if let Some((x, y)) = me {
        let _ = write!(
            svg,
            r##"<circle class="me" cx="{:.1}" cy="{:.1}" r="8" fill="none" stroke="#1d2330" stroke-width="2.5"/><text x="{:.1}" y="{:.1}" font-size="11" font-weight="700" fill="#1d2330">●</text>"##,
            sx(x),
            sy(y),
            sx(x) + 10.0,
            sy(y) - 8.0
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The opinion map's frame before there is a map (fewer than two voters): the same box, saying
/// in the reader's language when the map appears, so that a widget or a printed page shows a
/// sentence instead of a broken image.
pub fn opinion_waiting(title: &str, note: &str) -> String {
    let (w, h) = (480.0_f64, 360.0_f64);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg class="chart opinion-map" viewBox="0 0 {w} {h}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg"><title>{}</title><rect width="{w}" height="{h}" rx="10" fill="#fbfaf8" stroke="#e4e2dc"/>"##,
        esc(title),
        esc(title)
    );
    // SVG text does not wrap: lines of about fifty characters, cut between words.
    let mut lines: Vec<String> = Vec::new();
    for word in note.split_whitespace() {
        match lines.last_mut() {
            Some(last) if last.chars().count() + 1 + word.chars().count() <= 50 => {
                last.push(' ');
                last.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    let top = h / 2.0 - (lines.len() as f64 - 1.0) * 11.0;
    for (i, line) in lines.iter().enumerate() {
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" font-size="15" text-anchor="middle" fill="#5b6170">{}</text>"##,
            w / 2.0,
            top + i as f64 * 22.0,
            esc(line)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod scatter_tests {
    use super::*;

    #[test]
    fn scatter_survives_degenerate_input() {
        let svg = opinion_scatter(
            "m",
            &[
                Point {
                    x: f64::NAN,
                    y: 1.0,
                    group: None,
                },
                Point {
                    x: 1.0,
                    y: 1.0,
                    group: Some(0),
                },
            ],
            &[(0, 1.0, 1.0)],
            Some((1.0, 1.0)),
        );
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        assert!(svg.contains(">A</text>"));
        assert!(svg.contains("class=\"me\""));
        assert!(opinion_scatter("empty", &[], &[], None).ends_with("</svg>"));
    }

    #[test]
    fn the_waiting_map_wraps_its_sentence() {
        let svg = opinion_waiting("m", &"mot ".repeat(30));
        assert_eq!(svg.matches("<text").count(), 3, "{svg}");
        assert!(svg.ends_with("</svg>"));
    }
}
