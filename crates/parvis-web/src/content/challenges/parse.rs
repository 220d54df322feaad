//! Form parsing helpers shared by the challenge forms.

use parvis_services::ServiceError;

pub(super) fn number(field: &str, s: &str) -> Result<Option<i64>, ServiceError> {
    let s = s.trim().replace([' ', '\u{202f}', '\u{a0}'], "");
    if s.is_empty() {
        return Ok(None);
    }
    s.parse().map(Some).map_err(|_| {
        parvis_domain::ValidationError::broke(
            field,
            parvis_domain::Rule::Range,
            "expected a whole number",
        )
        .into()
    })
}

/// Every value of a repeated field of a URL-encoded form (`winner=1&winner=4`).
pub(super) fn form_values(body: &[u8], name: &str) -> Vec<String> {
    form_urlencoded::parse(body)
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .collect()
}
