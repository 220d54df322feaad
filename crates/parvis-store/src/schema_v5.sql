-- Parvis schema, version 5: what the feed learns from. (Version 4 is left to a possible
-- import index; the migration runner applies whatever versions a store has not seen.)

-- Threads a signed-in member opened, last time only.
CREATE TABLE thread_reads (
  member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  thread_id BIGINT NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
  at BIGINT NOT NULL,
  PRIMARY KEY (member_id, thread_id)
);

-- "Not interested" in a thread, or a muted topic.
CREATE TABLE feed_feedback (
  member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  target_id BIGINT NOT NULL,
  at BIGINT NOT NULL,
  PRIMARY KEY (member_id, kind, target_id)
);
