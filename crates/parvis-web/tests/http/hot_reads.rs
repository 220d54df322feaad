//! `GET /api/v1/threads/{id}` is answered in front of the router once the thread cache holds
//! the page (`hot_reads` in the web crate). A reader must not be able to tell: the same
//! status, headers and bytes as the router's answer, over http and https, and never a page
//! older than the last reply.

use super::embeds::seed_thread;
use super::*;

/// Status, headers (without `date`, sorted) and body of a GET.
async fn answer(url: &str) -> (StatusCode, Vec<(String, String)>, Vec<u8>) {
    let r = reqwest::get(url).await.unwrap();
    let status = r.status();
    let mut headers: Vec<(String, String)> = r
        .headers()
        .iter()
        .filter(|(name, _)| *name != "date")
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_string()))
        .collect();
    headers.sort();
    (status, headers, r.bytes().await.unwrap().to_vec())
}

async fn kept_thread_reads_answer_as_the_router_does(app: App, https: bool) {
    let (auth, tid) = seed_thread(&app, 0).await;
    let c = client();
    let plain = format!("{}/api/v1/threads/{tid}", app.base);
    // Through the router (a query), which reads the store and keeps the first page; then
    // without a query, answered from what was kept.
    let routed = answer(&format!("{plain}?page=1")).await;
    let kept = answer(&plain).await;
    assert_eq!(routed.0, StatusCode::OK);
    assert_eq!(kept, routed, "the kept answer differs from the router's");
    let names: Vec<&str> = kept.1.iter().map(|(n, _)| n.as_str()).collect();
    for name in [
        "content-type",
        "x-content-type-options",
        "content-security-policy",
        "x-frame-options",
        "referrer-policy",
    ] {
        assert!(names.contains(&name), "{name} missing: {names:?}");
    }
    assert_eq!(names.contains(&"strict-transport-security"), https);

    // A reply empties what was kept: the next plain read shows it.
    let r = c
        .post(format!("{plain}/messages"))
        .header("authorization", &auth)
        .json(&json!({"body": "A reply that must show at once."}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let after: Value = reqwest::get(&plain).await.unwrap().json().await.unwrap();
    assert_eq!(after["messages"]["total"], 2);
    let again: Value = reqwest::get(&plain).await.unwrap().json().await.unwrap();
    assert_eq!(again, after);

    // What is not a kept page still goes to the router and its problems.
    let (status, _, body) = answer(&format!("{}/api/v1/threads/999999", app.base)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["status"], 404);
    let (status, _, _) = answer(&format!("{}/api/v1/threads/-1", app.base)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn kept_thread_reads_are_the_routers_answer_over_http() {
    kept_thread_reads_answer_as_the_router_does(spawn_app().await, false).await;
}

#[tokio::test]
async fn kept_thread_reads_are_the_routers_answer_over_https() {
    let web = parvis_web::WebConfig {
        secure_cookies: true,
        ..Default::default()
    };
    kept_thread_reads_answer_as_the_router_does(spawn_app_with(None, web).await, true).await;
}
