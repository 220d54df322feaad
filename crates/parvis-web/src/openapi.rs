//! The OpenAPI 3.1 document served at `/api/openapi.json`.
//!
//! It is generated, never written by hand: `api::routes()` registers every handler with
//! `routes!`, each handler's `#[utoipa::path]` names its parameters, body and success answers,
//! and the schemas come from the Rust types themselves (`ToSchema`). This module only adds
//! what is common to every operation: the problem answers each one can give (derived from
//! what the operation takes: parameters, a body, authentication), the security schemes and the
//! introduction. So a new route, parameter or field appears in the document by construction.

use serde_json::{Value, json};

/// What the problem answers mean, by status.
const PROBLEMS: &[(&str, &str)] = &[
    (
        "400",
        "malformed request: a query or path parameter or the JSON body does not parse (`field` names it)",
    ),
    (
        "401",
        "authentication required, or the bearer token is unknown",
    ),
    (
        "403",
        "not allowed for this member, or a cookie-authenticated write without its CSRF token",
    ),
    ("404", "not found (`detail` says what)"),
    ("409", "conflict: it already exists"),
    ("413", "the request body is over the limit (2 MiB)"),
    (
        "415",
        "the body must be sent as Content-Type: application/json",
    ),
    (
        "422",
        "a value is out of its domain (`field` names it, `detail` says what is expected)",
    ),
    ("429", "too many attempts; wait for Retry-After seconds"),
    ("502", "the mail server refused the message"),
    ("503", "the store did not answer; try again"),
];

/// The document: the operations collected from the handlers, completed.
pub(crate) fn document(api: utoipa::openapi::OpenApi) -> Value {
    let mut doc = serde_json::to_value(&api).unwrap_or_else(|_| json!({}));
    doc["openapi"] = json!("3.1.0");
    doc["info"] = json!({
        "title": "Parvis API",
        "version": env!("CARGO_PKG_VERSION"),
        "description": "Everything the Parvis UI does. Lists are paged with ?page=&per_page= (page ≥ 1, \
            1 ≤ per_page ≤ 200). Every error is application/problem+json (RFC 9457) with a stable `code` \
            and, for bad input, the `field`. Authenticate with an API token (`Authorization: Bearer pvs_…`, \
            created under /me/tokens) or the session cookie plus the X-CSRF-Token header on writes.",
        "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"}
    });
    inline_millis(&mut doc);
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            if let Some(item) = item.as_object_mut() {
                for (method, op) in item.iter_mut() {
                    add_problems(method, op);
                }
            }
        }
    }
    let components = doc
        .as_object_mut()
        .map(|d| d.entry("components").or_insert_with(|| json!({})));
    if let Some(c) = components {
        c["securitySchemes"] = json!({
            "bearer": {"type": "http", "scheme": "bearer", "description": "API token from POST /api/v1/me/tokens"},
            "session": {"type": "apiKey", "in": "cookie", "name": "parvis_session"}
        });
        if c.get("schemas").is_none() {
            c["schemas"] = json!({});
        }
        c["schemas"]["Problem"] = problem_schema();
    }
    doc
}

/// Timestamps are `Millis`, an alias of `i64` that utoipa names as a schema of its own
/// (`i64`): say what it is, in place.
fn inline_millis(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if map.get("$ref").and_then(Value::as_str) == Some("#/components/schemas/i64") {
                map.remove("$ref");
                map.insert("type".into(), json!("integer"));
                map.insert("format".into(), json!("int64"));
                map.entry("description")
                    .or_insert(json!("Unix milliseconds"));
                return;
            }
            if let Some(Value::Object(schemas)) = map.get_mut("schemas") {
                schemas.remove("i64");
            }
            map.values_mut().for_each(inline_millis);
        }
        Value::Array(items) => items.iter_mut().for_each(inline_millis),
        _ => {}
    }
}

/// The body of every error. Generated from the type the errors are serialised from.
fn problem_schema() -> Value {
    let schema = <crate::error::Problem as utoipa::PartialSchema>::schema();
    serde_json::to_value(schema).unwrap_or_else(|_| json!({"type": "object"}))
}

/// Which problems an operation can answer, from what it takes.
fn add_problems(method: &str, op: &mut Value) {
    let params = op
        .get("parameters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let has_params = !params.is_empty();
    let has_path_params = params.iter().any(|p| p["in"] == "path");
    let has_body = op.get("requestBody").is_some();
    let json_body = op["requestBody"]["content"]
        .get("application/json")
        .is_some();
    let authenticated = op
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty());
    let unsafe_method = !matches!(method, "get" | "head" | "options");
    let mut statuses = vec!["503"];
    if has_params || has_body {
        statuses.extend(["400", "422"]);
    }
    if authenticated {
        statuses.push("401");
    }
    if authenticated || unsafe_method {
        // Members may lack the role; any write may fail the CSRF/Origin check.
        statuses.push("403");
    }
    if has_path_params || has_body {
        // Bodies name members, topics and messages by handle or id.
        statuses.push("404");
    }
    if json_body {
        statuses.extend(["413", "415"]);
    }
    if matches!(method, "post" | "put") && has_body {
        // A write that creates something meets the store's uniqueness rules (a key id, a
        // slug, a vote already cast): any of them can answer "it already exists".
        statuses.push("409");
    }
    let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
        return;
    };
    for status in statuses {
        responses.entry(status).or_insert_with(|| json!({}));
    }
    // Every non-success answer is a problem: give each the problem body and a description.
    for (status, response) in responses.iter_mut() {
        if status.starts_with('2') {
            continue;
        }
        let description = PROBLEMS
            .iter()
            .find(|(s, _)| s == status)
            .map(|(_, d)| *d)
            .unwrap_or("error");
        if response
            .get("description")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            response["description"] = json!(description);
        }
        response["content"] = json!({"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}});
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    fn doc() -> Value {
        crate::api_document()
    }

    #[test]
    fn every_schema_reference_resolves() {
        let doc = doc();
        let text = doc.to_string();
        let schemas = doc["components"]["schemas"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for part in text.split("#/components/schemas/").skip(1) {
            let name: String = part
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
                .collect();
            assert!(schemas.contains_key(&name), "dangling $ref {name}");
        }
    }

    #[test]
    fn ids_are_integers_and_paging_is_bounded() {
        let doc = doc();
        let thread = &doc["paths"]["/api/v1/threads/{id}"]["get"];
        let params = thread["parameters"].as_array().cloned().unwrap_or_default();
        let find = |name: &str| {
            params
                .iter()
                .find(|p| p["name"] == name)
                .cloned()
                .unwrap_or(Value::Null)
        };
        assert_eq!(find("id")["schema"]["type"], "integer", "{thread}");
        assert_eq!(find("page")["schema"]["minimum"], 1);
        assert_eq!(find("per_page")["schema"]["maximum"], 200);
        let schemas = &doc["components"]["schemas"];
        for (schema, field) in [
            ("Space", "id"),
            ("ThreadSummary", "id"),
            ("Member", "id"),
            ("ThreadSummary", "topic_id"),
        ] {
            let mut s = schemas[schema]["properties"][field].clone();
            if let Some(Value::String(r)) = s.get("$ref") {
                s = schemas[r.trim_start_matches("#/components/schemas/")].clone();
            }
            if let Some(Value::Array(one_of)) = s.get("oneOf") {
                s = one_of
                    .iter()
                    .find(|x| x["type"] != "null")
                    .cloned()
                    .unwrap_or(Value::Null);
                if let Some(Value::String(r)) = s.get("$ref") {
                    s = schemas[r.trim_start_matches("#/components/schemas/")].clone();
                }
            }
            assert_eq!(s["type"], "integer", "{schema}.{field}: {s}");
        }
    }

    #[test]
    fn every_operation_documents_its_problems() {
        let doc = doc();
        // A second key with the same id is refused with 409: the fuzzer found it undocumented.
        let sso_add = &doc["paths"]["/api/v1/spaces/{space}/embed/sso-keys"]["post"];
        assert!(sso_add["responses"]["409"].is_object(), "{sso_add}");
        let mut ops = 0;
        for (path, item) in doc["paths"].as_object().cloned().unwrap_or_default() {
            for (method, op) in item.as_object().cloned().unwrap_or_default() {
                ops += 1;
                let responses = op["responses"].as_object().cloned().unwrap_or_default();
                assert!(responses.contains_key("503"), "{method} {path}");
                for (status, r) in &responses {
                    if !status.starts_with('2') {
                        assert!(
                            r["content"]["application/problem+json"].is_object(),
                            "{method} {path} {status}"
                        );
                    }
                }
                if op["requestBody"]["content"]["application/json"].is_object() {
                    for s in ["400", "413", "415", "422"] {
                        assert!(responses.contains_key(s), "{method} {path} lacks {s}");
                    }
                }
            }
        }
        assert!(ops >= 48, "only {ops} operations documented");
        let pw = &doc["paths"]["/api/v1/auth/password"]["post"]["responses"];
        assert!(pw["429"].is_object(), "{pw}");
    }

    /// OpenAPI requires every operationId to be unique: generated clients name their methods
    /// after it and the fuzzer (schemathesis) addresses operations by it. utoipa takes the
    /// handler's function name by default, so two areas each with a `vote` would collide.
    #[test]
    fn operation_ids_are_unique() {
        let doc = doc();
        let mut seen: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for (path, item) in doc["paths"].as_object().cloned().unwrap_or_default() {
            for (method, op) in item.as_object().cloned().unwrap_or_default() {
                let id = op["operationId"].as_str().unwrap_or_default().to_owned();
                assert!(!id.is_empty(), "{method} {path} has no operationId");
                seen.entry(id)
                    .or_default()
                    .push(format!("{} {path}", method.to_uppercase()));
            }
        }
        let duplicates: Vec<String> = seen
            .iter()
            .filter(|(_, at)| at.len() > 1)
            .map(|(id, at)| format!("{id}: {}", at.join(", ")))
            .collect();
        assert!(
            duplicates.is_empty(),
            "operationIds used more than once (give each `operation_id = \"area_name\"` in its \
             #[utoipa::path]):\n{}",
            duplicates.join("\n")
        );
    }

    /// New API routes must go through `routes!` so that they are documented: a plain
    /// `.route(` in a function that builds an `OpenApiRouter` is refused, and so is any
    /// `/api` route registered outside of them (besides the document and the 404 fallback).
    #[test]
    fn api_routes_are_registered_only_through_routes_macro() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut stack = vec![dir];
        let mut api_builders = 0;
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                if path.ends_with("openapi.rs") {
                    continue; // this test's own text
                }
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let mut in_builder = false;
                for (n, line) in text.lines().enumerate() {
                    let code = line.trim_start();
                    if code.starts_with("//") {
                        continue;
                    }
                    if code.contains("fn ") && code.contains("-> OpenApiRouter") {
                        in_builder = true;
                        api_builders += 1;
                    } else if line.starts_with('}') {
                        in_builder = false;
                    }
                    let at = format!("{}:{}", path.display(), n + 1);
                    assert!(
                        !(in_builder
                            && (code.contains(".route(") || code.contains(".route_service("))),
                        "{at}: register API routes with `.routes(routes!(handler))` and a \
                         #[utoipa::path] so that they appear in /api/openapi.json"
                    );
                    if let Some(i) = code.find("\"/api") {
                        let literal = &code[i..];
                        assert!(
                            literal.starts_with("\"/api/openapi.json\"")
                                || literal.starts_with("\"/api/{*rest}\"")
                                || literal.starts_with("\"/api/v1\", ")
                                || !code.contains(".route("),
                            "{at}: an /api route outside the documented API"
                        );
                    }
                }
            }
        }
        assert!(api_builders >= 2, "api::routes and privacy::api_routes");
    }
}
