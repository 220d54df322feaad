-- Parvis schema, version 8: spaces and topics can be archived (hidden from the home page and
-- read-only, until an admin brings them back). NULL = live, else when it was archived.
ALTER TABLE spaces ADD COLUMN archived_at BIGINT;
ALTER TABLE topics ADD COLUMN archived_at BIGINT;
