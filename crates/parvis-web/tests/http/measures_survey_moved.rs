//! Surveys (issue 16): a person answers once even when their address changes between the two
//! paths — signed in, then by a link mailed to their new address; by a link mailed to their old
//! address, then signed in — while the answers stay tied to no one.

use super::measures_mail::{dashboard, new_survey, send};
use super::measures_survey_close::{api_answer, mails_out, secret_for};
use super::*;

/// A member's address changes (there is no page for it yet: an admin's SQL, an import).
async fn move_address(app: &App, handle: &str, to: &str) {
    // Test text only: the handle and address are this file's literals.
    testing::run_sql(
        &app.store,
        &format!("UPDATE members SET email = '{to}' WHERE handle = '{handle}'"),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn a_person_who_changed_address_still_answers_once() {
    on_both(|app| async move {
        let admin = super::sessions::setup(&app).await;
        let (token, id) = new_survey(&app, &admin, "enps", "Travailler ici ?").await;
        let eva = format!("Bearer {}", super::content::member_token(&app, "eva").await);
        let ben = format!("Bearer {}", super::content::member_token(&app, "ben").await);

        // Eva answers signed in, then changes her address; the survey is mailed to the new one
        // and to Ben.
        let r = api_answer(&app, &token, Some(&eva), json!({"score": 9})).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        move_address(&app, "eva", "eva@ailleurs.example").await;
        let r = send(
            &app,
            &admin,
            id,
            json!({"emails": ["eva@ailleurs.example", "ben@content.example"]}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        let mails = mails_out(&app).await;
        let eva_r = secret_for(&mails, "eva@ailleurs.example");
        let ben_r = secret_for(&mails, "ben@content.example");

        // Her new address's link knows she answered: the page says so, the answer is refused.
        let page = client()
            .get(format!("{}/surveys/{token}?r={eva_r}", app.base))
            .header("accept-language", "en")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("You have already answered this survey: one answer per person."),
            "{page}"
        );
        let (status, p) =
            problem(api_answer(&app, &token, None, json!({"score": 0, "recipient": eva_r})).await)
                .await;
        assert_eq!(
            (status, p["code"].as_str(), p["field"].as_str()),
            (
                StatusCode::CONFLICT,
                Some("already_answered"),
                Some("recipient")
            ),
            "{p}"
        );

        // Ben answers by the link mailed to his address, changes it, then tries signed in.
        let r = api_answer(&app, &token, None, json!({"score": 3, "recipient": ben_r})).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        move_address(&app, "ben", "ben@ailleurs.example").await;
        let (status, p) =
            problem(api_answer(&app, &token, Some(&ben), json!({"score": 10})).await).await;
        assert_eq!(
            (status, p["code"].as_str()),
            (StatusCode::CONFLICT, Some("already_answered")),
            "{p}"
        );

        // Two people, two answers; the admin sees counts only.
        let d = dashboard(&app, &admin).await;
        let s = &d["surveys"]["surveys"][0];
        assert_eq!(
            (
                s["respondents"].as_i64(),
                s["sent"].as_i64(),
                s["answered_by_mail"].as_i64()
            ),
            (Some(2), Some(2), Some(1)),
            "{s}"
        );
    })
    .await;
}
