//! Language negotiation. Parvis speaks French and English; the catalogue of UI strings lives
//! with the pages (web crate), the choice of language is pure logic and lives here.

use serde::Serialize;

/// A UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Français: the default, Parvis's users write mostly in French.
    #[default]
    Fr,
    En,
}

impl Lang {
    /// The BCP 47 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// Parse `fr`/`en` (and regional variants like `en-GB`).
    pub fn from_code(s: &str) -> Option<Lang> {
        let primary = s.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Choose from an `Accept-Language` header: the supported language with the highest
    /// q-value wins; ties keep the header's order; nothing supported → French.
    pub fn negotiate(accept_language: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in accept_language.split(',') {
            let mut bits = part.split(';');
            let tag = bits.next().unwrap_or("");
            let q = bits
                .find_map(|b| {
                    b.trim()
                        .strip_prefix("q=")
                        .and_then(|v| v.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            if let Some(lang) = Lang::from_code(tag)
                && q > 0.0
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }

    /// `n` with its thousands grouped as the language writes them: `10 000` (narrow no-break
    /// spaces) in French, `10,000` in English.
    pub fn number(self, n: i64) -> String {
        let digits = n.unsigned_abs().to_string();
        let sep = match self {
            Lang::Fr => "\u{202f}",
            Lang::En => ",",
        };
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3 + 1);
        if n < 0 {
            out.push('-');
        }
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(sep);
            }
            out.push(c);
        }
        out
    }

    /// Whether `n` takes the singular in this language: French says "0 résultat, 1 résultat,
    /// 2 résultats"; English "0 results, 1 result, 2 results" (CLDR's cardinal rules).
    pub fn is_singular(self, n: i64) -> bool {
        match self {
            Lang::Fr => n == 0 || n == 1,
            Lang::En => n == 1,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_are_grouped_by_language() {
        use super::Lang;
        assert_eq!(Lang::Fr.number(10_000), "10\u{202f}000");
        assert_eq!(Lang::En.number(1_234_567), "1,234,567");
        assert_eq!(Lang::En.number(999), "999");
        assert_eq!(Lang::Fr.number(-4_000), "-4\u{202f}000");
    }

    #[test]
    fn plural_rules_differ_at_zero() {
        use super::Lang;
        assert!(Lang::Fr.is_singular(0) && Lang::Fr.is_singular(1) && !Lang::Fr.is_singular(2));
        assert!(!Lang::En.is_singular(0) && Lang::En.is_singular(1) && !Lang::En.is_singular(2));
    }

    use super::*;

    #[test]
    fn negotiates_accept_language() {
        assert_eq!(Lang::negotiate("en-US,en;q=0.9,fr;q=0.8"), Lang::En);
        assert_eq!(Lang::negotiate("de-DE,fr;q=0.5,en;q=0.4"), Lang::Fr);
        assert_eq!(Lang::negotiate("de"), Lang::Fr);
        assert_eq!(Lang::negotiate("fr;q=0.2, en;q=0.7"), Lang::En);
    }
}
