//! Events, their public card drop and invitation drafts, against the real
//! server on both backends.

use std::time::Duration;

use rapport_server::config::{CardDropLimits, RegistrationMode};
use rapport_tests::{fields, id, problem, Api, Backend, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// Open registration, and card drops limited loosely enough for tests that
/// are not about the limit.
async fn open_app(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |c| {
        c.registration = RegistrationMode::Open;
        c.card_drop_limits = CardDropLimits {
            per_address_burst: 100,
            per_address_interval: Duration::from_millis(10),
        };
    })
    .await
}

trait Helpers {
    async fn patch(&self, path: &str, current: &Value, body: Value) -> Value;
    async fn contacts(&self) -> Vec<Value>;
}

impl Helpers for Api<'_> {
    async fn patch(&self, path: &str, current: &Value, body: Value) -> Value {
        let tag = format!("\"{}\"", current["version"]);
        let response = self.call(Method::PATCH, path, Some(body), Some(&tag)).await;
        assert_eq!(response.status(), 200, "PATCH {path}");
        response.json().await.unwrap()
    }

    async fn contacts(&self) -> Vec<Value> {
        self.json(Method::GET, "/contacts?limit=200", None).await["items"]
            .as_array()
            .unwrap()
            .clone()
    }
}

/// What an anonymous visitor sends.
async fn public(
    app: &TestApp,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app
        .client()
        .request(method, app.url(&format!("/api/v1/public{path}")));
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

async fn drop_card(app: &TestApp, slug: &str, body: Value) -> reqwest::Response {
    public(
        app,
        Method::POST,
        &format!("/events/{slug}/cards"),
        Some(body),
    )
    .await
}

fn slug(event: &Value) -> String {
    event["slug"].as_str().unwrap().to_owned()
}

fn days_from_now(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(days)).to_string()
}

fn hours_from_now(hours: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::hours(hours)).to_rfc3339()
}

/// An event whose card drop is open, with the passphrase "Ferris the Crab".
async fn open_drop(api: &Api<'_>, name: &str) -> Value {
    api.create(
        "/events",
        json!({
            "name": name, "starts_on": days_from_now(-1), "place": "Portland",
            "passphrase": "Ferris the Crab", "notes": "my talk on async",
            "card_drop": {"enabled": true, "closes_at": hours_from_now(24)}
        }),
    )
    .await
}

async fn events_are_created_read_updated_and_deleted(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    let response = api
        .call(
            Method::POST,
            "/events",
            Some(json!({
                "name": " RustConf ", "starts_on": "2026-09-08", "ends_on": "2026-09-10",
                "place": " Portland ", "passphrase": " ferris ", "notes": "  "
            })),
            None,
        )
        .await;
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let event: Value = response.json().await.unwrap();
    let path = format!("/events/{}", id(&event));
    assert_eq!(location, format!("/api/v1{path}"));
    assert_eq!(etag, format!("\"{}\"", event["version"]));
    assert_eq!(event["name"], "RustConf");
    assert_eq!(event["starts_on"], "2026-09-08");
    assert_eq!(event["ends_on"], "2026-09-10");
    assert_eq!(event["place"], "Portland");
    assert_eq!(event["notes"], Value::Null);
    assert_eq!(event["passphrase"], "ferris");
    assert_eq!(
        event["card_drop"],
        json!({"enabled": false, "opens_at": null, "closes_at": null})
    );
    assert_eq!(event["card_drop_open"], false);
    assert_eq!(event["contact_count"], 0);
    let slug = slug(&event);
    assert_eq!(slug.len(), 10);
    assert!(slug
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
    assert_eq!(event["card_drop_url"], format!("/e/{slug}"));
    let fetched = api.call(Method::GET, &path, None, None).await;
    assert_eq!(fetched.headers()["etag"].to_str().unwrap(), etag);
    assert_eq!(fetched.json::<Value>().await.unwrap(), event);
    let another = open_drop(&api, "PyCon").await;
    assert_ne!(slug, self::slug(&another), "slugs are unique");

    // Validation names every bad field.
    let bad = api
        .call(
            Method::POST,
            "/events",
            Some(json!({
                "name": "", "starts_on": "2026-09-08", "ends_on": "2026-09-01",
                "place": "p".repeat(501), "passphrase": "two\nlines",
                "card_drop": {"enabled": true, "opens_at": hours_from_now(2), "closes_at": hours_from_now(1)}
            })),
            None,
        )
        .await;
    assert_eq!(
        fields(&problem(bad, 422, "validation_failed").await),
        [
            "name",
            "ends_on",
            "place",
            "passphrase",
            "card_drop.closes_at"
        ]
    );
    for (body, field) in [
        (json!({"name": "No date"}), "starts_on"),
        (
            json!({"name": "Old", "starts_on": "1850-01-01"}),
            "starts_on",
        ),
        (
            json!({"name": "Open", "starts_on": "2026-09-08", "card_drop": {"enabled": true}}),
            "passphrase",
        ),
        (
            json!({"name": "Typo", "starts_on": "2026-09-08", "plcae": "x"}),
            "plcae",
        ),
    ] {
        let response = api.call(Method::POST, "/events", Some(body), None).await;
        let body = problem(response, 422, "validation_failed").await;
        assert_eq!(fields(&body), [field], "{body}");
    }

    // Writes need the current version.
    problem(
        api.call(
            Method::PATCH,
            &path,
            Some(json!({"place": "Seattle"})),
            None,
        )
        .await,
        428,
        "precondition_required",
    )
    .await;
    let updated = api
        .patch(
            &path,
            &event,
            json!({"place": null, "notes": "keynote", "card_drop": {"enabled": true}}),
        )
        .await;
    assert_eq!(updated["place"], Value::Null);
    assert_eq!(updated["notes"], "keynote");
    assert_eq!(updated["name"], "RustConf", "left out: unchanged");
    assert_eq!(updated["card_drop"]["enabled"], true);
    assert_eq!(updated["card_drop_open"], true);
    assert_eq!(updated["slug"], event["slug"]);
    assert_ne!(updated["version"], event["version"]);
    let stale = api
        .call(
            Method::PATCH,
            &path,
            Some(json!({"name": "Lost"})),
            Some(&etag),
        )
        .await;
    problem(stale, 412, "precondition_failed").await;
    let invalid = api
        .call(
            Method::PATCH,
            &path,
            Some(json!({"ends_on": "2026-01-01", "passphrase": null})),
            Some("*"),
        )
        .await;
    assert_eq!(
        fields(&problem(invalid, 422, "validation_failed").await),
        ["ends_on", "passphrase"]
    );

    problem(
        api.call(Method::DELETE, &path, None, None).await,
        428,
        "precondition_required",
    )
    .await;
    problem(
        api.call(Method::DELETE, &path, None, Some(&etag)).await,
        412,
        "precondition_failed",
    )
    .await;
    let current = format!("\"{}\"", updated["version"]);
    assert_eq!(
        api.call(Method::DELETE, &path, None, Some(&current))
            .await
            .status(),
        204
    );
    problem(
        api.call(Method::GET, &path, None, None).await,
        404,
        "not_found",
    )
    .await;
}

async fn events_are_listed_latest_first_in_pages(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    for (name, starts_on, place) in [
        ("RustConf", "2024-09-10", "Montreal"),
        ("EuroRust", "2025-10-09", "Paris"),
        ("PyCon", "2025-05-14", "Pittsburgh"),
        ("RustNL", "2026-05-07", "Utrecht"),
        ("Meetup", "2023-01-01", "Rust Belt"),
    ] {
        api.create(
            "/events",
            json!({"name": name, "starts_on": starts_on, "place": place}),
        )
        .await;
    }
    let mut names = Vec::new();
    let mut next = "/api/v1/events?limit=2".to_owned();
    loop {
        let response = app
            .client()
            .get(app.url(&next))
            .bearer_auth(&ada.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let link = response
            .headers()
            .get("link")
            .map(|l| l.to_str().unwrap().to_owned());
        let page: Value = response.json().await.unwrap();
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        names.extend(items.iter().map(|e| e["name"].as_str().unwrap().to_owned()));
        match link {
            Some(link) => {
                assert!(link.ends_with("rel=\"next\""), "{link}");
                let cursor = page["next_cursor"].as_str().unwrap();
                assert!(link.contains(cursor));
                next = link[1..link.find('>').unwrap()].to_owned();
            }
            None => {
                assert_eq!(page["next_cursor"], Value::Null);
                break;
            }
        }
    }
    assert_eq!(names, ["RustNL", "EuroRust", "PyCon", "RustConf", "Meetup"]);

    // `q` looks in the name, place and notes, and survives paging.
    let found = api.json(Method::GET, "/events?q=RUST&limit=3", None).await;
    let found: Vec<&str> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(found, ["RustNL", "EuroRust", "RustConf"]);
    let response = api
        .call(Method::GET, "/events?q=rust&limit=3", None, None)
        .await;
    let link = response.headers()["link"].to_str().unwrap().to_owned();
    assert!(link.contains("q=rust"), "{link}");
    let empty = api.json(Method::GET, "/events?q=100%25_", None).await;
    assert_eq!(empty["items"], json!([]), "wildcards are literal");

    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("cursor=nope", "cursor"),
    ] {
        let response = api
            .call(Method::GET, &format!("/events?{query}"), None, None)
            .await;
        assert_eq!(
            fields(&problem(response, 422, "validation_failed").await),
            [field]
        );
    }
}

async fn another_users_events_are_not_found(backend: Backend) {
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
    let event = open_drop(&ada_api, "RustConf").await;
    let grace = ada_api
        .create(
            "/contacts",
            json!({"name": "Grace", "how_met": {"event_id": id(&event)}}),
        )
        .await;
    let path = format!("/events/{}", id(&event));
    let missing_path = format!("/events/{}", uuid::Uuid::new_v4());
    for (method, suffix, body) in [
        (Method::GET, "", None),
        (Method::PATCH, "", Some(json!({"name": "Mine now"}))),
        (Method::DELETE, "", None),
        (Method::GET, "/contacts", None),
    ] {
        let theirs = eve_api
            .call(
                method.clone(),
                &format!("{path}{suffix}"),
                body.clone(),
                Some("*"),
            )
            .await;
        let theirs = problem(theirs, 404, "not_found").await;
        let missing = eve_api
            .call(
                method.clone(),
                &format!("{missing_path}{suffix}"),
                body,
                Some("*"),
            )
            .await;
        let missing = problem(missing, 404, "not_found").await;
        assert_eq!(
            theirs, missing,
            "{method} {suffix}: the same as a missing event"
        );
    }
    let listed = eve_api.json(Method::GET, "/events", None).await;
    assert_eq!(listed["items"], json!([]));
    let borrowed = eve_api
        .call(
            Method::POST,
            "/contacts",
            Some(json!({"name": "Spy", "how_met": {"event_id": id(&event)}})),
            None,
        )
        .await;
    assert_eq!(
        fields(&problem(borrowed, 422, "validation_failed").await),
        ["how_met.event_id"]
    );
    let draft = eve_api
        .call(
            Method::GET,
            &format!("/contacts/{}/invitation-draft", id(&grace)),
            None,
            None,
        )
        .await;
    problem(draft, 404, "not_found").await;
    let unchanged = ada_api.json(Method::GET, &path, None).await;
    assert_eq!(unchanged["name"], "RustConf");
    assert_eq!(unchanged["version"], event["version"]);
    assert_eq!(unchanged["contact_count"], 1);
}

async fn an_events_contacts_are_listed_and_outlive_it(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    let event = open_drop(&api, "RustConf").await;
    let other = open_drop(&api, "PyCon").await;
    let path = format!("/events/{}", id(&event));
    let met_on = days_from_now(-1);
    for name in ["Grace", "Alan", "Barbara"] {
        api.create(
            "/contacts",
            json!({"name": name, "how_met": {"event_id": id(&event), "met_on": met_on}}),
        )
        .await;
    }
    api.create(
        "/contacts",
        json!({"name": "Guido", "how_met": {"event_id": id(&other)}}),
    )
    .await;
    api.create("/contacts", json!({"name": "Linus"})).await;
    let counted = api.json(Method::GET, &path, None).await;
    assert_eq!(counted["contact_count"], 3);

    let first = api
        .call(Method::GET, &format!("{path}/contacts?limit=2"), None, None)
        .await;
    assert_eq!(first.status(), 200);
    let link = first.headers()["link"].to_str().unwrap().to_owned();
    let first: Value = first.json().await.unwrap();
    let names: Vec<&str> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Alan", "Barbara"]);
    // Full contact views, with their derived state.
    let alan = &first["items"][0];
    assert_eq!(alan["how_met"]["event_id"], event["id"]);
    assert!(alan["familiarity"]["score"].is_number());
    assert_eq!(alan["connection_status"], "not_connected");
    assert!(
        link.starts_with(&format!("</api/v1{path}/contacts?")),
        "{link}"
    );
    let next = &link[1..link.find('>').unwrap()];
    let second: Value = app
        .client()
        .get(app.url(next))
        .bearer_auth(&ada.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert_eq!(second["items"][0]["name"], "Grace");
    assert_eq!(second["next_cursor"], Value::Null);
    // The path decides the event, whatever the query says.
    let narrowed = api
        .json(
            Method::GET,
            &format!("{path}/contacts?event_id={}&q=grace", id(&other)),
            None,
        )
        .await;
    assert_eq!(narrowed["items"].as_array().unwrap().len(), 1);
    assert_eq!(narrowed["items"][0]["name"], "Grace");

    let grace = narrowed["items"][0].clone();
    let tag = format!("\"{}\"", counted["version"]);
    assert_eq!(
        api.call(Method::DELETE, &path, None, Some(&tag))
            .await
            .status(),
        204
    );
    let after = api.contacts().await;
    assert_eq!(after.len(), 5, "deleting an event deletes no contact");
    let grace_after = api
        .json(Method::GET, &format!("/contacts/{}", id(&grace)), None)
        .await;
    assert_eq!(grace_after["how_met"]["event_id"], Value::Null);
    assert_eq!(grace_after["how_met"]["met_on"], json!(met_on));
    assert_ne!(grace_after["version"], grace["version"]);
}

async fn a_card_drop_creates_a_contact_met_at_the_event_and_then_completes_it(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    let event = open_drop(&api, "RustConf").await;
    let slug = slug(&event);

    let page = public(
        &app,
        Method::GET,
        &format!("/events/{}", slug.to_uppercase()),
        None,
    )
    .await;
    assert_eq!(page.status(), 200);
    let page: Value = page.json().await.unwrap();
    assert_eq!(
        page,
        json!({"name": "RustConf", "starts_on": event["starts_on"], "place": "Portland", "open": true}),
        "nothing but what the page needs"
    );

    let response = drop_card(
        &app,
        &slug,
        json!({"name": " Grace Hopper ", "email": "Grace@Navy.mil",
               "passphrase": "  ferris THE   crab ", "note": "Loved the talk"}),
    )
    .await;
    assert_eq!(response.status(), 201);
    let receipt: Value = response.json().await.unwrap();
    assert_eq!(receipt, json!({"status": "received"}));

    let contacts = api.contacts().await;
    assert_eq!(contacts.len(), 1);
    let grace = &contacts[0];
    assert_eq!(grace["name"], "Grace Hopper");
    assert_eq!(grace["emails"], json!(["grace@navy.mil"]));
    assert_eq!(grace["how_met"]["event_id"], event["id"]);
    assert_eq!(grace["how_met"]["met_on"], event["starts_on"]);
    assert_eq!(
        grace["how_met"]["context"],
        "Left a card at RustConf: Loved the talk"
    );
    let counted = api
        .json(Method::GET, &format!("/events/{}", id(&event)), None)
        .await;
    assert_eq!(counted["contact_count"], 1);

    // The same email again: the same contact, completed; the answer says no more.
    let again = drop_card(
        &app,
        &slug,
        json!({"name": "G. Hopper", "email": "grace@navy.mil",
               "url": "https://www.linkedin.com/in/grace", "passphrase": "ferris the crab"}),
    )
    .await;
    assert_eq!(again.status(), 201, "the same answer as for a new card");
    assert_eq!(again.json::<Value>().await.unwrap(), receipt);
    let contacts = api.contacts().await;
    assert_eq!(contacts.len(), 1, "updated, not doubled");
    assert_eq!(
        contacts[0]["name"], "Grace Hopper",
        "my name for them stays"
    );
    assert_eq!(
        contacts[0]["urls"],
        json!(["https://www.linkedin.com/in/grace"])
    );
    assert_ne!(contacts[0]["version"], grace["version"]);

    // Someone already in my network, found by a profile URL.
    let alan = api
        .create(
            "/contacts",
            json!({"name": "Alan Turing", "urls": ["https://linkedin.com/in/alan/"]}),
        )
        .await;
    let known = drop_card(
        &app,
        &slug,
        json!({"name": "Alan", "email": "alan@example.com",
               "url": "http://www.LinkedIn.com/in/alan", "passphrase": "Ferris the Crab"}),
    )
    .await;
    assert_eq!(known.status(), 201);
    let contacts = api.contacts().await;
    assert_eq!(contacts.len(), 2);
    let alan = api
        .json(Method::GET, &format!("/contacts/{}", id(&alan)), None)
        .await;
    assert_eq!(alan["emails"], json!(["alan@example.com"]));
    assert_eq!(alan["how_met"]["event_id"], event["id"]);
    let by_new_email = api
        .json(Method::GET, "/contacts?q=alan@example.com", None)
        .await;
    assert_eq!(
        by_new_email["items"].as_array().unwrap().len(),
        1,
        "the completed contact is found by its new email"
    );

    // Field errors come first, and name the fields.
    let invalid = drop_card(
        &app,
        &slug,
        json!({"name": "", "email": "nope", "passphrase": "ferris the crab"}),
    )
    .await;
    assert_eq!(
        fields(&problem(invalid, 422, "validation_failed").await),
        ["name", "email"]
    );
    let unreachable = drop_card(&app, &slug, json!({"name": "Anon", "passphrase": "x"})).await;
    assert_eq!(
        fields(&problem(unreachable, 422, "validation_failed").await),
        ["email"]
    );
}

async fn every_refusal_of_a_card_drop_looks_the_same(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    let open = open_drop(&api, "RustConf").await;
    let disabled = api
        .create(
            "/events",
            json!({"name": "Private dinner", "starts_on": days_from_now(0), "passphrase": "Ferris the Crab"}),
        )
        .await;
    let closed = open_drop(&api, "Last year").await;
    api.patch(
        &format!("/events/{}", id(&closed)),
        &closed,
        json!({"card_drop": {"opens_at": hours_from_now(-48), "closes_at": hours_from_now(-24)}}),
    )
    .await;
    let not_yet = open_drop(&api, "Next week").await;
    api.patch(
        &format!("/events/{}", id(&not_yet)),
        &not_yet,
        json!({"card_drop": {"opens_at": hours_from_now(24), "closes_at": null}}),
    )
    .await;
    let card = |passphrase: &str| json!({"name": "Mallory", "email": "mallory@example.com", "passphrase": passphrase});

    let mut refusals = Vec::new();
    for (slug, passphrase, why) in [
        (slug(&open), "Ferris the Cat", "wrong passphrase"),
        ("nosuchslug".to_owned(), "Ferris the Crab", "unknown slug"),
        ("x".repeat(300), "Ferris the Crab", "absurd slug"),
        (slug(&disabled), "Ferris the Crab", "disabled"),
        (slug(&closed), "Ferris the Crab", "window closed"),
        (slug(&not_yet), "Ferris the Crab", "window not yet open"),
    ] {
        let response = drop_card(&app, &slug, card(passphrase)).await;
        refusals.push((why, problem(response, 403, "card_drop_refused").await));
    }
    for (why, body) in &refusals {
        assert_eq!(
            body, &refusals[0].1,
            "{why} is refused like a wrong passphrase"
        );
    }
    // The public page: the same refusal unless the drop is enabled.
    for slug in ["nosuchslug".to_owned(), slug(&disabled)] {
        let page = public(&app, Method::GET, &format!("/events/{slug}"), None).await;
        assert_eq!(problem(page, 403, "card_drop_refused").await, refusals[0].1);
    }
    let page: Value = public(
        &app,
        Method::GET,
        &format!("/events/{}", slug(&closed)),
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(page["open"], false);
    assert!(api.contacts().await.is_empty(), "no refused card was kept");

    // The public routes need no sign-in, and the private ones stay private.
    let anonymous = app
        .client()
        .get(app.url(&format!("/api/v1/events/{}", id(&open))))
        .send()
        .await
        .unwrap();
    problem(anonymous, 401, "unauthorized").await;
}

async fn card_drops_are_rate_limited_per_address(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| {
        c.registration = RegistrationMode::Open;
        c.card_drop_limits = CardDropLimits {
            per_address_burst: 3,
            per_address_interval: Duration::from_secs(60),
        };
    })
    .await
    else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    let slug = slug(&open_drop(&api, "RustConf").await);
    let guess = |passphrase: &str| json!({"name": "Mallory", "email": "mallory@example.com", "passphrase": passphrase});
    // Guesses count: a passphrase cannot be brute-forced.
    for attempt in ["guess one", "guess two"] {
        let response = drop_card(&app, &slug, guess(attempt)).await;
        problem(response, 403, "card_drop_refused").await;
    }
    assert_eq!(
        drop_card(&app, &slug, guess("ferris the crab"))
            .await
            .status(),
        201
    );
    let throttled = drop_card(&app, &slug, guess("ferris the crab")).await;
    let retry_after: u64 = throttled.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    problem(throttled, 429, "rate_limited").await;
    assert_eq!(api.contacts().await.len(), 1);
}

async fn draft(api: &Api<'_>, contact: &Value) -> Value {
    let path = format!("/contacts/{}/invitation-draft", id(contact));
    api.json(Method::GET, &path, None).await
}

async fn invitation_drafts_quote_the_passphrase_only_when_the_event_has_one(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    let with_passphrase = api
        .create(
            "/events",
            json!({"name": "RustConf", "starts_on": "2026-09-08", "place": "Portland", "passphrase": "ferris"}),
        )
        .await;
    let without = api
        .create(
            "/events",
            json!({"name": "PyCon", "starts_on": "2026-05-14"}),
        )
        .await;
    let grace = api
        .create(
            "/contacts",
            json!({"name": "Grace Hopper", "how_met": {"event_id": id(&with_passphrase)}}),
        )
        .await;
    let guido = api
        .create(
            "/contacts",
            json!({"name": "Guido van Rossum", "how_met": {"event_id": id(&without),
                   "introduced_by": id(&grace), "context": "private: seemed tired"}}),
        )
        .await;
    let linus = api.create("/contacts", json!({"name": "Linus"})).await;
    let to_grace = draft(&api, &grace).await;
    let text = to_grace["text"].as_str().unwrap();
    assert!(text.starts_with("Hi Grace,"), "{text}");
    assert!(text.contains("at RustConf in Portland"), "{text}");
    assert!(text.contains("would you be open to connecting?"), "{text}");
    assert!(
        text.contains("we were both at \"RustConf\" — the passphrase was \"ferris\""),
        "{text}"
    );
    assert!(text.ends_with("ada"), "signed with my name: {text}");
    assert_eq!(to_grace["passphrase"], "ferris");
    assert_eq!(to_grace["event_name"], "RustConf");

    let to_guido = draft(&api, &guido).await;
    let text = to_guido["text"].as_str().unwrap();
    assert!(text.starts_with("Hi Guido,"), "{text}");
    assert!(text.contains("at PyCon"), "{text}");
    assert!(
        text.contains("thanks to Grace for introducing us"),
        "{text}"
    );
    assert!(!text.contains("passphrase"), "{text}");
    assert!(
        !text.contains("tired"),
        "my private context stays private: {text}"
    );
    assert_eq!(to_guido["passphrase"], Value::Null);
    assert_eq!(to_guido["event_name"], "PyCon");

    let to_linus = draft(&api, &linus).await;
    assert!(to_linus["text"]
        .as_str()
        .unwrap()
        .contains("would you be open to connecting?"));
    assert_eq!(to_linus["passphrase"], Value::Null);
    assert_eq!(to_linus["event_name"], Value::Null);
    problem(
        api.call(
            Method::GET,
            &format!("/contacts/{}/invitation-draft", uuid::Uuid::new_v4()),
            None,
            None,
        )
        .await,
        404,
        "not_found",
    )
    .await;
}

rapport_tests::on_both_backends!(
    events_are_created_read_updated_and_deleted,
    events_are_listed_latest_first_in_pages,
    another_users_events_are_not_found,
    an_events_contacts_are_listed_and_outlive_it,
    a_card_drop_creates_a_contact_met_at_the_event_and_then_completes_it,
    every_refusal_of_a_card_drop_looks_the_same,
    card_drops_are_rate_limited_per_address,
    invitation_drafts_quote_the_passphrase_only_when_the_event_has_one,
);
