-- Parvis schema, version 12: what the organisation puts out into its ecosystem — challenges
-- (ideas, solutions, job offers) with weighted criteria, evaluators, entries, one vote per
-- member and entry, comments and scores. Counts shown on every page (votes, comments) are
-- kept on the entry row so a challenge page reads one row per entry, not a join per vote.
CREATE TABLE challenges (
  id ID_PK,
  space_id BIGINT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  -- ideas, solutions or job
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  brief_md TEXT NOT NULL DEFAULT '',
  brief_html TEXT NOT NULL DEFAULT '',
  -- The rules or agreement an entrant accepts (their wording is copied onto each entry).
  rules TEXT NOT NULL DEFAULT '',
  deadline BIGINT NOT NULL,
  time_zone TEXT NOT NULL,
  award TEXT NOT NULL DEFAULT '',
  cta_label TEXT NOT NULL DEFAULT '',
  cta_url TEXT NOT NULL DEFAULT '',
  -- 1: vote counts are shown only after the deadline.
  votes_hidden BIGINT NOT NULL DEFAULT 0,
  -- Scores go from 0 to scale_max.
  scale_max BIGINT NOT NULL DEFAULT 10,
  -- draft, open, judging, closed
  state TEXT NOT NULL,
  created_by BIGINT REFERENCES members(id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL,
  announced_at BIGINT
);
CREATE INDEX challenges_space ON challenges(space_id, created_at);

CREATE TABLE challenge_criteria (
  id ID_PK,
  challenge_id BIGINT NOT NULL REFERENCES challenges(id) ON DELETE CASCADE,
  position BIGINT NOT NULL,
  name TEXT NOT NULL,
  weight BIGINT NOT NULL
);
CREATE INDEX challenge_criteria_challenge ON challenge_criteria(challenge_id, position);

CREATE TABLE challenge_evaluators (
  challenge_id BIGINT NOT NULL REFERENCES challenges(id) ON DELETE CASCADE,
  member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  PRIMARY KEY (challenge_id, member_id)
);

CREATE TABLE challenge_entries (
  id ID_PK,
  challenge_id BIGINT NOT NULL REFERENCES challenges(id) ON DELETE CASCADE,
  member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  body_md TEXT NOT NULL,
  body_html TEXT NOT NULL,
  -- One http(s) link per line.
  links TEXT NOT NULL DEFAULT '',
  -- What the entrant accepted, and when.
  rules_wording TEXT NOT NULL,
  rules_accepted_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  shortlisted BIGINT NOT NULL DEFAULT 0,
  winner BIGINT NOT NULL DEFAULT 0,
  vote_count BIGINT NOT NULL DEFAULT 0,
  comment_count BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX challenge_entries_challenge ON challenge_entries(challenge_id, created_at);
CREATE INDEX challenge_entries_member ON challenge_entries(member_id);

CREATE TABLE challenge_votes (
  entry_id BIGINT NOT NULL REFERENCES challenge_entries(id) ON DELETE CASCADE,
  member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  challenge_id BIGINT NOT NULL REFERENCES challenges(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (entry_id, member_id)
);
CREATE INDEX challenge_votes_member ON challenge_votes(challenge_id, member_id);

CREATE TABLE challenge_comments (
  id ID_PK,
  entry_id BIGINT NOT NULL REFERENCES challenge_entries(id) ON DELETE CASCADE,
  challenge_id BIGINT NOT NULL REFERENCES challenges(id) ON DELETE CASCADE,
  member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  body_md TEXT NOT NULL,
  body_html TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX challenge_comments_challenge ON challenge_comments(challenge_id, created_at);

CREATE TABLE challenge_scores (
  entry_id BIGINT NOT NULL REFERENCES challenge_entries(id) ON DELETE CASCADE,
  evaluator_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  criterion_id BIGINT NOT NULL REFERENCES challenge_criteria(id) ON DELETE CASCADE,
  challenge_id BIGINT NOT NULL REFERENCES challenges(id) ON DELETE CASCADE,
  score BIGINT NOT NULL,
  scored_at BIGINT NOT NULL,
  PRIMARY KEY (entry_id, evaluator_id, criterion_id)
);
CREATE INDEX challenge_scores_challenge ON challenge_scores(challenge_id);

-- Testimonials and interviews (kind), about a person who is a member or a named guest. What
-- may be shown is decided by the latest row of `testimonial_consents`, which is append-only:
-- a withdrawal is a new row, and the history of what was agreed stays.
CREATE TABLE testimonials (
  id ID_PK,
  space_id BIGINT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  -- testimonial or interview
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  topic TEXT NOT NULL DEFAULT '',
  body_md TEXT NOT NULL DEFAULT '',
  body_html TEXT NOT NULL DEFAULT '',
  media_url TEXT NOT NULL DEFAULT '',
  transcript TEXT NOT NULL DEFAULT '',
  -- Erasing the member erases what they said (and its consent records) with them.
  person_member_id BIGINT REFERENCES members(id) ON DELETE CASCADE,
  person_name TEXT NOT NULL,
  person_org TEXT NOT NULL DEFAULT '',
  photo_url TEXT NOT NULL DEFAULT '',
  interviewer TEXT NOT NULL DEFAULT '',
  prepared BIGINT NOT NULL DEFAULT 1,
  published_at BIGINT,
  created_by BIGINT REFERENCES members(id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX testimonials_space ON testimonials(space_id, created_at);
CREATE INDEX testimonials_person ON testimonials(person_member_id);

CREATE TABLE interview_answers (
  id ID_PK,
  testimonial_id BIGINT NOT NULL REFERENCES testimonials(id) ON DELETE CASCADE,
  position BIGINT NOT NULL,
  question TEXT NOT NULL,
  answer TEXT NOT NULL
);
CREATE INDEX interview_answers_testimonial ON interview_answers(testimonial_id, position);

CREATE TABLE testimonial_consents (
  id ID_PK,
  testimonial_id BIGINT NOT NULL REFERENCES testimonials(id) ON DELETE CASCADE,
  internal_use BIGINT NOT NULL,
  public_use BIGINT NOT NULL,
  -- full or initials
  name_shown TEXT NOT NULL,
  photo BIGINT NOT NULL,
  withdrawn BIGINT NOT NULL DEFAULT 0,
  wording TEXT NOT NULL,
  recorded_at BIGINT NOT NULL,
  recorded_by BIGINT REFERENCES members(id) ON DELETE SET NULL
);
CREATE INDEX testimonial_consents_testimonial ON testimonial_consents(testimonial_id, id);

-- Personal share links (`?ref=CODE` on any page) and what they brought: visits and, later,
-- actions in Parvis (a registration, a challenge entry, a reply) by whoever came through.
CREATE TABLE share_links (
  code TEXT PRIMARY KEY,
  member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (member_id, path)
);
CREATE TABLE share_credits (
  id ID_PK,
  code TEXT NOT NULL REFERENCES share_links(code) ON DELETE CASCADE,
  member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  -- visit, registration, challenge_entry, reply
  action TEXT NOT NULL,
  actor_id BIGINT REFERENCES members(id) ON DELETE SET NULL,
  target TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE INDEX share_credits_code ON share_credits(code, action);
CREATE INDEX share_credits_member ON share_credits(member_id, action);
