//! Forms that fail validation come back filled in, with each error next to its field, in the
//! reader's language — never a bare error page that loses what was typed.
//!
//! A handler tries its use case; on `Validation` or `Conflict` it renders the same page again
//! with `failed` in the context: which form (`form`), what was typed (`values`) and the
//! errors by field (`errors`). Templates read them through the `ui.field_error`/`ui.invalid`
//! macros. Any other error still becomes an error page.

use crate::i18n;
use minijinja::{Value, context};
use parvis_domain::{Lang, Rule};
use parvis_services::ServiceError;
use std::collections::BTreeMap;

/// The errors of a form, by field, in `lang`; `None` when the error is not about the input.
pub(crate) fn field_errors(lang: Lang, e: &ServiceError) -> Option<BTreeMap<String, String>> {
    let t = |k: &str| i18n::get(lang, k).to_string();
    let (field, message) = match e {
        ServiceError::Validation(v) => {
            let message = match v.rule {
                // Challenges (content area): the refusals a user meets there, said plainly.
                Rule::InPast if v.field == "challenge" => t("err_challenge_deadline"),
                Rule::InPast if v.field == "vote" => t("err_votes_closed"),
                Rule::Choice if v.field == "challenge" || v.field == "state" => {
                    t("err_challenge_state")
                }
                Rule::Required if v.field == "accept_rules" => t("err_accept_rules"),
                Rule::Required if v.field == "winners" => t("err_winners"),
                Rule::Required if v.field == "consent" => t("err_consent_required"),
                Rule::Choice if v.field == "consent" => t("err_consent_withdrawn"),
                Rule::Range | Rule::Choice if v.field == "scores" => t("err_score_scale"),
                Rule::Url if v.field == "mastodon_instance" => t("err_mastodon_instance"),
                Rule::Required if v.field == "access_code" => t("err_access_code_required"),
                Rule::Required => t("err_required"),
                Rule::TooLong(max) => i18n::get_with(lang, "err_too_long", &[("n", max.into())]),
                Rule::Slug => t("err_slug"),
                Rule::Email => t("err_email"),
                Rule::Handle => t("err_handle"),
                Rule::Choice => t("err_choice"),
                Rule::PasswordLength => t("err_password_length"),
                Rule::Confirm => t("err_confirm"),
                Rule::Characters { code, at } => i18n::get_with(
                    lang,
                    "err_characters",
                    &[("code", format!("U+{code:04X}").into()), ("at", at.into())],
                ),
                Rule::DateTime => t("err_datetime"),
                Rule::InPast if v.field == "session" => t("err_session_begun"),
                Rule::InPast if v.field == "meeting" => t("err_meet_not_begun"),
                Rule::InPast if v.field == "plan" => t("err_meet_closed"),
                Rule::InPast => t("err_in_past"),
                Rule::TimeZone => t("err_time_zone"),
                // An agenda line without its minutes (or with words there) is the usual slip.
                Rule::Range if v.field == "agenda" => t("err_agenda_minutes"),
                Rule::Range => t("err_range"),
                Rule::BelowTaken => t("err_below_taken"),
                Rule::Url => t("err_url"),
                Rule::AccessCode => t("err_access_code"),
                Rule::Other if v.field == "checkin" => t("err_checkin_window"),
                Rule::Other if v.field == "checkin_mode" => t("err_checkin_online"),
                Rule::Other => t("err_other"),
            };
            (v.field.clone(), message)
        }
        ServiceError::Conflict(what) if what.contains("slug") => {
            ("slug".into(), t("err_taken_slug"))
        }
        ServiceError::Conflict(what) if what.contains("email") => {
            ("email".into(), t("err_taken_email"))
        }
        ServiceError::Conflict(what) if what.contains("vote") => {
            ("vote".into(), t("err_already_voted"))
        }
        ServiceError::Conflict(_) => ("form".into(), t("err_taken")),
        _ => return None,
    };
    Some(BTreeMap::from([(field, message)]))
}

/// A page shown again because its form had errors: 422, so scripts and tests can tell.
pub(crate) fn unprocessable(page: crate::pages::PageResult) -> crate::pages::PageResult {
    page.map(|mut res| {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        res
    })
}

/// The `failed` value templates read: which form, what was typed, what is wrong.
pub(crate) fn failed(
    form: &str,
    values: &impl serde::Serialize,
    errors: BTreeMap<String, String>,
) -> Value {
    context! { form => form, values => Value::from_serialize(values), errors => errors }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parvis_domain::ValidationError;

    fn one(lang: Lang, e: ServiceError) -> (String, String) {
        field_errors(lang, &e).unwrap().into_iter().next().unwrap()
    }

    #[test]
    fn errors_are_said_in_the_readers_language_with_plurals() {
        let long =
            |max| ServiceError::Validation(ValidationError::broke("name", Rule::TooLong(max), "x"));
        assert_eq!(one(Lang::Fr, long(120)).1, "120 caractères au plus.");
        assert_eq!(one(Lang::Fr, long(1)).1, "1 caractère au plus.");
        assert_eq!(one(Lang::En, long(120)).1, "At most 120 characters.");
        assert_eq!(one(Lang::En, long(1)).1, "At most 1 character.");
        let taken = ServiceError::Conflict("space slug".into());
        assert_eq!(one(Lang::Fr, taken).0, "slug");
        assert!(field_errors(Lang::Fr, &ServiceError::Unauthenticated).is_none());
    }
}
