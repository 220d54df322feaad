-- Parvis schema, version 32: two corrections of what earlier versions kept.
--
-- Measures: every space's aggregate is forgotten, so that its next refresh rebuilds it from
-- the tables as they are. A rebuild now reads the rooms' logs to know which live upvotes still
-- stand (those taken back before version 29 left no `room_votes_taken_back` row and were still
-- counted), and an erasure now moves the replies kept after their parent was deleted to the
-- thread's opener as a rebuild does; aggregates built before carry both errors.
DELETE FROM measure_state;

-- Surveys: the member a survey mail went to, when its address was a member's as the mail left,
-- as a marker (a hash of the member id, the one a signed-in answer leaves in
-- `survey_answered`), so that one person answers once even after changing their address (see
-- survey_answers.rs in the store). NULL for an address that was no member's.
ALTER TABLE survey_recipients ADD COLUMN member_marker TEXT;
CREATE INDEX survey_recipients_member ON survey_recipients(survey_id, member_marker);
