# Parvis — Measures: dashboards, objectives, surveys, event figures.
# English. Every message here exists in the other language too (a test checks it).

m_title = Measures
m_intro = What the community is becoming, measured without merging what must stay apart: notoriety beside legitimacy, objectives first. Each chart says what it counts, each formula is written under it, each figure can be exported.
m_period = Period
m_events = Events and return on investment
m_events_intro = What each session, and each series of sessions on one topic, brought in against what it cost. Costs are entered session by session.
m_events_title = All sessions: registered, confirmed, attending, leads, conversions
m_ev_registered = Registered
m_ev_confirmed = Confirmed
m_ev_attended = Attending
m_ev_room = in the room
m_ev_online = online
m_ev_leads = Leads
m_ev_conversions = Conversions
m_ev_value = Value
m_ev_cost = Cost
m_ev_roi = ROI
m_ev_session = Session
m_ev_series = Series
m_ev_total = All sessions
m_ev_save = Save
m_ev_none = No session in this space yet.
m_ev_costs_known = sessions whose cost is known
m_err_cost = A cost is a positive amount, such as 1200 or 1200.50.
f_events = Registered: registrations not cancelled. Attending: people seen in the room (check-in) or online during the session, counted once. Leads: confirmed registrants who agree to be contacted (a withdrawn consent no longer counts). Conversions: transactions the organisation's site reported for clicks on the session's embeds, and their value. ROI = (value − cost) / cost, over the sessions whose cost is known.
m_computed_at = Figures computed on
m_computed_note = ; they are brought up to date in the background as activity arrives: reload the page to see the latest.
m_previous_period = previous period
m_download = Download
m_formula = Formula
m_not_yet = not yet measured
m_none = —
m_objectives = Objectives
m_objectives_intro = Realise before measuring: an objective is a measure, a target, a date and a segment. Progress is read against a straight line from the value on the day it was declared to the target on the due date (5% grace).
m_no_objectives = No objective declared.
m_measure = Measure
m_target = Target
m_due = Due date
m_segment = Segment
m_segment_help = Empty for the whole space, or channel:email, ecosystem_role:partner, organisation:Acme, topic:SLUG, origin:imported.
m_baseline = Baseline
m_current = Current
m_status = Status
m_add_objective = Declare the objective
m_delete = Delete
m_pyramid = Engagement pyramid
m_pyramid_title = People per engagement level over the period
m_thresholds = Thresholds
m_staff_excluded = excluded
m_staff_included = included
f_pyramid = Audience: registered, reading or following only. Reactors: reacted to a message or voted (on a challenge entry, an opinion statement, a live question or poll), wrote nothing. Contributors: wrote at least one message. Engaged: wrote in at least R distinct weeks of the period and answered others at least A times. Ambassadors: wrote and brought in at least B people in the period, counting each introduction they made that was accepted, each person who came through their share link and then registered, entered a challenge, replied or made a transaction the organisation's site reported (visits and clicks alone do not count), and each testimonial or interview they gave that is published with their consent in force. A person merged across channels counts once.
m_flows = Flows between levels
m_flows_title = People per level of the previous period: moved up, held, moved down
m_moved_up = moved up
m_held = held
m_moved_down = moved down
m_level_before = Level before
f_flows = Each person's level in the previous period against the current one; someone absent from a period counts as audience in it.
m_slipping = Slipping away
m_slipping_intro = People who wrote in the previous period and write no more.
m_nobody_slipping = Nobody is slipping away.
m_posts_before = Messages before
m_last_active = Last active
m_scores = Activity score
m_weights = Weights
f_score = Score = Σ weight(activity) × 0.5^(age in days / half-life). Activity is dated at the middle of its week.
m_score = Score
m_level = Level
m_notoriety = Notoriety
m_notoriety_intro = Who can hear the space: audience size and reach.
m_readers = Signed-in readers
m_imported = People from other channels
m_embed_impressions = Embed impressions
m_legitimacy = Legitimacy
m_legitimacy_intro = Who carries the space: the top two levels, the answers given to others, the testimonials. Never merged with notoriety.
m_top_two = Engaged and ambassadors
m_answers_given = Answers given to others
m_testimonials = Testimonials
m_channels = Activity per channel
m_channels_title = Messages per channel and week, over two years
m_scorecard = Editorial scorecard
m_scorecard_intro = The organisation's own voice: admin and moderator accounts.
m_scorecard_title = Shares: staff answers, coherence, self-promotion, plan kept
m_publications = Publications
m_per_week = Per week
m_plan = Declared plan (per week)
m_plan_ratio = Plan kept (share of the plan, at most 100%)
m_irregularity = Gap irregularity
m_questions = Community questions
m_answer_share = Questions answered by staff
m_within_48h = Staff answer within 48 h
m_median_first = Median time to first staff answer (hours)
m_coherence = Publications on declared topics
m_readability_en = Readability, English (Flesch)
m_readability_fr = Readability, French (Kandel & Moles)
m_self_promotion = Self-promotion
m_reference_411 = 4-1-1 reference: about 1 in 6 (17%)
f_regularity = Regularity = publications ÷ weeks, against the plan; irregularity = standard deviation of the gaps between publications ÷ their mean (0 = perfectly even).
f_fidelity = Fidelity = questions (threads opened by non-staff) with a staff reply ÷ questions; median time from the question to the first staff reply.
f_coherence = Coherence = staff publications tagged with a declared topic ÷ publications.
f_readability = English: Flesch = 206.835 − 1.015 × words/sentence − 84.6 × syllables/word (syllables: groups of vowels, minus a silent final e). French: Kandel & Moles = 207 − 1.015 × words/sentence − 73.6 × syllables/word (syllables from the TeX French hyphenation patterns). Higher is easier.
f_self_promotion = Self-promotion = staff publications naming the organisation, its products or events ÷ publications.
m_surveys = Surveys
m_surveys_intro = Send it by email (each address gets a personal link that answers once, no account needed) or embed it (visitors sign in from the widget): one answer per person. Employee surveys (eNPS) show no score under 5 respondents, no comment under 10, and no complementary group that would reveal a hidden one by subtraction.
m_no_surveys = No survey yet.
m_kind = Kind
m_kind_nps = NPS (recommendation, 0–10)
m_kind_enps = eNPS (employees, 0–10)
m_kind_csat = CSAT (satisfaction, 1–5)
m_kind_ces = CES (ease, 1–7)
m_respondents = Respondents
m_respondent_one = respondent
m_respondent_many = respondents
m_margin = margin
m_small_sample = small sample (under 30)
m_hidden = hidden (anonymity)
m_link = Link
m_create_survey = Create the survey
m_comments = Comments
f_nps = NPS = % promoters (9–10) − % detractors (0–6); margin ± 1.96 × 100 × √((p + d − (p − d)²) ÷ n). CSAT = % of 4 and 5 on 1–5; margin ± 1.96 × 100 × √(s(1 − s) ÷ n). CES = mean on 1–7 (“the organisation made it easy for me”); margin ± 1.96 × standard deviation ÷ √n.
m_presence = Presence index
m_presence_title = IP, IPe and IPi (0–100) per week
m_presence_intro = Not a scientific instrument: a written, versioned, weighted convention.
m_missing = Components without data (weights redistributed)
m_formula_version = Formula version
m_sentiment = Sentiment of conversations about the organisation
f_presence = Each component is put on 0–100: NPS and eNPS (score + 100) ÷ 2; CSAT as is; CES (mean − 1) ÷ 6 × 100; responsiveness = share of questions answered by staff × 100; sentiment (−1..1, VADER lexicon in English under the MIT licence, Parvis's own lexicon in French) (s + 1) ÷ 2 × 100; participation = share of staff accounts that wrote × 100. IPe = Σ weight × external components; IPi = Σ weight × internal components; IP = wₑ × IPe + wᵢ × IPi. Each group of weights sums to 1.
m_survey_question_nps = How likely are you to recommend us to a friend or colleague?
m_survey_question_enps = How likely are you to recommend our organisation as a place to work?
m_survey_question_csat = How satisfied are you? (1 = not at all, 5 = completely)
m_survey_question_ces = The organisation made it easy for me. (1 = strongly disagree, 7 = strongly agree)
m_your_score = Your score
m_comment = Comment (optional)
m_group = Team or department (optional)
m_send_answer = Send my answer
m_thanks = Thank you, your answer is recorded.
m_already = You have already answered this survey: one answer per person.
m_closed = This survey is closed: it takes no more answers.
m_sign_in_to_answer = Sign in to answer (one answer per person).
m_anonymous_note = Your answer is not linked to your account: only a hash stops a second answer.
m_err_score = Choose a score from { $lo } to { $hi }.
m_err_weights = The weights of this group must sum to 1.
m_err_due = Choose a date in the future (YYYY-MM-DD).
m_err_target = Give a number.
m_err_measure = Choose a measure from the list.
m_err_segment = Leave empty, or write KIND:VALUE (channel, ecosystem_role, organisation, topic).
m_err_segment_measure = On a segment, choose a level of the pyramid (audience, reactors, contributors, engaged, ambassadors) or the share of the top two levels; the other measures are the whole space's: leave the segment empty.
m_err_answer_twice = You have already answered.
# The Presence score's weights; the numbers come written as decimals of the language.
m_weights_text = message { $post }, answer { $answer }, reaction { $reaction }, read { $read }, person brought in { $referral }; half-life { $half } days
m_th_regular = regular
m_th_answers = answers others
m_th_referrals = ambassador
m_th_staff = staff
m_th_n_weeks =
    { $count ->
        [one] { $count } distinct week at least
       *[other] { $count } distinct weeks at least
    }
m_th_n_answers =
    { $count ->
        [one] { $count } answer at least
       *[other] { $count } answers at least
    }
m_th_n_people =
    { $count ->
        [one] { $count } person brought in at least
       *[other] { $count } people brought in at least
    }

m_ev_meetings = Meetings held

m_segment_all = The whole space
m_segment_show = Show
m_segment_note = Pyramid, flows, people slipping away and scores restricted to this segment; the other measures cover the whole space.
m_segment_topic_note = A topic gathers the people who wrote in it during the two periods; their level counts all their activity in the space.
m_kind_ecosystem_role = Ecosystem role
m_kind_organisation = Organisation
m_kind_channel = Channel
m_kind_topic = Topic
m_kind_origin = Origin
m_origin_native = Written on Parvis
m_origin_imported = Imported from other channels

## Counts: the number and its word, in the plural the number asks for.
m_n_weeks =
    { $count ->
        [one] { $count } week
       *[other] { $count } weeks
    }

# Issue 16: a settings change that changes what is counted (period, half-life).
m_recomputing = Your new settings change the period or the half-life: the figures below still follow the previous settings while they are recomputed in the background. Reload the page in a few seconds.

# Surveys sent by email (personal links) and embedded.
m_mailing = By email
m_mailed_n = { $count ->
        [one] { $count } mailed
       *[other] { $count } mailed
    }
m_answered_by_link_n = { $count ->
        [one] { $count } answered by link
       *[other] { $count } answered by link
    }
m_send_survey = Send by email
m_send_emails = Addresses, one per line (at most 5,000)
m_send_audience = Also send to
m_audience_none = no member
m_audience_members = every member
m_audience_role = Members by ecosystem role
m_send = Send
m_send_note = Each address is mailed once per survey, in the member's language or else in yours. Only counts are kept: who answered is never shown.
m_sent_notice = { $count ->
        [one] The survey is being mailed to { $count } address.
       *[other] The survey is being mailed to { $count } addresses.
    }
m_err_emails_line = Line { $line }: "{ $entry }" is not an email address.
m_err_emails_too_many = At most { $max } addresses per sending.
m_err_emails_required = Paste at least one address, or choose members to send to.
m_link_used = This personal link has already been used to answer: one answer per link.
m_link_unknown = This personal link is not valid (mistyped, or replaced by a newer mail). Ask whoever sent it for a new one.
m_link_note = No account needed. Your answer is not tied to your address.

# Closing a survey (no reopening).
m_closed_chip = closed
m_close_survey = Close the survey
m_close_note = No more answers will be accepted, from the page, a personal link, the widget or the API, and the emails not sent yet will not go (their addresses are deleted). The answers and the figures stay. A closed survey is not reopened.
m_close_confirm = Close for good
m_closed_notice = { $count ->
        [0] The survey is closed.
        [one] The survey is closed; { $count } pending email will not go.
       *[other] The survey is closed; { $count } pending emails will not go.
    }
