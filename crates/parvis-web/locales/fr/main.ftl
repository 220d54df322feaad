# Parvis — The interface's general strings: navigation, spaces, threads, members, admin, errors.
# French. Every message here exists in the other language too (a test checks it).

tagline = Le parvis de votre écosystème : clients, partenaires, collaborateurs, en conversation.
spaces = Espaces
topics = Sujets
threads = Discussions
members = Membres
member = Membre
sign_in = Se connecter
sign_out = Se déconnecter
my_account = Mon compte
admin = Administration
email = Adresse e-mail
password = Mot de passe
or = ou
send_link = Recevoir un lien de connexion
link_sent = Si cette adresse est connue, un lien de connexion vient d'être envoyé. Il est valable 30 minutes.
link_confirm_intro = Ce lien vous connecte une seule fois. Confirmez pour ouvrir votre session.
link_confirm = Me connecter
sign_in_intro = Connectez-vous avec votre mot de passe, ou recevez un lien à usage unique par e-mail.
new_thread = Nouvelle discussion
title = Titre
message = Message
markdown_hint = Markdown accepté : **gras**, *italique*, [lien](https://…), listes.
publish = Publier
reply = Répondre
your_reply = Votre réponse
replies = réponses
messages = messages
last_activity = Dernière activité
started_by = Lancée par
in_reply_to = en réponse à
no_threads = Aucune discussion pour l'instant. Lancez la première !
sign_in_to_post = Connectez-vous pour participer.
all_topics = Tous les sujets
no_topic = Sans sujet
topic = Sujet
previous = Précédent
next = Suivant
page = Page
search_members = Chercher un nom, une organisation…
search = Chercher
role = Rôle
organisation = Organisation
ecosystem_role = Rôle dans l'écosystème
site_role = Rôle sur le site
identities = Identités
consents = Consentements
consent_contact = Accepte d'être contacté·e
consent_share_with_partners = Accepte que ses coordonnées soient partagées avec un partenaire
granted = donné

## One's own data: export and deletion (docs/PRIVACY.md).
my_data = Mes données
member_data = Données du membre
download_my_data = Télécharger mes données (JSON)
download_member_data = Télécharger ses données (JSON)
download_data_intro = Tout ce que Parvis garde sur cette personne : profil, adresse, identités, messages, réactions, votes, propositions, consentements et leur historique, demandes de mise en relation, noms des jetons d'API (jamais leurs secrets).
delete_my_account = Supprimer mon compte
delete_member_account = Supprimer le compte { $elide ->
    [yes] d'{ $name }
   *[no] de { $name }
}
delete_intro_own = La suppression est définitive. Votre profil, votre adresse, votre mot de passe, vos identités, vos consentements et leur historique, vos réactions, vos votes, vos préférences de fil, vos demandes de mise en relation et vos jetons d'API sont effacés, et vous êtes déconnecté·e. Pensez à télécharger vos données avant.
delete_intro_admin = À faire à la demande du membre. La suppression est définitive : son profil, son adresse, son mot de passe, ses identités, ses consentements et leur historique, ses réactions, ses votes, ses préférences, ses demandes de mise en relation et ses jetons d'API sont effacés.
held_messages = Messages écrits :
held_votes = Votes :
held_reactions = Réactions :
what_of_messages = Et les messages ?
choice_anonymise = Les garder, anonymisés
choice_anonymise_help = Ils restent dans les conversations, signés « Ancien membre · Former member » : le nom, le profil et tout lien vers la personne disparaissent. Leur texte reste tel quel : s'il la nomme, il la nomme encore.
choice_delete = Les supprimer
choice_delete_help = Ils disparaissent des conversations et de la recherche. Une conversation ouverte par cette personne disparaît si personne d'autre n'y a écrit ; sinon les réponses des autres restent, sous son titre.
confirm_delete = Je comprends que c'est définitif
delete_for_good = Supprimer définitivement
account_deleted = Le compte a été supprimé.
message_deleted_one = message supprimé
message_deleted_many = messages supprimés
message_anonymised_one = message gardé, anonymisé
message_anonymised_many = messages gardés, anonymisés

## Remote images in posts are links until the reader opens them (docs/PRIVACY.md).
remote_image = Image hébergée sur
remote_image_open = cliquez pour l'ouvrir (le site l'apprendra)
withdrawn = retiré
since = depuis le
member_since = Membre depuis
bio = Présentation
display_name = Nom affiché
save = Enregistrer
profile = Profil
network = Réseau
handle = Identifiant
add = Ajouter
verified = vérifiée
api_tokens = Jetons d'API
api_tokens_intro = Pour les intégrations (CRM, site) : envoyez le jeton dans l'en-tête Authorization: Bearer …
token_name = Nom du jeton
create = Créer
revoke = Révoquer
new_token_shown_once = Voici votre jeton. Copiez-le maintenant : il ne sera plus affiché.
last_used = Dernier usage
never = jamais
set_password = Définir un mot de passe
new_password = Nouveau mot de passe (10 caractères au moins)
saved = Enregistré.
create_space = Créer un espace
create_topic = Créer un sujet
keywords = Mots-clés (séparés par des virgules)
description = Description
slug = Identifiant d'URL
space = Espace
invite_member = Inviter un membre
invite = Inviter
invited = Invitation envoyée.
set_roles = Rôles des membres
change = Modifier
not_found_title = Page introuvable
error_title = Quelque chose n'a pas marché
back_home = Retour à l'accueil
language = Langue
react_like = J'aime
react_insightful = Éclairant
react_agree = D'accord
react_question = Question
eco_customer = Client
eco_prospect = Prospect
eco_partner = Partenaire
eco_supplier = Fournisseur
eco_employee = Collaborateur
eco_journalist = Journaliste
eco_investor = Investisseur
eco_expert = Expert
eco_other = Autre
site_admin = Administrateur
site_moderator = Modérateur
site_member = Membre
recent_threads = Discussions récentes
people_in_space = membres
explore = Explorer
footer = Parvis — hébergé par votre organisation. Logiciel libre.
api_docs = API (OpenAPI)
messages_written = messages écrits
channel = Canal
activity = Conversations par sujet
activity_intro = Où l'on parle des sujets que vous avez déclarés : messages par période et par canal, d'après leurs mots-clés.
no_activity = Aucune conversation ne touche encore ce sujet.
activity_period = Période
period_all = Tout
period_12m = 12 derniers mois
period_90d = 90 derniers jours
activity_bucket = Une barre par
bucket_auto = automatique
bucket_week = semaine
bucket_month = mois
bucket_quarter = trimestre
bucket_year = année
bars_per_week = Une barre par semaine
bars_per_month = Une barre par mois
bars_per_quarter = Une barre par trimestre
bars_per_year = Une barre par année
n_weeks =
    { $count ->
        [one] { $count } semaine
       *[other] { $count } semaines
    }
n_months = { $count } mois
n_quarters =
    { $count ->
        [one] { $count } trimestre
       *[other] { $count } trimestres
    }
n_years =
    { $count ->
        [one] { $count } année
       *[other] { $count } années
    }
keywords_short = Mots-clés
identities_review = Identités à rapprocher
identities_intro = Des personnes vues sur plusieurs canaux semblent être les mêmes. Rien n'est fusionné sans votre accord, et toute fusion peut être annulée.
proposals = Propositions
no_proposals = Aucune proposition en attente.
why = Pourquoi :
confidence = confiance
merge = Fusionner
not_same_person = Ce ne sont pas les mêmes
merges_done = Fusions effectuées
unmerge = Annuler la fusion
undone = annulée
import_title = Importer des conversations
import_intro = Ramenez ici les conversations dispersées : blog, forum, liste de diffusion, réseaux sociaux. Réimporter le même export ne crée aucun doublon.
format = Format
file = Fichier
dry_run = Essai à blanc : montrer ce qui serait fait sans rien écrire
import_button = Importer
import_done = Import terminé
dry_run_result = Essai à blanc : rien n'a été écrit
created = créés
created_one = créé
created_f = créées
created_f_one = créée
updated = mis à jour
unchanged = inchangés
matched = reconnus
skipped = Ignorés
opinion_map = Carte des opinions
opinion_intro = Chacun vote sur de courtes affirmations ; la carte regroupe les personnes qui votent de la même façon et montre ce qui rassemble et ce qui divise.
printable = Version imprimable
participants = participants
statements = affirmations
votes = votes
you_are = vous êtes le point cerclé
in_group = dans le groupe
group = Groupe
agree_word = d'accord
disagree_word = pas d'accord
consensus = Ce qui rassemble
divisive = Ce qui divise
map_not_yet = La carte apparaîtra quand au moins deux personnes auront voté sur au moins deux affirmations.
map_failed = La carte n'a pas pu être calculée ; les votes sont bien enregistrés. Réessayez dans un instant.
your_turn = À vous de voter
agree = D'accord
disagree = Pas d'accord
pass = Je passe
all_voted = Vous avez voté sur toutes les affirmations. Proposez-en une !
no_statements_yet = Aucune affirmation à voter pour l'instant. Proposez la première !
add_statement = Proposer une affirmation
statement_hint = Une idée par affirmation, 280 caractères au plus. Elle sera relue avant publication.
submit = Envoyer
to_moderate = À relire
accept = Publier
reject = Refuser
sign_in_to_vote = Connectez-vous pour voter et proposer des affirmations.
statement_received = Merci ! Votre affirmation sera relue avant publication.
search_placeholder = Chercher dans les conversations…
filters = Filtres
author = Auteur
from = Du
to = Au
results = résultats
result_one = résultat
in_word = dans
at_least = au moins
search_help = Astuces : "expression exacte", préfixe*, -exclure, un OR autre. Les accents et les pluriels sont ignorés.
for_you = Pour vous
for_you_intro = Ce qui vous concerne maintenant : d'après ce que vous écrivez, lisez et ce dont parlent les personnes proches de vous.
starter_feed = Vous débutez ici : voici les discussions les plus suivies de cet espace, les plus récentes d'abord. Le fil s'ajustera à vous dès vos premières lectures et réponses.
feed_learned = Classement appris de ce que les membres de cet espace rejoignent vraiment (les
feed_learned_joins = dernières fois qu'un membre a rejoint une discussion).
why_replied = Parce que vous avez répondu à
why_started = Parce que vous avez lancé
why_reacted = Parce que vous avez réagi à
why_read = Parce que vous avez lu
why_topic = Dans votre sujet
why_terms = À propos { $elide ->
    [yes] d'{ $name }
   *[no] de { $name }
}
why_trending = Une discussion animée
why_mentioned = On vous y mentionne
why_starter = Populaire et récent
why_popular = Populaire dans cet espace
muted_topics = Sujets masqués de votre fil :
show_again = Afficher à nouveau
not_interested = Pas intéressé
mute_topic = Masquer le sujet
your_peers = Vos pairs du moment
your_peers_intro = Les personnes dont les préoccupations actuelles sont les plus proches des vôtres.
be_introduced = Se faire présenter à
intro_intro = Les meilleurs chemins passent par des personnes avec qui vous avez vraiment échangé, et qui acceptent d'être sollicitées.
strength = force
threads_shared = discussions partagées
last_exchange = dernier échange le
intro_message = Quelques mots pour expliquer votre demande
ask = Demander à
no_intro_path = Aucun chemin pour l'instant : échangez dans les discussions, le réseau se construit avec vous.
intro_requests = Demandes de mise en relation
asks_you_to_introduce = vous demande de le ou la présenter à
accept_intro = J'accepte de présenter
decline = Décliner
you_asked = Vous avez demandé à
to_introduce_you_to = de vous présenter à
intro_pending = en attente
intro_accepted = acceptée
intro_declined = déclinée
skip_to_content = Aller au contenu

## ----- first hour: the empty home page, the admin area, form errors -----------------
first_space_title = Créez votre premier espace
first_space_admin = Un espace réunit les conversations d'un écosystème : vos clients, vos partenaires, un événement. Vous pourrez ensuite y créer des sujets et importer des conversations.
err_required = Ce champ est obligatoire.
err_too_long =
    { $n ->
        [one] { $n } caractère au plus.
       *[other] { $n } caractères au plus.
    }
err_slug = De 2 à 64 lettres minuscules sans accents, chiffres ou tirets, comme « forum-clients ».
err_email = Une adresse e-mail comme marie@exemple.fr.
err_handle = De 2 à 40 lettres minuscules, chiffres, points, tirets ou soulignés.
err_choice = Choisissez une des valeurs proposées.
err_password_length = De 10 à 200 caractères.
err_confirm = Ce n'est pas l'identifiant d'URL : rien n'a été supprimé.
err_other = Cette valeur n'est pas acceptée.
err_taken_slug = Cet identifiant d'URL est déjà pris : choisissez-en un autre.
err_taken_email = Un membre a déjà cette adresse e-mail.
err_taken = Cela existe déjà.
err_characters = Ce texte contient un caractère de contrôle ou d'inversion du sens de lecture ({ $code }, caractère n° { $at }) : retirez-le.
form_has_errors = Le formulaire n'a pas été enregistré : corrigez les champs signalés.
archive = Archiver
archive_space_help = Archiver retire l'espace de l'accueil et le passe en lecture seule : ses pages restent lisibles à leur adresse, personne ne peut plus y écrire. Vous pourrez le rétablir.
archive_topic_help = Archiver retire le sujet des listes et le passe en lecture seule. Vous pourrez le rétablir.
archived_badge = archivé
archived_ok = Archivé.
clear_search = Tout afficher
delete_forever = Supprimer définitivement
delete_lost = La suppression est définitive et emporte :
delete_prefer_archive = Pour seulement masquer l'espace, archivez-le plutôt : cela se rétablit.
delete_space = Supprimer l'espace
delete_topic = Supprimer le sujet
delete_topic_what = La suppression est définitive :
deleted_ok = Supprimé.
edit_space = Modifier l'espace
edit_topic = Modifier le sujet
example_keywords = satisfaction, délais, tarifs
manage = Gérer
member_one_lower = membre
no_member_found = Aucun membre ne correspond à cette recherche.
no_topic_yet = Aucun sujet pour l'instant.
restore = Rétablir
restore_space_help = L'espace est archivé. Le rétablir le remet sur l'accueil et rouvre l'écriture.
restore_topic_help = Le sujet est archivé. Le rétablir le remet dans les listes et rouvre l'écriture.
restored_ok = Rétabli.
roles_intro = Cherchez un membre par son nom, son identifiant ou son adresse e-mail, puis changez son rôle.
roles_search = Nom, identifiant ou adresse e-mail
slug_fixed = Il ne change pas : les liens vers l'espace restent valables.
slug_optional = Identifiant d'URL (facultatif : tiré du titre)
space_archived_notice = Cet espace est archivé : il n'apparaît plus sur l'accueil et personne ne peut plus y écrire.
topic_archived_notice = Ce sujet est archivé : il n'apparaît plus dans les listes et personne ne peut plus y écrire.
topic_needs_space = Créez d'abord un espace : les sujets y sont rangés.
topic_one_lower = sujet
topics_lower = sujets
type_slug_to_confirm = Pour confirmer, tapez son identifiant d'URL :
view = Voir
you = vous
manage_space = Gérer l'espace
space_name = Nom de l'espace
slug_hint = Lettres minuscules sans accents, chiffres et tirets : il apparaît dans l'adresse des pages.
no_space_title = Aucun espace pour l'instant
no_space_intro = Les conversations ont lieu dans des espaces, et seul un administrateur peut en créer un. Deux façons de commencer :
no_space_sign_in = Connectez-vous avec un compte administrateur : le formulaire de création apparaîtra ici.
no_space_ask_admin = Demandez à un administrateur de ce site de créer un espace.
no_space_shell = Sur le serveur, créez un administrateur (la commande affiche un lien de connexion) et un espace :
err_generic = Une erreur est survenue ; rien de ce qui était déjà enregistré n'est perdu.
err_not_found = Cette page n'existe pas, ou plus.
err_bad_request = La demande est mal formée.
err_invalid_field = Une valeur n'est pas acceptée ; le champ concerné :
err_unauthenticated = Connectez-vous pour continuer.
err_bad_credentials = Connexion refusée : adresse inconnue ou mot de passe erroné.
err_bad_link = Ce lien de connexion n'est plus valable (expiré ou déjà utilisé) : demandez-en un nouveau.
err_forbidden = Vous n'avez pas le droit de faire cela.
err_conflict = Cet élément existe déjà.
err_rate_limited = Trop de tentatives : réessayez dans quelques minutes.
err_mail_failed = Le courriel n'a pas pu partir ; réessayez plus tard.
err_store_unavailable = Le stockage ne répond pas ; réessayez dans un instant.
err_payload_too_large = L'envoi est trop volumineux.
err_unsupported_media_type = Ce type de contenu n'est pas accepté.
example_email = vous@exemple.fr
example_slug = clients
example_space_name = Nos clients

staff_badge = équipe
staff_mark = Compter comme équipe
staff_unmark = Ne plus compter comme équipe
staff_help = L'équipe parle au nom de l'organisation : ses messages comptent dans le tableau éditorial, pas dans la pyramide. Administrateurs et modérateurs en font partie d'office.

## Counts: the number and its word, in the plural the number asks for.
n_matched =
    { $count ->
        [one] { $count } reconnu
       *[other] { $count } reconnus
    }
n_messages =
    { $count ->
        [one] { $count } message
       *[other] { $count } messages
    }
n_more_in_thread =
    { $count ->
        [one] { $count } autre message de cette discussion correspond
       *[other] { $count } autres messages de cette discussion correspondent
    }
n_participants =
    { $count ->
        [one] { $count } participant
       *[other] { $count } participants
    }
n_members =
    { $count ->
        [one] { $count } membre
       *[other] { $count } membres
    }
n_proposals =
    { $count ->
        [one] { $count } proposition
       *[other] { $count } propositions
    }
n_replies =
    { $count ->
        [one] { $count } réponse
       *[other] { $count } réponses
    }
n_replies_exchanged =
    { $count ->
        [one] { $count } réponse échangée
       *[other] { $count } réponses échangées
    }
n_results =
    { $count ->
        [one] { $count } résultat
       *[other] { $count } résultats
    }
n_statements =
    { $count ->
        [one] { $count } affirmation
       *[other] { $count } affirmations
    }
n_threads =
    { $count ->
        [one] { $count } discussion
       *[other] { $count } discussions
    }
n_threads_stay =
    { $count ->
        [one] { $count } discussion reste dans l'espace, sans sujet
       *[other] { $count } discussions restent dans l'espace, sans sujet
    }
n_statements_deleted =
    { $count ->
        [one] { $count } affirmation supprimée avec ses votes
       *[other] { $count } affirmations supprimées avec leurs votes
    }
n_threads_shared =
    { $count ->
        [one] { $count } discussion partagée
       *[other] { $count } discussions partagées
    }
n_topics =
    { $count ->
        [one] { $count } sujet
       *[other] { $count } sujets
    }
n_unchanged =
    { $count ->
        [one] { $count } inchangé
       *[other] { $count } inchangés
    }
n_votes =
    { $count ->
        [one] { $count } vote
       *[other] { $count } votes
    }
n_why_peers =
    { $count ->
        [one] { $count } personne proche de vous en discute
       *[other] { $count } personnes proches de vous en discutent
    }

## Import formats, by the name `parvis import --format` takes.
import_skip_deleted = supprimés ou masqués à la source
import_skip_spam = signalés comme indésirables
import_skip_unapproved = en attente d'approbation
import_skip_not_published = non publiés (brouillons, privés, programmés)
import_skip_not_a_conversation = hors conversation (pièces jointes, rétroliens, petites actions)
import_skip_notice = avis de canal (arrivées, départs, changements de sujet)
import_skip_direct_message = messages privés ou directs
import_skip_share = partages du message d'un autre (boosts, retweets)
import_skip_under_skipped_post = commentaires d'un article écarté
import_skip_duplicate = même identifiant deux fois dans l'export
import_skip_unreadable = illisibles
import_skip_other_file = fichiers du dossier dans un autre format (pages d'index d'une archive)
import_format_wxr = Export WordPress (WXR 1.0 à 1.2) : articles et commentaires en fil
import_format_disqus = Export XML Disqus : discussions et commentaires en fil
import_format_rss = Flux RSS 2.0, RSS 1.0 ou Atom (reconnu seul), avec ses commentaires s'il en a
import_format_mbox = Archive mbox ou Mailman pipermail (.mbox, .txt, compressés ou non)
import_format_maildir = Dossier Maildir ou fichiers de messages isolés
import_format_mastodon = Archive Mastodon / ActivityPub : outbox.json (+ actor.json)
import_format_discourse = Sujet Discourse en JSON (un sujet par fichier)
import_format_slack = Export Slack (zip ou dossier)
import_format_twitter = Archive X/Twitter : tweets.js (+ account.js) ou le dossier de l'archive
import_format_linkedin = Export LinkedIn : Shares.csv, Comments.csv ou le dossier de l'export
import_format_jsonl = JSON Lines de Parvis (FORMAT-jsonl.md)

## Search notices: what happened to the query (the API says them in English).
search_notice_lone_minus = un « - » seul a été ignoré
search_notice_unbalanced_quote = guillemet sans son pendant : ignoré
search_notice_stray_operator = opérateur isolé ignoré
search_notice_punctuation = la ponctuation et les symboles sont ignorés
search_notice_short_prefix = un préfixe demande au moins 2 lettres avant « * » : ignoré
search_notice_too_many_words = trop de mots : seuls les { $max } premiers ont servi
search_notice_query_too_long = recherche trop longue : seul son début a servi
search_notice_no_word = tapez au moins un mot à chercher
search_notice_only_excluded = ajoutez au moins un mot à chercher : des mots exclus seuls ne trouvent rien
search_notice_empty_date_range = la période est vide (son début n'est pas avant sa fin)
search_notice_page_too_large = au plus { $max } résultats par page
search_notice_too_deep = seuls les { $max } premiers résultats se parcourent : précisez la recherche

# Where a member came from, on /admin/members
member_origin_widget = origine : widget sur
member_origin_sso = origine : connexion unique, clé
member_origin_help = Créé lors de sa première connexion depuis un widget intégré ou par la connexion unique d'un site hôte
