//! Small value types parsed at the edge.

use crate::{Rule, ValidationError};
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(transparent)]
        pub struct $name(pub i64);
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { self.0.fmt(f) }
        }
    )*};
}

id_type!(
    /// A space (one ecosystem) id.
    SpaceId,
    /// A topic id.
    TopicId,
    /// A thread id.
    ThreadId,
    /// A message id.
    MessageId,
    /// A member (person) id.
    MemberId,
    /// An API token id.
    TokenId,
    /// A live debate room id.
    RoomId,
);

/// A URL-safe name: lowercase ASCII letters, digits and dashes, 2–64 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    /// Parse a slug, naming `field` in the error.
    pub fn parse(field: &str, s: &str) -> Result<Self, ValidationError> {
        let ok_chars = s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !(2..=64).contains(&s.len()) || !ok_chars || s.starts_with('-') || s.ends_with('-') {
            return Err(ValidationError::broke(
                field,
                Rule::Slug,
                "expected 2 to 64 lowercase letters, digits or dashes (like \"forum-alliance\")",
            ));
        }
        Ok(Self(s.to_string()))
    }

    /// Make a slug out of a title: accents folded, other characters turned into dashes.
    pub fn from_title(title: &str) -> Self {
        let mut out = String::new();
        for c in title.chars() {
            let c = fold_accent(c).to_ascii_lowercase();
            if c.is_ascii_alphanumeric() {
                out.push(c);
            } else if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
        }
        let mut s: String = out.trim_matches('-').chars().take(60).collect();
        while s.ends_with('-') {
            s.pop();
        }
        if s.len() < 2 {
            s = format!("s-{s}x");
        }
        Self(s)
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Fold the common Latin accents (é → e, ç → c…) so slugs and searches ignore them.
pub fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'À' | 'Á' | 'Â' | 'Ä' | 'Ã' | 'Å' => 'A',
        'ç' => 'c',
        'Ç' => 'C',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'È' | 'É' | 'Ê' | 'Ë' => 'E',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'Ì' | 'Í' | 'Î' | 'Ï' => 'I',
        'ñ' => 'n',
        'Ñ' => 'N',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
        'Ò' | 'Ó' | 'Ô' | 'Ö' | 'Õ' => 'O',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'Ù' | 'Ú' | 'Û' | 'Ü' => 'U',
        'ý' | 'ÿ' => 'y',
        'œ' => 'o',
        'æ' => 'a',
        other => other,
    }
}

/// An email address, trimmed and lowercased. Deliberately permissive (one `@`, a dot in the
/// domain, no spaces): the real check is that the magic link arrives.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Parse an email address, naming `field` in the error.
    pub fn parse(field: &str, s: &str) -> Result<Self, ValidationError> {
        let s = s.trim().to_lowercase();
        let valid = match s.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
                    && !s.chars().any(|c| c.is_whitespace() || c == '<' || c == '>')
            }
            None => false,
        };
        if !valid || s.len() > 254 {
            return Err(ValidationError::broke(
                field,
                Rule::Email,
                "expected an email address like marie@example.com",
            ));
        }
        Ok(Self(s))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A member handle: 2–40 characters, lowercase letters, digits, `.`, `_`, `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Handle(String);

impl Handle {
    /// Parse a handle, naming `field` in the error.
    pub fn parse(field: &str, s: &str) -> Result<Self, ValidationError> {
        let s = s.trim().trim_start_matches('@').to_lowercase();
        let ok = (2..=40).contains(&s.chars().count())
            && s.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
            });
        if !ok {
            return Err(ValidationError::broke(
                field,
                Rule::Handle,
                "expected 2 to 40 lowercase letters, digits, '.', '_' or '-' (like \"marie.durand\")",
            ));
        }
        Ok(Self(s))
    }

    /// Derive a handle from an email or a name (used by invitations and importers).
    pub fn suggest(from: &str) -> Self {
        let base = from.split('@').next().unwrap_or(from);
        let mut s: String = base
            .chars()
            .map(|c| fold_accent(c).to_ascii_lowercase())
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                    c
                } else {
                    '.'
                }
            })
            .collect();
        s = s.trim_matches('.').chars().take(32).collect();
        if s.len() < 2 {
            s = format!("member{s}");
        }
        Self(s)
    }

    /// The handle as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Generates `parse`/`as_str`/`ALL` for a closed set of names stored as text.
macro_rules! name_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }
        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The stored and JSON name.
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $text),+ } }
            /// Parse the stored name, naming `field` in the error.
            pub fn parse(field: &str, s: &str) -> Result<Self, ValidationError> {
                match s.trim().to_ascii_lowercase().as_str() {
                    $($text => Ok($name::$variant),)+
                    _ => Err(ValidationError::broke(field, Rule::Choice, format!(
                        "expected one of {}, got {:?}",
                        [$($text),+].join(", "), s))),
                }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

name_enum!(
    /// What a member may do on this Parvis instance.
    SiteRole { Admin = "admin", Moderator = "moderator", Member = "member" }
);

impl SiteRole {
    /// Moderators and admins moderate.
    pub fn can_moderate(self) -> bool {
        matches!(self, SiteRole::Admin | SiteRole::Moderator)
    }
    /// Only admins administer (spaces, roles, invitations).
    pub fn is_admin(self) -> bool {
        self == SiteRole::Admin
    }
}

name_enum!(
    /// Who a person is to the organisation, in its ecosystem.
    EcosystemRole {
        Customer = "customer",
        Prospect = "prospect",
        Partner = "partner",
        Supplier = "supplier",
        Employee = "employee",
        Journalist = "journalist",
        Investor = "investor",
        Expert = "expert",
        Other = "other",
    }
);

name_enum!(
    /// A reaction a member can leave on a message.
    ReactionKind { Like = "like", Insightful = "insightful", Agree = "agree", Question = "question" }
);

impl ReactionKind {
    /// The emoji shown on buttons.
    pub fn emoji(self) -> &'static str {
        match self {
            ReactionKind::Like => "👍",
            ReactionKind::Insightful => "💡",
            ReactionKind::Agree => "🤝",
            ReactionKind::Question => "❓",
        }
    }
}

name_enum!(
    /// An explicit consent a member gives (or withdraws), with its date.
    ConsentKind { Contact = "contact", ShareWithPartners = "share_with_partners" }
);

/// Check a free-text field: trimmed, non-empty, at most `max` characters.
pub fn required_text(field: &str, s: &str, max: usize) -> Result<String, ValidationError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(ValidationError::broke(
            field,
            Rule::Required,
            "must not be empty",
        ));
    }
    if t.chars().count() > max {
        return Err(ValidationError::broke(
            field,
            Rule::TooLong(max),
            format!("must be at most {max} characters"),
        ));
    }
    Ok(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_checked_and_derived() {
        assert!(Slug::parse("slug", "forum-alliance").is_ok());
        let e = Slug::parse("slug", "Forum Alliance").unwrap_err();
        assert_eq!(e.field, "slug");
        assert_eq!(
            Slug::from_title("Événements & leads : le ROI").as_str(),
            "evenements-leads-le-roi"
        );
    }

    #[test]
    fn emails_and_handles_are_normalised() {
        assert_eq!(
            Email::parse("email", " Marie@ACME.fr ").unwrap().as_str(),
            "marie@acme.fr"
        );
        assert!(Email::parse("email", "marie").is_err());
        assert!(Email::parse("email", "a@b").is_err());
        assert_eq!(
            Handle::parse("handle", "@Marie.D").unwrap().as_str(),
            "marie.d"
        );
        assert_eq!(
            Handle::suggest("Élise Martin@x.fr").as_str(),
            "elise.martin"
        );
    }

    #[test]
    fn json_names_are_the_stored_names() {
        // Pages translate `t["consent_" ~ kind]` from the JSON name; the store keeps `as_str`.
        fn check<T: serde::Serialize + Copy>(all: &[T], name: impl Fn(T) -> &'static str) {
            for v in all {
                assert_eq!(
                    serde_json::to_string(v).unwrap(),
                    format!("\"{}\"", name(*v))
                );
            }
        }
        check(SiteRole::ALL, SiteRole::as_str);
        check(EcosystemRole::ALL, EcosystemRole::as_str);
        check(ReactionKind::ALL, ReactionKind::as_str);
        check(ConsentKind::ALL, ConsentKind::as_str);
    }

    #[test]
    fn roles_parse_with_clear_errors() {
        assert_eq!(SiteRole::parse("role", "Admin").unwrap(), SiteRole::Admin);
        let e = EcosystemRole::parse("ecosystem_role", "alien").unwrap_err();
        assert!(e.message.contains("customer"));
    }
}
