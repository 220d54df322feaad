-- The three queries of an uncached thread page on PostgreSQL (crates/parvis-store/src/
-- content_read.rs: THREAD_PAGE_SQL, MESSAGES_SQL, REACTIONS_SQL), for pgbench: how many such
-- reads PostgreSQL alone serves a second on this machine, with no Parvis in the way.
-- bench/thread_read.sh runs it with `-D tid=<the 50-message thread>`; keep it in step with
-- the store's SQL.
SELECT t.id, t.space_id, t.topic_id, tp.slug, t.title, t.created_at, t.last_activity_at, t.message_count, t.channel, m.id, m.handle, m.display_name, m.organisation, m.ecosystem_role, (SELECT COUNT(*) FROM messages WHERE thread_id = t.id) FROM threads t JOIN members m ON m.id = t.author_id LEFT JOIN topics tp ON tp.id = t.topic_id WHERE t.id = :tid;
SELECT msg.id, msg.thread_id, msg.parent_id, msg.body_md, msg.body_html, msg.created_at, msg.channel, msg.source_url, pm.display_name, m.id, m.handle, m.display_name, m.organisation, m.ecosystem_role FROM messages msg JOIN members m ON m.id = msg.author_id LEFT JOIN messages pmsg ON pmsg.id = msg.parent_id LEFT JOIN members pm ON pm.id = pmsg.author_id WHERE msg.thread_id = :tid ORDER BY msg.created_at, msg.id LIMIT 50 OFFSET 0;
SELECT r.message_id, r.kind, COUNT(*) FROM reactions r JOIN messages msg ON msg.id = r.message_id WHERE msg.thread_id = :tid GROUP BY r.message_id, r.kind ORDER BY r.message_id, r.kind;
