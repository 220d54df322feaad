-- The one query of a thread page read from the page the store keeps (crates/parvis-store/src/
-- stored_pages.rs: STORED_SQL), for pgbench: how many such reads PostgreSQL alone serves a
-- second on this machine. bench/thread_read.sh runs it with `-D tid=<the 50-message thread>`
-- after the uncached server has read that thread (so that its page is kept); keep it in step
-- with the store's SQL.
SELECT CAST(m.value AS BIGINT), s.body FROM parvis_meta m LEFT JOIN stored_thread_pages s ON s.thread_id = :tid AND s.page = 1 AND s.per_page = 50 AND s.version = CAST(m.value AS BIGINT) WHERE m.key = 'content_version';
