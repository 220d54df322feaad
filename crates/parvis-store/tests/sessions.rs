//! Sessions and registrations, each test run on SQLite and, when `PARVIS_TEST_DATABASE_URL`
//! is set, on PostgreSQL.

use parvis_domain::*;
use parvis_store::{
    AgendaItem, NewMember, NewRegistration, NewSession, SessionPerson, Store, testing,
};

async fn on_both<F, Fut>(check: F)
where
    F: Fn(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Store::open(&format!("sqlite://{}/t.db", dir.path().display()))
        .await
        .unwrap();
    check(sqlite).await;
    match testing::postgres_test_url() {
        Some(base) => {
            let url = testing::fresh_postgres_url(&base).await.unwrap();
            check(Store::open(&url).await.unwrap()).await;
        }
        None => eprintln!(
            "notice: PARVIS_TEST_DATABASE_URL not set, PostgreSQL half of this test skipped"
        ),
    }
}

async fn session(s: &Store, capacity: Option<i64>) -> i64 {
    let space = s.create_space("demo", "Démo", "", 1).await.unwrap();
    let topic = s
        .create_topic(space, "roi", "ROI", "", &[], 1)
        .await
        .unwrap();
    s.create_topic_session(
        &NewSession {
            space_id: space.0,
            topic_id: topic.0,
            title: "Débat ROI".into(),
            description: String::new(),
            starts_at: 10_000_000,
            duration_min: 90,
            time_zone: "Europe/Paris".into(),
            mode: "phygital".into(),
            place: "Salle 1".into(),
            online_url: "https://visio.example/roi".into(),
            access_code_hash: None,
            capacity,
            partners: "Acme".into(),
            created_by: None,
            repeated_from: None,
            people: vec![SessionPerson {
                role: "speaker".into(),
                handle: None,
                name: "Invitée".into(),
                organisation: "Labo".into(),
                member_id: None,
            }],
            agenda: vec![
                AgendaItem {
                    title: "Ouverture".into(),
                    minutes: 10,
                },
                AgendaItem {
                    title: "Débat".into(),
                    minutes: 80,
                },
            ],
        },
        5,
    )
    .await
    .unwrap()
}

fn visitor(session: i64, i: usize, confirm: bool) -> NewRegistration {
    NewRegistration {
        session_id: session,
        person: format!("ev{i}@x.example"),
        member_id: None,
        name: format!("V{i}"),
        email: format!("v{i}@x.example"),
        organisation: "Org".into(),
        lang: "fr".into(),
        needs_confirmation: confirm,
        confirm_token_hash: confirm.then(|| format!("tok{i}")),
        manage_token_hash: Some(format!("man{i}")),
        consents: vec![
            ("contact".into(), i % 2 == 0, "Contact me".into()),
            ("share".into(), false, "Share with Acme".into()),
        ],
        now: 100 + i as i64,
    }
}

/// 500 registrations fired at once at a 100-seat session: exactly 100 confirmed, 400 on the
/// waiting list, none lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn five_hundred_concurrent_registrations_fill_exactly_one_hundred_seats() {
    on_both(|s| async move {
        let id = session(&s, Some(100)).await;
        let mut tasks = Vec::new();
        for i in 0..500 {
            let s = s.clone();
            tasks.push(tokio::spawn(async move {
                s.register(&visitor(id, i, false)).await
            }));
        }
        for t in tasks {
            assert!(t.await.unwrap().unwrap().created);
        }
        let regs = s.registrations(id).await.unwrap();
        assert_eq!(regs.len(), 500, "none lost");
        let confirmed = regs.iter().filter(|r| r.status == "confirmed").count();
        let waiting = regs.iter().filter(|r| r.status == "waiting").count();
        assert_eq!((confirmed, waiting), (100, 400));
        let row = s.topic_session(id).await.unwrap().unwrap();
        assert_eq!((row.confirmed, row.waiting), (100, 400));
    })
    .await;
}

#[tokio::test]
async fn same_person_twice_is_one_registration_and_cancelling_promotes_the_first_waiting() {
    on_both(|s| async move {
        let id = session(&s, Some(1)).await;
        let a = s.register(&visitor(id, 1, false)).await.unwrap();
        assert_eq!(a.registration.status, "confirmed");
        let again = s.register(&visitor(id, 1, false)).await.unwrap();
        assert!(!again.created);
        assert_eq!(again.registration.id, a.registration.id);
        let b = s.register(&visitor(id, 2, false)).await.unwrap();
        let c = s.register(&visitor(id, 3, false)).await.unwrap();
        assert_eq!(b.registration.status, "waiting");
        assert_eq!(c.registration.status, "waiting");
        let (cancelled, promoted) = s.cancel_registration(a.registration.id, 500).await.unwrap();
        assert_eq!(cancelled.status, "cancelled");
        assert_eq!(
            promoted.unwrap().id,
            b.registration.id,
            "first come, first promoted"
        );
        // Cancelling a waiting registration promotes nobody.
        let (_, none) = s.cancel_registration(c.registration.id, 600).await.unwrap();
        assert!(none.is_none());
        // The capacity cannot go below the seats taken.
        let row = s.topic_session(id).await.unwrap().unwrap();
        assert_eq!(row.confirmed, 1);
    })
    .await;
}

#[tokio::test]
async fn visitors_wait_for_their_link_and_consents_keep_their_history() {
    on_both(|s| async move {
        let id = session(&s, None).await;
        let r = s
            .register(&visitor(id, 4, true))
            .await
            .unwrap()
            .registration;
        assert_eq!(r.status, "pending");
        assert!(r.consent_contact && !r.consent_share);
        // The embed click it came through waits for the confirmation; the first one stays,
        // and it is read once.
        s.note_registration_click(r.id, "c1").await.unwrap();
        s.note_registration_click(r.id, "c2").await.unwrap();
        assert_eq!(
            s.take_registration_click(r.id).await.unwrap().as_deref(),
            Some("c1")
        );
        assert_eq!(s.take_registration_click(r.id).await.unwrap(), None);
        assert!(s.confirm_registration("nope", 1).await.unwrap().is_none());
        let c = s.confirm_registration("tok4", 200).await.unwrap().unwrap();
        assert_eq!(c.status, "confirmed");
        assert!(
            s.confirm_registration("tok4", 201).await.unwrap().is_none(),
            "used once"
        );
        s.set_registration_consent(r.id, "contact", false, "Contact me", 300)
            .await
            .unwrap();
        s.set_registration_consent(r.id, "contact", false, "Contact me", 301)
            .await
            .unwrap();
        let history = s.registration_consents(r.id).await.unwrap();
        let contact: Vec<_> = history.iter().filter(|h| h.0 == "contact").collect();
        assert_eq!(contact.len(), 2, "given, then withdrawn once: {history:?}");
        assert!(contact[0].1 && !contact[1].1);
        assert_eq!(contact[1].3, 300);
        let people = s.session_people(id).await.unwrap();
        assert_eq!(people[0].name, "Invitée");
        assert_eq!(s.session_agenda(id).await.unwrap().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn a_member_registers_once() {
    on_both(|s| async move {
        let id = session(&s, Some(5)).await;
        let m = s
            .create_member(&NewMember {
                handle: "alice".into(),
                display_name: "Alice".into(),
                email: Some("alice@x.example".into()),
                password_hash: None,
                site_role: SiteRole::Member,
                ecosystem_role: EcosystemRole::Customer,
                organisation: "Acme".into(),
                bio: String::new(),
                lang: "en".into(),
                created_at: 1,
            })
            .await
            .unwrap();
        let mut n = visitor(id, 9, false);
        n.person = format!("m{}", m.0);
        n.member_id = Some(m.0);
        assert!(s.register(&n).await.unwrap().created);
        assert!(!s.register(&n).await.unwrap().created);
        assert_eq!(s.member_registrations(m.0).await.unwrap().len(), 1);
    })
    .await;
}

/// A job planned twice is one job; claimed jobs are leased (not handed out twice); a failed
/// run comes back at its retry time; a lease that ran out (a worker that died) is claimed again.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn jobs_run_once_survive_a_dead_worker_and_retry() {
    on_both(|s| async move {
        assert!(s.enqueue_job("mail", "k1", "{}", 100, 1).await.unwrap());
        assert!(!s.enqueue_job("mail", "k1", "{}", 100, 1).await.unwrap());
        for i in 0..20 {
            s.enqueue_job("mail", &format!("k_x{i}"), "{}", 50, 1)
                .await
                .unwrap();
        }
        assert!(
            s.claim_jobs(10, 100, 1000).await.unwrap().is_empty(),
            "not due yet"
        );
        // Four workers claim at once: every job goes to exactly one of them.
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let s = s.clone();
            tasks.push(tokio::spawn(
                async move { s.claim_jobs(200, 6, 1000).await },
            ));
        }
        let mut ids = Vec::new();
        for t in tasks {
            ids.extend(t.await.unwrap().unwrap().into_iter().map(|j| j.id));
        }
        ids.sort();
        let n = ids.len();
        ids.dedup();
        assert_eq!((n, ids.len()), (21, 21));
        // Nobody finished: after the lease, they come back (the worker died).
        assert!(s.claim_jobs(500, 100, 1000).await.unwrap().is_empty());
        let again = s.claim_jobs(1300, 100, 1000).await.unwrap();
        assert_eq!(again.len(), 21);
        assert!(again.iter().all(|j| j.attempts == 2));
        let k1 = again.iter().find(|j| j.dedup_key == "k1").unwrap().id;
        for j in &again {
            if j.id == k1 {
                s.fail_job(j.id, "SMTP down", Some(5000), 1300)
                    .await
                    .unwrap();
            } else {
                s.finish_job(j.id, 1300).await.unwrap();
            }
        }
        assert!(s.claim_jobs(4000, 100, 1000).await.unwrap().is_empty());
        let retried = s.claim_jobs(5000, 100, 1000).await.unwrap();
        assert_eq!(retried.len(), 1);
        assert_eq!(retried[0].last_error.as_deref(), Some("SMTP down"));
        let listed = s.jobs_with_prefix("k_x").await.unwrap();
        assert_eq!(listed.len(), 20, "the underscore is not a wildcard");
    })
    .await;
}

#[tokio::test]
async fn a_session_has_one_live_room_and_one_check_in_key() {
    on_both(|s| async move {
        let id = session(&s, None).await;
        let row = s.topic_session(id).await.unwrap().unwrap();
        assert!(s.room_of_session(id).await.unwrap().is_none());
        let room = |session_id| parvis_store::NewRoom {
            space_id: SpaceId(row.space_id),
            topic_id: Some(TopicId(row.topic_id)),
            session_id,
            title: "Direct".into(),
            anonymous_questions: false,
            approval_required: false,
            budget_permille: 1500,
            created_by: None,
            created_at: 1,
        };
        let first = s.create_room(&room(Some(id))).await.unwrap();
        // Two first joins at once: the second room is refused, the first one stays.
        let again = s.create_room(&room(Some(id))).await;
        assert!(
            matches!(again, Err(parvis_store::StoreError::Conflict { .. })),
            "{again:?}"
        );
        assert_eq!(s.room_of_session(id).await.unwrap().unwrap().id, first);
        // Rooms without a session are as many as wanted.
        s.create_room(&room(None)).await.unwrap();
        s.create_room(&room(None)).await.unwrap();
        // The check-in key is made once; later callers read it.
        let k = s.session_checkin_key(id, "premier").await.unwrap();
        assert_eq!(k.as_deref(), Some("premier"));
        let k = s.session_checkin_key(id, "second").await.unwrap();
        assert_eq!(k.as_deref(), Some("premier"));
        assert_eq!(s.session_checkin_key(9999, "x").await.unwrap(), None);
    })
    .await;
}
