//! Every figure of the measures dashboard as an SVG chart and as CSV, from the one
//! `Dashboard` the services computed. Pure functions: tested without a server.

use crate::charts::{PALETTE, Series, esc, stacked_bars};
use parvis_domain::Lang;
use parvis_measure::pyramid::Level;
use parvis_services::measure::Dashboard;
use std::fmt::Write;

/// The figures that can be downloaded, by name (`/s/{space}/measures/{name}.svg|csv`).
pub(crate) const FIGURES: &[&str] = &[
    "pyramid",
    "flows",
    "channels",
    "scorecard",
    "presence",
    "presence_index",
    "notoriety",
    "legitimacy",
    "surveys",
    "objectives",
    "slipping",
    "scores",
    "events",
];

/// Which figures have a chart (the others are tables, CSV only).
pub(crate) const CHARTED: &[&str] = &[
    "pyramid",
    "flows",
    "channels",
    "scorecard",
    "presence",
    "events",
];

fn t(lang: Lang, key: &str) -> &'static str {
    super::text(lang, key)
}

pub(crate) fn level_label(lang: Lang, l: Level) -> &'static str {
    t(lang, &format!("m_level_{}", l.key()))
}

fn date(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .map(|d| d.date().to_string())
        .unwrap_or_default()
}

fn opt(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.4}")).unwrap_or_default()
}

/// One CSV field, quoted when it needs to be (RFC 4180).
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv_rows(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut out = header.join(",");
    out.push('\n');
    for r in rows {
        out.push_str(&r.iter().map(|f| field(f)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out
}

/// A figure as CSV (`None` for an unknown figure name).
pub(crate) fn csv(d: &Dashboard, name: &str) -> Option<String> {
    Some(match name {
        "pyramid" => csv_rows(
            &["level", "count", "share", "previous_count"],
            d.pyramid
                .iter()
                .zip(&d.previous_pyramid)
                .map(|(c, p)| {
                    vec![
                        c.level.key().into(),
                        c.count.to_string(),
                        format!("{:.4}", c.share),
                        p.count.to_string(),
                    ]
                })
                .collect(),
        ),
        "flows" => csv_rows(
            &["level_before", "moved_up", "held", "moved_down"],
            d.flows
                .iter()
                .map(|f| {
                    vec![
                        f.level.key().into(),
                        f.moved_up.to_string(),
                        f.held.to_string(),
                        f.moved_down.to_string(),
                    ]
                })
                .collect(),
        ),
        "channels" => {
            let mut rows = vec![];
            for (ci, ch) in d.channels.channels.iter().enumerate() {
                for (wi, start) in d.channels.week_starts.iter().enumerate() {
                    let n = d
                        .channels
                        .counts
                        .get(ci)
                        .and_then(|c| c.get(wi))
                        .copied()
                        .unwrap_or(0);
                    rows.push(vec![date(*start), ch.clone(), n.to_string()]);
                }
            }
            csv_rows(&["week_start", "channel", "messages"], rows)
        }
        "scorecard" => {
            let s = &d.scorecard;
            let rows: Vec<Vec<String>> = [
                ("publications", Some(s.publications as f64)),
                ("per_week", Some(s.per_week)),
                ("plan_per_week", Some(s.plan_per_week)),
                ("plan_ratio", Some(s.plan_ratio)),
                ("gap_irregularity", s.gap_irregularity),
                ("questions", Some(s.questions as f64)),
                ("questions_answered", Some(s.questions_answered as f64)),
                ("answer_share", s.answer_share),
                ("answered_within_48h", s.answered_within_48h),
                ("median_first_answer_hours", s.median_first_answer_hours),
                ("coherence", s.coherence),
                ("readability_en", s.readability_en.score),
                ("readability_fr", s.readability_fr.score),
                ("self_promotion", s.self_promotion),
                ("self_promotion_reference", Some(s.self_promotion_reference)),
            ]
            .iter()
            .map(|(k, v)| vec![k.to_string(), opt(*v)])
            .collect();
            csv_rows(&["measure", "value"], rows)
        }
        "presence" => {
            let mut rows = vec![];
            for (key, points) in &d.trends {
                for p in points {
                    rows.push(vec![
                        key.clone(),
                        date(p.week * 604_800_000),
                        format!("{:.4}", p.value),
                        p.formula_version.clone(),
                    ]);
                }
            }
            csv_rows(&["figure", "week_start", "value", "formula_version"], rows)
        }
        // The index as it stands now (the `presence` figure is its history), with the
        // sentiment it weighs; the IP row lists the components left out for want of data.
        "presence_index" => {
            let p = &d.presence;
            let row = |figure: &str, v: Option<f64>, version: &str, left_out: String| {
                vec![figure.to_string(), opt(v), version.to_string(), left_out]
            };
            let v = p.formula_version.as_str();
            csv_rows(
                &["figure", "value", "formula_version", "components_left_out"],
                vec![
                    row("ip", p.ip, v, p.missing.join(";")),
                    row("ipe", p.ipe, v, String::new()),
                    row("ipi", p.ipi, v, String::new()),
                    row("sentiment", d.sentiment, "", String::new()),
                ],
            )
        }
        "notoriety" => {
            let n = &d.notoriety;
            let count = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
            csv_rows(
                &["measure", "value"],
                vec![
                    vec!["readers".into(), n.readers.to_string()],
                    vec![
                        "imported_followers".into(),
                        n.imported_followers.to_string(),
                    ],
                    vec!["embed_impressions".into(), count(n.embed_impressions)],
                ],
            )
        }
        "legitimacy" => {
            let l = &d.legitimacy;
            let count = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
            csv_rows(
                &["measure", "value"],
                vec![
                    vec!["top_two".into(), l.top_two.to_string()],
                    vec!["top_two_share".into(), format!("{:.4}", l.top_two_share)],
                    vec!["answers_to_others".into(), l.answers_to_others.to_string()],
                    vec!["testimonials".into(), count(l.testimonials)],
                ],
            )
        }
        "surveys" => csv_rows(
            &[
                "id",
                "kind",
                "title",
                "respondents",
                "value",
                "margin",
                "small_sample",
            ],
            d.surveys
                .surveys
                .iter()
                .map(|s| {
                    vec![
                        s.id.to_string(),
                        s.kind.key().into(),
                        s.title.clone(),
                        s.respondents.to_string(),
                        opt(s.score.as_ref().and_then(|x| x.value)),
                        opt(s.score.as_ref().and_then(|x| x.margin)),
                        s.score
                            .as_ref()
                            .map(|x| x.small_sample.to_string())
                            .unwrap_or_default(),
                    ]
                })
                .collect(),
        ),
        "objectives" => csv_rows(
            &[
                "measure", "segment", "target", "baseline", "current", "due", "status",
            ],
            d.objectives
                .iter()
                .map(|o| {
                    vec![
                        o.measure.clone(),
                        o.segment.clone(),
                        format!("{}", o.target),
                        opt(o.baseline),
                        opt(o.progress.current),
                        date(o.due_at),
                        serde_json::to_value(o.progress.status)
                            .ok()
                            .and_then(|v| v.as_str().map(String::from))
                            .unwrap_or_default(),
                    ]
                })
                .collect(),
        ),
        "slipping" => csv_rows(
            &[
                "handle",
                "display_name",
                "level_before",
                "level_now",
                "posts_before",
                "last_active_week_start",
            ],
            d.slipping_away
                .iter()
                .map(|s| {
                    vec![
                        s.handle.clone(),
                        s.display_name.clone(),
                        s.item.level_before.key().into(),
                        s.item.level_now.key().into(),
                        s.item.posts_before.to_string(),
                        s.item
                            .last_active_week
                            .map(|w| date(w * 604_800_000))
                            .unwrap_or_default(),
                    ]
                })
                .collect(),
        ),
        "scores" => csv_rows(
            &["handle", "display_name", "score", "level"],
            d.top_scores
                .iter()
                .map(|s| {
                    vec![
                        s.handle.clone(),
                        s.display_name.clone(),
                        format!("{:.2}", s.item.score),
                        s.item.level.key().into(),
                    ]
                })
                .collect(),
        ),
        "events" => csv_rows(super::events::CSV_HEADER, super::events::csv(d)),
        _ => return None,
    })
}

/// A figure as an SVG chart (`None` for a figure without a chart).
pub(crate) fn svg(d: &Dashboard, name: &str, lang: Lang) -> Option<String> {
    Some(match name {
        "pyramid" => pyramid(d, lang),
        "flows" => {
            let labels: Vec<String> = d
                .flows
                .iter()
                .map(|f| level_label(lang, f.level).to_string())
                .collect();
            let series = [
                Series {
                    label: t(lang, "m_moved_up"),
                    values: d.flows.iter().map(|f| f.moved_up as i64).collect(),
                },
                Series {
                    label: t(lang, "m_held"),
                    values: d.flows.iter().map(|f| f.held as i64).collect(),
                },
                Series {
                    label: t(lang, "m_moved_down"),
                    values: d.flows.iter().map(|f| f.moved_down as i64).collect(),
                },
            ];
            stacked_bars(t(lang, "m_flows_title"), &labels, &series)
        }
        "channels" => {
            let labels: Vec<String> = d.channels.week_starts.iter().map(|w| date(*w)).collect();
            let series: Vec<Series<'_>> = d
                .channels
                .channels
                .iter()
                .zip(&d.channels.counts)
                .map(|(c, v)| Series {
                    label: c,
                    values: v.iter().map(|n| *n as i64).collect(),
                })
                .collect();
            stacked_bars(t(lang, "m_channels_title"), &labels, &series)
        }
        "scorecard" => {
            let s = &d.scorecard;
            hbars(
                t(lang, "m_scorecard_title"),
                &[
                    (t(lang, "m_answer_share"), s.answer_share),
                    (t(lang, "m_within_48h"), s.answered_within_48h),
                    (t(lang, "m_coherence"), s.coherence),
                    (t(lang, "m_self_promotion"), s.self_promotion),
                    (t(lang, "m_plan_ratio"), Some(s.plan_ratio.min(2.0) / 2.0)),
                ],
            )
        }
        "presence" => lines(t(lang, "m_presence_title"), d),
        "events" => super::events::svg(d, lang),
        _ => return None,
    })
}

/// The pyramid: one centred bar per level, widest at the bottom, each labelled with its count.
fn pyramid(d: &Dashboard, lang: Lang) -> String {
    let (w, row) = (640.0_f64, 34.0_f64);
    let max = d.pyramid.iter().map(|c| c.count).max().unwrap_or(0).max(1) as f64;
    let h = row * d.pyramid.len() as f64 + 10.0;
    let title = t(lang, "m_pyramid_title");
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{0}" xmlns="http://www.w3.org/2000/svg"><title>{0}</title>"#,
        esc(title)
    );
    for (i, c) in d.pyramid.iter().rev().enumerate() {
        let bw = ((w - 260.0) * c.count as f64 / max).max(2.0);
        let x = 160.0 + (w - 260.0 - bw) / 2.0;
        let y = 5.0 + row * i as f64;
        let label = level_label(lang, c.level);
        let _ = write!(
            svg,
            r##"<text x="150" y="{:.1}" font-size="12" text-anchor="end" fill="#1d2330">{}</text><rect x="{x:.1}" y="{y:.1}" width="{bw:.1}" height="{:.1}" fill="{}"><title>{} : {}</title></rect><text x="{:.1}" y="{:.1}" font-size="12" fill="#1d2330">{} ({:.0} %)</text>"##,
            y + row / 2.0 + 4.0,
            esc(label),
            row - 8.0,
            PALETTE[(4 - i.min(4)) % PALETTE.len()],
            esc(label),
            c.count,
            w - 90.0,
            y + row / 2.0 + 4.0,
            c.count,
            c.share * 100.0
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Horizontal bars for shares (0..1); a missing value is drawn as "—".
fn hbars(title: &str, items: &[(&str, Option<f64>)]) -> String {
    let (w, row) = (640.0_f64, 28.0_f64);
    let h = row * items.len() as f64 + 10.0;
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{0}" xmlns="http://www.w3.org/2000/svg"><title>{0}</title>"#,
        esc(title)
    );
    for (i, (label, v)) in items.iter().enumerate() {
        let y = 5.0 + row * i as f64;
        let _ = write!(
            svg,
            r##"<text x="210" y="{:.1}" font-size="12" text-anchor="end" fill="#1d2330">{}</text><rect x="220" y="{y:.1}" width="340" height="{:.1}" fill="#eceae4"/>"##,
            y + row / 2.0 + 4.0,
            esc(label),
            row - 8.0
        );
        match v.filter(|v| v.is_finite()) {
            Some(v) => {
                let _ = write!(
                    svg,
                    r##"<rect x="220" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{}"/><text x="570" y="{:.1}" font-size="12" fill="#1d2330">{:.0} %</text>"##,
                    340.0 * v.clamp(0.0, 1.0),
                    row - 8.0,
                    PALETTE[i % PALETTE.len()],
                    y + row / 2.0 + 4.0,
                    v * 100.0
                );
            }
            None => {
                let _ = write!(
                    svg,
                    r##"<text x="570" y="{:.1}" font-size="12" fill="#646b7a">—</text>"##,
                    y + row / 2.0 + 4.0
                );
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

/// The Presence trends (IP, IPe, IPi on 0–100) as lines over weeks.
fn lines(title: &str, d: &Dashboard) -> String {
    let (w, h, left, top, bottom) = (640.0_f64, 200.0_f64, 36.0_f64, 10.0_f64, 24.0_f64);
    let keys = ["ip", "ipe", "ipi"];
    let weeks: Vec<i64> = {
        let mut v: Vec<i64> = keys
            .iter()
            .filter_map(|k| d.trends.get(*k))
            .flat_map(|p| p.iter().map(|x| x.week))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {w} {full_h}" role="img" aria-label="{label}" xmlns="http://www.w3.org/2000/svg"><title>{label}</title>"#,
        label = esc(title),
        full_h = h + 20.0
    );
    let plot_h = h - top - bottom;
    for frac in [0.0, 0.5, 1.0] {
        let y = top + plot_h * (1.0 - frac);
        let _ = write!(
            svg,
            r##"<line x1="{left}" x2="{w}" y1="{y:.1}" y2="{y:.1}" stroke="#e4e2dc"/><text x="{}" y="{:.1}" font-size="10" text-anchor="end" fill="#646b7a">{}</text>"##,
            left - 4.0,
            y + 3.0,
            (100.0 * frac) as i64
        );
    }
    let n = weeks.len().max(1) as f64;
    let x_of = |week: i64| {
        let i = weeks.iter().position(|w| *w == week).unwrap_or(0) as f64;
        left + (w - left - 10.0) * if n > 1.0 { i / (n - 1.0) } else { 0.5 }
    };
    for (ki, key) in keys.iter().enumerate() {
        let Some(points) = d.trends.get(*key) else {
            continue;
        };
        let coords: Vec<String> = points
            .iter()
            .filter(|p| p.value.is_finite())
            .map(|p| {
                format!(
                    "{:.1},{:.1}",
                    x_of(p.week),
                    top + plot_h * (1.0 - p.value.clamp(0.0, 100.0) / 100.0)
                )
            })
            .collect();
        if coords.is_empty() {
            continue;
        }
        let colour = PALETTE[ki % PALETTE.len()];
        let _ = write!(
            svg,
            r#"<polyline fill="none" stroke="{colour}" stroke-width="2" points="{}"/>"#,
            coords.join(" ")
        );
        for c in &coords {
            if let Some((x, y)) = c.split_once(',') {
                let _ = write!(svg, r#"<circle cx="{x}" cy="{y}" r="3" fill="{colour}"/>"#);
            }
        }
        let _ = write!(
            svg,
            r##"<rect x="{}" y="{}" width="10" height="10" fill="{colour}"/><text x="{}" y="{}" font-size="11" fill="#1d2330">{}</text>"##,
            left + ki as f64 * 90.0,
            h + 2.0,
            left + ki as f64 * 90.0 + 14.0,
            h + 11.0,
            key.to_uppercase()
                .replace("IPE", "IPe")
                .replace("IPI", "IPi")
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("plain"), "plain");
        assert_eq!(date(0), "1970-01-01");
    }
}
