-- Parvis schema, version 28: the embed click a visitor's registration came through (a
-- session card's "Register" leads to the session's own page), kept until the visitor confirms
-- by the emailed link; the registration then counts as that click's conversion. Gone with
-- the registration.
CREATE TABLE registration_clicks (
  registration_id BIGINT PRIMARY KEY REFERENCES registrations(id) ON DELETE CASCADE,
  click_id TEXT NOT NULL
);
