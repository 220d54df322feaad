-- Parvis schema, version 7: consents keep their history, and accounts can be erased.
-- Every change of a consent is one dated row here (the `consents` table keeps the current
-- state); the rows already in `consents` start the history with the date they were last set.
CREATE TABLE consent_events (
  id ID_PK,
  member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  granted BIGINT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX consent_events_member ON consent_events(member_id, at);
INSERT INTO consent_events (member_id, kind, granted, at)
  SELECT member_id, kind, granted, updated_at FROM consents;
-- An erased account keeps its row (messages kept anonymised still point at it), emptied of
-- everything personal and marked with the date it was erased.
ALTER TABLE members ADD COLUMN erased_at BIGINT;
