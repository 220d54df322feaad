//! The live debate room over real HTTP and WebSockets: what one participant does reaches the
//! others within a second; refusals are clear on the socket and in the API; an oversized or
//! malformed message closes only that socket; the room comes back from the store.

use super::*;
use futures_util::{SinkExt, StreamExt};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

pub(super) type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A member with an API token (moderator or not).
pub(super) async fn member_token(app: &App, handle: &str, role: SiteRole) -> String {
    let id = app
        .store
        .create_member(&NewMember {
            handle: handle.into(),
            display_name: handle.to_uppercase(),
            email: Some(format!("{handle}@live.example")),
            password_hash: None,
            site_role: role,
            ecosystem_role: EcosystemRole::Customer,
            organisation: "Acme".into(),
            bio: String::new(),
            lang: "fr".into(),
            created_at: now_millis(),
        })
        .await
        .unwrap();
    let member = app.store.member_by_id(id).await.unwrap().unwrap();
    let actor = parvis_services::Actor { member };
    app.services
        .create_api_token(&actor, "live")
        .await
        .unwrap()
        .1
}

/// A space, a topic and a room opened through the API by a moderator; returns the room id.
pub(super) async fn open_room(app: &App, moderator: &str, settings: Value) -> i64 {
    let admin = admin_token(app).await;
    let c = client();
    let r = c
        .post(format!("{}/api/v1/spaces", app.base))
        .bearer_auth(&admin)
        .json(&json!({"slug": "debats", "name": "Débats"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success() || r.status() == StatusCode::CONFLICT);
    let mut body = json!({"title": "Le débat du mardi"});
    body.as_object_mut()
        .unwrap()
        .extend(settings.as_object().unwrap().clone());
    let r = c
        .post(format!("{}/api/v1/spaces/debats/rooms", app.base))
        .bearer_auth(moderator)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    v["id"].as_i64().unwrap()
}

pub(super) async fn act(app: &App, token: &str, room: i64, cmd: Value) -> reqwest::Response {
    client()
        .post(format!("{}/api/v1/rooms/{room}/actions", app.base))
        .bearer_auth(token)
        .json(&cmd)
        .send()
        .await
        .unwrap()
}

/// Open the room's socket with these extra headers (a bearer token or a visitor cookie).
pub(super) async fn socket(app: &App, room: i64, header: Option<(&str, String)>) -> Socket {
    let url = format!("{}/live/{room}/ws", app.base.replace("http://", "ws://"));
    let mut req = url.into_client_request().unwrap();
    if let Some((k, v)) = header {
        req.headers_mut().insert(
            reqwest::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    tokio_tungstenite::connect_async(req).await.unwrap().0
}

/// The next JSON message, within `within`.
pub(super) async fn next_json(ws: &mut Socket, within: Duration) -> Value {
    loop {
        let m = tokio::time::timeout(within, ws.next())
            .await
            .expect("a message in time")
            .unwrap()
            .unwrap();
        if let Message::Text(t) = m {
            return serde_json::from_str(&t).unwrap();
        }
    }
}

/// Read until a message satisfies `pred`; panics after `within`.
async fn wait_for(ws: &mut Socket, within: Duration, pred: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        let left = within.saturating_sub(start.elapsed());
        let m = next_json(ws, left.max(Duration::from_millis(1))).await;
        if pred(&m) {
            return m;
        }
    }
}

fn visitor(name: &str) -> Option<(&'static str, String)> {
    Some((
        "cookie",
        format!("parvis_visitor={}.{}", "ab".repeat(32), name),
    ))
}

/// Another `parvis serve` on the same store; returns its base URL.
async fn second_instance(url: &str) -> String {
    let store = Store::open(url).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let services = Services::new(
        store,
        Mailer::from_url(None, "p@x.example").unwrap(),
        ServiceConfig::default(),
    );
    let app = parvis_web::build(services, parvis_web::WebConfig::default());
    tokio::spawn(parvis_web::serve(listener, app, std::future::pending()));
    base
}

#[tokio::test]
async fn api_actions_are_stored_refused_clearly_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/live.db", dir.path().display());
    let app = spawn_app_on(Some(url.clone())).await;
    let moderator = member_token(&app, "mod", SiteRole::Moderator).await;
    let ana = member_token(&app, "ana", SiteRole::Member).await;
    let bob = member_token(&app, "bob", SiteRole::Member).await;
    let room = open_room(&app, &moderator, json!({"budget_factor": 1.5})).await;

    // A participant cannot open a room.
    let r = client()
        .post(format!("{}/api/v1/spaces/debats/rooms", app.base))
        .bearer_auth(&ana)
        .json(&json!({"title": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let r = act(
        &app,
        &ana,
        room,
        json!({"action": "ask", "text": "Quel budget pour 2027 ?"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let ack: Value = r.json().await.unwrap();
    assert_eq!(
        (ack["seq"].as_i64(), ack["question"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        act(&app, &bob, room, json!({"action": "upvote", "question": 1}))
            .await
            .status(),
        StatusCode::OK
    );

    // Voting twice, a participant giving the floor, a closed poll, a hidden question: refused.
    let (status, p) =
        problem(act(&app, &bob, room, json!({"action": "upvote", "question": 1})).await).await;
    assert_eq!(
        (status, p["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_voted"))
    );
    assert!(p["detail"].as_str().unwrap().contains("already voted"));
    let (status, p) = problem(
        act(
            &app,
            &ana,
            room,
            json!({"action": "give_floor", "kind": "moderator"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, p["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_moderator"))
    );
    assert_eq!(p["detail"], "only a moderator can give the floor");
    let poll = json!({"action": "open_poll", "title": "D'accord ?", "kind": {"type": "scale", "min": 1, "max": 5}});
    assert_eq!(
        act(&app, &moderator, room, poll).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        act(
            &app,
            &ana,
            room,
            json!({"action": "answer", "poll": 1, "answer": {"type": "scale", "value": 4}})
        )
        .await
        .status(),
        StatusCode::OK
    );
    act(
        &app,
        &moderator,
        room,
        json!({"action": "close_poll", "poll": 1}),
    )
    .await;
    let (status, p) = problem(
        act(
            &app,
            &bob,
            room,
            json!({"action": "answer", "poll": 1, "answer": {"type": "scale", "value": 2}}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, p["code"].as_str()),
        (StatusCode::CONFLICT, Some("poll_closed"))
    );
    act(
        &app,
        &moderator,
        room,
        json!({"action": "hide", "question": 1}),
    )
    .await;
    let (_, p) =
        problem(act(&app, &ana, room, json!({"action": "upvote", "question": 1})).await).await;
    assert_eq!(p["code"], "question_hidden");
    // Bad input names its field; an unknown action is a 400 naming the problem.
    let (status, p) =
        problem(act(&app, &ana, room, json!({"action": "ask", "text": "  "})).await).await;
    assert_eq!(
        (status, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("text"))
    );
    let (status, _) = problem(act(&app, &ana, room, json!({"action": "shout"})).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = problem(act(&app, &ana, 999, json!({"action": "raise_hand"})).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A second instance on the same store rebuilds the room from the log.
    let again = second_instance(&url).await;
    let state: Value = client()
        .get(format!("{again}/api/v1/rooms/{room}"))
        .bearer_auth(&moderator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["seq"], 6);
    assert_eq!(state["questions"][0]["votes"], 1);
    assert_eq!(state["questions"][0]["hidden"], true);
    assert_eq!(state["polls"][0]["results"]["average"], 4.0);
    // Participants do not see the hidden question.
    let public: Value = client()
        .get(format!("{again}/api/v1/rooms/{room}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(public["questions"], json!([]));
    assert!(
        public["fairness"].is_null(),
        "the fairness panel is for moderators"
    );
}

#[tokio::test]
async fn sockets_share_questions_votes_and_the_floor_within_a_second() {
    let app = spawn_app().await;
    let moderator = member_token(&app, "mod", SiteRole::Moderator).await;
    let room = open_room(&app, &moderator, json!({})).await;
    let mut m = socket(
        &app,
        room,
        Some(("authorization", format!("Bearer {moderator}"))),
    )
    .await;
    let mut ana = socket(&app, room, visitor("Ana")).await;
    let mut bob = socket(&app, room, visitor("Bob%20B")).await;
    for ws in [&mut m, &mut ana, &mut bob] {
        let snap = next_json(ws, Duration::from_secs(2)).await;
        assert_eq!(snap["type"], "snapshot");
        assert_eq!(snap["seq"], 0);
    }

    let t0 = Instant::now();
    ana.send(Message::text(
        r#"{"id":1,"action":"ask","text":"Et la sobriété ?"}"#,
    ))
    .await
    .unwrap();
    let ack = wait_for(&mut ana, Duration::from_secs(1), |v| v["type"] == "ack").await;
    assert_eq!(
        (ack["id"].as_i64(), ack["question"].as_i64()),
        (Some(1), Some(1))
    );
    let seen = wait_for(&mut m, Duration::from_secs(1), |v| {
        v["type"] == "delta" && v["questions"].is_array()
    })
    .await;
    assert!(t0.elapsed() < Duration::from_secs(1));
    assert_eq!(seen["questions"][0]["text"], "Et la sobriété ?");
    assert_eq!(seen["questions"][0]["authors"], json!(["Ana"]));

    // Bob votes; everyone sees the count. Voting twice is refused on the socket.
    bob.send(Message::text(r#"{"id":7,"action":"upvote","question":1}"#))
        .await
        .unwrap();
    wait_for(&mut bob, Duration::from_secs(1), |v| v["type"] == "ack").await;
    bob.send(Message::text(r#"{"id":8,"action":"upvote","question":1}"#))
        .await
        .unwrap();
    let err = wait_for(&mut bob, Duration::from_secs(1), |v| v["type"] == "error").await;
    assert_eq!(
        (err["id"].as_i64(), err["code"].as_str()),
        (Some(8), Some("already_voted"))
    );
    wait_for(&mut ana, Duration::from_secs(1), |v| {
        v["questions"][0]["votes"] == 1
    })
    .await;

    // A participant cannot give the floor; the moderator can, and both see who speaks.
    ana.send(Message::text(
        r#"{"id":2,"action":"give_floor","kind":"moderator"}"#,
    ))
    .await
    .unwrap();
    let err = wait_for(&mut ana, Duration::from_secs(1), |v| v["type"] == "error").await;
    assert_eq!(err["code"], "not_moderator");
    ana.send(Message::text(r#"{"id":3,"action":"raise_hand"}"#))
        .await
        .unwrap();
    let hands = wait_for(&mut m, Duration::from_secs(1), |v| v["hands"].is_array()).await;
    let ana_key = hands["hands"][0]["key"].as_str().unwrap().to_string();
    assert!(ana_key.starts_with("v:"));
    m.send(Message::text(
        json!({"id": 1, "action": "give_floor", "kind": "queue", "to": ana_key}).to_string(),
    ))
    .await
    .unwrap();
    let floor = wait_for(&mut bob, Duration::from_secs(1), |v| {
        v["floor"]["name"] == "Ana"
    })
    .await;
    assert!(floor["floor"]["started_at"].as_i64().unwrap() > 0);
    let fair = wait_for(&mut m, Duration::from_secs(1), |v| {
        v["fairness"].is_object()
    })
    .await;
    assert_eq!(fair["fairness"]["speakers"][0]["name"], "Ana");

    // An oversized message closes that socket with a reason; the others go on.
    bob.send(Message::text(format!(
        r#"{{"action":"ask","text":"{}"}}"#,
        "x".repeat(20_000)
    )))
    .await
    .ok();
    let close = wait_close(&mut bob).await;
    assert_eq!(close.0, 1009, "{close:?}");
    assert!(close.1.contains("16 KB"));
    // A malformed one too.
    let mut carl = socket(&app, room, visitor("Carl")).await;
    next_json(&mut carl, Duration::from_secs(2)).await;
    carl.send(Message::text("{not json")).await.unwrap();
    let close = wait_close(&mut carl).await;
    assert_eq!(close.0, 1007);
    assert!(close.1.starts_with("malformed message"), "{close:?}");
    ana.send(Message::text(r#"{"id":9,"action":"lower_hand"}"#))
        .await
        .unwrap();
    let err = wait_for(&mut ana, Duration::from_secs(1), |v| v["id"] == 9).await;
    assert_eq!(
        err["code"], "hand_not_raised",
        "she got the floor, so her hand went down"
    );

    // Reconnecting gives the whole state back at once.
    drop(ana);
    let mut ana = socket(&app, room, visitor("Ana")).await;
    let snap = next_json(&mut ana, Duration::from_secs(1)).await;
    assert_eq!(snap["questions"][0]["votes"], 1);
    assert_eq!(snap["floor"]["name"], "Ana");
    assert_eq!(snap["me"]["key"], ana_key.as_str());
}

/// Read until the close frame: (code, reason).
async fn wait_close(ws: &mut Socket) -> (u16, String) {
    loop {
        match tokio::time::timeout(Duration::from_secs(2), ws.next())
            .await
            .expect("closed in time")
        {
            Some(Ok(Message::Close(Some(f)))) => return (u16::from(f.code), f.reason.to_string()),
            Some(Ok(Message::Close(None))) | None => return (0, String::new()),
            Some(Err(e)) => return (0, e.to_string()),
            Some(Ok(_)) => continue,
        }
    }
}

/// A script flooding the room from one socket gets `rate_limited` answers, not writes; the
/// socket stays open, and a second later its commands pass again.
#[tokio::test]
async fn a_flooding_socket_is_slowed_down_not_closed() {
    let app = spawn_app().await;
    let moderator = member_token(&app, "mod", SiteRole::Moderator).await;
    let room = open_room(&app, &moderator, json!({})).await;
    let mut flood = socket(&app, room, visitor("Flot")).await;
    next_json(&mut flood, Duration::from_secs(2)).await; // snapshot
    for i in 0..60u64 {
        let ask = json!({"id": i, "action": "ask", "text": format!("Question {i} ?")});
        flood.send(Message::text(ask.to_string())).await.unwrap();
    }
    let (mut acked, mut limited) = (0, 0);
    while acked + limited < 60 {
        let m = next_json(&mut flood, Duration::from_secs(5)).await;
        match (m["type"].as_str(), m["code"].as_str()) {
            (Some("ack"), _) => acked += 1,
            (Some("error"), Some("rate_limited")) => {
                assert!(m["retry_after_ms"].as_u64().unwrap() > 0, "{m}");
                limited += 1;
            }
            (Some("error"), _) => panic!("unexpected error {m}"),
            _ => {} // deltas
        }
    }
    assert!(
        limited >= 20,
        "a burst of 60 is cut down: {acked} acked, {limited} limited"
    );
    assert!(acked >= 30, "the burst allowance passes: {acked}");
    // Only what was acknowledged was written.
    let state: Value = client()
        .get(format!("{}/api/v1/rooms/{room}", app.base))
        .bearer_auth(&moderator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        state["questions"].as_array().unwrap().len(),
        acked,
        "{}",
        state["questions"]
    );
    tokio::time::sleep(Duration::from_millis(1200)).await;
    flood
        .send(Message::text(
            r#"{"id":99,"action":"ask","text":"Encore une ?"}"#,
        ))
        .await
        .unwrap();
    let ack = wait_for(&mut flood, Duration::from_secs(5), |v| v["id"] == 99).await;
    assert_eq!(ack["type"], "ack", "{ack}");
}

#[tokio::test]
async fn a_client_that_stops_reading_never_slows_the_others() {
    let app = spawn_app().await;
    let moderator = member_token(&app, "mod", SiteRole::Moderator).await;
    let room = open_room(&app, &moderator, json!({})).await;
    // The slow one joins and never reads again.
    let _slow = socket(&app, room, visitor("Lent")).await;
    let mut fast = socket(&app, room, visitor("Vif")).await;
    next_json(&mut fast, Duration::from_secs(2)).await;
    let long = "une question assez longue pour remplir les tampons ".repeat(9);
    let start = Instant::now();
    for i in 0..400 {
        let r = act(
            &app,
            &moderator,
            room,
            json!({"action": "ask", "text": format!("{i} {long}")}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    wait_for(&mut fast, Duration::from_secs(5), |v| v["seq"] == 400).await;
    assert!(start.elapsed() < Duration::from_secs(30));
}

/// An instance sharing its rooms through Redis; `None` when Redis does not answer.
async fn redis_instance(url: &str) -> Option<(String, Services)> {
    let broker = parvis_services::live_redis::RedisBroker::connect("redis://127.0.0.1:6379")
        .await
        .ok()?;
    let store = Store::open(url).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let services = Services::new(
        store,
        Mailer::from_url(None, "p@x.example").unwrap(),
        ServiceConfig::default(),
    )
    .with_live_broker(broker.clone(), Default::default());
    broker.subscribe(services.live().clone());
    let app = parvis_web::build(services.clone(), parvis_web::WebConfig::default());
    tokio::spawn(parvis_web::serve(listener, app, std::future::pending()));
    Some((base, services))
}

#[tokio::test]
async fn two_instances_share_a_room_through_redis_and_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = match testing::postgres_test_url() {
        Some(base) => testing::fresh_postgres_url(&base).await.unwrap(),
        None => format!("sqlite://{}/shared.db", dir.path().display()),
    };
    let Some((a, services)) = redis_instance(&url).await else {
        eprintln!("notice: Redis not reachable at 127.0.0.1:6379; two-instance test skipped");
        return;
    };
    let (b, _) = redis_instance(&url).await.unwrap();
    let store = services.store().clone();
    let id = store
        .create_member(&NewMember {
            handle: "mod".into(),
            display_name: "Modé".into(),
            email: Some("mod@live.example".into()),
            password_hash: None,
            site_role: SiteRole::Admin,
            ecosystem_role: EcosystemRole::Employee,
            organisation: "Acme".into(),
            bio: String::new(),
            lang: "fr".into(),
            created_at: now_millis(),
        })
        .await
        .unwrap();
    let member = store.member_by_id(id).await.unwrap().unwrap();
    let token = services
        .create_api_token(&parvis_services::Actor { member }, "t")
        .await
        .unwrap()
        .1;
    let c = client();
    c.post(format!("{a}/api/v1/spaces"))
        .bearer_auth(&token)
        .json(&json!({"slug": "debat", "name": "Débat"}))
        .send()
        .await
        .unwrap();
    let r = c
        .post(format!("{a}/api/v1/spaces/debat/rooms"))
        .bearer_auth(&token)
        .json(&json!({"title": "Partagée"}))
        .send()
        .await
        .unwrap();
    let body = r.json::<Value>().await.unwrap();
    let room = body["id"].as_i64().unwrap_or_else(|| panic!("{body}"));
    let open = |base: &str, name: &str| {
        let url = format!("{}/live/{room}/ws", base.replace("http://", "ws://"));
        let cookie = format!("parvis_visitor={}.{name}", format!("{name:0>64}"));
        async move {
            let mut req = url.into_client_request().unwrap();
            req.headers_mut().insert("cookie", cookie.parse().unwrap());
            let mut ws = tokio_tungstenite::connect_async(req).await.unwrap().0;
            let snap = next_json(&mut ws, Duration::from_secs(2)).await;
            (ws, snap)
        }
    };
    let (mut ana, _) = open(&a, "Ana").await;
    let (mut bob, _) = open(&b, "Bob").await;
    ana.send(Message::text(
        r#"{"id":1,"action":"ask","text":"Partagée ?"}"#,
    ))
    .await
    .unwrap();
    wait_for(&mut ana, Duration::from_secs(1), |v| v["type"] == "ack").await;
    let t0 = Instant::now();
    wait_for(&mut bob, Duration::from_secs(1), |v| {
        v["questions"][0]["text"] == "Partagée ?"
    })
    .await;
    assert!(t0.elapsed() < Duration::from_secs(1));

    // Ten voters, half on each instance, all at once: every acknowledged vote counts.
    let mut voters = Vec::new();
    for i in 0..10 {
        let base = if i % 2 == 0 { &a } else { &b };
        voters.push(open(base, &format!("V{i}")).await.0);
    }
    for v in voters.iter_mut() {
        v.send(Message::text(r#"{"id":5,"action":"upvote","question":1}"#))
            .await
            .unwrap();
    }
    for v in voters.iter_mut() {
        let ack = wait_for(v, Duration::from_secs(3), |m| m["id"] == 5).await;
        assert_eq!(ack["type"], "ack", "{ack}");
    }
    wait_for(&mut ana, Duration::from_secs(2), |v| {
        v["questions"][0]["votes"] == 10
    })
    .await;
    wait_for(&mut bob, Duration::from_secs(2), |v| {
        v["questions"][0]["votes"] == 10
    })
    .await;

    // Ana's instance goes away: she reconnects to the other one and finds everything.
    drop(ana);
    let (_, snap) = open(&b, "Ana").await;
    assert_eq!(snap["questions"][0]["votes"], 10);
    assert_eq!(snap["questions"][0]["authors"], json!(["Ana"]));
}

/// A phone that lost the network answers nothing: its socket is closed after the idle
/// timeout, with the reason; a page that is open (it answers our pings) stays connected.
#[tokio::test]
async fn a_socket_that_stops_answering_is_closed_and_an_open_page_stays() {
    let app = spawn_app_with(
        None,
        parvis_web::WebConfig {
            live_idle_timeout: Duration::from_secs(1),
            ..Default::default()
        },
    )
    .await;
    let moderator = member_token(&app, "mod", SiteRole::Moderator).await;
    let room = open_room(&app, &moderator, json!({})).await;
    // The phone that lost the network: a raw connection that upgrades, then neither reads
    // nor writes (a WebSocket client library would answer pings as soon as it reads).
    let mut gone = tokio::net::TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .unwrap();
    let host = app.base.trim_start_matches("http://").to_string();
    let (_, cookie) = visitor("Ana").unwrap();
    let upgrade = format!(
        "GET /live/{room}/ws HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nCookie: {cookie}\r\n\r\n"
    );
    tokio::io::AsyncWriteExt::write_all(&mut gone, upgrade.as_bytes())
        .await
        .unwrap();
    let mut open = socket(&app, room, visitor("Bob")).await;
    // The open page reads all along (tungstenite answers pings as it reads).
    let reader = tokio::spawn(async move {
        let until = Instant::now() + Duration::from_secs(3);
        let mut pings = 0;
        while let Ok(Some(Ok(m))) =
            tokio::time::timeout(until.saturating_duration_since(Instant::now()), open.next()).await
        {
            match m {
                Message::Ping(_) => pings += 1,
                Message::Close(f) => return Err(format!("closed: {f:?}")),
                _ => {}
            }
        }
        Ok(pings)
    });
    tokio::time::sleep(Duration::from_secs(3)).await;
    let pings = reader.await.unwrap().expect("an open page stays connected");
    assert!(pings >= 3, "pinged every third of the timeout: {pings}");
    // The silent one finds, under what was queued for it (the snapshot, pings), the close
    // and its reason, and the server has hung up.
    let mut received = Vec::new();
    tokio::time::timeout(
        Duration::from_secs(5),
        tokio::io::AsyncReadExt::read_to_end(&mut gone, &mut received),
    )
    .await
    .expect("the server hung up the silent socket")
    .unwrap();
    let reason = String::from_utf8_lossy(&received).to_string();
    assert!(reason.starts_with("HTTP/1.1 101"), "{reason}");
    assert!(reason.contains("no answer for 1 s"), "{reason}");
}
