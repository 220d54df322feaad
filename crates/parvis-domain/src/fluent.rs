//! A catalogue of messages in French and English read from Fluent files, shared by the pages
//! (`parvis-web/locales`) and the mails (`parvis-services/locales`): translators edit `.ftl`
//! files, with Fluent's plural rules (`{ $count -> [one] … *[other] … }`: French puts 0 and 1
//! in `one`, English only 1).
//!
//! The files are embedded by their crate (`include_str!`) and parsed once per language.
//! Every message that takes no argument is formatted at load and kept in a map, so looking it
//! up is a hash lookup. Unicode isolation marks are off because the output is HTML or plain
//! text, and numbers are written as the language writes them (`10 000` / `10,000`).

use crate::Lang;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::types::FluentNumber;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::collections::HashMap;

pub use fluent_bundle::FluentValue as Value;

/// One `.ftl` file in both languages: `(name, French source, English source)`.
pub type Source = (&'static str, &'static str, &'static str);

/// One language's messages.
pub struct Catalog {
    lang: Lang,
    bundle: FluentBundle<FluentResource>,
    plain: HashMap<String, String>,
}

/// Numbers in the reader's grouping; other values as Fluent writes them.
fn number_fr<M>(v: &FluentValue, _: &M) -> Option<String> {
    integer(v).map(|n| Lang::Fr.number(n))
}

fn number_en<M>(v: &FluentValue, _: &M) -> Option<String> {
    integer(v).map(|n| Lang::En.number(n))
}

fn integer(v: &FluentValue) -> Option<i64> {
    match v {
        FluentValue::Number(FluentNumber { value, .. })
            if value.fract() == 0.0 && value.abs() < 9e15 =>
        {
            Some(*value as i64)
        }
        _ => None,
    }
}

/// The ids of a resource's messages (terms, starting with `-`, are not looked up by code).
pub fn message_ids(resource: &FluentResource) -> impl Iterator<Item = &str> {
    resource.entries().filter_map(|e| match e {
        fluent_syntax::ast::Entry::Message(m) => Some(m.id.name),
        _ => None,
    })
}

impl Catalog {
    /// Parse `files` in `lang`. A file with errors still serves its valid messages and the
    /// log says where (each crate's tests rule such errors out).
    pub fn load(lang: Lang, files: &[Source]) -> Catalog {
        let id = lang.code();
        let mut bundle = FluentBundle::new_concurrent(vec![id.parse().unwrap_or_default()]);
        bundle.set_use_isolating(false);
        bundle.set_formatter(Some(match lang {
            Lang::Fr => number_fr,
            Lang::En => number_en,
        }));
        let mut ids = Vec::new();
        for (name, fr, en) in files {
            let source = if lang == Lang::Fr { fr } else { en };
            let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(r, e)| {
                tracing::error!(file = %format!("{id}/{name}.ftl"), errors = ?e, "translation file has errors");
                r
            });
            ids.extend(message_ids(&resource).map(str::to_string));
            if let Err(e) = bundle.add_resource(resource) {
                tracing::error!(file = %format!("{id}/{name}.ftl"), errors = ?e, "translation file repeats a message");
            }
        }
        let mut plain = HashMap::with_capacity(ids.len());
        for id in ids {
            if let Some(text) = Self::format(&bundle, &id, None) {
                plain.insert(id, text);
            }
        }
        Catalog {
            lang,
            bundle,
            plain,
        }
    }

    fn format(
        bundle: &FluentBundle<FluentResource>,
        key: &str,
        args: Option<&FluentArgs>,
    ) -> Option<String> {
        let pattern = bundle.get_message(key)?.value()?;
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        errors.is_empty().then(|| text.into_owned())
    }

    /// A message that takes no argument, if there is one by that key.
    pub fn plain(&self, key: &str) -> Option<&str> {
        self.plain.get(key).map(String::as_str)
    }

    /// Every message that takes no argument: `(key, text)`.
    pub fn plain_messages(&self) -> impl Iterator<Item = (&str, &str)> {
        self.plain.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// A message with arguments: `with(key, &[("n", 40.into())])`. Numbers are written in the
    /// reader's grouping and select the plural form. Unknown keys give an empty string and a
    /// warning (the tests rule them out).
    pub fn with(&self, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fluent = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            fluent.set(*name, value.clone());
        }
        let Some(pattern) = self.bundle.get_message(key).and_then(|m| m.value()) else {
            tracing::warn!(key, lang = self.lang.code(), "no such message");
            return String::new();
        };
        let mut errors = Vec::new();
        let text = self
            .bundle
            .format_pattern(pattern, Some(&fluent), &mut errors);
        if !errors.is_empty() {
            tracing::warn!(key, ?errors, "message formatted with errors");
        }
        text.into_owned()
    }
}

/// The messages and their variables in one `.ftl` source, for tests that check both
/// languages say the same things: `{message: {variables}}`.
pub fn variables(
    source: &str,
) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
    use std::collections::BTreeSet;
    fn inline(e: &InlineExpression<&str>, out: &mut BTreeSet<String>) {
        match e {
            InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_string());
            }
            InlineExpression::Placeable { expression } => expr(expression, out),
            _ => {}
        }
    }
    fn expr(e: &Expression<&str>, out: &mut BTreeSet<String>) {
        match e {
            Expression::Inline(i) => inline(i, out),
            Expression::Select { selector, variants } => {
                inline(selector, out);
                for v in variants {
                    pattern(&v.value, out);
                }
            }
        }
    }
    fn pattern(p: &Pattern<&str>, out: &mut BTreeSet<String>) {
        for e in &p.elements {
            if let PatternElement::Placeable { expression } = e {
                expr(expression, out);
            }
        }
    }
    let resource = fluent_syntax::parser::parse(source).unwrap_or_else(|(r, _)| r);
    let mut map = std::collections::BTreeMap::new();
    for entry in resource.body {
        if let Entry::Message(m) = entry {
            let mut vars = BTreeSet::new();
            if let Some(v) = &m.value {
                pattern(v, &mut vars);
            }
            map.insert(m.id.name.to_string(), vars);
        }
    }
    map
}
