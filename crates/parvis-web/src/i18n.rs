//! The interface's text in French and English, in Fluent files translators can edit
//! (`crates/parvis-web/locales/{fr,en}/*.ftl`, one file per area), with Fluent's plural rules
//! (`{ $count -> [one] … *[other] … }`: French puts 0 and 1 in `one`, English only 1).
//!
//! The files are embedded with `include_str!` so the binary stays self-contained, and read
//! by the catalogue the mails share (`parvis_domain::fluent`): `get` is a hash lookup.
//! Tests below check that both languages have the same messages with the same variables.

use fluent_bundle::FluentValue;
use parvis_domain::Lang;
use parvis_domain::fluent::{Catalog, Source};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// `(name, French, English)` for `locales/{fr,en}/NAME.ftl`.
macro_rules! ftl {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!("../locales/fr/", $name, ".ftl")),
            include_str!(concat!("../locales/en/", $name, ".ftl")),
        )
    };
}

/// The .ftl files, one per area: (name, French, English).
pub(crate) const FILES: &[Source] = &[
    ftl!("main"),
    ftl!("embed"),
    ftl!("measures"),
    ftl!("live"),
    ftl!("sessions"),
    ftl!("content"),
    // The measures' names, shared with the digest mail (kept by the measure crate).
    parvis_measure::labels::FTL,
];

static FR: LazyLock<Catalog> = LazyLock::new(|| Catalog::load(Lang::Fr, FILES));
static EN: LazyLock<Catalog> = LazyLock::new(|| Catalog::load(Lang::En, FILES));

fn catalog(lang: Lang) -> &'static Catalog {
    match lang {
        Lang::Fr => &FR,
        Lang::En => &EN,
    }
}

/// One string in one language (the key itself if unknown, which the tests rule out). For a
/// message that takes arguments, use `get_with` or `get_n`.
pub(crate) fn get(lang: Lang, key: &str) -> &str {
    lookup(lang, key).unwrap_or_else(|| {
        tracing::warn!(key, "no such interface string");
        key
    })
}

/// One string that takes no argument, if there is one by that key.
pub(crate) fn lookup(lang: Lang, key: &str) -> Option<&'static str> {
    catalog(lang).plain(key)
}

/// A message with arguments: `get_with(lang, "err_too_long", &[("n", 40.into())])`.
/// Numbers are written in the reader's grouping and select the plural form.
pub(crate) fn get_with(lang: Lang, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    catalog(lang).with(key, args)
}

/// A message that counts something, its plural chosen by `$count` (`1 résultat`,
/// `0 discussion`, `2 results`).
pub(crate) fn get_n(lang: Lang, key: &str, count: i64) -> String {
    get_with(lang, key, &[("count", count.into())])
}

/// A message that names someone or something with `$name`, and `$elide` ("yes"/"no") for
/// French to write "d'Anna" rather than "de Anna" (the English messages select nothing on it).
pub(crate) fn named(lang: Lang, key: &str, name: &str) -> String {
    let elide = if elides(name) { "yes" } else { "no" };
    get_with(lang, key, &[("name", name.into()), ("elide", elide.into())])
}

/// Whether French elides "de", "le" or "que" before this word: a vowel or a mute h ("d'Anna",
/// "d'Hélène", "d'Yves"), not a consonant nor a y sounding like one ("de Yasmine"). An h is
/// taken as mute: names with an aspirated h are the rarer ones.
pub(crate) fn elides(word: &str) -> bool {
    let mut letters = word.trim_start().chars().flat_map(char::to_lowercase);
    let vowel = |c: char| "aeiouàâäéèêëîïôöùûüœæ".contains(c);
    match letters.next() {
        Some('h') => true,
        Some('y') => letters
            .next()
            .is_some_and(|c| !vowel(c) && c.is_alphabetic()),
        Some(c) => vowel(c),
        None => false,
    }
}

/// The table for one language, ready for templates (`{{ t.sign_in }}`): every message that
/// takes no argument.
pub(crate) fn table(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    catalog(lang).plain_messages().collect()
}

/// The messages whose key starts with `prefix`, the prefix taken off (the live room's script
/// reads its `js_` strings this way).
pub(crate) fn with_prefix(lang: Lang, prefix: &str) -> BTreeMap<&'static str, &'static str> {
    catalog(lang)
        .plain_messages()
        .filter_map(|(k, v)| Some((k.strip_prefix(prefix)?, v)))
        .collect()
}

/// What an import format reads, in the reader's language (the importer describes it in
/// English for `parvis import --help`; a test keeps the two English wordings equal).
pub(crate) fn import_format_label(lang: Lang, format: parvis_import::Format) -> &'static str {
    lookup(lang, &format!("import_format_{}", format.name())).unwrap_or_default()
}

/// A search notice in the reader's language (the search index words it in English for the
/// API). A `match`, so that a new notice cannot ship without its key.
pub(crate) fn search_notice(lang: Lang, notice: parvis_search::Notice) -> String {
    use parvis_search::{MAX_LIMIT, MAX_QUERY_CLAUSES, MAX_WINDOW, Notice as N};
    let (key, max) = match notice {
        N::LoneMinus => ("search_notice_lone_minus", None),
        N::UnbalancedQuote => ("search_notice_unbalanced_quote", None),
        N::StrayOperator => ("search_notice_stray_operator", None),
        N::Punctuation => ("search_notice_punctuation", None),
        N::ShortPrefix => ("search_notice_short_prefix", None),
        N::TooManyWords => ("search_notice_too_many_words", Some(MAX_QUERY_CLAUSES)),
        N::QueryTooLong => ("search_notice_query_too_long", None),
        N::NoWord => ("search_notice_no_word", None),
        N::OnlyExcluded => ("search_notice_only_excluded", None),
        N::EmptyDateRange => ("search_notice_empty_date_range", None),
        N::PageTooLarge => ("search_notice_page_too_large", Some(MAX_LIMIT)),
        N::TooDeep => ("search_notice_too_deep", Some(MAX_WINDOW)),
    };
    match max {
        Some(max) => get_with(lang, key, &[("max", max.into())]),
        None => get(lang, key).to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use fluent_bundle::FluentResource;
    use std::collections::HashSet;

    #[test]
    fn french_elides_de_before_a_vowel_or_a_mute_h() {
        for w in [
            "Anna Schmidt",
            "Élodie",
            "hélène",
            "Yves",
            "Œdipe",
            "Ursula",
            "avis",
        ] {
            assert!(elides(w), "{w}");
        }
        for w in ["Bob", "Yasmine", "Zoé", "", "42 rue"] {
            assert!(!elides(w), "{w}");
        }
        assert_eq!(
            named(Lang::Fr, "delete_member_account", "Anna Schmidt"),
            "Supprimer le compte d'Anna Schmidt"
        );
        assert_eq!(
            named(Lang::Fr, "delete_member_account", "Bob Martin"),
            "Supprimer le compte de Bob Martin"
        );
        assert_eq!(
            named(Lang::En, "delete_member_account", "Anna Schmidt"),
            "Delete the account of Anna Schmidt"
        );
    }

    #[test]
    fn import_formats_are_worded_in_both_languages() {
        for (f, english) in parvis_import::Format::all() {
            assert_eq!(import_format_label(Lang::En, *f), *english);
            let fr = import_format_label(Lang::Fr, *f);
            assert!(!fr.is_empty() && fr != *english, "{f}");
        }
    }

    #[test]
    fn skip_reasons_are_worded_in_both_languages() {
        for k in parvis_import::SkipKind::ALL {
            let key = format!("import_skip_{}", k.code());
            let (en, fr) = (lookup(Lang::En, &key), lookup(Lang::Fr, &key));
            assert!(en.is_some_and(|e| !e.is_empty()), "{key} in English");
            assert!(
                fr.is_some_and(|f| !f.is_empty() && Some(f) != en),
                "{key} in French"
            );
        }
    }

    #[test]
    fn search_notices_are_french_in_french() {
        use parvis_search::Notice as N;
        for n in [
            N::LoneMinus,
            N::UnbalancedQuote,
            N::StrayOperator,
            N::Punctuation,
            N::ShortPrefix,
            N::TooManyWords,
            N::QueryTooLong,
            N::NoWord,
            N::OnlyExcluded,
            N::EmptyDateRange,
            N::PageTooLarge,
            N::TooDeep,
        ] {
            let fr = search_notice(Lang::Fr, n);
            assert_ne!(fr, n.english(), "{n:?}");
            // The page groups thousands (10,000) where the API writes 10000.
            assert_eq!(
                search_notice(Lang::En, n).replace(',', ""),
                n.english().replace(',', "")
            );
        }
        assert_eq!(
            search_notice(Lang::Fr, N::TooDeep),
            "seuls les 10\u{202f}000 premiers résultats se parcourent : précisez la recherche"
        );
    }

    fn parse(name: &str, lang: &str, source: &str) -> FluentResource {
        match FluentResource::try_new(source.to_string()) {
            Ok(r) => r,
            Err((_, errors)) => panic!("{lang}/{name}.ftl does not parse: {errors:?}"),
        }
    }

    #[test]
    fn every_file_parses_and_both_languages_have_the_same_messages_and_variables() {
        let mut seen = HashSet::new();
        for (name, fr, en) in FILES {
            parse(name, "fr", fr);
            parse(name, "en", en);
            let fr = parvis_domain::fluent::variables(fr);
            let en = parvis_domain::fluent::variables(en);
            for key in fr.keys() {
                assert!(
                    en.contains_key(key),
                    "{name}.ftl: {key} is missing in English"
                );
                assert!(seen.insert(key.clone()), "{key} is in two files");
            }
            for (key, vars) in &en {
                assert!(
                    fr.contains_key(key),
                    "{name}.ftl: {key} is missing in French"
                );
                assert_eq!(
                    &fr[key], vars,
                    "{name}.ftl: {key} takes other variables in French"
                );
            }
        }
    }

    #[test]
    fn no_message_is_empty_and_lookups_find_them() {
        for lang in [Lang::Fr, Lang::En] {
            let t = table(lang);
            assert!(t.len() > 900, "{} strings", t.len());
            for (k, v) in &t {
                assert!(!v.trim().is_empty(), "{k} is empty in {lang:?}");
            }
        }
        assert_eq!(get(Lang::Fr, "sign_in"), "Se connecter");
        assert_eq!(get(Lang::En, "sign_in"), "Sign in");
        assert_eq!(get(Lang::En, "m_title"), "Measures");
        assert_eq!(get(Lang::Fr, "m_status_achieved"), "atteint");
        assert_eq!(get(Lang::En, "no_such_key"), "no_such_key");
        // Significant spaces survive the file format (French puts one before « : »).
        assert_eq!(get(Lang::Fr, "colon"), "\u{a0}:");
        assert_eq!(
            with_prefix(Lang::En, "js_").get("connected").copied(),
            Some("Connected")
        );
    }

    #[test]
    fn counts_take_the_plural_each_language_gives_them() {
        let n = get_n;
        assert_eq!(n(Lang::Fr, "n_results", 0), "0 résultat");
        assert_eq!(n(Lang::Fr, "n_results", 1), "1 résultat");
        assert_eq!(n(Lang::Fr, "n_results", 2), "2 résultats");
        assert_eq!(n(Lang::En, "n_results", 0), "0 results");
        assert_eq!(n(Lang::En, "n_results", 1), "1 result");
        assert_eq!(n(Lang::En, "n_results", 2), "2 results");
        assert_eq!(n(Lang::Fr, "n_threads", 0), "0 discussion");
        assert_eq!(n(Lang::Fr, "n_replies", 1), "1 réponse");
        assert_eq!(n(Lang::En, "n_replies", 0), "0 replies");
        assert_eq!(n(Lang::Fr, "n_messages", 10_000), "10\u{202f}000 messages");
        assert_eq!(n(Lang::En, "n_messages", 10_000), "10,000 messages");
        // Every count message reads differently for 1 and 2 in at least one language (a
        // plural that never changes is a forgotten selector; "1 matched, 2 matched" is fine).
        let form = |lang, key: &str, count: i64| n(lang, key, count).replace(['1', '2'], "");
        for (name, fr, _) in FILES {
            for (key, vars) in {
                parse(name, "fr", fr);
                parvis_domain::fluent::variables(fr)
            } {
                if vars.contains("count") {
                    assert!(
                        [Lang::Fr, Lang::En]
                            .iter()
                            .any(|l| form(*l, &key, 1) != form(*l, &key, 2)),
                        "{key} has one form"
                    );
                }
            }
        }
    }

    #[test]
    fn numbers_in_messages_are_grouped_as_each_language_writes_them() {
        let n: FluentValue = 12_345.into();
        assert_eq!(
            get_with(Lang::Fr, "err_too_long", &[("n", n.clone())]),
            "12\u{202f}345 caractères au plus."
        );
        assert_eq!(
            get_with(Lang::En, "err_too_long", &[("n", n)]),
            "At most 12,345 characters."
        );
    }

    #[test]
    fn templates_use_only_known_keys() {
        let keys: HashSet<_> = table(Lang::Fr).into_keys().collect();
        let counts: HashSet<String> = FILES
            .iter()
            .flat_map(|(name, fr, _)| {
                parse(name, "fr", fr);
                parvis_domain::fluent::variables(fr)
            })
            .filter(|(_, vars)| vars.contains("count"))
            .map(|(key, _)| key)
            .collect();
        for (name, src) in crate::pages::TEMPLATE_SOURCES
            .iter()
            .chain(crate::measures::TEMPLATES)
            .chain(crate::live::TEMPLATES)
            .chain(crate::sessions::TEMPLATES)
            .chain(crate::content::TEMPLATES)
            .chain(crate::embed::TEMPLATES)
        {
            let mut rest = *src;
            while let Some(i) = rest.find("t.") {
                let before = rest[..i].chars().last();
                rest = &rest[i + 2..];
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                    continue;
                }
                let key: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                assert!(
                    keys.contains(key.as_str()),
                    "template {name} uses unknown key t.{key}"
                );
            }
            // `|count(lang, "KEY")`: a message that counts with `$count`.
            for part in src.split("count(lang, \"").skip(1) {
                let key = part.split('"').next().unwrap_or_default();
                assert!(
                    counts.contains(key),
                    "template {name} counts with unknown {key}"
                );
            }
        }
    }

    /// How long a lookup takes: `cargo test -p parvis-web --release --lib -- --ignored lookups_are_cheap --nocapture`.
    #[test]
    #[ignore]
    fn lookups_are_cheap() {
        let rounds = 1_000_000;
        let t = std::time::Instant::now();
        for i in 0..rounds {
            std::hint::black_box(get(
                Lang::Fr,
                if i % 2 == 0 { "sign_in" } else { "replies" },
            ));
        }
        let plain = t.elapsed().as_nanos() / rounds;
        let t = std::time::Instant::now();
        for i in 0..rounds as i64 {
            std::hint::black_box(get_n(Lang::Fr, "n_replies", i % 5));
        }
        let counted = t.elapsed().as_nanos() / rounds;
        // What the Rust tables did before: a linear scan of (key, text) rows.
        let rows: Vec<(&str, &str)> = table(Lang::Fr).into_iter().collect();
        let t = std::time::Instant::now();
        for i in 0..rounds {
            let key = if i % 2 == 0 { "sign_in" } else { "replies" };
            std::hint::black_box(rows.iter().find(|(k, _)| *k == key));
        }
        let scan = t.elapsed().as_nanos() / rounds;
        println!("get: {plain} ns, get_n: {counted} ns, former table scan: {scan} ns");
    }
}
