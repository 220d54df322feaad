-- Parvis schema, version 19: each space has a time zone (an IANA name). New sessions and
-- challenge deadlines are entered and shown in it; instants stay UTC milliseconds.
ALTER TABLE spaces ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'Europe/Paris';
