-- Parvis schema, version 11: embeds on other sites — where they may run, their call to
-- action, cookieless counts, clicks and conversions, and signed webhooks.
-- One row per space that configured its embeds. `origins`: allowed embedding origins, one
-- per line (empty: anywhere). `secret`: signs conversion reports (HMAC-SHA256);
-- `previous_secret` is still accepted while the organisation rotates it.
CREATE TABLE embed_settings (
  space_id BIGINT PRIMARY KEY REFERENCES spaces(id) ON DELETE CASCADE,
  origins TEXT NOT NULL,
  cta_label TEXT NOT NULL,
  cta_url TEXT NOT NULL,
  secret TEXT NOT NULL,
  previous_secret TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
-- A call to action for one embed, over the space's default.
CREATE TABLE embed_ctas (
  embed_key TEXT PRIMARY KEY,
  space_id BIGINT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  label TEXT NOT NULL,
  url TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
-- The daily salt of visitor hashes; yesterday's is deleted, so a hash cannot be recomputed.
CREATE TABLE embed_salts (
  day BIGINT PRIMARY KEY,
  salt TEXT NOT NULL
);
-- Views and engagement, one row per (embed, host page, event, visitor, day): counts are
-- distinct visitors per day. `visitor` is a salted hash, never an address.
CREATE TABLE embed_events (
  id ID_PK,
  space_id BIGINT NOT NULL,
  embed_key TEXT NOT NULL,
  host TEXT NOT NULL,
  event TEXT NOT NULL,
  visitor TEXT NOT NULL,
  day BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (embed_key, host, event, visitor, day)
);
CREATE INDEX embed_events_space ON embed_events(space_id, day);
-- A click on a call to action, by its click id (minted when the card was drawn).
CREATE TABLE embed_clicks (
  id ID_PK,
  click_id TEXT NOT NULL UNIQUE,
  space_id BIGINT NOT NULL,
  embed_key TEXT NOT NULL,
  host TEXT NOT NULL,
  visitor TEXT NOT NULL,
  target_url TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX embed_clicks_space ON embed_clicks(space_id, created_at);
-- A conversion reported by the organisation; a transaction id counts once per space.
CREATE TABLE embed_conversions (
  id ID_PK,
  space_id BIGINT NOT NULL,
  click_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  value_cents BIGINT NOT NULL,
  transaction_id TEXT NOT NULL,
  source TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (space_id, transaction_id)
);
-- Webhook endpoints of a space and each event's delivery to each of them.
CREATE TABLE webhook_endpoints (
  id ID_PK,
  space_id BIGINT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  url TEXT NOT NULL,
  secret TEXT NOT NULL,
  previous_secret TEXT NOT NULL,
  events TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE webhook_deliveries (
  id ID_PK,
  endpoint_id BIGINT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  event_id TEXT NOT NULL,
  event TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts BIGINT NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  last_status BIGINT,
  last_error TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  delivered_at BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
