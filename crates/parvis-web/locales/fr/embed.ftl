# Parvis — Embeds: the widgets, their admin page, oEmbed.
# French. Every message here exists in the other language too (a test checks it).

embed = Intégrer
embed_admin = Intégrations
embed_admin_intro = Où les conversations de cet espace peuvent s'afficher, l'appel à l'action qu'elles portent, et ce qu'elles rapportent.
embed_settings = Sites et appel à l'action
embed_origins = Sites autorisés
embed_origins_hint = Une origine par ligne (https://www.exemple.fr). Vide : partout.
embed_cta_label = Libellé de l'appel à l'action
embed_cta_url = Adresse de l'appel à l'action
embed_cta_hint = Par défaut pour toutes les intégrations de l'espace. Le clic passe par Parvis, qui ajoute parvis_click=… à l'adresse.
embed_cta_one = Appel à l'action d'une intégration
embed_key = Intégration
embed_cta_one_hint = Libellé vide : l'intégration reprend l'appel à l'action de l'espace.
embed_secret = Secret de signature des conversions
embed_secret_hint = Votre serveur signe chaque conversion avec ce secret (HMAC-SHA256). Le pixel, lui, n'est pas signé : il ne compte qu'un clic connu de moins de 30 jours, une fois par transaction.
embed_secret_none = Aucun secret encore : enregistrez les réglages ci-dessus pour en créer un.
embed_rotate = Changer de secret
embed_rotate_confirm = Créer un nouveau secret ? L'ancien reste accepté jusqu'au prochain changement.
embed_funnel = Entonnoir
embed_from = Du
embed_to = au
embed_show = Afficher
embed_csv = Exporter en CSV
embed_host = Page hôte
embed_impressions = Affichages
embed_engagements = Engagements
embed_clicks = Clics
embed_conversions = Conversions
embed_visitors = Visiteurs
embed_value = Valeur
embed_total = Total
embed_no_data = Rien sur cette période.
embed_counting_hint = Sans cookie : un visiteur est une empreinte du jour (sel quotidien, adresse IP, navigateur, site hôte), jamais son adresse ; le signal « ne pas me pister » (DNT) du navigateur est respecté. Affichages et engagements (lu jusqu'au bout, répondu, aimé, voté, participé à un défi) : visiteurs distincts par jour.
webhooks = Webhooks signés
webhooks_hint = Parvis prévient vos systèmes des nouveaux messages, participations aux défis, inscriptions et conversions, signés comme Standard Webhooks le définit (webhook-id, webhook-timestamp, webhook-signature), et réessaie en cas d'échec.
webhooks_none = Aucun point de réception.
webhook_url = Adresse de réception
webhook_events = Événements
webhook_add = Ajouter
webhook_delete = Supprimer
webhook_delete_confirm = Supprimer ce point de réception et son journal ?
webhook_secret_once = Secret du nouveau point de réception — copiez-le maintenant, il ne sera plus affiché :
webhook_log = Journal des envois
webhook_log_empty = Aucun envoi pour l'instant.
webhook_event = Événement
webhook_status = État
webhook_attempts = Essais
webhook_last = Dernière réponse
webhook_replay = Renvoyer
webhook_pending = En attente
webhook_delivered = Remis
webhook_failed = Abandonné
err_url = Indiquez une adresse complète commençant par https:// (ou http://).
embed_intro = Copiez ces deux lignes dans une page de votre site : la conversation s'y affichera, à jour.
embed_oembed_hint = WordPress et les autres consommateurs oEmbed : collez simplement l'adresse de cette page.
embed_preview = Aperçu
embed_copy = Copier
embed_copied = Copié
embed_snippet = Code à intégrer
embed_read_all = Lire toute la discussion
embed_open_topic = Ouvrir le sujet
embed_register = S'inscrire
embed_seats_open = Inscriptions ouvertes
embed_full = Complet : liste d'attente
embed_open_map = Voir la carte des opinions
embed_join = Participer sur
embed_more_messages = Messages suivants
embed_prev_messages = Messages précédents
embed_empty_topic = Aucune discussion dans ce sujet pour l'instant.
embed_map_alt = Carte des opinions
embed_conversation = Conversation
embed_missing = Cette conversation n'existe pas, ou plus.
embed_unavailable = La conversation est momentanément indisponible. Réessayez dans un instant.
embed_in_reply_to = en réponse à
embed_not_allowed = Cette conversation ne peut pas être affichée sur ce site. Vous pouvez la lire sur

## Taking part from a widget: sign-in by link or single sign-on, posting, moderation.
widget_take_part = Participer
widget_email = Votre adresse e-mail
widget_send_link = Recevoir le lien
widget_check_mail = Ouvrez le lien reçu par e-mail et confirmez : vous serez connecté·e ici.
widget_signed_in_as = Connecté·e en tant { $elide ->
    [yes] qu'{ $name }
   *[no] que { $name }
}
widget_reply = Votre réponse
widget_pseudonym = Pseudonyme (facultatif)
widget_send = Publier
widget_held = Votre message attend la validation d'un modérateur ; vous seul·e le voyez pour l'instant.
widget_published = Message publié.
widget_pending = En attente de modération
widget_like = J'aime
widget_error = Cela n'a pas fonctionné :
# Shown when a visitor posts, likes or votes faster than the per-visitor limit (HTTP 429).
widget_too_fast = Cela fait beaucoup en peu de temps : patientez un peu, puis réessayez.
widget_entry_sent = Participation envoyée : elle figure sur la page du défi.
widget_confirm_title = Confirmer votre participation
widget_confirm_intro = Confirmez pour être connecté·e dans la conversation intégrée sur
widget_confirm = Confirmer
widget_confirm_done = C'est fait : revenez à la conversation, vous y êtes connecté·e. Vous pouvez fermer cet onglet.
widget_confirm_invalid = Ce lien n'est plus valable (déjà utilisé ou trop ancien). Demandez-en un nouveau depuis la conversation.
moderation = Modération
moderation_empty = Rien à modérer.
moderation_origin = venu·e { $elide ->
    [yes] d'{ $name }
   *[no] de { $name }
}
moderation_in = Dans
moderation_reason = Motif :
moderation_first_post = premier message
moderation_suspect = mot à surveiller
moderation_approve = Publier
moderation_reject = Refuser
moderation_approved = Message publié.
moderation_rejected = Message refusé.
posting_rules = Participation depuis les intégrations
posting_hold_first = Retenir le premier message de chaque participant·e pour modération
posting_pseudonyms = Autoriser les pseudonymes (l'adresse e-mail n'est montrée qu'aux administrateurs)
posting_open_signup = Une adresse inconnue crée un compte de membre
posting_banned = Mots interdits (refusés)
posting_suspect = Mots à surveiller (retenus)
posting_words_hint = Un mot ou une expression par ligne.
posting_save = Enregistrer
posting_queue = File de modération
sso = Authentification unique (SSO)
sso_hint = Votre site signe un jeton JWT HS256 avec l'un de ces secrets (son identifiant de clé dans l'en-tête) et le place dans le code à intégrer ; le README détaille l'attribut à employer et les champs du jeton.
sso_kid = Identifiant de clé (kid)
sso_add = Créer un secret
sso_none = Aucun secret.
sso_secret_once = Secret de la clé — copiez-le maintenant, il ne sera plus affiché :
sso_delete = Supprimer

moderation_live = Questions des salles en direct
moderation_hide = Masquer

## Counts: the number and its word, in the plural the number asks for.
n_embed_seats_left =
    { $count ->
        [one] { $count } place restante
       *[other] { $count } places restantes
    }
n_moderation_held =
    { $count ->
        [one] { $count } élément en attente
       *[other] { $count } éléments en attente
    }

## Answering a survey from its widget.
widget_survey_answer = Votre réponse
widget_answer_sent = Merci, votre réponse est enregistrée.
embed_open_survey = Ouvrir l'enquête

## Voting from a widget: a challenge's entries, an opinion map's statements.
widget_entries = Participations
widget_votes = Votes :
widget_vote_saved = Vote enregistré.
widget_vote_withdrawn = Vote retiré.
widget_votes_closed = Les votes sont clos.
widget_all_voted = Vous avez voté sur toutes les affirmations. Merci !
