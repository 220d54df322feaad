# Mails Parvis sends, in English. Plain text: no HTML. Each message has its French twin in
# ../fr/mail.ftl with the same variables (a test checks it).

## Sign-in and invitations
signin-link-subject = Your Parvis sign-in link
signin-link-body =
    Hello,

    To sign in, open this link (valid for 30 minutes, once):
    { $link }

    If you did not ask for it, ignore this message.
invitation-subject = You are invited to Parvis
invitation-body =
    Hello,

    You are invited to join our ecosystem on Parvis. Open this link to come in (valid for 7 days, once):
    { $link }

## Taking part from a widget on another site
widget-link-subject = Confirm to take part
widget-link-body =
    Hello,

    To take part in the conversation from { $host }, open this link and press "Confirm" (valid for 30 minutes, once):
    { $link }

    If you did not ask for it, ignore this message.

## Sessions: registration, reminders, closing
registration-link-subject = Confirm your registration: { $title }
registration-link-body =
    Hello { $name },

    To confirm your registration to "{ $title }", open this link (it works once):
    { $link }

    To cancel later: { $cancel }

    If you did not ask for this, ignore this message.
# "in 24 hours", "in 1 hour", "in 30 minutes"
in-hours = in { $count } { $count ->
        [one] hour
       *[other] hours
    }
in-minutes = in { $count } { $count ->
        [one] minute
       *[other] minutes
    }
reminder-subject = Reminder: { $title } starts { $when }
reminder-intro = The session "{ $title }" starts { $when }.
waiting-subject = Waiting list: { $title }
waiting-intro = The session "{ $title }" is full: you are on the waiting list. If a seat frees up, it is yours and we will write to you.
confirmed-subject = Registration confirmed: { $title }
confirmed-intro = Your seat at the session "{ $title }" is confirmed. The invitation is attached (.ics file).
registration-mail-body =
    Hello { $name },

    { $intro }

    When: { $when }
    Session page: { $page }
close-reminder-subject = Session to close: { $title }
close-reminder-body =
    Hello { $name },

    The session "{ $title }" of { $when } has ended but is not closed yet. Until it is, its conclusions are missing from the topic's synthesis.

    A draft report is waiting for you (live room questions, polls, speaking time):
    { $link }

## The weekly measures digest (admins and moderators)
digest-subject = { $space }: the week in measures
digest-intro =
    Hello { $name },

    Here are the measures of the space "{ $space }" over the last { $weeks } { $weeks ->
        [one] week
       *[other] weeks
    }.
digest-pyramid = Engagement pyramid (people, and the change from the previous period):
digest-level = - { $level }: { $count } ({ $change })
digest-objectives = Objectives:
digest-objective = - { $measure }: { $current } / { $target } — { $status }
digest-answered = Community questions answered by staff: { $percent } % ({ $answered } of { $questions }).
digest-answered-median = Community questions answered by staff: { $percent } % ({ $answered } of { $questions }), first answer after { $hours } h (median).
digest-slipping = { $count ->
        [one] { $count } person who used to write has gone quiet.
       *[other] { $count } people who used to write have gone quiet.
    }
digest-presence = Presence index IP: { $ip } ({ $version })
digest-link = The dashboards, with every formula: { $link }

## Challenges: results to each entrant
challenge-won-subject = You won: { $title }
challenge-won-intro = The results of the challenge "{ $title }" are out: { $count ->
        [one] your entry "{ $entries }" is
       *[other] your entries "{ $entries }" are
    } among the winners. Congratulations!
challenge-results-subject = Results: { $title }
challenge-results-intro = The results of the challenge "{ $title }" are out. Your entry was not chosen this time; thank you for taking part.
challenge-results-body =
    Hello { $name },

    { $intro }

    The results: { $page }
# Joins the titles of several winning entries: "A", "B"
challenge-entries-separator = ", "

## Testimonials: a named guest's private withdrawal link
withdrawal-link-subject = Your testimonial "{ $title }": your withdrawal link
withdrawal-link-body =
    Hello { $name },

    Thank you for your testimonial "{ $title }". At any time you can review what you agreed to and withdraw your consent through this personal link (keep it to yourself):
    { $link }

    Withdrawing unpublishes your testimonial everywhere at once.

## Surveys: a personal link to answer without an account
survey-link-subject = { $space } asks your opinion: { $title }
survey-link-body =
    Hello,

    { $space } would like your opinion: "{ $title }". It takes a minute. Open this personal link to answer (no account needed; it works once):
    { $link }

    Your answer is not tied to your address. Please do not forward this link: it answers for you.
