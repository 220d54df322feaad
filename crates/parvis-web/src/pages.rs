//! Server-rendered pages. Each handler: extract, call the services, render one template.
//! Forms post and redirect (303) so a reload never re-submits.
//!
//! This module is the shared core (templates, rendering, filters, error pages, the router);
//! each area's pages live in a submodule: `threads`, `people`, `account`, `search`, `opinion`,
//! `import`.

use crate::context::{Ctx, LANG_COOKIE, cookie};
use crate::error::{ApiError, PageError};
use crate::{AppState, i18n};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use minijinja::{Environment, Value, context};
use parvis_domain::*;
use parvis_services::ServiceError;
use serde::Deserialize;

pub(crate) mod account;
pub(crate) mod import;
pub(crate) mod opinion;
pub(crate) mod people;
pub(crate) mod search;
pub(crate) mod threads;

pub(crate) use import::IMPORT_MAX_BYTES;
pub(crate) use threads::home_view;

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

/// The pages' routes: each area mounts its own; the language switch belongs to every page.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/lang/{code}", get(set_lang))
        .merge(threads::routes())
        .merge(people::routes())
        .merge(account::routes())
        .merge(search::routes())
        .merge(opinion::routes())
        .merge(import::routes())
}

pub(crate) type PageResult = Result<Response, PageError>;

/// Render a template with the context every page shares.
pub(crate) fn render(st: &AppState, ctx: &Ctx, name: &str, extra: Value) -> PageResult {
    render_status(st, ctx, name, extra, StatusCode::OK)
}

/// The size a page's answer starts at (bytes).
const PAGE_BUFFER: usize = 32 * 1024;

pub(crate) fn render_status(
    st: &AppState,
    ctx: &Ctx,
    name: &str,
    extra: Value,
    status: StatusCode,
) -> PageResult {
    let html = draw(st, ctx, name, extra, status)?;
    Ok(page_answer(ctx, status, html.into()))
}

/// A page's HTML, drawn from template `name` with `extra` and what every page shows.
pub(crate) fn draw(
    st: &AppState,
    ctx: &Ctx,
    name: &str,
    extra: Value,
    status: StatusCode,
) -> Result<Vec<u8>, PageError> {
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
    // Drawn into a buffer sized for a typical page (8–70 kB) rather than one grown by
    // doubling from empty: a dozen reallocations and copies fewer per page, which was worth
    // 8–10 % more space pages a second (see `run_short` in parvis-store).
    st.templates
        .get_template(name)
        .and_then(|t| {
            let mut html = Vec::with_capacity(PAGE_BUFFER);
            t.render_captured_to(context! { ..extra, ..base }, &mut html)?;
            Ok(html)
        })
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
        })
}

/// The answer carrying a drawn page, with this visitor's headers (a new CSRF cookie) and no
/// caching by browsers or proxies (pages differ per visitor and change with the content).
pub(crate) fn page_answer(ctx: &Ctx, status: StatusCode, html: bytes::Bytes) -> Response {
    let mut res = (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        html,
    )
        .into_response();
    if let Some(c) = ctx.csrf_cookie() {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
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

#[derive(Deserialize)]
pub(crate) struct CsrfOnly {
    pub(crate) csrf: String,
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
