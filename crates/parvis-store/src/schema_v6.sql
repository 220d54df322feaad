-- Parvis schema, version 6: warm introductions. A member asks an intermediary (who consented
-- to be contacted) to introduce them to a target; the intermediary accepts or declines.
CREATE TABLE intro_requests (
  id ID_PK,
  requester_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  intermediary_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  target_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  message TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  created_at BIGINT NOT NULL,
  decided_at BIGINT
);
CREATE INDEX intro_requests_intermediary ON intro_requests(intermediary_id, status);
CREATE INDEX intro_requests_requester ON intro_requests(requester_id);
