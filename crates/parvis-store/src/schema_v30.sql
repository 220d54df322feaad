-- Parvis schema, version 30: one answer per person across a survey's paths (signed in, and
-- a personal link mailed to the person's address). One row per survey and address hash of a
-- member who answered signed in (the same hash `survey_recipients.email_hash` keeps), so that
-- a link mailed to that address is refused, and a member whose link already answered (that
-- recipient row's `answered` flag) is refused when signed in. No time, no id, no tie to the
-- answer row: a signed-in answer's respondent is already the member's keyed hash, so the row
-- tells nothing the answers do not; answers given by link add no row here (see
-- survey_answers.rs in the store).
CREATE TABLE survey_answered (
  survey_id BIGINT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
  marker TEXT NOT NULL,
  PRIMARY KEY (survey_id, marker)
);
