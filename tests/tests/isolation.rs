//! Every route that takes an id, walked from the OpenAPI document: another
//! user's id answers exactly like a missing one (404, same body), nothing
//! of the owner's changes, and no list shows another user's rows. A new
//! route without a fixture here fails this test.

use rapport_server::config::{RegistrationMode, TeamCreation};
use rapport_tests::{Backend, SignedIn, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

struct Fixtures {
    ids: Vec<(&'static str, String)>,
}

impl Fixtures {
    /// The id of the owner's object for a path template, by its prefix.
    fn id_for(&self, template: &str) -> Option<&str> {
        self.ids
            .iter()
            .find(|(prefix, _)| template.starts_with(prefix))
            .map(|(_, id)| id.as_str())
    }
}

/// Routes that are not the owner's objects: admin routes (403 for others,
/// covered by the admin tests), public pages (open by design) and the
/// calendar feed, whose secret address is its credential (checked on its
/// own below).
fn exempt(template: &str) -> bool {
    template.starts_with("/api/v1/admin/")
        || template.starts_with("/api/v1/public/")
        || template.starts_with("/calendar/")
}

/// A valid body for each write, so that only ownership can refuse it
/// (`own_contact`: one of the caller's contacts).
fn body_for(method: &Method, template: &str, own_contact: &str) -> Option<Value> {
    let body = match (method.as_str(), template) {
        ("POST", t) if t.ends_with("/merge") => json!({"other_id": own_contact}),
        ("PATCH", t) if t.ends_with("/members/{user_id}") => json!({"role": "member"}),
        ("PATCH", _) => json!({}),
        ("POST", t) if t.ends_with("/members") => {
            json!({"email": "eve@example.com", "role": "member"})
        }
        ("POST", t) if t.ends_with("/join-codes") => json!({}),
        ("PUT", t) if t.ends_with("/sharing") => json!({}),
        ("PUT", t) if t.ends_with("/sharing/contacts/{contact_id}") => json!({"level": "profile"}),
        ("POST", t) if t.ends_with("/sharing/bulk") => json!({"level": "signal", "dry_run": true}),
        ("POST", t) if t.ends_with("/intro-requests") => {
            json!({"result": "0".repeat(32), "reason": "an introduction"})
        }
        ("POST", t)
            if t.ends_with("/accept") || t.ends_with("/decline") || t.ends_with("/withdraw") =>
        {
            json!({})
        }
        ("PUT", t) if t.ends_with("/comfort") => json!({"rating": 3, "reason": "test"}),
        ("POST", t) if t.ends_with("/connection") => json!({"status": "asked"}),
        ("POST", t) if t.ends_with("/commit") => json!({}),
        ("POST", t) if t.ends_with("/undo") => return None,
        ("PUT", t) if t.ends_with("/mapping") => json!({"mapping": {"Name": "name"}}),
        ("POST", t) if t.ends_with("/snooze") => {
            let until = chrono::Utc::now().date_naive() + chrono::Duration::days(7);
            json!({ "until": until })
        }
        ("GET" | "DELETE", _) => return None,
        (method, template) => {
            panic!("no request body for {method} {template}: add one to tests/tests/isolation.rs")
        }
    };
    Some(body)
}

async fn send(
    app: &TestApp,
    who: &SignedIn,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, String) {
    // A merge names the versions of both contacts.
    let if_match = if path.ends_with("/merge") {
        "\"1\", \"1\""
    } else {
        "\"1\""
    };
    let mut request = app
        .client()
        .request(method, app.url(path))
        .bearer_auth(&who.token)
        .header("if-match", if_match);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn get_json(app: &TestApp, who: &SignedIn, path: &str) -> Value {
    let (status, text) = send(app, who, Method::GET, path, None).await;
    assert_eq!(status, 200, "GET {path}: {text}");
    serde_json::from_str(&text).unwrap()
}

async fn post_json(app: &TestApp, who: &SignedIn, path: &str, body: Value) -> Value {
    let (status, text) = send(app, who, Method::POST, path, Some(body)).await;
    assert!(
        status == 200 || status == 201,
        "POST {path}: {status} {text}"
    );
    serde_json::from_str(&text).unwrap()
}

/// Makes `who`'s calendar feed and reads it at its secret address.
async fn feed_of(app: &TestApp, who: &SignedIn) -> String {
    let feed = post_json(app, who, "/api/v1/me/calendar-feed", json!({})).await;
    let url = feed["url"].as_str().unwrap().to_owned();
    let response = app.client().get(&url).send().await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    response.text().await.unwrap()
}

/// Walks every route as `eve`, with the owner's ids where they go.
async fn walk(
    app: &TestApp,
    eve: &SignedIn,
    doc: &Value,
    fixtures: &Fixtures,
    (owner, owners_contact): (&str, &str),
) {
    // Eve merging her own contact with Ada's must find nothing either.
    let eves_contact = post_json(app, eve, "/api/v1/contacts", json!({"name": "Mallory"})).await;
    let eves_contact = eves_contact["id"].as_str().unwrap().to_owned();
    let mut checked = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        if exempt(template) {
            continue;
        }
        let methods: Vec<Method> = item
            .as_object()
            .unwrap()
            .keys()
            .filter_map(|m| m.to_uppercase().parse().ok())
            .collect();
        if !template.contains('{') {
            // Collections: nothing of Ada's may appear in Eve's answers.
            if methods.contains(&Method::GET) {
                let (status, text) = send(app, eve, Method::GET, template, None).await;
                assert_eq!(status, 200, "GET {template}");
                for (_, id) in &fixtures.ids {
                    assert!(
                        !text.contains(id.as_str()),
                        "GET {template} shows another user's {id}"
                    );
                }
                assert!(
                    !text.contains("ada-private-notes"),
                    "GET {template} leaks notes"
                );
            }
            continue;
        }
        let id = fixtures.id_for(template).unwrap_or_else(|| {
            panic!("no isolation fixture for {template}: add one to tests/tests/isolation.rs")
        });
        for method in methods {
            let body = body_for(&method, template, &eves_contact);
            let theirs = template
                .replace("{id}", id)
                .replace("{user_id}", owner)
                .replace("{contact_id}", owners_contact);
            let missing = template
                .replace("{id}", &uuid::Uuid::new_v4().to_string())
                .replace("{user_id}", owner)
                .replace("{contact_id}", owners_contact);
            let (status, text) = send(app, eve, method.clone(), &theirs, body.clone()).await;
            let (missing_status, missing_text) =
                send(app, eve, method.clone(), &missing, body).await;
            assert_eq!(
                status, 404,
                "{method} {template} with another user's id: {text}"
            );
            assert_eq!(missing_status, 404, "{method} {template} with a missing id");
            assert_eq!(
                text, missing_text,
                "{method} {template}: another user's id must look missing"
            );
            checked += 1;
        }
    }
    assert!(checked >= 13, "only {checked} routes with ids were walked");
}

async fn another_users_ids_are_never_found(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| {
        c.registration = RegistrationMode::Open;
        c.teams = TeamCreation::Anyone;
    })
    .await
    else {
        return;
    };
    // The first account is the instance's admin: it must find nothing of
    // Ada's either, nor must Eve, who is an admin of a team Ada is in.
    let root = app.new_user("root@example.com").await;
    let ada = app.new_user("ada@example.com").await;
    let ada_phone = app.sign_in("ada@example.com").await;
    let eve = app.new_user("eve@example.com").await;

    let today = chrono::Utc::now().date_naive().to_string();
    let contact = post_json(
        &app,
        &ada,
        "/api/v1/contacts",
        json!({"name": "Bob", "notes": "ada-private-notes"}),
    )
    .await;
    let contact_id = contact["id"].as_str().unwrap().to_owned();
    let interaction = post_json(
        &app,
        &ada,
        "/api/v1/interactions",
        json!({"contact_ids": [contact_id], "kind": "call", "occurred_on": today, "depth": "conversation", "initiated_by": "them", "follow_up_on": today}),
    )
    .await;
    let token = post_json(
        &app,
        &ada,
        "/api/v1/me/tokens",
        json!({"name": "script", "scope": "read"}),
    )
    .await;
    let event = post_json(
        &app,
        &ada,
        "/api/v1/events",
        json!({"name": "RustConf", "starts_on": today, "passphrase": "ferris", "notes": "ada-private-notes"}),
    )
    .await;
    let event_id = event["id"].as_str().unwrap().to_owned();
    let carol = post_json(&app, &ada, "/api/v1/contacts", json!({"name": "Carol"})).await;
    let introduction = post_json(
        &app,
        &ada,
        "/api/v1/introductions",
        json!({"contact_a": contact_id, "contact_b": carol["id"], "reason": "ada-private-notes reason",
               "confirm_low_comfort": true}),
    )
    .await;
    let introduction_id = introduction["id"].as_str().unwrap().to_owned();
    let import: Value = app
        .client()
        .post(app.url("/api/v1/imports?filename=people.csv"))
        .bearer_auth(&ada.token)
        .body("Name,Remarks\nDora,ada-private-notes\n")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let import_id = import["id"].as_str().unwrap().to_owned();
    let adas_team = post_json(&app, &ada, "/api/v1/teams", json!({"name": "Ada's own"})).await;
    let adas_team = adas_team["id"].as_str().unwrap().to_owned();
    // Ada asks Ben, in her own team, for an introduction: only the two of
    // them see the request.
    let ben = app.new_user("ben@example.com").await;
    post_json(
        &app,
        &ada,
        &format!("/api/v1/teams/{adas_team}/members"),
        json!({"email": "ben@example.com", "role": "member"}),
    )
    .await;
    let bens = post_json(&app, &ben, "/api/v1/contacts", json!({"name": "Zed Known"})).await;
    let (status, _) = send(
        &app,
        &ben,
        Method::PUT,
        &format!(
            "/api/v1/teams/{adas_team}/sharing/contacts/{}",
            bens["id"].as_str().unwrap()
        ),
        Some(json!({"level": "profile"})),
    )
    .await;
    assert_eq!(status, 200);
    let found = get_json(
        &app,
        &ada,
        &format!("/api/v1/teams/{adas_team}/reach?q=zed"),
    )
    .await;
    let request = post_json(
        &app,
        &ada,
        &format!("/api/v1/teams/{adas_team}/intro-requests"),
        json!({"result": found["items"][0]["result"], "reason": "ada-private-notes"}),
    )
    .await;
    let request_id = request["id"].as_str().unwrap().to_owned();
    let shared = post_json(&app, &root, "/api/v1/teams", json!({"name": "Shared"})).await;
    let shared = shared["id"].as_str().unwrap().to_owned();
    for (email, role) in [("ada@example.com", "member"), ("eve@example.com", "admin")] {
        post_json(
            &app,
            &root,
            &format!("/api/v1/teams/{shared}/members"),
            json!({"email": email, "role": role}),
        )
        .await;
    }
    let phone_claims = ada_phone.token.split('.').nth(1).unwrap();
    let phone_claims: Value = serde_json::from_slice(
        &base64::Engine::decode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            phone_claims,
        )
        .unwrap(),
    )
    .unwrap();
    let fixtures = Fixtures {
        ids: vec![
            ("/api/v1/contacts/{id}", contact_id.clone()),
            (
                "/api/v1/interactions/{id}",
                interaction["id"].as_str().unwrap().to_owned(),
            ),
            (
                "/api/v1/me/sessions/{id}",
                phone_claims["sid"].as_str().unwrap().to_owned(),
            ),
            (
                "/api/v1/me/tokens/{id}",
                token["id"].as_str().unwrap().to_owned(),
            ),
            ("/api/v1/events/{id}", event_id.clone()),
            ("/api/v1/introductions/{id}", introduction_id.clone()),
            ("/api/v1/imports/{id}", import_id.clone()),
            ("/api/v1/teams/{id}", adas_team.clone()),
            ("/api/v1/intro-requests/{id}", request_id.clone()),
        ],
    };
    let owned_paths = [
        format!("/api/v1/contacts/{contact_id}"),
        format!("/api/v1/contacts/{contact_id}/comfort/history"),
        format!("/api/v1/contacts/{contact_id}/connection/history"),
        format!(
            "/api/v1/interactions/{}",
            interaction["id"].as_str().unwrap()
        ),
        "/api/v1/me/tokens".to_owned(),
        format!("/api/v1/events/{event_id}"),
        format!("/api/v1/introductions/{introduction_id}"),
        format!("/api/v1/imports/{import_id}"),
        format!("/api/v1/imports/{import_id}/rows"),
        format!("/api/v1/teams/{adas_team}"),
        format!("/api/v1/teams/{adas_team}/members"),
        format!("/api/v1/intro-requests/{request_id}"),
    ];
    let mut before = Vec::new();
    for path in &owned_paths {
        before.push(get_json(&app, &ada, path).await);
    }
    let doc = get_json(&app, &ada, "/api/v1/openapi.json").await;
    for eve in [&eve, &root] {
        walk(&app, eve, &doc, &fixtures, (&ada.id(), &contact_id)).await;
    }

    // The calendar feed: Ada's holds her follow-up, keep-in-touch date and
    // event; Eve's, at its own secret address, none of Ada's objects.
    let adas_feed = feed_of(&app, &ada).await;
    for id in [&contact_id, &event_id, interaction["id"].as_str().unwrap()] {
        assert!(adas_feed.contains(id), "Ada's own feed shows {id}");
    }
    let eves_feed = feed_of(&app, &eve).await;
    for (_, id) in &fixtures.ids {
        assert!(
            !eves_feed.contains(id.as_str()),
            "Eve's calendar feed shows another user's {id}"
        );
    }
    assert!(!eves_feed.contains("RustConf") && !eves_feed.contains("Bob"));
    for (path, earlier) in owned_paths.iter().zip(before) {
        let now = get_json(&app, &ada, path).await;
        assert_eq!(now, earlier, "{path} changed");
    }
}

rapport_tests::on_both_backends!(another_users_ids_are_never_found);
