//! The UI's strings in French and English. One table, so a missing translation is a compile
//! error away (each row has both languages) and a test checks every key a template uses.

use parvis_domain::Lang;
use std::collections::BTreeMap;

/// (key, français, English)
pub(crate) const STRINGS: &[(&str, &str, &str)] = &[
    (
        "tagline",
        "Le parvis de votre écosystème : clients, partenaires, collaborateurs, en conversation.",
        "Your ecosystem's forecourt: customers, partners and employees, in conversation.",
    ),
    ("spaces", "Espaces", "Spaces"),
    ("topics", "Sujets", "Topics"),
    ("threads", "Discussions", "Threads"),
    ("members", "Membres", "Members"),
    ("member", "Membre", "Member"),
    ("staff_badge", "équipe", "staff"),
    ("staff_mark", "Compter comme équipe", "Count as staff"),
    ("staff_unmark", "Ne plus compter comme équipe", "No longer count as staff"),
    (
        "staff_help",
        "L'équipe parle au nom de l'organisation : ses messages comptent dans le tableau éditorial, pas dans la pyramide. Administrateurs et modérateurs en font partie d'office.",
        "Staff speak for the organisation: their messages count in the editorial scorecard, not in the pyramid. Admins and moderators are staff anyway.",
    ),
    ("sign_in", "Se connecter", "Sign in"),
    ("sign_out", "Se déconnecter", "Sign out"),
    ("my_account", "Mon compte", "My account"),
    ("admin", "Administration", "Administration"),
    ("email", "Adresse e-mail", "Email address"),
    ("password", "Mot de passe", "Password"),
    ("or", "ou", "or"),
    (
        "send_link",
        "Recevoir un lien de connexion",
        "Email me a sign-in link",
    ),
    (
        "link_sent",
        "Si cette adresse est connue, un lien de connexion vient d'être envoyé. Il est valable 30 minutes.",
        "If this address is known, a sign-in link is on its way. It is valid for 30 minutes.",
    ),
    (
        "link_confirm_intro",
        "Ce lien vous connecte une seule fois. Confirmez pour ouvrir votre session.",
        "This link signs you in once. Confirm to open your session.",
    ),
    ("link_confirm", "Me connecter", "Sign me in"),
    (
        "sign_in_intro",
        "Connectez-vous avec votre mot de passe, ou recevez un lien à usage unique par e-mail.",
        "Sign in with your password, or get a one-time link by email.",
    ),
    ("new_thread", "Nouvelle discussion", "New thread"),
    ("title", "Titre", "Title"),
    ("message", "Message", "Message"),
    (
        "markdown_hint",
        "Markdown accepté : **gras**, *italique*, [lien](https://…), listes.",
        "Markdown welcome: **bold**, *italic*, [link](https://…), lists.",
    ),
    ("publish", "Publier", "Publish"),
    ("reply", "Répondre", "Reply"),
    ("your_reply", "Votre réponse", "Your reply"),
    ("replies", "réponses", "replies"),
    ("reply_one", "réponse", "reply"),
    ("messages", "messages", "messages"),
    ("message_one", "message", "message"),
    ("last_activity", "Dernière activité", "Last activity"),
    ("started_by", "Lancée par", "Started by"),
    ("in_reply_to", "en réponse à", "in reply to"),
    (
        "no_threads",
        "Aucune discussion pour l'instant. Lancez la première !",
        "No threads yet. Start the first one!",
    ),
    (
        "sign_in_to_post",
        "Connectez-vous pour participer.",
        "Sign in to take part.",
    ),
    ("all_topics", "Tous les sujets", "All topics"),
    ("no_topic", "Sans sujet", "No topic"),
    ("topic", "Sujet", "Topic"),
    ("previous", "Précédent", "Previous"),
    ("next", "Suivant", "Next"),
    ("page", "Page", "Page"),
    (
        "search_members",
        "Chercher un nom, une organisation…",
        "Search a name, an organisation…",
    ),
    ("search", "Chercher", "Search"),
    ("role", "Rôle", "Role"),
    ("organisation", "Organisation", "Organisation"),
    (
        "ecosystem_role",
        "Rôle dans l'écosystème",
        "Role in the ecosystem",
    ),
    ("site_role", "Rôle sur le site", "Site role"),
    ("identities", "Identités", "Identities"),
    ("consents", "Consentements", "Consents"),
    (
        "consent_contact",
        "Accepte d'être contacté·e",
        "Agrees to be contacted",
    ),
    (
        "consent_share_with_partners",
        "Accepte que ses coordonnées soient partagées avec un partenaire",
        "Agrees to share contact details with a partner",
    ),
    ("granted", "donné", "given"),
    // One's own data: export and deletion (docs/PRIVACY.md).
    ("my_data", "Mes données", "My data"),
    ("member_data", "Données du membre", "Member's data"),
    (
        "download_my_data",
        "Télécharger mes données (JSON)",
        "Download my data (JSON)",
    ),
    (
        "download_member_data",
        "Télécharger ses données (JSON)",
        "Download their data (JSON)",
    ),
    (
        "download_data_intro",
        "Tout ce que Parvis garde sur cette personne : profil, adresse, identités, messages, réactions, votes, propositions, consentements et leur historique, demandes de mise en relation, noms des jetons d'API (jamais leurs secrets).",
        "Everything Parvis holds about this person: profile, address, identities, messages, reactions, votes, statements, consents and their history, introduction requests, API token names (never their secrets).",
    ),
    (
        "delete_my_account",
        "Supprimer mon compte",
        "Delete my account",
    ),
    (
        "delete_member_account",
        "Supprimer le compte de",
        "Delete the account of",
    ),
    (
        "delete_intro_own",
        "La suppression est définitive. Votre profil, votre adresse, votre mot de passe, vos identités, vos consentements et leur historique, vos réactions, vos votes, vos préférences de fil, vos demandes de mise en relation et vos jetons d'API sont effacés, et vous êtes déconnecté·e. Pensez à télécharger vos données avant.",
        "Deletion is final. Your profile, address, password, identities, consents and their history, reactions, votes, feed preferences, introduction requests and API tokens are erased, and you are signed out. Download your data first if you want to keep it.",
    ),
    (
        "delete_intro_admin",
        "À faire à la demande du membre. La suppression est définitive : son profil, son adresse, son mot de passe, ses identités, ses consentements et leur historique, ses réactions, ses votes, ses préférences, ses demandes de mise en relation et ses jetons d'API sont effacés.",
        "Do this at the member's request. Deletion is final: their profile, address, password, identities, consents and their history, reactions, votes, preferences, introduction requests and API tokens are erased.",
    ),
    ("held_messages", "Messages écrits :", "Messages written:"),
    ("held_votes", "Votes :", "Votes:"),
    ("held_reactions", "Réactions :", "Reactions:"),
    (
        "what_of_messages",
        "Et les messages ?",
        "What about the messages?",
    ),
    (
        "choice_anonymise",
        "Les garder, anonymisés",
        "Keep them, anonymised",
    ),
    (
        "choice_anonymise_help",
        "Ils restent dans les conversations, signés « Ancien membre · Former member » : le nom, le profil et tout lien vers la personne disparaissent. Leur texte reste tel quel : s'il la nomme, il la nomme encore.",
        "They stay in the conversations, signed “Ancien membre · Former member”: the name, the profile and every link to the person go. Their text stays as written: if it names the person, it still does.",
    ),
    ("choice_delete", "Les supprimer", "Delete them"),
    (
        "choice_delete_help",
        "Ils disparaissent des conversations et de la recherche. Une conversation ouverte par cette personne disparaît si personne d'autre n'y a écrit ; sinon les réponses des autres restent, sous son titre.",
        "They disappear from the conversations and from search. A conversation the person started disappears if nobody else wrote in it; otherwise the others' replies stay, under its title.",
    ),
    (
        "confirm_delete",
        "Je comprends que c'est définitif",
        "I understand this cannot be undone",
    ),
    (
        "delete_for_good",
        "Supprimer définitivement",
        "Delete for good",
    ),
    (
        "account_deleted",
        "Le compte a été supprimé.",
        "The account was deleted.",
    ),
    ("message_deleted_one", "message supprimé", "message deleted"),
    (
        "message_deleted_many",
        "messages supprimés",
        "messages deleted",
    ),
    (
        "message_anonymised_one",
        "message gardé, anonymisé",
        "message kept, anonymised",
    ),
    (
        "message_anonymised_many",
        "messages gardés, anonymisés",
        "messages kept, anonymised",
    ),
    // Remote images in posts are links until the reader opens them (docs/PRIVACY.md).
    ("remote_image", "Image hébergée sur", "Image hosted on"),
    (
        "remote_image_open",
        "cliquez pour l'ouvrir (le site l'apprendra)",
        "click to open it (that site will know)",
    ),
    ("withdrawn", "retiré", "withdrawn"),
    ("since", "depuis le", "since"),
    ("member_since", "Membre depuis", "Member since"),
    ("bio", "Présentation", "About"),
    ("display_name", "Nom affiché", "Display name"),
    ("save", "Enregistrer", "Save"),
    ("profile", "Profil", "Profile"),
    ("network", "Réseau", "Network"),
    ("handle", "Identifiant", "Handle"),
    ("add", "Ajouter", "Add"),
    ("verified", "vérifiée", "verified"),
    ("api_tokens", "Jetons d'API", "API tokens"),
    (
        "api_tokens_intro",
        "Pour les intégrations (CRM, site) : envoyez le jeton dans l'en-tête Authorization: Bearer …",
        "For integrations (CRM, website): send the token as Authorization: Bearer …",
    ),
    ("token_name", "Nom du jeton", "Token name"),
    ("create", "Créer", "Create"),
    ("revoke", "Révoquer", "Revoke"),
    (
        "new_token_shown_once",
        "Voici votre jeton. Copiez-le maintenant : il ne sera plus affiché.",
        "Here is your token. Copy it now: it will not be shown again.",
    ),
    ("last_used", "Dernier usage", "Last used"),
    ("never", "jamais", "never"),
    ("set_password", "Définir un mot de passe", "Set a password"),
    (
        "new_password",
        "Nouveau mot de passe (10 caractères au moins)",
        "New password (at least 10 characters)",
    ),
    ("saved", "Enregistré.", "Saved."),
    ("create_space", "Créer un espace", "Create a space"),
    ("create_topic", "Créer un sujet", "Create a topic"),
    (
        "keywords",
        "Mots-clés (séparés par des virgules)",
        "Keywords (comma-separated)",
    ),
    ("description", "Description", "Description"),
    ("slug", "Identifiant d'URL", "URL name"),
    ("space", "Espace", "Space"),
    ("invite_member", "Inviter un membre", "Invite a member"),
    ("invite", "Inviter", "Invite"),
    ("invited", "Invitation envoyée.", "Invitation sent."),
    ("set_roles", "Rôles des membres", "Members' roles"),
    ("change", "Modifier", "Change"),
    ("not_found_title", "Page introuvable", "Page not found"),
    (
        "error_title",
        "Quelque chose n'a pas marché",
        "Something went wrong",
    ),
    ("back_home", "Retour à l'accueil", "Back to the home page"),
    ("language", "Langue", "Language"),
    ("react_like", "J'aime", "Like"),
    ("react_insightful", "Éclairant", "Insightful"),
    ("react_agree", "D'accord", "Agree"),
    ("react_question", "Question", "Question"),
    ("eco_customer", "Client", "Customer"),
    ("eco_prospect", "Prospect", "Prospect"),
    ("eco_partner", "Partenaire", "Partner"),
    ("eco_supplier", "Fournisseur", "Supplier"),
    ("eco_employee", "Collaborateur", "Employee"),
    ("eco_journalist", "Journaliste", "Journalist"),
    ("eco_investor", "Investisseur", "Investor"),
    ("eco_expert", "Expert", "Expert"),
    ("eco_other", "Autre", "Other"),
    ("site_admin", "Administrateur", "Admin"),
    ("site_moderator", "Modérateur", "Moderator"),
    ("site_member", "Membre", "Member"),
    ("recent_threads", "Discussions récentes", "Recent threads"),
    ("people_in_space", "membres", "members"),
    ("explore", "Explorer", "Explore"),
    (
        "footer",
        "Parvis — hébergé par votre organisation. Logiciel libre.",
        "Parvis — hosted by your organisation. Free software.",
    ),
    ("api_docs", "API (OpenAPI)", "API (OpenAPI)"),
    ("messages_written", "messages écrits", "messages written"),
    ("channel", "Canal", "Channel"),
    (
        "activity",
        "Conversations par sujet",
        "Conversations by topic",
    ),
    (
        "activity_intro",
        "Où l'on parle des sujets que vous avez déclarés : messages par mois et par canal, d'après leurs mots-clés.",
        "Where your declared topics are discussed: messages per month and per channel, from their keywords.",
    ),
    (
        "no_activity",
        "Aucune conversation ne touche encore ce sujet.",
        "No conversation touches this topic yet.",
    ),
    ("keywords_short", "Mots-clés", "Keywords"),
    (
        "identities_review",
        "Identités à rapprocher",
        "Identities to reconcile",
    ),
    (
        "identities_intro",
        "Des personnes vues sur plusieurs canaux semblent être les mêmes. Rien n'est fusionné sans votre accord, et toute fusion peut être annulée.",
        "People seen on several channels look like the same person. Nothing is merged without your say, and every merge can be undone.",
    ),
    ("proposals", "Propositions", "Proposals"),
    (
        "no_proposals",
        "Aucune proposition en attente.",
        "No proposal waiting.",
    ),
    ("why", "Pourquoi :", "Why:"),
    ("confidence", "confiance", "confidence"),
    ("merge", "Fusionner", "Merge"),
    (
        "not_same_person",
        "Ce ne sont pas les mêmes",
        "Not the same person",
    ),
    ("merges_done", "Fusions effectuées", "Merges done"),
    ("unmerge", "Annuler la fusion", "Undo the merge"),
    ("undone", "annulée", "undone"),
    (
        "import_title",
        "Importer des conversations",
        "Import conversations",
    ),
    (
        "import_intro",
        "Ramenez ici les conversations dispersées : blog, forum, liste de diffusion, réseaux sociaux. Réimporter le même export ne crée aucun doublon.",
        "Bring dispersed conversations here: blog, forum, mailing list, social networks. Importing the same export again creates no duplicates.",
    ),
    ("format", "Format", "Format"),
    ("file", "Fichier", "File"),
    (
        "dry_run",
        "Essai à blanc : montrer ce qui serait fait sans rien écrire",
        "Dry run: show what would be done without writing anything",
    ),
    ("import_button", "Importer", "Import"),
    ("import_done", "Import terminé", "Import finished"),
    (
        "dry_run_result",
        "Essai à blanc : rien n'a été écrit",
        "Dry run: nothing was written",
    ),
    ("created", "créés", "created"),
    ("created_one", "créé", "created"),
    ("created_f", "créées", "created"),
    ("created_f_one", "créée", "created"),
    ("updated", "mis à jour", "updated"),
    ("unchanged", "inchangés", "unchanged"),
    ("unchanged_one", "inchangé", "unchanged"),
    ("matched", "reconnus", "matched"),
    ("matched_one", "reconnu", "matched"),
    ("proposal_one", "proposition", "proposal"),
    ("proposals_lower", "propositions", "proposals"),
    ("skipped", "Ignorés", "Skipped"),
    ("opinion_map", "Carte des opinions", "Opinion map"),
    (
        "opinion_intro",
        "Chacun vote sur de courtes affirmations ; la carte regroupe les personnes qui votent de la même façon et montre ce qui rassemble et ce qui divise.",
        "Everyone votes on short statements; the map groups people who vote alike and shows what unites and what divides.",
    ),
    ("printable", "Version imprimable", "Printable"),
    ("participants", "participants", "participants"),
    ("participant_one", "participant", "participant"),
    ("statements", "affirmations", "statements"),
    ("statement_one", "affirmation", "statement"),
    ("votes", "votes", "votes"),
    ("vote_one", "vote", "vote"),
    (
        "you_are",
        "vous êtes le point cerclé",
        "you are the ringed dot",
    ),
    ("in_group", "dans le groupe", "in group"),
    ("group", "Groupe", "Group"),
    ("agree_word", "d'accord", "agree"),
    ("disagree_word", "pas d'accord", "disagree"),
    ("consensus", "Ce qui rassemble", "Common ground"),
    ("divisive", "Ce qui divise", "What divides"),
    (
        "map_not_yet",
        "La carte apparaîtra quand au moins deux personnes auront voté sur au moins deux affirmations.",
        "The map appears once at least two people have voted on at least two statements.",
    ),
    (
        "map_failed",
        "La carte n'a pas pu être calculée ; les votes sont bien enregistrés. Réessayez dans un instant.",
        "The map could not be computed; the votes are safely recorded. Try again in a moment.",
    ),
    ("your_turn", "À vous de voter", "Your turn to vote"),
    ("agree", "D'accord", "Agree"),
    ("disagree", "Pas d'accord", "Disagree"),
    ("pass", "Je passe", "Pass"),
    (
        "all_voted",
        "Vous avez voté sur toutes les affirmations. Proposez-en une !",
        "You voted on every statement. Add one!",
    ),
    (
        "add_statement",
        "Proposer une affirmation",
        "Add a statement",
    ),
    (
        "statement_hint",
        "Une idée par affirmation, 280 caractères au plus. Elle sera relue avant publication.",
        "One idea per statement, 280 characters at most. It is reviewed before it appears.",
    ),
    ("submit", "Envoyer", "Submit"),
    ("to_moderate", "À relire", "To review"),
    ("accept", "Publier", "Accept"),
    ("reject", "Refuser", "Reject"),
    (
        "sign_in_to_vote",
        "Connectez-vous pour voter et proposer des affirmations.",
        "Sign in to vote and add statements.",
    ),
    (
        "statement_received",
        "Merci ! Votre affirmation sera relue avant publication.",
        "Thank you! Your statement will be reviewed before it appears.",
    ),
    (
        "search_placeholder",
        "Chercher dans les conversations…",
        "Search the conversations…",
    ),
    ("filters", "Filtres", "Filters"),
    ("author", "Auteur", "Author"),
    ("from", "Du", "From"),
    ("to", "Au", "To"),
    ("results", "résultats", "results"),
    ("result_one", "résultat", "result"),
    ("thread_one", "discussion", "thread"),
    ("threads_lower", "discussions", "threads"),
    ("in_word", "dans", "in"),
    ("at_least", "au moins", "at least"),
    (
        "more_in_thread_one",
        "autre message de cette discussion correspond",
        "other message in this thread matches",
    ),
    (
        "more_in_thread",
        "autres messages de cette discussion correspondent",
        "other messages in this thread match",
    ),
    (
        "search_help",
        "Astuces : \"expression exacte\", préfixe*, -exclure, un OR autre. Les accents et les pluriels sont ignorés.",
        "Tips: \"exact phrase\", prefix*, -exclude, this OR that. Accents and plurals are ignored.",
    ),
    ("for_you", "Pour vous", "For you"),
    (
        "for_you_intro",
        "Ce qui vous concerne maintenant : d'après ce que vous écrivez, lisez et ce dont parlent les personnes proches de vous.",
        "What concerns you now: from what you write and read, and what people close to you discuss.",
    ),
    (
        "starter_feed",
        "Vous débutez ici : voici les discussions les plus suivies de cet espace, les plus récentes d'abord. Le fil s'ajustera à vous dès vos premières lectures et réponses.",
        "You are new here: these are this space's most followed threads, latest first. The feed adapts to you as soon as you read and reply.",
    ),
    (
        "feed_learned",
        "Classement appris de ce que les membres de cet espace rejoignent vraiment (les",
        "Ranked by what members of this space actually join (learned from the",
    ),
    (
        "feed_learned_joins",
        "dernières fois qu'un membre a rejoint une discussion).",
        "most recent joins).",
    ),
    (
        "why_replied",
        "Parce que vous avez répondu à",
        "Because you replied to",
    ),
    (
        "why_started",
        "Parce que vous avez lancé",
        "Because you started",
    ),
    (
        "why_reacted",
        "Parce que vous avez réagi à",
        "Because you reacted to",
    ),
    ("why_read", "Parce que vous avez lu", "Because you read"),
    (
        "why_peers",
        "personnes proches de vous en discutent",
        "people close to you are discussing it",
    ),
    (
        "why_peers_one",
        "personne proche de vous en discute",
        "person close to you is discussing it",
    ),
    ("why_topic", "Dans votre sujet", "In your topic"),
    ("why_terms", "À propos de", "About"),
    ("why_trending", "Une discussion animée", "A lively thread"),
    (
        "why_mentioned",
        "On vous y mentionne",
        "You are mentioned there",
    ),
    ("why_starter", "Populaire et récent", "Popular and fresh"),
    (
        "why_popular",
        "Populaire dans cet espace",
        "Popular in this space",
    ),
    (
        "muted_topics",
        "Sujets masqués de votre fil :",
        "Topics muted from your feed:",
    ),
    ("show_again", "Afficher à nouveau", "Show again"),
    ("not_interested", "Pas intéressé", "Not interested"),
    ("mute_topic", "Masquer le sujet", "Mute topic"),
    ("your_peers", "Vos pairs du moment", "Your peers right now"),
    (
        "your_peers_intro",
        "Les personnes dont les préoccupations actuelles sont les plus proches des vôtres.",
        "People whose current concerns are closest to yours.",
    ),
    ("be_introduced", "Se faire présenter à", "Get introduced to"),
    (
        "intro_intro",
        "Les meilleurs chemins passent par des personnes avec qui vous avez vraiment échangé, et qui acceptent d'être sollicitées.",
        "The best paths go through people you really exchanged with, who accept to be asked.",
    ),
    ("strength", "force", "strength"),
    (
        "replies_exchanged",
        "réponses échangées",
        "replies exchanged",
    ),
    ("reply_exchanged_one", "réponse échangée", "reply exchanged"),
    ("threads_shared", "discussions partagées", "threads shared"),
    ("thread_shared_one", "discussion partagée", "thread shared"),
    ("last_exchange", "dernier échange le", "last exchange on"),
    (
        "intro_message",
        "Quelques mots pour expliquer votre demande",
        "A few words on why you ask",
    ),
    ("ask", "Demander à", "Ask"),
    (
        "no_intro_path",
        "Aucun chemin pour l'instant : échangez dans les discussions, le réseau se construit avec vous.",
        "No path yet: take part in threads, the network grows with you.",
    ),
    (
        "intro_requests",
        "Demandes de mise en relation",
        "Introduction requests",
    ),
    (
        "asks_you_to_introduce",
        "vous demande de le ou la présenter à",
        "asks you to introduce them to",
    ),
    (
        "accept_intro",
        "J'accepte de présenter",
        "I will introduce them",
    ),
    ("decline", "Décliner", "Decline"),
    ("you_asked", "Vous avez demandé à", "You asked"),
    (
        "to_introduce_you_to",
        "de vous présenter à",
        "to introduce you to",
    ),
    ("intro_pending", "en attente", "pending"),
    ("intro_accepted", "acceptée", "accepted"),
    ("intro_declined", "déclinée", "declined"),
    ("skip_to_content", "Aller au contenu", "Skip to content"),
    // ----- first hour: the empty home page, the admin area, form errors -----------------
    (
        "first_space_title",
        "Créez votre premier espace",
        "Create your first space",
    ),
    (
        "first_space_admin",
        "Un espace réunit les conversations d'un écosystème : vos clients, vos partenaires, un événement. Vous pourrez ensuite y créer des sujets et importer des conversations.",
        "A space gathers the conversations of one ecosystem: your customers, your partners, an event. You can then add topics to it and import conversations.",
    ),
    (
        "err_required",
        "Ce champ est obligatoire.",
        "This field is required.",
    ),
    (
        "err_too_long",
        "{n} caractères au plus.",
        "At most {n} characters.",
    ),
    (
        "err_too_long_one",
        "{n} caractère au plus.",
        "At most {n} character.",
    ),
    (
        "err_slug",
        "De 2 à 64 lettres minuscules sans accents, chiffres ou tirets, comme « forum-clients ».",
        "2 to 64 lower-case letters, digits or dashes, like \"customer-forum\".",
    ),
    (
        "err_email",
        "Une adresse e-mail comme marie@exemple.fr.",
        "An email address like marie@example.com.",
    ),
    (
        "err_handle",
        "De 2 à 40 lettres minuscules, chiffres, points, tirets ou soulignés.",
        "2 to 40 lower-case letters, digits, dots, dashes or underscores.",
    ),
    (
        "err_choice",
        "Choisissez une des valeurs proposées.",
        "Choose one of the values offered.",
    ),
    (
        "err_password_length",
        "De 10 à 200 caractères.",
        "10 to 200 characters.",
    ),
    (
        "err_confirm",
        "Ce n'est pas l'identifiant d'URL : rien n'a été supprimé.",
        "That is not the URL name: nothing was deleted.",
    ),
    (
        "err_other",
        "Cette valeur n'est pas acceptée.",
        "This value is not accepted.",
    ),
    (
        "err_taken_slug",
        "Cet identifiant d'URL est déjà pris : choisissez-en un autre.",
        "This URL name is taken: choose another one.",
    ),
    (
        "err_taken_email",
        "Un membre a déjà cette adresse e-mail.",
        "A member already has this email address.",
    ),
    ("err_taken", "Cela existe déjà.", "This already exists."),
    (
        "err_characters",
        "Ce texte contient un caractère de contrôle ou d'inversion du sens de lecture ({code}, caractère n° {at}) : retirez-le.",
        "This text holds a control character or a text-direction override ({code}, character {at}): remove it.",
    ),
    (
        "form_has_errors",
        "Le formulaire n'a pas été enregistré : corrigez les champs signalés.",
        "The form was not saved: correct the fields marked below.",
    ),
    ("archive", "Archiver", "Archive"),
    (
        "archive_space_help",
        "Archiver retire l'espace de l'accueil et le passe en lecture seule : ses pages restent lisibles à leur adresse, personne ne peut plus y écrire. Vous pourrez le rétablir.",
        "Archiving takes the space off the home page and makes it read-only: its pages stay readable at their address, nobody can write in it any more. You can bring it back.",
    ),
    (
        "archive_topic_help",
        "Archiver retire le sujet des listes et le passe en lecture seule. Vous pourrez le rétablir.",
        "Archiving takes the topic off the lists and makes it read-only. You can bring it back.",
    ),
    ("archived_badge", "archivé", "archived"),
    ("archived_ok", "Archivé.", "Archived."),
    ("clear_search", "Tout afficher", "Show all"),
    (
        "delete_forever",
        "Supprimer définitivement",
        "Delete for good",
    ),
    (
        "delete_lost",
        "La suppression est définitive et emporte :",
        "Deleting is final and takes with it:",
    ),
    (
        "delete_prefer_archive",
        "Pour seulement masquer l'espace, archivez-le plutôt : cela se rétablit.",
        "To only hide the space, archive it instead: that can be undone.",
    ),
    ("delete_space", "Supprimer l'espace", "Delete the space"),
    ("delete_topic", "Supprimer le sujet", "Delete the topic"),
    (
        "delete_topic_what",
        "La suppression est définitive :",
        "Deleting is final:",
    ),
    ("deleted_ok", "Supprimé.", "Deleted."),
    (
        "deleted_with_votes",
        "supprimées avec leurs votes",
        "deleted with their votes",
    ),
    ("edit_space", "Modifier l'espace", "Edit the space"),
    ("edit_topic", "Modifier le sujet", "Edit the topic"),
    (
        "example_keywords",
        "satisfaction, délais, tarifs",
        "satisfaction, delays, prices",
    ),
    ("manage", "Gérer", "Manage"),
    ("member_one_lower", "membre", "member"),
    (
        "no_member_found",
        "Aucun membre ne correspond à cette recherche.",
        "No member matches this search.",
    ),
    (
        "no_topic_yet",
        "Aucun sujet pour l'instant.",
        "No topic yet.",
    ),
    ("restore", "Rétablir", "Bring back"),
    (
        "restore_space_help",
        "L'espace est archivé. Le rétablir le remet sur l'accueil et rouvre l'écriture.",
        "The space is archived. Bringing it back puts it on the home page again and reopens writing.",
    ),
    (
        "restore_topic_help",
        "Le sujet est archivé. Le rétablir le remet dans les listes et rouvre l'écriture.",
        "The topic is archived. Bringing it back puts it in the lists again and reopens writing.",
    ),
    ("restored_ok", "Rétabli.", "Brought back."),
    (
        "roles_intro",
        "Cherchez un membre par son nom, son identifiant ou son adresse e-mail, puis changez son rôle.",
        "Find a member by name, handle or email address, then change their role.",
    ),
    (
        "roles_search",
        "Nom, identifiant ou adresse e-mail",
        "Name, handle or email address",
    ),
    (
        "slug_fixed",
        "Il ne change pas : les liens vers l'espace restent valables.",
        "It does not change, so links to the space keep working.",
    ),
    (
        "slug_optional",
        "Identifiant d'URL (facultatif : tiré du titre)",
        "URL name (optional: made from the title)",
    ),
    (
        "space_archived_notice",
        "Cet espace est archivé : il n'apparaît plus sur l'accueil et personne ne peut plus y écrire.",
        "This space is archived: it no longer appears on the home page and nobody can write in it.",
    ),
    (
        "stay_without_topic",
        "restent dans l'espace, sans sujet",
        "stay in the space, without a topic",
    ),
    (
        "topic_archived_notice",
        "Ce sujet est archivé : il n'apparaît plus dans les listes et personne ne peut plus y écrire.",
        "This topic is archived: it no longer appears in the lists and nobody can write in it.",
    ),
    (
        "topic_needs_space",
        "Créez d'abord un espace : les sujets y sont rangés.",
        "Create a space first: topics live in one.",
    ),
    ("topic_one_lower", "sujet", "topic"),
    ("topics_lower", "sujets", "topics"),
    (
        "type_slug_to_confirm",
        "Pour confirmer, tapez son identifiant d'URL :",
        "To confirm, type its URL name:",
    ),
    ("view", "Voir", "View"),
    ("you", "vous", "you"),
    ("manage_space", "Gérer l'espace", "Manage the space"),
    ("space_name", "Nom de l'espace", "Space name"),
    (
        "slug_hint",
        "Lettres minuscules sans accents, chiffres et tirets : il apparaît dans l'adresse des pages.",
        "Lower-case letters, digits and dashes: it appears in the pages' addresses.",
    ),
    (
        "no_space_title",
        "Aucun espace pour l'instant",
        "No space yet",
    ),
    (
        "no_space_intro",
        "Les conversations ont lieu dans des espaces, et seul un administrateur peut en créer un. Deux façons de commencer :",
        "Conversations take place in spaces, and only an admin can create one. Two ways to start:",
    ),
    (
        "no_space_sign_in",
        "Connectez-vous avec un compte administrateur : le formulaire de création apparaîtra ici.",
        "Sign in with an admin account: the form to create a space will appear here.",
    ),
    (
        "no_space_ask_admin",
        "Demandez à un administrateur de ce site de créer un espace.",
        "Ask an admin of this site to create a space.",
    ),
    (
        "no_space_shell",
        "Sur le serveur, créez un administrateur (la commande affiche un lien de connexion) et un espace :",
        "On the server, create an admin (the command prints a sign-in link) and a space:",
    ),
    (
        "err_generic",
        "Une erreur est survenue ; rien de ce qui était déjà enregistré n'est perdu.",
        "Something went wrong; nothing already saved was lost.",
    ),
    (
        "err_not_found",
        "Cette page n'existe pas, ou plus.",
        "There is no such page.",
    ),
    (
        "err_bad_request",
        "La demande est mal formée.",
        "The request is malformed.",
    ),
    (
        "err_invalid_field",
        "Une valeur n'est pas acceptée ; le champ concerné :",
        "A value was refused; the field:",
    ),
    (
        "err_unauthenticated",
        "Connectez-vous pour continuer.",
        "Sign in to continue.",
    ),
    (
        "err_bad_credentials",
        "Connexion refusée : adresse inconnue ou mot de passe erroné.",
        "Sign-in failed: unknown address or wrong password.",
    ),
    (
        "err_bad_link",
        "Ce lien de connexion n'est plus valable (expiré ou déjà utilisé) : demandez-en un nouveau.",
        "This sign-in link is no longer valid (expired or used): ask for a new one.",
    ),
    (
        "err_forbidden",
        "Vous n'avez pas le droit de faire cela.",
        "You are not allowed to do this.",
    ),
    (
        "err_conflict",
        "Cet élément existe déjà.",
        "This already exists.",
    ),
    (
        "err_rate_limited",
        "Trop de tentatives : réessayez dans quelques minutes.",
        "Too many attempts: try again in a few minutes.",
    ),
    (
        "err_mail_failed",
        "Le courriel n'a pas pu partir ; réessayez plus tard.",
        "The email could not be sent; try again later.",
    ),
    (
        "err_store_unavailable",
        "Le stockage ne répond pas ; réessayez dans un instant.",
        "The store is not answering; try again in a moment.",
    ),
    (
        "err_payload_too_large",
        "L'envoi est trop volumineux.",
        "What was sent is too large.",
    ),
    (
        "err_unsupported_media_type",
        "Ce type de contenu n'est pas accepté.",
        "This content type is not accepted.",
    ),
    ("example_email", "vous@exemple.fr", "you@example.com"),
    ("example_slug", "clients", "customers"),
    ("example_space_name", "Nos clients", "Our customers"),
];

/// Every row: this table, the areas' own (`embed::STRINGS`, `measures::STRINGS`,
/// `live::STRINGS`, `sessions::strings`) and the measure names shared with the digest mail
/// (`parvis_measure::labels::LABELS`).
fn all() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    STRINGS
        .iter()
        .chain(crate::embed::STRINGS)
        .chain(crate::embed::POSTING_STRINGS)
        .chain(crate::measures::STRINGS)
        .chain(parvis_measure::labels::LABELS)
        .chain(crate::live::STRINGS)
        .chain(crate::sessions::strings::STRINGS)
        .chain(crate::content::strings::STRINGS)
}

/// One string in one language (the key itself if unknown, which the tests rule out).
pub(crate) fn get(lang: Lang, key: &str) -> &str {
    all()
        .find(|(k, _, _)| *k == key)
        .map(|(_, fr, en)| if lang == Lang::Fr { *fr } else { *en })
        .unwrap_or(key)
}

/// The table for one language, ready for templates (`{{ t.sign_in }}`).
pub(crate) fn table(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    all()
        .map(|(k, fr, en)| (*k, if lang == Lang::Fr { *fr } else { *en }))
        .collect()
}

/// What an import format reads, in the reader's language (the importer describes it in
/// English for `parvis import --help`).
pub(crate) fn import_format_label(lang: Lang, format: parvis_import::Format) -> &'static str {
    use parvis_import::Format as F;
    if lang == Lang::En {
        return F::all()
            .iter()
            .find(|(f, _)| *f == format)
            .map(|(_, what)| *what)
            .unwrap_or_default();
    }
    match format {
        F::Wxr => "Export WordPress (WXR 1.0 à 1.2) : articles et commentaires en fil",
        F::Disqus => "Export XML Disqus : discussions et commentaires en fil",
        F::Rss => "Flux RSS 2.0, RSS 1.0 ou Atom (reconnu seul), avec ses commentaires s'il en a",
        F::Mbox => "Archive mbox ou Mailman pipermail (.mbox, .txt)",
        F::Maildir => "Dossier Maildir ou fichiers de messages isolés",
        F::Mastodon => "Archive Mastodon / ActivityPub : outbox.json (+ actor.json)",
        F::Discourse => "Sujet Discourse en JSON (un sujet par fichier)",
        F::Slack => "Export Slack (zip ou dossier)",
        F::Twitter => "Archive X/Twitter : tweets.js (+ account.js) ou le dossier de l'archive",
        F::Linkedin => "Export LinkedIn : Shares.csv, Comments.csv ou le dossier de l'export",
        F::Jsonl => "JSON Lines de Parvis (FORMAT-jsonl.md)",
    }
}

/// A search notice in the reader's language (the search index words it in English for the
/// API). A `match`, so that a new notice cannot ship without both languages.
pub(crate) fn search_notice(lang: Lang, notice: parvis_search::Notice) -> String {
    use parvis_search::{MAX_LIMIT, MAX_QUERY_CLAUSES, MAX_WINDOW, Notice as N};
    if lang == Lang::En {
        return notice.english();
    }
    match notice {
        N::LoneMinus => "un « - » seul a été ignoré".into(),
        N::UnbalancedQuote => "guillemet sans son pendant : ignoré".into(),
        N::StrayOperator => "opérateur isolé ignoré".into(),
        N::Punctuation => "la ponctuation et les symboles sont ignorés".into(),
        N::ShortPrefix => "un préfixe demande au moins 2 lettres avant « * » : ignoré".into(),
        N::TooManyWords => {
            format!("trop de mots : seuls les {MAX_QUERY_CLAUSES} premiers ont servi")
        }
        N::QueryTooLong => "recherche trop longue : seul son début a servi".into(),
        N::NoWord => "tapez au moins un mot à chercher".into(),
        N::OnlyExcluded => {
            "ajoutez au moins un mot à chercher : des mots exclus seuls ne trouvent rien".into()
        }
        N::EmptyDateRange => "la période est vide (son début n'est pas avant sa fin)".into(),
        N::PageTooLarge => format!("au plus {MAX_LIMIT} résultats par page"),
        N::TooDeep => format!(
            "seuls les {} premiers résultats se parcourent : précisez la recherche",
            lang.number(MAX_WINDOW as i64)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_notices_are_french_in_french() {
        use parvis_search::Notice as N;
        for n in [
            N::LoneMinus,
            N::UnbalancedQuote,
            N::StrayOperator,
            N::Punctuation,
            N::ShortPrefix,
            N::TooManyWords,
            N::QueryTooLong,
            N::NoWord,
            N::OnlyExcluded,
            N::EmptyDateRange,
            N::PageTooLarge,
            N::TooDeep,
        ] {
            let fr = search_notice(Lang::Fr, n);
            assert_ne!(fr, n.english(), "{n:?}");
            assert_eq!(search_notice(Lang::En, n), n.english());
        }
        assert_eq!(
            search_notice(Lang::Fr, N::TooDeep),
            "seuls les 10\u{202f}000 premiers résultats se parcourent : précisez la recherche"
        );
    }

    #[test]
    fn keys_are_unique_and_translated() {
        let mut seen = std::collections::HashSet::new();
        for (k, fr, en) in all() {
            assert!(seen.insert(k), "duplicate key {k}");
            assert!(!fr.is_empty() && !en.is_empty(), "{k} lacks a translation");
        }
    }

    #[test]
    fn templates_use_only_known_keys() {
        let keys: std::collections::HashSet<_> = all().map(|s| s.0).collect();
        for (name, src) in crate::pages::TEMPLATE_SOURCES
            .iter()
            .chain(crate::measures::TEMPLATES)
            .chain(crate::live::TEMPLATES)
            .chain(crate::sessions::TEMPLATES)
            .chain(crate::content::TEMPLATES)
        {
            let mut rest = *src;
            while let Some(i) = rest.find("t.") {
                let before = rest[..i].chars().last();
                rest = &rest[i + 2..];
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                    continue;
                }
                let key: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                assert!(
                    keys.contains(key.as_str()),
                    "template {name} uses unknown key t.{key}"
                );
            }
        }
    }
}
