-- Parvis schema, version 21 (content): a named guest's private link to withdraw the consent
-- behind their testimonial or interview. Only the link's hash is kept, as for sign-in links:
-- the link is mailed and shown to the manager once; issuing a new one replaces the old.
CREATE TABLE testimonial_withdrawal_links (
  testimonial_id BIGINT PRIMARY KEY REFERENCES testimonials(id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL
);
