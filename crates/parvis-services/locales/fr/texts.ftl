# Texts Parvis writes outside its pages and mails: exports and names it gives.

# The name given to a visitor who signs in from a widget, until they choose one.
widget-default-name = Participant·e

# A topic's synthesis exported as Markdown (one section per closed session).
synthesis-title = Synthèse — { $topic }
synthesis-new-questions = Nouvelles questions
synthesis-conclusions-added = Conclusions ajoutées ou révisées
synthesis-conclusions-removed = Conclusions retirées ou remplacées
synthesis-polls = Sondages
synthesis-recordings = Enregistrements
# The option of a poll without options (agree / disagree).
synthesis-agree = d'accord
synthesis-poll-moved = { $question } ({ $option }) : { $before } % → { $after } %
