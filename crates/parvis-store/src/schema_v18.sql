-- Parvis schema, version 18: meetings between a session's participants ("Meet").
-- A third consent on registrations, dated like the two others in `registration_consents`
-- (kind `meet`): "propose me meetings with other participants", never ticked in advance.
ALTER TABLE registrations ADD COLUMN consent_meet BIGINT NOT NULL DEFAULT 0;

-- The moderator's plan settings: how many slots, how long each, when the first starts.
CREATE TABLE session_meet_plans (
  session_id BIGINT PRIMARY KEY REFERENCES topic_sessions(id) ON DELETE CASCADE,
  slots BIGINT NOT NULL,
  slot_minutes BIGINT NOT NULL,
  first_slot_at BIGINT NOT NULL,
  generated_at BIGINT NOT NULL
);

-- One proposed meeting between two registrations in a slot. The people are registrations
-- (so erasing a person erases their meetings); "already met" across sessions compares the
-- registrations' `person` keys. Answers: '' (not yet), `accepted`, `declined`. `met_at` is set
-- when either party or a moderator says the meeting took place.
CREATE TABLE session_meetings (
  id ID_PK,
  session_id BIGINT NOT NULL REFERENCES topic_sessions(id) ON DELETE CASCADE,
  slot BIGINT NOT NULL,
  reg_a BIGINT NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,
  reg_b BIGINT NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,
  reason TEXT NOT NULL DEFAULT '',
  answer_a TEXT NOT NULL DEFAULT '',
  answer_b TEXT NOT NULL DEFAULT '',
  met_at BIGINT,
  created_at BIGINT NOT NULL
);
CREATE INDEX session_meetings_session ON session_meetings(session_id, slot);
CREATE INDEX session_meetings_reg_a ON session_meetings(reg_a);
CREATE INDEX session_meetings_reg_b ON session_meetings(reg_b);
