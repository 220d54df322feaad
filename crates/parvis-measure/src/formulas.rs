//! The formulas as stated in the interface (English; the web layer has the French text).
//! Kept beside the code that computes them so that a change to one shows in review next to
//! the other.

/// (key, English statement).
pub const FORMULAS: &[(&str, &str)] = &[
    (
        "pyramid",
        "Audience: registered, reading or following only. Reactors: reacted to a message or voted (on a challenge entry, an opinion statement, a live question or poll), wrote nothing. Contributors: wrote at least one message. Engaged: wrote in at least R distinct weeks of the period and answered others at least A times. Ambassadors: wrote and brought in at least B people in the period, counting each introduction they made that was accepted, each person who came through their share link and then registered, entered a challenge, replied or made a transaction the organisation's site reported (visits and clicks alone do not count), and each testimonial or interview they gave that is published with their consent in force. Thresholds R, A, B and the period are shown with the chart.",
    ),
    (
        "flows",
        "Each person's level in the previous period against the current one; someone absent from a period counts as audience in it.",
    ),
    (
        "score",
        "Activity score = Σ weight(activity) × 0.5^(age in days / half-life).",
    ),
    (
        "regularity",
        "Publications per week = staff publications / weeks, against the declared plan; gap irregularity = standard deviation of the gaps between publications / their mean.",
    ),
    (
        "fidelity",
        "Share of community questions (threads opened by non-staff) with a staff reply; median time from the question to the first staff reply.",
    ),
    (
        "coherence",
        "Share of staff publications tagged with a declared topic.",
    ),
    (
        "readability",
        "English: Flesch = 206.835 − 1.015 × words/sentence − 84.6 × syllables/word (syllables: groups of vowels, minus a silent final e). French: Kandel & Moles = 207 − 1.015 × words/sentence − 73.6 × syllables/word (syllables from TeX French hyphenation patterns).",
    ),
    (
        "self_promotion",
        "Share of staff publications that name the organisation, its products or events; the 4-1-1 rule of thumb puts it near 1 in 6.",
    ),
    (
        "nps",
        "NPS = % promoters (9–10) − % detractors (0–6); margin ± 1.96 × 100 × √((p + d − (p − d)²) / n).",
    ),
    (
        "csat",
        "CSAT = % of answers 4 or 5 on 1–5; margin ± 1.96 × 100 × √(s(1 − s) / n).",
    ),
    (
        "ces",
        "CES = mean of 1–7 answers to “the organisation made it easy for me”; margin ± 1.96 × sd / √n.",
    ),
    (
        "presence",
        "IPe = weighted mean of NPS, CSAT, CES, responsiveness and sentiment on 0–100; IPi = weighted mean of eNPS and employee participation; IP = w_e × IPe + w_i × IPi. Weights are shown; each group sums to 1.",
    ),
];

/// The English statement of a formula, or `""`.
pub fn formula(key: &str) -> &'static str {
    FORMULAS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|f| f.1)
        .unwrap_or("")
}
