//! Importing conversations from other channels into a space.
//!
//! The parsers (crate `parvis-import`) run on a blocking thread and stream records through a
//! bounded channel, so memory stays flat whatever the input size. Each message's author is
//! resolved to a member:
//! - **exact signals merge**: the same handle on the same network, the same email, a profile
//!   link between the two — the message goes to that member and the new identity is attached;
//! - **likely signals propose**: a new person with the same full name as a member *and* another
//!   signal (same organisation email domain, same handle on another network) is created apart,
//!   and a merge proposal is filed for an admin; never a merge on a display name alone.
//!
//! Writes go in batches of `batch` items, each batch one transaction; every write is an upsert
//! keyed on the channel's own ids, so an interrupted import leaves whole batches and running
//! it again completes it without duplicates. A dry run does the same work in one transaction
//! that is rolled back. The writes go through a [`parvis_store::ImportWriter`]: on SQLite a
//! connection on a thread of its own, which writes one batch while this loop resolves the next.

use crate::{Result, ServiceError, Services};
use parvis_domain::*;
use parvis_import::identity::{self, Match, PersonKey};
use parvis_import::topics::TopicMatcher;
use parvis_import::{Format, ImportedMessage, ImportedPerson, Record, SkipKind};
use parvis_store::{ImportRow, ImportTotals, ImportWriter, NewMember};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ImportSummary {
    pub dry_run: bool,
    pub threads_created: u64,
    pub messages_created: u64,
    pub messages_updated: u64,
    pub messages_unchanged: u64,
    pub people_created: u64,
    pub people_matched: u64,
    pub merges_proposed: u64,
    /// Items not imported: deliberately skipped ones plus unreadable ones.
    pub skipped: u64,
    /// Of `skipped`, the unreadable ones.
    pub errors: u64,
    /// Why items were skipped, with counts, by the stable code of
    /// [`parvis_import::SkipKind`] (`deleted`, `direct_message`, `duplicate`…).
    pub skipped_reasons: BTreeMap<String, u64>,
    /// The first unreadable items, with file and line.
    pub error_examples: Vec<String>,
    /// The first files of a folder left out because they are not in the format read (a
    /// downloaded mail archive's `index.html`); they are counted as `other_file` skips.
    pub files_left_out: Vec<String>,
    /// Replies linked to a parent that came later in the input.
    pub parents_linked: u64,
    /// Items read so far (for progress).
    pub items_seen: u64,
    /// Messages cut to the size of a post (their end replaced by "[…]"), counted in the
    /// created/updated ones.
    pub truncated: u64,
    /// Files whose reading stopped midway (truncated or malformed): what came before the
    /// damage was imported, the rest was not.
    pub files_abandoned: u64,
    /// Whether everything, part or nothing of the input was imported.
    pub outcome: ImportOutcome,
}

/// Whether an import took in everything it was given. `parvis import` exits with 0, 2 or 1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportOutcome {
    /// Every item was imported or deliberately skipped (spam, notices, duplicates…).
    #[default]
    Complete,
    /// Something was imported, but some items were unreadable or a file was abandoned midway.
    Partial,
    /// No message and no person came out of the input (empty, unreadable, the wrong format,
    /// or only skipped items).
    Nothing,
}

impl ImportSummary {
    /// Messages read and stored (created, updated or already there unchanged).
    pub fn messages(&self) -> u64 {
        self.messages_created + self.messages_updated + self.messages_unchanged
    }

    fn settle_outcome(&mut self) {
        self.outcome = if self.messages() == 0 && self.people_created + self.people_matched == 0 {
            ImportOutcome::Nothing
        } else if self.errors > 0 {
            ImportOutcome::Partial
        } else {
            ImportOutcome::Complete
        };
    }
}

/// The longest imported message text, in characters: the limit of a post written here.
pub const MAX_IMPORTED_TEXT_CHARS: usize = crate::MAX_BODY_CHARS;
/// The longest imported message HTML, in bytes, before sanitising (a post of
/// [`MAX_IMPORTED_TEXT_CHARS`] renders to less). One 50 MB message made a 52 MB thread page.
pub const MAX_IMPORTED_HTML_BYTES: usize = 256 * 1024;
/// What replaces the end of a message that was cut.
const CUT_MARK: &str = " […]";

/// Cuts `s` to at most `max_bytes` bytes, on a character boundary; true when it was cut.
fn cut_bytes(s: &mut String, max_bytes: usize) -> bool {
    if s.len() <= max_bytes {
        return false;
    }
    let mut end = max_bytes;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.truncate(end);
    true
}

/// Cuts `s` to at most `max` characters; true when it was cut.
fn cut_chars(s: &mut String, max: usize) -> bool {
    match s.char_indices().nth(max) {
        Some((end, _)) => {
            s.truncate(end);
            true
        }
        None => false,
    }
}

/// Options of an import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub space: String,
    pub dry_run: bool,
    /// Items per transaction (1,000 by default: each commit writes the pages it dirtied to
    /// the WAL, and with batches of 500 the WAL got twice the store's bytes; larger batches
    /// hold more rows in memory: 2,000 took a 1 GB import to 184 MB of RSS).
    pub batch: usize,
    /// On a SQLite store, write through the dedicated bulk connection (the default); false
    /// writes through the portable sqlx path, as on PostgreSQL (the tests compare the two).
    pub sqlite_bulk: bool,
    /// Paths under this folder are named relative to it in errors: an upload's temporary
    /// folder on the server is nobody's business.
    pub hide_dir: Option<PathBuf>,
}

impl ImportOptions {
    /// `message` with the hidden folder's path (and the separator after it) removed.
    fn shown(&self, message: String) -> String {
        match &self.hide_dir {
            Some(dir) => {
                let dir = dir.display().to_string();
                message
                    .replace(&format!("{dir}{}", std::path::MAIN_SEPARATOR), "")
                    .replace(&dir, "")
            }
            None => message,
        }
    }
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            space: String::new(),
            dry_run: false,
            batch: 1_000,
            sqlite_bulk: true,
            hide_dir: None,
        }
    }
}

/// Networks whose handles are accounts (a verified identity), not typed-in names.
fn verified_channel(channel: &str) -> bool {
    matches!(
        channel,
        "mastodon" | "discourse" | "slack" | "twitter" | "linkedin" | "email"
    )
}

/// Who is who, loaded from the store once and kept current during the import.
struct Resolver {
    /// Network → normalised handle → member (nested so that a lookup borrows the channel
    /// instead of building a key per message).
    by_identity: HashMap<String, HashMap<String, MemberId>>,
    by_email: HashMap<String, MemberId>,
    by_link: HashMap<String, MemberId>,
    by_name: HashMap<String, Vec<(MemberId, PersonKey)>>,
    seen: HashSet<MemberId>,
    /// Handles and emails of every member, kept current as people are created: a new
    /// person's free handle is found without a query per try.
    handles: HashSet<String>,
    emails: HashSet<String>,
}

impl Resolver {
    async fn load(s: &Services) -> Result<Resolver> {
        let mut r = Resolver {
            by_identity: HashMap::new(),
            by_email: HashMap::new(),
            by_link: HashMap::new(),
            by_name: HashMap::new(),
            seen: HashSet::new(),
            handles: HashSet::new(),
            emails: HashSet::new(),
        };
        for (network, handle, member) in s.store().all_identities().await? {
            r.remember_identity(&network, &handle, member);
        }
        for (handle, email) in s.store().member_handles_and_emails().await? {
            r.handles.insert(handle);
            r.emails.extend(email);
        }
        for (id, name, email) in s.store().all_member_names().await? {
            if let Some(e) = &email {
                r.by_email.insert(identity::normalise_email(e), id);
            }
            let key = PersonKey {
                channel: "parvis".into(),
                display_name: name.clone(),
                email,
                ..Default::default()
            };
            r.by_name
                .entry(identity::normalise_name(&name))
                .or_default()
                .push((id, key));
        }
        Ok(r)
    }

    fn remember_identity(&mut self, network: &str, handle: &str, member: MemberId) {
        match network {
            "email" => {
                self.by_email
                    .insert(identity::normalise_email(handle), member);
            }
            "url" => {
                self.by_link.insert(identity::normalise_url(handle), member);
            }
            _ => {}
        }
        self.by_identity
            .entry(network.to_string())
            .or_default()
            .insert(identity::normalise_handle(handle), member);
    }

    fn identity(&self, network: &str, handle: &str) -> Option<MemberId> {
        self.by_identity
            .get(network)?
            .get(&identity::normalise_handle(handle))
            .copied()
    }

    fn find_exact(&self, p: &ImportedPerson) -> Option<MemberId> {
        if !p.handle.is_empty()
            && let Some(m) = self.identity(&p.channel, &p.handle)
        {
            return Some(m);
        }
        if let Some(e) = p
            .email
            .as_deref()
            .map(identity::normalise_email)
            .filter(|e| e.contains('@'))
            && let Some(m) = self.by_email.get(&e)
        {
            return Some(*m);
        }
        p.profile_url
            .iter()
            .chain(p.links.iter())
            .find_map(|l| self.by_link.get(&identity::normalise_url(l)).copied())
    }

    /// Record every signal `p` carries (channel handle, email, profile links) as identities
    /// of `member`, unless already known.
    /// The identities are queued in `tx` and written with the batch.
    fn attach(&mut self, tx: &mut ImportWriter, member: MemberId, p: &ImportedPerson, now: Millis) {
        if !p.handle.is_empty() && self.identity(&p.channel, &p.handle).is_none() {
            tx.queue_identity(
                member,
                &p.channel,
                &p.handle,
                verified_channel(&p.channel),
                now,
            );
            self.remember_identity(&p.channel, &p.handle, member);
        }
        if let Some(e) = p
            .email
            .as_deref()
            .map(identity::normalise_email)
            .filter(|e| e.contains('@'))
            && !self.by_email.contains_key(&e)
        {
            tx.queue_identity(member, "email", &e, false, now);
            self.remember_identity("email", &e, member);
        }
        for l in p.profile_url.iter().chain(p.links.iter()) {
            let url = identity::normalise_url(l);
            if !self.by_link.contains_key(&url) {
                tx.queue_identity(member, "url", &url, false, now);
                self.remember_identity("url", &url, member);
            }
        }
    }

    /// The member for `p`, creating one (and filing merge proposals) when nothing exact matches.
    async fn resolve(
        &mut self,
        tx: &mut ImportWriter,
        p: &ImportedPerson,
        sum: &mut ImportSummary,
    ) -> Result<MemberId> {
        // Names and handles from elsewhere lose control characters and direction overrides
        // (parvis_domain::hygiene); nobody is there to correct them, so they are cleaned, not
        // refused. Clean input, the usual case, is not copied.
        let cleaned;
        let p = if person_is_clean(p) {
            p
        } else {
            cleaned = clean_person(p);
            &cleaned
        };
        let now = now_millis();
        if let Some(m) = self.find_exact(p) {
            // Attach what we learnt (this channel's handle, the email, profile links).
            self.attach(tx, m, p, now);
            if self.seen.insert(m) {
                sum.people_matched += 1;
            }
            return Ok(m);
        }
        let display = if p.display_name.trim().is_empty() {
            p.handle.clone()
        } else {
            p.display_name.trim().to_string()
        };
        // A name is public; an address is not (docs/PRIVACY.md). Mail clients and exports
        // often put the address where the name goes ("marie@acme.fr" <marie@acme.fr>): keep
        // the part before the @.
        let display = crate::privacy::without_addresses(&display);
        let display: String = display.chars().take(80).collect();
        let base = Handle::suggest(if p.handle.contains('@') || p.handle.is_empty() {
            &display
        } else {
            &p.handle
        })
        .as_str()
        .to_string();
        let mut handle = base.clone();
        let mut n = 1;
        while self.handles.contains(&handle) {
            n += 1;
            handle = format!("{base}{n}");
        }
        let free_email = p
            .email
            .as_deref()
            .map(identity::normalise_email)
            .filter(|e| e.contains('@') && !self.emails.contains(e));
        self.handles.insert(handle.clone());
        if let Some(e) = &free_email {
            self.emails.insert(e.clone());
        }
        let id = tx
            .create_member(NewMember {
                handle,
                display_name: if display.is_empty() {
                    "?".into()
                } else {
                    display.clone()
                },
                email: free_email,
                password_hash: None,
                site_role: SiteRole::Member,
                ecosystem_role: EcosystemRole::Other,
                organisation: String::new(),
                bio: String::new(),
                lang: "fr".into(),
                created_at: now,
            })
            .await?;
        sum.people_created += 1;
        self.seen.insert(id);
        self.attach(tx, id, p, now);
        let key = PersonKey::from(p);
        let name = identity::normalise_name(&display);
        let proposals: Vec<(MemberId, String, f32)> = self
            .by_name
            .get(&name)
            .into_iter()
            .flatten()
            .filter_map(
                |(other, other_key)| match identity::compare(&key, other_key) {
                    Some(Match::Proposed { reason, score }) => Some((*other, reason, score)),
                    _ => None,
                },
            )
            .collect();
        for (other, reason, score) in proposals {
            tx.propose_merge(other, id, &reason, (score * 1000.0) as i64, now)
                .await?;
        }
        self.by_name.entry(name).or_default().push((id, key));
        Ok(id)
    }
}

/// Records sent together from the reader thread to the import loop.
const READ_CHUNK: usize = 64;

/// Copy what the writer has written so far into the summary.
fn written(sum: &mut ImportSummary, t: ImportTotals) {
    sum.threads_created = t.threads_created;
    sum.messages_created = t.messages_created;
    sum.messages_updated = t.messages_updated;
    sum.messages_unchanged = t.messages_unchanged;
    sum.merges_proposed = t.merges_proposed;
    sum.parents_linked = t.parents_linked;
}

/// What the reader thread works out for a message besides parsing it, so that the import
/// loop, the busier thread, only resolves people and hands rows to the writer.
struct Derived {
    body_html: String,
    title: String,
    topics: Vec<TopicId>,
    /// The message was longer than a post and was cut.
    truncated: bool,
}

/// A record as the reader thread hands it over.
enum Read {
    Message(ImportedMessage, Derived),
    /// Anything else, as parsed.
    Other(std::result::Result<Record, parvis_import::ItemError>),
}

impl Read {
    fn new(
        item: std::result::Result<Record, parvis_import::ItemError>,
        matcher: &TopicMatcher,
    ) -> Read {
        match item {
            Ok(Record::Message(mut m)) => {
                let mut truncated = cut_chars(&mut m.body_text, MAX_IMPORTED_TEXT_CHARS);
                if truncated {
                    m.body_text.push_str(CUT_MARK);
                }
                let body_html = match &mut m.body_html {
                    Some(html) => {
                        // Cut before sanitising: the sanitiser closes what the cut left open.
                        if cut_bytes(html, MAX_IMPORTED_HTML_BYTES) {
                            truncated = true;
                            html.push_str(CUT_MARK);
                        }
                        markdown::sanitize(html)
                    }
                    None => markdown::text_to_html(&m.body_text),
                };
                let title = thread_title(&m);
                let topics = matcher
                    .matching(&[title.as_str(), m.body_text.as_str()])
                    .into_iter()
                    .filter_map(|t| t.parse().ok())
                    .map(TopicId)
                    .collect();
                Read::Message(
                    m,
                    Derived {
                        body_html,
                        title,
                        topics,
                        truncated,
                    },
                )
            }
            other => Read::Other(other),
        }
    }
}

/// Title of a thread: the export's, else the start of its first message. Titles are shown
/// inline in lists: control characters and direction overrides are removed (hygiene).
fn thread_title(m: &ImportedMessage) -> String {
    let title = m.thread_title.as_deref().map(hygiene::strip);
    match title.filter(|t| !t.is_empty()) {
        Some(t) => t.chars().take(200).collect(),
        None => {
            let e = markdown::excerpt(&m.body_text, 80);
            if e.is_empty() {
                "(sans titre)".into()
            } else {
                e
            }
        }
    }
}

impl Services {
    /// Import files of `format` into a space. `progress` is called now and then with the
    /// running summary (for a progress bar).
    pub async fn import(
        &self,
        format: Format,
        paths: Vec<PathBuf>,
        opts: &ImportOptions,
        mut progress: impl FnMut(&ImportSummary),
    ) -> Result<ImportSummary> {
        let space = self.space(&opts.space).await?;
        let topics: Vec<parvis_import::topics::Topic> = self
            .topics(&space)
            .await?
            .into_iter()
            .filter(|t| !t.keywords.is_empty())
            .map(|t| parvis_import::topics::Topic {
                id: t.id.0.to_string(),
                keywords: t.keywords,
            })
            .collect();
        // Keywords are tokenised once for the whole import.
        let matcher = TopicMatcher::new(&topics);
        // Open the files first, so that a missing or malformed file fails before any write.
        let records = parvis_import::open(format, &paths)
            .map_err(|e| ValidationError::new("input", opts.shown(e.to_string())))?;
        // Records travel in chunks: one wake-up of the import loop per chunk rather than per
        // record (waking threads was a tenth of an import's CPU). 16 chunks of 64 keep at
        // most ~1,000 records in flight.
        let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<_>>(16);
        let reader = tokio::task::spawn_blocking(move || {
            let mut chunk = Vec::with_capacity(READ_CHUNK);
            for item in records {
                chunk.push(Read::new(item, &matcher));
                if chunk.len() == READ_CHUNK {
                    let full = std::mem::replace(&mut chunk, Vec::with_capacity(READ_CHUNK));
                    if sender.blocking_send(full).is_err() {
                        return;
                    }
                }
            }
            if !chunk.is_empty() {
                // The receiver may be gone (import failed): nothing left to do either way.
                let _ = sender.blocking_send(chunk);
            }
        });
        let mut resolver = Resolver::load(self).await?;
        let mut sum = ImportSummary {
            dry_run: opts.dry_run,
            ..Default::default()
        };
        // Rows are written a batch at a time by the writer, which also remembers the
        // (channel, source id) pairs of this run as hashes: an export that repeats an id (mail
        // archives do) keeps the first copy, and memory stays flat.
        let mut tx = self
            .store()
            .import_writer(space.id, opts.dry_run, opts.sqlite_bulk)
            .await?;
        let mut in_batch = 0usize;
        while let Some(items) = receiver.recv().await {
            for item in items {
                sum.items_seen += 1;
                match item {
                    Read::Message(m, _) if !tx.first_sighting(&m.channel, &m.source_id) => {
                        sum.skipped += 1;
                        *sum.skipped_reasons
                            .entry(SkipKind::Duplicate.code().into())
                            .or_default() += 1;
                    }
                    Read::Message(m, derived) => {
                        let author = resolver.resolve(&mut tx, &m.author, &mut sum).await?;
                        let Derived {
                            body_html,
                            title,
                            topics,
                            truncated,
                        } = derived;
                        sum.truncated += u64::from(truncated);
                        tx.push(ImportRow {
                            space_id: space.id,
                            channel: m.channel,
                            thread_source_id: m.thread_source_id,
                            thread_title: title,
                            source_id: m.source_id,
                            parent_source_id: m.parent_source_id,
                            author_id: author,
                            author_handle: m.author.handle,
                            body_md: m.body_text,
                            body_html,
                            created_at: m.created_at,
                            source_url: m.url,
                            topics,
                        })
                        .await?;
                    }
                    Read::Other(Ok(Record::Person(p))) => {
                        resolver.resolve(&mut tx, &p, &mut sum).await?;
                    }
                    Read::Other(Ok(Record::Skipped(s))) => {
                        sum.skipped += 1;
                        *sum.skipped_reasons.entry(s.kind.code().into()).or_default() += 1;
                        if s.kind == SkipKind::OtherFile && sum.files_left_out.len() < 20 {
                            sum.files_left_out
                                .push(opts.shown(s.file.display().to_string()));
                        }
                    }
                    // (Messages come as `Read::Message`.)
                    Read::Other(Ok(Record::Message(_))) => {}
                    Read::Other(Err(e)) => {
                        sum.skipped += 1;
                        sum.errors += 1;
                        sum.files_abandoned += u64::from(e.fatal);
                        *sum.skipped_reasons
                            .entry(SkipKind::Unreadable.code().into())
                            .or_default() += 1;
                        if sum.error_examples.len() < 20 {
                            sum.error_examples.push(opts.shown(e.to_string()));
                        }
                    }
                }
                in_batch += 1;
                if in_batch >= opts.batch {
                    in_batch = 0;
                    tx.end_batch().await?;
                    written(&mut sum, tx.totals());
                    progress(&sum);
                }
            }
        }
        reader
            .await
            .map_err(|e| ServiceError::Forbidden(format!("the reader stopped: {e}")))?;
        written(&mut sum, tx.finish().await?);
        sum.settle_outcome();
        if !opts.dry_run {
            self.store().bump_content_version().await?;
            self.clear_caches();
        }
        progress(&sum);
        Ok(sum)
    }
}

fn person_is_clean(p: &ImportedPerson) -> bool {
    hygiene::is_clean(&p.display_name)
        && hygiene::is_clean(&p.handle)
        && hygiene::is_clean(&p.channel)
        && p.email.as_deref().is_none_or(hygiene::is_clean)
        && p.profile_url.as_deref().is_none_or(hygiene::is_clean)
        && p.links.iter().all(|l| hygiene::is_clean(l))
}

fn clean_person(p: &ImportedPerson) -> ImportedPerson {
    ImportedPerson {
        channel: hygiene::strip(&p.channel),
        handle: hygiene::strip(&p.handle),
        display_name: hygiene::strip(&p.display_name),
        email: p.email.as_deref().map(hygiene::strip),
        profile_url: p.profile_url.as_deref().map(hygiene::strip),
        links: p.links.iter().map(|l| hygiene::strip(l)).collect(),
    }
}

/// A merge proposal with both people, for review.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProposalView {
    pub id: i64,
    pub a: Member,
    pub b: Member,
    pub reason: String,
    pub score: f64,
}

impl Services {
    /// Open merge proposals (admins only).
    pub async fn merge_proposals(&self, actor: &crate::Actor) -> Result<Vec<ProposalView>> {
        actor.require_admin()?;
        let mut out = Vec::new();
        for p in self.store().merge_proposals("open").await? {
            let (Some(a), Some(b)) = (
                self.store().member_by_id(p.member_a).await?,
                self.store().member_by_id(p.member_b).await?,
            ) else {
                continue;
            };
            out.push(ProposalView {
                id: p.id,
                a,
                b,
                reason: p.reason,
                score: p.score as f64 / 1000.0,
            });
        }
        Ok(out)
    }

    /// Accept a proposal: the second member is merged into the first (admins only).
    pub async fn accept_proposal(&self, actor: &crate::Actor, id: i64) -> Result<i64> {
        actor.require_admin()?;
        let p = self
            .store()
            .merge_proposals("open")
            .await?
            .into_iter()
            .find(|p| p.id == id)
            .ok_or_else(|| ServiceError::NotFound(format!("open merge proposal {id}")))?;
        let merge = self
            .store()
            .merge_members(p.member_a, p.member_b, &p.reason, now_millis())
            .await?;
        self.after_bulk_change().await?;
        tracing::info!(by = actor.member.handle.as_str(), merge, "members merged");
        Ok(merge)
    }

    /// Merge two members by handle (admins only), e.g. after a manual check.
    pub async fn merge_members(
        &self,
        actor: &crate::Actor,
        kept: &str,
        merged: &str,
    ) -> Result<i64> {
        actor.require_admin()?;
        let kept = self.member(Some(actor), kept).await?;
        let merged = self.member(Some(actor), merged).await?;
        let id = self
            .store()
            .merge_members(kept.id, merged.id, "merged by an admin", now_millis())
            .await?;
        self.after_bulk_change().await?;
        Ok(id)
    }

    /// Reject a proposal (admins only); it is not proposed again.
    pub async fn reject_proposal(&self, actor: &crate::Actor, id: i64) -> Result<()> {
        actor.require_admin()?;
        Ok(self.store().reject_proposal(id, now_millis()).await?)
    }

    /// Undo a merge (admins only): everything goes back where it was.
    pub async fn unmerge(&self, actor: &crate::Actor, merge_id: i64) -> Result<()> {
        actor.require_admin()?;
        self.store().unmerge(merge_id, now_millis()).await?;
        self.after_bulk_change().await
    }

    pub(crate) async fn after_bulk_change(&self) -> Result<()> {
        self.clear_caches();
        self.store().bump_content_version().await?;
        // The version alone stops them being served; an erasure must not leave what it erased
        // on disk in a kept answer either.
        self.store().forget_thread_pages().await?;
        Ok(())
    }
}
