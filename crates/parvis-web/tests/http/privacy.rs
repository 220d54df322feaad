//! Personal data, audited as a visitor would meet it: the demo ecosystem plus an opinion map,
//! then every page reachable by links and every GET of the API with real ids, fetched by an
//! anonymous visitor and by a signed-in member who is not an admin. No response may carry
//! another member's e-mail address (docs/PRIVACY.md).
//!
//! `cargo test -p parvis-web --test http privacy_audit -- --nocapture` prints the figures
//! (responses audited, responses exposing an address).

use super::*;
use std::collections::{BTreeSet, HashSet, VecDeque};

/// What a seeded ecosystem holds that the audit needs.
struct Seeded {
    space: String,
    topics: Vec<String>,
    threads: Vec<i64>,
    handles: Vec<String>,
    /// Every e-mail address the store knows (members' and e-mail identities).
    emails: BTreeSet<String>,
    /// Identities on other networks: (owner, handle, whether the owner agrees to be contacted).
    identities: Vec<(MemberId, String, bool)>,
    /// Voter ids of the opinion map (`m<member id>`).
    voters: Vec<String>,
    statements: Vec<i64>,
    /// A session under way with registrants (their addresses in its registrations) and its
    /// live room, where some of them asked, voted and raised a hand.
    sessions: Vec<i64>,
    rooms: Vec<i64>,
}

/// The demo ecosystem (as `parvis demo` loads it) plus an opinion map with votes.
async fn seed_demo(app: &App) -> Seeded {
    let summary = parvis_services::demo::load(&app.store).await.unwrap();
    assert!(summary.loaded);
    let space = app
        .store
        .space_by_slug(&summary.space_slug)
        .await
        .unwrap()
        .unwrap();
    // Conversations gathered from elsewhere, as an admin imports them: people arrive with
    // their addresses (mail, Slack profiles, JSON Lines authors).
    let fixtures = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../parvis-import/tests/fixtures");
    for (format, file) in [
        (parvis_import::Format::Mbox, "sample.mbox"),
        (parvis_import::Format::Jsonl, "sample.jsonl"),
        (
            parvis_import::Format::Slack,
            "slack-export-viewer-testarchive.zip",
        ),
    ] {
        let opts = parvis_services::import::ImportOptions {
            space: summary.space_slug.clone(),
            ..Default::default()
        };
        app.services
            .import(format, vec![fixtures.join(file)], &opts, |_| {})
            .await
            .unwrap();
    }
    let topics = app.store.list_topics(space.id).await.unwrap();
    let members = app
        .store
        .list_members(None, PageRequest::new(Some(1), Some(200), 200))
        .await
        .unwrap()
        .items;
    let mut emails: BTreeSet<String> = members.iter().filter_map(|m| m.email.clone()).collect();
    let mut identities = Vec::new();
    for (network, handle, owner) in app.store.all_identities().await.unwrap() {
        if network == "email" {
            // (Imports file "unknown" for a sender without an address: nothing to protect.)
            if handle.contains('@') {
                emails.insert(handle);
            }
        } else {
            let m = app.store.member_by_id(owner).await.unwrap().unwrap();
            // A channel handle that is also the member's public handle or name (a Slack bot
            // named by its id, a forum username kept as handle) is public anyway.
            if handle.eq_ignore_ascii_case(&m.handle)
                || handle.eq_ignore_ascii_case(&m.display_name)
            {
                continue;
            }
            let contact = m
                .consents
                .iter()
                .any(|c| c.kind == ConsentKind::Contact && c.granted);
            identities.push((owner, handle, contact));
        }
    }
    let threads = app
        .store
        .list_threads(space.id, None, PageRequest::new(Some(1), Some(200), 200))
        .await
        .unwrap()
        .items
        .iter()
        .map(|t| t.id.0)
        .collect();
    // An opinion map on the first topic: five statements, twelve voters in two camps.
    let topic = &topics[0];
    let mut statements = Vec::new();
    for (i, body) in [
        "Les salons physiques restent le meilleur canal",
        "Le ROI des événements se mesure mal",
        "Il faut publier les comptes rendus",
        // Statements that a spreadsheet would run as formulas if exported as they are.
        "=HYPERLINK(\"http://evil.example\";\"Les webinaires lassent\")",
        "-1 pour les forums annuels",
    ]
    .iter()
    .enumerate()
    {
        statements.push(
            app.store
                .add_statement(
                    topic.id,
                    None,
                    body,
                    "accepted",
                    now_millis() + i as i64,
                    None,
                )
                .await
                .unwrap(),
        );
    }
    let mut voters = Vec::new();
    for (i, m) in members.iter().take(12).enumerate() {
        let voter = format!("m{}", m.id.0);
        for (j, s) in statements.iter().enumerate() {
            let value = if (i + j) % 2 == 0 { 1 } else { -1 };
            app.store
                .vote(*s, &voter, value, now_millis())
                .await
                .unwrap();
        }
        voters.push(voter);
    }
    let (sessions, rooms) = seed_session(app, &space, &topics[0], &members).await;
    Seeded {
        sessions,
        rooms,
        space: space.slug.clone(),
        topics: topics.iter().map(|t| t.slug.clone()).collect(),
        threads,
        handles: members.iter().map(|m| m.handle.clone()).collect(),
        emails,
        identities,
        voters,
        statements,
    }
}

/// A session of the first topic, under way, with ten registrants (half consenting to be
/// contacted) and a live room where they took part.
async fn seed_session(
    app: &App,
    space: &Space,
    topic: &Topic,
    members: &[Member],
) -> (Vec<i64>, Vec<i64>) {
    let id = app
        .store
        .create_topic_session(
            &parvis_store::NewSession {
                space_id: space.id.0,
                topic_id: topic.id.0,
                title: "Débat du mois".into(),
                description: String::new(),
                starts_at: now_millis() - 10 * 60_000,
                duration_min: 120,
                time_zone: "Europe/Paris".into(),
                mode: "phygital".into(),
                place: "Salle 2".into(),
                online_url: "https://visio.example/debat".into(),
                access_code_hash: None,
                capacity: Some(50),
                partners: "Acme".into(),
                created_by: None,
                repeated_from: None,
                people: vec![],
                agenda: vec![],
            },
            now_millis(),
        )
        .await
        .unwrap();
    let people: Vec<&Member> = members
        .iter()
        .filter(|m| m.email.is_some())
        .take(10)
        .collect();
    for (i, m) in people.iter().enumerate() {
        app.store
            .register(&parvis_store::NewRegistration {
                session_id: id,
                person: format!("m{}", m.id.0),
                member_id: Some(m.id.0),
                name: m.display_name.clone(),
                email: m.email.clone().unwrap(),
                organisation: m.organisation.clone(),
                lang: "fr".into(),
                needs_confirmation: false,
                confirm_token_hash: None,
                manage_token_hash: None,
                consents: vec![("contact".into(), i % 2 == 0, "J'accepte".into())],
                now: now_millis(),
            })
            .await
            .unwrap();
    }
    let room = app.services.session_room(id).await.unwrap();
    for (i, m) in people.iter().take(4).enumerate() {
        let who = parvis_services::live::member_actor(m);
        let cmd = match i {
            0 => parvis_live::Command::Ask {
                text: "Combien coûte un stand ?".into(),
                anonymous: false,
            },
            1 => parvis_live::Command::Upvote { question: 1 },
            _ => parvis_live::Command::RaiseHand,
        };
        app.services
            .live()
            .command(room.id, who, cmd)
            .await
            .unwrap();
    }
    (vec![id], vec![room.id.0])
}

/// One audited response that carried personal data it should not have.
#[derive(Debug)]
struct Exposure {
    url: String,
    /// "e-mail" or "identity".
    what: &'static str,
    found: String,
}

/// The audit's figures for one viewer.
#[derive(Debug, Default)]
struct Audit {
    responses: usize,
    exposures: Vec<Exposure>,
}

/// Links and sources of a page that stay on this site and only read (GET).
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        for part in html.split(attr).skip(1) {
            let Some(link) = part.split('"').next() else {
                continue;
            };
            let link = link.replace("&amp;", "&");
            let link = link.split('#').next().unwrap_or("").to_string();
            if link.starts_with('/')
                && !link.starts_with("//")
                && !link.starts_with("/assets/")
                && !link.starts_with("/lang/")
                && !link.starts_with("/auth/")
            {
                out.push(link);
            }
        }
    }
    out
}

/// Every API GET with real ids: the documented ones and those the router serves.
async fn api_urls(app: &App, s: &Seeded) -> Vec<String> {
    let doc: Value = reqwest::get(format!("{}/api/openapi.json", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut templates: BTreeSet<String> = BTreeSet::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, ops) in paths {
            if ops.get("get").is_some() {
                let path = if path.starts_with("/api/") {
                    path.clone()
                } else {
                    format!("/api/v1{path}")
                };
                templates.insert(path);
            }
        }
    }
    // Served but not (yet) documented everywhere: keep them in the audit regardless.
    for p in [
        "/api/v1/spaces",
        "/api/v1/spaces/{space}",
        "/api/v1/spaces/{space}/topics",
        "/api/v1/spaces/{space}/threads",
        "/api/v1/threads/{id}",
        "/api/v1/members",
        "/api/v1/members/{handle}",
        "/api/v1/members/{handle}/intro-paths",
        "/api/v1/me",
        "/api/v1/me/tokens",
        "/api/v1/me/intro-requests",
        "/api/v1/spaces/{space}/activity",
        "/api/v1/spaces/{space}/search?q=novea",
        "/api/v1/spaces/{space}/search?q=example",
        "/api/v1/spaces/{space}/feed",
        "/api/v1/spaces/{space}/peers",
        "/api/v1/spaces/{space}/topics/{topic}/opinion",
        "/api/v1/spaces/{space}/topics/{topic}/statements",
        "/api/v1/spaces/{space}/topics/{topic}/next-statement",
        "/api/v1/admin/merge-proposals",
        "/api/v1/admin/merges",
        "/api/v1/members?q=novea",
        "/api/v1/members?q=example",
    ] {
        templates.insert(p.to_string());
    }
    let mut urls = Vec::new();
    for t in templates {
        let mut expanded = vec![t.replace("{space}", &s.space)];
        for (param, values) in [
            ("{topic}", s.topics.clone()),
            ("{handle}", s.handles.clone()),
            ("{room}", s.rooms.iter().map(|i| i.to_string()).collect()),
            (
                "{id}",
                if t.contains("/sessions/") {
                    s.sessions.iter().map(|i| i.to_string()).collect()
                } else if t.contains("/threads/") {
                    s.threads.iter().map(|i| i.to_string()).collect()
                } else {
                    s.statements.iter().map(|i| i.to_string()).collect()
                },
            ),
        ] {
            expanded = expanded
                .into_iter()
                .flat_map(|u| {
                    if u.contains(param) {
                        values.iter().map(|v| u.replace(param, v)).collect()
                    } else {
                        vec![u]
                    }
                })
                .collect();
        }
        urls.extend(expanded.into_iter().filter(|u| !u.contains('{')));
    }
    urls
}

/// Fetch every page reachable from the usual entry points (following links) and every API
/// GET; report each response that shows an address other than `own`.
async fn audit(
    app: &App,
    c: &reqwest::Client,
    s: &Seeded,
    viewer: Option<(MemberId, &str)>,
) -> Audit {
    let own = viewer.map(|v| v.1);
    let mut forbidden: Vec<(&'static str, &str)> = s
        .emails
        .iter()
        .filter(|e| Some(e.as_str()) != own)
        .map(|e| ("e-mail", e.as_str()))
        .collect();
    // Identities elsewhere: never to visitors; to members only when the owner agrees to be
    // contacted. (Short handles could match ordinary words; the demo's are all longer.)
    for (owner, handle, contact) in &s.identities {
        let allowed = match viewer {
            None => false,
            Some((me, _)) => *owner == me || *contact,
        };
        if !allowed && handle.chars().count() >= 6 {
            forbidden.push(("identity", handle.as_str()));
        }
    }
    let mut queue: VecDeque<String> = VecDeque::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut entry = vec![
        "/".to_string(),
        "/members".into(),
        "/members?q=novea".into(),
        "/me".into(),
        "/feed".into(),
        format!("/s/{}", s.space),
        format!("/s/{}/search?q=novea", s.space),
        format!("/s/{}/search?q=example", s.space),
        format!("/s/{}/feed", s.space),
        format!("/s/{}/activity", s.space),
        // Measures are for moderators: visitors and members must be turned away.
        format!("/s/{}/measures", s.space),
        format!("/s/{}/measures/slipping.csv", s.space),
        format!("/s/{}/measures/scores.csv", s.space),
        format!("/api/v1/spaces/{}/measures/slipping", s.space),
        // Content: challenges, testimonials (consent-bound), share links and ambassadors.
        format!("/s/{}/challenges", s.space),
        format!("/api/v1/spaces/{}/challenges", s.space),
        format!("/s/{}/testimonials", s.space),
        format!("/api/v1/spaces/{}/testimonials", s.space),
        format!("/s/{}/testimonials/export.csv", s.space),
        "/me/shares".into(),
        "/api/v1/me/shares".into(),
        "/admin/ambassadors".into(),
        "/api/v1/ambassadors".into(),
    ];
    for t in &s.topics {
        let base = format!("/s/{}/t/{t}/opinion", s.space);
        entry.push(format!("{base}?print=1"));
        entry.push(format!("{base}.json"));
        entry.push(format!("{base}.csv"));
        entry.push(format!("{base}/map.svg"));
        entry.push(base);
        // The embeds of the topic and its map (their links lead to the threads' embeds).
        entry.push(format!("/embed/topic/{}/{t}", s.space));
        entry.push(format!("/embed/opinion/{}/{t}", s.space));
        entry.push(format!("/admin/spaces/{}/embeds", s.space));
    }
    for id in &s.threads {
        entry.push(format!("/embed/thread/{id}"));
    }
    // Sessions and their live rooms: registrants' addresses are for the session's moderators.
    for id in &s.sessions {
        for page in [
            "",
            "/report",
            "/registrations",
            "/qr",
            "/close",
            "/live",
            "/mails",
        ] {
            entry.push(format!("/sessions/{id}{page}"));
        }
        entry.push(format!("/embed/session/{id}"));
        entry.push(format!("/sessions/{id}/leads.csv"));
    }
    for room in &s.rooms {
        for page in ["", "/console", "/screen"] {
            entry.push(format!("/live/{room}{page}"));
        }
    }
    for t in &s.topics {
        for page in [
            "synthesis",
            "synthesis.md",
            "synthesis.json",
            "sessions.ics",
        ] {
            entry.push(format!("/s/{}/t/{t}/{page}", s.space));
        }
    }
    for h in &s.handles {
        entry.push(format!("/members/{h}"));
    }
    entry.extend(api_urls(app, s).await);
    for u in entry {
        if seen.insert(u.clone()) {
            queue.push_back(u);
        }
    }
    let mut audit = Audit::default();
    // Pagination and filters could go on for ever; the cap is far above what the demo needs.
    while let Some(url) = queue.pop_front() {
        if audit.responses >= 1500 {
            break;
        }
        let r = c.get(format!("{}{url}", app.base)).send().await.unwrap();
        let is_html = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        let body = r.text().await.unwrap();
        audit.responses += 1;
        // One exposure per kind of data per response.
        for kind in ["e-mail", "identity"] {
            if let Some((what, found)) = forbidden
                .iter()
                .find(|(w, f)| *w == kind && body.contains(f))
            {
                audit.exposures.push(Exposure {
                    url: url.clone(),
                    what,
                    found: found.to_string(),
                });
            }
        }
        if is_html {
            for l in links(&body) {
                if seen.insert(l.clone()) {
                    queue.push_back(l);
                }
            }
        }
    }
    audit
}

/// A client signed in (cookie session) as `handle`, who gets a password for the occasion.
pub(super) async fn member_session(app: &App, handle: &str) -> (reqwest::Client, String) {
    let m = app.store.member_by_handle(handle).await.unwrap().unwrap();
    app.store
        .set_password_hash(m.id, &parvis_services_hash("member password 42"))
        .await
        .unwrap();
    let email = m.email.unwrap();
    let c = client();
    let r = c
        .post(format!("{}/api/v1/auth/password", app.base))
        .json(&json!({"email": email, "password": "member password 42"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    (c, email)
}

#[tokio::test]
async fn privacy_audit_no_page_or_api_response_shows_another_members_email() {
    let app = spawn_app().await;
    let s = seed_demo(&app).await;
    assert!(s.emails.len() > 30, "the demo has addresses to protect");
    let anonymous = audit(&app, &client(), &s, None).await;
    // A plain member (not an admin) who is also in the opinion map.
    let member = app
        .store
        .list_members(None, PageRequest::new(Some(1), Some(200), 200))
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|m| m.site_role == SiteRole::Member && m.email.is_some())
        .unwrap();
    let (c, own) = member_session(&app, &member.handle).await;
    let signed_in = audit(&app, &c, &s, Some((member.id, own.as_str()))).await;
    for (who, a) in [("anonymous", &anonymous), ("member", &signed_in)] {
        let count = |what: &str| a.exposures.iter().filter(|e| e.what == what).count();
        eprintln!(
            "privacy audit ({who}): {} responses audited, {} exposed an e-mail address, {} an identity the viewer may not see",
            a.responses,
            count("e-mail"),
            count("identity")
        );
        for e in a.exposures.iter().take(10) {
            eprintln!("  {} shows {} {}", e.url, e.what, e.found);
        }
    }
    assert!(anonymous.responses > 100 && signed_in.responses > 100);
    assert!(
        anonymous.exposures.is_empty(),
        "{} anonymous responses show e-mail addresses or identities, e.g. {:?}",
        anonymous.exposures.len(),
        anonymous.exposures.first()
    );
    assert!(
        signed_in.exposures.is_empty(),
        "{} responses to a member show others' e-mail addresses or withheld identities, e.g. {:?}",
        signed_in.exposures.len(),
        signed_in.exposures.first()
    );
    // The member still sees their own address on their own page.
    let me = c
        .get(format!("{}/api/v1/me", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(me.contains(&own));
}

/// Whether a response names a voter by their member-derived id.
fn names_voter(body: &str, voters: &[String]) -> Option<String> {
    voters
        .iter()
        .find(|v| {
            [
                format!("\"{v}\""),
                format!("{v},"),
                format!(">{v}<"),
                format!("={v}&"),
            ]
            .iter()
            .any(|p| body.contains(p.as_str()))
        })
        .cloned()
}

#[tokio::test]
async fn opinion_exports_show_aggregates_to_all_and_participants_only_to_moderators_under_opaque_ids()
 {
    let app = spawn_app().await;
    let s = seed_demo(&app).await;
    let topic = &s.topics[0];
    let page = format!("{}/s/{}/t/{topic}/opinion", app.base, s.space);
    let api = format!(
        "{}/api/v1/spaces/{}/topics/{topic}/opinion",
        app.base, s.space
    );
    let member = app
        .store
        .list_members(None, PageRequest::new(Some(1), Some(200), 200))
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|m| m.site_role == SiteRole::Member && m.email.is_some())
        .unwrap();
    let (member_client, _) = member_session(&app, &member.handle).await;
    for (who, c) in [("anonymous", client()), ("member", member_client)] {
        for url in [
            format!("{page}.json"),
            format!("{page}.csv"),
            format!("{page}/map.svg"),
            format!("{page}?print=1"),
            page.clone(),
            api.clone(),
        ] {
            let body = c.get(&url).send().await.unwrap().text().await.unwrap();
            assert_eq!(
                names_voter(&body, &s.voters),
                None,
                "{url} names a voter to a {who} viewer"
            );
        }
        // What Pol.is shows stays public: group sizes and per-statement, per-group counts.
        for url in [format!("{page}.json"), api.clone()] {
            let v: Value = c.get(&url).send().await.unwrap().json().await.unwrap();
            assert_eq!(v["n_participants"], 12, "{url}");
            assert!(v.get("participants").is_none() && v.get("projections").is_none());
            let groups = v["groups"].as_array().unwrap();
            assert!(!groups.is_empty(), "{url} shows the groups");
            let sizes: u64 = groups.iter().map(|g| g["size"].as_u64().unwrap()).sum();
            assert!(sizes > 0 && sizes <= 12);
            assert!(groups.iter().all(|g| g.get("members").is_none()));
            let st = &v["statements"][0];
            assert_eq!(
                st["agrees"].as_u64().unwrap() + st["disagrees"].as_u64().unwrap(),
                12,
                "every voter's vote is counted"
            );
            assert!(!st["groups"].as_array().unwrap().is_empty());
        }
    }
    // Who proposed a statement is the author's and the moderators' business.
    app.store
        .add_statement(
            app.store
                .topic_by_slug(
                    app.store.space_by_slug(&s.space).await.unwrap().unwrap().id,
                    topic,
                )
                .await
                .unwrap()
                .unwrap()
                .id,
            Some(member.id),
            "Proposé par un membre",
            "accepted",
            now_millis(),
            None,
        )
        .await
        .unwrap();
    let statements_url = format!(
        "{}/api/v1/spaces/{}/topics/{topic}/statements",
        app.base, s.space
    );
    let (anon, _) = (client(), ());
    let v: Value = anon
        .get(&statements_url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|st| st["author_id"].is_null()),
        "{v}"
    );
    let (admin, _) = admin_session(&app).await;
    let v: Value = admin
        .get(&statements_url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|st| st["author_id"] == member.id.0)
    );
    // Free text in CSV exports never starts a formula (it gets a leading ').
    let csv = client()
        .get(format!("{page}.csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains("\"'=HYPERLINK(") && csv.contains(",'-1 pour"),
        "{csv}"
    );
    assert!(!csv.contains(",=") && !csv.contains(",\"=") && !csv.contains(",-1 pour"));
    // Moderators see each participant's position, under ids drawn for this export.
    let mut orders = Vec::new();
    for url in [format!("{page}.json"), api.clone(), format!("{page}.json")] {
        let body = admin.get(&url).send().await.unwrap().text().await.unwrap();
        assert_eq!(names_voter(&body, &s.voters), None, "{url}");
        let v: Value = serde_json::from_str(&body).unwrap();
        let ids: Vec<String> = v["projections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(ids.len(), 12);
        let expected: Vec<String> = (1..=12).map(|i| format!("p{i}")).collect();
        assert_eq!(ids, expected, "opaque ids p1..pN");
        let groups: Vec<String> = v["participants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| format!("{}", p["group"]))
            .collect();
        orders.push(groups);
    }
    // Each export draws its own ids, so exports cannot be joined on them (two camps of six:
    // the three group sequences agree by chance less than once in 800,000 runs).
    assert!(
        orders[0] != orders[1] || orders[1] != orders[2],
        "ids are drawn afresh per export"
    );
}

#[tokio::test]
async fn names_and_identities_refuse_control_characters_and_direction_overrides() {
    let app = spawn_app().await;
    let (c, csrf) = admin_session(&app).await;
    for (name, found) in [
        ("Eve\u{202E}moc.elpmaxe", "U+202E"),
        ("Eve\0", "U+0000"),
        ("Eve\u{2067}", "U+2067"),
    ] {
        let r = c
            .patch(format!("{}/api/v1/me", app.base))
            .header("x-csrf-token", &csrf)
            .json(&json!({"display_name": name, "ecosystem_role": "employee", "organisation": "", "bio": ""}))
            .send()
            .await
            .unwrap();
        let (status, p) = problem(r).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name:?}");
        assert!(
            p.to_string().contains("display_name") && p.to_string().contains(found),
            "{p}"
        );
    }
    let r = c
        .post(format!("{}/api/v1/me/identities", app.base))
        .header("x-csrf-token", &csrf)
        .json(&json!({"network": "mastodon", "handle": "@eve@social.example\u{202D}"}))
        .send()
        .await
        .unwrap();
    let (status, p) = problem(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.to_string().contains("handle"), "{p}");
    // Siblings: other labels shown inline in lists (thread titles, space names, token names).
    let r = c
        .post(format!("{}/api/v1/spaces", app.base))
        .header("x-csrf-token", &csrf)
        .json(&json!({"slug": "forum", "name": "Forum\u{202E}", "description": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let r = c
        .post(format!("{}/api/v1/me/tokens", app.base))
        .header("x-csrf-token", &csrf)
        .json(&json!({"name": "script\u{0}"}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    // The profile form says the same in the page.
    let form_csrf = me_csrf(&c, &app).await;
    let r = c
        .post(format!("{}/me/profile", app.base))
        .form(&[
            ("csrf", form_csrf.as_str()),
            ("display_name", "Camille\u{202E}"),
            ("ecosystem_role", "employee"),
            ("organisation", ""),
            ("bio", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("U+202E"), "the page names the character");
    // Nothing was changed.
    let me = app
        .store
        .member_by_handle("camille")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(me.display_name, "Camille Admin");
    assert!(me.identities.is_empty());
}

#[tokio::test]
async fn remote_images_in_posts_load_only_when_the_reader_opens_them() {
    let app = spawn_app().await;
    let s = seed_demo(&app).await;
    let space = app.store.space_by_slug(&s.space).await.unwrap().unwrap();
    let author = app
        .store
        .member_by_handle("camille")
        .await
        .unwrap()
        .unwrap();
    let md = "Notre stand : ![photo du stand](https://tracker.example/pixel.gif?who=42)\n\n\
              <img src=\"http://cdn.example/beacon.png\" width=\"1\" height=\"1\">";
    let (thread, _) = app
        .store
        .create_thread(&parvis_store::NewThread {
            space_id: space.id,
            topic_id: None,
            title: "Salon".into(),
            author_id: author.id,
            body_html: markdown::render(md),
            body_md: md.into(),
            created_at: now_millis(),
            channel: "parvis".into(),
            source_id: None,
            source_url: None,
        })
        .await
        .unwrap();
    let r = reqwest::get(format!("{}/threads/{}", app.base, thread.0))
        .await
        .unwrap();
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let img_src = csp
        .split(';')
        .find(|d| d.trim().starts_with("img-src"))
        .unwrap();
    assert!(
        !img_src.contains("https:") && !img_src.contains('*'),
        "pages load no remote image: {img_src}"
    );
    let page = r.text().await.unwrap();
    assert!(
        !page.contains("<img src=\"https://tracker.example")
            && !page.contains("<img src=\"http://cdn.example"),
        "remote images are not loaded"
    );
    assert!(page.contains("href=\"https://tracker.example/pixel.gif?who=42\""));
    assert!(page.contains("« photo du stand » · Image hébergée sur tracker.example"));
    assert!(page.contains("Image hébergée sur cdn.example"));
}

/// A plain member of the demo who wrote messages and voted on the opinion map.
async fn plain_voter(app: &App, s: &Seeded, skip: usize) -> Member {
    let members = app
        .store
        .list_members(None, PageRequest::new(Some(1), Some(200), 200))
        .await
        .unwrap()
        .items;
    members
        .into_iter()
        .filter(|m| {
            m.site_role == SiteRole::Member
                && m.email.is_some()
                && m.message_count > 0
                && s.voters.contains(&format!("m{}", m.id.0))
        })
        .nth(skip)
        .expect("a plain member who wrote and voted")
}

async fn api_json(c: &reqwest::Client, url: String) -> (StatusCode, Value) {
    let r = c.get(url).send().await.unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn members_download_everything_held_about_them_and_delete_their_account() {
    on_both(|app| async move {
        let s = seed_demo(&app).await;
        let m = plain_voter(&app, &s, 0).await;
        let (c, own) = member_session(&app, &m.handle).await;
        let csrf = me_csrf(&c, &app).await;
        // Two consent changes, dated: the history keeps all three states.
        for granted in [false, true] {
            let r = c
                .put(format!("{}/api/v1/me/consents", app.base))
                .header("x-csrf-token", &csrf)
                .json(&json!({"kind": "contact", "granted": granted}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
        }
        let r = c
            .post(format!("{}/api/v1/me/tokens", app.base))
            .header("x-csrf-token", &csrf)
            .json(&json!({"name": "mon script"}))
            .send()
            .await
            .unwrap();
        let secret = r.json::<Value>().await.unwrap()["secret"]
            .as_str()
            .unwrap()
            .to_string();

        // The export: everything, secrets excepted.
        let (status, export) = api_json(&c, format!("{}/api/v1/me/export", app.base)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(export["profile"]["email"], own.as_str());
        assert_eq!(
            export["messages"].as_array().unwrap().len() as i64,
            m.message_count
        );
        // Their votes on the seeded map, and those the demo's own debate gave them.
        let space = app
            .store
            .space_by_slug("forum-alliance")
            .await
            .unwrap()
            .unwrap();
        let mut votes_held = 0;
        for t in app.store.list_topics(space.id).await.unwrap() {
            votes_held += app
                .store
                .voter_votes(t.id, &format!("m{}", m.id.0))
                .await
                .unwrap()
                .len();
        }
        assert!(votes_held >= s.statements.len());
        assert_eq!(export["votes"].as_array().unwrap().len(), votes_held);
        let contact: Vec<&Value> = export["consent_history"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "contact")
            .collect();
        assert_eq!(contact.len(), 3, "{contact:?}");
        assert_eq!(contact[1]["granted"], false);
        assert_eq!(contact[2]["granted"], true);
        assert_eq!(export["api_tokens"][0]["name"], "mon script");
        let text = export.to_string();
        assert!(!text.contains(&secret) && !text.contains("password"));
        // The page gives the same as a file to keep.
        let r = c
            .get(format!("{}/me/export", app.base))
            .send()
            .await
            .unwrap();
        assert!(
            r.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains("attachment")
        );
        assert_eq!(
            r.json::<Value>().await.unwrap()["profile"]["handle"],
            m.handle.as_str()
        );
        // Nobody else's data: visitors, other members.
        let (status, _) = api_json(&client(), format!("{}/api/v1/me/export", app.base)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let other = plain_voter(&app, &s, 1).await;
        let (status, _) = api_json(
            &c,
            format!("{}/api/v1/members/{}/export", app.base, other.handle),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // The deletion page says what each choice means, in the member's language.
        let page = c
            .get(format!("{}/me/delete", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Les garder, anonymisés") && page.contains("Les supprimer"));
        assert!(page.contains("Ancien membre · Former member"));
        let page = c
            .get(format!("{}/me/delete", app.base))
            .header("accept-language", "en")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Keep them, anonymised") && page.contains("Delete them"));
        assert!(page.contains(&format!("Messages written: {}", m.message_count)));
        let r = c
            .post(format!("{}/me/delete", app.base))
            .form(&[("csrf", csrf.as_str()), ("messages", "anonymise")])
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "confirmation needed"
        );
        let r = c
            .post(format!("{}/me/delete", app.base))
            .form(&[
                ("csrf", "0".repeat(64).as_str()),
                ("messages", "anonymise"),
                ("confirm", "1"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "CSRF token needed");
        let a_message = export["messages"][0]["id"].as_i64().unwrap();
        let a_body = export["messages"][0]["body_md"]
            .as_str()
            .unwrap()
            .to_string();
        let a_thread = export["messages"][0]["thread_id"].as_i64().unwrap();
        let r = c
            .post(format!("{}/me/delete", app.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("messages", "anonymise"),
                ("confirm", "1"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let done = r.text().await.unwrap();
        assert!(done.contains("Le compte a été supprimé."), "{done}");
        let expected = if m.message_count == 1 {
            "1 message gardé, anonymisé".to_string()
        } else {
            format!("{} messages gardés, anonymisés", m.message_count)
        };
        assert!(done.contains(&expected), "{done}");
        // Signed out, unknown, gone from lists and from the opinion map; messages kept.
        let (status, _) = api_json(&c, format!("{}/api/v1/me", app.base)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(app.store.member_id_by_email(&own).await.unwrap().is_none());
        assert!(
            app.store
                .member_by_handle(&m.handle)
                .await
                .unwrap()
                .is_none()
        );
        let list = reqwest::get(format!("{}/members?q={}", app.base, m.handle))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!list.contains(&m.display_name));
        let (_, thread) =
            api_json(&client(), format!("{}/api/v1/threads/{a_thread}", app.base)).await;
        let kept = thread["messages"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == a_message)
            .expect("the message is kept");
        assert_eq!(
            kept["author"]["display_name"],
            "Ancien membre · Former member"
        );
        let words: String = a_body
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            kept["body_html"].as_str().unwrap().contains(&words),
            "the text is kept: {words}"
        );
        let (_, map) = api_json(
            &client(),
            format!(
                "{}/api/v1/spaces/{}/topics/{}/opinion",
                app.base, s.space, s.topics[0]
            ),
        )
        .await;
        assert_eq!(map["n_participants"], 11, "their votes went with them");

        // An admin, on request, deletes another member with their messages.
        let (admin, admin_csrf) = admin_session(&app).await;
        // The admin finds both actions on the member's page, and a page that explains them.
        let profile = admin
            .get(format!("{}/members/{}", app.base, other.handle))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(profile.contains(&format!("/members/{}/export", other.handle)));
        assert!(profile.contains(&format!("/members/{}/delete", other.handle)));
        let page = admin
            .get(format!("{}/members/{}/delete", app.base, other.handle))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Supprimer le compte de")
                && page.contains("À faire à la demande du membre")
        );
        let (status, theirs) = api_json(
            &admin,
            format!("{}/api/v1/members/{}/export", app.base, other.handle),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let their_body = theirs["messages"][0]["body_md"]
            .as_str()
            .unwrap()
            .to_string();
        let their_thread = theirs["messages"][0]["thread_id"].as_i64().unwrap();
        let r = admin
            .delete(format!(
                "{}/api/v1/members/{}?messages=shred",
                app.base, other.handle
            ))
            .header("x-csrf-token", &admin_csrf)
            .send()
            .await
            .unwrap();
        let (status, p) = problem(r).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p.to_string().contains("anonymise or delete"), "{p}");
        let r = admin
            .delete(format!(
                "{}/api/v1/members/{}?messages=delete",
                app.base, other.handle
            ))
            .header("x-csrf-token", &admin_csrf)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let out: Value = r.json().await.unwrap();
        assert_eq!(
            out["deleted_messages"].as_array().unwrap().len(),
            theirs["messages"].as_array().unwrap().len()
        );
        let page = reqwest::get(format!("{}/threads/{their_thread}", app.base))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let first_words: String = their_body.chars().take(40).collect();
        assert!(!page.contains(&first_words), "deleted messages are gone");
        let deleted: Vec<&Value> = out["deleted_messages"].as_array().unwrap().iter().collect();
        let (_, thread) = api_json(
            &client(),
            format!("{}/api/v1/threads/{their_thread}", app.base),
        )
        .await;
        if let Some(items) = thread["messages"]["items"].as_array() {
            assert!(items.iter().all(|x| !deleted.contains(&&x["id"])));
        }
        // An admin's own account is not deleted while it is an admin.
        let r = admin
            .delete(format!("{}/api/v1/me?messages=anonymise", app.base))
            .header("x-csrf-token", &admin_csrf)
            .send()
            .await
            .unwrap();
        assert_eq!(problem(r).await.0, StatusCode::FORBIDDEN);
    })
    .await;
}
