//! Measures end to end over a store (SQLite, and PostgreSQL when configured): the pyramid and
//! the scorecard from real rows, surveys answered once and on their scale, objectives and
//! weightings refused with the field named.

use parvis_domain::*;
use parvis_measure::objectives::{Objective, Status};
use parvis_measure::pyramid::Level;
use parvis_services::measure::MeasureSettings;
use parvis_services::{Actor, Mailer, ServiceConfig, ServiceError, Services};
use parvis_store::{NewMember, NewMessage, NewThread, Store, testing};

const H: i64 = 3_600_000;
const W: i64 = 7 * 24 * H;

fn person(handle: &str, role: SiteRole) -> NewMember {
    NewMember {
        handle: handle.into(),
        display_name: handle.to_uppercase(),
        email: Some(format!("{handle}@host.example")),
        password_hash: None,
        site_role: role,
        ecosystem_role: EcosystemRole::Customer,
        organisation: String::new(),
        bio: String::new(),
        lang: "fr".into(),
        created_at: 1,
    }
}

fn msg(thread: ThreadId, parent: MessageId, author: MemberId, at: i64, body: &str) -> NewMessage {
    NewMessage {
        thread_id: thread,
        parent_id: Some(parent),
        author_id: author,
        body_md: body.into(),
        body_html: format!("<p>{body}</p>"),
        created_at: at,
        channel: "parvis".into(),
        source_id: None,
        source_url: None,
    }
}

struct World {
    s: Services,
    store: Store,
    thread: ThreadId,
    first: MessageId,
    admin: Actor,
    alice: Actor,
    bob: Actor,
}

async fn world(url: String) -> World {
    let store = Store::open(&url).await.unwrap();
    let space = store.create_space("forum", "Forum", "", 1).await.unwrap();
    let admin = store
        .create_member(&person("admin", SiteRole::Admin))
        .await
        .unwrap();
    let alice = store
        .create_member(&person("alice", SiteRole::Member))
        .await
        .unwrap();
    let bob = store
        .create_member(&person("bob", SiteRole::Member))
        .await
        .unwrap();
    let carol = store
        .create_member(&person("carol", SiteRole::Member))
        .await
        .unwrap();
    let now = now_millis();
    // Alice asks five weeks ago; the staff answers three hours later.
    let (t, first) = store
        .create_thread(&NewThread {
            space_id: space,
            topic_id: None,
            title: "Comment mesurer ?".into(),
            author_id: alice,
            body_md: "Comment mesurer le ROI ?".into(),
            body_html: "<p>Comment mesurer le ROI ?</p>".into(),
            created_at: now - 5 * W,
            channel: "parvis".into(),
            source_id: None,
            source_url: None,
        })
        .await
        .unwrap();
    store
        .add_message(&msg(
            t,
            first,
            admin,
            now - 5 * W + 3 * H,
            "Voici la méthode.",
        ))
        .await
        .unwrap();
    // Bob answers Alice in three distinct weeks: engaged.
    for k in 1..=3 {
        store
            .add_message(&msg(t, first, bob, now - k * W, "Merci, c'est utile."))
            .await
            .unwrap();
    }
    // Carol reacts only.
    store
        .add_reaction(first, carol, ReactionKind::Like, now - W)
        .await
        .unwrap();
    let member = |id| {
        let store = store.clone();
        async move {
            Actor {
                member: store.member_by_id(id).await.unwrap().unwrap(),
            }
        }
    };
    let (admin, alice, bob) = (member(admin).await, member(alice).await, member(bob).await);
    World {
        s: Services::new(store.clone(), Mailer::Log, ServiceConfig::default()),
        store,
        thread: t,
        first,
        admin,
        alice,
        bob,
    }
}

async fn on_both<F, Fut>(f: F)
where
    F: Fn(World) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    f(world(format!("sqlite://{}/m.db", dir.path().display())).await).await;
    match testing::postgres_test_url() {
        Some(base) => f(world(testing::fresh_postgres_url(&base).await.unwrap()).await).await,
        None => eprintln!("notice: PARVIS_TEST_DATABASE_URL not set, PostgreSQL half skipped"),
    }
}

/// A like taken back leaves the reactors at the next incremental refresh.
#[path = "measure/taken_back.rs"]
mod taken_back;

fn count(d: &parvis_services::measure::Dashboard, level: Level) -> u64 {
    d.pyramid
        .iter()
        .find(|c| c.level == level)
        .map(|c| c.count)
        .unwrap_or(0)
}

#[tokio::test]
async fn the_dashboard_counts_the_pyramid_and_the_scorecard() {
    on_both(|w| async move {
        let d = w.s.measures(&w.admin, "forum").await.unwrap();
        assert_eq!(count(&d, Level::Engaged), 1, "bob");
        assert_eq!(count(&d, Level::Contributor), 1, "alice");
        assert_eq!(count(&d, Level::Reactor), 1, "carol");
        assert_eq!(
            d.pyramid.iter().map(|c| c.count).sum::<u64>(),
            3,
            "staff left out"
        );
        assert_eq!(d.scorecard.questions, 1);
        assert_eq!(d.scorecard.answer_share, Some(1.0));
        assert_eq!(d.scorecard.median_first_answer_hours, Some(3.0));
        assert_eq!(d.legitimacy.top_two, 1);
        assert_eq!(d.notoriety.embed_impressions, Some(0), "no embed seen yet");
        assert_eq!(d.legitimacy.testimonials, Some(0), "no testimonial yet");
        assert!(d.top_scores.iter().any(|s| s.handle == "bob"));
        // Members may not see the dashboard.
        assert!(matches!(
            w.s.measures(&w.alice, "forum").await,
            Err(ServiceError::Forbidden(_))
        ));
    })
    .await;
}

/// A view right after new activity does not wait for the recomputation (about a second at
/// a million messages): it gets the last snapshot at once, and a view a moment later sees
/// the new activity.
#[tokio::test]
async fn new_activity_reaches_the_dashboard_without_making_the_reader_wait() {
    on_both(|w| async move {
        let before = w.s.measures(&w.admin, "forum").await.unwrap();
        assert_eq!(count(&before, Level::Contributor), 1, "alice");
        let dave = w
            .store
            .create_member(&person("dave", SiteRole::Member))
            .await
            .unwrap();
        w.store
            .add_message(&msg(w.thread, w.first, dave, now_millis(), "Moi aussi."))
            .await
            .unwrap();
        w.store.bump_content_version().await.unwrap();
        let served = w.s.measures(&w.admin, "forum").await.unwrap();
        assert!(
            std::sync::Arc::ptr_eq(&served, &before),
            "the snapshot is served while it is recomputed"
        );
        let mut fresh = None;
        for _ in 0..400 {
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
            let d = w.s.measures(&w.admin, "forum").await.unwrap();
            if !std::sync::Arc::ptr_eq(&d, &before) {
                fresh = Some(d);
                break;
            }
        }
        let d = fresh.expect("the dashboard was recomputed in the background");
        assert_eq!(count(&d, Level::Contributor), 2, "alice and dave");
        assert!(d.generated_at >= before.generated_at);
    })
    .await;
}

#[tokio::test]
async fn a_survey_takes_one_answer_per_person_on_its_scale() {
    on_both(|w| async move {
        let token =
            w.s.create_survey(&w.admin, "forum", "nps", "Nous recommanderiez-vous ?")
                .await
                .unwrap();
        w.s.answer_survey(&w.alice, &token, 10, "Très bien", "")
            .await
            .unwrap();
        let again = w.s.answer_survey(&w.alice, &token, 2, "", "").await;
        assert!(matches!(again, Err(ServiceError::Conflict(ref what)) if what == "answer"));
        let off = w.s.answer_survey(&w.bob, &token, 11, "", "").await;
        assert!(matches!(off, Err(ServiceError::Validation(ref v)) if v.field == "score"));
        let bad_kind = w.s.create_survey(&w.admin, "forum", "happiness", "x").await;
        assert!(matches!(bad_kind, Err(ServiceError::Validation(ref v)) if v.field == "kind"));
        let d = w.s.measures(&w.admin, "forum").await.unwrap();
        let nps = d.surveys.nps.clone().unwrap();
        assert_eq!((nps.n, nps.value, nps.small_sample), (1, Some(100.0), true));
        assert!(d.presence.ipe.is_some());
        assert_eq!(
            d.presence.formula_version,
            parvis_measure::presence::FORMULA_VERSION
        );
        assert_eq!(
            d.trends["nps"].len(),
            1,
            "the week's figure is stored with its version"
        );
    })
    .await;
}

#[tokio::test]
async fn employee_scores_stay_hidden_under_five_respondents() {
    on_both(|w| async move {
        let token =
            w.s.create_survey(&w.admin, "forum", "enps", "eNPS")
                .await
                .unwrap();
        w.s.answer_survey(&w.alice, &token, 9, "secret", "ventes")
            .await
            .unwrap();
        let d = w.s.measures(&w.admin, "forum").await.unwrap();
        let v = &d.surveys.surveys[0];
        assert_eq!(v.respondents, 1);
        assert!(v.score.is_none() && v.comments.is_empty());
        assert!(d.surveys.enps.is_none());
    })
    .await;
}

#[tokio::test]
async fn objectives_and_weightings_are_checked() {
    on_both(|w| async move {
        let due = now_millis() + 10 * W;
        let unknown = Objective {
            measure: "fans".into(),
            target: 10.0,
            due_ms: due,
            segment: String::new(),
        };
        let e = w.s.create_objective(&w.admin, "forum", &unknown).await;
        assert!(matches!(e, Err(ServiceError::Validation(ref v)) if v.field == "measure"));
        let ok = Objective {
            measure: "engaged".into(),
            target: 5.0,
            due_ms: due,
            segment: String::new(),
        };
        w.s.create_objective(&w.admin, "forum", &ok).await.unwrap();
        let d = w.s.measures(&w.admin, "forum").await.unwrap();
        let o = &d.objectives[0];
        assert_eq!((o.baseline, o.progress.current), (Some(1.0), Some(1.0)));
        assert_eq!(o.progress.status, Status::OnTrack, "no time has passed yet");

        let mut settings = MeasureSettings::default();
        settings.presence.ipe_nps = 0.9;
        let e = w.s.set_measure_settings(&w.admin, "forum", &settings).await;
        assert!(matches!(e, Err(ServiceError::Validation(ref v)) if v.field == "weights.ipe"));
        let mut settings = MeasureSettings::default();
        settings.thresholds.regular_weeks = 1;
        w.s.set_measure_settings(&w.admin, "forum", &settings)
            .await
            .unwrap();
        let d = w.s.measures(&w.admin, "forum").await.unwrap();
        assert_eq!(d.settings.thresholds.regular_weeks, 1);
    })
    .await;
}

/// The text of a one-part mail written by the file outbox, whichever transfer encoding the
/// mail library chose for it.
fn mail_text(eml: &str) -> String {
    let (head, body) = eml.split_once("\r\n\r\n").unwrap_or((eml, ""));
    let head = head.to_ascii_lowercase();
    if head.contains("content-transfer-encoding: base64") {
        use base64::Engine;
        let joined: String = body.split_whitespace().collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(joined)
            .unwrap();
        return String::from_utf8(bytes).unwrap();
    }
    if head.contains("content-transfer-encoding: quoted-printable") {
        let soft = body.replace("=\r\n", "");
        let mut out = Vec::new();
        let b = soft.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'=' && i + 2 < b.len() {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        return String::from_utf8(out).unwrap();
    }
    body.to_string()
}

/// Each admin and moderator gets the week's digest on Monday at 08:00 (Paris), once, in
/// their language, with the pyramid and a link to the dashboards.
#[tokio::test]
async fn the_weekly_digest_reaches_each_admin_once() {
    on_both(|w| async move {
        let outbox = tempfile::tempdir().unwrap();
        let s = Services::new(
            w.store.clone(),
            Mailer::to_dir(outbox.path(), "Parvis <parvis@localhost>").unwrap(),
            ServiceConfig::default(),
        );
        let now = now_millis();
        assert_eq!(
            s.plan_measure_digests(now).await.unwrap(),
            1,
            "one space, one admin"
        );
        assert_eq!(
            s.plan_measure_digests(now + 1).await.unwrap(),
            0,
            "planned once"
        );
        let at = parvis_services::measure::digest::next_digest_at(now);
        assert_eq!(
            s.run_due_jobs(at - 1_000).await.unwrap(),
            0,
            "not before Monday 08:00"
        );
        assert_eq!(s.run_due_jobs(at).await.unwrap(), 1);
        assert_eq!(
            s.run_due_jobs(at + 3_600_000).await.unwrap(),
            0,
            "never twice"
        );
        let mails: Vec<String> = std::fs::read_dir(outbox.path())
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect();
        assert_eq!(mails.len(), 1);
        assert!(mails[0].contains("To: admin@host.example"), "{}", mails[0]);
        let text = mail_text(&mails[0]);
        assert!(text.contains("Bonjour ADMIN"), "{text}");
        assert!(
            text.contains("- Engagés\u{a0}: 1 (+1)"),
            "bob, who was not engaged before: {text}"
        );
        assert!(text.contains("/s/forum/measures"), "{text}");
        // A planned digest for someone who is no longer staff is done without a mail.
        let next = parvis_services::measure::digest::next_digest_at(at);
        assert_eq!(s.plan_measure_digests(at).await.unwrap(), 1);
        w.store
            .set_site_role(w.admin.member.id, SiteRole::Member)
            .await
            .unwrap();
        assert_eq!(s.run_due_jobs(next).await.unwrap(), 1);
        assert_eq!(std::fs::read_dir(outbox.path()).unwrap().count(), 1);
    })
    .await;
}

/// Events: a session's registrations, attendance, leads (contact consent), conversions
/// attributed through its embed, the cost an admin enters, and ROI; the topic's series adds
/// its sessions up.
#[tokio::test]
async fn events_count_what_a_session_brought_against_its_cost() {
    use parvis_services::registrations::RegistrationConsents;
    use parvis_services::sessions::SessionInput;
    on_both(|w| async move {
        let space = w.s.space("forum").await.unwrap();
        let topic =
            w.s.create_topic(&w.admin, &space, Some("prix"), "Prix", "", &[])
                .await
                .unwrap();
        let input = SessionInput {
            title: "Débat des prix".into(),
            description: String::new(),
            starts_at: "2099-03-01T18:30".into(),
            duration_min: 90,
            time_zone: None,
            mode: "online".into(),
            place: String::new(),
            online_url: "https://meet.example/prix".into(),
            access_code: None,
            capacity: None,
            partners: String::new(),
            moderators: vec![],
            speakers: vec![],
            agenda: vec![],
        };
        let id =
            w.s.create_session(&w.admin, &space, &topic, &input)
                .await
                .unwrap()
                .session
                .id;
        let contact = RegistrationConsents {
            contact: true,
            share: false,
            meet: false,
        };
        w.s.register_member(&w.alice, id, contact).await.unwrap();
        w.s.register_member(&w.bob, id, RegistrationConsents::default())
            .await
            .unwrap();
        let now = now_millis();
        let alice = format!("m{}", w.alice.member.id.0);
        w.store
            .record_attendance(id, &alice, "online", now)
            .await
            .unwrap();
        w.store
            .record_attendance(id, &alice, "room", now)
            .await
            .unwrap();
        w.store
            .record_click(&parvis_store::NewClick {
                click_id: "click-1".into(),
                space_id: space.id,
                embed_key: format!("session/{id}"),
                host: "blog.example".into(),
                visitor: "v".into(),
                target_url: "https://org.example/inscription".into(),
                created_at: now,
            })
            .await
            .unwrap();
        w.store
            .record_conversion(&parvis_store::NewConversion {
                space_id: space.id,
                click_id: "click-1".into(),
                kind: "registration".into(),
                value_cents: 300_000,
                transaction_id: "tx-1".into(),
                source: "server".into(),
                created_at: now,
            })
            .await
            .unwrap();
        // Only admins enter a cost, as an amount.
        assert!(matches!(
            w.s.set_session_cost(&w.alice, "forum", id, "10").await,
            Err(ServiceError::Forbidden(_))
        ));
        let bad = w.s.set_session_cost(&w.admin, "forum", id, "douze").await;
        assert!(matches!(bad, Err(ServiceError::Validation(ref v)) if v.field == "cost"));
        assert!(matches!(
            w.s.set_session_cost(&w.admin, "forum", id + 1000, "10")
                .await,
            Err(ServiceError::NotFound(_))
        ));
        w.s.set_session_cost(&w.admin, "forum", id, "1 200")
            .await
            .unwrap();
        let d = w.s.measures(&w.admin, "forum").await.unwrap();
        let e = &d.events.sessions[0];
        assert_eq!(e.title, "Débat des prix");
        let c = e.figures.counts;
        assert_eq!(
            (c.registered, c.confirmed, c.leads),
            (2, 2, 1),
            "bob gave no consent"
        );
        assert_eq!((c.attended_room, c.attended_online, c.attended), (1, 1, 1));
        assert_eq!((c.conversions, c.value_cents), (1, 300_000));
        assert_eq!(c.cost_cents, Some(120_000));
        assert_eq!(e.figures.roi, Some(1.5), "(3,000 − 1,200) / 1,200");
        assert_eq!(e.figures.attendance_rate, Some(0.5));
        assert_eq!(d.events.series.len(), 1);
        assert_eq!(d.events.series[0].topic, "Prix");
        // A withdrawn contact consent no longer counts as a lead.
        w.s.set_member_registration_consents(&w.alice, id, RegistrationConsents::default())
            .await
            .unwrap();
        w.s.set_session_cost(&w.admin, "forum", id, "")
            .await
            .unwrap();
        let d = w.s.measures(&w.admin, "forum").await.unwrap();
        let f = &d.events.sessions[0].figures;
        assert_eq!(
            (f.counts.leads, f.counts.cost_cents, f.roi),
            (0, None, None)
        );
    })
    .await;
}

/// Warming at start-up computes every space's dashboard, so the first view is served from it
/// instead of being computed while the reader waits.
#[tokio::test]
async fn dashboards_warmed_at_start_up_serve_the_first_view_at_once() {
    on_both(|w| async move {
        assert_eq!(w.s.warm_dashboards().await.unwrap(), 1);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let before_view = now_millis();
        let d = w.s.measures(&w.admin, "forum").await.unwrap();
        assert!(
            d.generated_at < before_view,
            "the first view is the warmed snapshot, not a computation"
        );
        assert_eq!(count(&d, Level::Contributor), 1, "alice");
    })
    .await;
}

/// Dave joins and writes after the snapshot was computed; the aggregate is brought up to date
/// but nothing tells the services (no content version bump), so only a dashboard computed
/// from the store would count him.
async fn dave_writes_unseen(w: &World) {
    let dave = w
        .store
        .create_member(&person("dave", SiteRole::Member))
        .await
        .unwrap();
    w.store
        .add_message(&msg(w.thread, w.first, dave, now_millis(), "Moi aussi."))
        .await
        .unwrap();
    let space = w.store.space_by_slug("forum").await.unwrap().unwrap();
    w.store
        .measure_refresh(space.id.0, now_millis())
        .await
        .unwrap();
}

/// Warming also computes the views of the segments the picker offers, so the first view of a
/// segment after a start is served from memory instead of computed while the reader waits.
#[tokio::test]
async fn segment_views_are_ready_after_warm_up() {
    on_both(|w| async move {
        assert_eq!(w.s.warm_dashboards().await.unwrap(), 1);
        dave_writes_unseen(&w).await;
        for key in ["channel:parvis", "origin:native", "ecosystem_role:customer"] {
            let d = w.s.measures_in(&w.admin, "forum", key).await.unwrap();
            assert_eq!(d.segment.as_deref(), Some(key));
            assert_eq!(
                count(&d, Level::Contributor),
                1,
                "{key}: alice only, as computed at warm-up (dave came later)"
            );
            assert_eq!(count(&d, Level::Engaged), 1, "{key}: bob");
        }
        let imported =
            w.s.measures_in(&w.admin, "forum", "origin:imported")
                .await
                .unwrap();
        assert_eq!(
            imported.pyramid.iter().map(|c| c.count).sum::<u64>(),
            0,
            "nothing imported"
        );
    })
    .await;
}

/// A settings change that only reclassifies the same counts (thresholds, weights, staff
/// exclusion) is applied to the kept snapshot at once, segments included; one that changes
/// what is counted (the period length) makes the next view compute again.
#[tokio::test]
async fn a_settings_change_reclassifies_the_dashboard_at_once() {
    on_both(|w| async move {
        // Warmed as at start-up: the snapshot and its segment base are read before Dave writes
        // (a first view would read the base in the background, maybe after him).
        w.s.warm_dashboards().await.unwrap();
        let before = w.s.measures(&w.admin, "forum").await.unwrap();
        assert_eq!(count(&before, Level::Engaged), 1, "bob");
        dave_writes_unseen(&w).await;
        let mut settings = MeasureSettings::default();
        settings.thresholds.answers = 10;
        settings.thresholds.exclude_staff = false;
        settings.score.answer = 0.0;
        settings.score.post = 0.0;
        w.s.set_measure_settings(&w.admin, "forum", &settings)
            .await
            .unwrap();
        let d = w.s.measures(&w.admin, "forum").await.unwrap();
        assert_eq!(d.settings.thresholds.answers, 10);
        assert_eq!(d.generated_at, before.generated_at, "the same counts");
        assert_eq!(count(&d, Level::Engaged), 0, "bob answered 3 times, not 10");
        assert_eq!(
            count(&d, Level::Contributor),
            3,
            "alice, bob and the admin (staff now included); dave is not counted yet"
        );
        let carol_first = d.top_scores.first().map(|s| s.handle.as_str());
        assert_eq!(carol_first, Some("carol"), "only reactions weigh now");
        let seg =
            w.s.measures_in(&w.admin, "forum", "channel:parvis")
                .await
                .unwrap();
        assert_eq!(
            (count(&seg, Level::Engaged), count(&seg, Level::Contributor)),
            (0, 3),
            "the segment follows the new thresholds"
        );

        // A new period length changes what is counted: the last figures are served at once,
        // saying they are being recomputed, until the new ones are ready.
        settings.thresholds.window_weeks = 8;
        w.s.set_measure_settings(&w.admin, "forum", &settings)
            .await
            .unwrap();
        let d = w.s.measures(&w.admin, "forum").await.unwrap();
        assert!(
            d.recomputing || d.settings.thresholds.window_weeks == 8,
            "never the previous figures without saying so"
        );
        if d.recomputing {
            assert_eq!(d.generated_at, before.generated_at);
            assert_eq!(
                d.settings.thresholds.window_weeks, 13,
                "the figures' own settings"
            );
        }
        let mut fresh = None;
        for _ in 0..400 {
            let d = w.s.measures(&w.admin, "forum").await.unwrap();
            if !d.recomputing {
                fresh = Some(d);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        let d = fresh.expect("recomputed in the background");
        assert_eq!(d.settings.thresholds.window_weeks, 8);
        assert!(d.generated_at > before.generated_at, "computed again");
        assert_eq!(count(&d, Level::Contributor), 4, "dave now counts");
    })
    .await;
}
