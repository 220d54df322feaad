//! Parvis domain: the vocabulary of the product as Rust types, with no I/O.
//!
//! Design decisions:
//! - Every value that comes from outside (a slug, an email, a role name) is *parsed* here into a
//!   type that can only hold a valid value (`Slug::parse`, `Email::parse`, …). Code further in
//!   never re-validates raw strings.
//! - Ids are newtypes over `i64` so a thread id can't be passed where a member id is expected.
//!   `i64` because both SQLite and PostgreSQL store them natively (`INTEGER` / `BIGINT`).
//! - Timestamps are Unix milliseconds (`Millis`), the one representation both stores and JSON
//!   agree on without driver-specific date types.
//! - Pure logic that several layers need (Markdown → sanitized HTML, language negotiation) lives
//!   here so it is tested without a server.

pub mod fluent;
pub mod hygiene;
pub mod i18n;
pub mod markdown;
mod model;
pub mod nesting;
mod values;

pub use i18n::Lang;
pub use model::*;
pub use values::*;

/// A value from outside that did not parse: names the field and says what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ValidationError {
    /// The field (JSON key, form field or CLI option) that was wrong.
    pub field: String,
    /// What was expected, in words a user understands.
    pub message: String,
    /// Which rule was broken, so that pages can say it in the reader's language.
    pub rule: Rule,
}

/// The rule a value broke (the `message` says it in English for the API and the CLI).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Empty where a value is needed.
    Required,
    /// Longer than this many characters.
    TooLong(usize),
    /// Not a slug (2–64 lower-case letters, digits, dashes).
    Slug,
    /// Not an email address.
    Email,
    /// Not a handle.
    Handle,
    /// Not one of a closed set of values.
    Choice,
    /// A password outside 10–200 characters.
    PasswordLength,
    /// A control character or a text-direction override in a name or an identity: its code
    /// point and where it is (1-based, in characters).
    Characters { code: u32, at: usize },
    /// A confirmation (the slug typed before a deletion) that does not match.
    Confirm,
    /// Not an absolute `http://` or `https://` address (or, for an origin, one with a path).
    Url,
    /// A date and time that does not parse (expected `YYYY-MM-DDTHH:MM`).
    DateTime,
    /// A date in the past, or an action after the moment it was possible (registering to a
    /// session that has begun).
    InPast,
    /// Not an IANA time zone name (`Europe/Paris`).
    TimeZone,
    /// A number outside its bounds (a duration, a capacity).
    Range,
    /// A capacity below the seats already taken.
    BelowTaken,
    /// A wrong access code.
    AccessCode,
    /// Anything else: only the English message says what.
    Other,
}

impl ValidationError {
    /// Build an error for `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::broke(field, Rule::Other, message)
    }

    /// Build an error for `field` that names the rule it broke.
    pub fn broke(field: impl Into<String>, rule: Rule, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            rule,
        }
    }
}

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

/// The current time in Unix milliseconds.
pub fn now_millis() -> Millis {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Format Unix milliseconds as RFC 3339 (`2026-03-04T09:12:00Z`), for JSON and feeds.
pub fn rfc3339(ms: Millis) -> String {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// Parse an RFC 3339 timestamp into Unix milliseconds.
pub fn parse_rfc3339(field: &str, s: &str) -> Result<Millis, ValidationError> {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::parse(s, &Rfc3339)
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
        .map_err(|_| {
            ValidationError::new(
                field,
                format!("expected an RFC 3339 date like 2026-03-04T09:12:00Z, got {s:?}"),
            )
        })
}
