//! Closing a session, its report, attendance, and the topic's layered synthesis.
//!
//! - The moderator closes a session with a report: conclusions (Markdown), key questions,
//!   recording links. A draft is assembled for them from the topic's conversation during the
//!   session's window (since the previous session of the series): questions asked, the
//!   threads that drew the most replies. Attendance (room / online, peak), the attending
//!   organisations and the count of leads are computed, not typed.
//! - The synthesis of a topic is one layer per closed session, newest first; each says what
//!   changed since the previous layer: new questions, conclusions added and removed (a line
//!   diff: a revised line shows as removed then added), and how a poll asked again in the
//!   session's live room moved since the previous layer ([`SynthesisLayer::polls`]).
//! - Attendance: scanning the room's QR code marks a person present in the room until the
//!   end; an open session page during the session marks them online, seen within the last
//!   [`ONLINE_WINDOW_MS`]. The peak is the most people present at one moment.

use crate::{Actor, Result, ServiceError, Services};
use parvis_domain::*;
use parvis_store::SessionRow;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use utoipa::ToSchema;

/// An online visitor counts as present this long after their last page view.
pub const ONLINE_WINDOW_MS: i64 = 5 * 60 * 1000;

/// What the moderator submits to close a session.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct CloseInput {
    /// Conclusions, Markdown.
    #[serde(default)]
    pub conclusions_md: String,
    #[serde(default)]
    pub key_questions: Vec<String>,
    /// Links to the recording (http or https).
    #[serde(default)]
    pub recording_links: Vec<String>,
}

/// Who came, by channel, and the peak.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Attendance {
    pub room: i64,
    pub online: i64,
    pub peak: i64,
}

/// A session's report (or its draft).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionReport {
    pub session_id: i64,
    pub title: String,
    pub starts_at: Millis,
    pub closed_at: Option<Millis>,
    pub conclusions_md: String,
    /// The conclusions rendered (sanitized) HTML.
    pub conclusions_html: String,
    pub key_questions: Vec<String>,
    pub recording_links: Vec<String>,
    pub attendance: Attendance,
    /// (organisation, people), most first.
    pub organisations: Vec<(String, i64)>,
    /// Registrants who consented to be contacted.
    pub leads: i64,
    /// Meetings between participants that took place (Meet).
    pub meetings_held: i64,
    /// The session's live room: top questions, poll results, speaking-time fairness.
    pub live: Option<crate::session_room::RoomSummary>,
}

/// A poll asked again, and how its answer moved (from the sessions' live rooms, see
/// [`crate::session_room::poll_move`]).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PollMove {
    pub question: String,
    /// The option followed (the one that led the first time); empty for a scale, whose
    /// figure is the share who agreed (above the midpoint).
    pub option: String,
    pub before_pct: i64,
    pub after_pct: i64,
}

/// One layer of a topic's synthesis: a closed session and what it changed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SynthesisLayer {
    pub session_id: i64,
    pub title: String,
    pub starts_at: Millis,
    pub conclusions_md: String,
    pub new_questions: Vec<String>,
    pub conclusions_added: Vec<String>,
    pub conclusions_removed: Vec<String>,
    pub polls: Vec<PollMove>,
    pub recording_links: Vec<String>,
}

fn lines(md: &str) -> Vec<String> {
    md.lines()
        .map(|l| {
            l.trim()
                .trim_start_matches(['-', '*', '+'])
                .trim()
                .to_string()
        })
        .filter(|l| !l.is_empty())
        .collect()
}

fn norm(s: &str) -> String {
    s.trim().trim_end_matches(['?', ' ']).to_lowercase()
}

/// Most people present at one moment, from presence intervals.
pub fn peak(intervals: &[(Millis, Millis)]) -> i64 {
    let mut edges: Vec<(Millis, i64)> = Vec::with_capacity(intervals.len() * 2);
    for (a, b) in intervals {
        edges.push((*a, 1));
        edges.push((*b.max(a), -1));
    }
    // At one instant, arrivals count before departures.
    edges.sort_by_key(|(t, d)| (*t, -d));
    let (mut now, mut best) = (0, 0);
    for (_, d) in edges {
        now += d;
        best = best.max(now);
    }
    best
}

/// A session's attendance from its presence records (person, channel, first seen, last
/// seen): people by channel, and the peak (a room check-in counts until the session's end,
/// an online presence for [`ONLINE_WINDOW_MS`] after it was last seen).
pub fn attendance_of(row: &SessionRow, rows: &[(String, String, Millis, Millis)]) -> Attendance {
    let end = row.starts_at + row.duration_min * 60_000;
    let room: HashSet<&str> = rows
        .iter()
        .filter(|r| r.1 == "room")
        .map(|r| r.0.as_str())
        .collect();
    let online: HashSet<&str> = rows
        .iter()
        .filter(|r| r.1 == "online")
        .map(|r| r.0.as_str())
        .collect();
    let intervals: Vec<(Millis, Millis)> = rows
        .iter()
        .map(|(_, ch, first, last)| match ch.as_str() {
            "room" => (*first, end.max(*last)),
            _ => (*first, *last + ONLINE_WINDOW_MS),
        })
        .collect();
    Attendance {
        room: room.len() as i64,
        online: online.len() as i64,
        peak: peak(&intervals),
    }
}

impl Services {
    /// A session's attendance.
    pub async fn attendance(&self, session: i64) -> Result<Attendance> {
        let row = self.session_row(session).await?;
        let rows = self.store().attendance(session).await?;
        Ok(attendance_of(&row, &rows))
    }

    /// Mark the viewer online when they open the page of a session under way (`row`, already
    /// read); whether a presence was recorded.
    pub async fn note_online_at(&self, actor: Option<&Actor>, row: &SessionRow) -> Result<bool> {
        let Some(a) = actor else { return Ok(false) };
        let now = now_millis();
        let end = row.starts_at + row.duration_min * 60_000;
        if row.closed_at.is_none() && row.starts_at <= now && now < end && row.mode != "in_person" {
            self.store()
                .record_attendance(row.id, &format!("m{}", a.member.id.0), "online", now)
                .await?;
            return Ok(true);
        }
        Ok(false)
    }

    /// The report of a session: the stored one once closed, else a draft assembled from the
    /// topic's conversation since the previous session of the series (moderators).
    pub async fn session_report(
        &self,
        actor: Option<&Actor>,
        session: i64,
    ) -> Result<SessionReport> {
        let row = self.session_row(session).await?;
        let can_manage = self.can_manage_session(actor, session).await?;
        if row.closed_at.is_none() && !can_manage {
            return Err(ServiceError::NotFound(format!(
                "report of session {session}"
            )));
        }
        let stored = self
            .store()
            .closed_reports(row.topic_id)
            .await?
            .into_iter()
            .find(|r| r.session_id == session);
        let mut live = self.session_room_summary(session).await?;
        if row.closed_at.is_some() {
            // The notes were the moderators' own: a published report never shows them.
            if let Some(l) = live.as_mut() {
                l.notes.clear();
            }
        }
        let (conclusions_md, key_questions, recording_links) = match stored {
            Some(r) => (
                r.conclusions_md,
                serde_json::from_str(&r.questions).unwrap_or_default(),
                serde_json::from_str(&r.links).unwrap_or_default(),
            ),
            None => {
                let (md, thread_questions, links) = self.draft(&row).await?;
                // The room's most voted questions first, then those of the conversation.
                let mut questions: Vec<String> = Vec::new();
                let room_questions = live.iter().flat_map(|l| &l.top_questions);
                for q in room_questions
                    .map(|q| q.text.clone())
                    .chain(thread_questions)
                {
                    if !questions.iter().any(|x| norm(x) == norm(&q)) {
                        questions.push(q);
                    }
                }
                questions.truncate(10);
                (md, questions, links)
            }
        };
        let regs = self.store().registrations(session).await?;
        let present: HashSet<String> = self
            .store()
            .attendance(session)
            .await?
            .into_iter()
            .map(|r| r.0)
            .collect();
        let mut orgs: BTreeMap<String, i64> = BTreeMap::new();
        for r in regs.iter().filter(|r| r.status == "confirmed") {
            if (present.is_empty() || present.contains(&r.person)) && !r.organisation.is_empty() {
                *orgs.entry(r.organisation.clone()).or_default() += 1;
            }
        }
        let mut organisations: Vec<(String, i64)> = orgs.into_iter().collect();
        organisations.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(SessionReport {
            session_id: session,
            title: row.title.clone(),
            starts_at: row.starts_at,
            closed_at: row.closed_at,
            conclusions_html: markdown::render(&conclusions_md),
            conclusions_md,
            key_questions,
            recording_links,
            attendance: self.attendance(session).await?,
            organisations,
            leads: self.lead_count(session).await?,
            meetings_held: self.store().meetings_held(session).await?,
            live,
        })
    }

    /// The draft: questions asked in the topic during the session's window, and the threads
    /// that drew the most replies as candidate conclusions.
    async fn draft(&self, row: &SessionRow) -> Result<(String, Vec<String>, Vec<String>)> {
        let previous = self
            .store()
            .sessions_of_topic(row.topic_id)
            .await?
            .into_iter()
            .filter(|s| s.starts_at < row.starts_at)
            .map(|s| s.starts_at + s.duration_min * 60_000)
            .max()
            .unwrap_or(row.created_at.min(row.starts_at) - 30 * 86_400_000);
        let end = row.starts_at + row.duration_min * 60_000 + 86_400_000;
        let messages = self
            .store()
            .topic_messages_between(row.topic_id, previous, end)
            .await?;
        let mut questions = Vec::new();
        let mut seen = HashSet::new();
        for m in &messages {
            for sentence in m.body_md.split(['\n', '.', '!']) {
                let s = sentence.trim();
                if s.ends_with('?')
                    && s.chars().count() > 8
                    && s.chars().count() < 300
                    && seen.insert(norm(s))
                {
                    questions.push(s.to_string());
                }
            }
        }
        questions.truncate(10);
        let mut threads: Vec<(&str, i64)> = Vec::new();
        for m in &messages {
            if !threads.iter().any(|(t, _)| *t == m.thread_title) {
                threads.push((&m.thread_title, m.replies));
            }
        }
        threads.sort_by_key(|t| std::cmp::Reverse(t.1));
        let md = threads
            .iter()
            .take(5)
            .map(|(t, _)| format!("- {t}"))
            .collect::<Vec<_>>()
            .join("\n");
        Ok((md, questions, Vec::new()))
    }

    /// Close a session with its report (its moderators, site moderators, admins). Refused
    /// before the session has begun.
    pub async fn close_session(
        &self,
        actor: &Actor,
        session: i64,
        input: &CloseInput,
    ) -> Result<SessionReport> {
        let row = self.session_row(session).await?;
        if !self.can_manage_session(Some(actor), session).await? {
            return Err(ServiceError::Forbidden(
                "only the session's moderators may close it".into(),
            ));
        }
        if now_millis() < row.starts_at {
            return Err(ValidationError::broke(
                "session",
                Rule::Other,
                "a session is closed once it has begun",
            )
            .into());
        }
        if input.conclusions_md.chars().count() > crate::MAX_BODY_CHARS {
            return Err(ValidationError::broke(
                "conclusions_md",
                Rule::TooLong(crate::MAX_BODY_CHARS),
                "too long",
            )
            .into());
        }
        let mut questions = Vec::new();
        for q in input
            .key_questions
            .iter()
            .map(|q| q.trim())
            .filter(|q| !q.is_empty())
        {
            questions.push(hygiene::label("key_questions", q, 300)?);
        }
        let mut links = Vec::new();
        for l in input
            .recording_links
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
        {
            let ok = url::Url::parse(l).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
            if !ok {
                return Err(ValidationError::broke(
                    "recording_links",
                    Rule::Url,
                    "expected http or https addresses",
                )
                .into());
            }
            links.push(l.to_string());
        }
        let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
        self.store()
            .close_topic_session(
                session,
                input.conclusions_md.trim(),
                &json(&questions),
                &json(&links),
                now_millis(),
            )
            .await?;
        tracing::info!(session, "session closed");
        self.session_report(Some(actor), session).await
    }

    /// The topic's synthesis: one layer per closed session, newest first.
    pub async fn topic_synthesis(&self, topic: &Topic) -> Result<Vec<SynthesisLayer>> {
        let reports = self.store().closed_reports(topic.id.0).await?;
        // Every room's polls read at once: a query per layer made this page the slowest of
        // the sessions' on PostgreSQL (107 ms p99 for 50 layers, see BENCHMARKS.md).
        let polls_by_session = self.closed_session_polls(topic.id.0).await?;
        let mut layers = Vec::new();
        let mut prev_questions: HashSet<String> = HashSet::new();
        let mut prev_lines: Vec<String> = Vec::new();
        let mut prev_session: Option<i64> = None;
        for r in reports {
            let polls = match prev_session.and_then(|p| polls_by_session.get(&p)) {
                Some(before) if !before.is_empty() => crate::session_room::poll_moves(
                    before,
                    polls_by_session
                        .get(&r.session_id)
                        .map(Vec::as_slice)
                        .unwrap_or_default(),
                ),
                _ => Vec::new(),
            };
            prev_session = Some(r.session_id);
            let questions: Vec<String> = serde_json::from_str(&r.questions).unwrap_or_default();
            let cur = lines(&r.conclusions_md);
            let added = cur
                .iter()
                .filter(|l| !prev_lines.contains(l))
                .cloned()
                .collect();
            let removed = prev_lines
                .iter()
                .filter(|l| !cur.contains(l))
                .cloned()
                .collect();
            layers.push(SynthesisLayer {
                session_id: r.session_id,
                title: r.title,
                starts_at: r.starts_at,
                new_questions: questions
                    .iter()
                    .filter(|q| !prev_questions.contains(&norm(q)))
                    .cloned()
                    .collect(),
                conclusions_added: added,
                conclusions_removed: removed,
                polls,
                recording_links: serde_json::from_str(&r.links).unwrap_or_default(),
                conclusions_md: r.conclusions_md,
            });
            prev_questions.extend(questions.iter().map(|q| norm(q)));
            prev_lines = cur;
        }
        layers.reverse();
        Ok(layers)
    }
}

/// The synthesis as Markdown, in the reader's language (its words from `texts.ftl`).
pub fn synthesis_markdown(topic: &Topic, layers: &[SynthesisLayer], lang: Lang) -> String {
    let word = |key: &str| crate::mail_text::text(lang, key, &[]);
    let mut out = format!(
        "# {}\n\n",
        crate::mail_text::text(
            lang,
            "synthesis-title",
            &[("topic", topic.title.as_str().into())]
        )
    );
    for l in layers {
        let day = jiff::Timestamp::from_millisecond(l.starts_at)
            .map(|t| t.strftime("%Y-%m-%d").to_string())
            .unwrap_or_default();
        out.push_str(&format!("## {} ({day})\n\n", l.title));
        let section =
            |out: &mut String, key: &str, items: &[String], line: &dyn Fn(&str) -> String| {
                if !items.is_empty() {
                    out.push_str(&format!("### {}\n\n", word(key)));
                    for i in items {
                        out.push_str(&line(i));
                        out.push('\n');
                    }
                    out.push('\n');
                }
            };
        let item = |i: &str| format!("- {i}");
        section(&mut out, "synthesis-new-questions", &l.new_questions, &item);
        section(
            &mut out,
            "synthesis-conclusions-added",
            &l.conclusions_added,
            &|i| format!("- **+** {i}"),
        );
        section(
            &mut out,
            "synthesis-conclusions-removed",
            &l.conclusions_removed,
            &|i| format!("- ~~{i}~~"),
        );
        let polls: Vec<String> = l
            .polls
            .iter()
            .map(|p| {
                let option = if p.option.is_empty() {
                    word("synthesis-agree")
                } else {
                    p.option.clone()
                };
                crate::mail_text::text(
                    lang,
                    "synthesis-poll-moved",
                    &[
                        ("question", p.question.as_str().into()),
                        ("option", option.as_str().into()),
                        ("before", p.before_pct.into()),
                        ("after", p.after_pct.into()),
                    ],
                )
            })
            .collect();
        section(&mut out, "synthesis-polls", &polls, &item);
        section(&mut out, "synthesis-recordings", &l.recording_links, &item);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peak_counts_people_present_at_once() {
        assert_eq!(peak(&[]), 0);
        assert_eq!(peak(&[(0, 10), (5, 15), (20, 30)]), 2);
        assert_eq!(
            peak(&[(0, 10), (10, 20)]),
            2,
            "arriving as another leaves counts both"
        );
        assert_eq!(peak(&[(0, 100), (10, 20), (15, 30), (16, 17)]), 4);
    }

    #[test]
    fn the_synthesis_reads_in_its_readers_language() {
        let topic = Topic {
            id: TopicId(1),
            space_id: SpaceId(1),
            slug: "roi".into(),
            title: "Le ROI des salons".into(),
            description: String::new(),
            keywords: Vec::new(),
            thread_count: 0,
            archived_at: None,
        };
        let layer = SynthesisLayer {
            session_id: 2,
            title: "Deuxième débat".into(),
            starts_at: 1_767_225_600_000,
            conclusions_md: String::new(),
            new_questions: vec!["Qui paie ?".into()],
            conclusions_added: vec!["Mesurer les leads".into()],
            conclusions_removed: Vec::new(),
            polls: vec![PollMove {
                question: "Le salon vaut-il son prix ?".into(),
                option: String::new(),
                before_pct: 67,
                after_pct: 33,
            }],
            recording_links: Vec::new(),
        };
        let fr = synthesis_markdown(&topic, std::slice::from_ref(&layer), Lang::Fr);
        assert!(fr.starts_with("# Synthèse — Le ROI des salons\n"), "{fr}");
        assert!(
            fr.contains("### Nouvelles questions\n\n- Qui paie ?"),
            "{fr}"
        );
        assert!(
            fr.contains("- Le salon vaut-il son prix ? (d'accord) : 67 % → 33 %"),
            "{fr}"
        );
        assert!(
            !fr.contains("Conclusions retirées"),
            "an empty section is left out"
        );
        let en = synthesis_markdown(&topic, &[layer], Lang::En);
        assert!(
            en.contains("### Conclusions added or revised\n\n- **+** Mesurer les leads"),
            "{en}"
        );
        assert!(en.contains("(agree): 67% → 33%"), "{en}");
        assert!(!en.contains("Synthèse") && !en.contains("Sondages"), "{en}");
    }

    #[test]
    fn conclusions_are_compared_line_by_line() {
        assert_eq!(lines("- Un\n\n* Deux\nTrois  "), ["Un", "Deux", "Trois"]);
        assert_eq!(norm("Combien ça coûte ?"), norm("combien ça coûte"));
    }
}
