# Parvis — Measures: dashboards, objectives, surveys, event figures.
# French. Every message here exists in the other language too (a test checks it).

m_title = Mesures
m_intro = Ce que la communauté devient, mesuré sans fusionner ce qui doit rester distinct : la notoriété à côté de la légitimité, les objectifs d'abord. Chaque graphique dit ce qu'il compte, chaque formule est écrite dessous, chaque chiffre s'exporte.
m_period = Période
m_events = Événements et retour sur investissement
m_events_intro = Ce que chaque session, et chaque série de sessions d'un même sujet, a rapporté face à ce qu'elle a coûté. Les coûts se saisissent session par session.
m_events_title = Toutes les sessions : inscrits, confirmés, présents, contacts, conversions
m_ev_registered = Inscrits
m_ev_confirmed = Confirmés
m_ev_attended = Présents
m_ev_room = en salle
m_ev_online = en ligne
m_ev_leads = Contacts
m_ev_conversions = Conversions
m_ev_value = Valeur
m_ev_cost = Coût
m_ev_roi = ROI
m_ev_session = Session
m_ev_series = Série
m_ev_total = Toutes les sessions
m_ev_save = Enregistrer
m_ev_none = Aucune session dans cet espace pour l'instant.
m_ev_costs_known = sessions dont le coût est connu
m_err_cost = Un coût est un montant positif, par exemple 1200 ou 1200,50.
f_events = Inscrits : inscriptions non annulées. Présents : personnes vues en salle (pointage) ou en ligne pendant la session, comptées une fois. Contacts : inscrits confirmés qui acceptent d'être contactés (un consentement retiré ne compte plus). Conversions : transactions que le site de l'organisation a signalées pour des clics sur les intégrations de la session, et leur valeur. ROI = (valeur − coût) / coût, calculé sur les sessions dont le coût est connu.
m_computed_at = Chiffres calculés le
m_computed_note = {" "}; ils se mettent à jour en arrière-plan quand l'activité arrive : rechargez la page pour voir les plus récents.
m_previous_period = période précédente
m_download = Télécharger
m_formula = Formule
m_not_yet = pas encore mesuré
m_none = —
m_objectives = Objectifs
m_objectives_intro = Réaliser avant de mesurer : un objectif, c'est une mesure, une cible, une date et un segment. La progression est lue sur une droite entre la valeur au jour de la déclaration et la cible à l'échéance (marge de 5 %).
m_no_objectives = Aucun objectif déclaré.
m_measure = Mesure
m_target = Cible
m_due = Échéance
m_segment = Segment
m_segment_help = Vide pour tout l'espace, ou channel:email, ecosystem_role:partner, organisation:Acme, topic:SLUG, origin:imported.
m_baseline = Départ
m_current = Actuel
m_status = État
m_add_objective = Déclarer l'objectif
m_delete = Supprimer
m_pyramid = Pyramide de l'engagement
m_pyramid_title = Personnes par niveau d'engagement sur la période
m_thresholds = Seuils
m_staff_excluded = exclue
m_staff_included = incluse
f_pyramid = Audience : inscrits, lecteurs ou abonnés seulement. Réactifs : ont réagi à un message ou voté (pour une proposition de défi, sur une affirmation d'une carte d'opinion, pour une question ou à un sondage en direct) sans écrire. Contributeurs : ont écrit au moins un message. Engagés : ont écrit pendant au moins R semaines distinctes de la période et répondu aux autres au moins A fois. Ambassadeurs : ont écrit et amené au moins B personnes sur la période, en comptant chaque mise en relation faite et acceptée, chaque personne venue par leur lien de partage qui s'est ensuite inscrite, a participé à un défi, a répondu ou a conclu une transaction signalée par le site de l'organisation (une visite ou un clic seuls ne comptent pas), et chaque témoignage ou entretien qu'ils ont donné, publié avec leur consentement en vigueur. Une personne présente sur plusieurs canaux et fusionnée compte une fois.
m_flows = Flux entre niveaux
m_flows_title = Personnes par niveau de la période précédente : montées, maintenues, descendues
m_moved_up = montés
m_held = maintenus
m_moved_down = descendus
m_level_before = Niveau avant
f_flows = Le niveau de chacun sur la période précédente comparé à la période actuelle ; une personne absente d'une période y compte comme audience.
m_slipping = Ils s'éloignent
m_slipping_intro = Personnes qui écrivaient sur la période précédente et n'écrivent plus.
m_nobody_slipping = Personne ne s'éloigne.
m_posts_before = Messages avant
m_last_active = Dernière activité
m_scores = Score d'activité
m_weights = Pondérations
f_score = Score = Σ poids(activité) × 0,5^(âge en jours / demi-vie). L'activité est datée au milieu de sa semaine.
m_score = Score
m_level = Niveau
m_notoriety = Notoriété
m_notoriety_intro = Qui peut entendre l'espace : taille et portée de l'audience.
m_readers = Lecteurs connectés
m_imported = Personnes venues d'autres canaux
m_embed_impressions = Affichages intégrés
m_legitimacy = Légitimité
m_legitimacy_intro = Qui porte l'espace : les deux niveaux du haut, les réponses données aux autres, les témoignages. Jamais fusionnée avec la notoriété.
m_top_two = Engagés et ambassadeurs
m_answers_given = Réponses données aux autres
m_testimonials = Témoignages
m_channels = Activité par canal
m_channels_title = Messages par canal et par semaine, sur deux ans
m_scorecard = Tableau de bord éditorial
m_scorecard_intro = La voix de l'organisation : les comptes administrateurs et modérateurs.
m_scorecard_title = Parts : réponses de l'équipe, cohérence, autopromotion, rythme tenu
m_publications = Publications
m_per_week = Par semaine
m_plan = Plan déclaré (par semaine)
m_plan_ratio = Rythme tenu (part du plan, au plus 100 %)
m_irregularity = Irrégularité des écarts
m_questions = Questions de la communauté
m_answer_share = Questions ayant une réponse de l'équipe
m_within_48h = Réponse de l'équipe sous 48 h
m_median_first = Délai médian de première réponse (heures)
m_coherence = Publications sur les sujets déclarés
m_readability_en = Lisibilité, anglais (Flesch)
m_readability_fr = Lisibilité, français (Kandel & Moles)
m_self_promotion = Autopromotion
m_reference_411 = repère 4-1-1 : environ 1 sur 6 (17 %)
f_regularity = Régularité = publications ÷ semaines, comparée au plan ; irrégularité = écart type des écarts entre publications ÷ leur moyenne (0 = parfaitement régulier).
f_fidelity = Fidélité = questions (discussions ouvertes hors équipe) ayant une réponse de l'équipe ÷ questions ; délai médian entre la question et la première réponse de l'équipe.
f_coherence = Cohérence = publications de l'équipe rattachées à un sujet déclaré ÷ publications.
f_readability = Anglais : Flesch = 206,835 − 1,015 × mots/phrase − 84,6 × syllabes/mot (syllabes : groupes de voyelles, moins un e muet final). Français : Kandel & Moles = 207 − 1,015 × mots/phrase − 73,6 × syllabes/mot (syllabes par les motifs de césure TeX du français). Plus c'est haut, plus c'est facile.
f_self_promotion = Autopromotion = publications de l'équipe qui nomment l'organisation, ses produits ou ses événements ÷ publications.
m_surveys = Enquêtes
m_surveys_intro = Envoyez-la par e-mail (chaque adresse reçoit un lien personnel qui répond une fois, sans compte) ou intégrez-la (les visiteurs se connectent depuis le widget) : une réponse par personne. Les enquêtes internes (eNPS) ne montrent aucun score sous 5 répondants ni aucun commentaire sous 10, et aucun groupe complémentaire qui trahirait un groupe caché par soustraction.
m_no_surveys = Aucune enquête.
m_kind = Type
m_kind_nps = NPS (recommandation, 0–10)
m_kind_enps = eNPS (collaborateurs, 0–10)
m_kind_csat = CSAT (satisfaction, 1–5)
m_kind_ces = CES (facilité, 1–7)
m_respondents = Répondants
m_respondent_one = répondant
m_respondent_many = répondants
m_margin = marge
m_small_sample = petit échantillon (moins de 30)
m_hidden = masqué (anonymat)
m_link = Lien
m_create_survey = Créer l'enquête
m_comments = Commentaires
f_nps = NPS = % promoteurs (9–10) − % détracteurs (0–6) ; marge ± 1,96 × 100 × √((p + d − (p − d)²) ÷ n). CSAT = % de 4 et 5 sur 1–5 ; marge ± 1,96 × 100 × √(s(1 − s) ÷ n). CES = moyenne sur 1–7 (« l'organisation m'a rendu la chose facile ») ; marge ± 1,96 × écart type ÷ √n.
m_presence = Indice de présence
m_presence_title = IP, IPe et IPi (0–100) par semaine
m_presence_intro = Pas un instrument scientifique : une convention écrite, versionnée, pondérée.
m_missing = Composantes sans donnée (poids redistribués)
m_formula_version = Version de la formule
m_sentiment = Tonalité des conversations sur l'organisation
f_presence = Chaque composante est ramenée sur 0–100 : NPS et eNPS (score + 100) ÷ 2 ; CSAT tel quel ; CES (moyenne − 1) ÷ 6 × 100 ; réactivité = part des questions ayant une réponse de l'équipe × 100 ; tonalité (−1..1, lexique VADER en anglais sous licence MIT, lexique propre à Parvis en français) (s + 1) ÷ 2 × 100 ; participation = part des comptes de l'équipe ayant écrit × 100. IPe = Σ poids × composantes externes ; IPi = Σ poids × composantes internes ; IP = pₑ × IPe + pᵢ × IPi. Chaque groupe de poids fait 1.
m_survey_question_nps = Quelle est la probabilité que vous nous recommandiez à un proche ou un collègue ?
m_survey_question_enps = Quelle est la probabilité que vous recommandiez notre organisation comme employeur ?
m_survey_question_csat = Êtes-vous satisfait(e) ? (1 = pas du tout, 5 = tout à fait)
m_survey_question_ces = L'organisation m'a rendu la chose facile. (1 = pas du tout d'accord, 7 = tout à fait d'accord)
m_your_score = Votre note
m_comment = Commentaire (facultatif)
m_group = Équipe ou service (facultatif)
m_send_answer = Envoyer ma réponse
m_thanks = Merci, votre réponse est enregistrée.
m_already = Vous avez déjà répondu à cette enquête : une réponse par personne.
m_closed = Cette enquête est close : elle ne reçoit plus de réponses.
m_sign_in_to_answer = Connectez-vous pour répondre (une réponse par personne).
m_anonymous_note = Votre réponse n'est pas reliée à votre compte : seul un condensat empêche une deuxième réponse.
m_err_score = Choisissez une note de { $lo } à { $hi }.
m_err_weights = Les poids de ce groupe doivent faire 1 au total.
m_err_due = Choisissez une date à venir (AAAA-MM-JJ).
m_err_target = Indiquez un nombre.
m_err_measure = Choisissez une mesure de la liste.
m_err_segment = Laissez vide, ou écrivez TYPE:VALEUR (channel, ecosystem_role, organisation, topic).
m_err_segment_measure = Sur un segment, choisissez un niveau de la pyramide (audience, réactifs, contributeurs, engagés, ambassadeurs) ou la part des deux niveaux du haut ; les autres mesures valent pour tout l'espace : laissez le segment vide.
m_err_answer_twice = Vous avez déjà répondu.
# The Presence score's weights; the numbers come written as decimals of the language.
m_weights_text = message { $post }, réponse { $answer }, réaction { $reaction }, lecture { $read }, personne amenée { $referral } ; demi-vie { $half } jours
m_th_regular = régulier
m_th_answers = répond aux autres
m_th_referrals = ambassadeur
m_th_staff = équipe
m_th_n_weeks =
    { $count ->
        [one] { $count } semaine distincte au moins
       *[other] { $count } semaines distinctes au moins
    }
m_th_n_answers =
    { $count ->
        [one] { $count } réponse au moins
       *[other] { $count } réponses au moins
    }
m_th_n_people =
    { $count ->
        [one] { $count } personne amenée au moins
       *[other] { $count } personnes amenées au moins
    }

m_ev_meetings = Rencontres tenues

m_segment_all = Tout l'espace
m_segment_show = Afficher
m_segment_note = Pyramide, flux, départs et scores restreints à ce segment ; les autres mesures portent sur tout l'espace.
m_segment_topic_note = Un sujet regroupe les personnes qui y ont écrit pendant les deux périodes ; leur niveau compte toute leur activité dans l'espace.
m_kind_ecosystem_role = Rôle dans l'écosystème
m_kind_organisation = Organisation
m_kind_channel = Canal
m_kind_topic = Sujet
m_kind_origin = Origine
m_origin_native = Écrit sur Parvis
m_origin_imported = Importé d'autres canaux

## Counts: the number and its word, in the plural the number asks for.
m_n_weeks =
    { $count ->
        [one] { $count } semaine
       *[other] { $count } semaines
    }

# Issue 16: a settings change that changes what is counted (period, half-life).
m_recomputing = Vos nouveaux réglages changent la période ou la demi-vie : les chiffres ci-dessous suivent encore les réglages précédents, le temps de les recalculer en arrière-plan. Rechargez la page dans quelques secondes.

# Surveys sent by email (personal links) and embedded.
m_mailing = Par e-mail
m_mailed_n = { $count ->
        [one] { $count } envoi
       *[other] { $count } envois
    }
m_answered_by_link_n = { $count ->
        [one] { $count } réponse par lien
       *[other] { $count } réponses par lien
    }
m_send_survey = Envoyer par e-mail
m_send_emails = Adresses, une par ligne (5 000 au plus)
m_send_audience = Envoyer aussi à
m_audience_none = aucun membre
m_audience_members = tous les membres
m_audience_role = Membres selon leur rôle dans l'écosystème
m_send = Envoyer
m_send_note = Chaque adresse reçoit un seul e-mail par enquête, dans la langue du membre ou à défaut dans la vôtre. Seuls des comptes sont gardés : qui a répondu n'est jamais montré.
m_sent_notice = { $count ->
        [one] L'enquête part vers { $count } adresse.
       *[other] L'enquête part vers { $count } adresses.
    }
m_err_emails_line = Ligne { $line } : « { $entry } » n'est pas une adresse e-mail.
m_err_emails_too_many = { $max } adresses au plus par envoi.
m_err_emails_required = Collez au moins une adresse, ou choisissez des membres à qui envoyer.
m_link_used = Ce lien personnel a déjà servi à répondre : une réponse par lien.
m_link_unknown = Ce lien personnel n'est pas valable (mal recopié, ou remplacé par un e-mail plus récent). Demandez-en un nouveau à qui vous l'a envoyé.
m_link_note = Sans compte. Votre réponse n'est pas liée à votre adresse.

# Closing a survey (no reopening).
m_closed_chip = close
m_close_survey = Clore l'enquête
m_close_note = Plus aucune réponse ne sera acceptée, par la page, un lien personnel, le widget ou l'API, et les e-mails pas encore partis ne partiront pas (leurs adresses sont effacées). Les réponses et les chiffres restent. Une enquête close ne se rouvre pas.
m_close_confirm = Clore définitivement
m_closed_notice = { $count ->
        [0] L'enquête est close.
        [one] L'enquête est close ; { $count } e-mail en attente ne partira pas.
       *[other] L'enquête est close ; { $count } e-mails en attente ne partiront pas.
    }
