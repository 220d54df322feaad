//! A member's live-room events at erasure: the room's log is its source of truth and is
//! replayed in order (question n is the n-th asked), so events are not deleted — that would
//! renumber questions and polls — but rewritten: the member's key becomes a random key of its
//! own (their votes still count once, their answers stay in the aggregates), their name the
//! erased account's neutral name, and, when the member chose to delete their messages, the
//! text of their questions is withdrawn too.

use crate::privacy::ERASED_NAME;
use crate::{Result, Services};
use parvis_domain::MemberId;
use serde_json::Value;

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

impl Services {
    /// Anonymise `member`'s events in every room, then have open rooms replay their logs.
    pub(crate) async fn erase_room_events(
        &self,
        member: MemberId,
        drop_text: bool,
    ) -> Result<usize> {
        let old = format!("m:{}", member.0);
        let new = format!("x:{}", &crate::random_token()[..16]);
        let mut events = self.store().room_events_naming(&old).await?;
        for (_, e) in &mut events {
            if let Some(body) = anonymise_event(&e.body, &old, &new, drop_text) {
                e.body = body;
            }
            if e.actor_key == old {
                e.actor_key = new.clone();
            }
        }
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
}
