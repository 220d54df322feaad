//! Signing in and out (password or one-time link) and the member's own account page: profile,
//! consents, linked identities, password and API tokens.

/// This area's JSON API handlers, under `/api/v1`.
pub(crate) mod api;

use super::{CsrfOnly, ListQuery, PageResult, fail, fail_api, render, safe_next, see_other};
use crate::AppState;
use crate::context::{Ctx, SESSION_COOKIE, cookie};
use crate::forms::{failed, field_errors, unprocessable};
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::header;
use axum::response::Response;
use axum::routing::{get, post};
use minijinja::{Value, context};
use parvis_domain::*;
use parvis_services::ServiceError;
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
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
