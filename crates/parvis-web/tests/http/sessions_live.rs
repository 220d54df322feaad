//! A session's live room as people use it: a registrant joins from the session page once the
//! session is under way; the session's own moderator runs the console (agenda, registrants to
//! give the floor to, fairness) while a participant may not; the closing report's draft
//! brings the room's questions, polls and speaking-time fairness with its chart; a webcast's
//! room waits for its access code; the printed QR code checks people in the room; a poll
//! asked again in the next session shows how it moved in the topic's synthesis.

use super::live::{member_token, next_json, socket};
use super::sessions::{
    create_session, form_csrf, local_in_days, session_body, setup, visitor_registers,
};
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

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_string()
}

/// Follow "join the live room" from the session page; the room's id.
async fn join_room(app: &App, token: &str, session: i64) -> i64 {
    let r = get(app, Some(token), &format!("/sessions/{session}/live")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = location(&r);
    to.strip_prefix("/live/")
        .unwrap_or_else(|| panic!("to the room, not {to}"))
        .parse()
        .unwrap()
}

#[tokio::test]
async fn a_session_runs_its_live_room_and_its_report_shows_the_fairness() {
    let app = spawn_app().await;
    let auth = setup(&app).await;
    // The session's moderator is a plain member; Ana and Bob register.
    let modo = member_token(&app, "modo", SiteRole::Member).await;
    let ana = member_token(&app, "ana", SiteRole::Member).await;
    let bob = member_token(&app, "bob", SiteRole::Member).await;
    let mut body = session_body(None);
    body["moderators"] = json!(["modo"]);
    let id = create_session(&app, &auth, body).await;
    for t in [&ana, &bob] {
        let r = client()
            .post(format!("{}/api/v1/sessions/{id}/registration", app.base))
            .bearer_auth(t)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }

    // Ten days ahead, the room is not open to participants yet, and the page says when.
    let page = get(&app, Some(&ana), &format!("/sessions/{id}")).await;
    assert!(!page.text().await.unwrap().contains("id=\"join-live\""));
    let r = get(&app, Some(&ana), &format!("/sessions/{id}/live")).await;
    assert_eq!(location(&r), format!("/sessions/{id}?ok=live_not_open"));
    let notice = get(&app, Some(&ana), &location(&r))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        notice.contains("Le direct s&#x27;ouvre une demi-heure avant"),
        "{notice}"
    );

    move_to_past(&app, id, 20).await;
    let page = get(&app, Some(&ana), &format!("/sessions/{id}")).await;
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Rejoindre le direct"),
        "the session page offers the room"
    );
    let room = join_room(&app, &ana, id).await;
    // Everyone lands in the same room, made once.
    assert_eq!(join_room(&app, &bob, id).await, room);
    assert_eq!(join_room(&app, &modo, id).await, room);

    // The room knows its session: the invited speaker counts in the fair share before
    // speaking, the first agenda item runs from the start. Its moderator sees fairness.
    let snap: Value = get(&app, Some(&modo), &format!("/api/v1/rooms/{room}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(snap["agenda"]["item"], "Ouverture");
    let speakers = snap["fairness"]["speakers"].as_array().unwrap();
    assert_eq!(speakers.len(), 1);
    assert_eq!(speakers[0]["name"], "Inès Martin");
    assert_eq!(
        snap["me"]["moderator"], true,
        "the session's moderator moderates"
    );
    // A registrant is a participant: no fairness panel, no giving the floor, no console.
    let snap: Value = get(&app, Some(&ana), &format!("/api/v1/rooms/{room}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(snap["fairness"].is_null());
    let r = act(
        &app,
        &ana,
        room,
        json!({"action": "give_floor", "kind": "moderator"}),
    )
    .await;
    let (status, p) = problem(r).await;
    assert_eq!(
        (status, p["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_moderator"))
    );
    let r = get(&app, Some(&ana), &format!("/live/{room}/console")).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The moderator's socket gets the moderators' view too.
    let mut ws = socket(
        &app,
        room,
        Some(("authorization", format!("Bearer {modo}"))),
    )
    .await;
    let first = next_json(&mut ws, Duration::from_secs(2)).await;
    assert!(first["fairness"].is_object(), "{first}");

    // The console offers the session's agenda and its registrants to give the floor to.
    let console = get(&app, Some(&modo), &format!("/live/{room}/console"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        console.contains("data-agenda=\"Débat\" data-minutes=\"80\""),
        "agenda"
    );
    assert!(
        console.contains("<option value=\"ANA (Acme)\">"),
        "registrants"
    );
    assert!(console.contains("<option value=\"BOB (Acme)\">"));

    // The debate: a question and its votes, a poll, turns at the floor.
    let q = act(
        &app,
        &ana,
        room,
        json!({"action": "ask", "text": "Comment compter les visiteurs ?"}),
    )
    .await;
    assert_eq!(q.status(), StatusCode::OK);
    act(&app, &bob, room, json!({"action": "upvote", "question": 1})).await;
    act(
        &app,
        &ana,
        room,
        json!({"action": "ask", "text": "Et les badges ?"}),
    )
    .await;
    let poll = json!({"action": "open_poll", "title": "Le salon vaut-il son prix ?",
        "kind": {"type": "single", "options": ["Oui", "Non"]}});
    assert_eq!(act(&app, &modo, room, poll).await.status(), StatusCode::OK);
    for (t, o) in [(&ana, 0), (&bob, 1)] {
        let r = act(
            &app,
            t,
            room,
            json!({"action": "answer", "poll": 1, "answer": {"type": "choice", "option": o}}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    act(
        &app,
        &modo,
        room,
        json!({"action": "close_poll", "poll": 1}),
    )
    .await;
    let give = |kind: &str, to: Option<&str>, name: Option<&str>| json!({"action": "give_floor", "kind": kind, "to": to, "name": name});
    assert_eq!(
        act(&app, &modo, room, give("guest", None, Some("ANA (Acme)")))
            .await
            .status(),
        StatusCode::OK
    );
    // Ana keeps the floor long enough that the requests' own latency on a loaded machine
    // (each turn ends when the next request is handled) cannot bring her under budget.
    tokio::time::sleep(Duration::from_millis(3000)).await;
    act(
        &app,
        &modo,
        room,
        give("invited", Some("inv:inès martin"), None),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    act(&app, &modo, room, give("moderator", None, None)).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    act(&app, &modo, room, json!({"action": "end_turn"})).await;

    // The closing draft: the room's most voted question first, its poll, the fairness
    // table and chart, in French only.
    let draft = get(&app, Some(&modo), &format!("/sessions/{id}/close"))
        .await
        .text()
        .await
        .unwrap();
    let questions = draft.split("name=\"key_questions\"").nth(1).unwrap();
    let first_q = questions.find("Comment compter les visiteurs ?").unwrap();
    assert!(
        first_q < questions.find("Et les badges ?").unwrap(),
        "most votes first"
    );
    assert!(
        draft.contains("Le salon vaut-il son prix ?") && draft.contains("Oui\u{a0}: 1 (50\u{a0}%)")
    );
    let fairness = &draft[draft.find("id=\"room-fairness\"").unwrap()..];
    let ana_row = fairness.find("<td>ANA (Acme)</td>").unwrap();
    let ines_row = fairness.find("<td>Inès Martin</td>").unwrap();
    assert!(ana_row < ines_row, "most speaking time first");
    assert!(fairness.contains("indice de Gini") && fairness.contains("part de l&#x27;animation"));
    assert!(fairness.contains("<svg") && fairness.contains("stroke-dasharray"));
    // Ana spoke about 3 s of 3.3 s: she is over 1.5× the fair share (about 1.65 s).
    assert!(fairness.contains("class=\"over-budget\"><td>ANA (Acme)</td>"));
    assert!(
        super::languages::english_in(&draft).is_empty(),
        "{:?}",
        super::languages::english_in(&draft)
    );

    // Closed, the public report shows the same figures; the API carries them.
    let r = client()
        .post(format!("{}/api/v1/sessions/{id}/close", app.base))
        .bearer_auth(&modo)
        .json(&json!({"conclusions_md": "- Compter mieux", "key_questions": ["Comment compter les visiteurs ?"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let report: Value = r.json().await.unwrap();
    let live = &report["live"];
    assert_eq!(live["top_questions"][0]["votes"], 1);
    assert_eq!(live["polls"][0]["respondents"], 2);
    assert_eq!(live["fairness"]["speakers"].as_array().unwrap().len(), 2);
    assert!(live["fairness"]["moderator_ms"].as_i64().unwrap() >= 150);
    let public = get(&app, None, &format!("/sessions/{id}/report"))
        .await
        .text()
        .await
        .unwrap();
    assert!(public.contains("id=\"fairness-chart\"") && public.contains("Temps de parole"));
}

#[tokio::test]
async fn a_webcasts_live_room_opens_with_its_access_code() {
    let app = spawn_app().await;
    let auth = setup(&app).await;
    let mut body = session_body(None);
    body["mode"] = json!("webcast");
    body["access_code"] = json!("SESAME-42");
    let id = create_session(&app, &auth, body).await;
    move_to_past(&app, id, 5).await;
    // The organisers' own way in makes the room.
    let admin = auth.trim_start_matches("Bearer ").to_string();
    let room = join_room(&app, &admin, id).await;

    let c = client();
    let r = c
        .get(format!("{}/sessions/{id}/live", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), format!("/sessions/{id}?ok=code_needed"));
    let r = c
        .get(format!("{}/live/{room}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), format!("/sessions/{id}?ok=code_needed"));
    let page = c
        .get(format!("{}/sessions/{id}?ok=code_needed", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("s&#x27;ouvre avec son code d&#x27;accès")
            && page.contains("id=\"access-code\"")
    );
    // The API and the socket refuse too, saying where the code goes.
    let r = c
        .get(format!("{}/api/v1/rooms/{room}", app.base))
        .send()
        .await
        .unwrap();
    let (status, p) = problem(r).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("/sessions/{id}"))
    );
    let url = format!("{}/live/{room}/ws", app.base.replace("http://", "ws://"));
    assert!(
        tokio_tungstenite::connect_async(url).await.is_err(),
        "no socket without the code"
    );

    // A wrong code is refused by name; the right one opens the room.
    let csrf = form_csrf(&page);
    let r = c
        .post(format!("{}/sessions/{id}/code", app.base))
        .form(&[("csrf", csrf.as_str()), ("code", "FAUX")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = c
        .post(format!("{}/sessions/{id}/code", app.base))
        .form(&[("csrf", csrf.as_str()), ("code", "SESAME-42")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = c
        .get(format!("{}/sessions/{id}/live", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), format!("/live/{room}"));
    let r = c
        .get(format!("{}/live/{room}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = c
        .get(format!("{}/api/v1/rooms/{room}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_printed_qr_code_checks_people_in_the_room() {
    let app = spawn_app().await;
    let auth = setup(&app).await;
    let admin = auth.trim_start_matches("Bearer ").to_string();
    let ana = member_token(&app, "ana", SiteRole::Member).await;
    let id = create_session(&app, &auth, session_body(None)).await;

    // A visitor registers and confirms by the emailed link.
    let before = app.mails.lock().unwrap().len();
    visitor_registers(&app, id, "Zoé Durand", "zoe@visiteur.example").await;
    let mail = loop {
        if let Some(m) = app.mails.lock().unwrap().get(before) {
            break m.replace("=\n", "").replace("=3D", "=");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let link = |marker: &str| {
        let i = mail.find(marker).unwrap();
        let start = mail[..i].rfind("http://").unwrap();
        mail[start..].split_whitespace().next().unwrap().to_string()
    };
    let (confirm, manage) = (link("/sessions/confirm/"), link("/sessions/manage/"));
    let zoe = client();
    let page = zoe
        .get(&confirm)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    zoe.post(&confirm)
        .form(&[("csrf", form_csrf(&page))])
        .send()
        .await
        .unwrap();

    // The printable page: moderators only, a QR code and the address it holds.
    let r = get(&app, Some(&ana), &format!("/sessions/{id}/qr")).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let sheet = get(&app, Some(&admin), &format!("/sessions/{id}/qr"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        sheet.contains("id=\"checkin-qr\"><svg"),
        "a QR code is drawn"
    );
    assert!(sheet.contains("Scannez pour signaler votre présence"));
    let url = sheet
        .split("id=\"checkin-url\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .replace("&#x2f;", "/");
    let path = url.strip_prefix(&app.base).unwrap_or(&url).to_string();
    assert!(
        path.starts_with(&format!("/sessions/{id}/checkin/")),
        "{path}"
    );
    // The same sheet again: the same address.
    let again = get(&app, Some(&admin), &format!("/sessions/{id}/qr"))
        .await
        .text()
        .await
        .unwrap();
    assert!(again.replace("&#x2f;", "/").contains(&url));

    // Ten days early, scanning is refused with the reason.
    let r = get(&app, Some(&ana), &path).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("une heure avant"));

    move_to_past(&app, id, 10).await;
    // A guessed address is not found.
    let r = get(&app, Some(&ana), &format!("/sessions/{id}/checkin/devine")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Someone unknown is asked to sign in, and nothing is counted.
    let r = get(&app, None, &path).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"checkin-signin\"") && html.contains("connectez-vous"));
    // A member scans: present in the room.
    let r = get(&app, Some(&ana), &path).await;
    assert_eq!(location(&r), format!("/sessions/{id}?ok=checked_in"));
    // The visitor opens the link of her e-mail on her phone, then scans.
    let r = zoe.get(format!("{}{path}", app.base)).send().await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "not recognised before opening her link"
    );
    zoe.get(&manage).send().await.unwrap();
    let r = zoe.get(format!("{}{path}", app.base)).send().await.unwrap();
    assert_eq!(location(&r), format!("/sessions/{id}?ok=checked_in"));
    // Scanning twice is still one person.
    get(&app, Some(&ana), &path).await;
    let page = get(&app, Some(&admin), &format!("/sessions/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("id=\"count-room\">2<"),
        "two people in the room"
    );
    assert!(page.contains("id=\"count-peak\">2<") || page.contains("id=\"count-peak\">3<"));
    let report: Value = get(&app, Some(&admin), &format!("/api/v1/sessions/{id}/report"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["attendance"]["room"], 2);
}

#[tokio::test]
async fn a_poll_asked_again_shows_how_it_moved_in_the_synthesis() {
    let app = spawn_app().await;
    let auth = setup(&app).await;
    let admin = auth.trim_start_matches("Bearer ").to_string();
    let voters = [
        member_token(&app, "v1", SiteRole::Member).await,
        member_token(&app, "v2", SiteRole::Member).await,
        member_token(&app, "v3", SiteRole::Member).await,
    ];
    let first = create_session(&app, &auth, session_body(None)).await;
    let r = client()
        .post(format!("{}/api/v1/sessions/{first}/repeat", app.base))
        .bearer_auth(&admin)
        .json(&json!({"starts_at": local_in_days(20)}))
        .send()
        .await
        .unwrap();
    let second = r.json::<Value>().await.unwrap()["session"]["id"]
        .as_i64()
        .unwrap();
    move_to_past(&app, first, 24 * 60).await;
    move_to_past(&app, second, 30).await;

    let poll = json!({"action": "open_poll", "title": "Le salon vaut-il son prix ?",
        "kind": {"type": "single", "options": ["D'accord", "Pas d'accord"]}});
    let room1 = join_room(&app, &admin, first).await;
    act(&app, &admin, room1, poll.clone()).await;
    for (t, o) in voters.iter().zip([0, 0, 1]) {
        act(
            &app,
            t,
            room1,
            json!({"action": "answer", "poll": 1, "answer": {"type": "choice", "option": o}}),
        )
        .await;
    }
    // The next session's console offers the poll again.
    let room2 = join_room(&app, &admin, second).await;
    let console = get(&app, Some(&admin), &format!("/live/{room2}/console"))
        .await
        .text()
        .await
        .unwrap();
    let prepared = console
        .split("id=\"live-prepared-polls\"")
        .nth(1)
        .expect("polls to ask again");
    assert!(prepared.contains("Le salon vaut-il son prix ?") && prepared.contains("data-poll="));
    act(&app, &admin, room2, poll).await;
    for (t, o) in voters.iter().zip([0, 1, 1]) {
        act(
            &app,
            t,
            room2,
            json!({"action": "answer", "poll": 1, "answer": {"type": "choice", "option": o}}),
        )
        .await;
    }
    for s in [first, second] {
        let r = client()
            .post(format!("{}/api/v1/sessions/{s}/close", app.base))
            .bearer_auth(&admin)
            .json(&json!({"conclusions_md": "- Le salon se mesure"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    let page = get(&app, None, "/s/forum/t/roi/synthesis")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Le salon vaut-il son prix ? — D&#x27;accord : 67 % → 33 %"),
        "{}",
        &page[page.find("poll-move").unwrap_or(0)..]
    );
    let md = get(&app, None, "/s/forum/t/roi/synthesis.md")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        md.contains("Le salon vaut-il son prix ? (D'accord) : 67 % → 33 %"),
        "{md}"
    );
    let json: Value = get(&app, None, "/s/forum/t/roi/synthesis.json")
        .await
        .json()
        .await
        .unwrap();
    let moved = &json["items"][0]["polls"][0];
    assert_eq!(
        (moved["before_pct"].as_i64(), moved["after_pct"].as_i64()),
        (Some(67), Some(33))
    );
    // The first layer has nothing to compare with.
    assert!(json["items"][1]["polls"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_session_left_unclosed_reminds_its_moderators_until_closed() {
    let app = spawn_app().await;
    let auth = setup(&app).await;
    let id = create_session(&app, &auth, session_body(None)).await;
    let other = create_session(&app, &auth, session_body(None)).await;
    // Nothing to remind before the end.
    let now = now_millis();
    assert_eq!(app.services.plan_close_reminders(now).await.unwrap(), 0);
    // Both ended 3½ hours ago (90 minutes long); planning twice is one plan.
    move_to_past(&app, id, 300).await;
    move_to_past(&app, other, 300).await;
    assert_eq!(app.services.plan_close_reminders(now).await.unwrap(), 4);
    assert_eq!(app.services.plan_close_reminders(now).await.unwrap(), 0);
    // The other one is closed before its reminder comes: it sends nothing.
    let r = client()
        .post(format!("{}/api/v1/sessions/{other}/close", app.base))
        .header("authorization", &auth)
        .json(&json!({"conclusions_md": "- Fait"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let before = app.mails.lock().unwrap().len();
    assert_eq!(app.services.run_due_jobs(now_millis()).await.unwrap(), 2);
    let mails: Vec<String> = app.mails.lock().unwrap()[before..].to_vec();
    assert_eq!(
        mails.len(),
        1,
        "one reminder, to the creator (no moderator named)"
    );
    let m = mails[0].replace("=\n", "").replace("=3D", "=");
    assert!(
        m.contains("camille@novea.example"),
        "to the admin who scheduled it"
    );
    assert!(m.contains(&format!("/sessions/{id}/close")));
    // The moderators see it among the session's mails.
    let listed: Value = client()
        .get(format!("{}/api/v1/sessions/{id}/mails", app.base))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(listed.to_string().contains("close-reminder:1"), "{listed}");
    // Three days later, still open: a second reminder; once closed, no more.
    let later = now_millis() + 3 * 86_400_000;
    assert_eq!(app.services.run_due_jobs(later).await.unwrap(), 2);
    assert_eq!(app.mails.lock().unwrap().len(), before + 2);
    assert_eq!(app.services.run_due_jobs(later).await.unwrap(), 0);
}

#[tokio::test]
async fn a_members_room_events_are_in_their_export_and_anonymised_when_they_leave() {
    let app = spawn_app().await;
    let auth = setup(&app).await;
    let admin = auth.trim_start_matches("Bearer ").to_string();
    let ana = member_token(&app, "ana", SiteRole::Member).await;
    let bob = member_token(&app, "bob", SiteRole::Member).await;
    let id = create_session(&app, &auth, session_body(None)).await;
    move_to_past(&app, id, 10).await;
    let room = join_room(&app, &ana, id).await;
    let ana_id = app
        .store
        .member_by_handle("ana")
        .await
        .unwrap()
        .unwrap()
        .id
        .0;
    act(
        &app,
        &ana,
        room,
        json!({"action": "ask", "text": "Qui paie le stand ?"}),
    )
    .await;
    act(&app, &bob, room, json!({"action": "upvote", "question": 1})).await;
    act(&app, &ana, room, json!({"action": "raise_hand"})).await;
    let give = json!({"action": "give_floor", "kind": "queue", "to": format!("m:{ana_id}")});
    assert_eq!(act(&app, &admin, room, give).await.status(), StatusCode::OK);
    act(&app, &admin, room, json!({"action": "end_turn"})).await;

    // Her export holds what she did and the floor given to her; not Bob's vote.
    let export: Value = get(&app, Some(&ana), "/api/v1/me/export")
        .await
        .json()
        .await
        .unwrap();
    let events = export["records"]["room_events"]
        .as_array()
        .or(export["room_events"].as_array())
        .unwrap();
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["ask", "raise_hand", "give_floor"], "{events:?}");
    assert!(
        events[0]["event"]
            .as_str()
            .unwrap()
            .contains("Qui paie le stand ?")
    );

    // She deletes her account, her messages with it.
    let r = client()
        .delete(format!("{}/api/v1/me?messages=delete", app.base))
        .bearer_auth(&ana)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    // The room replays without her name, her key, or her question's text; the counts stay.
    let snap: Value = get(&app, Some(&admin), &format!("/api/v1/rooms/{room}"))
        .await
        .json()
        .await
        .unwrap();
    let text = snap.to_string();
    assert!(
        !text.contains("ANA") && !text.contains(&format!("m:{ana_id}")),
        "{text}"
    );
    assert!(!text.contains("Qui paie le stand"));
    assert_eq!(snap["questions"][0]["votes"], 1, "Bob's vote still counts");
    assert!(text.contains("Ancien membre · Former member"));
    let logged = app
        .store
        .room_events_naming(&format!("m:{ana_id}"))
        .await
        .unwrap();
    assert!(logged.is_empty(), "nothing in the log names her any more");
    let all = app
        .store
        .room_events(parvis_domain::RoomId(room), 0)
        .await
        .unwrap();
    assert!(all.iter().all(|e| !e.body.contains("ANA")));
}
