# Names of the levels, measures and objective statuses: those of the dashboards and of the
# weekly digest mail (crates/parvis-measure). The keys m_level_*, m_measure_* and m_status_*
# follow the code's names; each key also exists in ../fr/labels.ftl.

m_status_achieved = achieved
m_status_on_track = on track
m_status_at_risk = at risk
m_status_missed = missed
m_status_no_data = no data
m_level_audience = Audience
m_level_reactors = Reactors
m_level_contributors = Contributors
m_level_engaged = Engaged
m_level_ambassadors = Ambassadors
m_measure_audience = Audience (people)
m_measure_reactors = Reactors (people)
m_measure_contributors = Contributors (people)
m_measure_engaged = Engaged (people)
m_measure_ambassadors = Ambassadors (people)
m_measure_top_two_share = Share of the top two levels (%)
m_measure_answer_share = Questions answered by staff (%)
m_measure_answered_within_48h = Questions answered by staff within 48 h (%)
m_measure_median_first_answer_hours = Median time to first staff answer (hours)
m_measure_publications_per_week = Staff publications per week
m_measure_coherence = Coherence (%)
m_measure_self_promotion = Self-promotion (%)
m_measure_nps = NPS
m_measure_enps = eNPS
m_measure_csat = CSAT (%)
m_measure_ces = CES (1–7)
m_measure_ipe = IPe (0–100)
m_measure_ipi = IPi (0–100)
m_measure_ip = IP (0–100)
