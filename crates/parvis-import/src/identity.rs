//! Identity resolution: is this person on that channel the same human?
//!
//! Pure functions over [`PersonKey`]s. Two kinds of answer:
//! * [`Match::Exact`] — a signal that cannot be a coincidence: the same
//!   normalised e-mail address; the same handle on the same network; an
//!   explicit link one profile makes to the other (a Mastodon profile field
//!   pointing to the blog, a jsonl `links` entry).
//! * [`Match::Proposed`] — a likely match to show a human for confirmation:
//!   the same normalised full name *and* an e-mail at the same organisation
//!   domain (not a webmail), or the same name and the same handle local part
//!   on different networks.
//!
//! A display name alone never matches: "Marie D." on a blog and
//! "Marie D." on Mastodon are two people until something else says otherwise.

use std::borrow::Cow;

/// What identity resolution knows about one person on one channel.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonKey {
    /// Channel or network ("email", "mastodon", "wordpress"…).
    pub channel: String,
    /// The handle on that channel.
    pub handle: String,
    /// Whether the channel guarantees the handle (an account), as opposed
    /// to a free-text name typed in a comment form.
    pub handle_verified: bool,
    /// Display name.
    pub display_name: String,
    /// E-mail address, if known.
    pub email: Option<String>,
    /// Profile URL, if any.
    pub profile_url: Option<String>,
    /// Profiles this person declares as their own.
    pub links: Vec<String>,
}

impl From<&crate::record::ImportedPerson> for PersonKey {
    fn from(p: &crate::record::ImportedPerson) -> Self {
        // Channels whose handles are accounts rather than typed names.
        let verified = matches!(
            p.channel.as_str(),
            "mastodon" | "discourse" | "slack" | "twitter" | "linkedin" | "email"
        );
        PersonKey {
            channel: p.channel.clone(),
            handle: p.handle.clone(),
            handle_verified: verified,
            display_name: p.display_name.clone(),
            email: p.email.clone(),
            profile_url: p.profile_url.clone(),
            links: p.links.clone(),
        }
    }
}

/// The decision for a pair.
#[derive(Debug, Clone, PartialEq)]
pub enum Match {
    /// Certainly the same person.
    Exact {
        /// Why, in words.
        reason: String,
    },
    /// Probably the same person: propose, let a human confirm.
    Proposed {
        /// Why, in words.
        reason: String,
        /// Confidence between 0 and 1.
        score: f32,
    },
}

/// Turns `name at example.org`, `name (at) example.org`, `name[at]example.org` into `name@example.org`.
pub fn unobfuscate_email(s: &str) -> String {
    let s = s.trim();
    if s.contains('@') {
        return s.to_string();
    }
    for sep in [" at ", " (at) ", " [at] ", "(at)", "[at]", " AT "] {
        if let Some(i) = s.find(sep) {
            let (l, r) = (&s[..i], &s[i + sep.len()..]);
            let r = r
                .replace(" dot ", ".")
                .replace("(dot)", ".")
                .replace("[dot]", ".");
            if !l.trim().is_empty() && r.contains('.') && !l.trim().contains(' ') {
                return format!("{}@{}", l.trim(), r.trim());
            }
        }
    }
    s.to_string()
}

/// Lower-cases, trims, strips `mailto:` and angle brackets, and un-obfuscates.
pub fn normalise_email(s: &str) -> String {
    let s = s.trim().trim_matches(['<', '>']).trim();
    let s = s.strip_prefix("mailto:").unwrap_or(s);
    unobfuscate_email(s).to_lowercase()
}

/// Normalises a handle: trims, drops a leading `@`, lower-cases. For
/// fediverse handles the instance is kept (`@Marie@Mastodon.social` →
/// `marie@mastodon.social`).
pub fn normalise_handle(s: &str) -> String {
    s.trim().trim_start_matches('@').to_lowercase()
}

/// Normalises a URL for comparison: scheme, `www.`, trailing slash and case dropped.
pub fn normalise_url(s: &str) -> String {
    let s = s.trim().to_lowercase();
    let s = s
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches("www.");
    s.trim_end_matches('/').to_string()
}

/// Normalises a personal name: accents folded, punctuation dropped, words sorted.
pub fn normalise_name(s: &str) -> String {
    let folded = crate::topics::fold(s);
    let mut words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.sort_unstable();
    words.join(" ")
}

const WEBMAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.fr",
    "hotmail.com",
    "hotmail.fr",
    "outlook.com",
    "outlook.fr",
    "live.com",
    "live.fr",
    "msn.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "gmx.de",
    "gmx.net",
    "gmx.fr",
    "web.de",
    "free.fr",
    "orange.fr",
    "wanadoo.fr",
    "laposte.net",
    "sfr.fr",
    "protonmail.com",
    "proton.me",
    "yandex.ru",
    "mail.ru",
    "qq.com",
    "163.com",
];

fn org_domain(email: &str) -> Option<String> {
    let d = email.rsplit_once('@')?.1.to_string();
    if WEBMAIL.contains(&d.as_str()) {
        None
    } else {
        Some(d)
    }
}

/// All the ways a profile can be named by a link: its profile URL, and for
/// fediverse handles `https://instance/@user`.
fn profile_names(p: &PersonKey) -> Vec<String> {
    let mut v = Vec::new();
    if let Some(u) = &p.profile_url {
        v.push(normalise_url(u));
    }
    let h = normalise_handle(&p.handle);
    if let Some((user, host)) = h.split_once('@') {
        v.push(format!("{host}/@{user}"));
        v.push(format!("{host}/users/{user}"));
    }
    if h.starts_with("http") {
        v.push(normalise_url(&h));
    }
    v
}

fn links_to(from: &PersonKey, to: &PersonKey) -> Option<String> {
    let targets = profile_names(to);
    from.links
        .iter()
        .map(|l| normalise_url(l))
        .find(|l| targets.contains(l))
}

/// Compares two people. `None` means "no evidence": keep them apart.
pub fn compare(a: &PersonKey, b: &PersonKey) -> Option<Match> {
    let ea = a
        .email
        .as_deref()
        .map(normalise_email)
        .filter(|e| e.contains('@'));
    let eb = b
        .email
        .as_deref()
        .map(normalise_email)
        .filter(|e| e.contains('@'));
    if let (Some(x), Some(y)) = (&ea, &eb)
        && x == y
    {
        return Some(Match::Exact {
            reason: format!("same e-mail address {x}"),
        });
    }
    if a.channel == b.channel
        && a.handle_verified
        && b.handle_verified
        && !a.handle.is_empty()
        && normalise_handle(&a.handle) == normalise_handle(&b.handle)
    {
        return Some(Match::Exact {
            reason: format!("same {} account {}", a.channel, normalise_handle(&a.handle)),
        });
    }
    if let Some(l) = links_to(a, b).or_else(|| links_to(b, a)) {
        return Some(Match::Exact {
            reason: format!("profile link to {l}"),
        });
    }
    let na = normalise_name(&a.display_name);
    let nb = normalise_name(&b.display_name);
    // Require a real full name: at least two words, one longer than an initial.
    let full_name =
        na.split(' ').count() >= 2 && na.split(' ').filter(|w| w.len() > 1).count() >= 2;
    if full_name && na == nb {
        if let (Some(x), Some(y)) = (&ea, &eb)
            && let (Some(dx), Some(dy)) = (org_domain(x), org_domain(y))
            && dx == dy
        {
            return Some(Match::Proposed {
                reason: format!("same name {na:?} and same organisation domain {dx}"),
                score: 0.8,
            });
        }
        let la = local_part(&a.handle);
        let lb = local_part(&b.handle);
        if a.channel != b.channel && !la.is_empty() && la == lb {
            return Some(Match::Proposed {
                reason: format!(
                    "same name {na:?} and same handle {la:?} on {} and {}",
                    a.channel, b.channel
                ),
                score: 0.6,
            });
        }
    }
    None
}

/// A decision about two people of a list, by index.
#[derive(Debug, Clone, PartialEq)]
pub struct PairMatch {
    /// Index of the first person (always lower than `b`).
    pub a: usize,
    /// Index of the second person.
    pub b: usize,
    /// The decision.
    pub decision: Match,
}

/// Compares every pair of `people` that shares at least one blocking key
/// (normalised e-mail, handle, profile URL or link, normalised name), so the
/// cost follows the number of plausible pairs, not the square of the list.
/// Returns exact and proposed matches, sorted by `(a, b)`.
pub fn resolve(people: &[PersonKey]) -> Vec<PairMatch> {
    use std::collections::{BTreeSet, HashMap};
    let mut blocks: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, p) in people.iter().enumerate() {
        let mut keys = Vec::new();
        if let Some(e) = p
            .email
            .as_deref()
            .map(normalise_email)
            .filter(|e| e.contains('@'))
        {
            keys.push(format!("e:{e}"));
        }
        if !p.handle.is_empty() {
            keys.push(format!("h:{}", local_part(&p.handle)));
        }
        for n in profile_names(p) {
            keys.push(format!("u:{n}"));
        }
        for l in &p.links {
            keys.push(format!("u:{}", normalise_url(l)));
        }
        let n = normalise_name(&p.display_name);
        if !n.is_empty() {
            keys.push(format!("n:{n}"));
        }
        for k in keys {
            blocks.entry(k).or_default().push(i);
        }
    }
    let mut pairs = BTreeSet::new();
    for members in blocks.values() {
        // A huge block (a common first name) carries no information: skip it.
        if members.len() > 200 {
            continue;
        }
        for (x, &i) in members.iter().enumerate() {
            for &j in &members[x + 1..] {
                if i != j {
                    pairs.insert((i.min(j), i.max(j)));
                }
            }
        }
    }
    pairs
        .into_iter()
        .filter_map(|(a, b)| {
            compare(&people[a], &people[b]).map(|decision| PairMatch { a, b, decision })
        })
        .collect()
}

fn local_part(h: &str) -> Cow<'_, str> {
    let h = normalise_handle(h);
    Cow::Owned(h.split('@').next().unwrap_or("").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blog_marie() -> PersonKey {
        PersonKey {
            channel: "wordpress".into(),
            handle: "Marie D.".into(),
            display_name: "Marie D.".into(),
            ..Default::default()
        }
    }

    #[test]
    fn normalisation() {
        assert_eq!(normalise_email("  Marie@ACME.fr "), "marie@acme.fr");
        assert_eq!(normalise_email("marie at acme.fr"), "marie@acme.fr");
        assert_eq!(normalise_email("<mailto:Marie@acme.fr>"), "marie@acme.fr");
        assert_eq!(
            normalise_handle("@Marie@Mastodon.social"),
            "marie@mastodon.social"
        );
        assert_eq!(
            normalise_name("Dupont,  Marie"),
            normalise_name("marie DUPONT")
        );
        assert_eq!(normalise_name("Hélène"), "helene");
    }

    #[test]
    fn display_name_alone_never_matches() {
        let masto = PersonKey {
            channel: "mastodon".into(),
            handle: "@marie@mastodon.social".into(),
            handle_verified: true,
            display_name: "Marie D.".into(),
            ..Default::default()
        };
        assert_eq!(compare(&blog_marie(), &masto), None);
        let other_blog = PersonKey {
            channel: "disqus".into(),
            handle: "Marie D.".into(),
            display_name: "Marie D.".into(),
            ..Default::default()
        };
        assert_eq!(compare(&blog_marie(), &other_blog), None);
    }

    #[test]
    fn same_email_is_exact() {
        let mut blog = blog_marie();
        blog.email = Some("Marie@Acme.fr".into());
        let mail = PersonKey {
            channel: "email".into(),
            handle: "marie@acme.fr".into(),
            display_name: "Marie Dupont".into(),
            email: Some("marie at acme.fr".into()),
            ..Default::default()
        };
        assert!(matches!(compare(&blog, &mail), Some(Match::Exact { .. })));
    }

    #[test]
    fn mastodon_link_to_blog_is_exact() {
        let mut blog = blog_marie();
        blog.profile_url = Some("https://marie.example.fr/".into());
        let masto = PersonKey {
            channel: "mastodon".into(),
            handle: "@marie@mastodon.social".into(),
            handle_verified: true,
            display_name: "Marie D.".into(),
            links: vec!["http://www.marie.example.fr".into()],
            ..Default::default()
        };
        assert!(matches!(compare(&blog, &masto), Some(Match::Exact { .. })));
        assert!(matches!(compare(&masto, &blog), Some(Match::Exact { .. })));
    }

    #[test]
    fn jsonl_link_to_mastodon_handle_is_exact() {
        let jsonl = PersonKey {
            channel: "forum".into(),
            handle: "mdupont".into(),
            display_name: "M".into(),
            links: vec!["https://mastodon.social/@marie".into()],
            ..Default::default()
        };
        let masto = PersonKey {
            channel: "mastodon".into(),
            handle: "@marie@mastodon.social".into(),
            handle_verified: true,
            display_name: "Marie D.".into(),
            ..Default::default()
        };
        assert!(matches!(compare(&jsonl, &masto), Some(Match::Exact { .. })));
    }

    #[test]
    fn same_verified_handle_same_network() {
        let a = PersonKey {
            channel: "mastodon".into(),
            handle: "@Marie@mastodon.social".into(),
            handle_verified: true,
            ..Default::default()
        };
        let b = PersonKey {
            channel: "mastodon".into(),
            handle: "marie@mastodon.social".into(),
            handle_verified: true,
            ..Default::default()
        };
        assert!(matches!(compare(&a, &b), Some(Match::Exact { .. })));
        // Typed names in comment forms are not accounts.
        let c = PersonKey {
            channel: "wordpress".into(),
            handle: "Marie".into(),
            ..Default::default()
        };
        let d = PersonKey {
            channel: "wordpress".into(),
            handle: "marie".into(),
            ..Default::default()
        };
        assert_eq!(compare(&c, &d), None);
    }

    #[test]
    fn resolve_finds_pairs_without_comparing_everything() {
        let people = vec![
            PersonKey {
                channel: "wordpress".into(),
                handle: "Marie D.".into(),
                display_name: "Marie D.".into(),
                email: Some("marie@acme.fr".into()),
                ..Default::default()
            },
            PersonKey {
                channel: "mastodon".into(),
                handle: "@marie@mastodon.social".into(),
                handle_verified: true,
                display_name: "Marie D.".into(),
                links: vec!["https://marie.example.fr".into()],
                ..Default::default()
            },
            PersonKey {
                channel: "email".into(),
                handle: "marie@acme.fr".into(),
                display_name: "Marie Dupont".into(),
                email: Some("Marie at acme.fr".into()),
                ..Default::default()
            },
            PersonKey {
                channel: "rss".into(),
                handle: "https://marie.example.fr/".into(),
                display_name: "Blog".into(),
                profile_url: Some("https://marie.example.fr/".into()),
                ..Default::default()
            },
        ];
        let found: Vec<(usize, usize)> = resolve(&people).iter().map(|m| (m.a, m.b)).collect();
        // Blog commenter = mail author (e-mail); Mastodon = blog feed (link); never
        // Blog commenter = Mastodon on "Marie D." alone.
        assert_eq!(found, vec![(0, 2), (1, 3)]);
    }

    #[test]
    fn name_and_org_domain_is_proposed() {
        let a = PersonKey {
            channel: "email".into(),
            handle: "marie@acme.fr".into(),
            display_name: "Marie Dupont".into(),
            email: Some("marie@acme.fr".into()),
            ..Default::default()
        };
        let b = PersonKey {
            channel: "wordpress".into(),
            handle: "Marie Dupont".into(),
            display_name: "Dupont Marie".into(),
            email: Some("m.dupont@acme.fr".into()),
            ..Default::default()
        };
        assert!(matches!(compare(&a, &b), Some(Match::Proposed { score, .. }) if score > 0.5));
        // Same name at a webmail is not evidence.
        let c = PersonKey {
            email: Some("marie@gmail.com".into()),
            ..a.clone()
        };
        let d = PersonKey {
            email: Some("dupont@gmail.com".into()),
            ..b.clone()
        };
        assert_eq!(compare(&c, &d), None);
        // Initials are not a full name.
        let e = PersonKey {
            display_name: "Marie D.".into(),
            ..a
        };
        let f = PersonKey {
            display_name: "Marie D.".into(),
            ..b
        };
        assert_eq!(compare(&e, &f), None);
    }
}
