# Texts Parvis writes outside its pages and mails: exports and names it gives.

# The name given to a visitor who signs in from a widget, until they choose one.
widget-default-name = Participant

# A topic's synthesis exported as Markdown (one section per closed session).
synthesis-title = Synthesis — { $topic }
synthesis-new-questions = New questions
synthesis-conclusions-added = Conclusions added or revised
synthesis-conclusions-removed = Conclusions withdrawn or replaced
synthesis-polls = Polls
synthesis-recordings = Recordings
# The option of a poll without options (agree / disagree).
synthesis-agree = agree
synthesis-poll-moved = { $question } ({ $option }): { $before }% → { $after }%
