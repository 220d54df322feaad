-- Parvis schema, version 17: taking part from an embed — widget sign-in by emailed link,
-- short-lived widget tokens, single sign-on from the host site, pseudonyms, and the
-- moderation of what widget posters send.
-- Posting rules of a space (absent row: the defaults). Flags are 0/1. Words: one per line.
CREATE TABLE embed_post_settings (
  space_id BIGINT PRIMARY KEY REFERENCES spaces(id) ON DELETE CASCADE,
  hold_first BIGINT NOT NULL DEFAULT 1,
  pseudonyms BIGINT NOT NULL DEFAULT 0,
  open_signup BIGINT NOT NULL DEFAULT 1,
  banned_words TEXT NOT NULL DEFAULT '',
  suspect_words TEXT NOT NULL DEFAULT '',
  updated_at BIGINT NOT NULL
);
-- A widget sign-in in progress. The widget holds `attempt` (only its hash is here) and
-- polls; the emailed link (hash in `link_hash`) confirms it; a token is issued once.
CREATE TABLE embed_auth_attempts (
  attempt_hash TEXT PRIMARY KEY,
  link_hash TEXT NOT NULL UNIQUE,
  space_id BIGINT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  host TEXT NOT NULL,
  lang TEXT NOT NULL,
  member_id BIGINT REFERENCES members(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  confirmed_at BIGINT,
  issued_at BIGINT
);
-- Bearer tokens of widgets: one member, one space, a short life. Only hashes are stored.
CREATE TABLE embed_tokens (
  token_hash TEXT PRIMARY KEY,
  member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  space_id BIGINT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX embed_tokens_expiry ON embed_tokens(expires_at);
-- Where a member came from when a widget created them (`embed:<host>`, `sso:<kid>`).
CREATE TABLE member_origins (
  member_id BIGINT PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
  origin TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
-- A member's pseudonym in a space: posts go out under a separate author record that
-- carries only the pseudonym (no email), so every page and API shows it unchanged.
CREATE TABLE embed_pseudonyms (
  space_id BIGINT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  alias_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (space_id, member_id)
);
-- Single sign-on secrets of a space, chosen by the JWT's `kid`.
CREATE TABLE sso_secrets (
  space_id BIGINT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  kid TEXT NOT NULL,
  secret TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (space_id, kid)
);
-- The host site's user (kid, sub) behind a member.
CREATE TABLE sso_links (
  space_id BIGINT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  kid TEXT NOT NULL,
  sub TEXT NOT NULL,
  member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (space_id, kid, sub)
);
-- Token ids already used, kept until the token would have expired anyway.
CREATE TABLE sso_jtis (
  space_id BIGINT NOT NULL,
  jti TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (space_id, jti)
);
-- Messages held for a moderator. Kept out of `messages` until approved, so that no read
-- path (pages, API, search, feeds, measures) can show them by mistake.
CREATE TABLE held_messages (
  id ID_PK,
  space_id BIGINT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  thread_id BIGINT NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
  parent_id BIGINT,
  author_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  alias_id BIGINT REFERENCES members(id) ON DELETE SET NULL,
  body_md TEXT NOT NULL,
  body_html TEXT NOT NULL,
  reason TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  decided_by BIGINT,
  decided_at BIGINT,
  message_id BIGINT
);
CREATE INDEX held_messages_queue ON held_messages(space_id, status, created_at);
CREATE INDEX held_messages_author ON held_messages(author_id, thread_id);
-- Widget posts per member, for the rate limit (the sign-in attempts table forgets after
-- 15 minutes, too soon for an hourly budget).
CREATE TABLE embed_post_log (
  member_id BIGINT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX embed_post_log_member ON embed_post_log(member_id, at);
