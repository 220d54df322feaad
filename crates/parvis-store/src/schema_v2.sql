-- Parvis schema, version 2: imported conversations and identity resolution.

-- A reply whose parent had not been imported yet keeps the parent's source id; a later pass
-- links it once the parent is there (exports are not always in conversation order).
ALTER TABLE messages ADD COLUMN parent_source_id TEXT;
ALTER TABLE messages ADD COLUMN author_handle TEXT;

-- A member merged into another is hidden from lists but kept, so that a merge can be undone.
ALTER TABLE members ADD COLUMN merged_into BIGINT REFERENCES members(id);

-- Likely matches between people, for an admin to confirm or reject. Never applied silently.
CREATE TABLE merge_proposals (
  id ID_PK,
  member_a BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  member_b BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  reason TEXT NOT NULL,
  score BIGINT NOT NULL,
  status TEXT NOT NULL DEFAULT 'open',
  created_at BIGINT NOT NULL,
  decided_at BIGINT,
  UNIQUE (member_a, member_b)
);

-- Every merge, with what it moved, so that un-merging restores exactly what was there.
CREATE TABLE merges (
  id ID_PK,
  kept_id BIGINT NOT NULL REFERENCES members(id),
  merged_id BIGINT NOT NULL REFERENCES members(id),
  snapshot TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  undone_at BIGINT
);

-- Which declared topics a message touches (keywords matched at import or post time).
CREATE TABLE message_topics (
  message_id BIGINT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  topic_id BIGINT NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
  PRIMARY KEY (message_id, topic_id)
);
CREATE INDEX message_topics_topic ON message_topics(topic_id);

-- Feeds followed live (RSS/Atom, Mastodon outboxes), polled by `parvis serve`.
CREATE TABLE followed_sources (
  id ID_PK,
  space_id BIGINT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  url TEXT NOT NULL,
  format TEXT NOT NULL,
  etag TEXT,
  last_modified TEXT,
  last_polled_at BIGINT,
  next_poll_at BIGINT NOT NULL,
  failures BIGINT NOT NULL DEFAULT 0,
  last_error TEXT,
  items_imported BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  UNIQUE (space_id, url)
);

-- Bumped by every write to content, from any process: instances poll it to drop their caches.
INSERT INTO parvis_meta (key, value) VALUES ('content_version', '0');
