//! Content beyond its own pages: challenges, job offers, testimonials and interviews found by
//! search and offered in the "Pour vous" feed.
//!
//! Both read the same list, [`Services::visible_content`]: what the reader may see *now*,
//! as the text they may see. Drafts are left out; a testimonial or interview only while it
//! is published and its consent in force allows this reader (visitors: public use; members:
//! internal or public use), with the person's name as consented — initials when that is what
//! was agreed, so a full name that was not consented is never matched. Nothing is copied into
//! the search index: a withdrawal takes the item out of the next search at once.

use crate::search::SearchFilters;
use crate::{Actor, Result, Services};
use parvis_domain::*;
use parvis_search::{ContentHit, SearchResults, TextDoc, match_documents};
use serde::Serialize;

/// A piece of content as a reader may see it, in plain text.
#[derive(Debug, Clone)]
pub struct ContentDoc {
    /// `challenge`, `job_offer`, `testimonial` or `interview`.
    pub kind: String,
    pub id: i64,
    pub title: String,
    /// Everything searchable besides the title.
    pub text: String,
    pub url: String,
    /// A testimonial's topic as typed (challenges have none).
    pub topic: String,
    /// Only open challenges invite a contribution; testimonials are always "open".
    pub open: bool,
    pub created_at: Millis,
    /// Whom the "author" search filter finds it by: the admin who posed a challenge; the
    /// member who gave a testimonial, only when the reader sees their name in full (filtering
    /// an initials-only testimonial by its person's handle would reveal who gave it).
    pub author_id: Option<i64>,
}

/// One item of the feed's "Challenges and testimonials for you" block.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContentSuggestion {
    /// `challenge`, `job_offer`, `testimonial` or `interview`.
    pub kind: String,
    pub id: i64,
    pub title: String,
    pub url: String,
    /// Why: `topic` (the names are the member's topics it is about), `terms` (words of the
    /// member's current interests it contains) or `new` (a member with no history yet).
    pub reason: String,
    pub names: Vec<String>,
}

/// A testimonial or interview as a profile lists it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProfileTestimonial {
    pub id: i64,
    /// `testimonial` or `interview`.
    pub kind: String,
    pub title: String,
    pub url: String,
}

/// A member's content as their profile shows it to a reader.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MemberContent {
    /// Entries on challenges that are not drafts, newest first.
    pub entries: Vec<parvis_store::ProfileEntry>,
    /// How many of them won.
    pub wins: usize,
    /// Testimonials and interviews about the member that the reader may see *and* whose
    /// consent names the person in full: one given with initials only is never tied to a
    /// profile, since that would undo the initials.
    pub testimonials: Vec<ProfileTestimonial>,
}

/// Most items in the feed's content block: the thread list stays the feed's body.
const FEED_BLOCK: usize = 4;
/// Search hits of content per page of results: page 2 holds the 11th to the 20th, so paging
/// through the threads also pages through the content (see [`Services::search_as`]).
pub const SEARCH_CONTENT_PER_PAGE: usize = 10;

/// The channel of what is written in Parvis itself: content is native, so a channel filter
/// keeps it only when it names this one.
const NATIVE_CHANNEL: &str = "parvis";

fn fold(s: &str) -> String {
    // Lower case without accents, for comparing a testimonial's typed topic with topic names.
    s.trim()
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            c => c,
        })
        .collect()
}

/// Whether `d` is about the topic (`slug`, `title`): a testimonial's typed topic names it, or
/// the text holds the topic's title as a phrase (challenges have no topic of their own). The
/// feed and the search's topic filter use the same rule.
pub fn about_topic(d: &ContentDoc, slug: &str, title: &str) -> bool {
    let t = fold(&d.topic);
    (!t.is_empty() && (t == fold(slug) || t == fold(title)))
        || !match_documents(
            &format!("\"{}\"", title.replace('"', " ")),
            &[TextDoc {
                title: &d.title,
                body: &d.text,
            }],
        )
        .is_empty()
}

/// Whether `d` passes a search's filters. Pure: tested without a store.
pub fn passes(d: &ContentDoc, f: &SearchFilters) -> bool {
    if let Some(channel) = &f.channel
        && !channel.trim().eq_ignore_ascii_case(NATIVE_CHANNEL)
    {
        return false;
    }
    if let Some(author) = f.author_id
        && d.author_id != Some(author)
    {
        return false;
    }
    if let Some(topic) = &f.topic
        && !about_topic(d, &topic.slug, &topic.title)
    {
        return false;
    }
    f.from.is_none_or(|from| d.created_at >= from) && f.to.is_none_or(|to| d.created_at < to)
}

/// The content block of a feed, from what the member may see, their topics (id, slug,
/// title) and their current interest words. Pure: tested without a store.
pub fn suggest(
    docs: &[ContentDoc],
    topics: &[(String, String)],
    terms: &[String],
    limit: usize,
) -> Vec<ContentSuggestion> {
    let candidates: Vec<&ContentDoc> = docs.iter().filter(|d| d.open).collect();
    let mut out: Vec<ContentSuggestion> = Vec::new();
    let item = |d: &ContentDoc, reason: &str, names: Vec<String>| ContentSuggestion {
        kind: d.kind.clone(),
        id: d.id,
        title: d.title.clone(),
        url: d.url.clone(),
        reason: reason.into(),
        names,
    };
    if topics.is_empty() && terms.is_empty() {
        // A newcomer: the newest, so the block shows what exists.
        let mut newest = candidates.clone();
        newest.sort_by_key(|d| std::cmp::Reverse(d.created_at));
        return newest
            .into_iter()
            .take(limit)
            .map(|d| item(d, "new", Vec::new()))
            .collect();
    }
    // About one of the member's topics: a testimonial's topic names it, or the text does.
    for d in &candidates {
        let names: Vec<String> = topics
            .iter()
            .filter(|(slug, title)| about_topic(d, slug, title))
            .map(|(_, title)| title.clone())
            .collect();
        if !names.is_empty() {
            out.push(item(d, "topic", names));
        }
    }
    // Then by the words of the member's current interests.
    if out.len() < limit {
        let rest: Vec<&ContentDoc> = candidates
            .iter()
            .copied()
            .filter(|d| !out.iter().any(|o| o.kind == d.kind && o.id == d.id))
            .collect();
        let texts: Vec<TextDoc<'_>> = rest
            .iter()
            .map(|d| TextDoc {
                title: &d.title,
                body: &d.text,
            })
            .collect();
        // Interest words come stemmed from the relevance engine ("recycl"): matched as prefixes.
        let words: Vec<String> = terms
            .iter()
            .map(|t| {
                t.chars()
                    .filter(|c| c.is_alphanumeric())
                    .collect::<String>()
            })
            .filter(|t| t.chars().count() >= 3)
            .collect();
        let query = words
            .iter()
            .map(|t| format!("{t}*"))
            .collect::<Vec<_>>()
            .join(" OR ");
        for m in match_documents(&query, &texts) {
            let d = rest[m.index];
            let single = |t: &&String| {
                !match_documents(
                    &format!("{t}*"),
                    &[TextDoc {
                        title: &d.title,
                        body: &d.text,
                    }],
                )
                .is_empty()
            };
            // Only words worth showing: a match on a preposition alone ("avant") says nothing.
            let names: Vec<String> = words
                .iter()
                .filter(|w| crate::keywords::is_keyword(w))
                .filter(single)
                .take(3)
                .cloned()
                .collect();
            if names.is_empty() {
                continue;
            }
            out.push(item(d, "terms", names));
        }
    }
    out.truncate(limit);
    out
}

impl Services {
    /// The space's challenges, job offers, testimonials and interviews `viewer` may see now,
    /// newest first, as plain text (see the module's doc for the rules).
    pub async fn visible_content(
        &self,
        viewer: Option<&Actor>,
        space: &Space,
    ) -> Result<Vec<ContentDoc>> {
        let mut out = Vec::new();
        for c in self.store().challenges_of_space(space.id.0).await? {
            if c.state == "draft" {
                continue;
            }
            let text = [markdown::to_plain_text(&c.brief_md), c.award.clone()].join("\n");
            out.push(ContentDoc {
                kind: if c.kind == "job" {
                    "job_offer"
                } else {
                    "challenge"
                }
                .into(),
                id: c.id,
                title: c.title,
                text,
                url: format!("/challenges/{}", c.id),
                topic: String::new(),
                open: c.state == "open",
                created_at: c.created_at,
                author_id: c.created_by,
            });
        }
        for row in self.store().testimonials_of_space(space.id.0).await? {
            let (body_md, created_at, person_id) =
                (row.body_md.clone(), row.created_at, row.person_member_id);
            let Some(v) = self.testimonial_view_of(viewer, row).await? else {
                continue;
            };
            // Managers also see unpublished ones on their pages; search and feed show only
            // what is out.
            if v.status != "published" {
                continue;
            }
            let mut text = vec![
                markdown::to_plain_text(&body_md),
                v.transcript.clone(),
                v.person.name.clone(),
                v.person.organisation.clone(),
                v.interviewer.clone(),
            ];
            for qa in &v.qa {
                text.push(qa.question.clone());
                text.push(qa.answer.clone());
            }
            out.push(ContentDoc {
                kind: v.kind.clone(),
                id: v.id,
                title: v.title,
                text: text.join("\n"),
                url: format!("/testimonials/{}", v.id),
                topic: v.topic,
                open: true,
                created_at,
                author_id: person_id.filter(|_| v.person.handle.is_some()),
            });
        }
        out.sort_by_key(|d| std::cmp::Reverse(d.created_at));
        Ok(out)
    }

    /// The content that matches `q` and `filters` for `viewer`, best first: the page's slice
    /// (`SEARCH_CONTENT_PER_PAGE` a page) and how many match in all.
    pub async fn search_content(
        &self,
        viewer: Option<&Actor>,
        space: &Space,
        q: &str,
        filters: &SearchFilters,
        page: u32,
    ) -> Result<(Vec<ContentHit>, usize)> {
        let docs: Vec<ContentDoc> = self
            .visible_content(viewer, space)
            .await?
            .into_iter()
            .filter(|d| passes(d, filters))
            .collect();
        let texts: Vec<TextDoc<'_>> = docs
            .iter()
            .map(|d| TextDoc {
                title: &d.title,
                body: &d.text,
            })
            .collect();
        let matches = match_documents(q, &texts);
        let total = matches.len();
        let skip = (page.max(1) as usize - 1).saturating_mul(SEARCH_CONTENT_PER_PAGE);
        let hits = matches
            .into_iter()
            .skip(skip)
            .take(SEARCH_CONTENT_PER_PAGE)
            .map(|m| {
                let d = &docs[m.index];
                ContentHit {
                    kind: d.kind.clone(),
                    id: d.id,
                    title: d.title.clone(),
                    url: d.url.clone(),
                    snippet_html: m.snippet_html,
                    score: m.score,
                }
            })
            .collect();
        Ok((hits, total))
    }

    /// Search a space as `viewer`: the threads, and the content they may see, both held to
    /// the same filters and paged together (page `n` holds the `n`th slice of each).
    pub async fn search_as(
        &self,
        viewer: Option<&Actor>,
        space: &Space,
        req: &crate::search::SearchRequest,
    ) -> Result<SearchResults> {
        let filters = self.search_filters(space, req).await?;
        let mut results = self.search_filtered(space, req, &filters).await?;
        let (hits, total) = self
            .search_content(viewer, space, &req.q, &filters, req.page.page)
            .await?;
        results.content = hits;
        results.content_total = total;
        Ok(results)
    }

    /// What `member`'s profile lists of their content for `viewer`.
    pub async fn member_content(
        &self,
        viewer: Option<&Actor>,
        member: MemberId,
    ) -> Result<MemberContent> {
        let entries = self.store().entries_of_member(member).await?;
        let wins = entries.iter().filter(|e| e.winner).count();
        let mut testimonials = Vec::new();
        for row in self.store().testimonials_about(member).await? {
            let Some(v) = self.testimonial_view_of(viewer, row).await? else {
                continue;
            };
            if v.status == "published" && v.person.handle.is_some() {
                testimonials.push(ProfileTestimonial {
                    url: format!("/testimonials/{}", v.id),
                    id: v.id,
                    kind: v.kind,
                    title: v.title,
                });
            }
        }
        Ok(MemberContent {
            entries,
            wins,
            testimonials,
        })
    }

    /// The feed's "Challenges and testimonials for you" block for `actor`.
    pub async fn content_for_you(
        &self,
        actor: &Actor,
        space: &Space,
        topics: &[(String, String)],
        terms: &[String],
    ) -> Result<Vec<ContentSuggestion>> {
        let docs = self.visible_content(Some(actor), space).await?;
        Ok(suggest(&docs, topics, terms, FEED_BLOCK))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(kind: &str, id: i64, title: &str, text: &str, topic: &str, open: bool) -> ContentDoc {
        ContentDoc {
            kind: kind.into(),
            id,
            title: title.into(),
            text: text.into(),
            url: format!("/x/{id}"),
            topic: topic.into(),
            open,
            created_at: id,
            author_id: None,
        }
    }

    #[test]
    fn the_block_follows_topics_then_interests_and_skips_closed_challenges() {
        let docs = vec![
            doc("challenge", 1, "Réduire les déchets du salon", "", "", true),
            doc(
                "testimonial",
                2,
                "Notre expérience",
                "merci",
                "Salons",
                true,
            ),
            doc(
                "challenge",
                3,
                "Nouvel emballage",
                "carton recyclé",
                "",
                true,
            ),
            doc("challenge", 4, "Salon fermé", "", "", false),
        ];
        let topics = vec![("salons".to_string(), "Salons".to_string())];
        let terms = vec!["carton".to_string()];
        let s = suggest(&docs, &topics, &terms, 4);
        let got: Vec<(i64, &str)> = s.iter().map(|s| (s.id, s.reason.as_str())).collect();
        // 1 by its text ("salon" is the stem of "Salons"? no: the phrase is exact), 2 by its
        // typed topic, 3 by the interest word; 4 is closed.
        assert!(got.contains(&(2, "topic")), "{got:?}");
        assert!(got.contains(&(3, "terms")), "{got:?}");
        assert!(!got.iter().any(|(id, _)| *id == 4), "{got:?}");
        assert_eq!(s.iter().find(|s| s.id == 3).unwrap().names, vec!["carton"]);
    }

    #[test]
    fn a_newcomer_gets_the_newest_and_the_block_is_bounded() {
        let docs: Vec<ContentDoc> = (1..=9)
            .map(|i| doc("challenge", i, "Défi", "", "", true))
            .collect();
        let s = suggest(&docs, &[], &[], 4);
        assert_eq!(s.iter().map(|s| s.id).collect::<Vec<_>>(), vec![9, 8, 7, 6]);
        assert!(s.iter().all(|s| s.reason == "new"));
    }

    #[test]
    fn search_filters_hold_content_to_native_author_topic_and_days() {
        let mut d = doc(
            "testimonial",
            7,
            "Notre salon",
            "des salons réussis",
            "ROI",
            true,
        );
        d.created_at = 1_000;
        d.author_id = Some(42);
        fn topic(slug: &str, title: &str) -> Topic {
            Topic {
                id: TopicId(1),
                space_id: SpaceId(1),
                slug: slug.into(),
                title: title.into(),
                description: String::new(),
                keywords: Vec::new(),
                thread_count: 0,
                archived_at: None,
            }
        }
        let none = SearchFilters::default();
        assert!(passes(&d, &none));
        let with = |f: fn(&mut SearchFilters)| {
            let mut x = SearchFilters::default();
            f(&mut x);
            passes(&d, &x)
        };
        // Content is native: only the native channel keeps it.
        assert!(with(|f| f.channel = Some("Parvis".into())));
        assert!(!with(|f| f.channel = Some("email".into())));
        assert!(with(|f| f.author_id = Some(42)));
        assert!(!with(|f| f.author_id = Some(43)));
        // By its typed topic (accents and case aside), or by its text naming the topic.
        assert!(with(
            |f| f.topic = Some(topic("roi", "Retour sur investissement"))
        ));
        assert!(with(|f| f.topic = Some(topic("events", "Salons réussis"))));
        assert!(!with(|f| f.topic = Some(topic("rh", "Recrutement"))));
        // `from` inclusive, `to` exclusive (the day after the one typed).
        assert!(with(|f| f.from = Some(1_000)));
        assert!(!with(|f| f.from = Some(1_001)));
        assert!(with(|f| f.to = Some(1_001)));
        assert!(!with(|f| f.to = Some(1_000)));
        // An initials-only testimonial carries no author: no handle finds it.
        d.author_id = None;
        assert!(!passes(
            &d,
            &SearchFilters {
                author_id: Some(42),
                ..SearchFilters::default()
            }
        ));
    }
}
