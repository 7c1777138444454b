//! HTTP conventions: security headers, problem documents for unknown
//! routes, health endpoints, the app fallback and the OpenAPI document.

use rapport_server::routes::{API_ROUTES, OUTSIDE_API_ROUTES};
use rapport_tests::{problem, Backend, TestApp};
use serde_json::Value;

const CSP_MUSTS: [&str; 5] = [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
];

fn assert_hardened(response: &reqwest::Response, what: &str) {
    let headers = response.headers();
    let csp = headers["content-security-policy"].to_str().unwrap();
    for must in CSP_MUSTS {
        assert!(csp.contains(must), "{what}: CSP lacks {must}: {csp}");
    }
    assert_eq!(headers["x-content-type-options"], "nosniff", "{what}");
    assert!(headers.contains_key("referrer-policy"), "{what}");
    assert!(headers.contains_key("x-request-id"), "{what}");
}

async fn every_response_carries_the_security_headers(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let client = app.client();
    for path in [
        "/",
        "/healthz",
        "/api/v1/openapi.json",
        "/api/v1/me",
        "/api/nothing",
        "/network/list",
    ] {
        let response = client.get(app.url(path)).send().await.unwrap();
        assert_hardened(&response, path);
        if path.starts_with("/api") {
            assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
        }
    }
}

async fn unknown_api_paths_are_problems_and_app_paths_are_the_app(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let client = app.client();
    for path in ["/api/v1/nothing-here", "/api/v2/me", "/api"] {
        let response = client.get(app.url(path)).send().await.unwrap();
        problem(response, 404, "route_not_found").await;
    }
    let wrong_method = client.delete(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(wrong_method.headers()["allow"], "GET, PATCH");
    problem(wrong_method, 405, "method_not_allowed").await;
    // A fixed path that a template also matches is its own route only.
    let fixed = client
        .patch(app.url("/api/v1/contacts/duplicates"))
        .send()
        .await
        .unwrap();
    assert_eq!(fixed.headers()["allow"], "GET");
    problem(fixed, 405, "method_not_allowed").await;
    // Deep links into the app get the app's page (or, in a build without
    // the app, a page that says so); never a JSON problem.
    let deep_link = client.get(app.url("/contacts/123")).send().await.unwrap();
    let content_type = deep_link.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(deep_link.text().await.unwrap().contains("Rapport"));
    let missing_asset = client
        .get(app.url("/missing-file.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing_asset.status(), 404);
}

async fn health_and_readiness_answer(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let client = app.client();
    let health: Value = client
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    let ready = client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
}

async fn the_instance_tells_the_sign_in_page_how_to_register(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let info: Value = app
        .client()
        .get(app.url("/api/v1/instance"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["registration"], "invite");
    assert_eq!(info["first_account"], true);
    app.register("admin@example.com").await;
    let info: Value = app
        .client()
        .get(app.url("/api/v1/instance"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["first_account"], false);
}

rapport_tests::on_both_backends!(
    every_response_carries_the_security_headers,
    unknown_api_paths_are_problems_and_app_paths_are_the_app,
    health_and_readiness_answer,
    the_instance_tells_the_sign_in_page_how_to_register,
);

async fn openapi_document() -> Value {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let response = app
        .client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn every_registered_route_is_in_the_openapi_document_and_back() {
    let doc = openapi_document().await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    let mut documented = Vec::new();
    for (path, item) in paths {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                documented.push((method.to_owned(), path.clone()));
            }
        }
    }
    let mut registered: Vec<(String, String)> = API_ROUTES
        .iter()
        .map(|(method, path)| (method.to_string(), format!("/api/v1{path}")))
        .chain(
            OUTSIDE_API_ROUTES
                .iter()
                .map(|(method, path)| (method.to_string(), path.to_string())),
        )
        .collect();
    documented.sort();
    registered.sort();
    assert_eq!(registered, documented);
}

#[tokio::test]
async fn every_operation_documents_its_responses_and_request_bodies() {
    let doc = openapi_document().await;
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            assert!(!responses.is_empty(), "{method} {path} has no responses");
            let success = responses
                .iter()
                .find(|(status, _)| status.starts_with('2'))
                .unwrap_or_else(|| panic!("{method} {path} has no success response"));
            if success.0 != "204" {
                assert!(
                    success.1.get("content").is_some(),
                    "{method} {path}: no schema for {}",
                    success.0
                );
            }
            if matches!(method.as_str(), "patch" | "put") {
                assert!(
                    operation.get("requestBody").is_some(),
                    "{method} {path} has no request body"
                );
            }
        }
    }
    for (method, path) in [
        ("post", "/api/v1/auth/register"),
        ("post", "/api/v1/auth/login"),
        ("post", "/api/v1/me/tokens"),
    ] {
        assert!(
            doc["paths"][path][method]["requestBody"].is_object(),
            "{method} {path}"
        );
    }
    let protected = &doc["paths"]["/api/v1/me"]["get"]["security"];
    assert!(protected.to_string().contains("bearer"));
}
