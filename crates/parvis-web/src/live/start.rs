//! "Starts in 3 days": what a session's room says before its session starts, instead of
//! counting down to the end of its first agenda item (which read "5064:14" days ahead).

use crate::i18n;
use minijinja::{Value, context};
use parvis_domain::Lang;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// The Fluent key and count for `left` milliseconds before the start: whole days, then whole
/// hours under a day, then minutes (rounded up, so the last seconds still read "1 minute").
fn unit(left: i64) -> Option<(&'static str, i64)> {
    match left {
        l if l <= 0 => None,
        l if l >= DAY => Some(("live_starts_in_days", l / DAY)),
        l if l >= HOUR => Some(("live_starts_in_hours", l / HOUR)),
        l => Some(("live_starts_in_minutes", (l + MINUTE - 1) / MINUTE)),
    }
}

/// "Commence dans 3 jours" / "Starts in 3 days"; `None` once the session has started.
pub(super) fn starts_in(lang: Lang, left: i64) -> Option<String> {
    unit(left).map(|(key, n)| i18n::get_n(lang, key, n))
}

/// What the room's page needs before its session starts: the start, the text for now, and
/// every text the script may show until then (days down to 1, 23 hours, 59 minutes), each
/// written by Fluent so the script never builds a plural itself. Undefined once started.
pub(super) fn page_value(lang: Lang, starts_at: Option<i64>, now: i64) -> Value {
    let Some(at) = starts_at.filter(|at| *at > now) else {
        return Value::UNDEFINED;
    };
    let days = (at - now) / DAY;
    let texts = |key: &str, upto: i64| -> Vec<String> {
        (1..=upto).map(|n| i18n::get_n(lang, key, n)).collect()
    };
    let table = serde_json::json!({
        "d": texts("live_starts_in_days", days),
        "h": texts("live_starts_in_hours", 23),
        "m": texts("live_starts_in_minutes", 59),
    });
    context! {
        at => at,
        text => starts_in(lang, at - now),
        table => table.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_then_hours_then_minutes_with_plurals_in_both_languages() {
        let s = |lang, left| starts_in(lang, left).unwrap();
        assert_eq!(s(Lang::Fr, 3 * DAY + 5 * HOUR), "Commence dans 3 jours");
        assert_eq!(s(Lang::En, 3 * DAY + 5 * HOUR), "Starts in 3 days");
        assert_eq!(s(Lang::Fr, DAY + HOUR), "Commence dans 1 jour");
        assert_eq!(s(Lang::En, DAY), "Starts in 1 day");
        assert_eq!(
            s(Lang::Fr, 5 * HOUR + 59 * MINUTE),
            "Commence dans 5 heures"
        );
        assert_eq!(s(Lang::En, HOUR), "Starts in 1 hour");
        assert_eq!(s(Lang::Fr, 59 * MINUTE), "Commence dans 59 minutes");
        assert_eq!(s(Lang::En, 30_000), "Starts in 1 minute");
        assert_eq!(s(Lang::Fr, 30_000), "Commence dans 1 minute");
        assert_eq!(starts_in(Lang::En, 0), None);
        assert_eq!(starts_in(Lang::Fr, -MINUTE), None);
    }

    #[test]
    fn the_page_gets_nothing_once_the_session_has_started() {
        assert!(page_value(Lang::En, Some(1_000), 2_000).is_undefined());
        assert!(page_value(Lang::En, None, 2_000).is_undefined());
        let v = page_value(Lang::En, Some(2 * DAY + 2_000), 2_000);
        assert_eq!(v.get_attr("text").unwrap().to_string(), "Starts in 2 days");
    }
}
