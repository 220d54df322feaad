//! Spaces, topics, threads and messages as the pages read them, through the read path
//! ([`crate::read`]): the space page, the thread page and `GET /api/v1/threads/{id}`.

use crate::read::{Arg, Cols, Reader};
use crate::{Result, Store};
use parvis_domain::{
    EcosystemRole, MemberId, MemberRef, MemberRefView, Message, MessageId, MessageView, Page,
    PageRequest, ReactionCount, ReactionKind, Space, SpaceId, ThreadId, ThreadSummary, Topic,
    TopicId,
};
use std::collections::HashMap;

/// `members m` as a [`MemberRef`], five columns (read by [`member_at`]).
macro_rules! member_cols {
    () => {
        "m.id, m.handle, m.display_name, m.organisation, m.ecosystem_role"
    };
}

/// `m.id, m.handle, m.display_name, m.organisation, m.ecosystem_role` from column `at`
/// (the challenge pages' reads use it too).
pub(crate) fn member_at(r: &dyn Cols, at: usize) -> Result<MemberRef> {
    Ok(member_view_at(r, at)?.to_member_ref())
}

/// The same five columns, borrowed from the row.
fn member_view_at(r: &dyn Cols, at: usize) -> Result<MemberRefView<'_>> {
    Ok(MemberRefView {
        id: MemberId(r.int(at)?),
        handle: r.str(at + 1)?,
        display_name: r.str(at + 2)?,
        organisation: r.str(at + 3)?,
        ecosystem_role: stored_role(r.str(at + 4)?),
    })
}

macro_rules! space_select {
    () => {
        "SELECT id, slug, name, description, created_at, archived_at, time_zone FROM spaces"
    };
}

fn space_of(r: &dyn Cols) -> Result<Space> {
    Ok(Space {
        id: SpaceId(r.int(0)?),
        slug: r.text(1)?,
        name: r.text(2)?,
        description: r.text(3)?,
        created_at: r.int(4)?,
        archived_at: r.opt_int(5)?,
        time_zone: r.text(6)?,
    })
}

macro_rules! topic_select {
    () => {
        "SELECT tp.id, tp.space_id, tp.slug, tp.title, tp.description, tp.keywords, tp.archived_at,
            (SELECT COUNT(*) FROM threads t WHERE t.topic_id = tp.id) AS thread_count
         FROM topics tp"
    };
}

fn topic_of(r: &dyn Cols) -> Result<Topic> {
    Ok(Topic {
        id: TopicId(r.int(0)?),
        space_id: SpaceId(r.int(1)?),
        slug: r.text(2)?,
        title: r.text(3)?,
        description: r.text(4)?,
        keywords: serde_json::from_str(&r.text(5)?).unwrap_or_default(),
        archived_at: r.opt_int(6)?,
        thread_count: r.int(7)?,
    })
}

/// A thread summary with its author: columns 0–13 (read by [`thread_of`]).
macro_rules! thread_cols {
    () => {
        concat!(
            "t.id, t.space_id, t.topic_id, tp.slug, t.title, t.created_at, t.last_activity_at,
                t.message_count, t.channel, ",
            member_cols!()
        )
    };
}

macro_rules! thread_from {
    () => {
        " FROM threads t JOIN members m ON m.id = t.author_id LEFT JOIN topics tp ON tp.id = t.topic_id"
    };
}

macro_rules! thread_select {
    () => {
        concat!("SELECT ", thread_cols!(), thread_from!())
    };
}

fn thread_of(r: &dyn Cols) -> Result<ThreadSummary> {
    Ok(ThreadSummary {
        id: ThreadId(r.int(0)?),
        space_id: SpaceId(r.int(1)?),
        topic_id: r.opt_int(2)?.map(TopicId),
        topic_slug: r.opt_text(3)?,
        title: r.text(4)?,
        created_at: r.int(5)?,
        last_activity_at: r.int(6)?,
        message_count: r.int(7)?,
        channel: r.text(8)?,
        author: member_at(r, 9)?,
    })
}

const THREAD_SQL: &str = concat!(thread_select!(), " WHERE t.id = $1");

/// A thread and how many messages it holds (column 14), for a page of it.
const THREAD_PAGE_SQL: &str = concat!(
    "SELECT ",
    thread_cols!(),
    ", (SELECT COUNT(*) FROM messages WHERE thread_id = t.id)",
    thread_from!(),
    " WHERE t.id = $1"
);

const MESSAGES_SQL: &str = concat!(
    "SELECT msg.id, msg.thread_id, msg.parent_id, msg.body_md, msg.body_html, msg.created_at,
        msg.channel, msg.source_url, pm.display_name, ",
    member_cols!(),
    " FROM messages msg JOIN members m ON m.id = msg.author_id
     LEFT JOIN messages pmsg ON pmsg.id = msg.parent_id LEFT JOIN members pm ON pm.id = pmsg.author_id
     WHERE msg.thread_id = $1 ORDER BY msg.created_at, msg.id LIMIT $2 OFFSET $3"
);

/// The message of a [`MESSAGES_SQL`] row, its texts borrowed from the row, with its reaction
/// counts from `reactions` (by message id).
fn message_view<'a>(
    r: &'a dyn Cols,
    reactions: &'a HashMap<i64, Vec<ReactionCount>>,
) -> Result<MessageView<'a>> {
    let id = r.int(0)?;
    Ok(MessageView {
        id: MessageId(id),
        thread_id: ThreadId(r.int(1)?),
        parent_id: r.opt_int(2)?.map(MessageId),
        body_markdown: r.str(3)?,
        body_html: r.str(4)?,
        created_at: r.int(5)?,
        channel: r.str(6)?,
        source_url: r.opt_str(7)?,
        parent_author: r.opt_str(8)?,
        author: member_view_at(r, 9)?,
        reactions: reactions.get(&id).map_or(&[], Vec::as_slice),
    })
}

/// An ecosystem role as stored; one this version does not know reads as `Other`.
fn stored_role(text: &str) -> EcosystemRole {
    // The stored names are the canonical ones: matched as they are, without the allocation
    // of `parse`'s case folding, which stays for anything else.
    EcosystemRole::ALL
        .iter()
        .copied()
        .find(|role| role.as_str() == text)
        .unwrap_or_else(|| {
            EcosystemRole::parse("ecosystem_role", text).unwrap_or(EcosystemRole::Other)
        })
}

const REACTIONS_SQL: &str = "SELECT r.message_id, r.kind, COUNT(*) FROM reactions r
     JOIN messages msg ON msg.id = r.message_id
     WHERE msg.thread_id = $1 GROUP BY r.message_id, r.kind ORDER BY r.message_id, r.kind";

/// What reads a thread page as it comes out of the store, message by message, without
/// copying the messages ([`Store::thread_page_with`]): the thread page's JSON writes each
/// one out at once.
pub trait ThreadPageVisitor: Send + 'static {
    /// What the visit gives back.
    type Output: Send + 'static;
    /// The thread and its message count, before its messages.
    fn thread(&mut self, thread: &ThreadSummary, total: i64);
    /// The page's messages, oldest first; each is borrowed for this call only.
    fn message(&mut self, message: &MessageView<'_>);
    /// After the last message.
    fn finish(self) -> Self::Output;
}

/// A page of a thread's messages, oldest first, each with its reaction counts, handed to
/// `visit`; `total` is the thread's message count.
async fn visit_messages(
    r: &mut Reader<'_>,
    thread: ThreadId,
    page: PageRequest,
    total: i64,
    mut visit: impl FnMut(&MessageView<'_>) + Send,
) -> Result<()> {
    if total <= page.offset() {
        return Ok(());
    }
    // The counts first (a few rows), so each message is complete when it is read.
    let counts = r
        .all(REACTIONS_SQL, &[Arg::Int(thread.0)], |c| {
            Ok((c.int(0)?, c.text(1)?, c.int(2)?))
        })
        .await?;
    let mut reactions: HashMap<i64, Vec<ReactionCount>> = HashMap::new();
    for (message, kind, count) in counts {
        // A kind this version does not know (written by a newer one) is left out.
        if let Ok(kind) = ReactionKind::parse("kind", &kind) {
            reactions
                .entry(message)
                .or_default()
                .push(ReactionCount { kind, count });
        }
    }
    let args = [
        Arg::Int(thread.0),
        Arg::Int(page.per_page as i64),
        Arg::Int(page.offset()),
    ];
    r.each(MESSAGES_SQL, &args, |c| {
        visit(&message_view(c, &reactions)?);
        Ok(())
    })
    .await
}

/// A page of a thread's messages, oldest first, with their reaction counts; `total` is the
/// thread's message count.
async fn messages_page(
    r: &mut Reader<'_>,
    thread: ThreadId,
    page: PageRequest,
    total: i64,
) -> Result<Page<Message>> {
    let mut items = Vec::new();
    visit_messages(r, thread, page, total, |m| items.push(m.to_message())).await?;
    Ok(Page {
        items,
        page: page.page,
        per_page: page.per_page,
        total,
    })
}

const THREADS_IN_SPACE_SQL: &str = concat!(
    thread_select!(),
    " WHERE t.space_id = $1 ORDER BY t.last_activity_at DESC, t.id DESC LIMIT $2 OFFSET $3"
);
const THREADS_IN_TOPIC_SQL: &str = concat!(
    thread_select!(),
    " WHERE t.space_id = $1 AND t.topic_id = $4 ORDER BY t.last_activity_at DESC, t.id DESC LIMIT $2 OFFSET $3"
);

/// What the space page shows (see [`Store::space_page`]).
#[derive(Debug, Clone)]
pub struct SpacePage {
    pub space: Space,
    /// Every topic of the space, archived ones included, in creation order.
    pub topics: Vec<Topic>,
    /// The topic asked for, if it exists.
    pub current: Option<Topic>,
    /// A page of the space's (or the topic's) threads, most recently active first.
    pub threads: Page<ThreadSummary>,
}

/// A page of threads of a space (optionally of one topic), most recently active first.
async fn threads_page(
    r: &mut Reader<'_>,
    space: SpaceId,
    topic: Option<TopicId>,
    page: PageRequest,
) -> Result<Page<ThreadSummary>> {
    let mut args = vec![
        Arg::Int(space.0),
        Arg::Int(page.per_page as i64),
        Arg::Int(page.offset()),
    ];
    let (sql, total) = match topic {
        Some(t) => {
            args.push(Arg::Int(t.0));
            let total = r
                .count(
                    "SELECT COUNT(*) FROM threads WHERE space_id = $1 AND topic_id = $2",
                    &[Arg::Int(space.0), Arg::Int(t.0)],
                )
                .await?;
            (THREADS_IN_TOPIC_SQL, total)
        }
        None => {
            let total = r
                .count(
                    "SELECT COUNT(*) FROM threads WHERE space_id = $1",
                    &[Arg::Int(space.0)],
                )
                .await?;
            (THREADS_IN_SPACE_SQL, total)
        }
    };
    let items = if total > page.offset() {
        r.all(sql, &args, thread_of).await?
    } else {
        Vec::new()
    };
    Ok(Page {
        items,
        page: page.page,
        per_page: page.per_page,
        total,
    })
}

/// Rows whose id is in `$1`, a JSON array of ids, in each backend's dialect: one query for a
/// whole list, where one query per id would be one round trip each on PostgreSQL.
macro_rules! ids_in_json {
    (sqlite, $col:literal) => {
        concat!(" WHERE ", $col, " IN (SELECT value FROM json_each($1))")
    };
    (postgres, $col:literal) => {
        concat!(
            " WHERE ",
            $col,
            " IN (SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST($1 AS json)))"
        )
    };
}

/// `ids` as a JSON array, for [`ids_in_json`].
fn json_ids(ids: impl Iterator<Item = i64>) -> String {
    let list: Vec<String> = ids.map(|id| id.to_string()).collect();
    format!("[{}]", list.join(","))
}

impl Store {
    /// All spaces, oldest first.
    pub async fn list_spaces(&self) -> Result<Vec<Space>> {
        const SQL: &str = concat!(space_select!(), " ORDER BY created_at, id");
        self.reads
            .run(|r| Box::pin(async move { r.all(SQL, &[], space_of).await }))
            .await
    }

    /// A space by slug.
    pub async fn space_by_slug(&self, slug: &str) -> Result<Option<Space>> {
        const SQL: &str = concat!(space_select!(), " WHERE slug = $1");
        let slug = slug.to_string();
        self.reads
            .run(move |r| Box::pin(async move { r.opt(SQL, &[Arg::Text(&slug)], space_of).await }))
            .await
    }

    /// A space by id.
    pub async fn space_by_id(&self, id: SpaceId) -> Result<Option<Space>> {
        const SQL: &str = concat!(space_select!(), " WHERE id = $1");
        self.reads
            .run(move |r| Box::pin(async move { r.opt(SQL, &[Arg::Int(id.0)], space_of).await }))
            .await
    }

    /// The topics of a space, in creation order, with their thread counts.
    pub async fn list_topics(&self, space: SpaceId) -> Result<Vec<Topic>> {
        const SQL: &str = concat!(
            topic_select!(),
            " WHERE tp.space_id = $1 ORDER BY tp.created_at, tp.id"
        );
        self.reads
            .run(move |r| Box::pin(async move { r.all(SQL, &[Arg::Int(space.0)], topic_of).await }))
            .await
    }

    /// A topic by id.
    pub async fn topic_by_id(&self, id: TopicId) -> Result<Option<Topic>> {
        const SQL: &str = concat!(topic_select!(), " WHERE tp.id = $1");
        self.reads
            .run(move |r| Box::pin(async move { r.opt(SQL, &[Arg::Int(id.0)], topic_of).await }))
            .await
    }

    /// A topic by space and slug.
    pub async fn topic_by_slug(&self, space: SpaceId, slug: &str) -> Result<Option<Topic>> {
        const SQL: &str = concat!(topic_select!(), " WHERE tp.space_id = $1 AND tp.slug = $2");
        let slug = slug.to_string();
        self.reads
            .run(move |r| {
                Box::pin(async move {
                    r.opt(SQL, &[Arg::Int(space.0), Arg::Text(&slug)], topic_of)
                        .await
                })
            })
            .await
    }

    /// A page of threads of a space (optionally of one topic), most recently active first.
    pub async fn list_threads(
        &self,
        space: SpaceId,
        topic: Option<TopicId>,
        page: PageRequest,
    ) -> Result<Page<ThreadSummary>> {
        self.reads
            .run(move |r| Box::pin(threads_page(r, space, topic, page)))
            .await
    }

    /// What the space page shows, in one read: the space, its topics, the topic asked for
    /// (by slug) and a page of threads (of that topic, if any). `None` if there is no such
    /// space; `current` is `None` when the topic asked for does not exist.
    pub async fn space_page(
        &self,
        slug: &str,
        topic: Option<&str>,
        page: PageRequest,
    ) -> Result<Option<SpacePage>> {
        const SPACE: &str = concat!(space_select!(), " WHERE slug = $1");
        const TOPICS: &str = concat!(
            topic_select!(),
            " WHERE tp.space_id = $1 ORDER BY tp.created_at, tp.id"
        );
        let slug = slug.to_string();
        let topic = topic.map(str::to_string);
        self.reads
            .run_short(move |r| {
                Box::pin(async move {
                    let Some(space) = r.opt(SPACE, &[Arg::Text(&slug)], space_of).await? else {
                        return Ok(None);
                    };
                    let topics = r.all(TOPICS, &[Arg::Int(space.id.0)], topic_of).await?;
                    let current = match &topic {
                        Some(t) => match topics.iter().find(|tp| &tp.slug == t) {
                            Some(found) => Some(found.clone()),
                            None => {
                                return Ok(Some(SpacePage {
                                    space,
                                    topics,
                                    current: None,
                                    threads: Page {
                                        items: Vec::new(),
                                        page: page.page,
                                        per_page: page.per_page,
                                        total: 0,
                                    },
                                }));
                            }
                        },
                        None => None,
                    };
                    let threads =
                        threads_page(r, space.id, current.as_ref().map(|t| t.id), page).await?;
                    Ok(Some(SpacePage {
                        space,
                        topics,
                        current,
                        threads,
                    }))
                })
            })
            .await
    }

    /// The summaries of these threads (those that exist), by id, in one query.
    pub async fn threads_by_ids(
        &self,
        ids: &[ThreadId],
    ) -> Result<HashMap<ThreadId, ThreadSummary>> {
        const SQLITE: &str = concat!(thread_select!(), ids_in_json!(sqlite, "t.id"));
        const POSTGRES: &str = concat!(thread_select!(), ids_in_json!(postgres, "t.id"));
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let ids = json_ids(ids.iter().map(|id| id.0));
        self.reads
            .run(move |r| {
                Box::pin(async move {
                    let sql = r.dialect(SQLITE, POSTGRES);
                    let threads = r.all(sql, &[Arg::Text(&ids)], thread_of).await?;
                    Ok(threads.into_iter().map(|t| (t.id, t)).collect())
                })
            })
            .await
    }

    /// One thread's summary.
    pub async fn thread(&self, id: ThreadId) -> Result<Option<ThreadSummary>> {
        self.reads
            .run(move |r| {
                Box::pin(async move { r.opt(THREAD_SQL, &[Arg::Int(id.0)], thread_of).await })
            })
            .await
    }

    /// A page of a thread's messages, oldest first, with reaction counts.
    pub async fn list_messages(
        &self,
        thread: ThreadId,
        page: PageRequest,
    ) -> Result<Page<Message>> {
        self.reads
            .run(move |r| {
                Box::pin(async move {
                    let total = r
                        .count(
                            "SELECT COUNT(*) FROM messages WHERE thread_id = $1",
                            &[Arg::Int(thread.0)],
                        )
                        .await?;
                    messages_page(r, thread, page, total).await
                })
            })
            .await
    }

    /// A thread and a page of its messages, read together (one snapshot), or `None` if there
    /// is no such thread.
    pub async fn thread_page(
        &self,
        id: ThreadId,
        page: PageRequest,
    ) -> Result<Option<(ThreadSummary, Page<Message>)>> {
        /// Collects the page (owned).
        struct Collect {
            page: PageRequest,
            read: Option<(ThreadSummary, Page<Message>)>,
        }
        impl ThreadPageVisitor for Collect {
            type Output = Option<(ThreadSummary, Page<Message>)>;
            fn thread(&mut self, thread: &ThreadSummary, total: i64) {
                let messages = Page {
                    items: Vec::new(),
                    page: self.page.page,
                    per_page: self.page.per_page,
                    total,
                };
                self.read = Some((thread.clone(), messages));
            }
            fn message(&mut self, message: &MessageView<'_>) {
                if let Some((_, messages)) = &mut self.read {
                    messages.items.push(message.to_message());
                }
            }
            fn finish(self) -> Self::Output {
                self.read
            }
        }
        let collect = Collect { page, read: None };
        Ok(self.thread_page_with(id, page, collect).await?.flatten())
    }

    /// A thread and a page of its messages, read together (one snapshot) and handed to
    /// `visitor` as they come out of the store, or `None` if there is no such thread.
    pub async fn thread_page_with<V: ThreadPageVisitor>(
        &self,
        id: ThreadId,
        page: PageRequest,
        visitor: V,
    ) -> Result<Option<V::Output>> {
        self.reads
            .run_short(move |r| Box::pin(read_thread_page(r, id, page, visitor)))
            .await
    }
}

/// The thread and a page of its messages, handed to `visitor` (the body of
/// [`Store::thread_page_with`], which the stored pages' read shares).
pub(crate) async fn read_thread_page<V: ThreadPageVisitor>(
    r: &mut Reader<'_>,
    id: ThreadId,
    page: PageRequest,
    mut visitor: V,
) -> Result<Option<V::Output>> {
    let head = r
        .opt(THREAD_PAGE_SQL, &[Arg::Int(id.0)], |c| {
            Ok((thread_of(c)?, c.int(14)?))
        })
        .await?;
    let Some((thread, total)) = head else {
        return Ok(None);
    };
    visitor.thread(&thread, total);
    visit_messages(r, id, page, total, |m| visitor.message(m)).await?;
    Ok(Some(visitor.finish()))
}
