-- Parvis schema, version 9: sessions of a topic (scheduled debates), their registrations with
-- dated consents, attendance, and a generic background job table.
-- The auth table is already called `sessions`; a debate session is a `topic_session`.
CREATE TABLE topic_sessions (
  id ID_PK,
  space_id BIGINT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  topic_id BIGINT NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  starts_at BIGINT NOT NULL,
  duration_min BIGINT NOT NULL,
  time_zone TEXT NOT NULL,
  mode TEXT NOT NULL,
  place TEXT NOT NULL DEFAULT '',
  online_url TEXT NOT NULL DEFAULT '',
  -- SHA-256 of the webcast access code (NULL: no code asked).
  access_code_hash TEXT,
  -- NULL: no limit.
  capacity BIGINT,
  -- The partners named in the "share my contact" consent, one line of text.
  partners TEXT NOT NULL DEFAULT '',
  created_by BIGINT REFERENCES members(id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL,
  repeated_from BIGINT REFERENCES topic_sessions(id) ON DELETE SET NULL,
  closed_at BIGINT,
  -- The closing report (Markdown conclusions, JSON of key questions, recording links).
  report_md TEXT,
  report_questions TEXT,
  report_links TEXT
);
CREATE INDEX topic_sessions_topic ON topic_sessions(topic_id, starts_at);
CREATE INDEX topic_sessions_space ON topic_sessions(space_id, starts_at);

-- Moderators and speakers: a member, or a named guest (member_id NULL).
CREATE TABLE session_people (
  id ID_PK,
  session_id BIGINT NOT NULL REFERENCES topic_sessions(id) ON DELETE CASCADE,
  role TEXT NOT NULL,
  member_id BIGINT REFERENCES members(id) ON DELETE CASCADE,
  name TEXT NOT NULL DEFAULT '',
  organisation TEXT NOT NULL DEFAULT '',
  position BIGINT NOT NULL
);
CREATE INDEX session_people_session ON session_people(session_id, role, position);
CREATE INDEX session_people_member ON session_people(member_id);

CREATE TABLE session_agenda (
  id ID_PK,
  session_id BIGINT NOT NULL REFERENCES topic_sessions(id) ON DELETE CASCADE,
  position BIGINT NOT NULL,
  title TEXT NOT NULL,
  minutes BIGINT NOT NULL
);
CREATE INDEX session_agenda_session ON session_agenda(session_id, position);

-- One row per person and session: `person` is `m<member id>` or `e<lowercased email>`, so the
-- same person registering twice is one registration. Status: pending (a visitor who has not
-- confirmed by the emailed link), confirmed, waiting, cancelled.
CREATE TABLE registrations (
  id ID_PK,
  session_id BIGINT NOT NULL REFERENCES topic_sessions(id) ON DELETE CASCADE,
  person TEXT NOT NULL,
  member_id BIGINT REFERENCES members(id) ON DELETE CASCADE,
  name TEXT NOT NULL DEFAULT '',
  email TEXT NOT NULL DEFAULT '',
  organisation TEXT NOT NULL DEFAULT '',
  lang TEXT NOT NULL DEFAULT 'fr',
  status TEXT NOT NULL,
  consent_contact BIGINT NOT NULL DEFAULT 0,
  consent_share BIGINT NOT NULL DEFAULT 0,
  confirm_token_hash TEXT,
  -- Secret of the registrant's own links (cancel, calendar) for visitors without an account.
  manage_token_hash TEXT,
  created_at BIGINT NOT NULL,
  confirmed_at BIGINT,
  cancelled_at BIGINT,
  UNIQUE (session_id, person)
);
CREATE INDEX registrations_status ON registrations(session_id, status, created_at, id);
CREATE INDEX registrations_member ON registrations(member_id);
CREATE INDEX registrations_confirm ON registrations(confirm_token_hash);

-- Every consent given or withdrawn on a registration, dated, with the wording shown.
CREATE TABLE registration_consents (
  id ID_PK,
  registration_id BIGINT NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  granted BIGINT NOT NULL,
  wording TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX registration_consents_reg ON registration_consents(registration_id, at);

-- Presence: one row per person, session and channel (room / online), first and last seen.
CREATE TABLE session_attendance (
  session_id BIGINT NOT NULL REFERENCES topic_sessions(id) ON DELETE CASCADE,
  person TEXT NOT NULL,
  channel TEXT NOT NULL,
  first_at BIGINT NOT NULL,
  last_at BIGINT NOT NULL,
  PRIMARY KEY (session_id, person, channel)
);

-- A member's private calendar feed ("my sessions"), by secret token (SHA-256 stored).
CREATE TABLE calendar_tokens (
  member_id BIGINT PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL
);

-- Background jobs, for any capability (reminders, webhooks, digests). `dedup_key` is unique so
-- that a job planned twice is one job; a worker claims a due job by setting `locked_until`
-- (PostgreSQL: FOR UPDATE SKIP LOCKED), and a failed run is retried later with back-off.
CREATE TABLE jobs (
  id ID_PK,
  kind TEXT NOT NULL,
  dedup_key TEXT NOT NULL UNIQUE,
  payload TEXT NOT NULL,
  run_at BIGINT NOT NULL,
  attempts BIGINT NOT NULL DEFAULT 0,
  last_error TEXT,
  locked_until BIGINT,
  done_at BIGINT,
  created_at BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs(done_at, run_at);
