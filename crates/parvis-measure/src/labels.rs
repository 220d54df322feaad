//! The names of levels, measures and objective statuses in French and English — one table
//! for every place that words them (the dashboards' pages and the weekly digest mail).

/// (key, français, English). Keys: `m_level_{level}`, `m_measure_{measure}`,
/// `m_status_{status}`.
pub const LABELS: &[(&str, &str, &str)] = &[
    ("m_status_achieved", "atteint", "achieved"),
    ("m_status_on_track", "en bonne voie", "on track"),
    ("m_status_at_risk", "en retard", "at risk"),
    ("m_status_missed", "manqué", "missed"),
    ("m_status_no_data", "pas de donnée", "no data"),
    ("m_level_audience", "Audience", "Audience"),
    ("m_level_reactors", "Réactifs", "Reactors"),
    ("m_level_contributors", "Contributeurs", "Contributors"),
    ("m_level_engaged", "Engagés", "Engaged"),
    ("m_level_ambassadors", "Ambassadeurs", "Ambassadors"),
    (
        "m_measure_audience",
        "Audience (personnes)",
        "Audience (people)",
    ),
    (
        "m_measure_reactors",
        "Réactifs (personnes)",
        "Reactors (people)",
    ),
    (
        "m_measure_contributors",
        "Contributeurs (personnes)",
        "Contributors (people)",
    ),
    (
        "m_measure_engaged",
        "Engagés (personnes)",
        "Engaged (people)",
    ),
    (
        "m_measure_ambassadors",
        "Ambassadeurs (personnes)",
        "Ambassadors (people)",
    ),
    (
        "m_measure_top_two_share",
        "Part des deux niveaux du haut (%)",
        "Share of the top two levels (%)",
    ),
    (
        "m_measure_answer_share",
        "Questions ayant une réponse de l'équipe (%)",
        "Questions answered by staff (%)",
    ),
    (
        "m_measure_answered_within_48h",
        "Questions ayant une réponse de l'équipe sous 48 h (%)",
        "Questions answered by staff within 48 h (%)",
    ),
    (
        "m_measure_median_first_answer_hours",
        "Délai médian de première réponse (heures)",
        "Median time to first staff answer (hours)",
    ),
    (
        "m_measure_publications_per_week",
        "Publications de l'équipe par semaine",
        "Staff publications per week",
    ),
    ("m_measure_coherence", "Cohérence (%)", "Coherence (%)"),
    (
        "m_measure_self_promotion",
        "Autopromotion (%)",
        "Self-promotion (%)",
    ),
    ("m_measure_nps", "NPS", "NPS"),
    ("m_measure_enps", "eNPS", "eNPS"),
    ("m_measure_csat", "CSAT (%)", "CSAT (%)"),
    ("m_measure_ces", "CES (1–7)", "CES (1–7)"),
    ("m_measure_ipe", "IPe (0–100)", "IPe (0–100)"),
    ("m_measure_ipi", "IPi (0–100)", "IPi (0–100)"),
    ("m_measure_ip", "IP (0–100)", "IP (0–100)"),
];

/// The label of `key` in French (`fr`) or English; the key itself when unknown.
pub fn label(key: &str, fr: bool) -> &str {
    LABELS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, f, e)| if fr { *f } else { *e })
        .unwrap_or(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objectives::MEASURES;
    use crate::pyramid::Level;

    #[test]
    fn every_level_and_objective_measure_has_both_names() {
        for l in Level::ALL {
            let key = format!("m_level_{}", l.key());
            assert_ne!(label(&key, true), key);
            assert_ne!(label(&key, false), key);
        }
        for (m, _) in MEASURES {
            let key = format!("m_measure_{m}");
            assert_ne!(label(&key, true), key, "{m} in French");
            assert_ne!(label(&key, false), key, "{m} in English");
        }
        assert_eq!(label("m_status_at_risk", true), "en retard");
    }
}
