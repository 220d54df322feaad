//! A member takes their vote for a challenge entry back while the challenge is open: on the
//! page ("Retirer mon vote") and through the API (`DELETE …/vote`). The count drops at once,
//! the vote can be given again (counted once), withdrawing what is not there is refused by
//! name in the API and done already on the page (a double submit), and after the deadline
//! withdrawing is refused like voting.

use super::content::{challenge_body, member_token, pass_deadline, post};
use super::*;

/// The entry's vote count as the API shows it.
pub(super) async fn votes(c: &reqwest::Client, app: &App, auth: &str, id: i64, entry: i64) -> i64 {
    let v: Value = c
        .get(format!("{}/api/v1/challenges/{id}", app.base))
        .header("authorization", auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let it = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|it| it["entry"]["id"] == entry)
        .expect("the entry is listed");
    it["entry"]["vote_count"].as_i64().expect("votes shown")
}

fn csrf_of(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a form with a csrf token")
        .to_string()
}

#[tokio::test]
async fn a_member_withdraws_a_vote_and_gives_it_again_until_the_deadline() {
    on_both(|app| async move {
        let admin = super::sessions::setup(&app).await;
        let ines = format!("Bearer {}", member_token(&app, "ines").await);
        let bob = format!("Bearer {}", member_token(&app, "bob").await);
        let c = client();
        let api = |p: &str| format!("{}/api/v1{p}", app.base);
        let mut body = challenge_body();
        body["votes_hidden"] = json!(false);
        body["evaluators"] = json!([]);
        let r = post(&c, api("/spaces/forum/challenges"), &admin, body).await;
        let id = r.json::<Value>().await.unwrap()["challenge"]["id"]
            .as_i64()
            .unwrap();
        let r = post(
            &c,
            api(&format!("/challenges/{id}/state")),
            &admin,
            json!({"state": "open"}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::OK);
        let entry =
            json!({"title": "Consigne", "body": "Des bocaux.", "links": [], "accept_rules": true});
        let r = post(&c, api(&format!("/challenges/{id}/entries")), &ines, entry).await;
        let e1 = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

        // On the page: vote, then the button becomes "Retirer mon vote".
        let (bc, _) = super::privacy::member_session(&app, "bob").await;
        let page = |c: reqwest::Client| {
            let url = format!("{}/challenges/{id}", app.base);
            async move { c.get(url).send().await.unwrap().text().await.unwrap() }
        };
        let html = page(bc.clone()).await;
        let csrf = csrf_of(&html);
        let vote_form = format!("action=\"/challenges/entries/{e1}/vote\"");
        let withdraw_form = format!("action=\"/challenges/entries/{e1}/vote/withdraw\"");
        assert!(
            html.contains(&vote_form) && !html.contains(&withdraw_form),
            "{html}"
        );
        let r = bc
            .post(format!("{}/challenges/entries/{e1}/vote", app.base))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(votes(&c, &app, &bob, id, e1).await, 1);
        let html = page(bc.clone()).await;
        assert!(
            html.contains(&withdraw_form) && html.contains("Retirer mon vote"),
            "{html}"
        );
        assert!(!html.contains(&vote_form), "{html}");
        let en = bc
            .get(format!("{}/challenges/{id}", app.base))
            .header("accept-language", "en-GB,en;q=0.9")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(en.contains("Withdraw my vote"), "{en}");

        // Without the form's token nothing is withdrawn.
        let r = bc
            .post(format!(
                "{}/challenges/entries/{e1}/vote/withdraw",
                app.base
            ))
            .form(&[("csrf", "forged")])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_client_error(), "{}", r.status());
        assert_eq!(votes(&c, &app, &bob, id, e1).await, 1);

        // Withdrawn: the count drops at once, the vote button is back.
        let r = bc
            .post(format!(
                "{}/challenges/entries/{e1}/vote/withdraw",
                app.base
            ))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            r.headers()["location"],
            format!("/challenges/{id}?ok=unvoted")
        );
        assert_eq!(votes(&c, &app, &bob, id, e1).await, 0);
        let html = bc
            .get(format!("{}/challenges/{id}?ok=unvoted", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("Votre vote est retiré.") && html.contains(&vote_form),
            "{html}"
        );
        assert!(!html.contains(&withdraw_form), "{html}");

        // The form sent a second time (a double click): done already, so the page comes back
        // with the entry as it stands and a word beside it, not an error page.
        let r = bc
            .post(format!(
                "{}/challenges/entries/{e1}/vote/withdraw",
                app.base
            ))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let again = r.headers()["location"].to_str().unwrap().to_string();
        assert_eq!(
            again,
            format!("/challenges/{id}?ok=already_unvoted&entry={e1}#entry-{e1}")
        );
        assert_eq!(votes(&c, &app, &bob, id, e1).await, 0);
        for (lang, said) in [
            ("fr-FR,fr;q=0.9", "Votre vote avait déjà été retiré."),
            ("en-GB,en;q=0.9", "Your vote was already withdrawn."),
        ] {
            let r = bc
                .get(format!("{}{again}", app.base))
                .header("accept-language", lang)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            let html = r.text().await.unwrap();
            let card = html
                .split(&format!("id=\"entry-{e1}\""))
                .nth(1)
                .expect("the entry's card");
            let card = card.split("</article>").next().unwrap();
            assert!(
                card.contains(&format!("id=\"entry-notice-{e1}\"")) && card.contains(said),
                "{html}"
            );
            assert!(card.contains(&vote_form), "the vote button is back: {html}");
            assert!(!html.contains("id=\"challenge-notice\""), "{html}");
        }

        // Given again through the API: counted once; a second vote is still refused.
        let r = post(
            &c,
            api(&format!("/challenge-entries/{e1}/vote")),
            &bob,
            json!({}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let (status, _) = problem(
            post(
                &c,
                api(&format!("/challenge-entries/{e1}/vote")),
                &bob,
                json!({}),
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(votes(&c, &app, &bob, id, e1).await, 1);

        // Withdrawn through the API; a withdrawal with no vote is refused, naming the vote.
        let delete = |auth: String| {
            let url = api(&format!("/challenge-entries/{e1}/vote"));
            let c = c.clone();
            async move {
                c.delete(url)
                    .header("authorization", auth)
                    .send()
                    .await
                    .unwrap()
            }
        };
        assert_eq!(delete(bob.clone()).await.status(), StatusCode::NO_CONTENT);
        assert_eq!(votes(&c, &app, &bob, id, e1).await, 0);
        let (status, p) = problem(delete(bob.clone()).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("your vote for this entry"),
            "{p}"
        );
        let (status, _) = problem(delete(ines.clone()).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let r = c
            .delete(api(&format!("/challenge-entries/{e1}/vote")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

        // After the deadline: withdrawing is refused like voting, the vote stays counted.
        let r = post(
            &c,
            api(&format!("/challenge-entries/{e1}/vote")),
            &bob,
            json!({}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        pass_deadline(&app, id).await;
        let (status, p) = problem(delete(bob.clone()).await).await;
        assert_eq!(
            (status, p["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("vote")),
            "{p}"
        );
        let html = page(bc.clone()).await;
        assert!(!html.contains(&withdraw_form), "{html}");
        let r = bc
            .post(format!(
                "{}/challenges/entries/{e1}/vote/withdraw",
                app.base
            ))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("id=\"err-vote\""));
        assert_eq!(
            app.store
                .challenge_entry(e1)
                .await
                .unwrap()
                .unwrap()
                .vote_count,
            Some(1)
        );

        // The OpenAPI document lists the withdrawal.
        let doc: Value = c
            .get(format!("{}/api/openapi.json", app.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let op = &doc["paths"]["/api/v1/challenge-entries/{entry}/vote"]["delete"];
        assert!(
            op["responses"]["204"].is_object() && op["responses"]["404"].is_object(),
            "{op}"
        );
    })
    .await;
}
