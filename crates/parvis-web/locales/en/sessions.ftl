# Parvis — Sessions: events, registrations, calendars, reports.
# English. Every message here exists in the other language too (a test checks it).

session = Session
sessions = Sessions
sessions_upcoming = Upcoming sessions
sessions_past = Past sessions
no_sessions = No session planned.
new_session = New session
edit_session = Edit the session
schedule_session = Schedule the session
session_state_upcoming = Upcoming
session_state_live = Live
session_state_ended = Ended
session_state_closed = Closed
mode_in_person = In the room
mode_online = Online
mode_phygital = In the room and online
mode_webcast = Webcast
session_ok_registered = You are registered: your seat is confirmed.
session_ok_waiting = The session is full: you are on the waiting list. If a seat frees up, it is yours.
session_ok_pending = Almost done: open the link we just emailed you to confirm your registration.
session_ok_cancelled = Your registration is cancelled.
session_ok_created = The session is scheduled.
session_ok_saved = Changes saved.
session_ok_unlocked = Code accepted: here is the stream link.
session_where = Where and how
session_place = Place
session_online_link = Online link
session_code_needed = The stream link appears once the access code is entered.
session_access_code = Access code
session_unlock = Check the code
access_code_hint = For a webcast. Leave empty to keep the current code; "-" removes it.
seats = seats
on_waiting_list = on the waiting list
agenda = Agenda
agenda_hint = One item per line: "Title | minutes".
minutes = minutes
session_people = Moderators and speakers
moderator_one = Moderator
moderators = Moderators
moderators_hint = Members' handles, comma-separated (yourself when empty).
speaker_one = Speaker
speakers = Speakers
speakers_hint = One per line: "@handle" for a member, "Name — Organisation" for a guest.
registration = Registration
registrations = Registrations
reg_status_pending = Registration waiting for confirmation: open the link you received by email.
reg_status_confirmed = Your seat is confirmed.
reg_status_waiting = You are on the waiting list: if a seat frees up, it is yours.
reg_status_cancelled = Registration cancelled.
reg_short_pending = to confirm
reg_short_confirmed = confirmed
reg_short_waiting = waiting
reg_short_cancelled = cancelled
cancel_registration = Cancel my registration
registrations_closed = Registrations are closed: the session has begun.
session_full = Full: you will join the waiting list.
your_name = Name
register = Register
register_one_click = Register in one click
register_link_hint = You will receive a confirmation link by email. Both boxes above are optional.
session_manage = Manage the session
edit = Edit
repeat_on = New date
repeat_session = Repeat this session
session_start = Start (local time)
duration_minutes = Length (minutes)
time_zone = Time zone
session_mode = Format
capacity = Capacity
capacity_hint = Number of seats; empty for no limit.
partners = Partners
partners_hint = Named in the "share my contact details" box.
see_session = See the session
status = Status
consent_contact_short = May be contacted
consent_share_short = May be shared
no_registrations = No registrations yet.
session_mails = Session emails
mail_sent = sent
mail_given_up = given up after several failures
mail_failed_retry = failed, will retry
mail_planned = planned
no_mails = No emails yet.
mail_to = To
mail_to_moderators = the session's moderators
mail_to_deleted = registration deleted
mail_failure_unreachable = mail server unreachable
mail_failure_address_refused = address refused
mail_failure_refused_for_now = refused for now by the mail server
mail_failure_failed = sending failed
n_attempts =
    { $count ->
        [one] { $count } attempt
       *[other] { $count } attempts
    }
confirm_registration = Confirm the registration
confirm_registration_intro = This link confirms your registration once.
confirm = Confirm
err_datetime = A date and time is expected (YYYY-MM-DD HH:MM).
err_session_begun = This session has already begun: registrations are closed.
err_in_past = This date is in the past.
err_time_zone = Unknown time zone: use a name such as Europe/Paris.
err_agenda_minutes = Each agenda item lasts 1 to 1,440 minutes: write “Title | minutes”, for example “Welcome | 10”.
err_range = This number is out of bounds.
err_below_taken = More seats are already taken: the capacity cannot be lower.
err_access_code = Wrong access code.
err_access_code_required = A webcast session needs an access code: it is what keeps the stream link private.
my_sessions = My sessions
no_my_sessions = You are not registered to any session.
private_calendar = My private calendar
private_calendar_help = A secret address to add to your calendar (Outlook, Google, Apple): your sessions appear there and stay up to date.
private_calendar_shown_once = Copy this address now: it will not be shown again. Keep it to yourself.
private_calendar_create = Create my calendar address
private_calendar_replace = Replace my calendar address (the old one stops working)
topic_calendar = Add to my calendar (iCalendar)
save_choices = Save my choices
leads_csv = Export contacts (CSV)
leads_json = Export contacts (JSON)
leads_for = Contacts for
attendance = Attendance
in_the_room = in the room
online_lower = online
peak = peak:
leads = leads
close_session = Close the session
close_session_help = A draft was prepared from the topic's conversation: read it, complete it, then publish.
close_and_publish = Close and publish the report
edit_report = Edit the report
closing_report = Closing report
conclusions = Conclusions
key_questions = Key questions
recording_links = Recordings
one_per_line = One per line.
organisations = Organisations present
synthesis = Synthesis
new_questions = New questions
conclusions_added = Conclusions added or revised
conclusions_removed = Conclusions withdrawn or replaced
polls_moved = Polls asked again
nothing_changed = Nothing new since the previous session.
no_synthesis = No closed session yet: the synthesis builds up session after session.

## A session's live room, check-in, and what the room adds to the report.
join_live_room = Join the live room
join_live_hint = Questions, votes, polls and raised hands, from your phone or your computer.
session_ok_checked_in = You are checked in the room. Welcome!
session_ok_code_needed = This webcast's live room opens with its access code: enter it below.
session_ok_live_not_open = The live room opens half an hour before the session starts and closes at its end.
checkin_qr = Check-in QR code
checkin_title = Room check-in
checkin_scan = Scan to check in
checkin_explain = Print this page for the room's entrance. The code checks in signed-in members and registrants who opened the link in their confirmation e-mail, from an hour before the start until the end.
checkin_who = We do not know who you are yet: sign in, or open the link in your confirmation e-mail on this phone, then scan the code again. Not registered yet? Register from the session's page.
poll_agree = agree
colon = :
room_top_questions = Questions from the live room
room_polls = Polls of the live room
room_notes = Moderators' notes
respondents = respondents
answered = answered
speaking_fairness = Speaking-time fairness
speaker = Speaker
speaking_time = Speaking time
turns_col = Turns
share_col = Share
vs_fair_share = Against the fair share
over_budget = over budget
discussion_time = Discussion time
fair_share = fair share
speaking_budget = budget
gini_label = Gini coefficient
gini_corrected_label = corrected n/(n−1)
moderator_share_label = moderator's share
fairness_explain = The fair share is the discussion time divided among the invited speakers and everyone who took the floor; the moderator is counted apart. The Gini coefficient goes from 0 (equal time) to 1 (a single voice); those who never spoke count as zero.
nobody_spoke = Nobody took the floor in the live room.
err_checkin_window = Room check-in opens an hour before the session starts and closes at its end.
err_checkin_online = This session is online only: there is no room to check in to.

meet_my_meetings = Your meetings
meet_none_yet = You asked for meetings: proposals will appear here once the moderators have prepared the plan.
meet_slot = Slot
meet_why = In common:
meet_open = Open meeting: no shared subject found yet.
meet_status_proposed = Proposed
meet_status_accepted = Accepted by both
meet_status_declined = Declined
meet_status_met = Took place
meet_you_accepted = you accepted
meet_accept = Accept
meet_decline = Decline
meet_we_met = We met
meet_they_met = They met
meet_plan = Meeting plan
meetings_held = meetings held
meet_slots = Number of slots
meet_slot_minutes = Slot length (minutes)
meet_first_slot = First slot starts
meet_generate = Generate the plan
meet_regenerate = Regenerate the plan
meet_plan_hint = Only confirmed registrants who asked for meetings are proposed. Regenerating keeps accepted and held meetings, and plans again those who declined.
meet_csv = Export the plan (CSV)
meet_time = Time
meet_person = Participant
meet_why_col = In common
meet_no_plan = No meeting planned.
session_ok_meet_answered = Your answer is saved.
session_ok_meet_met = Noted: this meeting took place.
err_meet_not_begun = A meeting can be marked as held once the session has begun.
err_meet_closed = This session is closed: its meeting plan can no longer change.

## Counts: the number and its word, in the plural the number asks for.
n_confirmed =
    { $count ->
        [one] { $count } confirmed seat
       *[other] { $count } confirmed seats
    }
n_leads =
    { $count ->
        [one] { $count } lead
       *[other] { $count } leads
    }
n_meet_opted_in =
    { $count ->
        [one] { $count } participant who asked for meetings
       *[other] { $count } participants who asked for meetings
    }
n_meetings_held =
    { $count ->
        [one] { $count } meeting held
       *[other] { $count } meetings held
    }
n_minutes =
    { $count ->
        [one] { $count } minute
       *[other] { $count } minutes
    }
n_registered =
    { $count ->
        [one] { $count } registered
       *[other] { $count } registered
    }
n_respondents =
    { $count ->
        [one] { $count } respondent
       *[other] { $count } respondents
    }
n_seats =
    { $count ->
        [one] { $count } seat
       *[other] { $count } seats
    }
n_meet_meetings =
    { $count ->
        [one] { $count } meeting proposed
       *[other] { $count } meetings proposed
    }
# A space's time zone (issue 12).
space_zone_is = Time zone:
space_time_zone_help = New sessions and challenge deadlines are entered and shown in this zone (an IANA name such as Europe/Paris or America/Montreal). Those already scheduled keep theirs.
