//! The visitors' emailed links: confirm a registration, and manage it (cancel, consents).

use crate::pages::{CsrfOnly, PageResult, fail, fail_api, render};
use crate::{AppState, Ctx};
use axum::extract::{Form, Path, Query, State};
use minijinja::{Value, context};
use parvis_domain::Lang;

#[allow(clippy::too_many_arguments)]
fn link_page(
    st: &AppState,
    ctx: &Ctx,
    title: &str,
    message: Option<String>,
    action: Option<String>,
    button: &str,
    session_id: Option<i64>,
    consents: Value,
    meet: Value,
) -> PageResult {
    render(
        st,
        ctx,
        "session_link.html",
        context! { title => title, message => message, action => action, button => button, session_id => session_id, consents => consents, meet => meet },
    )
}

fn s(lang: Lang, key: &str) -> String {
    crate::i18n::get(lang, key).to_string()
}

pub(super) async fn confirm_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> PageResult {
    let action = format!(
        "/sessions/confirm/{}",
        percent_encoding::utf8_percent_encode(&token, percent_encoding::NON_ALPHANUMERIC)
    );
    link_page(
        &st,
        &ctx,
        &s(ctx.lang, "confirm_registration"),
        Some(s(ctx.lang, "confirm_registration_intro")),
        Some(action),
        &s(ctx.lang, "confirm"),
        None,
        Value::UNDEFINED,
        Value::UNDEFINED,
    )
}

pub(super) async fn confirm(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let reg = st
        .services
        .confirm_registration(&token)
        .await
        .map_err(fail(&st, &ctx))?;
    let key = if reg.status == "confirmed" {
        "reg_status_confirmed"
    } else {
        "reg_status_waiting"
    };
    link_page(
        &st,
        &ctx,
        &s(ctx.lang, "registration"),
        Some(s(ctx.lang, key)),
        None,
        "",
        Some(reg.session_id),
        Value::UNDEFINED,
        Value::UNDEFINED,
    )
}

#[derive(serde::Deserialize, Default)]
pub(super) struct OkQuery {
    ok: Option<String>,
}

pub(super) async fn manage_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Query(q): Query<OkQuery>,
) -> PageResult {
    let reg = st
        .services
        .registration_by_manage_token(&token)
        .await
        .map_err(fail(&st, &ctx))?;
    let status = if q.ok.is_some() {
        s(ctx.lang, "session_ok_saved")
    } else {
        s(ctx.lang, &format!("reg_status_{}", reg.status))
    };
    let consents = if reg.status == "cancelled" {
        Value::UNDEFINED
    } else {
        let row = st
            .services
            .session_view(None, reg.session_id)
            .await
            .map_err(fail(&st, &ctx))?;
        super::calendar::consents_block(&token, &reg, &row.session.partners)
    };
    // A visitor who asked for meetings answers their proposals here (no account needed).
    let meet = match st
        .services
        .meetings_by_manage_token(reg.session_id, &token)
        .await
    {
        Ok(m) => super::meet::block(
            &m,
            format!(
                "/sessions/manage/{}/meetings",
                percent_encoding::utf8_percent_encode(&token, percent_encoding::NON_ALPHANUMERIC)
            ),
        ),
        Err(_) => Value::UNDEFINED,
    };
    let action = (reg.status != "cancelled").then(|| {
        format!(
            "/sessions/manage/{}",
            percent_encoding::utf8_percent_encode(&token, percent_encoding::NON_ALPHANUMERIC)
        )
    });
    let mut page = link_page(
        &st,
        &ctx,
        &s(ctx.lang, "registration"),
        Some(status),
        action,
        &s(ctx.lang, "cancel_registration"),
        Some(reg.session_id),
        consents,
        meet,
    )?;
    // The browser that opened the emailed link is the registrant's: scanning the room's QR
    // code from it checks them in (see `room::check_in`). The token was just found valid, so
    // it is safe in a header.
    if reg.status != "cancelled" {
        page.headers_mut().append(
            axum::http::header::SET_COOKIE,
            crate::context::cookie(
                &super::room::registrant_cookie(reg.session_id),
                &token,
                Some(60 * 60 * 24 * 60),
                ctx.secure_cookies,
            ),
        );
    }
    Ok(page)
}

pub(super) async fn manage_cancel(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let reg = st
        .services
        .cancel_by_manage_token(&token)
        .await
        .map_err(fail(&st, &ctx))?;
    link_page(
        &st,
        &ctx,
        &s(ctx.lang, "registration"),
        Some(s(ctx.lang, "reg_status_cancelled")),
        None,
        "",
        Some(reg.session_id),
        Value::UNDEFINED,
        Value::UNDEFINED,
    )
}
