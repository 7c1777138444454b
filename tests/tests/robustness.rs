//! Bad input never reaches a 500 or a partial write: valid bodies mutated
//! at random (deterministic seed) are answered with a 4xx problem that
//! names the fields, and many concurrent writers all succeed.

use rapport_server::config::RegistrationMode;
use rapport_tests::{Backend, SignedIn, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const CASES_PER_ROUTE: usize = 80;

fn garbage(rng: &mut fastrand::Rng) -> Value {
    match rng.u8(..12) {
        0 => Value::Null,
        1 => json!(rng.bool()),
        2 => json!(rng.i64(..)),
        3 => json!(-1),
        4 => json!(1e300),
        5 => json!("x".repeat(rng.usize(1..30_000))),
        6 => json!("line\u{0}break\n\t\u{7}"),
        7 => json!([1, "two", null]),
        8 => json!({"nested": {"deeper": [1, {"x": "y"}]}}),
        9 => json!("2026-02-30"),
        10 => json!("not-a-uuid"),
        _ => json!(""),
    }
}

fn mutate(rng: &mut fastrand::Rng, valid: &Value) -> Value {
    let mut body = valid.clone();
    let Some(object) = body.as_object_mut() else {
        return body;
    };
    let keys: Vec<String> = object.keys().cloned().collect();
    for _ in 0..rng.usize(1..=3) {
        match rng.u8(..4) {
            0 if !keys.is_empty() => {
                object.remove(&keys[rng.usize(..keys.len())]);
            }
            1 => {
                object.insert(format!("unknown_{}", rng.u8(..)), garbage(rng));
            }
            _ if !keys.is_empty() => {
                let key = &keys[rng.usize(..keys.len())];
                object.insert(key.clone(), garbage(rng));
            }
            _ => {}
        }
    }
    body
}

async fn send(
    app: &TestApp,
    who: &SignedIn,
    method: Method,
    path: &str,
    body: &Value,
) -> (u16, Value, String) {
    let response = app
        .client()
        .request(method, app.url(path))
        .bearer_auth(&who.token)
        .header("if-match", "*")
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body, content_type)
}

async fn snapshot(app: &TestApp, who: &SignedIn) -> Vec<Value> {
    let mut state = Vec::new();
    for path in [
        "/api/v1/contacts?limit=200",
        "/api/v1/interactions?limit=200",
        "/api/v1/me/settings",
        "/api/v1/events?limit=200",
        "/api/v1/introductions?limit=200",
    ] {
        let body: Value = app
            .client()
            .get(app.url(path))
            .bearer_auth(&who.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        state.push(body);
    }
    state
}

async fn mutated_bodies_get_clear_problems_and_change_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| c.registration = RegistrationMode::Open).await
    else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let today = chrono::Utc::now().date_naive().to_string();
    let (status, bob, _) = send(
        &app,
        &ada,
        Method::POST,
        "/api/v1/contacts",
        &json!({"name": "Bob"}),
    )
    .await;
    assert_eq!(status, 201);
    let bob_id = bob["id"].as_str().unwrap().to_owned();
    let (_, carol, _) = send(
        &app,
        &ada,
        Method::POST,
        "/api/v1/contacts",
        &json!({"name": "Carol"}),
    )
    .await;
    let carol_id = carol["id"].as_str().unwrap().to_owned();
    let routes: Vec<(Method, String, Value)> = vec![
        (
            Method::POST,
            "/api/v1/contacts".into(),
            json!({"name": "Carol", "emails": ["carol@example.com"], "phones": ["+1 555 0100"],
                   "company": "Acme", "title": "CTO", "location": "Paris",
                   "urls": ["https://example.com/carol"], "tags": ["rust"], "notes": "met at a talk",
                   "how_met": {"met_on": today, "place": "Paris", "context": "talk"}, "cadence_days": 30}),
        ),
        (
            Method::PATCH,
            format!("/api/v1/contacts/{bob_id}"),
            json!({"name": "Bob B.", "company": "Initech", "tags": ["ops"], "cadence_days": 60}),
        ),
        (
            Method::POST,
            "/api/v1/interactions".into(),
            json!({"contact_ids": [bob_id], "kind": "call", "occurred_on": today, "depth": "brief",
                   "initiated_by": "me", "notes": "hello", "follow_up_on": today}),
        ),
        (
            Method::PUT,
            format!("/api/v1/contacts/{bob_id}/comfort"),
            json!({"rating": 3, "reason": "solid"}),
        ),
        (
            Method::POST,
            format!("/api/v1/contacts/{bob_id}/connection"),
            json!({"status": "asked", "note": "at lunch"}),
        ),
        (
            Method::PUT,
            "/api/v1/me/settings".into(),
            json!({"connection_policy": "open", "familiarity_threshold": 30, "comfort_threshold": 3, "default_cadence_days": 90}),
        ),
        (
            Method::POST,
            "/api/v1/me/tokens".into(),
            json!({"name": "script", "scope": "read", "expires_in_days": 30}),
        ),
        (
            Method::POST,
            "/api/v1/events".into(),
            json!({"name": "RustConf", "starts_on": today, "place": "Montreal", "notes": "talk",
                   "passphrase": "ferris", "card_drop": {"enabled": true}}),
        ),
        (
            Method::POST,
            "/api/v1/introductions".into(),
            json!({"contact_a": bob_id, "contact_b": carol_id, "reason": "both love compilers",
                   "confirm_low_comfort": true}),
        ),
    ];
    let mut rng = fastrand::Rng::with_seed(20261125);
    for (method, path, valid) in &routes {
        for case in 0..CASES_PER_ROUTE {
            let body = mutate(&mut rng, valid);
            let before = snapshot(&app, &ada).await;
            let (status, problem, content_type) =
                send(&app, &ada, method.clone(), path, &body).await;
            assert!(
                status < 500,
                "{method} {path} case {case}: {status} for {body}"
            );
            if status >= 400 {
                assert_eq!(
                    content_type, "application/problem+json",
                    "{method} {path}: {body}"
                );
                assert!(problem["code"].is_string() && problem["detail"].is_string());
                if status == 422 {
                    let named = problem["errors"].as_array().is_some_and(|e| !e.is_empty());
                    assert!(
                        named,
                        "{method} {path}: a 422 must name the fields: {problem} for {body}"
                    );
                }
                assert_eq!(
                    snapshot(&app, &ada).await,
                    before,
                    "{method} {path}: a refused request wrote something: {body}"
                );
            } else if *method == Method::POST && path.ends_with("/connection") {
                // A valid step was taken: go back to the start for the next case.
                let _ = send(
                    &app,
                    &ada,
                    Method::POST,
                    path,
                    &json!({"status": "declined"}),
                )
                .await;
                let _ = send(
                    &app,
                    &ada,
                    Method::POST,
                    path,
                    &json!({"status": "not_connected"}),
                )
                .await;
            }
        }
    }
    // Control characters and oversized values in query strings.
    for query in [
        "q=%00",
        "tag=%07x",
        "company=a%00b",
        "q=%20",
        "sort=%00",
        "limit=99999999999999999999",
    ] {
        for list in [
            "/api/v1/contacts",
            "/api/v1/events",
            "/api/v1/interactions",
            "/api/v1/introductions",
            "/api/v1/nurture",
        ] {
            let response = app
                .client()
                .get(app.url(&format!("{list}?{query}")))
                .bearer_auth(&ada.token)
                .send()
                .await
                .unwrap();
            assert!(
                response.status().as_u16() < 500,
                "GET {list}?{query}: {}",
                response.status()
            );
        }
    }
    // Not JSON at all.
    for raw in ["", "{", "[]", "null", "\"text\"", "{\"name\": \"A\",}"] {
        let response = app
            .client()
            .post(app.url("/api/v1/contacts"))
            .bearer_auth(&ada.token)
            .header("content-type", "application/json")
            .body(raw)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        assert!(status == 400 || status == 422, "{raw:?} gave {status}");
    }
}

async fn many_concurrent_writers_all_succeed(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| {
        c.registration = RegistrationMode::Open;
        c.workers = Some(4);
    })
    .await
    else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let today = chrono::Utc::now().date_naive().to_string();
    let writers =
        (0..48).map(|n| {
            let (client, token) = (app.client(), ada.token.clone());
            let (contacts, interactions) =
                (app.url("/api/v1/contacts"), app.url("/api/v1/interactions"));
            let today = today.clone();
            tokio::spawn(async move {
                let created = client
                    .post(contacts)
                    .bearer_auth(&token)
                    .json(&json!({"name": format!("Writer {n}"), "tags": ["load"]}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(
                    created.status(),
                    201,
                    "{}",
                    created.text().await.unwrap_or_default()
                );
                let contact: Value = created.json().await.unwrap();
                let logged = client
                .post(interactions)
                .bearer_auth(&token)
                .json(&json!({"contact_ids": [contact["id"]], "kind": "email", "occurred_on": today,
                              "depth": "brief", "initiated_by": "them"}))
                .send()
                .await
                .unwrap();
                assert_eq!(
                    logged.status(),
                    201,
                    "{}",
                    logged.text().await.unwrap_or_default()
                );
            })
        });
    for writer in writers.collect::<Vec<_>>() {
        writer.await.unwrap();
    }
    let listed: Value = app
        .client()
        .get(app.url("/api/v1/contacts?tag=load&limit=200"))
        .bearer_auth(&ada.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 48);
    assert!(items
        .iter()
        .all(|c| c["last_interaction_on"] == json!(today)));
}

/// PostgreSQL refuses the NUL character in text: it is refused before any
/// query, wherever a request carries text — JSON bodies (signed in or not),
/// query strings, path segments and cursors — with a 400, never a 500.
async fn text_with_a_nul_character_is_refused_everywhere(backend: Backend) {
    use base64::Engine;
    let Some(app) = TestApp::spawn_with(backend, |c| c.registration = RegistrationMode::Open).await
    else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let refused = |response: reqwest::Response, what: &'static str| async move {
        assert_eq!(response.status(), 400, "{what}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["code"], "nul_character", "{what}");
    };
    let login = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body(r#"{"email": "C\u00b5\u0000oC", "password": "long enough password"}"#)
        .send()
        .await
        .unwrap();
    refused(login, "a login").await;
    let (status, body, _) = send(
        &app,
        &ada,
        Method::POST,
        "/api/v1/contacts",
        &json!({"name": "Ada\u{0}Lovelace"}),
    )
    .await;
    assert_eq!((status, &body["code"]), (400, &json!("nul_character")));
    let cursor = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
        br#"{"sort":"name","key":{"Text":"a\u0000"},"id":"00000000-0000-0000-0000-000000000000"}"#,
    );
    for (path, what) in [
        ("/api/v1/contacts?q=a%00b", "a search"),
        ("/api/v1/contacts?company=%00", "a filter"),
        ("/api/v1/public/events/slug%00x", "a path segment"),
        ("/e/a%00", "an app page"),
    ] {
        let response = app
            .client()
            .get(app.url(path))
            .bearer_auth(&ada.token)
            .send()
            .await
            .unwrap();
        refused(response, what).await;
    }
    let response = app
        .client()
        .get(app.url(&format!("/api/v1/contacts?sort=name&cursor={cursor}")))
        .bearer_auth(&ada.token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        422,
        "a cursor with a NUL names no position"
    );
    assert_eq!(
        snapshot(&app, &ada).await[0]["items"],
        json!([]),
        "nothing written"
    );
}

/// Requests are read as the OpenAPI document describes them: a body is a
/// JSON object (an array of values is not one, although serde would take it
/// for a struct); a whole number written `4.0` is the number 4, as in JSON
/// Schema; an empty `cursor` is the first page; `If-Match` that is not an
/// entity tag is a 400, a stale one a 412.
async fn requests_are_read_as_the_document_describes_them(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| c.registration = RegistrationMode::Open).await
    else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let (status, body, _) = send(
        &app,
        &ada,
        Method::PATCH,
        "/api/v1/me",
        &json!([null, null]),
    )
    .await;
    assert_eq!((status, &body["errors"][0]["field"]), (422, &json!("body")));
    for (path, nested) in [
        (
            "/api/v1/contacts",
            json!({"name": "Bob", "how_met": [null, null]}),
        ),
        (
            "/api/v1/events",
            json!({"name": "Talk", "starts_on": "2026-03-01", "card_drop": [false]}),
        ),
    ] {
        let (status, body, _) = send(&app, &ada, Method::POST, path, &nested).await;
        assert_eq!(status, 422, "{path}: a nested array is not an object");
        assert!(
            body["errors"][0]["field"].as_str().unwrap().len() > 4,
            "{body}"
        );
    }
    let (status, contact, _) = send(
        &app,
        &ada,
        Method::POST,
        "/api/v1/contacts",
        &json!({"name": "Bob", "cadence_days": 30.0}),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(contact["cadence_days"], 30);
    let id = contact["id"].as_str().unwrap();
    let (status, rated, _) = send(
        &app,
        &ada,
        Method::PUT,
        &format!("/api/v1/contacts/{id}/comfort"),
        &json!({"rating": 4.0}),
    )
    .await;
    assert_eq!((status, &rated["comfort"]), (200, &json!(4)));
    let (status, _, _) = send(
        &app,
        &ada,
        Method::PUT,
        &format!("/api/v1/contacts/{id}/comfort"),
        &json!({"rating": 4.5}),
    )
    .await;
    assert_eq!(status, 422, "4.5 is not a whole number");

    // An invite's body is optional: none, or `null`; anything else is JSON.
    for (body, status) in [("", 201), (" null\n", 201), ("\u{c}", 400), ("{}", 201)] {
        let response = app
            .client()
            .post(app.url("/api/v1/admin/invites"))
            .bearer_auth(&ada.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "invite body {body:?}");
    }
    for path in [
        "/api/v1/contacts?cursor=",
        "/api/v1/nurture?cursor=&limit=5",
        "/api/v1/admin/users?cursor=",
    ] {
        let response = app
            .client()
            .get(app.url(path))
            .bearer_auth(&ada.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
    }

    let patch = |tag: &'static str| {
        app.client()
            .patch(app.url(&format!("/api/v1/contacts/{id}")))
            .bearer_auth(&ada.token)
            .header("if-match", tag)
            .json(&json!({"title": "Engineer"}))
            .send()
    };
    for malformed in ["", "3", "\"three\"", "W/", "\"1\", \"2\""] {
        let response = patch(malformed).await.unwrap();
        assert_eq!(response.status(), 400, "If-Match: {malformed}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["code"], "invalid_if_match");
    }
    assert_eq!(patch("\"999\"").await.unwrap().status(), 412);
    assert_eq!(patch("W/\"999\"").await.unwrap().status(), 412);
    assert_eq!(patch("*").await.unwrap().status(), 200);
}

rapport_tests::on_both_backends!(
    requests_are_read_as_the_document_describes_them,
    text_with_a_nul_character_is_refused_everywhere,
    mutated_bodies_get_clear_problems_and_change_nothing,
    many_concurrent_writers_all_succeed,
);
