-- Parvis schema, version 24: a conversion reported for a call to action is credited to the
-- share link its visitor came through, found by the click id the click was recorded with.
CREATE INDEX share_credits_target ON share_credits(target, action);
