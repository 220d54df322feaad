-- Parvis schema, version 25: votes count at the pyramid's reactors level like reactions
-- (challenge entry votes, opinion statement votes, live question upvotes and poll answers).
-- Indexes let the measures' incremental refresh read only the votes cast since its
-- watermark; every space's aggregate is rebuilt once (its state forgotten) to take in the
-- votes cast before.
CREATE INDEX challenge_votes_created ON challenge_votes(created_at);
CREATE INDEX statement_votes_created ON statement_votes(created_at);
CREATE INDEX room_events_at ON room_events(at);
DELETE FROM measure_state;
