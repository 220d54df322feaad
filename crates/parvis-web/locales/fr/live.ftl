# Parvis — Live rooms. Keys starting with js_ are read by the room's script.
# French. Every message here exists in the other language too (a test checks it).

live_rooms_title = Salles en direct
live_rooms_intro = Pendant un débat, chacun pose ses questions, vote, répond aux sondages et lève la main ; l'animateur donne la parole et veille à l'équité du temps de parole.
live_no_rooms = Aucune salle pour l'instant.
live_open_room = Ouvrir une salle
live_room_title = Titre de la salle
live_topic = Sujet
live_no_topic = Aucun sujet
live_allow_anonymous = Autoriser les questions anonymes
live_require_approval = Valider chaque question avant de l'afficher
live_budget = Budget de parole (multiple de la part équitable, 1,5 par défaut)
live_bad_topic = Choisissez un sujet de la liste.
live_bad_budget = Le budget est un nombre entre 1 et 10, par exemple 1,5.
live_enter = Entrer
live_console = Console d'animation
live_screen = Grand écran
live_participant_view = Vue participant
live_join_title = Rejoindre la salle
live_join_intro = Donnez le nom sous lequel vous participez, ou connectez-vous avec votre compte.
live_your_name = Votre nom
live_join = Rejoindre
live_agenda = Ordre du jour
live_floor = La parole
live_questions = Questions
live_ask = Poser la question
live_your_question = Votre question
live_anonymous = Anonymement
live_sort = Trier
live_sort_votes = par votes
live_sort_time = par date
live_polls = Sondages
live_hand = Main levée
live_connecting = Connexion…
live_hands = Mains levées
live_take_back = Reprendre la parole
live_speak_myself = Parler moi-même
live_guest_name = Intervenant sans appareil
live_give_floor = Donner la parole
live_invited = Intervenants invités
live_invite = Inviter
live_agenda_item = Point de l'ordre du jour
live_minutes = Durée (minutes)
live_set_agenda = Mettre à jour
live_new_poll = Nouveau sondage
live_poll_title = Question posée
live_poll_kind = Type
live_kind_single = Choix unique
live_kind_multiple = Choix multiple
live_kind_scale5 = Échelle de 1 à 5
live_kind_scale10 = Échelle de 0 à 10
live_kind_cloud = Nuage de mots
live_kind_ranking = Classement
live_options = Options (une par ligne)
live_hide_results = Masquer les résultats jusqu'à la clôture
live_launch = Lancer
live_fairness = Équité du temps de parole
live_scan = Scannez pour rejoindre

## Avant sa séance, la salle dit quand elle commence (le script les montre, chacun écrit ici).
live_starts_in_days = Commence dans { $count } { $count ->
    [one] jour
   *[other] jours
}
live_starts_in_hours = Commence dans { $count } { $count ->
    [one] heure
   *[other] heures
}
live_starts_in_minutes = Commence dans { $count } { $count ->
    [one] minute
   *[other] minutes
}

## Handed to the room's script.
js_connected = Connecté
js_reconnecting = Connexion perdue, reconnexion…
js_closed_by_server = Connexion fermée :
js_nobody_speaks = Personne n'a la parole
js_time_left = Temps restant
js_no_questions = Aucune question pour l'instant.
js_vote = Voter
js_unvote = Retirer mon vote
js_votes_one = vote
js_votes_other = votes
js_anonymous = Anonyme
js_pending = En attente de validation
js_hidden = Masquée
js_merged = Fusionnée dans la question
js_pinned = Épinglée
js_answered = Répondue
js_approve = Valider
js_pin = Épingler
js_unpin = Désépingler
js_mark_answered = Marquer répondue
js_reply = Répondre
js_reply_prompt = Votre réponse écrite :
js_hide = Masquer
js_merge = Fusionner
js_merge_prompt = Fusionner dans la question n° :
js_close_poll = Clore le sondage
js_closed = Clos
js_results_hidden = Résultats visibles à la clôture
js_respondents_one = réponse
js_respondents_other = réponses
js_average = Moyenne
js_send = Envoyer
js_saved = Réponse enregistrée
js_up = Monter
js_raise_hand = Lever la main
js_lower_hand = Baisser la main
js_queue_position = Votre place dans la file :
js_give_floor = Donner la parole
js_lower = Baisser
js_no_hands = Aucune main levée.
js_speaker = Intervenant
js_total = Temps
js_turns = Prises de parole
js_share = Part
js_fair_share = Part équitable
js_gini = Coefficient de Gini
js_gini_corrected = corrigé n/(n−1)
js_moderator_share = Part de l'animation
js_over_budget = dépasse son budget de parole
js_on_screen = À l'écran
js_watch_only = Rejoignez la salle pour participer.
live_registrants_hint = Choisissez parmi les inscrits, ou tapez le nom d'un invité.
live_ask_again = Reposer les sondages de la session précédente
live_notes = Notes de la modération
live_notes_help = Visibles des seuls modérateurs ; elles sont reprises dans le brouillon du compte rendu.
live_note = Note
live_add_note = Ajouter la note
js_no_notes = Aucune note pour l'instant.
