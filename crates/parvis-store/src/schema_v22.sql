-- Parvis schema, version 22: the measures' incremental refresh reads share-link credits since
-- its last watermark (people brought in count as referrals); without this index every refresh
-- scanned them all, visits included (one row per visit through a share link).
CREATE INDEX share_credits_created ON share_credits(created_at);
