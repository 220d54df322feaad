//! Who is acting in a room: the [`Actor`] behind a signed-in member or a registered visitor.

use parvis_domain::Member;
use parvis_live::Actor;

/// The person behind a live action, from a signed-in member (moderators and admins moderate).
pub fn member_actor(m: &Member) -> Actor {
    Actor {
        key: format!("m:{}", m.id.0),
        name: m.display_name.clone(),
        moderator: m.site_role.can_moderate(),
    }
}

/// A registered visitor (a name given in the room and a random token kept in a cookie): the
/// key is derived from the token so the token itself never travels to other clients.
pub fn visitor_actor(token: &str, name: &str) -> Actor {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(token.as_bytes());
    Actor {
        key: format!("v:{}", &hex::encode(digest)[..16]),
        name: name.to_string(),
        moderator: false,
    }
}
