-- Parvis schema, version 33: thread pages kept as the API answers them.
--
-- A read of a thread page (the JSON API and the embeds' data) answers with the text kept here
-- when it was written at the store's current content version (`parvis_meta.content_version`,
-- which every write that changes what a thread page shows moves), and otherwise reads the
-- thread, writes the answer and keeps it. One row read instead of three queries and the JSON
-- written around 50 messages; exact, unlike the in-memory cache of one instance, since the
-- version is checked in the same read. Only the pages a reader asked for are kept, at most one
-- row per page; bulk changes (an erasure, a merge, a rename) delete every row.
CREATE TABLE stored_thread_pages (
    thread_id BIGINT NOT NULL,
    page BIGINT NOT NULL,
    per_page BIGINT NOT NULL,
    version BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (thread_id, page, per_page)
);
-- Kept uncompressed on PostgreSQL: read far more often than written, and compressed (pglz or
-- lz4) it was no faster to read (BENCHMARKS.md, "Thread read", 2026-12-07 19:30).
-- postgres only: ALTER TABLE stored_thread_pages ALTER COLUMN body SET STORAGE EXTERNAL;
