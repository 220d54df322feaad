-- Parvis schema, version 1. One text for both stores: `ID_PK` becomes the backend's
-- auto-increment primary key. Integers are BIGINT (Unix milliseconds for times, 0/1 for flags)
-- so both drivers hand back i64 without date or boolean types of their own.
CREATE TABLE parvis_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE members (
  id ID_PK,
  handle TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  email TEXT UNIQUE,
  password_hash TEXT,
  site_role TEXT NOT NULL DEFAULT 'member',
  ecosystem_role TEXT NOT NULL DEFAULT 'other',
  organisation TEXT NOT NULL DEFAULT '',
  bio TEXT NOT NULL DEFAULT '',
  lang TEXT NOT NULL DEFAULT 'fr',
  created_at BIGINT NOT NULL
);

CREATE TABLE identities (
  id ID_PK,
  member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  network TEXT NOT NULL,
  handle TEXT NOT NULL,
  verified BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  UNIQUE (network, handle)
);
CREATE INDEX identities_member ON identities(member_id);

CREATE TABLE consents (
  member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  granted BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (member_id, kind)
);

CREATE TABLE spaces (
  id ID_PK,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);

CREATE TABLE topics (
  id ID_PK,
  space_id BIGINT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  slug TEXT NOT NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  keywords TEXT NOT NULL DEFAULT '[]',
  created_at BIGINT NOT NULL,
  UNIQUE (space_id, slug)
);

CREATE TABLE threads (
  id ID_PK,
  space_id BIGINT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  topic_id BIGINT REFERENCES topics(id) ON DELETE SET NULL,
  title TEXT NOT NULL,
  author_id BIGINT NOT NULL REFERENCES members(id),
  created_at BIGINT NOT NULL,
  last_activity_at BIGINT NOT NULL,
  message_count BIGINT NOT NULL DEFAULT 0,
  channel TEXT NOT NULL DEFAULT 'parvis',
  source_id TEXT,
  UNIQUE (space_id, channel, source_id)
);
CREATE INDEX threads_space_activity ON threads(space_id, last_activity_at);
CREATE INDEX threads_topic_activity ON threads(topic_id, last_activity_at);

CREATE TABLE messages (
  id ID_PK,
  thread_id BIGINT NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
  author_id BIGINT NOT NULL REFERENCES members(id),
  parent_id BIGINT REFERENCES messages(id) ON DELETE SET NULL,
  body_md TEXT NOT NULL,
  body_html TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  edited_at BIGINT,
  channel TEXT NOT NULL DEFAULT 'parvis',
  source_id TEXT,
  source_url TEXT,
  UNIQUE (channel, source_id)
);
CREATE INDEX messages_thread ON messages(thread_id, created_at, id);
CREATE INDEX messages_author ON messages(author_id, created_at);

CREATE TABLE reactions (
  message_id BIGINT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (message_id, member_id, kind)
);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);

CREATE TABLE magic_links (
  token_hash TEXT PRIMARY KEY,
  member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);

CREATE TABLE api_tokens (
  id ID_PK,
  member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT
);

CREATE TABLE auth_attempts (
  key TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX auth_attempts_key ON auth_attempts(key, at);
