-- Parvis schema, version 31: a widget sign-in by emailed link keeps the share link's code the
-- host page's address carried (`?ref=CODE`, sent by the frame with the sign-in's start), so
-- that it is noted for the member when the link is confirmed, as a single sign-on notes it at
-- once. Empty when there was none; forgotten with the attempt.
ALTER TABLE embed_auth_attempts ADD COLUMN share_ref TEXT NOT NULL DEFAULT '';
