# Parvis — Sessions: events, registrations, calendars, reports.
# French. Every message here exists in the other language too (a test checks it).

session = Session
sessions = Sessions
sessions_upcoming = Prochaines sessions
sessions_past = Sessions passées
no_sessions = Aucune session prévue.
new_session = Nouvelle session
edit_session = Modifier la session
schedule_session = Programmer la session
session_state_upcoming = À venir
session_state_live = En cours
session_state_ended = Terminée
session_state_closed = Close
mode_in_person = En salle
mode_online = En ligne
mode_phygital = En salle et en ligne
mode_webcast = Webcast
session_ok_registered = Vous êtes inscrit : votre place est confirmée.
session_ok_waiting = La session est complète : vous êtes sur la liste d'attente. Si une place se libère, elle vous revient.
session_ok_pending = Presque fini : ouvrez le lien que nous venons de vous envoyer par e-mail pour confirmer votre inscription.
session_ok_cancelled = Votre inscription est annulée.
session_ok_created = La session est programmée.
session_ok_saved = Modifications enregistrées.
session_ok_unlocked = Code accepté : voici le lien de diffusion.
session_where = Où et comment
session_place = Lieu
session_online_link = Lien en ligne
session_code_needed = Le lien de diffusion s'affiche une fois le code d'accès saisi.
session_access_code = Code d'accès
session_unlock = Valider le code
access_code_hint = Pour un webcast. Laissez vide pour garder le code actuel ; « - » le retire.
seats = places
on_waiting_list = en liste d'attente
agenda = Programme
agenda_hint = Un point par ligne : « Titre | minutes ».
minutes = minutes
session_people = Animation et intervenants
moderator_one = Modération
moderators = Modération
moderators_hint = Identifiants des membres, séparés par des virgules (vous-même si vide).
speaker_one = Intervenant
speakers = Intervenants
speakers_hint = Un par ligne : « @identifiant » pour un membre, « Nom — Organisation » pour un invité.
registration = Inscription
registrations = Inscriptions
reg_status_pending = Inscription en attente de confirmation : ouvrez le lien reçu par e-mail.
reg_status_confirmed = Votre place est confirmée.
reg_status_waiting = Vous êtes sur la liste d'attente : si une place se libère, elle vous revient.
reg_status_cancelled = Inscription annulée.
reg_short_pending = à confirmer
reg_short_confirmed = confirmée
reg_short_waiting = en attente
reg_short_cancelled = annulée
cancel_registration = Annuler mon inscription
registrations_closed = Les inscriptions sont closes : la session a commencé.
session_full = Complet : vous serez inscrit sur la liste d'attente.
your_name = Nom
register = M'inscrire
register_one_click = M'inscrire en un clic
register_link_hint = Vous recevrez un lien de confirmation par e-mail. Les deux cases ci-dessus sont facultatives.
session_manage = Gérer la session
edit = Modifier
repeat_on = Nouvelle date
repeat_session = Répéter cette session
session_start = Début (heure locale)
duration_minutes = Durée (minutes)
time_zone = Fuseau horaire
session_mode = Format
capacity = Capacité
capacity_hint = Nombre de places ; vide pour ne pas limiter.
partners = Partenaires
partners_hint = Nommés dans la case « partager mes coordonnées ».
see_session = Voir la session
status = État
consent_contact_short = Contact accepté
consent_share_short = Partage accepté
no_registrations = Aucune inscription pour l'instant.
session_mails = E-mails de la session
mail_sent = envoyé
mail_given_up = abandonné après plusieurs échecs
mail_failed_retry = échec, nouvel essai prévu
mail_planned = prévu
no_mails = Aucun e-mail pour l'instant.
mail_to = Pour
mail_to_moderators = les modérateurs de la session
mail_to_deleted = inscription supprimée
mail_failure_unreachable = serveur de courrier injoignable
mail_failure_address_refused = adresse refusée
mail_failure_refused_for_now = refusé pour l'instant par le serveur de courrier
mail_failure_failed = échec de l'envoi
n_attempts =
    { $count ->
        [one] { $count } essai
       *[other] { $count } essais
    }
confirm_registration = Confirmer l'inscription
confirm_registration_intro = Ce lien confirme votre inscription une seule fois.
confirm = Confirmer
err_datetime = Date et heure attendues (AAAA-MM-JJ HH:MM).
err_session_begun = Cette session a déjà commencé : les inscriptions sont closes.
err_in_past = Cette date est passée.
err_time_zone = Fuseau horaire inconnu : utilisez un nom comme Europe/Paris.
err_agenda_minutes = Chaque point du programme dure de 1 à 1 440 minutes : écrivez « Titre | minutes », par exemple « Accueil | 10 ».
err_range = Ce nombre est hors des limites permises.
err_below_taken = Plus de places sont déjà prises : la capacité ne peut pas être plus basse.
err_access_code = Code d'accès incorrect.
err_access_code_required = Une session en webcast demande un code d'accès : c'est lui qui protège le lien de diffusion.
my_sessions = Mes sessions
no_my_sessions = Vous n'êtes inscrit à aucune session.
private_calendar = Mon agenda privé
private_calendar_help = Une adresse secrète à ajouter à votre agenda (Outlook, Google, Apple) : vos sessions s'y affichent et se mettent à jour.
private_calendar_shown_once = Copiez cette adresse maintenant : elle ne sera plus affichée. Gardez-la pour vous.
private_calendar_create = Créer mon adresse d'agenda
private_calendar_replace = Remplacer mon adresse d'agenda (l'ancienne cessera de fonctionner)
topic_calendar = Ajouter à mon agenda (iCalendar)
save_choices = Enregistrer mes choix
leads_csv = Exporter les contacts (CSV)
leads_json = Exporter les contacts (JSON)
leads_for = Contacts pour
attendance = Participation
in_the_room = en salle
online_lower = en ligne
peak = pic :
leads = contacts acceptés
close_session = Clore la session
close_session_help = Un brouillon a été préparé à partir des échanges du sujet : relisez-le, complétez-le, puis publiez.
close_and_publish = Clore et publier le compte rendu
edit_report = Modifier le compte rendu
closing_report = Compte rendu
conclusions = Conclusions
key_questions = Questions clés
recording_links = Enregistrements
one_per_line = Une par ligne.
organisations = Organisations présentes
synthesis = Synthèse
new_questions = Nouvelles questions
conclusions_added = Conclusions ajoutées ou révisées
conclusions_removed = Conclusions retirées ou remplacées
polls_moved = Sondages reposés
nothing_changed = Rien de neuf depuis la session précédente.
no_synthesis = Aucune session close pour l'instant : la synthèse s'écrira session après session.

## A session's live room, check-in, and what the room adds to the report.
join_live_room = Rejoindre le direct
join_live_hint = Questions, votes, sondages et main levée, depuis votre téléphone ou votre ordinateur.
session_ok_checked_in = Votre présence dans la salle est enregistrée. Bienvenue !
session_ok_code_needed = Le direct de ce webcast s'ouvre avec son code d'accès : saisissez-le ci-dessous.
session_ok_live_not_open = Le direct s'ouvre une demi-heure avant le début de la session et ferme à sa fin.
checkin_qr = QR code d'accueil
checkin_title = Accueil en salle
checkin_scan = Scannez pour signaler votre présence
checkin_explain = Imprimez cette page pour l'entrée de la salle. Le code enregistre la présence des membres connectés et des inscrits qui ont ouvert le lien de leur e-mail de confirmation, d'une heure avant le début jusqu'à la fin.
checkin_who = Nous ne savons pas encore qui vous êtes : connectez-vous, ou ouvrez le lien de votre e-mail de confirmation sur ce téléphone, puis scannez à nouveau le code. Pas encore inscrit ? Inscrivez-vous depuis la page de la session.
poll_agree = d'accord
colon =  :
room_top_questions = Questions du direct
room_polls = Sondages du direct
room_notes = Notes de la modération
respondents = répondants
answered = répondu
speaking_fairness = Équité du temps de parole
speaker = Intervenant
speaking_time = Temps de parole
turns_col = Prises de parole
share_col = Part
vs_fair_share = Rapport à la part équitable
over_budget = au-delà du budget
discussion_time = Temps de discussion
fair_share = part équitable
speaking_budget = budget
gini_label = indice de Gini
gini_corrected_label = corrigé n/(n−1)
moderator_share_label = part de l'animation
fairness_explain = La part équitable est le temps de discussion divisé entre les intervenants invités et toutes les personnes qui ont pris la parole ; l'animation est comptée à part. L'indice de Gini va de 0 (temps égaux) à 1 (une seule voix) ; ceux qui n'ont pas parlé comptent pour zéro.
nobody_spoke = Personne n'a pris la parole dans le direct.
err_checkin_window = L'accueil en salle ouvre une heure avant le début de la session et ferme à sa fin.
err_checkin_online = Cette session a lieu en ligne seulement : il n'y a pas de salle où signaler sa présence.

meet_my_meetings = Vos rencontres
meet_none_yet = Vous avez demandé des rencontres : les propositions apparaîtront ici dès que l'animation aura préparé le programme.
meet_slot = Créneau
meet_why = Points communs :
meet_open = Rencontre ouverte : aucun sujet commun repéré pour l'instant.
meet_status_proposed = Proposée
meet_status_accepted = Acceptée des deux côtés
meet_status_declined = Déclinée
meet_status_met = Rencontre tenue
meet_you_accepted = vous avez accepté
meet_accept = Accepter
meet_decline = Décliner
meet_we_met = Nous nous sommes rencontrés
meet_they_met = Rencontre tenue
meet_plan = Programme des rencontres
meetings_held = rencontres tenues
meet_slots = Nombre de créneaux
meet_slot_minutes = Durée d'un créneau (minutes)
meet_first_slot = Début du premier créneau
meet_generate = Préparer le programme
meet_regenerate = Refaire le programme
meet_plan_hint = Seuls les inscrits confirmés qui ont demandé des rencontres sont proposés. Refaire le programme garde les rencontres acceptées et tenues, et replace ceux qui ont décliné.
meet_csv = Exporter le programme (CSV)
meet_time = Horaire
meet_person = Participant
meet_why_col = Points communs
meet_no_plan = Aucune rencontre au programme.
session_ok_meet_answered = Votre réponse est enregistrée.
session_ok_meet_met = C'est noté : cette rencontre a eu lieu.
err_meet_not_begun = Une rencontre ne peut être notée comme tenue qu'une fois la session commencée.
err_meet_closed = Cette session est close : son programme de rencontres ne peut plus changer.

## Counts: the number and its word, in the plural the number asks for.
n_confirmed =
    { $count ->
        [one] { $count } place confirmée
       *[other] { $count } places confirmées
    }
n_leads =
    { $count ->
        [one] { $count } contact accepté
       *[other] { $count } contacts acceptés
    }
n_meet_opted_in =
    { $count ->
        [one] { $count } participant volontaire
       *[other] { $count } participants volontaires
    }
n_meetings_held =
    { $count ->
        [one] { $count } rencontre tenue
       *[other] { $count } rencontres tenues
    }
n_minutes =
    { $count ->
        [one] { $count } minute
       *[other] { $count } minutes
    }
n_registered =
    { $count ->
        [one] { $count } inscrit
       *[other] { $count } inscrits
    }
n_respondents =
    { $count ->
        [one] { $count } répondant
       *[other] { $count } répondants
    }
n_seats =
    { $count ->
        [one] { $count } place
       *[other] { $count } places
    }
n_meet_meetings =
    { $count ->
        [one] { $count } rencontre proposée
       *[other] { $count } rencontres proposées
    }
# A space's time zone (issue 12).
space_zone_is = Fuseau horaire :
space_time_zone_help = Les nouvelles sessions et les dates limites des défis sont saisies et affichées dans ce fuseau (un nom IANA comme Europe/Paris ou America/Montreal). Celles déjà programmées gardent le leur.
