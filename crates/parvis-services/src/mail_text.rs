//! The text of the mails Parvis sends, and of what it writes outside its pages (exports, the
//! names it gives), in French and English, from Fluent files translators can edit
//! (`crates/parvis-services/locales/{fr,en}/{mail,texts}.ftl`, and the measures' names from
//! `crates/parvis-measure/locales`), read by the same catalogue
//! as the pages' (`parvis_domain::fluent`). Each text is written in its reader's language.

use parvis_domain::Lang;
use parvis_domain::fluent::{Catalog, Source, Value};
use std::sync::LazyLock;

/// The `.ftl` files: (name, French, English).
const FILES: &[Source] = &[
    (
        "mail",
        include_str!("../locales/fr/mail.ftl"),
        include_str!("../locales/en/mail.ftl"),
    ),
    (
        "texts",
        include_str!("../locales/fr/texts.ftl"),
        include_str!("../locales/en/texts.ftl"),
    ),
    // The measures' names (the digest words the pyramid and the objectives as the dashboard).
    parvis_measure::labels::FTL,
];

static FR: LazyLock<Catalog> = LazyLock::new(|| Catalog::load(Lang::Fr, FILES));
static EN: LazyLock<Catalog> = LazyLock::new(|| Catalog::load(Lang::En, FILES));

/// The message `key` in `lang`, its `{ $name }` variables filled from `args`:
/// `text(lang, "reminder-intro", &[("title", title.into()), ("when", when.into())])`.
pub(crate) fn text(lang: Lang, key: &str, args: &[(&str, Value<'_>)]) -> String {
    let catalog: &Catalog = match lang {
        Lang::Fr => &FR,
        Lang::En => &EN,
    };
    catalog.with(key, args)
}

/// "dans 24 heures" / "in 1 hour" / "dans 30 minutes": whole hours in hours.
pub(crate) fn in_time(lang: Lang, minutes: i64) -> String {
    if minutes % 60 == 0 {
        text(lang, "in-hours", &[("count", (minutes / 60).into())])
    } else {
        text(lang, "in-minutes", &[("count", minutes.into())])
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use fluent_syntax::parser::parse;

    #[test]
    fn both_languages_have_the_same_mails_with_the_same_variables() {
        for (name, fr, en) in FILES {
            for (lang, source) in [("fr", fr), ("en", en)] {
                if let Err((_, errors)) = parse(*source) {
                    panic!("{lang}/{name}.ftl does not parse: {errors:?}");
                }
            }
            let (fr, en) = (
                parvis_domain::fluent::variables(fr),
                parvis_domain::fluent::variables(en),
            );
            assert_eq!(
                fr.keys().collect::<Vec<_>>(),
                en.keys().collect::<Vec<_>>(),
                "{name}.ftl: the same messages in both languages"
            );
            assert_eq!(fr, en, "{name}.ftl: the same variables in both languages");
        }
    }

    #[test]
    fn every_key_the_code_asks_for_exists() {
        // Every `"key"` given to `text(` in this crate's sources is a message of a file.
        let keys: std::collections::BTreeMap<_, _> = FILES
            .iter()
            .flat_map(|(_, fr, _)| parvis_domain::fluent::variables(fr))
            .collect();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut asked = 0;
        let mut stack = vec![std::path::PathBuf::from(dir)];
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            // The key is the second argument when written in place; keys chosen in a
            // `match` are string literals ending the way message ids here do.
            let in_place = source.split("mail_text::text(").skip(1).filter_map(|part| {
                let key = part.split_once(',')?.1.trim_start().strip_prefix('"')?;
                key.split_once('"').map(|(k, _)| k)
            });
            let chosen = source.split('"').skip(1).step_by(2).filter(|s| {
                ["-subject", "-body", "-intro"]
                    .iter()
                    .any(|end| s.ends_with(end))
                    && !s.contains(' ')
            });
            for key in in_place.chain(chosen) {
                asked += 1;
                assert!(
                    keys.contains_key(key),
                    "{}: no message {key:?}",
                    path.display()
                );
            }
        }
        assert!(
            asked >= 10,
            "the mails ask for their text here ({asked} found)"
        );
    }

    #[test]
    fn french_mails_take_french_plurals_and_spacing() {
        assert_eq!(in_time(Lang::Fr, 60), "dans 1 heure");
        assert_eq!(in_time(Lang::Fr, 1440), "dans 24 heures");
        assert_eq!(in_time(Lang::En, 60), "in 1 hour");
        assert_eq!(in_time(Lang::En, 30), "in 30 minutes");
        assert_eq!(in_time(Lang::En, 90), "in 90 minutes");
        let subject = text(
            Lang::Fr,
            "reminder-subject",
            &[
                ("title", "Débat".into()),
                ("when", in_time(Lang::Fr, 60).into()),
            ],
        );
        assert_eq!(subject, "Rappel\u{a0}: Débat commence dans 1 heure");
        let body = text(
            Lang::En,
            "signin-link-body",
            &[("link", "https://x/l".into())],
        );
        assert!(
            body.starts_with("Hello,\n\nTo sign in") && body.contains("\nhttps://x/l\n"),
            "{body}"
        );
    }
}
