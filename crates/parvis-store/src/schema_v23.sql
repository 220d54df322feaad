-- Parvis schema, version 23 (the measures' second number, after 13): indexes that let the
-- measures' incremental refresh read only what arrived since its last watermark, and a small
-- aggregate for the per-channel chart.
CREATE INDEX reactions_created ON reactions(created_at);
CREATE INDEX thread_reads_at ON thread_reads(at);
CREATE INDEX intro_requests_decided ON intro_requests(decided_at);

-- Messages per (space, channel, week): the dashboards' activity-per-channel chart, kept current
-- with the activity aggregate (a few hundred rows where the aggregate has one per member-week).
CREATE TABLE measure_channel_weeks (
  space_id BIGINT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  channel TEXT NOT NULL,
  week BIGINT NOT NULL,
  posts BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (space_id, channel, week)
);
