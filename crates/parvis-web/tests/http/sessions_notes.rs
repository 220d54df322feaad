//! Moderators' notes in a session's live room: the moderator takes them through the API, sees
//! them on their socket and in the room's state, a participant can neither take nor see them,
//! and the closing draft offers them under their own heading after the room's questions; the
//! published report never shows them unless the moderator kept them in the conclusions.

use super::live::{member_token, next_json, socket};
use super::sessions::{session_body, setup};
use super::sessions_report::move_to_past;
use super::*;
use std::time::Duration;

async fn get(app: &App, token: Option<&str>, path: &str) -> reqwest::Response {
    let mut req = client().get(format!("{}{path}", app.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

async fn act(app: &App, token: &str, room: i64, cmd: Value) -> reqwest::Response {
    client()
        .post(format!("{}/api/v1/rooms/{room}/actions", app.base))
        .bearer_auth(token)
        .json(&cmd)
        .send()
        .await
        .unwrap()
}

/// Follow "join the live room" from the session page; the room's id.
async fn join_room(app: &App, token: &str, session: i64) -> i64 {
    let r = get(app, Some(token), &format!("/sessions/{session}/live")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    to.strip_prefix("/live/")
        .unwrap_or_else(|| panic!("to the room, not {to}"))
        .parse()
        .unwrap()
}

const NOTE: &str = "Relancer Inès sur le coût par visiteur";

#[tokio::test]
async fn a_moderators_notes_reach_the_closing_draft_and_no_participant() {
    let app = spawn_app().await;
    let auth = setup(&app).await;
    let modo = member_token(&app, "modo", SiteRole::Member).await;
    let ana = member_token(&app, "ana", SiteRole::Member).await;
    let mut body = session_body(None);
    body["moderators"] = json!(["modo"]);
    let r = client()
        .post(format!(
            "{}/api/v1/spaces/forum/topics/roi/sessions",
            app.base
        ))
        .header("authorization", &auth)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["session"]["id"]
        .as_i64()
        .unwrap();
    let r = client()
        .post(format!("{}/api/v1/sessions/{id}/registration", app.base))
        .bearer_auth(&ana)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    move_to_past(&app, id, 20).await;
    let room = join_room(&app, &ana, id).await;
    assert_eq!(join_room(&app, &modo, id).await, room);

    // Both watch the room; only the moderator's snapshot has a notes list.
    let mut m = socket(
        &app,
        room,
        Some(("authorization", format!("Bearer {modo}"))),
    )
    .await;
    let mut a = socket(&app, room, Some(("authorization", format!("Bearer {ana}")))).await;
    let snap = next_json(&mut m, Duration::from_secs(2)).await;
    assert_eq!(snap["notes"], json!([]));
    let snap = next_json(&mut a, Duration::from_secs(2)).await;
    assert_eq!(snap["type"], "snapshot");
    assert!(snap.get("notes").is_none(), "{snap}");

    // A participant may not take a note; an empty or overlong one is refused naming `text`.
    let r = act(&app, &ana, room, json!({"action": "note", "text": NOTE})).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "not_moderator");
    for bad in ["   ".to_string(), "x".repeat(1001)] {
        let r = act(&app, &modo, room, json!({"action": "note", "text": bad})).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json::<Value>().await.unwrap()["field"], "text");
    }

    // A question in the room, then the moderator's note (trimmed).
    let r = act(
        &app,
        &ana,
        room,
        json!({"action": "ask", "text": "Comment compter les visiteurs ?"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = act(
        &app,
        &modo,
        room,
        json!({"action": "note", "text": format!("  {NOTE}  ")}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let ack: Value = r.json().await.unwrap();
    assert_eq!(ack["note"], 1);
    let seq = ack["seq"].as_u64().unwrap();

    // The moderator's socket gets it; the participant's reaches the same point without it.
    loop {
        let d = next_json(&mut m, Duration::from_secs(2)).await;
        if d["seq"].as_u64().unwrap() >= seq {
            assert_eq!(d["notes"][0]["text"], NOTE, "{d}");
            assert_eq!(d["notes"][0]["author"], "MODO");
            break;
        }
    }
    loop {
        let d = next_json(&mut a, Duration::from_secs(2)).await;
        assert!(!d.to_string().contains("Relancer"), "{d}");
        if d["seq"].as_u64().unwrap() >= seq {
            break;
        }
    }
    // Coming back (a fresh read of the room): the moderator still has it, Ana still not.
    let theirs: Value = get(&app, Some(&modo), &format!("/api/v1/rooms/{room}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["notes"][0]["text"], NOTE);
    let hers = get(&app, Some(&ana), &format!("/api/v1/rooms/{room}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!hers.contains("Relancer") && !hers.contains("\"notes\""));

    // The closing draft, read from the room's stored log: the notes after the room's
    // questions, and offered in the conclusions under a French heading.
    let draft = get(&app, Some(&modo), &format!("/sessions/{id}/close"))
        .await
        .text()
        .await
        .unwrap();
    let questions = draft
        .find("id=\"room-questions\"")
        .expect("the room's questions");
    let notes = draft.find("id=\"room-notes\"").expect("the notes' section");
    assert!(questions < notes, "notes come after the questions");
    assert!(draft[notes..].contains("<h2>Notes de la modération</h2>"));
    assert!(draft[notes..].contains(NOTE));
    let conclusions = draft.split("name=\"conclusions_md\"").nth(1).unwrap();
    let conclusions = &conclusions[..conclusions.find("</textarea>").unwrap()];
    assert!(
        conclusions.contains(&format!("## Notes de la modération\n\n- {NOTE}")),
        "{conclusions}"
    );
    assert!(super::languages::english_in(&draft).is_empty());
    // A participant cannot read the draft at all.
    let r = get(&app, Some(&ana), &format!("/api/v1/sessions/{id}/report")).await;
    assert_ne!(r.status(), StatusCode::OK);

    // Closed without keeping the note: the published report, page and API, has none.
    let r = client()
        .post(format!("{}/api/v1/sessions/{id}/close", app.base))
        .bearer_auth(&modo)
        .json(&json!({"conclusions_md": "- Compter mieux"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let report = r.text().await.unwrap();
    assert!(!report.contains("Relancer"), "{report}");
    let public = get(&app, None, &format!("/sessions/{id}/report"))
        .await
        .text()
        .await
        .unwrap();
    assert!(public.contains("Compter mieux") && !public.contains("Relancer"));
}

#[tokio::test]
async fn a_note_naming_a_participant_loses_their_name_when_they_are_erased() {
    let app = spawn_app().await;
    let auth = setup(&app).await;
    let modo = member_token(&app, "modo", SiteRole::Member).await;
    // Her display name is INES, her handle @ines.
    let ines = member_token(&app, "ines", SiteRole::Member).await;
    let mut body = session_body(None);
    body["moderators"] = json!(["modo"]);
    let r = client()
        .post(format!(
            "{}/api/v1/spaces/forum/topics/roi/sessions",
            app.base
        ))
        .header("authorization", &auth)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["session"]["id"]
        .as_i64()
        .unwrap();
    let r = client()
        .post(format!("{}/api/v1/sessions/{id}/registration", app.base))
        .bearer_auth(&ines)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    move_to_past(&app, id, 20).await;
    let room = join_room(&app, &ines, id).await;
    assert_eq!(join_room(&app, &modo, id).await, room);
    let note = "Relancer Ines sur le coût par visiteur (cc @ines)";
    let r = act(&app, &modo, room, json!({"action": "note", "text": note})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let other = "Demander un devis à Inesse";
    let r = act(&app, &modo, room, json!({"action": "note", "text": other})).await;
    assert_eq!(r.status(), StatusCode::OK);

    // She leaves, keeping her messages.
    let r = client()
        .delete(format!("{}/api/v1/me?messages=anonymise", app.base))
        .bearer_auth(&ines)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());

    // Nothing the moderators read names her any more; the rest of the note stays, and a
    // note naming someone else is untouched.
    let neutral = "Relancer Ancien membre · Former member sur le coût par visiteur \
                   (cc Ancien membre · Former member)";
    let named = |text: &str| text.contains("Relancer Ines") || text.contains("@ines");
    let log = app
        .store
        .room_events(parvis_domain::RoomId(room), 0)
        .await
        .unwrap();
    let notes: Vec<&str> = log
        .iter()
        .filter(|e| e.action == "note")
        .map(|e| e.body.as_str())
        .collect();
    assert_eq!(notes.len(), 2);
    assert!(notes[0].contains(neutral) && !named(notes[0]), "{notes:?}");
    assert!(notes[1].contains(other), "{notes:?}");
    let state: Value = get(&app, Some(&modo), &format!("/api/v1/rooms/{room}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(state["notes"][0]["text"], neutral);
    assert_eq!(state["notes"][0]["author"], "MODO");
    assert_eq!(state["notes"][1]["text"], other);
    // The moderator's own export holds the note as it now reads.
    let export = get(&app, Some(&modo), "/api/v1/me/export")
        .await
        .text()
        .await
        .unwrap();
    assert!(export.contains("Relancer Ancien membre"), "{export}");
    assert!(!named(&export), "{export}");
    // The closing draft, page and API.
    let draft = get(&app, Some(&modo), &format!("/sessions/{id}/close"))
        .await
        .text()
        .await
        .unwrap();
    assert!(draft.contains(neutral), "{draft}");
    assert!(!named(&draft), "{draft}");
    let report = get(&app, Some(&modo), &format!("/api/v1/sessions/{id}/report"))
        .await
        .text()
        .await
        .unwrap();
    assert!(report.contains("Relancer Ancien membre"), "{report}");
    assert!(!named(&report), "{report}");
}
