-- Parvis schema, version 16: what a session cost, for the events' return on investment.
CREATE TABLE session_costs (
  session_id BIGINT PRIMARY KEY REFERENCES topic_sessions(id) ON DELETE CASCADE,
  cost_cents BIGINT NOT NULL,
  updated_by BIGINT REFERENCES members(id) ON DELETE SET NULL,
  updated_at BIGINT NOT NULL
);
