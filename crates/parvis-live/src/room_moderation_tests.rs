//! The moderator's question and word-cloud commands as participants see their effect (pin,
//! mark answered, reply, hide a word), and the same commands refused to a participant.

#![allow(clippy::unwrap_used)] // a failing unwrap is a failing test

use super::*;
use crate::view::{Audience, QuestionView};
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

/// Question `id` as the participant `me` sees it in a fresh snapshot (a reconnecting client).
fn seen(room: &Room, me: &str, id: u64) -> QuestionView {
    room.snapshot(Audience::Participant, me, 100)
        .questions
        .into_iter()
        .find(|q| q.id == id)
        .unwrap()
}

/// The delta participants receive for `command`, once the moderator's command is accepted.
fn moderate(room: &mut Room, command: Command, at: i64) -> crate::view::Delta {
    let (_, touched) = room.handle(&moderator(), command, at).unwrap();
    room.delta(&touched, Audience::Participant, at)
}

#[test]
fn pin_answered_and_reply_reach_participants() {
    let mut room = Room::new(Settings::default());
    let (ana, bob) = (person("ana"), person("bob"));
    let first = ask(&mut room, &ana, "Quel budget ?", 1);
    let second = ask(&mut room, &bob, "Et la mesure ?", 2);

    // Pin: the participants' delta and a reconnecting participant both say so.
    let d = moderate(
        &mut room,
        Command::Pin {
            question: second,
            pinned: true,
        },
        3,
    );
    assert_eq!(d.questions.len(), 1);
    assert!(d.questions[0].id == second && d.questions[0].pinned);
    assert!(seen(&room, "ana", second).pinned);
    assert!(!seen(&room, "ana", first).pinned, "only the one pinned");
    moderate(
        &mut room,
        Command::Pin {
            question: second,
            pinned: false,
        },
        4,
    );
    assert!(!seen(&room, "bob", second).pinned, "unpinned");

    // Answered.
    let d = moderate(&mut room, Command::Answered { question: first }, 5);
    assert!(d.questions[0].answered);
    assert!(seen(&room, "bob", first).answered);
    assert!(!seen(&room, "bob", second).answered);

    // A written reply, trimmed, replacing the previous one.
    let d = moderate(
        &mut room,
        Command::Reply {
            question: first,
            text: "  Voir la diapositive 4.  ".into(),
        },
        6,
    );
    assert_eq!(
        d.questions[0].reply.as_deref(),
        Some("Voir la diapositive 4.")
    );
    moderate(
        &mut room,
        Command::Reply {
            question: first,
            text: "Voir la diapositive 5.".into(),
        },
        7,
    );
    assert_eq!(
        seen(&room, "ana", first).reply.as_deref(),
        Some("Voir la diapositive 5.")
    );
    // An empty or overlong reply, or one to no question, is refused and changes nothing.
    let seq = room.seq();
    for (question, text, code) in [
        (first, " ".to_string(), "bad_text"),
        (first, "x".repeat(1001), "bad_text"),
        (99, "Oui".to_string(), "no_such_question"),
    ] {
        let err = room
            .handle(&moderator(), Command::Reply { question, text }, 8)
            .unwrap_err();
        assert_eq!(err.code(), code, "{err}");
    }
    assert_eq!(room.seq(), seq);
    assert_eq!(
        seen(&room, "ana", first).reply.as_deref(),
        Some("Voir la diapositive 5.")
    );
    // Votes still count on an answered, replied question.
    room.handle(&bob, Command::Upvote { question: first }, 9)
        .unwrap();
    assert_eq!(seen(&room, "ana", first).votes, 1);
}

fn open_cloud(room: &mut Room) -> u64 {
    room.handle(
        &moderator(),
        Command::OpenPoll {
            title: "Un mot ?".into(),
            kind: PollKind::WordCloud,
            hide_results: false,
        },
        1,
    )
    .unwrap();
    1
}

fn words(room: &Room, audience: Audience) -> Vec<(String, u32, bool)> {
    room.snapshot(audience, "x", 100).polls[0]
        .results
        .as_ref()
        .unwrap()
        .words
        .iter()
        .map(|w| (w.word.clone(), w.count, w.hidden))
        .collect()
}

#[test]
fn a_hidden_word_leaves_the_participants_cloud() {
    let mut room = Room::new(Settings::default());
    let poll = open_cloud(&mut room);
    for (who, text) in [
        ("ana", "Confiance, écologie"),
        ("bob", "la CONFIANCE"),
        ("carl", "Écologie et arnaque"),
    ] {
        room.handle(
            &person(who),
            Command::Answer {
                poll,
                answer: PollAnswer::Words { text: text.into() },
            },
            2,
        )
        .unwrap();
    }
    assert_eq!(
        words(&room, Audience::Participant),
        [
            ("confiance".to_string(), 2, false),
            ("ecologie".to_string(), 2, false),
            ("arnaque".to_string(), 1, false)
        ]
    );
    // The moderator hides it as typed on the screen (case and accents do not matter).
    let d = moderate(
        &mut room,
        Command::HideWord {
            poll,
            word: " Arnaque ".into(),
        },
        3,
    );
    let pushed = d.polls[0].results.as_ref().unwrap();
    assert!(
        pushed.words.iter().all(|w| w.word != "arnaque"),
        "{pushed:?}"
    );
    moderate(
        &mut room,
        Command::HideWord {
            poll,
            word: "ÉCOLOGIE".into(),
        },
        4,
    );
    assert_eq!(
        words(&room, Audience::Participant),
        [("confiance".to_string(), 2, false)],
        "gone for participants and the big screen"
    );
    // The moderator still sees them, flagged, and a later answer with the word stays hidden.
    room.handle(
        &person("dan"),
        Command::Answer {
            poll,
            answer: PollAnswer::Words {
                text: "arnaque".into(),
            },
        },
        5,
    )
    .unwrap();
    let console = words(&room, Audience::Moderator);
    assert!(
        console.contains(&("arnaque".to_string(), 2, true)),
        "{console:?}"
    );
    assert!(console.contains(&("ecologie".to_string(), 2, true)));
    assert!(
        words(&room, Audience::Participant)
            .iter()
            .all(|w| w.0 != "arnaque")
    );
    // Hiding a word of no poll is refused.
    assert_eq!(
        room.handle(
            &moderator(),
            Command::HideWord {
                poll: 7,
                word: "x".into()
            },
            6
        )
        .unwrap_err()
        .code(),
        "no_such_poll"
    );
}

#[test]
fn participants_cannot_pin_answer_reply_or_hide_words() {
    let mut room = Room::new(Settings::default());
    let poll = open_cloud(&mut room);
    let ana = person("ana");
    let q = ask(&mut room, &ana, "Ma question", 2);
    room.handle(
        &ana,
        Command::Answer {
            poll,
            answer: PollAnswer::Words {
                text: "arnaque".into(),
            },
        },
        3,
    )
    .unwrap();
    let seq = room.seq();
    // Even the author of the question.
    for (c, said) in [
        (
            Command::Pin {
                question: q,
                pinned: true,
            },
            "only a moderator can pin a question",
        ),
        (
            Command::Answered { question: q },
            "only a moderator can mark a question answered",
        ),
        (
            Command::Reply {
                question: q,
                text: "Je me réponds".into(),
            },
            "only a moderator can reply to a question",
        ),
        (
            Command::HideWord {
                poll,
                word: "arnaque".into(),
            },
            "only a moderator can hide a word of the cloud",
        ),
    ] {
        let err = room.handle(&ana, c, 4).unwrap_err();
        assert_eq!(err.code(), "not_moderator", "{said}");
        assert_eq!(err.to_string(), said);
    }
    assert_eq!(room.seq(), seq, "nothing recorded");
    let q = seen(&room, "ana", q);
    assert!(!q.pinned && !q.answered && q.reply.is_none());
    assert_eq!(
        words(&room, Audience::Participant),
        [("arnaque".to_string(), 1, false)]
    );
}

#[test]
fn a_moderators_note_is_theirs_alone_and_survives_a_replay() {
    let mut room = Room::new(Settings::default());
    let ana = person("ana");
    room.handle(
        &moderator(),
        Command::Agenda {
            item: "Le budget".into(),
            ends_at: None,
        },
        1,
    )
    .unwrap();
    let note = Command::Note {
        text: "  Relancer la question du budget  ".into(),
    };

    // A participant may not take one, and nothing is stored.
    assert_eq!(
        room.handle(&ana, note.clone(), 2).unwrap_err(),
        Refusal::NotModerator("take a moderators' note")
    );
    assert!(room.notes().is_empty());
    // Empty or too long: refused, naming the field.
    for bad in [" ".to_string(), "x".repeat(1001)] {
        let e = room
            .handle(&moderator(), Command::Note { text: bad }, 2)
            .unwrap_err();
        assert_eq!((e.code(), e.field()), ("bad_text", Some("text")));
    }

    let (event, touched) = room.handle(&moderator(), note, 3).unwrap();
    // Moderators get it in their delta and snapshot, trimmed, with its agenda item.
    let mods = room.delta(&touched, Audience::Moderator, 3);
    assert_eq!(mods.notes.len(), 1);
    assert_eq!(mods.notes[0].text, "Relancer la question du budget");
    assert_eq!(mods.notes[0].author, "Modératrice");
    assert_eq!(mods.notes[0].agenda_item.as_deref(), Some("Le budget"));
    let snap = room.snapshot(Audience::Moderator, "mod", 4);
    assert_eq!(snap.notes.as_ref().map(Vec::len), Some(1));

    // Participants see the sequence move and nothing of the note, in deltas or snapshots.
    let theirs = room.delta(&touched, Audience::Participant, 3);
    assert!(theirs.notes.is_empty());
    let json = serde_json::to_string(&theirs).unwrap();
    assert!(!json.contains("Relancer"), "{json}");
    let snap = room.snapshot(Audience::Participant, "ana", 4);
    assert!(snap.notes.is_none());
    let json = serde_json::to_string(&snap).unwrap();
    assert!(
        !json.contains("Relancer") && !json.contains("notes"),
        "{json}"
    );

    // The stored event rebuilds the note (a restart or another instance).
    let stored = serde_json::to_string(&event).unwrap();
    let mut rebuilt = Room::new(Settings::default());
    for e in [
        Event {
            seq: 1,
            at: 1,
            actor: moderator(),
            command: Command::Agenda {
                item: "Le budget".into(),
                ends_at: None,
            },
        },
        serde_json::from_str(&stored).unwrap(),
    ] {
        rebuilt.apply(&e);
    }
    assert_eq!(rebuilt.notes(), room.notes());
}
