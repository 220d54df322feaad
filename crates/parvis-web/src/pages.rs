//! Server-rendered pages. Each handler: extract, call the services, render one template.
//! Forms post and redirect (303) so a reload never re-submits.

use crate::context::{Ctx, LANG_COOKIE, SESSION_COOKIE, cookie};
use crate::error::{ApiError, PageError};
use crate::forms::{failed, field_errors, unprocessable};
use crate::{AppState, i18n};
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::{Environment, Value, context};
use parvis_domain::*;
use parvis_services::ServiceError;
use serde::Deserialize;

/// Every template, by name (also read by the i18n test).
pub(crate) const TEMPLATE_SOURCES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("home.html", include_str!("../templates/home.html")),
    ("space.html", include_str!("../templates/space.html")),
    ("thread.html", include_str!("../templates/thread.html")),
    ("members.html", include_str!("../templates/members.html")),
    ("member.html", include_str!("../templates/member.html")),
    ("signin.html", include_str!("../templates/signin.html")),
    (
        "signin_link.html",
        include_str!("../templates/signin_link.html"),
    ),
    ("me.html", include_str!("../templates/me.html")),
    ("admin.html", include_str!("../templates/admin.html")),
    (
        "admin_members.html",
        include_str!("../templates/admin_members.html"),
    ),
    (
        "admin_space.html",
        include_str!("../templates/admin_space.html"),
    ),
    (
        "admin_topic.html",
        include_str!("../templates/admin_topic.html"),
    ),
    ("error.html", include_str!("../templates/error.html")),
    ("activity.html", include_str!("../templates/activity.html")),
    (
        "identities.html",
        include_str!("../templates/identities.html"),
    ),
    ("import.html", include_str!("../templates/import.html")),
    ("opinion.html", include_str!("../templates/opinion.html")),
    ("search.html", include_str!("../templates/search.html")),
    ("feed.html", include_str!("../templates/feed.html")),
    (
        "admin_embeds.html",
        include_str!("../templates/admin_embeds.html"),
    ),
    (
        "embed_frame.html",
        include_str!("../templates/embed_frame.html"),
    ),
];

/// The template environment, built once at start-up. Names end in `.html`, so minijinja
/// escapes every value unless a template says `|safe` (only for sanitized message HTML).
pub(crate) fn templates() -> Environment<'static> {
    let mut env = Environment::new();
    for (name, src) in TEMPLATE_SOURCES
        .iter()
        .chain([&crate::privacy::TEMPLATE])
        .chain(crate::measures::TEMPLATES)
        .chain(crate::live::TEMPLATES)
        .chain(crate::sessions::TEMPLATES)
        .chain(crate::content::TEMPLATES)
        .chain(crate::embed::TEMPLATES)
    {
        if let Err(e) = env.add_template(name, src) {
            tracing::error!(template = name, error = %e, "template does not compile");
        }
    }
    env.add_filter("date", |ms: i64, lang: String| {
        format_date(ms, Lang::from_code(&lang).unwrap_or_default())
    });
    env.add_filter("day", |ms: i64, lang: String| {
        format_day(ms, Lang::from_code(&lang).unwrap_or_default())
    });
    env.add_filter("avatar", |handle: String| {
        format!(
            "av-{}",
            handle
                .bytes()
                .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32))
                % 12
        )
    });
    env.add_filter("initials", |name: String| {
        name.split_whitespace()
            .filter_map(|w| w.chars().next())
            .take(2)
            .collect::<String>()
            .to_uppercase()
    });
    // `{{ n|num(lang) }}`: 10 000 in French, 10,000 in English.
    env.add_filter("num", |n: i64, lang: String| {
        Lang::from_code(&lang).unwrap_or_default().number(n)
    });
    // `{{ n|plural(lang, t.result_one, t.results) }}`: the word that goes with `n`.
    env.add_filter(
        "plural",
        |n: i64, lang: String, one: String, other: String| {
            if Lang::from_code(&lang).unwrap_or_default().is_singular(n) {
                one
            } else {
                other
            }
        },
    );
    // `{{ n|count(lang, "n_results") }}`: the number and its word in the plural Fluent's rules
    // choose for the language ("0 résultat", "2 results").
    env.add_filter("count", |n: i64, lang: String, key: String| {
        i18n::get_n(Lang::from_code(&lang).unwrap_or_default(), &key, n)
    });
    // `{{ title|quoted(lang) }}`: « title » in French, “title” in English.
    env.add_filter("quoted", |s: String, lang: String| {
        quoted(Lang::from_code(&lang).unwrap_or_default(), &s)
    });
    env.add_filter("excerpt", |md: String, n: usize| markdown::excerpt(&md, n));
    // `{{ x|dec(lang) }}`: a mean rounded to two decimals, "7,5" in French, "7.5" in English.
    // A filter, not a template macro: the scorecard shows four per entry, and a macro call
    // each was a measurable share of the page (BENCHMARKS.md, Challenges).
    env.add_filter("dec", |x: f64, lang: String| {
        let s = Value::from((x * 100.0).round() / 100.0).to_string();
        if lang == "fr" { s.replace('.', ",") } else { s }
    });
    // `{{ name|named(lang, "delete_member_account") }}`: a message around a name, French
    // eliding before it ("Supprimer le compte d'Anna").
    env.add_filter("named", |name: String, lang: String, key: String| {
        i18n::named(Lang::from_code(&lang).unwrap_or_default(), &key, &name)
    });
    // `{{ share|pct(lang) }}`: a share (0.855) as a percentage, "85,5 %" in French (a no-break
    // space before %), "85.5%" in English; "—" for none.
    env.add_filter("pct", |share: Option<f64>, lang: String| match share {
        Some(x) => percent(Lang::from_code(&lang).unwrap_or_default(), x),
        None => "—".to_string(),
    });
    env
}

/// A share as a percentage in the reader's typography, to one decimal when it has one:
/// 0.855 is "85,5 %" in French (no-break space) and "85.5%" in English, 1.0 is "100 %"/"100%".
pub(crate) fn percent(lang: Lang, share: f64) -> String {
    let tenths = (share * 1000.0).round() as i64;
    let whole = tenths / 10;
    let frac = (tenths % 10).abs();
    let sign = if tenths < 0 && whole == 0 { "-" } else { "" };
    let mark = if lang == Lang::Fr { "," } else { "." };
    let number = if frac == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}{mark}{frac}")
    };
    match lang {
        Lang::Fr => format!("{number}\u{a0}%"),
        Lang::En => format!("{number}%"),
    }
}

/// Cents as the reader writes money, grouped, always with two decimals: "1 200,50" in French
/// (narrow no-break space), "1,200.50" in English. The currency is the organisation's and
/// not known here, so none is written. Not for exports: CSV keeps "1200.50".
pub(crate) fn money(lang: Lang, cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let (units, rest) = (cents.abs() / 100, cents.abs() % 100);
    let mark = if lang == Lang::Fr { ',' } else { '.' };
    format!("{sign}{}{mark}{rest:02}", lang.number(units))
}

/// Words quoted in the reader's typography: « … » in French, “…” in English.
pub(crate) fn quoted(lang: Lang, s: &str) -> String {
    match lang {
        Lang::Fr => format!("« {s} »"),
        Lang::En => format!("“{s}”"),
    }
}

const MONTHS_FR: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc.",
];
const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn parts(ms: i64) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000).ok()
}

/// "4 mars 2026" / "Mar 4, 2026"; the first of the month is "1er juil." in French.
pub(crate) fn format_day(ms: i64, lang: Lang) -> String {
    let Some(t) = parts(ms) else {
        return String::new();
    };
    let m = t.month() as usize - 1;
    match lang {
        Lang::Fr if t.day() == 1 => format!("1er {} {}", MONTHS_FR[m], t.year()),
        Lang::Fr => format!("{} {} {}", t.day(), MONTHS_FR[m], t.year()),
        Lang::En => format!("{} {}, {}", MONTHS_EN[m], t.day(), t.year()),
    }
}

/// "4 mars 2026 à 09:12" / "Mar 4, 2026, 09:12" (UTC).
pub(crate) fn format_date(ms: i64, lang: Lang) -> String {
    let Some(t) = parts(ms) else {
        return String::new();
    };
    let sep = if lang == Lang::Fr { " à " } else { ", " };
    format!(
        "{}{sep}{:02}:{:02}",
        format_day(ms, lang),
        t.hour(),
        t.minute()
    )
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/s/{space}", get(space_page))
        .route("/s/{space}/t/{topic}", get(topic_page))
        .route("/s/{space}/threads", post(new_thread))
        .route("/threads/{id}", get(thread_page))
        .route("/threads/{id}/reply", post(reply))
        .route("/messages/{id}/react", post(react))
        .route("/members", get(members_page))
        .route("/members/{handle}", get(member_page))
        .route("/signin", get(signin_page).post(signin_password))
        .route("/signin/link", post(signin_link))
        .route("/auth/link/{token}", get(confirm_link).post(use_link))
        .route("/signout", post(signout))
        .route("/me", get(me_page))
        .route("/me/profile", post(me_profile))
        .route("/me/consents", post(me_consents))
        .route("/me/identities", post(me_identity))
        .route("/me/password", post(me_password))
        .route("/me/tokens", post(me_token))
        .route("/me/tokens/{id}/revoke", post(me_revoke_token))
        .route("/lang/{code}", get(set_lang))
        .route("/s/{space}/activity", get(activity_page))
        .route("/s/{space}/search", get(search_page))
        .route("/feed", get(feed_redirect))
        .route("/members/{handle}/intro", post(request_intro))
        .route("/intro-requests/{id}/decide", post(decide_intro))
        .route("/s/{space}/feed", get(feed_page))
        .route("/s/{space}/feed/feedback", post(feed_feedback))
        .route("/s/{space}/t/{topic}/opinion", get(opinion_page))
        .route("/s/{space}/t/{topic}/opinion.json", get(opinion_json))
        .route("/s/{space}/t/{topic}/opinion.csv", get(opinion_csv))
        .route("/s/{space}/t/{topic}/opinion/map.svg", get(opinion_svg))
        .route(
            "/s/{space}/t/{topic}/opinion/statements",
            post(submit_statement),
        )
        .route("/statements/{id}/vote", post(vote))
        .route("/statements/{id}/moderate", post(moderate))
        .route("/admin/identities", get(identities_page))
        .route("/admin/proposals/{id}/accept", post(accept_proposal))
        .route("/admin/proposals/{id}/reject", post(reject_proposal))
        .route("/admin/merges/{id}/undo", post(undo_merge))
        .route(
            "/admin/import",
            get(import_page)
                .post(import_upload)
                .layer(axum::extract::DefaultBodyLimit::max(IMPORT_MAX_BYTES)),
        )
}

pub(crate) type PageResult = Result<Response, PageError>;

/// Render a template with the context every page shares.
pub(crate) fn render(st: &AppState, ctx: &Ctx, name: &str, extra: Value) -> PageResult {
    render_status(st, ctx, name, extra, StatusCode::OK)
}

pub(crate) fn render_status(
    st: &AppState,
    ctx: &Ctx,
    name: &str,
    extra: Value,
    status: StatusCode,
) -> PageResult {
    let base = base_context(st, ctx);
    // Pages that can be embedded announce their oEmbed endpoint (discovery).
    let (oembed, embed) = match status {
        StatusCode::OK => (
            crate::embed::discovery_url(st, &ctx.path),
            crate::embed::snippet(st, &ctx.path),
        ),
        _ => (None, None),
    };
    // The discovery link is read by consumers that decode only `&amp;`-style entities, not
    // minijinja's `&#x2f;` (WordPress's `htmlspecialchars_decode`): escape it ourselves, for an
    // attribute, leaving `/` alone.
    let oembed = oembed.map(|u| Value::from_safe_string(crate::charts::esc(&u)));
    let base = context! { oembed_url => oembed, embed => embed, ..base };
    let html = st
        .templates
        .get_template(name)
        .and_then(|t| t.render(context! { ..extra, ..base }))
        .map_err(|e| {
            tracing::error!(template = name, error = %e, "render failed");
            PageError {
                api: Box::new(ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "render",
                    "Render failed",
                    "this page could not be drawn",
                )),
                lang: ctx.lang,
                html: None,
            }
        })?;
    let mut res = (status, Html(html)).into_response();
    if let Some(c) = ctx.csrf_cookie() {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// Turn a service error into an error page in the visitor's language.
pub(crate) fn fail<'a>(st: &'a AppState, ctx: &'a Ctx) -> impl Fn(ServiceError) -> PageError + 'a {
    move |e| {
        // Input errors have a sentence in the reader's language (the service's is English).
        let said =
            crate::forms::field_errors(ctx.lang, &e).and_then(|errors| errors.into_values().next());
        error_page(st, ctx, ApiError::from(e), said)
    }
}

/// What every page's template sees: language, strings, the signed-in member, CSRF token.
/// The interface strings as a template value, built once per language. Rebuilt on every
/// page, the map of ~800 strings was a large share of a page's time (profiled on the space
/// page); a `Value` map is shared, so handing it out is a reference count.
pub(crate) fn strings(lang: Lang) -> Value {
    static TABLES: std::sync::OnceLock<[Value; 2]> = std::sync::OnceLock::new();
    let [fr, en] =
        TABLES.get_or_init(|| [Lang::Fr, Lang::En].map(|l| Value::from_serialize(i18n::table(l))));
    if lang == Lang::Fr {
        fr.clone()
    } else {
        en.clone()
    }
}

pub(crate) fn base_context(st: &AppState, ctx: &Ctx) -> Value {
    context! {
        lang => ctx.lang.code(),
        other_lang => if ctx.lang == Lang::Fr { "en" } else { "fr" },
        t => strings(ctx.lang),
        me => ctx.actor.as_ref().map(|a| Value::from_serialize(&a.member)),
        is_admin => ctx.actor.as_ref().is_some_and(|a| a.member.site_role.is_admin()),
        csrf => ctx.csrf.clone(),
        site_name => st.config.site_name.clone(),
        request_path => ctx.path.clone(),
        reaction_kinds => ReactionKind::ALL.iter().map(|k| context!{ name => k.as_str(), emoji => k.emoji() }).collect::<Vec<_>>(),
        eco_roles => EcosystemRole::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        site_roles => SiteRole::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
    }
}

pub(crate) fn fail_api(st: &AppState, ctx: &Ctx, api: ApiError) -> PageError {
    error_page(st, ctx, api, None)
}

/// The error page; `said` is the error in the reader's language when there is one.
fn error_page(st: &AppState, ctx: &Ctx, api: ApiError, said: Option<String>) -> PageError {
    let status = api.status;
    let page = st
        .templates
        .get_template("error.html")
        .and_then(|t| {
            t.render(context! { status => status.as_u16(), code => api.code, detail => api.detail.clone(), said => said, field => api.field.clone(), ..base_context(st, ctx) })
        })
        .ok();
    PageError {
        api: Box::new(api),
        lang: ctx.lang,
        html: page,
    }
}

pub(crate) fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// A redirect target from a form: only paths on this site (never `//evil.example`).
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        // Browsers drop tabs and newlines inside URLs, so "/\t/evil.example" would become
        // "//evil.example": refuse every control character and blank, not just the obvious.
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(|c| c.is_control() || c.is_whitespace()) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

pub(crate) async fn not_found(State(st): State<AppState>, ctx: Ctx) -> PageError {
    fail_api(
        &st,
        &ctx,
        ApiError::not_found("there is no page at this address"),
    )
}

#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    pub(crate) page: Option<u32>,
    pub(crate) q: Option<String>,
    pub(crate) ok: Option<String>,
    pub(crate) sent: Option<String>,
    pub(crate) next: Option<String>,
}

async fn home(State(st): State<AppState>, ctx: Ctx) -> PageResult {
    home_view(&st, &ctx, Value::UNDEFINED).await
}

/// The home page; `failed` is the create-a-space form shown again with its errors.
pub(crate) async fn home_view(st: &AppState, ctx: &Ctx, failed: Value) -> PageResult {
    let (st, ctx) = (st.clone(), ctx.clone());
    // Archived spaces and topics leave the home page (they stay readable at their address).
    let spaces: Vec<Space> = st
        .services
        .spaces()
        .await
        .map_err(fail(&st, &ctx))?
        .into_iter()
        .filter(|s| s.archived_at.is_none())
        .collect();
    let mut cards = Vec::new();
    for s in &spaces {
        let mut topics = st.services.topics(s).await.map_err(fail(&st, &ctx))?;
        topics.retain(|t| t.archived_at.is_none());
        let recent = st
            .services
            .threads(s, None, PageRequest::new(Some(1), Some(4), 4))
            .await
            .map_err(fail(&st, &ctx))?;
        cards.push(context! { space => Value::from_serialize(s), topics => Value::from_serialize(&topics), recent => Value::from_serialize(&recent.items), thread_total => recent.total });
    }
    render(
        &st,
        &ctx,
        "home.html",
        context! { cards => cards, failed => failed },
    )
}

async fn space_view(
    st: &AppState,
    ctx: &Ctx,
    slug: &str,
    topic: Option<&str>,
    page: Option<u32>,
    failed: Value,
) -> PageResult {
    let parvis_store::SpacePage {
        space,
        mut topics,
        current,
        threads,
    } = st
        .services
        .space_page(slug, topic, PageRequest::new(page, None, 20))
        .await
        .map_err(fail(st, ctx))?;
    topics.retain(|t| t.archived_at.is_none() || topic == Some(t.slug.as_str()));
    // A topic's sessions: upcoming soonest first, past newest first.
    let (mut upcoming, mut past) = (Vec::new(), Vec::new());
    if let Some(t) = &current {
        let now = now_millis();
        for s in st.services.topic_series(t).await.map_err(fail(st, ctx))? {
            let local = parvis_services::sessions::millis_to_local(s.starts_at, &s.time_zone);
            let item =
                context! { s => Value::from_serialize(&s), local => local.replace('T', " ") };
            if s.closed_at.is_none() && s.starts_at + s.duration_min * 60_000 > now {
                upcoming.push(item);
            } else {
                past.push(item);
            }
        }
        past.reverse();
    }
    let can_schedule = ctx
        .actor
        .as_ref()
        .is_some_and(|a| a.member.site_role.can_moderate());
    render(
        st,
        ctx,
        "space.html",
        context! {
            sessions_upcoming => upcoming,
            sessions_past => past,
            can_schedule => can_schedule,
            space => Value::from_serialize(&space),
            topics => Value::from_serialize(&topics),
            topic => current.as_ref().map(Value::from_serialize),
            threads => Value::from_serialize(&threads),
            has_next => threads.has_next(),
            failed => failed,
        },
    )
}

async fn space_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    space_view(&st, &ctx, &space, None, q.page, Value::UNDEFINED).await
}

async fn topic_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, topic)): Path<(String, String)>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    space_view(&st, &ctx, &space, Some(&topic), q.page, Value::UNDEFINED).await
}

#[derive(Deserialize, serde::Serialize)]
struct NewThreadForm {
    csrf: String,
    title: String,
    body: String,
    #[serde(default)]
    topic: String,
}

async fn new_thread(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Form(f): Form<NewThreadForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    let topic = match f.topic.trim() {
        "" => None,
        t => Some(
            st.services
                .topic(&space, t)
                .await
                .map_err(fail(&st, &ctx))?,
        ),
    };
    match st
        .services
        .create_thread(actor, &space, topic.as_ref(), &f.title, &f.body)
        .await
    {
        Ok(thread) => Ok(see_other(&format!("/threads/{}", thread.id))),
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) => unprocessable(
                space_view(
                    &st,
                    &ctx,
                    &space.slug,
                    topic.as_ref().map(|t| t.slug.as_str()),
                    None,
                    failed("thread", &f, errors),
                )
                .await,
            ),
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

async fn thread_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let id = ThreadId(
        id.parse()
            .map_err(|_| fail_api(&st, &ctx, ApiError::not_found(format!("thread {id:?}"))))?,
    );
    thread_view(&st, &ctx, id, q.page, Value::UNDEFINED).await
}

/// A page of a thread; `failed` is a reply form shown again with its errors.
async fn thread_view(
    st: &AppState,
    ctx: &Ctx,
    id: ThreadId,
    page: Option<u32>,
    failed: Value,
) -> PageResult {
    let (st, ctx) = (st.clone(), ctx.clone());
    let thread = st.services.thread(id).await.map_err(fail(&st, &ctx))?;
    let space = st
        .services
        .store()
        .space_by_id(thread.space_id)
        .await
        .map_err(|e| fail(&st, &ctx)(e.into()))?;
    let mut messages = st
        .services
        .messages(id, PageRequest::new(page, None, 50))
        .await
        .map_err(fail(&st, &ctx))?;
    // Remote images (tracking pixels) become links naming their host; the CSP blocks any
    // that would slip through.
    let t = crate::i18n::table(ctx.lang);
    for m in &mut messages.items {
        m.body_html = parvis_domain::markdown::defer_remote_images(&m.body_html, |host, alt| {
            let alt = if alt.is_empty() {
                String::new()
            } else {
                format!("{} · ", quoted(ctx.lang, alt))
            };
            format!(
                "{alt}{} {host} — {}",
                t["remote_image"], t["remote_image_open"]
            )
        });
    }
    render(
        &st,
        &ctx,
        "thread.html",
        context! {
            thread => Value::from_serialize(&thread),
            space => space.as_ref().map(Value::from_serialize),
            messages => Value::from_serialize(&messages),
            has_next => messages.has_next(),
            failed => failed,
        },
    )
}

#[derive(Deserialize, serde::Serialize)]
struct ReplyForm {
    csrf: String,
    body: String,
    #[serde(default)]
    parent_id: String,
}

async fn reply(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ReplyForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let parent = f.parent_id.trim().parse::<i64>().ok().map(MessageId);
    let mid = match st
        .services
        .reply(actor, ThreadId(id), parent, &f.body)
        .await
    {
        Ok(mid) => mid,
        Err(e) => {
            return match field_errors(ctx.lang, &e) {
                // Shown again on the thread's last page, where the reply form is.
                Some(errors) => {
                    let last = st
                        .services
                        .thread(ThreadId(id))
                        .await
                        .map(|t| ((t.message_count + 49) / 50).max(1) as u32)
                        .unwrap_or(1);
                    unprocessable(
                        thread_view(
                            &st,
                            &ctx,
                            ThreadId(id),
                            Some(last),
                            failed("reply", &f, errors),
                        )
                        .await,
                    )
                }
                None => Err(fail(&st, &ctx)(e)),
            };
        }
    };
    // Land on the last page, where the new message is.
    let total = st
        .services
        .thread(ThreadId(id))
        .await
        .map(|t| t.message_count)
        .unwrap_or(1);
    let page = (total + 49) / 50;
    Ok(see_other(&format!("/threads/{id}?page={page}#m{mid}")))
}

#[derive(Deserialize)]
struct ReactForm {
    csrf: String,
    kind: String,
    #[serde(default)]
    page: Option<u32>,
}

async fn react(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ReactForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let kind = ReactionKind::parse("kind", &f.kind).map_err(|e| fail(&st, &ctx)(e.into()))?;
    let thread = st
        .services
        .react(actor, MessageId(id), kind, true)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other(&format!(
        "/threads/{thread}?page={}#m{id}",
        f.page.unwrap_or(1)
    )))
}

async fn members_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let query = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let members = st
        .services
        .members(
            ctx.actor.as_ref(),
            query,
            PageRequest::new(q.page, Some(24), 24),
        )
        .await
        .map_err(fail(&st, &ctx))?;
    render(
        &st,
        &ctx,
        "members.html",
        context! { members => Value::from_serialize(&members), q => query, has_next => members.has_next() },
    )
}

async fn member_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(handle): Path<String>,
) -> PageResult {
    let member = st
        .services
        .member(ctx.actor.as_ref(), &handle)
        .await
        .map_err(fail(&st, &ctx))?;
    let intro_paths = match &ctx.actor {
        Some(a) if a.member.id != member.id => st
            .services
            .intro_paths(a, &member.handle, 3)
            .await
            .map_err(fail(&st, &ctx))?,
        _ => Vec::new(),
    };
    let content = st
        .services
        .member_content(ctx.actor.as_ref(), member.id)
        .await
        .map_err(fail(&st, &ctx))?;
    render(
        &st,
        &ctx,
        "member.html",
        context! { member => Value::from_serialize(&member), intro_paths => Value::from_serialize(&intro_paths),
        content => Value::from_serialize(&content) },
    )
}

async fn signin_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> PageResult {
    render(
        &st,
        &ctx,
        "signin.html",
        context! { next => safe_next(q.next.as_deref()), sent => q.sent.is_some() },
    )
}

#[derive(Deserialize)]
struct SignInForm {
    csrf: String,
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
}

fn with_session(mut res: Response, ctx: &Ctx, token: &str, max_age: i64) -> Response {
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie(SESSION_COOKIE, token, Some(max_age), ctx.secure_cookies),
    );
    res
}

async fn signin_password(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(f): Form<SignInForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let signed = st
        .services
        .sign_in_password(&f.email, &f.password, &ctx.client)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(with_session(
        see_other(&safe_next(f.next.as_deref())),
        &ctx,
        &signed.session_token,
        signed.max_age_secs,
    ))
}

async fn signin_link(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(f): Form<SignInForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    st.services
        .request_magic_link(&f.email, &ctx.client, ctx.lang)
        .await
        .map_err(fail(&st, &ctx))?;
    let next = safe_next(f.next.as_deref());
    let mut res = see_other("/signin?sent=1");
    // Where to land once the link is used: kept in this browser for the link's lifetime (the
    // link itself stays a bare token, and opened elsewhere it simply lands on the home page).
    if next != "/" {
        let value =
            percent_encoding::utf8_percent_encode(&next, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        res.headers_mut().append(
            header::SET_COOKIE,
            cookie(NEXT_COOKIE, &value, Some(30 * 60), ctx.secure_cookies),
        );
    }
    Ok(res)
}

/// The cookie that remembers where a sign-in link should land.
const NEXT_COOKIE: &str = "parvis_next";

/// The page a sign-in link opens. It only asks for a click: mail scanners and link
/// previewers open links with a plain GET, and would otherwise spend the one-time link
/// before its owner does.
async fn confirm_link(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> PageResult {
    render(&st, &ctx, "signin_link.html", context! { token => token })
}

async fn use_link(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    headers: axum::http::HeaderMap,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let signed = st
        .services
        .sign_in_link(&token)
        .await
        .map_err(fail(&st, &ctx))?;
    let next = crate::context::read_cookie(&headers, NEXT_COOKIE).and_then(|v| {
        percent_encoding::percent_decode_str(&v)
            .decode_utf8()
            .ok()
            .map(|s| s.into_owned())
    });
    let mut res = with_session(
        see_other(&safe_next(next.as_deref())),
        &ctx,
        &signed.session_token,
        signed.max_age_secs,
    );
    if next.is_some() {
        res.headers_mut().append(
            header::SET_COOKIE,
            cookie(NEXT_COOKIE, "gone", Some(0), ctx.secure_cookies),
        );
    }
    Ok(res)
}

#[derive(Deserialize)]
pub(crate) struct CsrfOnly {
    pub(crate) csrf: String,
}

async fn signout(State(st): State<AppState>, ctx: Ctx, Form(f): Form<CsrfOnly>) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    if let Some(t) = &ctx.session_token {
        st.services.sign_out(t).await.map_err(fail(&st, &ctx))?;
    }
    let mut res = see_other("/");
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie(SESSION_COOKIE, "gone", Some(0), ctx.secure_cookies),
    );
    Ok(res)
}

async fn me_view(
    st: &AppState,
    ctx: &Ctx,
    new_token: Option<String>,
    ok: bool,
    failed: Value,
) -> PageResult {
    let actor = ctx.actor().map_err(fail(st, ctx))?;
    let member = st
        .services
        .member(Some(actor), &actor.member.handle)
        .await
        .map_err(fail(st, ctx))?;
    let tokens = st.services.api_tokens(actor).await.map_err(fail(st, ctx))?;
    let consent = |k: ConsentKind| member.consents.iter().any(|c| c.kind == k && c.granted);
    let intros = st
        .services
        .intro_requests(actor)
        .await
        .map_err(fail(st, ctx))?;
    render(
        st,
        ctx,
        "me.html",
        context! {
            member => Value::from_serialize(&member),
            tokens => Value::from_serialize(&tokens),
            new_token => new_token,
            ok => ok,
            consent_contact => consent(ConsentKind::Contact),
            consent_share => consent(ConsentKind::ShareWithPartners),
            intros => Value::from_serialize(&intros),
            failed => failed,
        },
    )
}

async fn me_page(State(st): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    if ctx.actor.is_none() {
        return Ok(see_other("/signin?next=/me"));
    }
    me_view(&st, &ctx, None, q.ok.is_some(), Value::UNDEFINED).await
}

#[derive(Deserialize, serde::Serialize)]
struct ProfileForm {
    csrf: String,
    display_name: String,
    ecosystem_role: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    bio: String,
}

async fn me_profile(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(f): Form<ProfileForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    match st
        .services
        .update_profile(
            actor,
            &f.display_name,
            &f.ecosystem_role,
            &f.organisation,
            &f.bio,
        )
        .await
    {
        Ok(_) => Ok(see_other("/me?ok=1")),
        Err(e) => me_failed(&st, &ctx, e, "profile", &f).await,
    }
}

/// On an input error, the account page again with what was typed and the errors by field;
/// any other error, the error page.
async fn me_failed(
    st: &AppState,
    ctx: &Ctx,
    e: ServiceError,
    form: &str,
    values: &impl serde::Serialize,
) -> PageResult {
    match field_errors(ctx.lang, &e) {
        Some(errors) => {
            unprocessable(me_view(st, ctx, None, false, failed(form, values, errors)).await)
        }
        None => Err(fail(st, ctx)(e)),
    }
}

#[derive(Deserialize)]
struct ConsentForm {
    csrf: String,
    #[serde(default)]
    contact: Option<String>,
    #[serde(default)]
    share_with_partners: Option<String>,
}

async fn me_consents(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(f): Form<ConsentForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    st.services
        .set_consent(actor, "contact", f.contact.is_some())
        .await
        .map_err(fail(&st, &ctx))?;
    st.services
        .set_consent(
            actor,
            "share_with_partners",
            f.share_with_partners.is_some(),
        )
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other("/me?ok=1"))
}

#[derive(Deserialize, serde::Serialize)]
struct IdentityForm {
    csrf: String,
    network: String,
    handle: String,
}

async fn me_identity(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(f): Form<IdentityForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    match st.services.add_identity(actor, &f.network, &f.handle).await {
        Ok(_) => Ok(see_other("/me?ok=1")),
        Err(e) => me_failed(&st, &ctx, e, "identity", &f).await,
    }
}

#[derive(Deserialize)]
struct PasswordForm {
    csrf: String,
    password: String,
}

async fn me_password(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(f): Form<PasswordForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    match st.services.set_password(actor, &f.password).await {
        Ok(_) => Ok(see_other("/me?ok=1")),
        // A password is never written back into a page.
        Err(e) => me_failed(&st, &ctx, e, "password", &()).await,
    }
}

#[derive(Deserialize, serde::Serialize)]
struct TokenForm {
    csrf: String,
    name: String,
}

async fn me_token(State(st): State<AppState>, ctx: Ctx, Form(f): Form<TokenForm>) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let secret = match st.services.create_api_token(actor, &f.name).await {
        Ok((_, secret)) => secret,
        Err(e) => return me_failed(&st, &ctx, e, "token", &f).await,
    };
    // Shown once, on this response only (not in a redirect URL that would land in history).
    me_view(&st, &ctx, Some(secret), false, Value::UNDEFINED).await
}

async fn me_revoke_token(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    st.services
        .revoke_api_token(actor, TokenId(id))
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other("/me?ok=1"))
}

/// The largest upload the import form accepts.
pub(crate) const IMPORT_MAX_BYTES: usize = 512 * 1024 * 1024;

async fn activity_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Query(q): Query<crate::api::ActivityQuery>,
) -> PageResult {
    let (period, bucket) = q
        .parse()
        .map_err(|e| fail(&st, &ctx)(ServiceError::Validation(e)))?;
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    let view = st
        .services
        .topic_activity(&space, period, bucket)
        .await
        .map_err(fail(&st, &ctx))?;
    // Quarters read "T1 2026" in French and "Q1 2026" in English; other labels are dates.
    let quarter = if ctx.lang == Lang::Fr { "T" } else { "Q" };
    let labels: Vec<String> = view
        .labels
        .iter()
        .map(|l| match l.split_once("-Q") {
            Some((year, q)) => format!("{quarter}{q} {year}"),
            None => l.clone(),
        })
        .collect();
    let charts: Vec<Value> = view
        .topics
        .iter()
        .map(|t| {
            let series: Vec<crate::charts::Series<'_>> =
                t.channels.iter().map(|(ch, v)| crate::charts::Series { label: ch, values: v.clone() }).collect();
            context! {
                topic => Value::from_serialize(&t.topic),
                total => t.total,
                channels => t.channels.iter().map(|(ch, v)| context!{ channel => ch, count => v.iter().sum::<i64>() }).collect::<Vec<_>>(),
                svg => Value::from_safe_string(crate::charts::stacked_bars(&t.topic.title, &labels, &series)),
            }
        })
        .collect();
    render(
        &st,
        &ctx,
        "activity.html",
        context! {
            space => Value::from_serialize(&space), charts => charts, bars => labels.len(),
            period => view.period, bucket => view.bucket.code(),
            bucket_asked => bucket.map(|b| b.code()), years => view.years,
        },
    )
}

async fn identities_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let actor = crate::admin::admin!(st, ctx);
    let proposals = st
        .services
        .merge_proposals(actor)
        .await
        .map_err(fail(&st, &ctx))?;
    let merges = st
        .services
        .store()
        .merges()
        .await
        .map_err(|e| fail(&st, &ctx)(e.into()))?;
    let mut merge_rows = Vec::new();
    for m in merges.iter().take(50) {
        let kept = st
            .services
            .store()
            .member_by_id(m.kept_id)
            .await
            .map_err(|e| fail(&st, &ctx)(e.into()))?;
        let merged = st
            .services
            .store()
            .member_by_id(m.merged_id)
            .await
            .map_err(|e| fail(&st, &ctx)(e.into()))?;
        merge_rows.push(context! { merge => Value::from_serialize(m), kept => kept.map(|k| Value::from_serialize(&k)), merged => merged.map(|k| Value::from_serialize(&k)) });
    }
    render(
        &st,
        &ctx,
        "identities.html",
        context! { proposals => Value::from_serialize(&proposals), merges => merge_rows, ok => q.ok },
    )
}

async fn accept_proposal(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    st.services
        .accept_proposal(ctx.actor().map_err(fail(&st, &ctx))?, id)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other("/admin/identities?ok=merged"))
}

async fn reject_proposal(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    st.services
        .reject_proposal(ctx.actor().map_err(fail(&st, &ctx))?, id)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other("/admin/identities?ok=rejected"))
}

async fn undo_merge(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    st.services
        .unmerge(ctx.actor().map_err(fail(&st, &ctx))?, id)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other("/admin/identities?ok=undone"))
}

fn import_formats(lang: Lang) -> Vec<Value> {
    parvis_import::Format::all()
        .iter()
        .map(|(f, _)| context! { name => f.name(), what => crate::i18n::import_format_label(lang, *f) })
        .collect()
}

async fn import_page(State(st): State<AppState>, ctx: Ctx) -> PageResult {
    crate::admin::admin!(st, ctx);
    let spaces = st.services.spaces().await.map_err(fail(&st, &ctx))?;
    render(
        &st,
        &ctx,
        "import.html",
        context! { spaces => Value::from_serialize(&spaces), formats => import_formats(ctx.lang), summary => () },
    )
}

/// The import form: fields `csrf`, `space`, `format`, `dry_run`, then the `file` itself, which
/// is streamed to a temporary file (never held whole in memory).
async fn import_upload(
    State(st): State<AppState>,
    ctx: Ctx,
    mut form: axum::extract::Multipart,
) -> PageResult {
    let actor = ctx.actor().map_err(fail(&st, &ctx))?.clone();
    actor.require_admin().map_err(fail(&st, &ctx))?;
    let bad = |msg: String| fail_api(&st, &ctx, ApiError::bad_request(msg));
    let (mut csrf, mut space, mut format, mut dry_run) =
        (String::new(), String::new(), String::new(), false);
    // The server's temporary paths stay out of the page.
    let stored = |e: std::io::Error| {
        tracing::error!(error = %e, "cannot store an import upload");
        bad("the server could not store the upload; try again later".into())
    };
    let dir = tempfile::tempdir().map_err(stored)?;
    let mut file_path = None;
    while let Some(mut field) = form
        .next_field()
        .await
        .map_err(|e| bad(format!("upload: {e}")))?
    {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            ctx.check_form_csrf(&csrf)
                .map_err(|e| fail_api(&st, &ctx, e))?;
            let fname = field
                .file_name()
                .unwrap_or("upload")
                .replace(['/', '\\'], "_");
            let path = dir.path().join(if fname.is_empty() {
                "upload".to_string()
            } else {
                fname
            });
            let mut out = tokio::fs::File::create(&path).await.map_err(stored)?;
            while let Some(chunk) = field
                .chunk()
                .await
                .map_err(|e| bad(format!("upload: {e}")))?
            {
                tokio::io::AsyncWriteExt::write_all(&mut out, &chunk)
                    .await
                    .map_err(stored)?;
            }
            file_path = Some(path);
        } else {
            let text = field
                .text()
                .await
                .map_err(|e| bad(format!("field {name}: {e}")))?;
            match name.as_str() {
                "csrf" => csrf = text,
                "space" => space = text,
                "format" => format = text,
                "dry_run" => dry_run = !text.is_empty(),
                _ => {}
            }
        }
    }
    let path = file_path.ok_or_else(|| bad("choose a file to import".into()))?;
    let format: parvis_import::Format = format
        .parse()
        .map_err(|e: parvis_import::ImportError| bad(e.to_string()))?;
    let opts = parvis_services::import::ImportOptions {
        space,
        dry_run,
        hide_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let summary = st
        .services
        .import(format, vec![path], &opts, |_| {})
        .await
        .map_err(fail(&st, &ctx))?;
    let spaces = st.services.spaces().await.map_err(fail(&st, &ctx))?;
    render(
        &st,
        &ctx,
        "import.html",
        context! { spaces => Value::from_serialize(&spaces), formats => import_formats(ctx.lang), summary => Value::from_serialize(&summary) },
    )
}

#[derive(Deserialize)]
struct IntroForm {
    csrf: String,
    intermediary: String,
    message: String,
}

async fn request_intro(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(handle): Path<String>,
    Form(f): Form<IntroForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    st.services
        .request_intro(actor, &handle, &f.intermediary, &f.message)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other("/me#intros"))
}

#[derive(Deserialize)]
struct DecideForm {
    csrf: String,
    decision: String,
}

async fn decide_intro(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<DecideForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    st.services
        .decide_intro(actor, id, f.decision == "accept")
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other("/me#intros"))
}

/// "Pour vous" without a space: the first space's feed.
async fn feed_redirect(State(st): State<AppState>, ctx: Ctx) -> PageResult {
    let spaces = st.services.spaces().await.map_err(fail(&st, &ctx))?;
    match spaces.first() {
        Some(s) => Ok(see_other(&format!("/s/{}/feed", s.slug))),
        None => Ok(see_other("/")),
    }
}

async fn feed_page(State(st): State<AppState>, ctx: Ctx, Path(space): Path<String>) -> PageResult {
    let Some(actor) = ctx.actor.clone() else {
        return Ok(see_other(&format!("/signin?next=/s/{space}/feed")));
    };
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    let feed = st
        .services
        .feed(&actor, &space, 20)
        .await
        .map_err(fail(&st, &ctx))?;
    let peers = st
        .services
        .peers(&actor, &space, 8)
        .await
        .map_err(fail(&st, &ctx))?;
    render(
        &st,
        &ctx,
        "feed.html",
        context! { space => Value::from_serialize(&space), feed => Value::from_serialize(&feed), peers => Value::from_serialize(&peers) },
    )
}

#[derive(Deserialize)]
struct FeedbackForm {
    csrf: String,
    kind: String,
    target: i64,
    /// `false` undoes (shows a muted topic again); absent: give the feedback.
    on: Option<bool>,
}

async fn feed_feedback(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Form(f): Form<FeedbackForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    st.services
        .feed_feedback(actor, &space, &f.kind, f.target, f.on.unwrap_or(true))
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other(&format!("/s/{}/feed", space.slug)))
}

#[derive(Deserialize, Default, serde::Serialize)]
pub(crate) struct SearchParams {
    #[serde(default)]
    pub q: String,
    pub channel: Option<String>,
    pub author: Option<String>,
    pub topic: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl SearchParams {
    pub(crate) fn request(&self) -> parvis_services::search::SearchRequest {
        parvis_services::search::SearchRequest {
            q: self.q.clone(),
            channel: self.channel.clone(),
            author: self.author.clone(),
            topic: self.topic.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            page: PageRequest::new(self.page, self.per_page, 20),
        }
    }
}

async fn search_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Query(p): Query<SearchParams>,
) -> PageResult {
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    let topics = st.services.topics(&space).await.map_err(fail(&st, &ctx))?;
    let req = p.request();
    let results = if p.q.trim().is_empty() {
        None
    } else {
        Some(
            st.services
                .search_as(ctx.actor.as_ref(), &space, &req)
                .await
                .map_err(fail(&st, &ctx))?,
        )
    };
    let next_query = {
        let mut next = SearchParams {
            page: Some(req.page.page + 1),
            ..SearchParams::default()
        };
        next.q = p.q.clone();
        next.channel = p.channel.clone();
        next.author = p.author.clone();
        next.topic = p.topic.clone();
        next.from = p.from.clone();
        next.to = p.to.clone();
        serde_urlencoded_pairs(&next)
    };
    let filtered = [&p.channel, &p.author, &p.topic, &p.from, &p.to]
        .iter()
        .any(|f| f.as_deref().is_some_and(|v| !v.is_empty()));
    render(
        &st,
        &ctx,
        "search.html",
        context! {
            space => Value::from_serialize(&space), topics => Value::from_serialize(&topics),
            q => p.q.clone(), channel => p.channel.clone(), author => p.author.clone(), topic => p.topic.clone(),
            from => p.from.clone(), to => p.to.clone(), filtered => filtered,
            notice => results.as_ref().filter(|r| !r.notices.is_empty()).map(|r| {
                r.notices.iter().map(|n| crate::i18n::search_notice(ctx.lang, *n)).collect::<Vec<_>>().join(" ; ")
            }),
            results => results.as_ref().map(Value::from_serialize), page => req.page.page, per_page => req.page.per_page,
            next_query => next_query, content_per_page => parvis_services::content_reach::SEARCH_CONTENT_PER_PAGE,
        },
    )
}

/// Query-string encoding of search parameters (for the "next page" link).
fn serde_urlencoded_pairs(p: &SearchParams) -> String {
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let mut parts = vec![format!("q={}", enc(&p.q))];
    for (k, v) in [
        ("channel", &p.channel),
        ("author", &p.author),
        ("topic", &p.topic),
        ("from", &p.from),
        ("to", &p.to),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!("{k}={}", enc(v)));
        }
    }
    if let Some(page) = p.page {
        parts.push(format!("page={page}"));
    }
    parts.join("&")
}

const LETTERS: [&str; 26] = [
    "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S",
    "T", "U", "V", "W", "X", "Y", "Z",
];

/// The map as SVG: every participant, group letters at the centres, "me" ringed.
fn map_svg(
    report: &parvis_opinion::Report,
    title: &str,
    me: Option<&parvis_services::opinion::MyPosition>,
) -> String {
    let groups: std::collections::HashMap<&str, Option<usize>> = report
        .participants
        .iter()
        .map(|p| (p.id.as_str(), p.group))
        .collect();
    let points: Vec<crate::charts::Point> = report
        .projections
        .iter()
        .map(|p| crate::charts::Point {
            x: p.x,
            y: p.y,
            group: groups.get(p.id.as_str()).copied().flatten(),
        })
        .collect();
    let centres: Vec<(usize, f64, f64)> = report
        .groups
        .iter()
        .map(|g| (g.id, g.center[0], g.center[1]))
        .collect();
    crate::charts::opinion_scatter(title, &points, &centres, me.map(|m| (m.x, m.y)))
}

async fn opinion_topic(
    st: &AppState,
    ctx: &Ctx,
    space: &str,
    topic: &str,
) -> Result<(Space, Topic), PageError> {
    let space = st.services.space(space).await.map_err(fail(st, ctx))?;
    let topic = st
        .services
        .topic(&space, topic)
        .await
        .map_err(fail(st, ctx))?;
    Ok((space, topic))
}

async fn opinion_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, topic)): Path<(String, String)>,
) -> PageResult {
    let (space, topic) = opinion_topic(&st, &ctx, &space, &topic).await?;
    let base = format!("/s/{}/t/{}/opinion", space.slug, topic.slug);
    let (report, map_error) = match st.services.opinion_map(&topic).await {
        Ok(r) if r.n_participants >= 2 => (Some(r), None),
        Ok(_) => (None, None),
        // Too few votes yet is the normal state of a young topic: the page says when the map
        // appears, in the reader's language, rather than the engine's English reason.
        Err(ServiceError::Validation(v)) if v.field == "conversation" => (None, None),
        Err(e) => {
            tracing::warn!(topic = %topic.slug, error = %e, "opinion map failed");
            (None, Some(true))
        }
    };
    let me_pos = match (&ctx.actor, &report) {
        (Some(a), Some(r)) => st
            .services
            .my_position(a, &topic, r)
            .await
            .map_err(fail(&st, &ctx))?,
        _ => None,
    };
    let next = match &ctx.actor {
        Some(a) => st
            .services
            .next_statement(a, &topic)
            .await
            .map_err(fail(&st, &ctx))?,
        None => None,
    };
    // Accepted statements (and pending ones for moderators): with none, the vote card invites
    // the first one instead of saying the reader voted on everything.
    let (pending, any_accepted) = match &ctx.actor {
        Some(a) => {
            let all = st
                .services
                .statements(Some(a), &topic)
                .await
                .map_err(fail(&st, &ctx))?;
            let any_accepted = all.iter().any(|s| s.status == "accepted");
            let pending: Vec<_> = all.into_iter().filter(|s| s.status == "pending").collect();
            (pending, any_accepted)
        }
        None => (Vec::new(), false),
    };
    let text = |id: u64| {
        report
            .as_ref()
            .and_then(|r| r.statements.iter().find(|s| s.id == id))
            .map(|s| s.text.clone())
            .unwrap_or_default()
    };
    let pct = |p: f64| p.round() as i64; // the report gives percentages already
    let (groups, consensus, divisive, svg) = match &report {
        Some(r) => (
            r.groups
                .iter()
                .map(|g| context! {
                    id => g.id, size => g.members.len(),
                    representative => g.representative.iter().map(|x| context! {
                        text => text(x.statement),
                        agree => matches!(x.repful_for, parvis_opinion::Repful::Agree),
                        percent => pct(x.percent),
                    }).collect::<Vec<_>>(),
                })
                .collect::<Vec<_>>(),
            r.consensus
                .agree
                .iter()
                .map(|c| (c, true))
                .chain(r.consensus.disagree.iter().map(|c| (c, false)))
                .map(|(c, agree)| context! { text => text(c.statement), agree => agree, percent => pct(c.percent) })
                .collect::<Vec<_>>(),
            r.divisive.iter().take(5).map(|d| context! { text => text(d.statement) }).collect::<Vec<_>>(),
            map_svg(r, &topic.title, me_pos.as_ref()),
        ),
        None => (Vec::new(), Vec::new(), Vec::new(), String::new()),
    };
    render(
        &st,
        &ctx,
        "opinion.html",
        context! {
            space => Value::from_serialize(&space), topic => Value::from_serialize(&topic), base => base.clone(),
            page_path => base, report => report.as_ref().map(|r| context! { n_participants => r.n_participants, n_statements => r.n_statements, n_votes => r.n_votes }),
            map_error => map_error, groups => groups, consensus => consensus, divisive => divisive,
            map_svg => Value::from_safe_string(svg), me_pos => me_pos.as_ref().map(Value::from_serialize),
            next => next.as_ref().map(Value::from_serialize), any_accepted => any_accepted, pending => Value::from_serialize(&pending), letters => LETTERS,
        },
    )
}

async fn opinion_json(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, topic)): Path<(String, String)>,
) -> PageResult {
    let (_, topic) = opinion_topic(&st, &ctx, &space, &topic).await?;
    let report = st
        .services
        .opinion_map(&topic)
        .await
        .map_err(fail(&st, &ctx))?;
    // Per-participant data only for moderators, under opaque ids (docs/PRIVACY.md).
    Ok(axum::Json(parvis_services::privacy::report_for(
        ctx.actor.as_ref(),
        &report,
    ))
    .into_response())
}

async fn opinion_csv(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, topic)): Path<(String, String)>,
) -> PageResult {
    let (_, topic) = opinion_topic(&st, &ctx, &space, &topic).await?;
    let report = st
        .services
        .opinion_map(&topic)
        .await
        .map_err(fail(&st, &ctx))?;
    let disposition = format!("attachment; filename=\"opinion-{}.csv\"", topic.slug);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        parvis_opinion::report_csv(&report),
    )
        .into_response())
}

async fn opinion_svg(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, topic)): Path<(String, String)>,
) -> PageResult {
    let (_, topic) = opinion_topic(&st, &ctx, &space, &topic).await?;
    let headers = || {
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "no-store"),
        ]
    };
    // A young topic has no map yet: its widget and its page still show the frame, saying
    // when the map appears, rather than a broken image (as the opinion page does).
    let waiting = || {
        let note = crate::i18n::get(ctx.lang, "map_not_yet");
        (
            headers(),
            crate::charts::opinion_waiting(&topic.title, note),
        )
            .into_response()
    };
    let report = match st.services.opinion_map(&topic).await {
        Ok(r) if r.n_participants >= 2 => r,
        Ok(_) => return Ok(waiting()),
        Err(ServiceError::Validation(v)) if v.field == "conversation" => return Ok(waiting()),
        Err(e) => return Err(fail(&st, &ctx)(e)),
    };
    let me = match &ctx.actor {
        Some(a) => st
            .services
            .my_position(a, &topic, &report)
            .await
            .map_err(fail(&st, &ctx))?,
        None => None,
    };
    Ok((headers(), map_svg(&report, &topic.title, me.as_ref())).into_response())
}

#[derive(Deserialize)]
struct StatementForm {
    csrf: String,
    body: String,
}

async fn submit_statement(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, topic)): Path<(String, String)>,
    Form(f): Form<StatementForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let (space, topic) = opinion_topic(&st, &ctx, &space, &topic).await?;
    st.services
        .submit_statement(actor, &topic, &f.body)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other(&format!(
        "/s/{}/t/{}/opinion",
        space.slug, topic.slug
    )))
}

#[derive(Deserialize)]
struct VoteForm {
    csrf: String,
    value: String,
    #[serde(default)]
    back: Option<String>,
}

async fn vote(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<VoteForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    st.services
        .vote(actor, id, &f.value)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other(&format!("{}#vote", safe_next(f.back.as_deref()))))
}

#[derive(Deserialize)]
struct ModerateForm {
    csrf: String,
    decision: String,
    #[serde(default)]
    back: Option<String>,
}

async fn moderate(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ModerateForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    st.services
        .moderate_statement(actor, id, f.decision == "accept")
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other(&safe_next(f.back.as_deref())))
}

async fn set_lang(ctx: Ctx, Path(code): Path<String>, Query(q): Query<ListQuery>) -> Response {
    let lang = Lang::from_code(&code).unwrap_or_default();
    let mut res = see_other(&safe_next(q.next.as_deref()));
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie(
            LANG_COOKIE,
            lang.code(),
            Some(60 * 60 * 24 * 365),
            ctx.secure_cookies,
        ),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_templates_compile() {
        let env = templates();
        for (name, _) in TEMPLATE_SOURCES
            .iter()
            .chain(crate::sessions::TEMPLATES)
            .chain(crate::content::TEMPLATES)
        {
            assert!(env.get_template(name).is_ok(), "{name} does not compile");
        }
    }

    #[test]
    fn dates_read_naturally() {
        assert_eq!(format_day(1_772_615_520_000, Lang::Fr), "4 mars 2026");
        assert_eq!(format_day(1_772_615_520_000, Lang::En), "Mar 4, 2026");
    }

    #[test]
    fn percentages_read_in_the_readers_typography() {
        assert_eq!(percent(Lang::Fr, 0.855), "85,5\u{a0}%");
        assert_eq!(percent(Lang::En, 0.855), "85.5%");
        assert_eq!(percent(Lang::Fr, 1.0), "100\u{a0}%");
        assert_eq!(percent(Lang::En, 1.0), "100%");
        assert_eq!(percent(Lang::En, 0.79), "79%");
        assert_eq!(percent(Lang::En, 0.0), "0%");
        assert_eq!(percent(Lang::Fr, -0.004), "-0,4\u{a0}%");
    }

    #[test]
    fn money_reads_in_the_readers_typography() {
        assert_eq!(money(Lang::Fr, 5990), "59,90");
        assert_eq!(money(Lang::En, 5990), "59.90");
        assert_eq!(money(Lang::Fr, 120_050), "1\u{202f}200,50");
        assert_eq!(money(Lang::En, 120_050), "1,200.50");
        assert_eq!(money(Lang::En, -5), "-0.05");
    }

    #[test]
    fn redirects_stay_on_site() {
        assert_eq!(safe_next(Some("//evil.example/x")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/me")), "/me");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(
            safe_next(Some("/admin/spaces?page=2")),
            "/admin/spaces?page=2"
        );
    }
}

#[cfg(test)]
mod template_tests {
    /// Every template that extends the base defines each block once (a block defined twice,
    /// or content leaking into `title`, shows up here).
    #[test]
    fn blocks_are_defined_once_and_titles_are_plain() {
        for (name, src) in super::TEMPLATE_SOURCES {
            for block in ["title", "content"] {
                assert!(
                    src.matches(&format!("{{% block {block} %}}")).count() <= 1,
                    "{name}: block {block} twice"
                );
            }
            if let Some(i) = src.find("{% block title %}") {
                let rest = &src[i..];
                let end = rest.find("{% endblock %}").unwrap_or(0);
                assert!(
                    !rest[..end].contains('<'),
                    "{name}: markup inside the title block"
                );
            }
        }
    }
}
