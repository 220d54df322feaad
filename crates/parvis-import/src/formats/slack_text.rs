//! Slack's message text ("mrkdwn") to safe HTML: `<@U123>` mentions become the person's name,
//! `<#C1|general>` the channel, `<https://…|label>` links, ``` blocks and `code` spans code;
//! bot messages carry their content in `attachments` and uploads in `file`/`files`, which are
//! rendered after the text (Slack shows them the same way). Everything else is escaped text.

use std::collections::HashMap;

use serde_json::Value;

use crate::record::ImportedPerson;

/// Escapes text for HTML (Slack's own `&lt;`, `&gt;`, `&amp;` are decoded first).
fn escape(s: &str) -> String {
    let decoded = s
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let mut out = String::with_capacity(decoded.len());
    for c in decoded.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("<br>"),
            _ => out.push(c),
        }
    }
    out
}

fn is_web(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://") || url.starts_with("mailto:")
}

fn anchor(url: &str, label: &str) -> String {
    format!(
        "<a href=\"{}\">{}</a>",
        escape(url).replace("<br>", ""),
        escape(label)
    )
}

/// One `<…>` token of Slack's markup.
fn token(inner: &str, users: &HashMap<String, ImportedPerson>) -> String {
    let (target, label) = match inner.split_once('|') {
        Some((t, l)) => (t, Some(l)),
        None => (inner, None),
    };
    if let Some(id) = target.strip_prefix('@') {
        let name = users
            .get(id)
            .map(|p| p.display_name.as_str())
            .or(label)
            .unwrap_or(id);
        return format!("<strong>@{}</strong>", escape(name));
    }
    if let Some(id) = target.strip_prefix('#') {
        return format!("<strong>#{}</strong>", escape(label.unwrap_or(id)));
    }
    if let Some(special) = target.strip_prefix('!') {
        let word = label
            .map(|l| l.trim_start_matches('@'))
            .unwrap_or_else(|| special.split('^').next().unwrap_or(special));
        return format!("<strong>@{}</strong>", escape(word));
    }
    if is_web(target) {
        return anchor(
            target,
            label.unwrap_or(target.trim_start_matches("mailto:")),
        );
    }
    escape(&format!("<{inner}>"))
}

/// Text outside code: `<…>` tokens resolved, the rest escaped.
fn inline(text: &str, users: &HashMap<String, ImportedPerson>, out: &mut String) {
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        let Some(len) = rest[start..].find('>') else {
            break;
        };
        out.push_str(&escape(&rest[..start]));
        out.push_str(&token(&rest[start + 1..start + len], users));
        rest = &rest[start + len + 1..];
    }
    out.push_str(&escape(rest));
}

/// Slack mrkdwn to HTML.
pub(crate) fn mrkdwn(text: &str, users: &HashMap<String, ImportedPerson>) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    // ``` blocks alternate with prose; inside prose, `code` spans alternate with text.
    for (i, part) in text.split("```").enumerate() {
        if i % 2 == 1 {
            let code = part.strip_prefix('\n').unwrap_or(part);
            out.push_str("<pre><code>");
            out.push_str(&escape(code).replace("<br>", "\n"));
            out.push_str("</code></pre>");
            continue;
        }
        for (j, span) in part.split('`').enumerate() {
            if j % 2 == 1 && !span.contains('\n') {
                out.push_str("<code>");
                out.push_str(&escape(span));
                out.push_str("</code>");
            } else {
                if j % 2 == 1 {
                    out.push('`');
                }
                inline(span, users, &mut out);
            }
        }
    }
    out
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

/// A message's whole body: its text, then its attachments and files.
pub(crate) fn body(v: &Value, users: &HashMap<String, ImportedPerson>) -> String {
    let mut html = String::new();
    if let Some(text) = str_of(v, "text") {
        html.push_str("<p>");
        html.push_str(&mrkdwn(text, users));
        html.push_str("</p>");
    }
    for a in v
        .get("attachments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let mut parts = Vec::new();
        if let Some(p) = str_of(a, "pretext") {
            parts.push(mrkdwn(p, users));
        }
        match (str_of(a, "title"), str_of(a, "title_link")) {
            (Some(t), Some(l)) if is_web(l) => parts.push(anchor(l, t)),
            (Some(t), _) => parts.push(format!("<strong>{}</strong>", escape(t))),
            _ => {}
        }
        if let Some(t) = str_of(a, "text") {
            parts.push(mrkdwn(t, users));
        }
        if parts.is_empty()
            && let Some(f) = str_of(a, "fallback")
        {
            parts.push(mrkdwn(f, users));
        }
        if !parts.is_empty() {
            html.push_str("<blockquote>");
            html.push_str(&parts.join("<br>"));
            html.push_str("</blockquote>");
        }
    }
    let files = v
        .get("files")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .chain(v.get("file").cloned());
    for f in files {
        let name = str_of(&f, "title").or_else(|| str_of(&f, "name"));
        let url = str_of(&f, "permalink").or_else(|| str_of(&f, "url_private"));
        match (name, url) {
            (Some(n), Some(u)) if is_web(u) => {
                html.push_str(&format!("<p>📎 {}</p>", anchor(u, n)));
            }
            (Some(n), _) => html.push_str(&format!("<p>📎 {}</p>", escape(n))),
            _ => {}
        }
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users() -> HashMap<String, ImportedPerson> {
        let mut m = HashMap::new();
        m.insert(
            "U1".to_string(),
            ImportedPerson {
                display_name: "Harry Potter".into(),
                handle: "harry".into(),
                ..Default::default()
            },
        );
        m
    }

    #[test]
    fn mentions_links_and_code_render() {
        let html = mrkdwn(
            "<@U1>: see <https://x.example/a?b=1&amp;c=2|the PR> in <#C9|general>, <!here> &lt;b&gt; `a<b` <@U7>\n```\nx < 1\n```",
            &users(),
        );
        assert_eq!(
            html,
            "<strong>@Harry Potter</strong>: see <a href=\"https://x.example/a?b=1&amp;c=2\">the PR</a> in <strong>#general</strong>, <strong>@here</strong> &lt;b&gt; <code>a&lt;b</code> <strong>@U7</strong><br><pre><code>x &lt; 1\n</code></pre>"
        );
        // A link to anything but the web stays text.
        assert_eq!(
            mrkdwn("<javascript:alert(1)|clic>", &users()),
            "&lt;javascript:alert(1)|clic&gt;"
        );
    }

    #[test]
    fn bot_attachments_and_files_are_the_body() {
        let v: Value = serde_json::from_str(
            r#"{"text":"","attachments":[{"pretext":"[enrique:master] 1 new commit","text":"<https://g.example/c/1|ed1acbe>: draft"}],
                "file":{"title":"100 cities","permalink":"https://s.example/f/1"}}"#,
        )
        .unwrap_or_default();
        assert_eq!(
            body(&v, &users()),
            "<blockquote>[enrique:master] 1 new commit<br><a href=\"https://g.example/c/1\">ed1acbe</a>: draft</blockquote><p>📎 <a href=\"https://s.example/f/1\">100 cities</a></p>"
        );
    }
}
