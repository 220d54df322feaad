//! The timeline: mbox folders read into [`EvalMessage`]s, threads repaired, people keyed
//! across address obfuscations, texts and titles cleaned, and periods mixed into one space.

use std::path::{Path, PathBuf};

use parvis_import::{Format, Record, SkipKind, identity};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::RelevanceError;
use crate::sparse::DAY_MS;

/// One message of the timeline, reduced to what the evaluation uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalMessage {
    /// Message-ID.
    pub id: String,
    /// Thread key (root Message-ID).
    pub thread: String,
    /// Message-ID of the parent, if any.
    pub parent: Option<String>,
    /// Person key (normalised e-mail, or handle).
    pub person: String,
    /// Display name as the message shows it.
    pub name: String,
    /// Unix ms.
    pub at: i64,
    /// The author's own text (quotes and footers removed).
    pub text: String,
    /// Thread title without `Re:` and list tags.
    pub title: Option<String>,
}

/// Reads every mbox file of `dir` (or the file `dir`) into a timeline. The
/// mbox files of its sub-folders are read too, as the other lists of the
/// same space: a folder of list archives is evaluated as one space, with one
/// person per address across lists.
pub fn load_mbox(dir: &Path) -> Result<Vec<EvalMessage>, RelevanceError> {
    load_mbox_folder(dir).map(|(msgs, _)| msgs)
}

/// [`load_mbox`], and the files the importer left out of the folders because they are not
/// mbox (a downloaded Mailman archive has its `index.html` and `thread.html` beside the
/// months).
pub fn load_mbox_folder(dir: &Path) -> Result<(Vec<EvalMessage>, Vec<PathBuf>), RelevanceError> {
    let mut paths = vec![PathBuf::from(dir)];
    if dir.is_dir() {
        check_mbox_folder(dir)?;
        let mut subs: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|source| parvis_import::ImportError::Io {
                file: dir.to_path_buf(),
                source,
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir() && !is_hidden(p))
            .collect();
        subs.sort();
        paths.extend(subs);
    }
    read_timeline(&paths)
}

fn is_hidden(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'))
}

/// Says what a folder holds when it holds no mbox file at all (empty, or
/// only other kinds of files), rather than evaluating nothing.
fn check_mbox_folder(dir: &Path) -> Result<(), RelevanceError> {
    const NEEDS: &str = "`parvis eval feed` needs a folder of mbox files (a mailing-list archive, \
        e.g. one file per month, each message starting with a \"From \" line; gzipped files \
        such as Mailman's 2004-April.txt.gz are read too)";
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    let mut depth = 0;
    while let Some(d) = folders.pop() {
        let entries = std::fs::read_dir(&d).map_err(|source| parvis_import::ImportError::Io {
            file: d.clone(),
            source,
        })?;
        for e in entries.filter_map(Result::ok) {
            let p = e.path();
            if is_hidden(&p) {
                continue;
            }
            if p.is_dir() && depth == 0 {
                folders.push(p);
            } else if p.is_file() {
                files.push(p);
            }
        }
        depth = 1;
    }
    if files.is_empty() {
        return Err(RelevanceError::NoMbox(format!(
            "{} holds no file; {NEEDS}",
            dir.display()
        )));
    }
    if !files
        .iter()
        .any(|p| parvis_import::formats::email::is_mbox(p))
    {
        files.sort();
        let names: Vec<String> = files
            .iter()
            .take(3)
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        return Err(RelevanceError::NoMbox(format!(
            "{} holds {} file{} ({}{}) and none is an mbox; {NEEDS}",
            dir.display(),
            files.len(),
            if files.len() == 1 { "" } else { "s" },
            names.join(", "),
            if files.len() > 3 { ", …" } else { "" }
        )));
    }
    Ok(())
}

/// Reads mbox files and folders into one timeline.
pub fn load_mbox_paths(paths: &[PathBuf]) -> Result<Vec<EvalMessage>, RelevanceError> {
    read_timeline(paths).map(|(msgs, _)| msgs)
}

/// The timeline of `paths`, and the files of their folders the importer left out (not mbox).
fn read_timeline(paths: &[PathBuf]) -> Result<(Vec<EvalMessage>, Vec<PathBuf>), RelevanceError> {
    let mut out = Vec::new();
    let mut left_out = Vec::new();
    let mut seen = FxHashSet::default();
    for item in parvis_import::open(Format::Mbox, paths)? {
        let m = match item {
            Ok(Record::Message(m)) => m,
            Ok(Record::Skipped(s)) if s.kind == SkipKind::OtherFile => {
                left_out.push(s.file);
                continue;
            }
            _ => continue,
        };
        if !seen.insert(m.source_id.clone()) {
            continue;
        }
        let person = match m.author.email.as_deref().map(person_key) {
            Some(e) if !e.is_empty() => e,
            _ => identity::normalise_handle(&m.author.handle),
        };
        if person.is_empty() {
            continue;
        }
        out.push(EvalMessage {
            id: m.source_id,
            thread: m.thread_source_id,
            parent: m.parent_source_id,
            person,
            name: m.author.display_name.clone(),
            at: m.created_at,
            text: own_text(&m.body_text),
            title: m.thread_title.as_deref().map(clean_title),
        });
    }
    out.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));
    rethread(&mut out);
    Ok((out, left_out))
}

/// Rebuilds threads as a mail reader would: pipermail archives often lose
/// `References`, so the importer's root can be the message itself. Messages
/// are joined with their parent and with their announced root when those
/// are in the archive, and with the previous message of the same subject
/// (at least 10 characters) when it is less than 30 days older. A thread's
/// key is the id of its earliest message. Expects `msgs` sorted by time.
pub fn rethread(msgs: &mut [EvalMessage]) {
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    fn union(p: &mut [usize], a: usize, b: usize) {
        let (ra, rb) = (find(p, a), find(p, b));
        // The earlier message (smaller index) stays the root.
        if ra < rb {
            p[rb] = ra;
        } else if rb < ra {
            p[ra] = rb;
        }
    }
    let ix: FxHashMap<&str, usize> = msgs
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.as_str(), i))
        .collect();
    let mut parent: Vec<usize> = (0..msgs.len()).collect();
    let mut last_by_subject: FxHashMap<String, (usize, i64)> = FxHashMap::default();
    for (i, m) in msgs.iter().enumerate() {
        if let Some(&j) = m.parent.as_deref().and_then(|p| ix.get(p)) {
            union(&mut parent, i, j);
        }
        if let Some(&j) = ix.get(m.thread.as_str()) {
            union(&mut parent, i, j);
        }
        if let Some(t) = &m.title {
            let key = crate::text::fold(t)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            if key.len() >= 10 {
                if let Some(&(j, at)) = last_by_subject.get(&key)
                    && m.at - at < 30 * DAY_MS as i64
                {
                    union(&mut parent, i, j);
                }
                last_by_subject.insert(key, (i, m.at));
            }
        }
    }
    let roots: Vec<String> = (0..msgs.len())
        .map(|i| msgs[find(&mut parent, i)].id.clone())
        .collect();
    for (m, r) in msgs.iter_mut().zip(roots) {
        m.thread = r;
    }
}

/// An obfuscation-insensitive key for an archived e-mail address.
///
/// The R mailing-list archives changed their obfuscation in 2018:
/// `roger.bivand at nhh.no` became `roger@biv@nd @ending from nhh@no`
/// (`a`, `s`, `.` → `@`; `i`, `l`, `f` → `|`; ` at ` → ` sending from `).
/// Mapping both spellings onto the same lossy alphabet keeps one person one
/// key across the change (collisions need two addresses that differ only
/// inside those letter classes).
pub fn person_key(email: &str) -> String {
    let lower = email.trim().trim_matches(['<', '>']).to_lowercase();
    // New spelling: the separator is " sending from " with its letters obfuscated.
    let (local, domain) = match lower.find(" |rom ").or_else(|| lower.find(" from ")) {
        Some(i) => {
            let head = lower[..i].trim_end();
            let head = head.rsplit_once(' ').map(|(l, _)| l).unwrap_or(head);
            (head.to_string(), lower[i + 6..].to_string())
        }
        None => match lower.rsplit_once(" at ").or_else(|| lower.rsplit_once('@')) {
            Some((l, d)) => (l.to_string(), d.to_string()),
            None => (lower.clone(), String::new()),
        },
    };
    let map = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                'a' | 's' | '.' | '@' => '@',
                'i' | 'l' | 'f' | '|' => '|',
                c => c,
            })
            .collect()
    };
    format!("{}#{}", map(&local), map(&domain))
}

/// The folded first name of a display name (`"Bivand, Roger"` → `roger`),
/// when it looks like one (3+ letters).
pub(super) fn first_name(display: &str) -> Option<String> {
    let d = display.trim();
    let first = match d.split_once(',') {
        Some((_, given)) => given.split_whitespace().next(),
        None => d.split_whitespace().next(),
    }?;
    let f = crate::text::fold(first);
    (f.chars().count() >= 3 && f.chars().all(char::is_alphabetic)).then_some(f)
}

/// The author's own words: quoted lines, attributions, signatures and
/// list footers removed.
pub fn own_text(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    for line in body.lines() {
        let l = line.trim_end();
        if l == "--" || l == "-- " || l.starts_with("_______________") {
            break;
        }
        let t = l.trim_start();
        if t.starts_with('>')
            || (t.ends_with("wrote:") || t.ends_with("a écrit :") || t.ends_with("a écrit:"))
        {
            continue;
        }
        if t.starts_with("-----Original Message") {
            break;
        }
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// `Re: [R-sig-Geo] Subject` → `Subject`.
pub fn clean_title(t: &str) -> String {
    let mut s = t.trim();
    loop {
        let lower = s.to_ascii_lowercase();
        if lower.starts_with("re:") || lower.starts_with("aw:") || lower.starts_with("fw:") {
            s = s[3..].trim_start();
        } else if lower.starts_with("fwd:") {
            s = s[4..].trim_start();
        } else if s.starts_with('[') {
            match s.find(']') {
                Some(i) => s = s[i + 1..].trim_start(),
                None => break,
            }
        } else {
            break;
        }
    }
    s.to_string()
}

/// Replays `eras` consecutive periods of equal length of one archive *at the
/// same time*, as separate communities of one space: the busy space of an
/// organisation that gathers several lists and forums, built from real
/// conversations (see `bench/relevance/RESULTS.md`).
///
/// Period `e` is shifted back by `e` period lengths so every period starts
/// at the archive's start. Ids, threads and people get the suffix `~e`: a
/// person active in two periods counts as two people, so nothing a person
/// wrote later in real time is known when their earlier behaviour is
/// predicted. Order within a period, reply delays and texts are untouched.
/// Returns the timeline sorted by (shifted) time; `eras <= 1` returns it as is.
pub fn mix_eras(msgs: &[EvalMessage], eras: usize) -> Vec<EvalMessage> {
    let (Some(first), Some(last)) = (
        msgs.iter().map(|m| m.at).min(),
        msgs.iter().map(|m| m.at).max(),
    ) else {
        return Vec::new();
    };
    if eras <= 1 {
        let mut out = msgs.to_vec();
        out.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));
        return out;
    }
    let span = ((last - first) / eras as i64).max(1);
    // A thread belongs to the period of its first message, so no thread is cut in two.
    let mut thread_era: FxHashMap<&str, i64> = FxHashMap::default();
    let mut sorted: Vec<&EvalMessage> = msgs.iter().collect();
    sorted.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));
    for m in &sorted {
        thread_era
            .entry(m.thread.as_str())
            .or_insert(((m.at - first) / span).min(eras as i64 - 1));
    }
    let mut out: Vec<EvalMessage> = sorted
        .iter()
        .map(|m| {
            let e = thread_era.get(m.thread.as_str()).copied().unwrap_or(0);
            EvalMessage {
                id: format!("{}~{e}", m.id),
                thread: format!("{}~{e}", m.thread),
                parent: m.parent.as_ref().map(|p| format!("{p}~{e}")),
                person: format!("{}~{e}", m.person),
                name: m.name.clone(),
                at: m.at - e * span,
                text: m.text.clone(),
                title: m.title.clone(),
            }
        })
        .collect();
    out.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_keys_survive_the_archive_obfuscation_change() {
        assert_eq!(
            person_key("roger.bivand at nhh.no"),
            person_key("roger@biv@nd @ending from nhh@no")
        );
        assert_eq!(
            person_key("roger.bivand@nhh.no"),
            person_key("roger@biv@nd @ending from nhh@no")
        );
        assert_eq!(
            person_key("nikolaos.tziokas at gmail.com"),
            person_key("n|ko|@o@@tz|ok@@ @end|ng |rom gm@||@com")
        );
        assert_ne!(
            person_key("roger.bivand at nhh.no"),
            person_key("edzer.pebesma at uni-muenster.de")
        );
    }

    #[test]
    fn titles_and_quotes() {
        assert_eq!(
            clean_title("Re: [R-sig-Geo] RE: spdep weights"),
            "spdep weights"
        );
        let t = own_text("I agree.\nOn Monday Bob wrote:\n> quoted\nmore\n-- \nsig\n");
        assert_eq!(t, "I agree.\nmore\n");
    }
}
