-- Parvis schema, version 15: a session's live room and its room check-in.
-- One room per session at most: the room is created on first need, and two requests racing to
-- create it must end with one (the loser reads the winner's). Rooms without a session (NULL)
-- stay as many as wanted: both SQLite and PostgreSQL let a unique index hold several NULLs.
CREATE UNIQUE INDEX rooms_session_one ON rooms (session_id);

-- The secret in the URL of a session's check-in QR code, made on first need: without it,
-- anyone who guessed the address could mark themselves present in the room from home.
ALTER TABLE topic_sessions ADD COLUMN checkin_key TEXT;
