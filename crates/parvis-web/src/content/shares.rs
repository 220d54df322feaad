//! Share links: the member's page to get a link (`/share?path=…`), "My shares", the
//! ambassadors' ranking, the API, and the middleware that credits what comes through a link.
//!
//! The middleware sits on every route so no other area's handler needs to know about
//! shares: a `GET` with `?ref=CODE` of a known code counts a visit and remembers the code in
//! the `parvis_ref` cookie (HttpOnly, SameSite=Lax, 30 days); an unknown code changes nothing
//! and the page opens as usual. A later successful registration, challenge entry or reply
//! (page or API) by someone carrying the cookie is credited to the link's owner, and so is
//! their engagement: a reaction (once a message) or a vote for a challenge entry. So is a
//! conversion: a call to action followed through `/r/{click}` with the cookie is noted with its
//! click id, and a conversion the organisation later reports for that click is credited too.
//! The widget, a third-party frame, sends no cookie: the cookie that comes with its one
//! first-party step, the emailed sign-in's confirmation, is noted for the member, and their
//! widget entries and replies are credited through that note (without the cookie, the code
//! the host page's address carried, which the frame sends with the sign-in's start and the
//! attempt keeps, is noted at the confirmation instead). A single sign-on has no
//! first-party step at all: the code comes from the host page's own address instead
//! (`https://blog.example/post?ref=CODE`, which the loader hands the frame as `host`), the
//! frame sends it with the token, and it is noted the same way (`note_widget_share_code`).

use crate::api::Items;
use crate::context::{cookie, read_cookie};
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::forms::{failed, field_errors, unprocessable};
use crate::pages::{PageResult, fail, fail_api, render, see_other};
use crate::{AppState, Ctx};
use axum::extract::{Form, Query, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use minijinja::{Value, context};
use parvis_services::shares::ShareLink;
use parvis_store::{ShareCredits, ShareStats};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

const REF_COOKIE: &str = "parvis_ref";
/// The member's Mastodon instance, remembered for the next share (a year).
const MASTODON_COOKIE: &str = "parvis_mastodon";

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/share", get(share_page))
        .route("/share/mastodon", post(share_on_mastodon))
        .route("/me/shares", get(my_shares_page))
        .route("/admin/ambassadors", get(ambassadors_page))
}

pub(super) fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_shares, create_share))
        .routes(routes!(ambassadors))
}

/// Which successful `POST` is which credited action, and on what.
fn conversion(path: &str) -> Option<(&'static str, String)> {
    let parts: Vec<&str> = path.trim_start_matches("/api/v1").split('/').collect();
    match parts.as_slice() {
        ["", "sessions", id, "register" | "registration"] => {
            Some(("registration", format!("session:{id}")))
        }
        // The widget's writes (`/api/v1/embed/…`) earn the same credits as the pages'.
        ["", "embed", "challenges", id, "entries"] | ["", "challenges", id, "entries"] => {
            Some(("challenge_entry", format!("challenge:{id}")))
        }
        ["", "embed", "threads", id, "messages"] | ["", "threads", id, "reply" | "messages"] => {
            Some(("reply", format!("thread:{id}")))
        }
        // Engagement: a reaction (page, API, widget), a vote for a challenge entry.
        ["", "messages", id, "react" | "reactions"]
        | ["", "embed", "messages", id, "reactions"] => Some(("reaction", format!("message:{id}"))),
        ["", "challenges", "entries", id, "vote"] | ["", "challenge-entries", id, "vote"] => {
            Some(("vote", format!("entry:{id}")))
        }
        _ => None,
    }
}

fn ref_param(query: Option<&str>) -> Option<String> {
    form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == "ref")
        .map(|(_, v)| v.into_owned())
}

/// The share code in a host page's address (`https://blog.example/post?ref=CODE`), when it
/// has one shaped like ours (whether it is known is the store's to say).
pub(crate) fn ref_of_page(page: &str) -> Option<String> {
    let page = url::Url::parse(page).ok()?;
    ref_param(page.query()).filter(|c| parvis_services::shares::plausible_code(c))
}

/// The signed-in actor, read the way every handler reads it; the request goes on untouched.
async fn actor_of(st: &AppState, req: Request) -> (Request, Option<parvis_services::Actor>) {
    use axum::extract::FromRequestParts;
    let (mut parts, body) = req.into_parts();
    let actor = Ctx::from_request_parts(&mut parts, st)
        .await
        .ok()
        .and_then(|c| c.actor);
    (Request::from_parts(parts, body), actor)
}

/// Count visits through share links and credit the actions that follow (see the module doc).
pub(crate) async fn track(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    if method == Method::GET
        && let Some(click) = req.uri().path().strip_prefix("/r/").map(str::to_string)
        && let Some(code) = read_cookie(req.headers(), REF_COOKIE)
    {
        return call_to_action(&st, req, next, &code, &click).await;
    }
    if method == Method::GET {
        let Some(code) = ref_param(req.uri().query()) else {
            return next.run(req).await;
        };
        let (req, actor) = actor_of(&st, req).await;
        let mut res = next.run(req).await;
        if res.status().is_success() && st.services.share_code_known(&code).await.unwrap_or(false) {
            // The sharer's own visits are not credited (the store refuses them).
            if let Err(e) = st
                .services
                .credit_share(&code, "visit", actor.as_ref(), "")
                .await
            {
                tracing::warn!(error = %e, "share visit not counted");
            }
            res.headers_mut().append(
                header::SET_COOKIE,
                cookie(
                    REF_COOKIE,
                    &code,
                    Some(parvis_services::shares::REF_TTL_MS / 1000),
                    st.config.secure_cookies,
                ),
            );
        }
        return res;
    }
    let action = (method == Method::POST)
        .then(|| conversion(req.uri().path()))
        .flatten();
    let Some((action, target)) = action else {
        return next.run(req).await;
    };
    let carried = read_cookie(req.headers(), REF_COOKIE);
    if let Some(token) = widget_token(req.uri().path(), req.headers()) {
        // A widget's reaction may be one taken back (`"on": false`): that earns nothing.
        let (req, given) = if action == "reaction" {
            reaction_given(req).await
        } else {
            (req, true)
        };
        if !given {
            return next.run(req).await;
        }
        return widget_action(&st, req, next, carried, &token, action, &target).await;
    }
    let Some(code) = carried else {
        return next.run(req).await;
    };
    let (req, actor) = actor_of(&st, req).await;
    let res = next.run(req).await;
    // Pages answer a success with a redirect (303), the API with 2xx; a form shown again
    // with errors is a 422 and earns nothing.
    let ok = res.status().is_success() || res.status() == axum::http::StatusCode::SEE_OTHER;
    if ok
        && let Err(e) = st
            .services
            .credit_share(&code, action, actor.as_ref(), &target)
            .await
    {
        tracing::warn!(error = %e, "share action not credited");
    }
    res
}

/// The widget token of a widget's write (`/api/v1/embed/…`, `Authorization: Bearer pvw_…`).
fn widget_token(path: &str, headers: &axum::http::HeaderMap) -> Option<String> {
    if !path.starts_with("/api/v1/embed/") {
        return None;
    }
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| t.starts_with("pvw_"))
        .map(str::to_string)
}

/// An action taken in a widget. The widget is a third-party frame that sends no cookie, so
/// the link its member came through is the one noted when they signed in: the cookie that
/// came with the emailed sign-in's confirmation on our page, else the code of the host page
/// the emailed sign-in was asked from (`note_widget_share`), or the code of the host page a
/// single sign-on came from (`note_widget_share_code`); a cookie,
/// should one come, counts as on any page. Only a `201` (an entry, a reply) or a `204` (a
/// reaction) earns a credit: a message held for a moderator (`202`) is not a reply yet.
async fn widget_action(
    st: &AppState,
    req: Request,
    next: Next,
    carried: Option<String>,
    token: &str,
    action: &str,
    target: &str,
) -> Response {
    let res = next.run(req).await;
    if !matches!(
        res.status(),
        axum::http::StatusCode::CREATED | axum::http::StatusCode::NO_CONTENT
    ) {
        return res;
    }
    let credit = async {
        let Some(w) = st.services.widget_actor(token).await? else {
            return Ok(false);
        };
        let code = match carried {
            Some(code) => Some(code),
            None => st.services.widget_share_code(w.actor.member.id).await?,
        };
        match code {
            Some(code) => {
                st.services
                    .credit_share(&code, action, Some(&w.actor), target)
                    .await
            }
            None => Ok(false),
        }
    };
    if let Err(e) = credit.await {
        tracing::warn!(error = %e, "share action from a widget not credited");
    }
    res
}

/// Whether a widget's reaction is given rather than taken back (`"on": true` in its body);
/// the body is read, then handed on untouched. One the handler would refuse earns nothing
/// either way.
async fn reaction_given(req: Request) -> (Request, bool) {
    let (parts, body) = req.into_parts();
    // The widget's reaction body is a few bytes; the site-wide limit still applies after.
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (Request::from_parts(parts, axum::body::Body::empty()), false);
    };
    let on = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v.get("on").and_then(serde_json::Value::as_bool))
        .unwrap_or(false);
    (
        Request::from_parts(parts, axum::body::Body::from(bytes)),
        on,
    )
}

/// Note the link whose cookie came with a widget sign-in's confirmation (see
/// `widget_action`), else `host_code`, the one the host page's address carried when the
/// widget asked for the emailed link: the cookie wins, being the link the visitor last
/// followed to our own pages. Nothing without either.
pub(crate) async fn note_widget_share(
    st: &AppState,
    headers: &axum::http::HeaderMap,
    member: parvis_domain::MemberId,
    host_code: Option<&str>,
) {
    let Some(code) = read_cookie(headers, REF_COOKIE).or(host_code.map(str::to_string)) else {
        return;
    };
    note_widget_share_code(st, &code, member).await;
}

/// Note the link `code` for a widget's `member` (a single sign-on from a host page whose
/// address carried it, see `ref_of_page`). An unknown code, or the sharer's own, notes
/// nothing; a failure is logged and never fails the sign-in.
pub(crate) async fn note_widget_share_code(
    st: &AppState,
    code: &str,
    member: parvis_domain::MemberId,
) {
    if let Err(e) = st.services.note_widget_share(code, member).await {
        tracing::warn!(error = %e, "share link of a widget sign-in not noted");
    }
}

/// A call to action followed by someone who came through a share link: note the click id
/// with the link's code (`cta_click`, not an action in itself), so that a conversion reported
/// for it is credited to the link's owner (`parvis_services::embeds::track`).
async fn call_to_action(
    st: &AppState,
    req: Request,
    next: Next,
    code: &str,
    click: &str,
) -> Response {
    let (req, actor) = actor_of(st, req).await;
    let res = next.run(req).await;
    if res.status() == axum::http::StatusCode::SEE_OTHER
        && let Err(e) = st
            .services
            .credit_share(code, "cta_click", actor.as_ref(), click)
            .await
    {
        tracing::warn!(error = %e, "share click not noted");
    }
    res
}

#[derive(Deserialize)]
struct PathQuery {
    #[serde(default)]
    path: String,
}

async fn share_page(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    Query(q): Query<PathQuery>,
) -> PageResult {
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let instance = read_cookie(&headers, MASTODON_COOKIE);
    let l = st
        .services
        .share(actor, &q.path, instance.as_deref())
        .await
        .map_err(fail(&st, &ctx))?;
    render(
        &st,
        &ctx,
        "share.html",
        context! { l => Value::from_serialize(&l), instance => instance.filter(|_| l.mastodon.is_some()) },
    )
}

#[derive(Deserialize, Serialize)]
struct MastodonForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    path: String,
    #[serde(default)]
    instance: String,
}

/// Name the member's Mastodon instance: checked, remembered, and back to the share page.
async fn share_on_mastodon(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(f): Form<MastodonForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let host = match parvis_services::shares::mastodon_instance(&f.instance) {
        Ok(host) => host,
        Err(e) => {
            let l = st
                .services
                .share(actor, &f.path, None)
                .await
                .map_err(fail(&st, &ctx))?;
            let errors = field_errors(ctx.lang, &e.into()).unwrap_or_default();
            return unprocessable(render(
                &st,
                &ctx,
                "share.html",
                context! { l => Value::from_serialize(&l), failed => failed("mastodon", &f, errors) },
            ));
        }
    };
    // The path is checked as the share page checks it, before anything is remembered.
    let l = st
        .services
        .share(actor, &f.path, Some(&host))
        .await
        .map_err(fail(&st, &ctx))?;
    // Back to the share page, whose button now goes to the instance: the site's CSP
    // (`form-action 'self'`) would stop a form's redirect to another site.
    let back = format!(
        "/share?path={}#share-mastodon",
        percent_encoding::utf8_percent_encode(&l.path, percent_encoding::NON_ALPHANUMERIC)
    );
    let mut res = see_other(&back);
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie(
            MASTODON_COOKIE,
            &host,
            Some(365 * 24 * 3600),
            st.config.secure_cookies,
        ),
    );
    Ok(res)
}

async fn my_shares_page(State(st): State<AppState>, ctx: Ctx) -> PageResult {
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let items = st
        .services
        .my_shares(actor)
        .await
        .map_err(fail(&st, &ctx))?;
    render(
        &st,
        &ctx,
        "my_shares.html",
        context! { items => Value::from_serialize(&items) },
    )
}

async fn ambassadors_page(State(st): State<AppState>, ctx: Ctx) -> PageResult {
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let items = st
        .services
        .ambassadors(actor)
        .await
        .map_err(fail(&st, &ctx))?;
    render(
        &st,
        &ctx,
        "ambassadors.html",
        context! { items => Value::from_serialize(&items) },
    )
}

/// A link and what it brought.
#[derive(Serialize, ToSchema)]
struct MyShare {
    #[serde(flatten)]
    stats: ShareStats,
    link: ShareLink,
}

/// The page to share.
#[derive(Deserialize, ToSchema)]
struct ShareBody {
    /// A page of this site, such as `/threads/12`.
    path: String,
    /// The caller's Mastodon instance (`piaille.fr`), for the `mastodon` button; without
    /// it `mastodon` is null (no instance is assumed).
    #[serde(default)]
    mastodon_instance: Option<String>,
}

/// The caller's share links and what each brought
#[utoipa::path(get, path = "/me/shares", tag = "shares",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "links with visits and actions", body = Items<MyShare>)))]
async fn my_shares(State(st): State<AppState>, ctx: Ctx) -> Result<Json<Items<MyShare>>, ApiError> {
    let items = st
        .services
        .my_shares(ctx.actor()?)
        .await?
        .into_iter()
        .map(|(stats, link)| MyShare { stats, link })
        .collect();
    Ok(Json(Items { items }))
}

/// The caller's personal link to a page (made on first ask)
#[utoipa::path(post, path = "/me/shares", tag = "shares", request_body = ShareBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the link and its share buttons", body = ShareLink)))]
async fn create_share(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<ShareBody>,
) -> Result<Json<ShareLink>, ApiError> {
    let instance = b
        .mastodon_instance
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(parvis_services::shares::mastodon_instance)
        .transpose()
        .map_err(parvis_services::ServiceError::from)?;
    Ok(Json(
        st.services
            .share(ctx.actor()?, &b.path, instance.as_deref())
            .await?,
    ))
}

/// The ambassadors: members ranked by the actions and visits their links brought
/// (moderators and admins)
#[utoipa::path(get, path = "/ambassadors", tag = "shares",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the ranking", body = Items<ShareCredits>)))]
async fn ambassadors(
    State(st): State<AppState>,
    ctx: Ctx,
) -> Result<Json<Items<ShareCredits>>, ApiError> {
    Ok(Json(Items {
        items: st.services.ambassadors(ctx.actor()?).await?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_are_recognised_on_pages_and_api() {
        assert_eq!(
            conversion("/sessions/4/register"),
            Some(("registration", "session:4".into()))
        );
        assert_eq!(
            conversion("/api/v1/sessions/4/registration"),
            Some(("registration", "session:4".into()))
        );
        assert_eq!(conversion("/api/v1/threads/9/messages").unwrap().0, "reply");
        assert_eq!(
            conversion("/challenges/2/entries").unwrap().0,
            "challenge_entry"
        );
        assert_eq!(
            conversion("/api/v1/embed/challenges/2/entries"),
            Some(("challenge_entry", "challenge:2".into()))
        );
        assert_eq!(
            conversion("/api/v1/embed/threads/9/messages"),
            Some(("reply", "thread:9".into()))
        );
        for (path, target) in [
            ("/messages/7/react", "message:7"),
            ("/api/v1/messages/7/reactions", "message:7"),
            ("/api/v1/embed/messages/7/reactions", "message:7"),
        ] {
            assert_eq!(
                conversion(path),
                Some(("reaction", target.into())),
                "{path}"
            );
        }
        assert_eq!(
            conversion("/challenges/entries/3/vote"),
            Some(("vote", "entry:3".into()))
        );
        assert_eq!(
            conversion("/api/v1/challenge-entries/3/vote"),
            Some(("vote", "entry:3".into()))
        );
        assert_eq!(conversion("/sessions/4/cancel"), None);
        assert_eq!(ref_param(Some("a=1&ref=abc123")), Some("abc123".into()));
        assert_eq!(
            ref_of_page("https://blog.example/post?utm=x&ref=abc123def"),
            Some("abc123def".into())
        );
        for page in [
            "https://blog.example/post",
            "https://blog.example/post?ref=news-2024",
            "https://blog.example/post?ref=abc",
            "not an address?ref=abc123def",
        ] {
            assert_eq!(ref_of_page(page), None, "{page}");
        }
    }
}
