# Mails Parvis sends, in French. Plain text: no HTML. Each message has its English twin in
# ../en/mail.ftl with the same variables (a test checks it).

## Sign-in and invitations
signin-link-subject = Votre lien de connexion à Parvis
signin-link-body =
    Bonjour,

    Pour vous connecter, ouvrez ce lien (valable 30 minutes, une seule fois) :
    { $link }

    Si vous n'avez rien demandé, ignorez ce message.
invitation-subject = Vous êtes invité·e sur Parvis
invitation-body =
    Bonjour,

    Vous êtes invité·e à rejoindre notre écosystème sur Parvis. Ouvrez ce lien pour entrer (valable 7 jours, une seule fois) :
    { $link }

## Taking part from a widget on another site
widget-link-subject = Confirmez votre participation
widget-link-body =
    Bonjour,

    Pour participer à la conversation depuis { $host }, ouvrez ce lien puis cliquez sur « Confirmer » (valable 30 minutes, une seule fois) :
    { $link }

    Si vous n'avez rien demandé, ignorez ce message.

## Sessions: registration, reminders, closing
registration-link-subject = Confirmez votre inscription : { $title }
registration-link-body =
    Bonjour { $name },

    Pour confirmer votre inscription à « { $title } », ouvrez ce lien (il ne sert qu'une fois) :
    { $link }

    Pour annuler plus tard : { $cancel }

    Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.
# "dans 24 heures", "dans 1 heure", "dans 30 minutes"
in-hours = dans { $count } { $count ->
        [one] heure
       *[other] heures
    }
in-minutes = dans { $count } { $count ->
        [one] minute
       *[other] minutes
    }
reminder-subject = Rappel : { $title } commence { $when }
reminder-intro = La session « { $title } » commence { $when }.
waiting-subject = Liste d'attente : { $title }
waiting-intro = La session « { $title } » est complète : vous êtes sur la liste d'attente. Si une place se libère, elle vous revient et vous recevrez un message.
confirmed-subject = Inscription confirmée : { $title }
confirmed-intro = Votre place à la session « { $title } » est confirmée. L'invitation est jointe (fichier .ics).
registration-mail-body =
    Bonjour { $name },

    { $intro }

    Quand : { $when }
    Page de la session : { $page }
close-reminder-subject = Session à clore : { $title }
close-reminder-body =
    Bonjour { $name },

    La session « { $title } » du { $when } est terminée mais pas encore close. Tant qu'elle ne l'est pas, ses conclusions manquent à la synthèse du sujet.

    Un brouillon du compte rendu vous attend (questions du direct, sondages, temps de parole) :
    { $link }

## The weekly measures digest (admins and moderators)
digest-subject = { $space } : la semaine en mesures
digest-intro =
    Bonjour { $name },

    Voici les mesures de l'espace « { $space } » sur { $weeks } { $weeks ->
        [one] semaine
       *[other] semaines
    }.
digest-pyramid = Pyramide de l'engagement (personnes, et l'écart avec la période précédente) :
digest-level = - { $level } : { $count } ({ $change })
digest-objectives = Objectifs :
digest-objective = - { $measure } : { $current } / { $target } — { $status }
digest-answered = Questions de la communauté ayant une réponse de l'équipe : { $percent } % ({ $answered } sur { $questions }).
digest-answered-median = Questions de la communauté ayant une réponse de l'équipe : { $percent } % ({ $answered } sur { $questions }), première réponse en { $hours } h (médiane).
digest-slipping = { $count ->
        [one] { $count } personne qui écrivait n'écrit plus.
       *[other] { $count } personnes qui écrivaient n'écrivent plus.
    }
digest-presence = Indice de présence IP : { $ip } ({ $version })
digest-link = Les tableaux de bord, avec chaque formule : { $link }

## Challenges: results to each entrant
challenge-won-subject = Vous avez gagné : { $title }
challenge-won-intro = Les résultats du défi « { $title } » sont annoncés : { $count ->
        [one] votre participation « { $entries } » fait partie des lauréats
       *[other] vos participations « { $entries } » font partie des lauréats
    }. Félicitations !
challenge-results-subject = Résultats : { $title }
challenge-results-intro = Les résultats du défi « { $title } » sont annoncés. Votre participation n'a pas été retenue cette fois ; merci d'avoir participé.
challenge-results-body =
    Bonjour { $name },

    { $intro }

    Les résultats : { $page }
# Joins the titles of several winning entries: « A », « B »
challenge-entries-separator =  », « 

## Testimonials: a named guest's private withdrawal link
withdrawal-link-subject = Votre témoignage « { $title } » : votre lien de retrait
withdrawal-link-body =
    Bonjour { $name },

    Merci pour votre témoignage « { $title } ». Vous pouvez à tout moment revoir ce que vous avez accepté et retirer votre consentement par ce lien personnel (gardez-le pour vous) :
    { $link }

    Le retrait dépublie aussitôt votre témoignage partout.

## Surveys: a personal link to answer without an account
survey-link-subject = { $space } vous demande votre avis : { $title }
survey-link-body =
    Bonjour,

    { $space } aimerait avoir votre avis : « { $title } ». Cela prend une minute. Ouvrez ce lien personnel pour répondre (sans compte ; il ne sert qu'une fois) :
    { $link }

    Votre réponse n'est pas liée à votre adresse. Merci de ne pas transférer ce lien : il répond en votre nom.
