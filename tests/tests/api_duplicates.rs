//! Finding likely duplicate contacts and merging two into one, against the
//! real server on both backends.

use rapport_tests::{days_ago, fields, id, open_app, problem, Api, Backend};
use reqwest::Method;
use serde_json::{json, Value};

trait Helpers {
    async fn contact(&self, body: Value) -> Value;
    async fn get(&self, path: &str) -> Value;
    async fn items(&self, path: &str) -> Vec<Value>;
    async fn merge(&self, id: &str, body: Value, if_match: Option<&str>) -> reqwest::Response;
}

impl Helpers for Api<'_> {
    async fn contact(&self, body: Value) -> Value {
        self.create("/contacts", body).await
    }

    async fn get(&self, path: &str) -> Value {
        self.json(Method::GET, path, None).await
    }

    async fn items(&self, path: &str) -> Vec<Value> {
        self.get(path).await["items"].as_array().unwrap().clone()
    }

    async fn merge(&self, id: &str, body: Value, if_match: Option<&str>) -> reqwest::Response {
        self.call(
            Method::POST,
            &format!("/contacts/{id}/merge"),
            Some(body),
            if_match,
        )
        .await
    }
}

/// The If-Match of a merge of `other` into `this`, at their versions.
fn both(this: &Value, other: &Value) -> String {
    format!("\"{}\", \"{}\"", this["version"], other["version"])
}

/// Each group as (reason, names).
fn groups(answer: &Value) -> Vec<(String, Vec<String>)> {
    answer["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|group| {
            let names = group["contacts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["name"].as_str().unwrap().to_owned())
                .collect();
            (group["reason"].as_str().unwrap().to_owned(), names)
        })
        .collect()
}

async fn likely_duplicates_are_grouped_by_reason_and_unrelated_people_are_not(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let eve = app.new_user("eve@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    for body in [
        json!({"name": "Ada Lovelace", "emails": ["ada@engines.example"]}),
        json!({"name": "A. Lovelace", "emails": ["ADA@Engines.example"]}),
        json!({"name": "Grace Hopper", "urls": ["https://www.linkedin.com/in/grace"]}),
        json!({"name": "G. Hopper", "urls": ["http://uk.linkedin.com/in/grace/?trk=x"]}),
        json!({"name": "Alan Turing", "company": "Bletchley Park"}),
        json!({"name": "alan  turing", "company": "bletchley park."}),
        json!({"name": "Jonathan Smith", "emails": ["jon@acme.example"]}),
        json!({"name": "Jonathon Smith", "emails": ["j.smith@acme.example"]}),
        // Unrelated: the same website, the same domain with another name,
        // the same name at another company, an archived twin.
        json!({"name": "Barbara Liskov", "emails": ["barbara@acme.example"], "urls": ["https://acme.example/"]}),
        json!({"name": "Ken Thompson", "urls": ["https://acme.example"]}),
        json!({"name": "Alan Turing", "company": "Princeton"}),
        json!({"name": "Old Ada", "emails": ["ada@engines.example"], "archived": true}),
    ] {
        api.contact(body).await;
    }
    // Another user's twin of Ada is never grouped with mine.
    Api {
        app: &app,
        who: &eve,
    }
    .contact(json!({"name": "Ada Lovelace", "emails": ["ada@engines.example"]}))
    .await;

    let response = api
        .call(Method::GET, "/contacts/duplicates", None, None)
        .await;
    assert_eq!(response.status(), 200);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let answer: Value = response.json().await.unwrap();
    assert_eq!(
        groups(&answer),
        [
            (
                "same_email".to_owned(),
                vec!["A. Lovelace".to_owned(), "Ada Lovelace".to_owned()]
            ),
            (
                "same_profile_url".to_owned(),
                vec!["G. Hopper".to_owned(), "Grace Hopper".to_owned()]
            ),
            (
                "same_name_and_company".to_owned(),
                vec!["alan  turing".to_owned(), "Alan Turing".to_owned()]
            ),
            (
                "close_name_same_email_domain".to_owned(),
                vec!["Jonathan Smith".to_owned(), "Jonathon Smith".to_owned()]
            ),
        ]
    );
    // Each contact as GET /contacts/{id} shows it.
    let first = &answer["groups"][0]["contacts"][0];
    assert_eq!(*first, api.get(&format!("/contacts/{}", id(first))).await);

    let unchanged = app
        .client()
        .get(app.url("/api/v1/contacts/duplicates"))
        .bearer_auth(&ada.token)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(unchanged.status(), 304);

    let eves = Api {
        app: &app,
        who: &eve,
    }
    .get("/contacts/duplicates")
    .await;
    assert_eq!(eves, json!({"groups": []}));
}

async fn a_merge_keeps_everything_of_both_contacts(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    let event = api
        .create(
            "/events",
            json!({"name": "RustConf", "starts_on": days_ago(40)}),
        )
        .await;
    let bob = api
        .contact(json!({
            "name": "Bob", "emails": ["bob@home.example"], "title": "Engineer",
            "tags": ["rust"], "notes": "Likes trains."
        }))
        .await;
    let robert = api
        .contact(json!({
            "name": "Robert Tables", "emails": ["BOB@home.example", "robert@acme.example"],
            "phones": ["+1 555 0100"], "company": "Acme", "title": "CTO",
            "urls": ["https://www.linkedin.com/in/robert"], "tags": ["Rust", "speaker"],
            "notes": "Wants an intro to Carol.",
            "how_met": {"met_on": days_ago(40), "event_id": id(&event)}
        }))
        .await;
    let carol = api.contact(json!({"name": "Carol"})).await;
    let dan = api
        .contact(json!({"name": "Dan", "how_met": {"introduced_by": id(&robert)}}))
        .await;
    let (bob_id, robert_id, carol_id) = (id(&bob), id(&robert), id(&carol));

    // Comfort: Bob 2, then Robert 4, then Bob 3 — merged by date.
    for (who, rating) in [(&bob_id, 2), (&robert_id, 4), (&bob_id, 3)] {
        let path = format!("/contacts/{who}/comfort");
        api.json(Method::PUT, &path, Some(json!({"rating": rating})))
            .await;
    }
    // Connection: Bob asked first; Robert invited, then connected.
    for (who, status) in [
        (&bob_id, "asked"),
        (&robert_id, "invited"),
        (&robert_id, "connected"),
    ] {
        let path = format!("/contacts/{who}/connection");
        api.json(Method::POST, &path, Some(json!({"status": status})))
            .await;
    }
    let log = |ids: Vec<&String>, days: i64| {
        json!({"contact_ids": ids, "kind": "coffee_or_lunch", "occurred_on": days_ago(days),
               "depth": "in_depth", "initiated_by": "mutual"})
    };
    let shared = api
        .create(
            "/interactions",
            log(vec![&bob_id, &robert_id, &carol_id], 20),
        )
        .await;
    let roberts = api.create("/interactions", log(vec![&robert_id], 3)).await;
    let introduce = |a: &String, b: &String| {
        json!({"contact_a": a, "contact_b": b, "reason": "both build trains",
               "confirm_low_comfort": true})
    };
    let between = api
        .create("/introductions", introduce(&bob_id, &robert_id))
        .await;
    let to_carol = api
        .create("/introductions", introduce(&robert_id, &carol_id))
        .await;
    let bob = api.get(&format!("/contacts/{bob_id}")).await;
    let robert = api.get(&format!("/contacts/{robert_id}")).await;

    let response = api
        .merge(
            &bob_id,
            json!({"other_id": robert_id, "keep": {"comfort": "other", "title": "other"}}),
            Some(&both(&bob, &robert)),
        )
        .await;
    assert_eq!(response.status(), 200);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let merged: Value = response.json().await.unwrap();
    assert_eq!(etag, format!("\"{}\"", merged["version"]));
    assert_eq!(merged["id"], bob_id.as_str());
    assert_eq!(merged["name"], "Bob");
    assert_eq!(
        merged["emails"],
        json!(["bob@home.example", "robert@acme.example"])
    );
    assert_eq!(merged["phones"], json!(["+1 555 0100"]));
    assert_eq!(
        merged["urls"],
        json!(["https://www.linkedin.com/in/robert"])
    );
    assert_eq!(merged["tags"], json!(["rust", "speaker"]));
    assert_eq!(merged["company"], "Acme", "a blank never wins");
    assert_eq!(merged["title"], "CTO");
    assert_eq!(merged["notes"], "Likes trains.\n\nWants an intro to Carol.");
    assert_eq!(merged["how_met"]["event_id"], id(&event).as_str());
    assert_eq!(merged["comfort"], 4);
    assert_eq!(merged["connection_status"], "connected");
    assert_eq!(merged["last_interaction_on"], json!(days_ago(3)));
    assert!(
        merged["familiarity"]["score"].as_u64() > bob["familiarity"]["score"].as_u64(),
        "familiarity recomputed from both histories: {merged}"
    );
    assert_eq!(merged, api.get(&format!("/contacts/{bob_id}")).await);

    // The other contact is gone.
    let gone = api
        .call(Method::GET, &format!("/contacts/{robert_id}"), None, None)
        .await;
    problem(gone, 404, "not_found").await;

    // Interactions: the shared one names Bob once.
    let shared = api.get(&format!("/interactions/{}", id(&shared))).await;
    let mut expected = vec![bob_id.clone(), carol_id.clone()];
    expected.sort();
    assert_eq!(shared["contact_ids"], json!(expected));
    let roberts = api.get(&format!("/interactions/{}", id(&roberts))).await;
    assert_eq!(roberts["contact_ids"], json!([bob_id]));
    let bobs: Vec<String> = api
        .items(&format!("/interactions?contact_id={bob_id}"))
        .await
        .iter()
        .map(id)
        .collect();
    assert_eq!(bobs.len(), 2);

    // Both histories, by date; the comfort history ends with the rating
    // kept.
    let ratings: Vec<Value> = api
        .items(&format!("/contacts/{bob_id}/comfort/history"))
        .await
        .iter()
        .map(|r| r["rating"].clone())
        .collect();
    assert_eq!(ratings, [json!(2), json!(4), json!(3), json!(4)]);
    let steps: Vec<Value> = api
        .items(&format!("/contacts/{bob_id}/connection/history"))
        .await
        .iter()
        .map(|s| s["to_status"].clone())
        .collect();
    assert_eq!(
        steps,
        [json!("asked"), json!("invited"), json!("connected")]
    );

    // Introductions: the one between them is gone, the other names Bob.
    let between = api
        .call(
            Method::GET,
            &format!("/introductions/{}", id(&between)),
            None,
            None,
        )
        .await;
    problem(between, 404, "not_found").await;
    let to_carol = api.get(&format!("/introductions/{}", id(&to_carol))).await;
    assert_eq!(to_carol["contact_a"]["id"], bob_id.as_str());
    assert_eq!(to_carol["contact_b"]["id"], carol_id.as_str());

    // Whom Robert introduced, Bob did; Bob was met at the event.
    let dan = api.get(&format!("/contacts/{}", id(&dan))).await;
    assert_eq!(dan["how_met"]["introduced_by"], bob_id.as_str());
    let at_event: Vec<String> = api
        .items(&format!("/events/{}/contacts", id(&event)))
        .await
        .iter()
        .map(id)
        .collect();
    assert_eq!(at_event, std::slice::from_ref(&bob_id));

    // They are no longer offered as duplicates.
    assert_eq!(api.get("/contacts/duplicates").await, json!({"groups": []}));
}

async fn a_merge_that_cannot_happen_writes_nothing(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let eve = app.new_user("eve@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    let six = |domain: &str| -> Vec<String> { (0..6).map(|n| format!("p{n}@{domain}")).collect() };
    let bob = api
        .contact(json!({"name": "Bob", "emails": six("a.example")}))
        .await;
    let robert = api
        .contact(json!({"name": "Robert", "emails": six("b.example")}))
        .await;
    let carol = api.contact(json!({"name": "Carol"})).await;
    let mallory = Api {
        app: &app,
        who: &eve,
    }
    .contact(json!({"name": "Mallory"}))
    .await;
    let (bob_id, robert_id) = (id(&bob), id(&robert));
    let tags = both(&bob, &robert);

    let missing = api
        .merge(&bob_id, json!({"other_id": robert_id}), None)
        .await;
    problem(missing, 428, "precondition_required").await;
    let one_tag = api
        .merge(
            &bob_id,
            json!({"other_id": robert_id}),
            Some(&format!("\"{}\"", bob["version"])),
        )
        .await;
    problem(one_tag, 400, "invalid_if_match").await;
    let stale = api
        .merge(
            &bob_id,
            json!({"other_id": robert_id}),
            Some(&format!("\"{}\", \"{}\"", bob["version"], 99)),
        )
        .await;
    problem(stale, 412, "precondition_failed").await;
    let itself = api
        .merge(&bob_id, json!({"other_id": bob_id}), Some("*, *"))
        .await;
    assert_eq!(
        fields(&problem(itself, 422, "validation_failed").await),
        ["other_id"]
    );
    for (keep, field) in [
        (json!({"emails": "other"}), "keep"),
        (json!({"name": "both"}), "keep.name"),
    ] {
        let refused = api
            .merge(
                &bob_id,
                json!({"other_id": robert_id, "keep": keep}),
                Some(&tags),
            )
            .await;
        let body = problem(refused, 422, "validation_failed").await;
        assert!(
            fields(&body).iter().any(|f| f.starts_with(field)),
            "{keep}: {body}"
        );
    }
    let too_many = api
        .merge(&bob_id, json!({"other_id": robert_id}), Some(&tags))
        .await;
    let body = problem(too_many, 422, "validation_failed").await;
    assert_eq!(fields(&body), ["emails"], "{body}");

    // Another user's contact, on either side, is not found.
    let theirs = api
        .merge(&bob_id, json!({"other_id": id(&mallory)}), Some("*, *"))
        .await;
    problem(theirs, 404, "not_found").await;
    let into_theirs = api
        .merge(&id(&mallory), json!({"other_id": bob_id}), Some("*, *"))
        .await;
    problem(into_theirs, 404, "not_found").await;

    // A read-only token may not merge.
    let token = api
        .create("/me/tokens", json!({"name": "script", "scope": "read"}))
        .await;
    let read_only = app
        .client()
        .post(app.url(&format!("/api/v1/contacts/{bob_id}/merge")))
        .bearer_auth(token["secret"].as_str().unwrap())
        .header("if-match", "*, *")
        .json(&json!({"other_id": id(&carol)}))
        .send()
        .await
        .unwrap();
    problem(read_only, 403, "insufficient_scope").await;

    // Nothing was written.
    assert_eq!(api.get(&format!("/contacts/{bob_id}")).await, bob);
    assert_eq!(api.get(&format!("/contacts/{robert_id}")).await, robert);
    assert_eq!(api.get(&format!("/contacts/{}", id(&carol))).await, carol);

    // `*` for both merges what is there now.
    let merged = api
        .merge(&bob_id, json!({"other_id": id(&carol)}), Some("*, *"))
        .await;
    assert_eq!(merged.status(), 200);
}

rapport_tests::on_both_backends!(
    likely_duplicates_are_grouped_by_reason_and_unrelated_people_are_not,
    a_merge_keeps_everything_of_both_contacts,
    a_merge_that_cannot_happen_writes_nothing,
);
