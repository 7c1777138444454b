//! Introductions: the comfort guardrail, the double opt-in flow, versions,
//! validation and isolation, against the real server on both backends.

use rapport_tests::{fields, id, open_app, problem, Api, Backend};
use reqwest::Method;
use serde_json::{json, Value};

trait Helpers {
    async fn contact(&self, name: &str, comfort: Option<u8>) -> String;
    async fn rate(&self, id: &str, rating: Option<u8>);
    async fn introduce(&self, body: Value) -> reqwest::Response;
    async fn introduction(&self, a: &str, b: &str) -> Value;
    async fn step(&self, introduction: &Value, body: Value) -> reqwest::Response;
    async fn items(&self, path: &str) -> Vec<Value>;
}

impl Helpers for Api<'_> {
    /// A contact with this comfort (None: unrated).
    async fn contact(&self, name: &str, comfort: Option<u8>) -> String {
        let response = self
            .call(
                Method::POST,
                "/contacts",
                Some(json!({"name": name, "company": format!("{name} & Co")})),
                None,
            )
            .await;
        assert_eq!(response.status(), 201);
        let contact: Value = response.json().await.unwrap();
        let id = contact["id"].as_str().unwrap().to_owned();
        if let Some(rating) = comfort {
            self.rate(&id, Some(rating)).await;
        }
        id
    }

    async fn rate(&self, id: &str, rating: Option<u8>) {
        self.json(
            Method::PUT,
            &format!("/contacts/{id}/comfort"),
            Some(json!({"rating": rating})),
        )
        .await;
    }

    async fn introduce(&self, body: Value) -> reqwest::Response {
        self.call(Method::POST, "/introductions", Some(body), None)
            .await
    }

    /// A proposed introduction, confirmed whatever the comforts.
    async fn introduction(&self, a: &str, b: &str) -> Value {
        let response = self
            .introduce(
                json!({"contact_a": a, "contact_b": b, "reason": "both build compilers",
                              "confirm_low_comfort": true}),
            )
            .await;
        assert_eq!(response.status(), 201);
        response.json().await.unwrap()
    }

    /// PATCH with the current version as If-Match; answers the response.
    async fn step(&self, introduction: &Value, body: Value) -> reqwest::Response {
        let tag = format!("\"{}\"", introduction["version"]);
        self.call(
            Method::PATCH,
            &format!("/introductions/{}", id(introduction)),
            Some(body),
            Some(&tag),
        )
        .await
    }

    async fn items(&self, path: &str) -> Vec<Value> {
        self.json(Method::GET, path, None).await["items"]
            .as_array()
            .unwrap()
            .clone()
    }
}

fn ids(items: &[Value]) -> Vec<String> {
    items.iter().map(id).collect()
}

async fn the_guardrail_shows_both_ratings_before_a_low_comfort_introduction(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    let grace = api.contact("Grace", Some(2)).await;
    let alan = api.contact("Alan", None).await;
    let barbara = api.contact("Barbara", Some(3)).await;
    let claude = api.contact("Claude", Some(5)).await;
    let request = json!({"contact_a": grace, "contact_b": alan, "reason": "both love compilers"});

    let refused = problem(
        api.introduce(request.clone()).await,
        409,
        "comfort_below_threshold",
    )
    .await;
    assert_eq!(
        refused["details"],
        json!({
            "contact_a": {"id": grace, "name": "Grace", "company": "Grace & Co", "comfort": 2},
            "contact_b": {"id": alan, "name": "Alan", "company": "Alan & Co", "comfort": null},
            "threshold": 3
        })
    );
    let detail = refused["detail"].as_str().unwrap();
    assert!(
        detail.contains("Grace is rated 2")
            && detail.contains("Alan is unrated")
            && detail.contains("confirm_low_comfort"),
        "{detail}"
    );
    assert!(
        api.items("/introductions").await.is_empty(),
        "nothing is recorded"
    );
    let unconfirmed = api
        .introduce(
            json!({"contact_a": grace, "contact_b": alan, "reason": "both love compilers",
                          "confirm_low_comfort": false}),
        )
        .await;
    problem(unconfirmed, 409, "comfort_below_threshold").await;
    // One side low is enough, and both ratings are still shown.
    let one_low = problem(
        api.introduce(json!({"contact_a": claude, "contact_b": grace, "reason": "mentoring"}))
            .await,
        409,
        "comfort_below_threshold",
    )
    .await;
    assert_eq!(one_low["details"]["contact_a"]["comfort"], 5);
    assert_eq!(one_low["details"]["contact_b"]["comfort"], 2);

    let mut confirmed = request.clone();
    confirmed["confirm_low_comfort"] = json!(true);
    let created = api.introduce(confirmed).await;
    assert_eq!(created.status(), 201);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let etag = created.headers()["etag"].to_str().unwrap().to_owned();
    let introduction: Value = created.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/introductions/{}", id(&introduction))
    );
    assert_eq!(etag, format!("\"{}\"", introduction["version"]));
    assert_eq!(introduction["status"], "proposed");
    assert_eq!(introduction["outcome"], Value::Null);
    assert_eq!(introduction["reason"], "both love compilers");
    assert_eq!(introduction["allowed_next"], json!(["asked", "declined"]));
    assert_eq!(
        introduction["contact_a"],
        json!({"id": grace, "name": "Grace", "company": "Grace & Co", "comfort": 2})
    );
    assert_eq!(introduction["contact_b"]["comfort"], Value::Null);

    let fine = api
        .introduce(
            json!({"contact_a": barbara, "contact_b": claude, "reason": "  distributed systems  "}),
        )
        .await;
    assert_eq!(fine.status(), 201, "3 and 5 need no confirmation");
    let fine: Value = fine.json().await.unwrap();
    assert_eq!(fine["reason"], "distributed systems");

    // Reads show the comforts as they are now.
    api.rate(&alan, Some(4)).await;
    let read = api
        .call(
            Method::GET,
            &format!("/introductions/{}", id(&introduction)),
            None,
            None,
        )
        .await;
    assert_eq!(read.headers()["etag"].to_str().unwrap(), etag);
    let read: Value = read.json().await.unwrap();
    assert_eq!(read["contact_b"]["comfort"], 4);
}

async fn introductions_move_through_double_opt_in_and_record_an_outcome(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    let grace = api.contact("Grace", Some(4)).await;
    let alan = api.contact("Alan", Some(3)).await;
    let proposed = api.introduction(&grace, &alan).await;
    let path = format!("/introductions/{}", id(&proposed));

    problem(
        api.call(Method::PATCH, &path, Some(json!({"status": "asked"})), None)
            .await,
        428,
        "precondition_required",
    )
    .await;
    problem(
        api.call(
            Method::PATCH,
            &path,
            Some(json!({"status": "asked"})),
            Some("\"99\""),
        )
        .await,
        412,
        "precondition_failed",
    )
    .await;

    let skipped = problem(
        api.step(&proposed, json!({"status": "made"})).await,
        409,
        "illegal_transition",
    )
    .await;
    let detail = skipped["detail"].as_str().unwrap();
    assert!(
        detail.contains("proposed") && detail.contains("asked, declined"),
        "{detail}"
    );
    assert_eq!(fields(&skipped), ["status"]);
    assert_eq!(
        skipped["details"],
        json!({"status": "proposed", "allowed_next": ["asked", "declined"]})
    );
    let early = problem(
        api.step(&proposed, json!({"outcome": "positive"})).await,
        409,
        "illegal_transition",
    )
    .await;
    assert_eq!(fields(&early), ["outcome"]);

    // Rewording keeps the status date; every step moves it.
    let reworded = api
        .step(&proposed, json!({"reason": "both build compilers in Rust"}))
        .await;
    assert_eq!(reworded.status(), 200);
    let reworded: Value = reworded.json().await.unwrap();
    assert_eq!(reworded["status_changed_at"], proposed["status_changed_at"]);
    assert_ne!(reworded["version"], proposed["version"]);
    let mut current = reworded;
    for step in ["asked", "agreed", "made"] {
        let response = api.step(&current, json!({"status": step})).await;
        assert_eq!(response.status(), 200, "to {step}");
        let etag = response.headers()["etag"].to_str().unwrap().to_owned();
        let next: Value = response.json().await.unwrap();
        assert_eq!(next["status"], step);
        assert_eq!(etag, format!("\"{}\"", next["version"]));
        assert_ne!(next["status_changed_at"], current["status_changed_at"]);
        current = next;
    }
    assert_eq!(current["allowed_next"], json!([]));
    assert_eq!(current["reason"], "both build compilers in Rust");
    let stale = api
        .call(
            Method::PATCH,
            &path,
            Some(json!({"outcome": "positive"})),
            Some(&format!("\"{}\"", proposed["version"])),
        )
        .await;
    problem(stale, 412, "precondition_failed").await;
    let outcome = api.step(&current, json!({"outcome": "positive"})).await;
    assert_eq!(outcome.status(), 200);
    let outcome: Value = outcome.json().await.unwrap();
    assert_eq!(outcome["outcome"], "positive");
    assert_eq!(outcome["status"], "made");
    let revised = api.step(&outcome, json!({"outcome": "neutral"})).await;
    assert_eq!(revised.status(), 200);
    let revised: Value = revised.json().await.unwrap();
    let final_step = problem(
        api.step(&revised, json!({"status": "declined"})).await,
        409,
        "illegal_transition",
    )
    .await;
    assert!(
        final_step["detail"].as_str().unwrap().contains("final"),
        "{final_step}"
    );
    let read = api.json(Method::GET, &path, None).await;
    assert_eq!(read["outcome"], "neutral");
    assert_eq!(read["status"], "made");

    // Declining is possible until it is made, and final.
    let other = api.introduction(&alan, &grace).await;
    let asked: Value = api
        .step(&other, json!({"status": "asked"}))
        .await
        .json()
        .await
        .unwrap();
    let declined = api.step(&asked, json!({"status": "declined"})).await;
    assert_eq!(declined.status(), 200);
    let declined: Value = declined.json().await.unwrap();
    assert_eq!(declined["status"], "declined");
    problem(
        api.step(&declined, json!({"outcome": "negative"})).await,
        409,
        "illegal_transition",
    )
    .await;
    // Sending the status it already has is no step; `*` matches any version.
    let same = api
        .call(
            Method::PATCH,
            &format!("/introductions/{}", id(&declined)),
            Some(json!({"status": "declined"})),
            Some("*"),
        )
        .await;
    assert_eq!(same.status(), 200);
}

async fn introductions_name_every_invalid_field(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    let grace = api.contact("Grace", Some(4)).await;
    let alan = api.contact("Alan", Some(4)).await;
    let nobody = uuid::Uuid::new_v4();

    let same = api
        .introduce(json!({"contact_a": grace, "contact_b": grace, "reason": "  "}))
        .await;
    assert_eq!(
        fields(&problem(same, 422, "validation_failed").await),
        ["contact_b", "reason"]
    );
    let long = api
        .introduce(json!({"contact_a": grace, "contact_b": alan, "reason": "x".repeat(2001)}))
        .await;
    assert_eq!(
        fields(&problem(long, 422, "validation_failed").await),
        ["reason"]
    );
    let longest = api
        .introduce(json!({"contact_a": grace, "contact_b": alan, "reason": "x".repeat(2000)}))
        .await;
    assert_eq!(longest.status(), 201);
    let missing = api
        .introduce(json!({"contact_a": grace, "contact_b": alan}))
        .await;
    assert_eq!(
        fields(&problem(missing, 422, "validation_failed").await),
        ["reason"]
    );
    let typo = api
        .introduce(json!({"contact_a": grace, "contact_b": alan, "reason": "r", "confirm": true}))
        .await;
    problem(typo, 422, "validation_failed").await;
    let not_an_id = api
        .introduce(json!({"contact_a": "grace", "contact_b": alan, "reason": "r"}))
        .await;
    assert_eq!(
        fields(&problem(not_an_id, 422, "validation_failed").await),
        ["contact_a"]
    );
    let unknown = api
        .introduce(json!({"contact_a": nobody, "contact_b": alan, "reason": "r"}))
        .await;
    assert_eq!(
        fields(&problem(unknown, 422, "validation_failed").await),
        ["contact_a"]
    );
    let both_unknown = api
        .introduce(json!({"contact_a": nobody, "contact_b": uuid::Uuid::new_v4(), "reason": "r"}))
        .await;
    assert_eq!(
        fields(&problem(both_unknown, 422, "validation_failed").await),
        ["contact_a", "contact_b"]
    );

    let introduction = api.introduction(&grace, &alan).await;
    let bad_status = api.step(&introduction, json!({"status": "done"})).await;
    assert_eq!(
        fields(&problem(bad_status, 422, "validation_failed").await),
        ["status"]
    );
    let blank = api.step(&introduction, json!({"reason": ""})).await;
    assert_eq!(
        fields(&problem(blank, 422, "validation_failed").await),
        ["reason"]
    );
    let bad_outcome = api.step(&introduction, json!({"outcome": "great"})).await;
    assert_eq!(
        fields(&problem(bad_outcome, 422, "validation_failed").await),
        ["outcome"]
    );
    let bad_list = api
        .call(
            Method::GET,
            "/introductions?status=proposed,done&contact_id=grace&limit=500&cursor=zzz",
            None,
            None,
        )
        .await;
    assert_eq!(
        fields(&problem(bad_list, 422, "validation_failed").await),
        ["limit", "status", "contact_id", "cursor"]
    );
    let unchanged = api
        .json(
            Method::GET,
            &format!("/introductions/{}", id(&introduction)),
            None,
        )
        .await;
    assert_eq!(unchanged, introduction, "no partial writes");
}

async fn lists_filter_by_status_and_contact_and_page(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    let people = [
        api.contact("Grace", Some(4)).await,
        api.contact("Alan", Some(4)).await,
        api.contact("Barbara", Some(4)).await,
        api.contact("Claude", Some(4)).await,
    ];
    let mut created = Vec::new();
    for (a, b) in [(0, 1), (0, 2), (0, 3), (1, 2), (2, 3)] {
        created.push(api.introduction(&people[a], &people[b]).await);
    }
    api.step(&created[1], json!({"status": "asked"})).await;
    api.step(&created[4], json!({"status": "declined"})).await;

    let newest_first: Vec<String> = created.iter().rev().map(id).collect();
    assert_eq!(ids(&api.items("/introductions").await), newest_first);
    assert_eq!(
        ids(&api.items("/introductions?status=asked").await),
        [id(&created[1])]
    );
    assert_eq!(
        ids(&api.items("/introductions?status=asked,declined").await),
        [id(&created[4]), id(&created[1])]
    );
    assert_eq!(
        ids(&api
            .items(&format!("/introductions?contact_id={}", people[3]))
            .await),
        [id(&created[4]), id(&created[2])]
    );
    assert_eq!(
        ids(&api
            .items(&format!(
                "/introductions?contact_id={}&status=proposed",
                people[0]
            ))
            .await),
        [id(&created[2]), id(&created[0])]
    );

    // Pages of two keep the filter in their next link.
    let mut seen = Vec::new();
    let mut url = "/introductions?status=proposed,asked&limit=2".to_owned();
    loop {
        let response = api.call(Method::GET, &url, None, None).await;
        let link = response
            .headers()
            .get("link")
            .map(|l| l.to_str().unwrap().to_owned());
        let page: Value = response.json().await.unwrap();
        seen.extend(ids(page["items"].as_array().unwrap()));
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                let link = link.expect("a Link header with the next page");
                assert!(
                    link.contains("rel=\"next\"")
                        && link.contains(cursor)
                        && link.contains("status=proposed,asked"),
                    "{link}"
                );
                url = link
                    .trim_start_matches("</api/v1")
                    .split('>')
                    .next()
                    .unwrap()
                    .to_owned();
            }
            None => {
                assert!(link.is_none());
                break;
            }
        }
    }
    let expected: Vec<String> = [3, 2, 1, 0].iter().map(|&n| id(&created[n])).collect();
    assert_eq!(seen, expected);
}

async fn another_users_introductions_are_not_found(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let eve = app.new_user("eve@example.com").await;
    let ada_api = Api {
        app: &app,
        who: &ada,
    };
    let eve_api = Api {
        app: &app,
        who: &eve,
    };
    let grace = ada_api.contact("Grace", Some(4)).await;
    let alan = ada_api.contact("Alan", Some(4)).await;
    let introduction = ada_api.introduction(&grace, &alan).await;
    let path = format!("/introductions/{}", id(&introduction));
    let missing_path = format!("/introductions/{}", uuid::Uuid::new_v4());

    let missing = eve_api.call(Method::GET, &missing_path, None, None).await;
    assert_eq!(missing.status(), 404);
    let missing = missing.text().await.unwrap();
    let theirs = eve_api.call(Method::GET, &path, None, None).await;
    assert_eq!(theirs.status(), 404);
    assert_eq!(theirs.text().await.unwrap(), missing);
    for tag in ["*", "\"1\""] {
        let patched = eve_api
            .call(
                Method::PATCH,
                &path,
                Some(json!({"status": "declined"})),
                Some(tag),
            )
            .await;
        assert_eq!(patched.status(), 404);
        assert_eq!(patched.text().await.unwrap(), missing);
    }
    assert!(eve_api.items("/introductions").await.is_empty());
    assert!(eve_api
        .items(&format!("/introductions?contact_id={grace}"))
        .await
        .is_empty());

    // Naming someone else's contacts is the same as naming nobody.
    let with_theirs = eve_api
        .introduce(json!({"contact_a": grace, "contact_b": alan, "reason": "r",
                          "confirm_low_comfort": true}))
        .await;
    let with_theirs = problem(with_theirs, 422, "validation_failed").await;
    let with_nobody = eve_api
        .introduce(
            json!({"contact_a": uuid::Uuid::new_v4(), "contact_b": uuid::Uuid::new_v4(),
                          "reason": "r", "confirm_low_comfort": true}),
        )
        .await;
    let with_nobody = problem(with_nobody, 422, "validation_failed").await;
    assert_eq!(with_theirs["errors"], with_nobody["errors"]);
    assert!(!with_theirs.to_string().contains("Grace"));
    let mallory = eve_api.contact("Mallory", Some(5)).await;
    let mixed = eve_api
        .introduce(json!({"contact_a": mallory, "contact_b": alan, "reason": "r"}))
        .await;
    let mixed = problem(mixed, 422, "validation_failed").await;
    assert_eq!(
        fields(&mixed),
        ["contact_b"],
        "checked before the guardrail"
    );

    let unchanged = ada_api.json(Method::GET, &path, None).await;
    assert_eq!(unchanged, introduction);
    assert_eq!(ada_api.items("/introductions").await.len(), 1);
}

async fn deleting_a_contact_removes_its_introductions(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    let grace = api.contact("Grace", Some(4)).await;
    let alan = api.contact("Alan", Some(4)).await;
    let barbara = api.contact("Barbara", Some(4)).await;
    let claude = api.contact("Claude", Some(4)).await;
    let with_alan = api.introduction(&grace, &alan).await;
    let to_alan = api.introduction(&barbara, &alan).await;
    let kept = api.introduction(&barbara, &claude).await;

    let deleted = api
        .call(
            Method::DELETE,
            &format!("/contacts/{alan}"),
            None,
            Some("*"),
        )
        .await;
    assert_eq!(deleted.status(), 204);
    for gone in [&with_alan, &to_alan] {
        problem(
            api.call(
                Method::GET,
                &format!("/introductions/{}", id(gone)),
                None,
                None,
            )
            .await,
            404,
            "not_found",
        )
        .await;
    }
    assert_eq!(ids(&api.items("/introductions").await), [id(&kept)]);
    assert!(api
        .items(&format!("/introductions?contact_id={alan}"))
        .await
        .is_empty());
}

rapport_tests::on_both_backends!(
    the_guardrail_shows_both_ratings_before_a_low_comfort_introduction,
    introductions_move_through_double_opt_in_and_record_an_outcome,
    introductions_name_every_invalid_field,
    lists_filter_by_status_and_contact_and_page,
    another_users_introductions_are_not_found,
    deleting_a_contact_removes_its_introductions,
);
