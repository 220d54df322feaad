-- Parvis schema, version 13: measures. Activity is pre-aggregated per (space, member,
-- channel, week) and kept current incrementally (watermarks in measure_state), so that a
-- dashboard reads thousands of rows, not a million messages.
CREATE TABLE measure_activity (
  space_id BIGINT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  member_id BIGINT NOT NULL,
  channel TEXT NOT NULL,
  week BIGINT NOT NULL,
  posts BIGINT NOT NULL DEFAULT 0,
  answers BIGINT NOT NULL DEFAULT 0,
  reactions BIGINT NOT NULL DEFAULT 0,
  reads BIGINT NOT NULL DEFAULT 0,
  referrals BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (space_id, member_id, channel, week)
);
CREATE INDEX measure_activity_week ON measure_activity(space_id, week);

-- How far the aggregate has read: messages by id, reactions, reads and referrals by time;
-- merges_seen changes when a merge is made or undone, which moves past activity (rebuild).
CREATE TABLE measure_state (
  space_id BIGINT PRIMARY KEY REFERENCES spaces(id) ON DELETE CASCADE,
  last_message_id BIGINT NOT NULL,
  last_reaction_at BIGINT NOT NULL,
  last_read_at BIGINT NOT NULL,
  last_referral_at BIGINT NOT NULL,
  merges_seen BIGINT NOT NULL,
  built_at BIGINT NOT NULL
);

-- Per-space settings of the measures (JSON: thresholds, weights, editorial plan).
CREATE TABLE measure_settings (
  space_id BIGINT PRIMARY KEY REFERENCES spaces(id) ON DELETE CASCADE,
  settings TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- Objectives: a measure, a target (decimal text), a due date, a segment; the measure's value
-- when declared is the baseline progress is read from.
CREATE TABLE objectives (
  id ID_PK,
  space_id BIGINT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  measure TEXT NOT NULL,
  target TEXT NOT NULL,
  baseline TEXT,
  due_at BIGINT NOT NULL,
  segment TEXT NOT NULL DEFAULT '',
  created_by BIGINT REFERENCES members(id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX objectives_space ON objectives(space_id);

-- Surveys answered by link. `token` is the link's secret part.
CREATE TABLE surveys (
  id ID_PK,
  space_id BIGINT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  token TEXT NOT NULL UNIQUE,
  created_by BIGINT REFERENCES members(id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL,
  closed_at BIGINT
);
CREATE INDEX surveys_space ON surveys(space_id);

-- One answer per person and survey. `respondent` is a keyed hash of the member, never the
-- member id, so that answers (employee ones above all) cannot be joined back to people.
CREATE TABLE survey_answers (
  id ID_PK,
  survey_id BIGINT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
  respondent TEXT NOT NULL,
  score BIGINT NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  grp TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  UNIQUE (survey_id, respondent)
);

-- Figures kept over time (NPS, IP…), each with the formula version that produced it.
CREATE TABLE measure_figures (
  space_id BIGINT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  week BIGINT NOT NULL,
  value TEXT NOT NULL,
  formula_version TEXT NOT NULL,
  PRIMARY KEY (space_id, key, week)
);
