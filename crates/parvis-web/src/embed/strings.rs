//! Strings of taking part from a widget: the widget's sign-in and posting, the emailed
//! link's page, the moderation queue and the admin's posting rules (key, français, English).

pub(crate) const STRINGS: &[(&str, &str, &str)] = &[
    ("widget_take_part", "Participer", "Take part"),
    ("widget_email", "Votre adresse e-mail", "Your email address"),
    ("widget_send_link", "Recevoir le lien", "Send me the link"),
    (
        "widget_check_mail",
        "Ouvrez le lien reçu par e-mail et confirmez : vous serez connecté·e ici.",
        "Open the link we emailed you and confirm: you will be signed in here.",
    ),
    (
        "widget_signed_in_as",
        "Connecté·e en tant que",
        "Signed in as",
    ),
    ("widget_reply", "Votre réponse", "Your reply"),
    (
        "widget_pseudonym",
        "Pseudonyme (facultatif)",
        "Pseudonym (optional)",
    ),
    ("widget_send", "Publier", "Post"),
    (
        "widget_held",
        "Votre message attend la validation d'un modérateur ; vous seul·e le voyez pour l'instant.",
        "Your message is waiting for a moderator; only you can see it for now.",
    ),
    ("widget_published", "Message publié.", "Message posted."),
    (
        "widget_pending",
        "En attente de modération",
        "Awaiting moderation",
    ),
    ("widget_like", "J'aime", "Like"),
    (
        "widget_error",
        "Cela n'a pas fonctionné :",
        "That did not work:",
    ),
    (
        "widget_confirm_title",
        "Confirmer votre participation",
        "Confirm to take part",
    ),
    (
        "widget_confirm_intro",
        "Confirmez pour être connecté·e dans la conversation intégrée sur",
        "Confirm to be signed in to the conversation embedded on",
    ),
    ("widget_confirm", "Confirmer", "Confirm"),
    (
        "widget_confirm_done",
        "C'est fait : revenez à la conversation, vous y êtes connecté·e. Vous pouvez fermer cet onglet.",
        "Done: go back to the conversation, you are signed in there. You can close this tab.",
    ),
    (
        "widget_confirm_invalid",
        "Ce lien n'est plus valable (déjà utilisé ou trop ancien). Demandez-en un nouveau depuis la conversation.",
        "This link is no longer valid (already used, or too old). Ask for a new one from the conversation.",
    ),
    ("moderation", "Modération", "Moderation"),
    (
        "moderation_held_one",
        "message en attente",
        "message waiting",
    ),
    ("moderation_held", "messages en attente", "messages waiting"),
    (
        "moderation_empty",
        "Rien à modérer.",
        "Nothing to moderate.",
    ),
    ("moderation_origin", "venu·e de", "came from"),
    ("moderation_in", "Dans", "In"),
    ("moderation_reason", "Motif :", "Reason:"),
    ("moderation_first_post", "premier message", "first message"),
    ("moderation_suspect", "mot à surveiller", "word to watch"),
    ("moderation_approve", "Publier", "Approve"),
    ("moderation_reject", "Refuser", "Reject"),
    (
        "moderation_approved",
        "Message publié.",
        "Message approved and posted.",
    ),
    (
        "moderation_rejected",
        "Message refusé.",
        "Message rejected.",
    ),
    (
        "posting_rules",
        "Participation depuis les intégrations",
        "Taking part from embeds",
    ),
    (
        "posting_hold_first",
        "Retenir le premier message de chaque participant·e pour modération",
        "Hold each poster's first message for moderation",
    ),
    (
        "posting_pseudonyms",
        "Autoriser les pseudonymes (l'adresse e-mail n'est montrée qu'aux administrateurs)",
        "Allow pseudonyms (the email is only shown to admins)",
    ),
    (
        "posting_open_signup",
        "Une adresse inconnue crée un compte de membre",
        "An unknown email creates a member account",
    ),
    (
        "posting_banned",
        "Mots interdits (refusés)",
        "Banned words (refused)",
    ),
    (
        "posting_suspect",
        "Mots à surveiller (retenus)",
        "Suspect words (held)",
    ),
    (
        "posting_words_hint",
        "Un mot ou une expression par ligne.",
        "One word or phrase per line.",
    ),
    ("posting_save", "Enregistrer", "Save"),
    ("posting_queue", "File de modération", "Moderation queue"),
    (
        "sso",
        "Authentification unique (SSO)",
        "Single sign-on (SSO)",
    ),
    (
        "sso_hint",
        "Votre site signe un jeton JWT HS256 avec l'un de ces secrets (son identifiant de clé dans l'en-tête) et le place dans le code à intégrer ; le README détaille l'attribut à employer et les champs du jeton.",
        "Your site signs an HS256 JWT (sub, email, name, exp, jti; kid in the header) with one of these secrets and puts it in data-sso.",
    ),
    ("sso_kid", "Identifiant de clé (kid)", "Key id (kid)"),
    ("sso_add", "Créer un secret", "Create a secret"),
    ("sso_none", "Aucun secret.", "No secret."),
    (
        "sso_secret_once",
        "Secret de la clé — copiez-le maintenant, il ne sera plus affiché :",
        "The key's secret — copy it now, it will not be shown again:",
    ),
    ("sso_delete", "Supprimer", "Delete"),
];
