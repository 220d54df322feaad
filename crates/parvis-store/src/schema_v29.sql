-- Parvis schema, version 29: reactions and votes taken back leave the measures' weekly
-- aggregate at its next incremental refresh (see measure_taken_back.rs for the design).
--
-- One row per reaction or vote removed while its space's aggregate exists: where and when it
-- had been counted (`at`, its time, gives the week). The next refresh of the space subtracts
-- the rows it had already counted (at <= its reaction watermark) and deletes them all, so the
-- table only holds what arrived since a space's last refresh.
CREATE TABLE measure_taken_back (
  id ID_PK,
  space_id BIGINT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  member_id BIGINT NOT NULL,
  channel TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX measure_taken_back_space ON measure_taken_back(space_id, id);

-- Live question upvotes taken back (an `unvote` in the room's log), by the upvote's place in
-- the log: the log keeps both events, and the aggregate counts only upvotes not listed here.
CREATE TABLE room_votes_taken_back (
  room_id BIGINT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  seq BIGINT NOT NULL,
  PRIMARY KEY (room_id, seq)
);
