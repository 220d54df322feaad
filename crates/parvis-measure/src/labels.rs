//! The names of levels, measures and objective statuses in French and English — one Fluent
//! file per language (`crates/parvis-measure/locales/{fr,en}/labels.ftl`) for every place that
//! words them: the dashboards' pages (parvis-web's catalogue) and the weekly digest mail
//! (parvis-services' catalogue) both load it. Keys: `m_level_{level}`,
//! `m_measure_{measure}`, `m_status_{status}`.
//!
//! This crate stays pure computation: it only carries the files' text; the catalogues parse it.

/// `(name, French, English)`: the labels' Fluent files, as the catalogues take them.
pub const FTL: (&str, &str, &str) = (
    "labels",
    include_str!("../locales/fr/labels.ftl"),
    include_str!("../locales/en/labels.ftl"),
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objectives::MEASURES;
    use crate::pyramid::Level;

    /// The keys a file defines (`key = value` lines).
    fn keys(ftl: &str) -> Vec<&str> {
        ftl.lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with(' '))
            .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim()))
            .collect()
    }

    #[test]
    fn every_level_and_objective_measure_has_both_names() {
        let (_, fr, en) = FTL;
        let (fr, en) = (keys(fr), keys(en));
        assert_eq!(fr, en, "the two files name the same keys in the same order");
        for l in Level::ALL {
            let key = format!("m_level_{}", l.key());
            assert!(fr.contains(&key.as_str()), "{key}");
        }
        for (m, _) in MEASURES {
            let key = format!("m_measure_{m}");
            assert!(fr.contains(&key.as_str()), "{key}");
        }
        for s in ["achieved", "on_track", "at_risk", "missed", "no_data"] {
            let key = format!("m_status_{s}");
            assert!(fr.contains(&key.as_str()), "{key}");
        }
    }
}
