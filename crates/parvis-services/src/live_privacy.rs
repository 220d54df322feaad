//! A member's live-room events at erasure: the room's log is its source of truth and is
//! replayed in order (question n is the n-th asked), so events are not deleted — that would
//! renumber questions and polls — but rewritten: the member's key becomes a random key of its
//! own (their votes still count once, their answers stay in the aggregates), their name the
//! erased account's neutral name, and, when the member chose to delete their messages, the
//! text of their questions is withdrawn too. The moderators' notes may name the member in
//! their text (`Relancer Inès…`, `@ines`): there the name becomes the neutral name too, the
//! rest of the note staying the moderators'.

use crate::privacy::ERASED_NAME;
use crate::{Result, Services};
use parvis_domain::Member;
use serde_json::Value;
use std::collections::BTreeMap;

/// What a withdrawn question shows.
pub const WITHDRAWN_QUESTION: &str = "[question retirée · question withdrawn]";

/// Rewrite one logged event (`parvis_live::Event` as JSON) so it no longer names `old`:
/// every value equal to `old` becomes `new`, the name beside it the neutral name, and the
/// text of a question they asked is withdrawn when `drop_text`. `None` when the body is not
/// JSON (left as it is).
pub fn anonymise_event(body: &str, old: &str, new: &str, drop_text: bool) -> Option<String> {
    let mut v: Value = serde_json::from_str(body).ok()?;
    let by_them = v["actor"]["key"] == old;
    if by_them {
        v["actor"]["name"] = ERASED_NAME.into();
    }
    let cmd = &mut v["command"];
    let names_them = |c: &Value, field: &str| c[field] == old;
    match cmd["action"].as_str() {
        Some("invite") if names_them(cmd, "key") => cmd["name"] = ERASED_NAME.into(),
        Some("ask") if by_them && drop_text => cmd["text"] = WITHDRAWN_QUESTION.into(),
        _ => {}
    }
    replace_strings(&mut v, old, new);
    Some(v.to_string())
}

fn replace_strings(v: &mut Value, old: &str, new: &str) {
    match v {
        Value::String(s) if s == old => *s = new.to_string(),
        Value::Array(items) => items.iter_mut().for_each(|i| replace_strings(i, old, new)),
        Value::Object(map) => map.values_mut().for_each(|i| replace_strings(i, old, new)),
        _ => {}
    }
}

/// Replace every mention of one of `names` in `text` by the neutral name: case-insensitive,
/// whole words only (`Ana` leaves `Banana`, `Ana-Maria` and `@anab` alone), the longest name
/// first (`@ines` goes whole, not as `@` and a name). Empty names are skipped.
pub fn withdraw_names(text: &str, names: &[&str]) -> String {
    let mut names: Vec<&str> = names
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    let mut out = text.to_string();
    for name in names {
        out = withdraw_name(&out, name);
    }
    out
}

/// A character that continues a word, a name or a handle.
fn word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '@')
}

fn withdraw_name(text: &str, name: &str) -> String {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let wanted: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let fits = i + wanted.len() <= chars.len()
            && chars[i..i + wanted.len()]
                .iter()
                .zip(&wanted)
                .all(|((_, a), b)| a.to_lowercase().eq(b.to_lowercase()));
        let before_ok = i == 0 || !word_char(chars[i - 1].1);
        let after_ok = chars
            .get(i + wanted.len())
            .is_none_or(|(_, c)| !word_char(*c));
        if fits && before_ok && after_ok {
            out.push_str(ERASED_NAME);
            i += wanted.len();
        } else {
            out.push(chars[i].1);
            i += 1;
        }
    }
    out
}

/// Rewrite one logged moderators' note (`note` event as JSON) so its text no longer names any
/// of `names`; `None` when it is not a note or names none of them.
pub fn anonymise_note(body: &str, names: &[&str]) -> Option<String> {
    let mut v: Value = serde_json::from_str(body).ok()?;
    if v["command"]["action"] != "note" {
        return None;
    }
    let text = v["command"]["text"].as_str()?;
    let cleaned = withdraw_names(text, names);
    if cleaned == text {
        return None;
    }
    v["command"]["text"] = cleaned.into();
    Some(v.to_string())
}

impl Services {
    /// Anonymise `member`'s events in every room and withdraw their name from the
    /// moderators' notes, then have open rooms replay their logs.
    pub(crate) async fn erase_room_events(
        &self,
        member: &Member,
        drop_text: bool,
    ) -> Result<usize> {
        let old = format!("m:{}", member.id.0);
        let new = format!("x:{}", &crate::random_token()[..16]);
        let mut rewritten = BTreeMap::new();
        for (room, mut e) in self.store().room_events_naming(&old).await? {
            if let Some(body) = anonymise_event(&e.body, &old, &new, drop_text) {
                e.body = body;
            }
            if e.actor_key == old {
                e.actor_key = new.clone();
            }
            rewritten.insert((room, e.seq), (room, e));
        }
        // Notes name people in words, not by key: read them all (moderators take few).
        let handle = format!("@{}", member.handle);
        let names = [member.display_name.as_str(), handle.as_str()];
        for (room, note) in self.store().room_events_of_action("note").await? {
            let key = (room, note.seq);
            let body = rewritten.get(&key).map_or(&note.body, |(_, e)| &e.body);
            if let Some(cleaned) = anonymise_note(body, &names) {
                rewritten.entry(key).or_insert((room, note)).1.body = cleaned;
            }
        }
        let events: Vec<_> = rewritten.into_values().collect();
        if !events.is_empty() {
            self.store().rewrite_room_events(&events).await?;
            self.live().rebuild_all().await;
        }
        Ok(events.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_erased_member_keeps_no_name_nor_key_in_the_log() {
        let ask = r#"{"seq":1,"at":5,"actor":{"key":"m:1","name":"Ana","moderator":false},"command":{"action":"ask","text":"Mon adresse ?","anonymous":false}}"#;
        let out = anonymise_event(ask, "m:1", "x:ab", false).unwrap();
        assert!(out.contains("\"x:ab\"") && out.contains(ERASED_NAME) && !out.contains("Ana"));
        assert!(
            out.contains("Mon adresse ?"),
            "the question kept, anonymised"
        );
        let out = anonymise_event(ask, "m:1", "x:ab", true).unwrap();
        assert!(out.contains(WITHDRAWN_QUESTION) && !out.contains("Mon adresse"));
        // The floor given to them by a moderator: the moderator stays, their key goes.
        let floor = r#"{"seq":2,"at":6,"actor":{"key":"m:2","name":"Modo","moderator":true},"command":{"action":"give_floor","kind":"queue","to":"m:1","name":null}}"#;
        let out = anonymise_event(floor, "m:1", "x:ab", true).unwrap();
        assert!(out.contains("Modo") && out.contains("\"to\":\"x:ab\"") && !out.contains("m:1\""));
        let invite = r#"{"seq":3,"at":7,"actor":{"key":"system","name":"Parvis","moderator":true},"command":{"action":"invite","key":"m:1","name":"Ana"}}"#;
        let out = anonymise_event(invite, "m:1", "x:ab", false).unwrap();
        assert!(!out.contains("Ana") && out.contains(ERASED_NAME));
        // Another member whose id starts alike is untouched.
        let other = r#"{"seq":4,"at":8,"actor":{"key":"m:12","name":"Bob","moderator":false},"command":{"action":"raise_hand"}}"#;
        assert_eq!(
            anonymise_event(other, "m:1", "x:ab", true).unwrap(),
            serde_json::from_str::<Value>(other).unwrap().to_string()
        );
        assert!(anonymise_event("pas du json", "m:1", "x", true).is_none());
    }

    #[test]
    fn a_note_naming_the_erased_member_keeps_its_words_but_not_their_name() {
        let names = ["Inès Martin", "@ines", "INES"];
        assert_eq!(
            withdraw_names("Relancer INÈS MARTIN (cc @Ines), puis Ines.", &names),
            format!("Relancer {ERASED_NAME} (cc {ERASED_NAME}), puis {ERASED_NAME}.")
        );
        // Whole words only: another name that contains it, a longer handle, stay.
        let kept = "Inès Martinez et @ines-b, @inesse, Inesse";
        assert_eq!(withdraw_names(kept, &names), kept);
        assert_eq!(withdraw_names("Voir Ana", &["", "  "]), "Voir Ana");
        let note = r#"{"seq":5,"at":9,"actor":{"key":"m:2","name":"Modo","moderator":true},"command":{"action":"note","text":"Relancer Inès Martin"}}"#;
        let out = anonymise_note(note, &names).unwrap();
        assert!(!out.contains("Inès") && out.contains(ERASED_NAME) && out.contains("Modo"));
        // A note naming someone else, or an event that is not a note: nothing to rewrite.
        assert!(anonymise_note(note, &["Bob", "@bob"]).is_none());
        let ask = r#"{"seq":1,"at":5,"actor":{"key":"m:3","name":"Bob","moderator":false},"command":{"action":"ask","text":"Inès Martin ?","anonymous":false}}"#;
        assert!(anonymise_note(ask, &names).is_none());
    }
}
