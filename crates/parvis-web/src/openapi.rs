//! The OpenAPI 3.1 document served at `/api/openapi.json`. Written as data next to the routes
//! it describes; an integration test calls every operation listed here and checks that the
//! server knows it, so the two cannot drift apart silently.

use axum::Json;
use serde_json::{Value, json};

/// (method, path, summary, tag, request schema, success status, response schema, auth needed)
type Op = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    u16,
    Option<&'static str>,
    bool,
);

pub(crate) const OPERATIONS: &[Op] = &[
    (
        "get",
        "/spaces",
        "List spaces",
        "spaces",
        None,
        200,
        Some("SpaceList"),
        false,
    ),
    (
        "post",
        "/spaces",
        "Create a space (admin)",
        "spaces",
        Some("NewSpace"),
        201,
        Some("Space"),
        true,
    ),
    (
        "get",
        "/spaces/{space}",
        "Get a space",
        "spaces",
        None,
        200,
        Some("Space"),
        false,
    ),
    (
        "get",
        "/spaces/{space}/topics",
        "List a space's topics",
        "topics",
        None,
        200,
        Some("TopicList"),
        false,
    ),
    (
        "post",
        "/spaces/{space}/topics",
        "Create a topic (admin)",
        "topics",
        Some("NewTopic"),
        201,
        Some("Topic"),
        true,
    ),
    (
        "get",
        "/spaces/{space}/threads",
        "List a space's threads, most recently active first (paged; ?topic=slug)",
        "threads",
        None,
        200,
        Some("ThreadPage"),
        false,
    ),
    (
        "post",
        "/spaces/{space}/threads",
        "Start a thread",
        "threads",
        Some("NewThread"),
        201,
        Some("ThreadSummary"),
        true,
    ),
    (
        "get",
        "/threads/{id}",
        "Get a thread and a page of its messages",
        "threads",
        None,
        200,
        Some("ThreadWithMessages"),
        false,
    ),
    (
        "post",
        "/threads/{id}/messages",
        "Reply in a thread",
        "threads",
        Some("NewReply"),
        201,
        Some("Created"),
        true,
    ),
    (
        "post",
        "/messages/{id}/reactions",
        "React to a message",
        "threads",
        Some("NewReaction"),
        204,
        None,
        true,
    ),
    (
        "delete",
        "/messages/{id}/reactions/{kind}",
        "Take a reaction back",
        "threads",
        None,
        204,
        None,
        true,
    ),
    (
        "get",
        "/members",
        "List members (paged; ?q= filters on name, handle, organisation)",
        "members",
        None,
        200,
        Some("MemberPage"),
        false,
    ),
    (
        "get",
        "/members/{handle}",
        "Get a member's profile",
        "members",
        None,
        200,
        Some("Member"),
        false,
    ),
    (
        "put",
        "/members/{handle}/role",
        "Set a member's site role (admin)",
        "members",
        Some("RoleChange"),
        200,
        Some("Member"),
        true,
    ),
    (
        "post",
        "/invitations",
        "Invite someone by email (admin)",
        "members",
        Some("Invitation"),
        201,
        Some("Member"),
        true,
    ),
    (
        "get",
        "/me",
        "The signed-in member",
        "me",
        None,
        200,
        Some("Member"),
        true,
    ),
    (
        "get",
        "/me/export",
        "Everything Parvis holds about the signed-in member (GDPR access; docs/PRIVACY.md)",
        "me",
        None,
        200,
        None,
        true,
    ),
    (
        "delete",
        "/me",
        "Delete one's account; ?messages=anonymise keeps messages under a neutral name, ?messages=delete removes them",
        "me",
        None,
        200,
        None,
        true,
    ),
    (
        "get",
        "/members/{handle}/export",
        "Everything Parvis holds about a member (the member or an admin)",
        "members",
        None,
        200,
        None,
        true,
    ),
    (
        "delete",
        "/members/{handle}",
        "Delete a member's account at their request (admin); ?messages=anonymise|delete",
        "members",
        None,
        200,
        None,
        true,
    ),
    (
        "patch",
        "/me",
        "Update one's profile",
        "me",
        Some("ProfileUpdate"),
        200,
        Some("Member"),
        true,
    ),
    (
        "put",
        "/me/consents",
        "Give or withdraw a consent",
        "me",
        Some("ConsentChange"),
        200,
        Some("Member"),
        true,
    ),
    (
        "post",
        "/me/identities",
        "Declare an identity on another network",
        "me",
        Some("NewIdentity"),
        201,
        Some("Member"),
        true,
    ),
    (
        "get",
        "/me/tokens",
        "List one's API tokens",
        "me",
        None,
        200,
        Some("TokenList"),
        true,
    ),
    (
        "post",
        "/me/tokens",
        "Create an API token (the secret is returned once)",
        "me",
        Some("NewToken"),
        201,
        Some("CreatedToken"),
        true,
    ),
    (
        "delete",
        "/me/tokens/{id}",
        "Revoke an API token",
        "me",
        None,
        204,
        None,
        true,
    ),
    (
        "post",
        "/auth/password",
        "Sign in with email and password (sets the session cookie)",
        "auth",
        Some("PasswordSignIn"),
        200,
        Some("SignedIn"),
        false,
    ),
    (
        "post",
        "/auth/link",
        "Email a one-time sign-in link",
        "auth",
        Some("LinkRequest"),
        202,
        None,
        false,
    ),
    (
        "post",
        "/auth/signout",
        "End the session",
        "auth",
        None,
        204,
        None,
        false,
    ),
];

fn schemas() -> Value {
    let member_ref = json!({"type": "object", "properties": {
        "id": {"type": "integer"}, "handle": {"type": "string"}, "display_name": {"type": "string"},
        "organisation": {"type": "string"}, "ecosystem_role": {"$ref": "#/components/schemas/EcosystemRole"}}});
    let page = |item: &str| {
        json!({"type": "object", "required": ["items", "page", "per_page", "total"], "properties": {
        "items": {"type": "array", "items": {"$ref": format!("#/components/schemas/{item}")}},
        "page": {"type": "integer", "minimum": 1}, "per_page": {"type": "integer", "minimum": 1, "maximum": 200},
        "total": {"type": "integer"}}})
    };
    let list = |item: &str| json!({"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": format!("#/components/schemas/{item}")}}}});
    json!({
        "Problem": {"type": "object", "description": "RFC 9457 problem details; `code` is stable, `field` names the faulty field",
            "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
            "detail": {"type": "string"}, "code": {"type": "string"}, "field": {"type": "string"}}},
        "EcosystemRole": {"type": "string", "enum": ["customer", "prospect", "partner", "supplier", "employee", "journalist", "investor", "expert", "other"]},
        "SiteRole": {"type": "string", "enum": ["admin", "moderator", "member"]},
        "Space": {"type": "object", "properties": {"id": {"type": "integer"}, "slug": {"type": "string"}, "name": {"type": "string"},
            "description": {"type": "string"}, "created_at": {"type": "integer", "description": "Unix milliseconds"}}},
        "SpaceList": list("Space"),
        "NewSpace": {"type": "object", "required": ["slug", "name"], "properties": {"slug": {"type": "string", "pattern": "^[a-z0-9-]{2,64}$"},
            "name": {"type": "string"}, "description": {"type": "string"}}},
        "Topic": {"type": "object", "properties": {"id": {"type": "integer"}, "space_id": {"type": "integer"}, "slug": {"type": "string"},
            "title": {"type": "string"}, "description": {"type": "string"}, "keywords": {"type": "array", "items": {"type": "string"}},
            "thread_count": {"type": "integer"}}},
        "TopicList": list("Topic"),
        "NewTopic": {"type": "object", "required": ["title"], "properties": {"slug": {"type": "string"}, "title": {"type": "string"},
            "description": {"type": "string"}, "keywords": {"type": "array", "items": {"type": "string"}}}},
        "MemberRef": member_ref,
        "ThreadSummary": {"type": "object", "properties": {"id": {"type": "integer"}, "space_id": {"type": "integer"},
            "topic_id": {"type": ["integer", "null"]}, "topic_slug": {"type": ["string", "null"]}, "title": {"type": "string"},
            "author": {"$ref": "#/components/schemas/MemberRef"}, "created_at": {"type": "integer"}, "last_activity_at": {"type": "integer"},
            "message_count": {"type": "integer"}, "channel": {"type": "string"}}},
        "ThreadPage": page("ThreadSummary"),
        "NewThread": {"type": "object", "required": ["title", "body"], "properties": {"title": {"type": "string"},
            "body": {"type": "string", "description": "Markdown"}, "topic": {"type": "string", "description": "topic slug"}}},
        "Message": {"type": "object", "properties": {"id": {"type": "integer"}, "thread_id": {"type": "integer"},
            "parent_id": {"type": ["integer", "null"]}, "parent_author": {"type": ["string", "null"]}, "author": {"$ref": "#/components/schemas/MemberRef"},
            "body_markdown": {"type": "string"}, "body_html": {"type": "string", "description": "sanitized HTML"},
            "created_at": {"type": "integer"}, "channel": {"type": "string"}, "source_url": {"type": ["string", "null"]},
            "reactions": {"type": "array", "items": {"type": "object", "properties": {"kind": {"type": "string"}, "count": {"type": "integer"}}}}}},
        "ThreadWithMessages": {"type": "object", "properties": {"thread": {"$ref": "#/components/schemas/ThreadSummary"},
            "messages": page("Message")}},
        "NewReply": {"type": "object", "required": ["body"], "properties": {"body": {"type": "string"}, "parent_id": {"type": "integer"}}},
        "Created": {"type": "object", "properties": {"id": {"type": "integer"}, "thread_id": {"type": "integer"}}},
        "NewReaction": {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string", "enum": ["like", "insightful", "agree", "question"]}}},
        "Member": {"type": "object", "properties": {"id": {"type": "integer"}, "handle": {"type": "string"}, "display_name": {"type": "string"},
            "email": {"type": "string", "description": "only for the member themself and admins"},
            "site_role": {"$ref": "#/components/schemas/SiteRole"}, "ecosystem_role": {"$ref": "#/components/schemas/EcosystemRole"},
            "organisation": {"type": "string"}, "bio": {"type": "string"}, "lang": {"type": "string"}, "created_at": {"type": "integer"},
            "identities": {"type": "array", "items": {"type": "object", "properties": {"network": {"type": "string"}, "handle": {"type": "string"}, "verified": {"type": "boolean"}}}},
            "consents": {"type": "array", "items": {"type": "object", "properties": {"kind": {"type": "string", "enum": ["contact", "share_with_partners"]}, "granted": {"type": "boolean"}, "updated_at": {"type": "integer"}}}},
            "message_count": {"type": "integer"}}},
        "MemberPage": page("Member"),
        "RoleChange": {"type": "object", "required": ["role"], "properties": {"role": {"$ref": "#/components/schemas/SiteRole"}}},
        "Invitation": {"type": "object", "required": ["email", "display_name"], "properties": {"email": {"type": "string", "format": "email"},
            "display_name": {"type": "string"}, "site_role": {"$ref": "#/components/schemas/SiteRole"},
            "ecosystem_role": {"$ref": "#/components/schemas/EcosystemRole"}, "organisation": {"type": "string"}}},
        "ProfileUpdate": {"type": "object", "required": ["display_name", "ecosystem_role"], "properties": {"display_name": {"type": "string"},
            "ecosystem_role": {"$ref": "#/components/schemas/EcosystemRole"}, "organisation": {"type": "string"}, "bio": {"type": "string"}}},
        "ConsentChange": {"type": "object", "required": ["kind", "granted"], "properties": {"kind": {"type": "string", "enum": ["contact", "share_with_partners"]}, "granted": {"type": "boolean"}}},
        "NewIdentity": {"type": "object", "required": ["network", "handle"], "properties": {"network": {"type": "string"}, "handle": {"type": "string"}}},
        "TokenInfo": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "created_at": {"type": "integer"}, "last_used_at": {"type": ["integer", "null"]}}},
        "TokenList": list("TokenInfo"),
        "NewToken": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
        "CreatedToken": {"type": "object", "properties": {"token": {"$ref": "#/components/schemas/TokenInfo"}, "secret": {"type": "string"}}},
        "PasswordSignIn": {"type": "object", "required": ["email", "password"], "properties": {"email": {"type": "string"}, "password": {"type": "string"}}},
        "SignedIn": {"type": "object", "properties": {"member": {"$ref": "#/components/schemas/Member"}, "csrf_token": {"type": "string",
            "description": "send as X-CSRF-Token on writes authenticated by the session cookie"}}},
        "LinkRequest": {"type": "object", "required": ["email"], "properties": {"email": {"type": "string"}}},
        "TopicActivity": {"type": "object", "properties": {"months": {"type": "array", "items": {"type": "string", "description": "YYYY-MM"}},
            "topics": {"type": "array", "items": {"type": "object", "properties": {"topic": {"$ref": "#/components/schemas/Topic"},
            "channels": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "integer"}}}, "total": {"type": "integer"}}}}}},
        "ImportSummary": {"type": "object", "properties": {"dry_run": {"type": "boolean"}, "threads_created": {"type": "integer"},
            "messages_created": {"type": "integer"}, "messages_updated": {"type": "integer"}, "messages_unchanged": {"type": "integer"},
            "people_created": {"type": "integer"}, "people_matched": {"type": "integer"}, "merges_proposed": {"type": "integer"},
            "skipped": {"type": "integer"}, "errors": {"type": "integer"}, "skipped_reasons": {"type": "object", "additionalProperties": {"type": "integer"}},
            "error_examples": {"type": "array", "items": {"type": "string"}}, "parents_linked": {"type": "integer"}}},
        "ProposalList": {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "a": {"$ref": "#/components/schemas/Member"}, "b": {"$ref": "#/components/schemas/Member"},
            "reason": {"type": "string"}, "score": {"type": "number"}}}}}},
        "Statement": {"type": "object", "properties": {"id": {"type": "integer"}, "topic_id": {"type": "integer"}, "author_id": {"type": ["integer", "null"]},
            "body": {"type": "string"}, "status": {"type": "string", "enum": ["pending", "accepted", "rejected"]}, "created_at": {"type": "integer"}}},
        "StatementList": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Statement"}}}},
        "NewStatement": {"type": "object", "required": ["body"], "properties": {"body": {"type": "string", "maxLength": 280}}},
        "NewVote": {"type": "object", "required": ["value"], "properties": {"value": {"type": "string", "enum": ["agree", "disagree", "pass"]}}},
        "StatementStatus": {"type": "object", "required": ["status"], "properties": {"status": {"type": "string", "enum": ["accepted", "rejected"]}}},
        "OpinionReport": {"type": "object", "description": "see the parvis-opinion crate documentation", "properties": {
            "mode": {"type": "string"}, "n_participants": {"type": "integer"}, "n_statements": {"type": "integer"}, "n_votes": {"type": "integer"},
            "participants": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}, "group": {"type": ["integer", "null"]}}}},
            "projections": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}, "x": {"type": "number"}, "y": {"type": "number"}}}},
            "groups": {"type": "array", "items": {"type": "object"}}, "consensus": {"type": "object"}, "divisive": {"type": "array", "items": {"type": "object"}},
            "statements": {"type": "array", "items": {"type": "object"}}}},
        "SearchResults": {"type": "object", "properties": {"total": {"type": "integer", "description": "matching messages"},
            "threads": {"type": "integer", "description": "threads with a match; paging counts threads (a lower bound when threads_exact is false)"},
            "threads_exact": {"type": "boolean"},
            "notices": {"type": "array", "items": {"type": "string", "enum": ["lone_minus", "unbalanced_quote", "stray_operator", "punctuation", "short_prefix",
                "too_many_words", "query_too_long", "no_word", "only_excluded", "empty_date_range", "page_too_large", "too_deep"]},
                "description": "what the search says about the query, as codes (notice words them in English)"},
            "notice": {"type": ["string", "null"],
            "description": "something about the query to show the person (e.g. an unbalanced quote was ignored)"},
            "hits": {"type": "array", "items": {"type": "object", "properties": {"message_id": {"type": "integer"}, "thread_id": {"type": "integer"},
            "score": {"type": "number"}, "title": {"type": "string"}, "snippet_html": {"type": "string", "description": "escaped text; the only markup is <mark>"},
            "thread_matches": {"type": "integer", "description": "matching messages in this thread, the shown one included"}}}}}},
        "Feed": {"type": "object", "properties": {"starter": {"type": "boolean", "description": "true for a member with no history: popular and fresh threads"},
            "learned_from_joins": {"type": ["integer", "null"], "description": "when the ranking was learned from this space's history: from how many joins; null while the built-in formula ranks"},
            "items": {"type": "array", "items": {"type": "object", "properties": {"thread": {"$ref": "#/components/schemas/ThreadSummary"},
            "reasons": {"type": "array", "items": {"type": "object", "properties": {"kind": {"type": "string"}, "count": {"type": "integer"}, "names": {"type": "array", "items": {"type": "string"}}}}}}}}}},
        "FeedFeedback": {"type": "object", "required": ["kind", "target"], "properties": {"kind": {"type": "string", "enum": ["not_interested", "mute_topic"]},
            "target": {"type": "integer"}, "on": {"type": "boolean"}}},
        "PeerList": {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {
            "member": {"$ref": "#/components/schemas/MemberRef"}, "closeness": {"type": "number"}, "shared_subjects": {"type": "array", "items": {"type": "string"}}}}}}},
        "IntroPaths": {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {
            "members": {"type": "array", "items": {"$ref": "#/components/schemas/MemberRef"}}, "strength": {"type": "number"},
            "hops": {"type": "array", "items": {"type": "object", "properties": {"from": {"$ref": "#/components/schemas/MemberRef"}, "to": {"$ref": "#/components/schemas/MemberRef"},
            "strength": {"type": "number"}, "replies": {"type": "integer"}, "threads_shared": {"type": "integer"}, "last_interaction": {"type": "integer"}}}}}}}}},
        "NewIntroRequest": {"type": "object", "required": ["target", "intermediary", "message"], "properties": {"target": {"type": "string", "description": "handle"},
            "intermediary": {"type": "string", "description": "handle"}, "message": {"type": "string"}}},
        "IntroRequest": {"type": "object", "properties": {"request": {"type": "object", "properties": {"id": {"type": "integer"}, "status": {"type": "string", "enum": ["pending", "accepted", "declined"]},
            "message": {"type": "string"}, "created_at": {"type": "integer"}}}, "requester": {"$ref": "#/components/schemas/MemberRef"},
            "intermediary": {"$ref": "#/components/schemas/MemberRef"}, "target": {"$ref": "#/components/schemas/MemberRef"}}},
        "IntroRequestList": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/IntroRequest"}}}},
        "MatchmakingRequest": {"type": "object", "required": ["participants", "format"], "properties": {"participants": {"type": "array", "items": {"type": "string"}},
            "format": {"type": "string", "enum": ["pairs", "tables"]}, "slots": {"type": "integer", "minimum": 1}, "do_not_match": {"type": "array", "items": {"type": "string"}},
            "already_met": {"type": "array", "items": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2}}}},
        "MatchmakingPlan": {"type": "object", "properties": {"slots": {"type": "array", "items": {"type": "object", "properties": {
            "meetings": {"type": "array", "items": {"type": "object", "properties": {"members": {"type": "array", "items": {"$ref": "#/components/schemas/MemberRef"}},
            "shared_subjects": {"type": "array", "items": {"type": "string"}}}}}, "unmatched": {"type": "array", "items": {"$ref": "#/components/schemas/MemberRef"}}}}}}},
        "MergeDone": {"type": "object", "properties": {"merge_id": {"type": "integer"}}},
        "MergeList": {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "kept_id": {"type": "integer"}, "merged_id": {"type": "integer"}, "reason": {"type": "string"},
            "created_at": {"type": "integer"}, "undone_at": {"type": ["integer", "null"]}}}}}},
    })
}

/// Build the whole document.
pub(crate) fn build() -> Value {
    let mut paths = serde_json::Map::new();
    for (method, path, summary, tag, req, status, resp, auth) in OPERATIONS {
        let mut params = Vec::new();
        for seg in path.split('/').filter(|s| s.starts_with('{')) {
            let name = seg.trim_matches(['{', '}']);
            params.push(
                json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}),
            );
        }
        if *method == "get"
            && (path.ends_with("/threads") || *path == "/members" || *path == "/threads/{id}")
        {
            params.push(
                json!({"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}}),
            );
            params.push(json!({"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}}));
        }
        let problem = json!({"description": "error", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}});
        let mut responses = serde_json::Map::new();
        responses.insert(
            status.to_string(),
            match resp {
                Some(s) => json!({"description": "success", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{s}")}}}}),
                None => json!({"description": "success"}),
            },
        );
        for code in ["400", "401", "403", "404", "409", "422"] {
            responses.insert(code.into(), problem.clone());
        }
        let mut op = json!({"summary": summary, "tags": [tag], "operationId": format!("{method}_{}", path.replace(['/', '{', '}'], "_").trim_matches('_')),
            "parameters": params, "responses": responses});
        if let Some(r) = req {
            op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{r}")}}}});
        }
        if *auth {
            op["security"] = json!([{"bearer": []}, {"session": []}]);
        }
        let entry = paths
            .entry(format!("/api/v1{path}"))
            .or_insert_with(|| json!({}));
        entry[*method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Parvis API", "version": env!("CARGO_PKG_VERSION"),
            "description": "Everything the Parvis UI does. Lists are paged with ?page=&per_page= (max 200). Errors are application/problem+json with a stable `code` and, for bad input, the `field`. Authenticate with an API token (`Authorization: Bearer pvs_…`, created under /me/tokens) or the session cookie plus the X-CSRF-Token header on writes."},
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "API token from POST /api/v1/me/tokens"},
                "session": {"type": "apiKey", "in": "cookie", "name": "parvis_session"}
            }
        }
    })
}

pub(crate) async fn document() -> Json<Value> {
    Json(build())
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_schema_reference_resolves() {
        let doc = super::build();
        let text = doc.to_string();
        let schemas = doc["components"]["schemas"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for part in text.split("#/components/schemas/").skip(1) {
            let name: String = part.chars().take_while(|c| c.is_alphanumeric()).collect();
            assert!(schemas.contains_key(&name), "dangling $ref {name}");
        }
    }
}
