# Noms des niveaux, des mesures et des états d'objectif : ceux des tableaux de bord et de
# l'e-mail hebdomadaire (crates/parvis-measure). Les clés m_level_*, m_measure_* et m_status_*
# suivent les noms du code ; chaque clé existe aussi dans ../en/labels.ftl.

m_status_achieved = atteint
m_status_on_track = en bonne voie
m_status_at_risk = en retard
m_status_missed = manqué
m_status_no_data = pas de donnée
m_level_audience = Audience
m_level_reactors = Réactifs
m_level_contributors = Contributeurs
m_level_engaged = Engagés
m_level_ambassadors = Ambassadeurs
m_measure_audience = Audience (personnes)
m_measure_reactors = Réactifs (personnes)
m_measure_contributors = Contributeurs (personnes)
m_measure_engaged = Engagés (personnes)
m_measure_ambassadors = Ambassadeurs (personnes)
m_measure_top_two_share = Part des deux niveaux du haut (%)
m_measure_answer_share = Questions ayant une réponse de l'équipe (%)
m_measure_answered_within_48h = Questions ayant une réponse de l'équipe sous 48 h (%)
m_measure_median_first_answer_hours = Délai médian de première réponse (heures)
m_measure_publications_per_week = Publications de l'équipe par semaine
m_measure_coherence = Cohérence (%)
m_measure_self_promotion = Autopromotion (%)
m_measure_nps = NPS
m_measure_enps = eNPS
m_measure_csat = CSAT (%)
m_measure_ces = CES (1–7)
m_measure_ipe = IPe (0–100)
m_measure_ipi = IPi (0–100)
m_measure_ip = IP (0–100)
