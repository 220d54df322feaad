# Parvis — Embeds: the widgets, their admin page, oEmbed.
# English. Every message here exists in the other language too (a test checks it).

embed = Embed
embed_admin = Embeds
embed_admin_intro = Where this space's conversations may be shown, the call to action they carry, and what they bring.
embed_settings = Sites and call to action
embed_origins = Allowed sites
embed_origins_hint = One origin per line (https://www.example.org). Empty: anywhere.
embed_cta_label = Call-to-action label
embed_cta_url = Call-to-action address
embed_cta_hint = The default for every embed of the space. The click goes through Parvis, which appends parvis_click=… to the address.
embed_cta_one = Call to action of one embed
embed_key = Embed
embed_cta_one_hint = Empty label: the embed goes back to the space's call to action.
embed_secret = Conversion signing secret
embed_secret_hint = Your server signs each conversion with this secret (HMAC-SHA256). The pixel is not signed: it only counts a known click under 30 days old, once per transaction.
embed_secret_none = No secret yet: save the settings above to create one.
embed_rotate = Rotate the secret
embed_rotate_confirm = Create a new secret? The old one stays accepted until the next rotation.
embed_funnel = Funnel
embed_from = From
embed_to = to
embed_show = Show
embed_csv = Export as CSV
embed_host = Host page
embed_impressions = Impressions
embed_engagements = Engagements
embed_clicks = Clicks
embed_conversions = Conversions
embed_visitors = Visitors
embed_value = Value
embed_total = Total
embed_no_data = Nothing over this period.
embed_counting_hint = Without cookies: a visitor is a daily fingerprint (daily salt, IP address, browser, host site), never their address; Do Not Track is honoured. Impressions and engagements (read to the end, replied, liked, voted, entered a challenge): distinct visitors per day.
webhooks = Signed webhooks
webhooks_hint = Parvis tells your systems about new messages, challenge entries, registrations and conversions, signed as Standard Webhooks defines (webhook-id, webhook-timestamp, webhook-signature), and retries on failure.
webhooks_none = No endpoint.
webhook_url = Endpoint address
webhook_events = Events
webhook_add = Add
webhook_delete = Delete
webhook_delete_confirm = Delete this endpoint and its log?
webhook_secret_once = The new endpoint's secret — copy it now, it will not be shown again:
webhook_log = Delivery log
webhook_log_empty = No delivery yet.
webhook_event = Event
webhook_status = Status
webhook_attempts = Attempts
webhook_last = Last answer
webhook_replay = Send again
webhook_pending = Pending
webhook_delivered = Delivered
webhook_failed = Given up
err_url = Enter a full address starting with https:// (or http://).
embed_intro = Paste these two lines into a page of your site: the conversation shows there, always up to date.
embed_oembed_hint = WordPress and other oEmbed consumers: just paste this page's address.
embed_preview = Preview
embed_copy = Copy
embed_copied = Copied
embed_snippet = Code to embed
embed_read_all = Read the whole thread
embed_open_topic = Open the topic
embed_register = Register
embed_seats_open = Registration open
embed_full = Full: waiting list
embed_open_map = See the opinion map
embed_join = Join in on
embed_more_messages = Next messages
embed_prev_messages = Previous messages
embed_empty_topic = No thread in this topic yet.
embed_map_alt = Opinion map
embed_conversation = Conversation
embed_missing = This conversation does not exist, or no longer does.
embed_unavailable = The conversation is unavailable for a moment. Try again shortly.
embed_in_reply_to = in reply to
embed_not_allowed = This conversation cannot be shown on this site. You can read it on

## Taking part from a widget: sign-in by link or single sign-on, posting, moderation.
widget_take_part = Take part
widget_email = Your email address
widget_send_link = Send me the link
widget_check_mail = Open the link we emailed you and confirm: you will be signed in here.
widget_signed_in_as = { $elide ->
   *[other] Signed in as { $name }
}
widget_reply = Your reply
widget_pseudonym = Pseudonym (optional)
widget_send = Post
widget_held = Your message is waiting for a moderator; only you can see it for now.
widget_published = Message posted.
widget_pending = Awaiting moderation
widget_like = Like
widget_error = That did not work:
# Shown when a visitor posts, likes or votes faster than the per-visitor limit (HTTP 429).
widget_too_fast = That is a lot in a short time: please wait a little, then try again.
widget_entry_sent = Entry submitted: it is on the challenge's page.
widget_confirm_title = Confirm to take part
widget_confirm_intro = Confirm to be signed in to the conversation embedded on
widget_confirm = Confirm
widget_confirm_done = Done: go back to the conversation, you are signed in there. You can close this tab.
widget_confirm_invalid = This link is no longer valid (already used, or too old). Ask for a new one from the conversation.
moderation = Moderation
moderation_empty = Nothing to moderate.
# English does not elide: one form whatever $elide says.
moderation_origin = { $elide ->
   *[other] came from { $name }
}
moderation_in = In
moderation_reason = Reason:
moderation_first_post = first message
moderation_suspect = word to watch
moderation_approve = Approve
moderation_reject = Reject
moderation_approved = Message approved and posted.
moderation_rejected = Message rejected.
posting_rules = Taking part from embeds
posting_hold_first = Hold each poster's first message for moderation
posting_pseudonyms = Allow pseudonyms (the email is only shown to admins)
posting_open_signup = An unknown email creates a member account
posting_banned = Banned words (refused)
posting_suspect = Suspect words (held)
posting_words_hint = One word or phrase per line.
posting_save = Save
posting_queue = Moderation queue
sso = Single sign-on (SSO)
sso_hint = Your site signs an HS256 JWT (sub, email, name, exp, jti; kid in the header) with one of these secrets and puts it in data-sso.
sso_kid = Key id (kid)
sso_add = Create a secret
sso_none = No secret.
sso_secret_once = The key's secret — copy it now, it will not be shown again:
sso_delete = Delete

moderation_live = Live room questions
moderation_hide = Hide

## Counts: the number and its word, in the plural the number asks for.
n_embed_seats_left =
    { $count ->
        [one] { $count } seat left
       *[other] { $count } seats left
    }
n_moderation_held =
    { $count ->
        [one] { $count } item waiting
       *[other] { $count } items waiting
    }

## Answering a survey from its widget.
widget_survey_answer = Your answer
widget_answer_sent = Thank you, your answer is recorded.
embed_open_survey = Open the survey

## Voting from a widget: a challenge's entries, an opinion map's statements.
widget_entries = Entries
widget_votes = Votes:
widget_vote_saved = Vote recorded.
widget_vote_withdrawn = Vote withdrawn.
widget_votes_closed = Voting is closed.
widget_all_voted = You have voted on every statement. Thank you!
