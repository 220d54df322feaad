#![allow(clippy::unwrap_used)] // a failing unwrap is a failing test

use super::*;
use crate::view::Audience;
use crate::{PollAnswer, PollKind, Settings};

fn person(key: &str) -> Actor {
    Actor {
        key: key.into(),
        name: key.to_uppercase(),
        moderator: false,
    }
}
fn moderator() -> Actor {
    Actor {
        key: "mod".into(),
        name: "Modératrice".into(),
        moderator: true,
    }
}

fn ask(room: &mut Room, who: &Actor, text: &str, at: i64) -> u64 {
    room.handle(
        who,
        Command::Ask {
            text: text.into(),
            anonymous: false,
        },
        at,
    )
    .unwrap();
    room.questions.len() as u64
}

#[test]
fn one_vote_per_person_changeable_and_refusals() {
    let mut room = Room::new(Settings::default());
    let (ana, bob) = (person("ana"), person("bob"));
    let q = ask(&mut room, &ana, "  Pourquoi ?  ", 1);
    assert_eq!(room.question(q).unwrap().text, "Pourquoi ?");
    room.handle(&bob, Command::Upvote { question: q }, 2)
        .unwrap();
    assert_eq!(
        room.handle(&bob, Command::Upvote { question: q }, 3)
            .unwrap_err(),
        Refusal::AlreadyVoted(q)
    );
    room.handle(&bob, Command::Unvote { question: q }, 4)
        .unwrap();
    assert_eq!(
        room.handle(&bob, Command::Unvote { question: q }, 5)
            .unwrap_err()
            .code(),
        "not_voted"
    );
    room.handle(&bob, Command::Upvote { question: q }, 6)
        .unwrap();
    room.handle(&ana, Command::Upvote { question: q }, 7)
        .unwrap();
    assert_eq!(room.question(q).unwrap().voters.len(), 2);
    assert_eq!(room.seq(), 5, "refused commands take no sequence number");
    // A hidden question cannot be voted on.
    room.handle(&moderator(), Command::Hide { question: q }, 8)
        .unwrap();
    let carl = person("carl");
    assert_eq!(
        room.handle(&carl, Command::Upvote { question: q }, 9)
            .unwrap_err(),
        Refusal::QuestionHidden(q)
    );
    assert_eq!(
        room.handle(&carl, Command::Upvote { question: 99 }, 9)
            .unwrap_err()
            .code(),
        "no_such_question"
    );
    assert_eq!(
        room.handle(
            &carl,
            Command::Ask {
                text: " ".into(),
                anonymous: false
            },
            9
        )
        .unwrap_err()
        .field(),
        Some("text")
    );
}

#[test]
fn participants_cannot_moderate_or_give_the_floor() {
    let mut room = Room::new(Settings::default());
    let ana = person("ana");
    let q = ask(&mut room, &ana, "Q", 1);
    for c in [
        Command::Hide { question: q },
        Command::GiveFloor {
            kind: SpeakerKind::Moderator,
            to: None,
            name: None,
        },
        Command::EndTurn,
        Command::LowerHand {
            who: Some("bob".into()),
        },
        Command::OpenPoll {
            title: "t".into(),
            kind: PollKind::WordCloud,
            hide_results: false,
        },
    ] {
        let err = room.handle(&ana, c, 2).unwrap_err();
        assert_eq!(err.code(), "not_moderator");
    }
    let err = room
        .handle(
            &ana,
            Command::GiveFloor {
                kind: SpeakerKind::Guest,
                to: None,
                name: Some("x".into()),
            },
            2,
        )
        .unwrap_err();
    assert_eq!(err.to_string(), "only a moderator can give the floor");
}

#[test]
fn approval_anonymity_and_merge_credit_everyone() {
    let mut room = Room::new(Settings {
        anonymous_questions: false,
        approval_required: true,
        budget_factor: 1.5,
    });
    let (ana, bob, carl, m) = (person("ana"), person("bob"), person("carl"), moderator());
    assert_eq!(
        room.handle(
            &ana,
            Command::Ask {
                text: "x".into(),
                anonymous: true
            },
            1
        )
        .unwrap_err(),
        Refusal::AnonymousNotAllowed
    );
    let q1 = ask(&mut room, &ana, "Le prix ?", 1);
    let q2 = ask(&mut room, &bob, "Combien ça coûte ?", 2);
    assert_eq!(
        room.handle(&carl, Command::Upvote { question: q1 }, 3)
            .unwrap_err(),
        Refusal::AwaitingApproval(q1)
    );
    assert!(
        room.snapshot(Audience::Participant, "carl", 3)
            .questions
            .is_empty()
    );
    assert_eq!(
        room.snapshot(Audience::Moderator, "mod", 3).questions.len(),
        2
    );
    for q in [q1, q2] {
        room.handle(&m, Command::Approve { question: q }, 4)
            .unwrap();
    }
    room.handle(&carl, Command::Upvote { question: q1 }, 5)
        .unwrap();
    room.handle(&carl, Command::Upvote { question: q2 }, 5)
        .unwrap();
    room.handle(&ana, Command::Upvote { question: q2 }, 5)
        .unwrap();
    let (_, touched) = room
        .handle(
            &m,
            Command::Merge {
                question: q2,
                into: q1,
            },
            6,
        )
        .unwrap();
    assert_eq!(touched, [Touch::Question(q2), Touch::Question(q1)]);
    let kept = room.question(q1).unwrap();
    // Carl voted for both: counted once. Ana voted for the duplicate: counted.
    assert_eq!(kept.voters.len(), 2);
    let names: Vec<_> = kept.authors.iter().map(|a| a.1.as_str()).collect();
    assert_eq!(names, ["ANA", "BOB"]);
    assert_eq!(
        room.handle(&bob, Command::Upvote { question: q2 }, 7)
            .unwrap_err(),
        Refusal::Merged(q2, q1)
    );
    let d = room.delta(&touched, Audience::Participant, 7);
    assert!(
        d.questions[0].gone && d.questions[0].text.is_empty(),
        "the duplicate disappears for participants"
    );
    assert_eq!(d.questions[1].authors, ["ANA", "BOB"]);
}

/// An upvote carried over by a merge is its voter's on the question kept: they see it as
/// theirs there and take it back there; someone who upvoted both is counted once and takes
/// back that one vote. A replay of the log gives the same room.
#[test]
fn an_upvote_carried_over_by_a_merge_is_taken_back_on_the_question_kept() {
    let mut live = Room::new(Settings::default());
    let (ana, bob, carl, m) = (person("ana"), person("bob"), person("carl"), moderator());
    let q1 = ask(&mut live, &ana, "Le prix ?", 1);
    let q2 = ask(&mut live, &bob, "Combien ça coûte ?", 2);
    let mut log = vec![];
    for (who, c) in [
        (&bob, Command::Upvote { question: q2 }),
        (&carl, Command::Upvote { question: q1 }),
        (&carl, Command::Upvote { question: q2 }),
        (
            &m,
            Command::Merge {
                question: q2,
                into: q1,
            },
        ),
    ] {
        log.push(live.handle(who, c, 3).unwrap().0);
    }
    assert_eq!(
        live.snapshot(Audience::Participant, "bob", 4).me.voted,
        [q1]
    );
    assert_eq!(live.question(q1).unwrap().voters.len(), 2, "Carl once");
    for who in [&bob, &carl] {
        log.push(
            live.handle(who, Command::Unvote { question: q1 }, 5)
                .unwrap()
                .0,
        );
        assert_eq!(
            live.handle(who, Command::Unvote { question: q1 }, 5)
                .unwrap_err(),
            Refusal::NotVoted(q1),
            "nothing left of theirs to take back"
        );
    }
    assert!(live.question(q1).unwrap().voters.is_empty());
    assert!(
        live.snapshot(Audience::Participant, "carl", 6)
            .me
            .voted
            .is_empty()
    );
    let mut replayed = Room::new(Settings::default());
    replayed.apply(&Event {
        seq: 1,
        at: 1,
        actor: ana.clone(),
        command: Command::Ask {
            text: "Le prix ?".into(),
            anonymous: false,
        },
    });
    replayed.apply(&Event {
        seq: 2,
        at: 2,
        actor: bob.clone(),
        command: Command::Ask {
            text: "Combien ça coûte ?".into(),
            anonymous: false,
        },
    });
    for e in &log {
        replayed.apply(e);
    }
    assert_eq!(
        replayed.snapshot(Audience::Moderator, "carl", 6),
        live.snapshot(Audience::Moderator, "carl", 6)
    );
}

#[test]
fn polls_closed_hidden_results_and_changeable_answers() {
    let mut room = Room::new(Settings::default());
    let (ana, bob, m) = (person("ana"), person("bob"), moderator());
    room.handle(
        &m,
        Command::OpenPoll {
            title: "Oui ou non ?".into(),
            kind: PollKind::Single {
                options: vec!["oui".into(), "non".into()],
            },
            hide_results: true,
        },
        1,
    )
    .unwrap();
    room.handle(
        &ana,
        Command::Answer {
            poll: 1,
            answer: PollAnswer::Choice { option: 0 },
        },
        2,
    )
    .unwrap();
    room.handle(
        &bob,
        Command::Answer {
            poll: 1,
            answer: PollAnswer::Choice { option: 0 },
        },
        2,
    )
    .unwrap();
    room.handle(
        &bob,
        Command::Answer {
            poll: 1,
            answer: PollAnswer::Choice { option: 1 },
        },
        3,
    )
    .unwrap();
    let seen = room.snapshot(Audience::Participant, "ana", 3);
    assert_eq!(seen.polls[0].results, None, "hidden until the poll closes");
    assert_eq!(seen.me.answers[&1], PollAnswer::Choice { option: 0 });
    let moderator_view = room.snapshot(Audience::Moderator, "mod", 3);
    assert_eq!(
        moderator_view.polls[0].results.as_ref().unwrap().counts,
        [1, 1],
        "Bob changed his answer"
    );
    room.handle(&m, Command::ClosePoll { poll: 1 }, 4).unwrap();
    assert_eq!(
        room.handle(
            &ana,
            Command::Answer {
                poll: 1,
                answer: PollAnswer::Choice { option: 1 }
            },
            5
        )
        .unwrap_err(),
        Refusal::PollClosed(1)
    );
    let after = room.snapshot(Audience::Participant, "ana", 5);
    assert_eq!(after.polls[0].results.as_ref().unwrap().counts, [1, 1]);
}

#[test]
fn hands_queue_floor_turns_and_replay() {
    let mut room = Room::new(Settings::default());
    let (ana, bob, m) = (person("ana"), person("bob"), moderator());
    room.handle(
        &m,
        Command::Agenda {
            item: "Ouverture".into(),
            ends_at: Some(600_000),
        },
        0,
    )
    .unwrap();
    room.handle(
        &m,
        Command::Invite {
            key: "inv".into(),
            name: "Invitée".into(),
        },
        0,
    )
    .unwrap();
    room.handle(&ana, Command::RaiseHand, 1_000).unwrap();
    room.handle(&bob, Command::RaiseHand, 2_000).unwrap();
    assert_eq!(
        room.handle(&bob, Command::RaiseHand, 2_500).unwrap_err(),
        Refusal::HandAlreadyRaised
    );
    let order: Vec<_> = room.hands().iter().map(|h| h.key.as_str()).collect();
    assert_eq!(order, ["ana", "bob"]);
    room.handle(&bob, Command::LowerHand { who: None }, 3_000)
        .unwrap();
    room.handle(&bob, Command::RaiseHand, 3_500).unwrap();
    assert_eq!(
        room.handle(
            &m,
            Command::GiveFloor {
                kind: SpeakerKind::Queue,
                to: Some("zoe".into()),
                name: None
            },
            4_000
        )
        .unwrap_err(),
        Refusal::HandNotRaised
    );
    room.handle(
        &m,
        Command::GiveFloor {
            kind: SpeakerKind::Queue,
            to: Some("ana".into()),
            name: None,
        },
        10_000,
    )
    .unwrap();
    assert_eq!(
        room.hands().len(),
        1,
        "Ana left the queue when she got the floor"
    );
    room.handle(
        &m,
        Command::GiveFloor {
            kind: SpeakerKind::Moderator,
            to: None,
            name: None,
        },
        70_000,
    )
    .unwrap();
    room.handle(
        &m,
        Command::GiveFloor {
            kind: SpeakerKind::Guest,
            to: None,
            name: Some("Jean Dupont".into()),
        },
        80_000,
    )
    .unwrap();
    room.handle(&m, Command::EndTurn, 110_000).unwrap();
    assert_eq!(
        room.handle(&m, Command::EndTurn, 111_000)
            .unwrap_err()
            .code(),
        "nobody_has_the_floor"
    );
    let turns = room.turns();
    assert_eq!(turns.len(), 3);
    assert_eq!(
        (
            turns[0].start,
            turns[0].end,
            turns[0].agenda_item.as_deref()
        ),
        (10_000, Some(70_000), Some("Ouverture"))
    );
    assert_eq!(turns[2].key, "guest:jean dupont");
    let f = room.fairness(120_000);
    // Ana 60 s, guest 30 s, invited 0: T = 90 s, fair share 30 s; moderator 10 s of 100 s.
    assert_eq!(
        (f.discussion_ms, f.fair_share_ms, f.moderator_ms),
        (90_000, 30_000, 10_000)
    );
    assert!(f.speakers[0].over_budget, "Ana holds 2× the fair share");
    assert!(!f.speakers[1].over_budget);

    // Replaying the events rebuilds the same room.
    let mut log = Vec::new();
    let mut live = Room::new(Settings::default());
    for (who, c, at) in [
        (
            &ana,
            Command::Ask {
                text: "Q".into(),
                anonymous: false,
            },
            1,
        ),
        (&bob, Command::Upvote { question: 1 }, 2),
        (&ana, Command::RaiseHand, 3),
        (
            &m,
            Command::GiveFloor {
                kind: SpeakerKind::Queue,
                to: Some("ana".into()),
                name: None,
            },
            4,
        ),
    ] {
        log.push(live.handle(who, c, at).unwrap().0);
    }
    let mut replayed = Room::new(Settings::default());
    for e in &log {
        replayed.apply(e);
    }
    assert_eq!(
        replayed.snapshot(Audience::Moderator, "bob", 9),
        live.snapshot(Audience::Moderator, "bob", 9)
    );
    assert_eq!(replayed.seq(), 4);
}

#[test]
fn events_round_trip_as_json() {
    let mut room = Room::new(Settings::default());
    let err = room
        .handle(
            &person("ana"),
            Command::Answer {
                poll: 1,
                answer: PollAnswer::Scale { value: 3 },
            },
            1,
        )
        .unwrap_err();
    assert_eq!(err.code(), "no_such_poll");
    let (e, _) = room
        .handle(
            &person("ana"),
            Command::Ask {
                text: "é ?".into(),
                anonymous: false,
            },
            1,
        )
        .unwrap();
    let json = serde_json::to_string(&e).unwrap();
    assert!(json.contains(r#""action":"ask""#));
    let back: Event = serde_json::from_str(&json).unwrap();
    assert_eq!(back, e);
    let cmd: Command =
        serde_json::from_str(r#"{"action":"answer","poll":1,"answer":{"type":"scale","value":4}}"#)
            .unwrap();
    assert_eq!(
        cmd,
        Command::Answer {
            poll: 1,
            answer: PollAnswer::Scale { value: 4 }
        }
    );
}
