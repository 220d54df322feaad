//! Behaviour of the relevance crate, one integration-test binary.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use parvis_relevance::eval::{self, EvalMessage, EvalOptions, Method};
use parvis_relevance::intro::{Interaction, InteractionGraph};
use parvis_relevance::matching::{self, Format, MatchRequest, Participant};
use parvis_relevance::sparse::DAY_MS;
use parvis_relevance::{
    Config, Engine, EventKind, FeedOptions, Feedback, MemberId, MessageInput, Reason, ThreadId,
    TopicId,
};

const DAY: i64 = DAY_MS as i64;
const T0: i64 = 1_700_000_000_000;

fn msg(e: &mut Engine, thread: i64, author: i64, at: i64, text: &str, topics: &[TopicId]) {
    e.add_message(&MessageInput {
        thread: ThreadId(thread),
        author: MemberId(author),
        at,
        text,
        title: None,
        topics,
        reply_to: None,
        mentions: &[],
    });
}

const GEO: &str = "raster reprojection of satellite imagery with gdal and terra";
const KRIG: &str = "kriging variogram model fitting gstat spatial interpolation";
const COOK: &str = "sourdough bread baking flour hydration oven";

#[test]
fn interests_decay_with_the_configured_half_life() {
    let mut e = Engine::new(Config {
        profile_half_life_days: 30.0,
        ..Config::default()
    });
    msg(&mut e, 1, 1, T0, GEO, &[]);
    let now = e.interests(MemberId(1), T0, 3);
    let later = e.interests(MemberId(1), T0 + 30 * DAY, 3);
    assert_eq!(now[0].0, later[0].0);
    assert!(
        (later[0].1 / now[0].1 - 0.5).abs() < 1e-3,
        "{now:?} {later:?}"
    );
    // Old concerns fade behind current ones.
    msg(&mut e, 2, 1, T0 + 120 * DAY, KRIG, &[]);
    let cur: Vec<String> = e
        .interests(MemberId(1), T0 + 120 * DAY, 5)
        .into_iter()
        .map(|x| x.0)
        .collect();
    assert!(
        cur.iter().any(|t| t == "kriging" || t == "variogram"),
        "{cur:?}"
    );
    assert!(!cur.iter().take(3).any(|t| t == "raster"), "{cur:?}");
}

/// Member 1 replied in a geo thread; many geo and cooking threads exist.
fn feed_world() -> Engine {
    let mut e = Engine::new(Config::default());
    let geo = [TopicId(1)];
    let cook = [TopicId(2)];
    msg(&mut e, 100, 2, T0, GEO, &geo);
    msg(
        &mut e,
        100,
        1,
        T0 + 1000,
        "I reproject my raster with terra too",
        &geo,
    );
    for i in 0..10 {
        msg(
            &mut e,
            200 + i,
            3,
            T0 + DAY + i,
            &format!("{GEO} question {i}"),
            &geo,
        );
        msg(
            &mut e,
            300 + i,
            4,
            T0 + DAY + i,
            &format!("{COOK} recipe {i}"),
            &cook,
        );
    }
    msg(&mut e, 400, 5, T0 + DAY, KRIG, &[TopicId(3)]);
    e
}

#[test]
fn feed_explains_and_diversifies_by_topic() {
    let e = feed_world();
    let opts = FeedOptions {
        page_size: 6,
        exclude_posted: true,
        diversify: true,
    };
    let feed = e.feed(MemberId(1), T0 + 2 * DAY, &opts);
    assert!(!feed.starter);
    assert_eq!(feed.items.len(), 6);
    let geo = feed
        .items
        .iter()
        .filter(|i| (200..210).contains(&i.thread.0))
        .count();
    assert!(
        geo <= e.config().max_per_topic,
        "one topic must not fill the page: {feed:?}"
    );
    assert!(geo >= 1);
    let first = &feed.items[0];
    assert!(
        (200..210).contains(&first.thread.0),
        "the best item matches the member's interests: {feed:?}"
    );
    assert!(
        first.reasons.contains(&Reason::RepliedTo {
            thread: ThreadId(100)
        }),
        "{:?}",
        first.reasons
    );
    assert!(
        first
            .reasons
            .iter()
            .any(|r| matches!(r, Reason::Terms { terms } if terms.iter().any(|t| t == "raster")))
    );
    // Reasons name words as the members wrote them, never their stems.
    let terms: Vec<&String> = feed
        .items
        .iter()
        .flat_map(|i| &i.reasons)
        .filter_map(|r| match r {
            Reason::Terms { terms } => Some(terms),
            _ => None,
        })
        .flatten()
        .collect();
    for t in &terms {
        assert!(
            GEO.split_whitespace()
                .chain(KRIG.split_whitespace())
                .chain(COOK.split_whitespace())
                .chain(["reproject", "question", "recipe"])
                .any(|w| w == t.as_str()),
            "{t:?} is not a word the members wrote: {terms:?}"
        );
    }
    // Without diversification the geo threads fill the page.
    let plain = e.feed(
        MemberId(1),
        T0 + 2 * DAY,
        &FeedOptions {
            diversify: false,
            ..opts
        },
    );
    assert!(
        plain
            .items
            .iter()
            .filter(|i| (200..210).contains(&i.thread.0))
            .count()
            > geo
    );
}

#[test]
fn mute_and_not_interested_lower_or_remove_items_and_the_model_learns() {
    let mut e = feed_world();
    let now = T0 + 2 * DAY;
    let opts = FeedOptions {
        page_size: 30,
        exclude_posted: true,
        diversify: false,
    };
    let rank = |e: &Engine, t: i64| {
        e.feed(MemberId(1), now, &opts)
            .items
            .iter()
            .position(|i| i.thread.0 == t)
    };
    let score = |e: &Engine, t: i64| {
        e.feed(MemberId(1), now, &opts)
            .items
            .iter()
            .find(|i| i.thread.0 == t)
            .map(|i| i.score)
            .unwrap_or(0.0)
    };
    assert!(rank(&e, 300).is_some());
    e.add_feedback(MemberId(1), Feedback::MuteTopic { topic: TopicId(2) });
    assert!(
        (300..310).all(|t| rank(&e, t).is_none()),
        "muted topic gone"
    );
    e.add_feedback(MemberId(1), Feedback::UnmuteTopic { topic: TopicId(2) });
    assert!(rank(&e, 300).is_some());

    let before = score(&e, 201);
    e.add_feedback(
        MemberId(1),
        Feedback::NotInterested {
            thread: ThreadId(200),
        },
    );
    assert!(rank(&e, 200).is_none(), "dismissed thread removed");
    let after = score(&e, 201);
    assert!(after < before, "similar threads fall: {before} -> {after}");
}

#[test]
fn a_member_without_history_gets_a_flagged_starter_feed_in_their_topics() {
    let mut e = feed_world();
    // Thread 300 is busy.
    for k in 0..5 {
        msg(
            &mut e,
            300,
            10 + k,
            T0 + DAY + 100 + k,
            "more bread talk",
            &[],
        );
    }
    e.declare_topics(MemberId(99), &[TopicId(2)]);
    let feed = e.feed(
        MemberId(99),
        T0 + 2 * DAY,
        &FeedOptions {
            page_size: 3,
            ..FeedOptions::default()
        },
    );
    assert!(feed.starter);
    assert_eq!(
        feed.items[0].thread,
        ThreadId(300),
        "popular first: {feed:?}"
    );
    for it in &feed.items {
        assert!((300..310).contains(&it.thread.0));
        assert!(it.reasons.contains(&Reason::Starter));
        assert!(it.reasons.contains(&Reason::Topic { topic: TopicId(2) }));
    }
    // A stranger with no declared topics still gets something.
    assert!(
        e.feed(MemberId(12345), T0 + 2 * DAY, &FeedOptions::default())
            .starter
    );
}

#[test]
fn close_peers_activity_is_a_named_reason() {
    let mut e = Engine::new(Config::default());
    e.add_message(&MessageInput {
        thread: ThreadId(1),
        author: MemberId(2),
        at: T0,
        text: GEO,
        title: None,
        topics: &[],
        reply_to: None,
        mentions: &[],
    });
    e.add_message(&MessageInput {
        thread: ThreadId(1),
        author: MemberId(1),
        at: T0 + 10,
        text: GEO,
        title: None,
        topics: &[],
        reply_to: Some(MemberId(2)),
        mentions: &[],
    });
    msg(&mut e, 2, 2, T0 + DAY, COOK, &[]);
    let feed = e.feed(MemberId(1), T0 + DAY + 10, &FeedOptions::default());
    let item = feed
        .items
        .iter()
        .find(|i| i.thread == ThreadId(2))
        .expect("peer's thread proposed");
    assert!(
        item.reasons.contains(&Reason::PeersActive {
            count: 1,
            peers: vec![MemberId(2)]
        }),
        "{item:?}"
    );
}

#[test]
fn peers_are_closest_current_concerns_with_shared_subjects_named() {
    let mut e = Engine::new(Config::default());
    msg(&mut e, 1, 1, T0 + 100 * DAY, KRIG, &[TopicId(7)]);
    msg(
        &mut e,
        2,
        2,
        T0 + 99 * DAY,
        "variogram fitting for kriging with gstat",
        &[TopicId(7)],
    );
    msg(
        &mut e,
        3,
        3,
        T0,
        "old kriging variogram gstat thread from long ago",
        &[],
    ); // same words, not current
    msg(&mut e, 4, 4, T0 + 100 * DAY, COOK, &[]);
    for i in 5..40 {
        msg(
            &mut e,
            10 + i,
            i,
            T0 + 50 * DAY,
            &format!("{COOK} {GEO} {i}"),
            &[],
        );
    }
    let peers = e.peers(MemberId(1), T0 + 100 * DAY, 3);
    assert_eq!(peers[0].member, MemberId(2), "{peers:?}");
    assert!(
        peers[0]
            .shared_terms
            .iter()
            .any(|t| t == "variogram" || t == "kriging"),
        "{peers:?}"
    );
    assert_eq!(peers[0].shared_topics, vec![TopicId(7)]);
    let p3 = peers.iter().position(|p| p.member == MemberId(3));
    assert!(
        p3.is_none_or(|i| i > 0),
        "a member silent for 100 days ranks below a current one"
    );
    assert!(peers.iter().all(|p| p.member != MemberId(1)));
}

fn participants(n: usize, seed: u64) -> Vec<Participant> {
    let subjects = [
        "raster", "kriging", "bread", "wine", "rust", "sqlite", "cycling", "jazz", "solar", "bees",
        "maps", "tax",
    ];
    let mut x = seed;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..n)
        .map(|i| {
            let mut interests = Vec::new();
            for _ in 0..3 {
                let s = subjects[(next() % subjects.len() as u64) as usize];
                interests.push((s.to_string(), 1.0 + (next() % 3) as f32));
            }
            interests.push((format!("niche{}", next() % 40), 0.5));
            let mut dnm = Vec::new();
            if i % 7 == 0 {
                dnm.push(MemberId(((i as u64 + 1 + next() % 5) % n as u64) as i64));
            }
            Participant {
                member: MemberId(i as i64),
                interests,
                do_not_match: dnm,
            }
        })
        .collect()
}

#[test]
fn matching_respects_every_constraint() {
    let ps = participants(300, 7);
    let already_met: Vec<(MemberId, MemberId)> = (0..300)
        .step_by(3)
        .map(|i| (MemberId(i), MemberId((i + 1) % 300)))
        .collect();
    for format in [Format::Pairs, Format::Tables { min: 4, max: 6 }] {
        let req = MatchRequest {
            format,
            slots: 3,
            already_met: already_met.clone(),
        };
        let plan = matching::plan(&ps, &req);
        assert_eq!(plan.slots.len(), 3);
        assert!(
            matching::violations(&ps, &req, &plan).is_empty(),
            "{:?}",
            matching::violations(&ps, &req, &plan)
        );
        for slot in &plan.slots {
            let seated: usize = slot.meetings.iter().map(|m| m.members.len()).sum();
            assert_eq!(seated + slot.unmatched.len(), ps.len());
            assert!(
                seated as f64 >= 0.9 * ps.len() as f64,
                "most people are matched"
            );
            for m in &slot.meetings {
                match format {
                    Format::Pairs => assert_eq!(m.members.len(), 2),
                    Format::Tables { .. } => assert!((4..=6).contains(&m.members.len())),
                }
            }
            assert!(
                slot.meetings
                    .iter()
                    .filter(|m| !m.shared_subjects.is_empty())
                    .count()
                    * 10
                    >= slot.meetings.len() * 8,
                "meetings are explained"
            );
        }
    }
    // The verifier itself catches a violation.
    let req = MatchRequest {
        format: Format::Pairs,
        slots: 1,
        already_met: vec![(MemberId(0), MemberId(1))],
    };
    let bad = matching::MatchPlan {
        slots: vec![matching::Slot {
            meetings: vec![matching::Meeting {
                members: vec![MemberId(0), MemberId(1)],
                shared_subjects: vec![],
                score: 0.0,
            }],
            unmatched: vec![],
        }],
    };
    assert!(!matching::violations(&ps, &req, &bad).is_empty());
    // Tiny sessions: 7 people cannot all sit at tables of 4–6.
    let small = participants(7, 3);
    let req = MatchRequest {
        format: Format::Tables { min: 4, max: 6 },
        slots: 1,
        already_met: vec![],
    };
    let plan = matching::plan(&small, &req);
    assert!(matching::violations(&small, &req, &plan).is_empty());
    assert!(plan.slots[0].meetings.len() <= 1);
}

#[test]
fn matching_two_thousand_participants_is_fast() {
    let ps = participants(2000, 11);
    for format in [Format::Pairs, Format::Tables { min: 4, max: 6 }] {
        let req = MatchRequest {
            format,
            slots: 1,
            already_met: vec![],
        };
        let t = Instant::now();
        let plan = matching::plan(&ps, &req);
        let took = t.elapsed();
        assert!(matching::violations(&ps, &req, &plan).is_empty());
        eprintln!("{format:?}: 2000 participants in {took:?}");
        // Unoptimised test builds are ~10× slower; the 5 s budget is for release builds.
        let budget = if cfg!(debug_assertions) { 60.0 } else { 5.0 };
        assert!(took.as_secs_f64() < budget, "{took:?}");
    }
}

#[test]
fn intro_paths_go_only_through_consenting_people_strongest_first() {
    let mut g = InteractionGraph::new(180.0);
    let (me, target) = (MemberId(1), MemberId(9));
    // Strong chain through 2 (does not consent), medium through 3, weak through 4 → 5.
    for _ in 0..5 {
        g.add(me, MemberId(2), Interaction::Reply, T0);
        g.add(MemberId(2), target, Interaction::Reply, T0);
    }
    for _ in 0..2 {
        g.add(me, MemberId(3), Interaction::Reply, T0);
        g.add(MemberId(3), target, Interaction::Reply, T0);
    }
    g.add(me, MemberId(4), Interaction::CoParticipation, T0);
    g.add(MemberId(4), MemberId(5), Interaction::Reply, T0);
    g.add(MemberId(5), target, Interaction::Reply, T0);
    g.add(me, target, Interaction::Reply, T0); // already in touch: not a chain
    let consenting = [MemberId(3), MemberId(4), MemberId(5)];
    let paths = g.intro_paths(me, target, &consenting, T0 + DAY, 5, 4);
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert_eq!(paths[0].members, vec![me, MemberId(3), target]);
    assert_eq!(paths[1].members, vec![me, MemberId(4), MemberId(5), target]);
    assert!(paths[0].strength > paths[1].strength);
    for p in &paths {
        assert!(
            p.members[1..p.members.len() - 1]
                .iter()
                .all(|m| consenting.contains(m))
        );
        assert_eq!(p.hops.len(), p.members.len() - 1);
        assert!(
            p.hops
                .iter()
                .all(|h| h.replies + h.co_participations > 0 && h.strength > 0.0)
        );
    }
    assert_eq!(paths[0].hops[0].replies, 2);
    // Hop limit.
    assert_eq!(
        g.intro_paths(me, target, &consenting, T0 + DAY, 5, 2).len(),
        1
    );
    // Decay: a year later the chains are weaker.
    let later = g.intro_paths(me, target, &consenting, T0 + 365 * DAY, 1, 4);
    assert!(later[0].strength < paths[0].strength);
}

/// A synthetic list: 30 people in 3 interest groups ask and answer for 200 days.
fn synthetic_timeline() -> Vec<EvalMessage> {
    let words = [
        ["raster", "gdal", "terra", "projection"],
        ["kriging", "variogram", "gstat", "model"],
        ["spdep", "weights", "moran", "neighbour"],
    ];
    let mut out = Vec::new();
    let mut x: u64 = 42;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for d in 0..200i64 {
        for q in 0..2 {
            let g = (next() % 3) as usize;
            let asker = format!("p{}", g * 10 + (next() % 10) as usize);
            let id = format!("m{d}-{q}");
            let at = T0 + d * DAY + q * 3_600_000;
            out.push(EvalMessage {
                id: id.clone(),
                thread: id.clone(),
                parent: None,
                person: asker.clone(),
                name: asker.clone(),
                at,
                text: format!(
                    "{} {} question",
                    words[g][0],
                    words[g][(next() % 4) as usize]
                ),
                title: Some(format!("{} help", words[g][1])),
            });
            for r in 0..3 {
                let answerer = format!("p{}", g * 10 + (next() % 10) as usize);
                if answerer == asker {
                    continue;
                }
                out.push(EvalMessage {
                    id: format!("{id}-r{r}"),
                    thread: id.clone(),
                    parent: Some(id.clone()),
                    name: answerer.clone(),
                    person: answerer,
                    at: at + (r + 1) * 7_200_000 + (next() % 120) as i64 * 3_600_000,
                    text: format!("use {} {}", words[g][2], words[g][3]),
                    title: Some(format!("{} help", words[g][1])),
                });
            }
        }
    }
    out.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));
    out
}

#[test]
fn evaluation_sees_nothing_after_the_cutoff() {
    let msgs = synthetic_timeline();
    let opts = EvalOptions {
        cutoff_fraction: 0.8,
        step_days: None,
        horizon_days: Some(10.0),
        ..EvalOptions::default()
    };
    let cut = eval::cutoff_time(&msgs, 0.8).expect("cut-off");
    let original = eval::run_cases(&msgs, &opts);
    assert!(!original.is_empty());
    // Rewrite the future: other words, other threads, authors swapped, times moved.
    let perturbed: Vec<EvalMessage> = msgs
        .iter()
        .map(|m| {
            if m.at < cut {
                return m.clone();
            }
            let mut p = m.clone();
            p.text = "completely different words about bread and jazz".into();
            p.title = Some("bread".into());
            if m.at > cut {
                p.at += 3_600_000; // keeps the order, so the cut-off stays put
            }
            if p.parent.is_none() {
                p.person = format!("{}x", p.person);
            }
            p
        })
        .collect();
    // Asked just before each join, the feed sees nothing after that join either.
    let at_join = EvalOptions {
        cutoff_fraction: 0.5,
        protocol: eval::Protocol::AtJoin,
        ..EvalOptions::default()
    };
    let before: Vec<_> = eval::run_cases(&msgs, &at_join)
        .into_iter()
        .filter(|c| c.cutoff < cut)
        .collect();
    let after: Vec<_> = eval::run_cases(&perturbed, &at_join)
        .into_iter()
        .filter(|c| c.cutoff < cut)
        .collect();
    assert!(before.len() >= 20, "{}", before.len());
    assert_eq!(before, after, "at-join rankings changed with the future");
    let again = eval::run_cases(&perturbed, &opts);
    let mut compared = 0;
    for c in &original {
        if let Some(d) = again
            .iter()
            .find(|d| d.user == c.user && d.cutoff == c.cutoff)
        {
            assert_eq!(
                c.rankings, d.rankings,
                "rankings of {} changed with the future",
                c.user
            );
            compared += 1;
        }
    }
    assert!(
        compared >= 3,
        "the test must compare something ({compared})"
    );
    // The report works and Parvis learns who answers what on this toy list.
    let r = eval::evaluate_messages(
        &msgs,
        &EvalOptions {
            cutoff_fraction: 0.7,
            ..EvalOptions::default()
        },
    )
    .expect("report");
    eprintln!("synthetic: {r:?}");
    // The rankings compared above came from a scorer learned on the past.
    assert!(r.learned_weights.is_some(), "{r:?}");
    assert!(r.parvis.ndcg_at_10 > r.most_active.ndcg_at_10);
    assert!(matches!(Method::Parvis, Method::Parvis));
    let _ = EventKind::Read;
}

#[test]
fn evaluation_on_the_shared_corpus() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/corpus/r-sig-geo");
    if !dir.is_dir() {
        eprintln!("skipped: {} is absent", dir.display());
        return;
    }
    // Three years keep this test quick in an unoptimised build; the full
    // figures come from `examples/eval_feed.rs` (bench/relevance/RESULTS.md).
    let mut files = Vec::new();
    for y in 2014..=2016 {
        for m in [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ] {
            let f = dir.join(format!("{y}-{m}.txt"));
            if f.is_file() {
                files.push(f);
            }
        }
    }
    let msgs = eval::load_mbox_paths(&files).expect("corpus reads");
    assert!(msgs.len() > 3000, "{}", msgs.len());
    let r = eval::evaluate_messages(&msgs, &EvalOptions::default()).expect("report");
    eprintln!(
        "r-sig-geo 2014–2016: {}",
        serde_json::to_string(&r).unwrap_or_default()
    );
    assert!(r.cases >= 10);
    assert!(r.parvis.ndcg_at_10 > r.most_active.ndcg_at_10);
    assert!(
        r.parvis.ndcg_at_10 >= 0.9 * r.most_recent.ndcg_at_10,
        "{r:?}"
    );
}

#[test]
fn a_mention_lifts_the_thread_and_says_why() {
    let mut e = feed_world();
    e.add_message(&MessageInput {
        thread: ThreadId(500),
        author: MemberId(4),
        at: T0 + DAY,
        text: COOK,
        title: None,
        topics: &[],
        reply_to: None,
        mentions: &[MemberId(1)],
    });
    let feed = e.feed(
        MemberId(1),
        T0 + 2 * DAY,
        &FeedOptions {
            page_size: 30,
            exclude_posted: true,
            diversify: false,
        },
    );
    let pos = feed
        .items
        .iter()
        .position(|i| i.thread == ThreadId(500))
        .expect("mentioned thread in the feed");
    let cook = feed
        .items
        .iter()
        .position(|i| i.thread == ThreadId(300))
        .expect("other cooking thread in the feed");
    assert!(pos < cook, "{feed:?}");
    assert_eq!(feed.items[pos].reasons[0], Reason::Mentioned);
}

#[test]
fn rank_feed_ranks_given_candidates_and_reasons_have_a_stable_json_shape() {
    let e = feed_world();
    let items = e.rank_feed(
        MemberId(1),
        T0 + 2 * DAY,
        &[ThreadId(300), ThreadId(201), ThreadId(424242)],
        &FeedOptions {
            page_size: 10,
            exclude_posted: true,
            diversify: true,
        },
    );
    let ids: Vec<i64> = items.iter().map(|i| i.thread.0).collect();
    assert_eq!(ids, vec![201, 300], "interest first, unknown ignored");
    let json = serde_json::to_string(&vec![
        Reason::RepliedTo {
            thread: ThreadId(7),
        },
        Reason::PeersActive {
            count: 3,
            peers: vec![MemberId(2)],
        },
        Reason::Topic { topic: TopicId(4) },
        Reason::Mentioned,
    ])
    .unwrap();
    assert_eq!(
        json,
        r#"[{"kind":"replied_to","thread":7},{"kind":"peers_active","count":3,"peers":[2]},{"kind":"topic","topic":4},{"kind":"mentioned"}]"#
    );
}

/// A community where members answer the questions nobody has answered yet:
/// every day one question is answered at once by a helper (and its asker
/// thanks them), and a second one waits until member 1 answers it hours later.
fn answer_the_unanswered_world(days: i64) -> Engine {
    let mut e = Engine::new(Config::default());
    let hour = 3_600_000;
    let text = "raster projection with gdal fails on a large file";
    for d in 0..days {
        let t = T0 + d * DAY;
        let (busy, waiting, asker, other) =
            (2 * d + 10_000, 2 * d + 10_001, 1000 + 2 * d, 1001 + 2 * d);
        let helper = 2 + d % 5;
        msg(&mut e, busy, asker, t, text, &[]);
        msg(&mut e, waiting, other, t + hour / 2, text, &[]);
        msg(&mut e, busy, helper, t + hour, text, &[]);
        msg(&mut e, busy, asker, t + 2 * hour, text, &[]);
        if d < days - 1 {
            msg(&mut e, waiting, 1, t + 6 * hour, text, &[]);
        }
    }
    e
}

#[test]
fn the_feed_learns_how_this_community_behaves_from_its_history() {
    let days = 400;
    let mut e = answer_the_unanswered_world(days);
    let (busy, waiting) = (
        ThreadId(2 * (days - 1) + 10_000),
        ThreadId(2 * (days - 1) + 10_001),
    );
    let now = T0 + (days - 1) * DAY + 5 * 3_600_000;
    let opts = FeedOptions {
        page_size: 10,
        exclude_posted: true,
        diversify: false,
    };
    let rank = |e: &Engine, t: ThreadId| {
        let feed = e.feed(MemberId(1), now, &opts);
        feed.items
            .iter()
            .position(|i| i.thread == t)
            .unwrap_or_else(|| panic!("{t:?} is not in the feed: {feed:?}"))
    };
    // The hand-made formula prefers the fresher, busier thread.
    assert!(rank(&e, busy) < rank(&e, waiting));
    assert!(e.joins_since_fit() >= 300, "{}", e.joins_since_fit());
    let fit = e.learn().expect("enough history to learn from").clone();
    assert!(
        fit.positives >= 300 && fit.samples > fit.positives * 5,
        "{fit:?}"
    );
    // What this community does: answer the question still waiting.
    let awaiting = parvis_relevance::engine::FEATURE_NAMES
        .iter()
        .position(|n| *n == "awaiting_answer")
        .expect("signal");
    assert!(fit.weights[awaiting] > 0.5, "{:?}", fit.weights);
    assert_eq!(rank(&e, waiting), 0, "the waiting question comes first");
    // A member's own feedback still counts under the learned scorer.
    e.add_feedback(MemberId(1), Feedback::NotInterested { thread: waiting });
    assert!(
        e.feed(MemberId(1), now, &opts)
            .items
            .iter()
            .all(|i| i.thread != waiting)
    );
}

/// Every day a kriging question and a bread question arrive; member 1
/// answers the kriging one, member 2 the bread one, both in words that say
/// nothing of the subject ("try this").
fn two_kinds_of_questions(days: i64) -> Engine {
    let mut e = Engine::new(Config::default());
    let hour = 3_600_000;
    for d in 0..days {
        let t = T0 + d * DAY;
        let (krig, bread) = (2 * d + 20_000, 2 * d + 20_001);
        msg(&mut e, krig, 1000 + 2 * d, t, KRIG, &[]);
        msg(&mut e, bread, 1001 + 2 * d, t + hour, COOK, &[]);
        msg(&mut e, krig, 1, t + 2 * hour, "try this and tell us", &[]);
        msg(&mut e, bread, 2, t + 3 * hour, "try this and tell us", &[]);
    }
    e
}

#[test]
fn a_member_is_shown_first_the_kind_of_question_they_answer() {
    let days = 400;
    let mut e = two_kinds_of_questions(days);
    e.learn().expect("enough history to learn from");
    // A new question of each kind; the bread one is the more recent.
    let now = T0 + days * DAY + 2 * 3_600_000;
    msg(&mut e, 90_000, 5000, now - 3_600_000, KRIG, &[]);
    msg(&mut e, 90_001, 5001, now - 60_000, COOK, &[]);
    let opts = FeedOptions {
        page_size: 10,
        exclude_posted: true,
        diversify: false,
    };
    let first = |m: i64| e.feed(MemberId(m), now, &opts).items[0].thread;
    assert_eq!(first(1), ThreadId(90_000), "the kriging answerer");
    assert_eq!(first(2), ThreadId(90_001), "the bread answerer");
    // The signal behind it: the opening posts of the threads they answered.
    let answered = parvis_relevance::engine::FEATURE_NAMES
        .iter()
        .position(|n| *n == "answered_x_opening")
        .expect("signal");
    let x = e.features(MemberId(1), now, &[ThreadId(90_000), ThreadId(90_001)]);
    assert!(x[0].1[answered] > 0.5 && x[1].1[answered] < 0.1, "{x:?}");
}

#[test]
fn too_little_history_keeps_the_formula() {
    let mut e = answer_the_unanswered_world(20);
    assert!(e.learn().is_none());
    assert!(e.last_fit().is_none());
    assert!(e.config().learned.is_none());
}

/// One pipermail-style mbox message.
fn mbox_message(id: &str, parent: Option<&str>, from: &str, day: u32, subject: &str) -> String {
    let reply = parent.map_or(String::new(), |p| format!("In-Reply-To: <{p}>\n"));
    format!(
        "From {from} Mon Mar {day:2} 10:00:00 2025\nFrom: {from} ({from})\nDate: Mon, {day} Mar 2025 10:00:00 +0000\nSubject: {subject}\nMessage-ID: <{id}>\n{reply}\nSome words about {subject}.\n\n"
    )
}

#[test]
fn a_folder_of_lists_is_read_as_one_space_with_one_person_per_address() {
    let dir = tempfile::tempdir().unwrap();
    for (list, topic) in [("geo", "rasters"), ("devel", "packages")] {
        std::fs::create_dir(dir.path().join(list)).unwrap();
        let mut text = String::new();
        for d in 1..=3u32 {
            let root = format!("{list}-{d}@x");
            text += &mbox_message(&root, None, &format!("asker{d}@{list}.example"), d, topic);
            text += &mbox_message(
                &format!("{list}-{d}r@x"),
                Some(&root),
                "ann@both.example",
                d,
                &format!("Re: {topic}"),
            );
        }
        std::fs::write(dir.path().join(list).join("2025-March.txt"), text).unwrap();
    }
    let msgs = eval::load_mbox(dir.path()).unwrap();
    assert_eq!(msgs.len(), 12, "both lists are read");
    let ann: std::collections::BTreeSet<&str> = msgs
        .iter()
        .filter(|m| m.id.ends_with("r@x"))
        .map(|m| m.person.as_str())
        .collect();
    assert_eq!(ann.len(), 1, "one person across the two lists: {ann:?}");
    let threads: std::collections::BTreeSet<&str> =
        msgs.iter().map(|m| m.thread.as_str()).collect();
    assert_eq!(threads.len(), 6);
    // A downloaded archive keeps its index pages beside the months: they are left out and
    // named, and the lists are read as before.
    std::fs::write(dir.path().join("index.html"), "<html></html>\n").unwrap();
    std::fs::write(
        dir.path().join("geo").join("thread.html"),
        "<html></html>\n",
    )
    .unwrap();
    let (again, left_out) = eval::load_mbox_folder(dir.path()).unwrap();
    assert_eq!(again.len(), 12);
    let names: Vec<String> = left_out
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["index.html", "thread.html"]);
    // A folder that cannot be read says which.
    let err = eval::load_mbox(&dir.path().join("missing"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing"), "{err}");
}
