-- Parvis schema, version 27: surveys sent by email. One row per address a survey was sent
-- to. The address is kept only until its mail is sent (then emptied; `email_hash` keeps one
-- survey from mailing an address twice), the personal link's secret only as a hash. Whether
-- the link was used is a flag with no time and no tie to the answer it gave: an answer row
-- (`survey_answers`) cannot be joined back to an address, which employee surveys require.
CREATE TABLE survey_recipients (
  id ID_PK,
  survey_id BIGINT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
  email_hash TEXT NOT NULL,
  email TEXT NOT NULL DEFAULT '',
  lang TEXT NOT NULL,
  token_hash TEXT UNIQUE,
  sent_at BIGINT,
  answered BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  UNIQUE (survey_id, email_hash)
);
