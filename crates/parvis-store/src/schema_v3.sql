-- Parvis schema, version 3: opinion maps. Participants submit short statements on a topic
-- (moderated), and vote agree (+1) / disagree (-1) / pass (0) on others'.
CREATE TABLE statements (
  id ID_PK,
  topic_id BIGINT NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
  author_id BIGINT REFERENCES members(id),
  body TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  created_at BIGINT NOT NULL,
  source_id TEXT,
  UNIQUE (topic_id, source_id)
);
CREATE INDEX statements_topic ON statements(topic_id, status);

-- One row per (statement, voter): a later vote replaces the earlier one. `voter` is
-- "m<member id>" for members, or the voter id of an imported conversation ("polis:17").
CREATE TABLE statement_votes (
  statement_id BIGINT NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
  voter TEXT NOT NULL,
  value BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (statement_id, voter)
);
CREATE INDEX statement_votes_voter ON statement_votes(voter);
