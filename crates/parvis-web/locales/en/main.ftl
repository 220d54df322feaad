# Parvis — The interface's general strings: navigation, spaces, threads, members, admin, errors.
# English. Every message here exists in the other language too (a test checks it).

tagline = Your ecosystem's forecourt: customers, partners and employees, in conversation.
spaces = Spaces
topics = Topics
threads = Threads
members = Members
member = Member
sign_in = Sign in
sign_out = Sign out
my_account = My account
admin = Administration
email = Email address
password = Password
or = or
send_link = Email me a sign-in link
link_sent = If this address is known, a sign-in link is on its way. It is valid for 30 minutes.
link_confirm_intro = This link signs you in once. Confirm to open your session.
link_confirm = Sign me in
sign_in_intro = Sign in with your password, or get a one-time link by email.
new_thread = New thread
title = Title
message = Message
markdown_hint = Markdown welcome: **bold**, *italic*, [link](https://…), lists.
publish = Publish
reply = Reply
your_reply = Your reply
replies = replies
messages = messages
last_activity = Last activity
started_by = Started by
in_reply_to = in reply to
no_threads = No threads yet. Start the first one!
sign_in_to_post = Sign in to take part.
all_topics = All topics
no_topic = No topic
topic = Topic
previous = Previous
next = Next
page = Page
search_members = Search a name, an organisation…
search = Search
role = Role
organisation = Organisation
ecosystem_role = Role in the ecosystem
site_role = Site role
identities = Identities
consents = Consents
consent_contact = Agrees to be contacted
consent_share_with_partners = Agrees to share contact details with a partner
granted = given

## One's own data: export and deletion (docs/PRIVACY.md).
my_data = My data
member_data = Member's data
download_my_data = Download my data (JSON)
download_member_data = Download their data (JSON)
download_data_intro = Everything Parvis holds about this person: profile, address, identities, messages, reactions, votes, statements, consents and their history, introduction requests, API token names (never their secrets).
delete_my_account = Delete my account
# English does not elide: one form whatever $elide says.
delete_member_account = { $elide ->
   *[other] Delete the account of { $name }
}
delete_intro_own = Deletion is final. Your profile, address, password, identities, consents and their history, reactions, votes, feed preferences, introduction requests and API tokens are erased, and you are signed out. Download your data first if you want to keep it.
delete_intro_admin = Do this at the member's request. Deletion is final: their profile, address, password, identities, consents and their history, reactions, votes, preferences, introduction requests and API tokens are erased.
held_messages = Messages written:
held_votes = Votes:
held_reactions = Reactions:
what_of_messages = What about the messages?
choice_anonymise = Keep them, anonymised
choice_anonymise_help = They stay in the conversations, signed “Ancien membre · Former member”: the name, the profile and every link to the person go. Their text stays as written: if it names the person, it still does.
choice_delete = Delete them
choice_delete_help = They disappear from the conversations and from search. A conversation the person started disappears if nobody else wrote in it; otherwise the others' replies stay, under its title.
confirm_delete = I understand this cannot be undone
delete_for_good = Delete for good
account_deleted = The account was deleted.
message_deleted_one = message deleted
message_deleted_many = messages deleted
message_anonymised_one = message kept, anonymised
message_anonymised_many = messages kept, anonymised

## Remote images in posts are links until the reader opens them (docs/PRIVACY.md).
remote_image = Image hosted on
remote_image_open = click to open it (that site will know)
withdrawn = withdrawn
since = since
member_since = Member since
bio = About
display_name = Display name
save = Save
profile = Profile
network = Network
handle = Handle
add = Add
verified = verified
api_tokens = API tokens
api_tokens_intro = For integrations (CRM, website): send the token as Authorization: Bearer …
token_name = Token name
create = Create
revoke = Revoke
new_token_shown_once = Here is your token. Copy it now: it will not be shown again.
last_used = Last used
never = never
set_password = Set a password
new_password = New password (at least 10 characters)
saved = Saved.
create_space = Create a space
create_topic = Create a topic
keywords = Keywords (comma-separated)
description = Description
slug = URL name
space = Space
invite_member = Invite a member
invite = Invite
invited = Invitation sent.
set_roles = Members' roles
change = Change
not_found_title = Page not found
error_title = Something went wrong
back_home = Back to the home page
language = Language
react_like = Like
react_insightful = Insightful
react_agree = Agree
react_question = Question
eco_customer = Customer
eco_prospect = Prospect
eco_partner = Partner
eco_supplier = Supplier
eco_employee = Employee
eco_journalist = Journalist
eco_investor = Investor
eco_expert = Expert
eco_other = Other
site_admin = Admin
site_moderator = Moderator
site_member = Member
recent_threads = Recent threads
people_in_space = members
explore = Explore
footer = Parvis — hosted by your organisation. Free software.
api_docs = API (OpenAPI)
messages_written = messages written
channel = Channel
activity = Conversations by topic
activity_intro = Where your declared topics are discussed: messages per period and per channel, from their keywords.
no_activity = No conversation touches this topic yet.
activity_period = Period
period_all = All
period_12m = Last 12 months
period_90d = Last 90 days
activity_bucket = One bar per
bucket_auto = automatic
bucket_week = week
bucket_month = month
bucket_quarter = quarter
bucket_year = year
bars_per_week = One bar per week
bars_per_month = One bar per month
bars_per_quarter = One bar per quarter
bars_per_year = One bar per year
n_weeks =
    { $count ->
        [one] { $count } week
       *[other] { $count } weeks
    }
n_months =
    { $count ->
        [one] { $count } month
       *[other] { $count } months
    }
n_quarters =
    { $count ->
        [one] { $count } quarter
       *[other] { $count } quarters
    }
n_years =
    { $count ->
        [one] { $count } year
       *[other] { $count } years
    }
keywords_short = Keywords
identities_review = Identities to reconcile
identities_intro = People seen on several channels look like the same person. Nothing is merged without your say, and every merge can be undone.
proposals = Proposals
no_proposals = No proposal waiting.
why = Why:
confidence = confidence
merge = Merge
not_same_person = Not the same person
merges_done = Merges done
unmerge = Undo the merge
undone = undone
import_title = Import conversations
import_intro = Bring dispersed conversations here: blog, forum, mailing list, social networks. Importing the same export again creates no duplicates.
format = Format
file = File
dry_run = Dry run: show what would be done without writing anything
import_button = Import
import_done = Import finished
dry_run_result = Dry run: nothing was written
created = created
created_one = created
created_f = created
created_f_one = created
updated = updated
unchanged = unchanged
matched = matched
skipped = Skipped
opinion_map = Opinion map
opinion_intro = Everyone votes on short statements; the map groups people who vote alike and shows what unites and what divides.
printable = Printable
participants = participants
statements = statements
votes = votes
you_are = you are the ringed dot
in_group = in group
group = Group
agree_word = agree
disagree_word = disagree
consensus = Common ground
divisive = What divides
map_not_yet = The map appears once at least two people have voted on at least two statements.
map_failed = The map could not be computed; the votes are safely recorded. Try again in a moment.
your_turn = Your turn to vote
agree = Agree
disagree = Disagree
pass = Pass
all_voted = You voted on every statement. Add one!
no_statements_yet = No statements to vote on yet. Propose the first one!
add_statement = Add a statement
statement_hint = One idea per statement, 280 characters at most. It is reviewed before it appears.
submit = Submit
to_moderate = To review
accept = Accept
reject = Reject
sign_in_to_vote = Sign in to vote and add statements.
statement_received = Thank you! Your statement will be reviewed before it appears.
search_placeholder = Search the conversations…
filters = Filters
author = Author
from = From
to = To
results = results
result_one = result
in_word = in
at_least = at least
search_help = Tips: "exact phrase", prefix*, -exclude, this OR that. Accents and plurals are ignored.
for_you = For you
for_you_intro = What concerns you now: from what you write and read, and what people close to you discuss.
starter_feed = You are new here: these are this space's most followed threads, latest first. The feed adapts to you as soon as you read and reply.
feed_learned = Ranked by what members of this space actually join (learned from the
feed_learned_joins = most recent joins).
why_replied = Because you replied to
why_started = Because you started
why_reacted = Because you reacted to
why_read = Because you read
why_topic = In your topic
# English does not elide: one form whatever $elide says.
why_terms = { $elide ->
   *[other] About { $name }
}
why_trending = A lively thread
why_mentioned = You are mentioned there
why_starter = Popular and fresh
why_popular = Popular in this space
muted_topics = Topics muted from your feed:
show_again = Show again
not_interested = Not interested
mute_topic = Mute topic
your_peers = Your peers right now
your_peers_intro = People whose current concerns are closest to yours.
be_introduced = Get introduced to
intro_intro = The best paths go through people you really exchanged with, who accept to be asked.
strength = strength
threads_shared = threads shared
last_exchange = last exchange on
intro_message = A few words on why you ask
ask = Ask
no_intro_path = No path yet: take part in threads, the network grows with you.
intro_requests = Introduction requests
asks_you_to_introduce = asks you to introduce them to
accept_intro = I will introduce them
decline = Decline
you_asked = You asked
to_introduce_you_to = to introduce you to
intro_pending = pending
intro_accepted = accepted
intro_declined = declined
skip_to_content = Skip to content

## ----- first hour: the empty home page, the admin area, form errors -----------------
first_space_title = Create your first space
first_space_admin = A space gathers the conversations of one ecosystem: your customers, your partners, an event. You can then add topics to it and import conversations.
err_required = This field is required.
err_too_long =
    { $n ->
        [one] At most { $n } character.
       *[other] At most { $n } characters.
    }
err_slug = 2 to 64 lower-case letters, digits or dashes, like "customer-forum".
err_email = An email address like marie@example.com.
err_handle = 2 to 40 lower-case letters, digits, dots, dashes or underscores.
err_choice = Choose one of the values offered.
err_password_length = 10 to 200 characters.
err_confirm = That is not the URL name: nothing was deleted.
err_other = This value is not accepted.
err_taken_slug = This URL name is taken: choose another one.
err_taken_email = A member already has this email address.
err_taken = This already exists.
err_characters = This text holds a control character or a text-direction override ({ $code }, character { $at }): remove it.
form_has_errors = The form was not saved: correct the fields marked below.
archive = Archive
archive_space_help = Archiving takes the space off the home page and makes it read-only: its pages stay readable at their address, nobody can write in it any more. You can bring it back.
archive_topic_help = Archiving takes the topic off the lists and makes it read-only. You can bring it back.
archived_badge = archived
archived_ok = Archived.
clear_search = Show all
delete_forever = Delete for good
delete_lost = Deleting is final and takes with it:
delete_prefer_archive = To only hide the space, archive it instead: that can be undone.
delete_space = Delete the space
delete_topic = Delete the topic
delete_topic_what = Deleting is final:
deleted_ok = Deleted.
edit_space = Edit the space
edit_topic = Edit the topic
example_keywords = satisfaction, delays, prices
manage = Manage
member_one_lower = member
no_member_found = No member matches this search.
no_topic_yet = No topic yet.
restore = Bring back
restore_space_help = The space is archived. Bringing it back puts it on the home page again and reopens writing.
restore_topic_help = The topic is archived. Bringing it back puts it in the lists again and reopens writing.
restored_ok = Brought back.
roles_intro = Find a member by name, handle or email address, then change their role.
roles_search = Name, handle or email address
slug_fixed = It does not change, so links to the space keep working.
slug_optional = URL name (optional: made from the title)
space_archived_notice = This space is archived: it no longer appears on the home page and nobody can write in it.
topic_archived_notice = This topic is archived: it no longer appears in the lists and nobody can write in it.
topic_needs_space = Create a space first: topics live in one.
topic_one_lower = topic
topics_lower = topics
type_slug_to_confirm = To confirm, type its URL name:
view = View
you = you
manage_space = Manage the space
space_name = Space name
slug_hint = Lower-case letters, digits and dashes: it appears in the pages' addresses.
no_space_title = No space yet
no_space_intro = Conversations take place in spaces, and only an admin can create one. Two ways to start:
no_space_sign_in = Sign in with an admin account: the form to create a space will appear here.
no_space_ask_admin = Ask an admin of this site to create a space.
no_space_shell = On the server, create an admin (the command prints a sign-in link) and a space:
err_generic = Something went wrong; nothing already saved was lost.
err_not_found = There is no such page.
err_bad_request = The request is malformed.
err_invalid_field = A value was refused; the field:
err_unauthenticated = Sign in to continue.
err_bad_credentials = Sign-in failed: unknown address or wrong password.
err_bad_link = This sign-in link is no longer valid (expired or used): ask for a new one.
err_forbidden = You are not allowed to do this.
err_conflict = This already exists.
err_rate_limited = Too many attempts: try again in a few minutes.
err_mail_failed = The email could not be sent; try again later.
err_store_unavailable = The store is not answering; try again in a moment.
err_payload_too_large = What was sent is too large.
err_unsupported_media_type = This content type is not accepted.
example_email = you@example.com
example_slug = customers
example_space_name = Our customers

staff_badge = staff
staff_mark = Count as staff
staff_unmark = No longer count as staff
staff_help = Staff speak for the organisation: their messages count in the editorial scorecard, not in the pyramid. Admins and moderators are staff anyway.

## Counts: the number and its word, in the plural the number asks for.
n_matched =
    { $count ->
        [one] { $count } matched
       *[other] { $count } matched
    }
n_messages =
    { $count ->
        [one] { $count } message
       *[other] { $count } messages
    }
n_more_in_thread =
    { $count ->
        [one] { $count } other message in this thread matches
       *[other] { $count } other messages in this thread match
    }
n_participants =
    { $count ->
        [one] { $count } participant
       *[other] { $count } participants
    }
n_members =
    { $count ->
        [one] { $count } member
       *[other] { $count } members
    }
n_proposals =
    { $count ->
        [one] { $count } proposal
       *[other] { $count } proposals
    }
n_replies =
    { $count ->
        [one] { $count } reply
       *[other] { $count } replies
    }
n_replies_exchanged =
    { $count ->
        [one] { $count } reply exchanged
       *[other] { $count } replies exchanged
    }
n_results =
    { $count ->
        [one] { $count } result
       *[other] { $count } results
    }
n_statements =
    { $count ->
        [one] { $count } statement
       *[other] { $count } statements
    }
n_threads =
    { $count ->
        [one] { $count } thread
       *[other] { $count } threads
    }
n_threads_stay =
    { $count ->
        [one] { $count } thread stays in the space, without a topic
       *[other] { $count } threads stay in the space, without a topic
    }
n_statements_deleted =
    { $count ->
        [one] { $count } statement deleted with its votes
       *[other] { $count } statements deleted with their votes
    }
n_threads_shared =
    { $count ->
        [one] { $count } thread shared
       *[other] { $count } threads shared
    }
n_topics =
    { $count ->
        [one] { $count } topic
       *[other] { $count } topics
    }
n_unchanged =
    { $count ->
        [one] { $count } unchanged
       *[other] { $count } unchanged
    }
n_votes =
    { $count ->
        [one] { $count } vote
       *[other] { $count } votes
    }
n_why_peers =
    { $count ->
        [one] { $count } person close to you is discussing it
       *[other] { $count } people close to you are discussing it
    }

## Import formats, by the name `parvis import --format` takes.
import_skip_deleted = deleted or hidden at the source
import_skip_spam = marked as spam
import_skip_unapproved = waiting for approval
import_skip_not_published = not published (drafts, private, scheduled)
import_skip_not_a_conversation = not a conversation (attachments, pingbacks, small actions)
import_skip_notice = channel notices (joined, left, topic changed)
import_skip_direct_message = private or direct messages
import_skip_share = shares of someone else's post (boosts, retweets)
import_skip_under_skipped_post = comments under a post left out
import_skip_duplicate = same id twice in the export
import_skip_unreadable = unreadable
import_skip_other_file = files of the folder in another format (an archive's index pages)
import_format_wxr = WordPress export (WXR 1.0-1.2): posts and threaded comments
import_format_disqus = Disqus XML export: threads and threaded comments
import_format_rss = RSS 2.0 / RSS 1.0 / Atom feed (auto-detected), with comments when present
import_format_mbox = mbox or Mailman pipermail archive (.mbox, .txt, gzipped or not)
import_format_maildir = Maildir folder or single message files
import_format_mastodon = Mastodon/ActivityPub archive: outbox.json (+ actor.json)
import_format_discourse = Discourse topic JSON (one topic per file)
import_format_slack = Slack export (zip or folder)
import_format_twitter = X/Twitter archive: tweets.js (+ account.js) or the archive folder
import_format_linkedin = LinkedIn export: Shares.csv, Comments.csv or the export folder
import_format_jsonl = Parvis JSON Lines (FORMAT-jsonl.md)

## Search notices: what happened to the query (the API says them in English).
search_notice_lone_minus = a lone "-" was ignored
search_notice_unbalanced_quote = unbalanced quote ignored
search_notice_stray_operator = stray operator ignored
search_notice_punctuation = punctuation and symbols are ignored
search_notice_short_prefix = a prefix needs at least 2 letters before "*": ignored
search_notice_too_many_words = too many words: only the first { $max } were used
search_notice_query_too_long = query too long: only its beginning was used
search_notice_no_word = type at least one word to search
search_notice_only_excluded = add at least one word to look for: excluded words alone find nothing
search_notice_empty_date_range = the date range is empty (its start is not before its end)
search_notice_page_too_large = at most { $max } results per page
search_notice_too_deep = only the first { $max } results can be browsed; refine the search

# Where a member came from, on /admin/members
member_origin_widget = origin: widget on
member_origin_sso = origin: single sign-on, key
member_origin_help = Created when they first signed in from an embedded widget or a host site's single sign-on
