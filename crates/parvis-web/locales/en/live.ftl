# Parvis — Live rooms. Keys starting with js_ are read by the room's script.
# English. Every message here exists in the other language too (a test checks it).

live_rooms_title = Live rooms
live_rooms_intro = During a debate, everyone asks questions, votes, answers polls and raises a hand; the moderator gives the floor and keeps speaking time fair.
live_no_rooms = No room yet.
live_open_room = Open a room
live_room_title = Room title
live_topic = Topic
live_no_topic = No topic
live_allow_anonymous = Allow anonymous questions
live_require_approval = Approve each question before it is shown
live_budget = Speaking budget (multiple of the fair share, 1.5 by default)
live_bad_topic = Choose a topic from the list.
live_bad_budget = The budget is a number between 1 and 10, such as 1.5.
live_enter = Enter
live_console = Moderator console
live_screen = Big screen
live_participant_view = Participant view
live_join_title = Join the room
live_join_intro = Give the name you take part under, or sign in with your account.
live_your_name = Your name
live_join = Join
live_agenda = Agenda
live_floor = The floor
live_questions = Questions
live_ask = Ask
live_your_question = Your question
live_anonymous = Anonymously
live_sort = Sort
live_sort_votes = by votes
live_sort_time = by time
live_polls = Polls
live_hand = Raised hand
live_connecting = Connecting…
live_hands = Raised hands
live_take_back = Take the floor back
live_speak_myself = Speak myself
live_guest_name = Speaker without a device
live_give_floor = Give the floor
live_invited = Invited speakers
live_invite = Invite
live_agenda_item = Agenda item
live_minutes = Length (minutes)
live_set_agenda = Update
live_new_poll = New poll
live_poll_title = Question asked
live_poll_kind = Kind
live_kind_single = Single choice
live_kind_multiple = Multiple choice
live_kind_scale5 = Scale from 1 to 5
live_kind_scale10 = Scale from 0 to 10
live_kind_cloud = Word cloud
live_kind_ranking = Ranking
live_options = Options (one per line)
live_hide_results = Hide results until the poll closes
live_launch = Launch
live_fairness = Speaking-time fairness
live_scan = Scan to join

## Before a session starts, its room says when (the script shows them, each written here).
live_starts_in_days = Starts in { $count } { $count ->
    [one] day
   *[other] days
}
live_starts_in_hours = Starts in { $count } { $count ->
    [one] hour
   *[other] hours
}
live_starts_in_minutes = Starts in { $count } { $count ->
    [one] minute
   *[other] minutes
}

## Handed to the room's script.
js_connected = Connected
js_reconnecting = Connection lost, reconnecting…
js_closed_by_server = Connection closed:
js_nobody_speaks = Nobody has the floor
js_time_left = Time left
js_no_questions = No question yet.
js_vote = Vote
js_unvote = Take my vote back
js_votes_one = vote
js_votes_other = votes
js_anonymous = Anonymous
js_pending = Awaiting approval
js_hidden = Hidden
js_merged = Merged into question
js_pinned = Pinned
js_answered = Answered
js_approve = Approve
js_pin = Pin
js_unpin = Unpin
js_mark_answered = Mark answered
js_reply = Reply
js_reply_prompt = Your written reply:
js_hide = Hide
js_merge = Merge
js_merge_prompt = Merge into question no.:
js_close_poll = Close the poll
js_closed = Closed
js_results_hidden = Results shown when the poll closes
js_respondents_one = answer
js_respondents_other = answers
js_average = Average
js_send = Send
js_saved = Answer saved
js_up = Up
js_raise_hand = Raise my hand
js_lower_hand = Lower my hand
js_queue_position = Your place in the queue:
js_give_floor = Give the floor
js_lower = Lower
js_no_hands = No raised hand.
js_speaker = Speaker
js_total = Time
js_turns = Turns
js_share = Share
js_fair_share = Fair share
js_gini = Gini coefficient
js_gini_corrected = corrected n/(n−1)
js_moderator_share = Moderator's share
js_over_budget = is over their speaking budget
js_on_screen = On screen
js_watch_only = Join the room to take part.
live_registrants_hint = Pick from the registrants, or type a guest's name.
live_ask_again = Ask the previous session's polls again
live_notes = Moderators' notes
live_notes_help = Seen by the moderators only; they are offered in the closing report's draft.
live_note = Note
live_add_note = Add the note
js_no_notes = No note yet.
