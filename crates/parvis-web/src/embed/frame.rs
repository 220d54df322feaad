//! `/embed/{key}`: the page inside the iframe. It reads no cookie and sets none (the frame
//! may run sandboxed with an opaque origin), so every visitor sees the same card; the
//! language comes from `?lang=` or `Accept-Language`, the colours from `?theme=` or the
//! visitor's `prefers-color-scheme`.

use super::{frame_csp, frame_lang, public_base};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use minijinja::{Value, context};
use parvis_domain::PageRequest;
use parvis_services::embeds::track::new_click_id;
use parvis_services::embeds::{EmbedCard, EmbedTarget};
use parvis_services::{ServiceError, Services};
use serde::Deserialize;

/// Messages per page of an embedded thread (a long thread pages inside the frame).
const MESSAGES_PER_PAGE: u32 = 20;
/// Threads per page of an embedded topic.
const THREADS_PER_PAGE: u32 = 10;

#[derive(Deserialize, Default)]
pub(crate) struct FrameQuery {
    page: Option<String>,
    lang: Option<String>,
    theme: Option<String>,
    /// The host page's origin, as the loader saw it.
    origin: Option<String>,
    /// The host page's address, as the loader saw it (counted without its query; a share
    /// link's `ref=CODE` in it goes with a single sign-on, see `content::ref_of_page`).
    host: Option<String>,
    /// The share link's code of the host page's address, which the loader sends apart: it
    /// cuts a long address, and the code is often at its end.
    #[serde(rename = "ref")]
    share_ref: Option<String>,
}

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, super::URL_PARAM).to_string()
}

/// What the card shows below its head, by kind.
async fn body(
    services: &Services,
    target: &EmbedTarget,
    page: Option<u32>,
) -> Result<Value, ServiceError> {
    Ok(match target {
        EmbedTarget::Thread(id) => {
            let messages = services
                .messages(*id, PageRequest::new(page, None, MESSAGES_PER_PAGE))
                .await?;
            context! { has_next => messages.has_next(), messages => Value::from_serialize(&messages) }
        }
        EmbedTarget::Topic { space, topic } => {
            let space = services.space(space).await?;
            let topic = services.topic(&space, topic).await?;
            let threads = services
                .threads(
                    &space,
                    Some(&topic),
                    PageRequest::new(page, None, THREADS_PER_PAGE),
                )
                .await?;
            context! { has_next => threads.has_next(), threads => Value::from_serialize(&threads) }
        }
        // The map, and for a signed-in visitor one statement after another to vote on.
        EmbedTarget::Opinion { space, topic } => context! {
            map_src => format!("/s/{space}/t/{topic}/opinion/map.svg"),
            opinion => format!("{space}/{topic}"),
        },
        // Everything a session's card shows is on the card itself (date, mode, seats).
        EmbedTarget::Session(_) => Value::UNDEFINED,
        // A challenge's card carries its summary and, while it is open, its entries to vote
        // for (counts only where the challenge shows them: the card is the same for all, so
        // drawn as for someone signed out) and the form to submit one from the widget (its
        // rules shown, to be accepted).
        EmbedTarget::Challenge(id) => {
            let page = services.challenge_page(None, *id).await?;
            let v = &page.view;
            if v.challenge.state == "open" && !v.deadline_passed {
                let entries: Vec<_> = page.entries.iter().map(|e| &e.entry).collect();
                context! {
                    entry_open => true,
                    rules => v.challenge.rules.clone(),
                    challenge_id => id,
                    entries => Value::from_serialize(&entries),
                }
            } else {
                Value::UNDEFINED
            }
        }
        // A testimonial's card carries its summary; the page has the rest.
        EmbedTarget::Testimonial(_) => Value::UNDEFINED,
        // A survey's card carries its question and scale; answering needs the widget's
        // sign-in (one answer per person).
        EmbedTarget::Survey(token) => {
            let (s, _) = services.survey_for_answer(token, None).await?;
            let kind = Services::survey_kind(&s);
            let (lo, hi) = kind.map(|k| k.scale()).unwrap_or((0, 10));
            context! {
                survey_token => s.token,
                survey_kind => kind.map(|k| k.key()).unwrap_or("nps"),
                survey_closed => s.closed_at.is_some(),
                scale => (lo..=hi).collect::<Vec<_>>(),
                employee => kind.is_some_and(|k| k.is_employee()),
            }
        }
    })
}

/// The embedding page as the browser tells it (`Referer`, reduced to its origin by the
/// host's referrer policy most of the time).
fn referer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The origin of an address (`https://blog.example/post` → `https://blog.example`).
fn origin_of(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()
        .map(|u| u.origin().ascii_serialization())
        .filter(|o| o != "null")
}

fn html(status: StatusCode, page: String, ancestors: &str) -> Response {
    let mut res = (status, Html(page)).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, frame_csp(ancestors));
    // Each drawing mints its own click id for the call to action: never reuse one.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    res
}

/// The words before the visitor's name, "Signed in as" / « Connecté·e en tant que »: the
/// frame's script writes the name, so it gets both forms Fluent writes (`$elide`) and picks
/// « qu'Anna » or « que Paul » by the name (embed-post.js `elides`, as `i18n::elides`).
fn signed_in_as(lang: parvis_domain::Lang) -> Value {
    // A mark for the name, cut off: the name ends the message in both languages.
    let before = |elide: &str| {
        let s = crate::i18n::get_with(
            lang,
            "widget_signed_in_as",
            &[("name", "\u{1}".into()), ("elide", elide.into())],
        );
        s.split('\u{1}').next().unwrap_or_default().to_string()
    };
    context! { plain => before("no"), elided => before("yes") }
}

pub(crate) async fn frame(
    State(st): State<AppState>,
    Path(key): Path<String>,
    Query(q): Query<FrameQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = frame_lang(q.lang.as_deref(), &headers);
    let theme = match q.theme.as_deref() {
        Some("light") => "light",
        Some("dark") => "dark",
        _ => "auto",
    };
    let page = q
        .page
        .as_deref()
        .and_then(|p| p.parse::<u32>().ok())
        .filter(|p| *p >= 1 && *p <= 100_000);
    let base = public_base(&st);
    let host = q.host.clone().or_else(|| referer(&headers));
    // A share link's code in the host page's address: the widget sends it with a single
    // sign-on, the one sign-in that has no first-party step to carry our cookie.
    let share_ref = q
        .share_ref
        .clone()
        .filter(|c| parvis_services::shares::plausible_code(c))
        .or_else(|| host.as_deref().and_then(crate::content::ref_of_page));
    let embedder = q
        .origin
        .clone()
        .or_else(|| host.as_deref().and_then(origin_of));
    let render = |status: StatusCode, card: Option<&EmbedCard>, extra: Value, ancestors: &str| {
        // Query kept by the in-frame links (pager, topic → thread), so that the language
        // and theme the host chose stay.
        let keep = format!("lang={}&theme={theme}", lang.code());
        let out = st
            .templates
            .get_template("embed_frame.html")
            .and_then(|t| {
                t.render(context! {
                    ..extra,
                    ..context! {
                        lang => lang.code(),
                        t => crate::pages::strings(lang),
                        signed_in_as => signed_in_as(lang),
                        theme => theme,
                        keep => keep,
                        base => base.clone(),
                        site_name => st.config.site_name.clone(),
                        card => card.map(Value::from_serialize),
                        host => host.clone().unwrap_or_default(),
                        share_ref => share_ref.clone().unwrap_or_default(),
                        embedder => embedder.clone().unwrap_or_default(),
                        page => page.unwrap_or(1),
                        status => status.as_u16(),
                        reaction_kinds => parvis_domain::ReactionKind::ALL.iter().map(|k| context!{ name => k.as_str(), emoji => k.emoji() }).collect::<Vec<_>>(),
                    }
                })
            });
        match out {
            Ok(page) => html(status, page, ancestors),
            Err(e) => {
                tracing::error!(error = %e, "embed render failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "embed render failed").into_response()
            }
        }
    };
    let not_found = |what: &str| {
        tracing::debug!(key = %what, "embed of nothing");
        render(StatusCode::NOT_FOUND, None, Value::UNDEFINED, "*")
    };
    let Some(target) = EmbedTarget::parse_key(&key) else {
        return not_found(&key);
    };
    let card = match st.services.embed_card(&target).await {
        Ok(card) => card,
        Err(ServiceError::NotFound(_)) => return not_found(&key),
        Err(e) => {
            tracing::error!(error = %e, key = %key, "embed card failed");
            return render(StatusCode::SERVICE_UNAVAILABLE, None, Value::UNDEFINED, "*");
        }
    };
    let (settings, cta) = match (
        st.services.embed_settings(card.space_id).await,
        st.services.embed_cta(&card).await,
    ) {
        (Ok(s), Ok(c)) => (s, c),
        (Err(e), _) | (_, Err(e)) => {
            tracing::error!(error = %e, key = %key, "embed settings unreadable");
            return render(StatusCode::SERVICE_UNAVAILABLE, None, Value::UNDEFINED, "*");
        }
    };
    if !st.services.embed_allowed(&settings, embedder.as_deref()) {
        // Framable anywhere, so that the notice shows instead of the browser's blank error;
        // it says nothing of the conversation but where to read it.
        tracing::info!(key = %key, origin = embedder.as_deref().unwrap_or("(unknown)"), "embed on a site not allowed");
        return render(
            StatusCode::FORBIDDEN,
            None,
            context! { notice => format!("{base}{}", card.page_path) },
            "*",
        );
    }
    let ancestors = st.services.frame_ancestors(&settings);
    let click = format!(
        "{base}/r/{}?k={}&h={}",
        new_click_id(),
        enc(&card.key),
        enc(host.as_deref().unwrap_or(""))
    );
    let cta = context! {
        cta_href => click,
        cta_label => cta.map(|c| c.0),
    };
    match body(&st.services, &target, page).await {
        Ok(extra) => render(
            StatusCode::OK,
            Some(&card),
            context! { ..extra, ..cta },
            &ancestors,
        ),
        Err(ServiceError::NotFound(_)) => not_found(&key),
        Err(e) => {
            tracing::error!(error = %e, key = %key, "embed body failed");
            render(StatusCode::SERVICE_UNAVAILABLE, None, Value::UNDEFINED, "*")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parvis_domain::Lang;

    #[test]
    fn the_words_before_the_visitors_name_come_elided_and_not() {
        let form = |lang, which: &str| {
            signed_in_as(lang)
                .get_attr(which)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(form(Lang::Fr, "plain"), "Connecté·e en tant que ");
        assert_eq!(form(Lang::Fr, "elided"), "Connecté·e en tant qu'");
        assert_eq!(form(Lang::En, "plain"), "Signed in as ");
        assert_eq!(form(Lang::En, "elided"), "Signed in as ");
    }
}
