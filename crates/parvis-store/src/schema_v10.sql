-- Parvis schema, version 10: live debate rooms.
-- A room belongs to a space and a topic; session_id links it to a session once sessions exist
-- (no foreign key yet: the sessions table lands separately). The room's settings here are its
-- initial ones; later changes are `configure` events in the log.
CREATE TABLE rooms (
    id ID_PK,
    space_id BIGINT NOT NULL REFERENCES spaces(id),
    topic_id BIGINT REFERENCES topics(id),
    session_id BIGINT,
    title TEXT NOT NULL,
    anonymous_questions BIGINT NOT NULL DEFAULT 0,
    approval_required BIGINT NOT NULL DEFAULT 0,
    -- The fairness budget factor in thousandths (1500 = 1.5x the fair share).
    budget_permille BIGINT NOT NULL DEFAULT 1500,
    created_by BIGINT REFERENCES members(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX rooms_topic ON rooms (topic_id);
CREATE INDEX rooms_session ON rooms (session_id);

-- The room's ordered event log, the source of truth: every question, vote, poll answer and
-- turn is one row, written before it is acknowledged. The primary key on (room_id, seq) is
-- what keeps several instances from numbering two events alike.
CREATE TABLE room_events (
    room_id BIGINT NOT NULL REFERENCES rooms(id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    -- Who acted (`m:<member id>` or `v:<visitor id>`), for export and erasure.
    actor_key TEXT NOT NULL,
    action TEXT NOT NULL,
    -- The event as JSON (parvis-live's Event).
    body TEXT NOT NULL,
    PRIMARY KEY (room_id, seq)
);
