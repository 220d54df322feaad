//! Characters that have no place in a name or an identity.
//!
//! A NUL or another control character truncates or corrupts what other programs read (a CSV
//! opened elsewhere, a terminal, a mail header); a direction override (U+202E…) makes
//! "moc.elpmaxe@eve" read as an address it is not, or turns a name around in every list it
//! appears in. Names and identities are short, single-line labels, so none of these is ever
//! legitimate there. Typed input is refused with an error that names the character
//! (`check`); imported data, which nobody can correct on the spot, is cleaned (`strip`).
//! Message bodies are not concerned: they are Markdown rendered to sanitized HTML.

use crate::{Rule, ValidationError};

/// Whether `c` is refused in names and identities: C0 and C1 controls (NUL, tab, newline
/// included), DEL, the bidirectional embeddings and overrides U+202A–U+202E and the isolates
/// U+2066–U+2069.
pub fn is_forbidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether `s` holds none of the forbidden characters.
pub fn is_clean(s: &str) -> bool {
    // Fast path for the common case: printable ASCII.
    s.bytes().all(|b| (0x20..0x7f).contains(&b)) || !s.chars().any(is_forbidden)
}

/// Refuse a value holding a forbidden character, naming the field, the character and where
/// it is (1-based, in characters).
pub fn check(field: &str, s: &str) -> Result<(), ValidationError> {
    match s.chars().enumerate().find(|(_, c)| is_forbidden(*c)) {
        None => Ok(()),
        Some((i, c)) => Err(ValidationError::broke(
            field,
            Rule::Characters {
                code: c as u32,
                at: i + 1,
            },
            format!(
                "must not contain control characters or text-direction overrides (found U+{:04X} at character {})",
                c as u32,
                i + 1
            ),
        )),
    }
}

/// A required single-line label (a name, an identity): trimmed, non-empty, at most `max`
/// characters, and clean.
pub fn label(field: &str, s: &str, max: usize) -> Result<String, ValidationError> {
    let t = crate::required_text(field, s, max)?;
    check(field, &t)?;
    Ok(t)
}

/// The value without its forbidden characters; line breaks and tabs become spaces so that
/// "Marie\nDupont" stays two words. Leading and trailing spaces are trimmed.
pub fn strip(s: &str) -> String {
    if is_clean(s) {
        return s.trim().to_string();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\t' | '\n' | '\r') {
            out.push(' ');
        } else if !is_forbidden(c) {
            out.push(c);
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_controls_or_overrides_are_refused_with_the_character() {
        assert!(check("display_name", "Hélène Garnier-Ødegård 李").is_ok());
        let e = check("display_name", "Eve\u{202E}moc.elpmaxe").unwrap_err();
        assert_eq!(e.field, "display_name");
        assert!(e.message.contains("U+202E at character 4"), "{}", e.message);
        assert!(check("handle", "a\0b").is_err());
        assert!(check("handle", "a\u{2066}b").is_err());
        assert!(check("handle", "line\nbreak").is_err());
        assert!(check("handle", "del\u{7f}").is_err());
        assert!(check("handle", "c1\u{85}").is_err());
    }

    #[test]
    fn imported_names_are_cleaned() {
        assert_eq!(strip("  Marie\nDupont\0 "), "Marie Dupont");
        assert_eq!(strip("Eve\u{202E}moc\u{2069}"), "Evemoc");
        assert_eq!(strip("plain"), "plain");
    }
}
