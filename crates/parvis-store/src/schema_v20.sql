-- Parvis schema, version 20: accounts an admin marks as staff (the organisation's own voice:
-- employees who are neither admins nor moderators). Admins and moderators count as staff
-- without a row here. A separate table rather than a column so that reading members stays
-- unchanged, and so that who marked whom, and when, is kept.
CREATE TABLE staff_members (
  member_id BIGINT PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
  marked_by BIGINT REFERENCES members(id) ON DELETE SET NULL,
  marked_at BIGINT NOT NULL
);
