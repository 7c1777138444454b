//! Registration, sign-in, refresh and sign-out against the real server.

use rapport_server::config::{LoginLimits, RegistrationMode};
use rapport_tests::{fields, problem, Backend, TestApp, PASSWORD};
use serde_json::{json, Value};
use std::time::Duration;

async fn the_first_account_is_admin_and_invites_gate_the_rest(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let response = app.register("admin@example.com").await;
    assert_eq!(response.status(), 201);
    let admin: Value = response.json().await.unwrap();
    assert_eq!(admin["role"], "admin");
    assert!(admin.get("password_hash").is_none());

    let refused = app.register("bob@example.com").await;
    let body = problem(refused, 403, "invite_required").await;
    assert_eq!(fields(&body), ["invite_code"]);

    let admin = app.sign_in("admin@example.com").await;
    let invite: Value = app
        .client()
        .post(app.url("/api/v1/admin/invites"))
        .bearer_auth(&admin.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = invite["code"].as_str().unwrap();
    let register = |email: &'static str, code: String| {
        let client = app.client();
        let url = app.url("/api/v1/auth/register");
        async move {
            client
                .post(url)
                .json(&json!({"email": email, "password": PASSWORD, "display_name": "Bob", "invite_code": code}))
                .send()
                .await
                .unwrap()
        }
    };
    let bob = register("bob@example.com", code.to_owned()).await;
    assert_eq!(bob.status(), 201);
    assert_eq!(bob.json::<Value>().await.unwrap()["role"], "user");
    let reused = register("carol@example.com", code.to_owned()).await;
    problem(reused, 403, "invite_invalid").await;
    let made_up = register("carol@example.com", "not-a-code".to_owned()).await;
    problem(made_up, 403, "invite_invalid").await;
}

async fn closed_and_open_registration_behave_as_configured(backend: Backend) {
    let Some(closed) =
        TestApp::spawn_with(backend, |c| c.registration = RegistrationMode::Closed).await
    else {
        return;
    };
    assert_eq!(closed.register("first@example.com").await.status(), 201);
    problem(
        closed.register("second@example.com").await,
        403,
        "registration_closed",
    )
    .await;

    let Some(open) =
        TestApp::spawn_with(backend, |c| c.registration = RegistrationMode::Open).await
    else {
        return;
    };
    assert_eq!(open.register("first@example.com").await.status(), 201);
    assert_eq!(open.register("second@example.com").await.status(), 201);
    let again = open.register("Second@Example.com").await;
    let body = problem(again, 409, "email_taken").await;
    assert_eq!(fields(&body), ["email"]);
}

async fn bad_registrations_name_the_fields_and_write_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| c.registration = RegistrationMode::Open).await
    else {
        return;
    };
    let post = |body: String, content_type: &'static str| {
        let client = app.client();
        let url = app.url("/api/v1/auth/register");
        async move {
            client
                .post(url)
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    let body = problem(
        post(
            json!({"email": "nope", "password": "short", "display_name": ""}).to_string(),
            "application/json",
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&body), ["email", "password", "display_name"]);

    let body = problem(
        post(
            json!({"email": "a@example.com"}).to_string(),
            "application/json",
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&body), ["password"]);

    let body = problem(
        post(
            json!({"email": 5, "password": PASSWORD, "display_name": "A"}).to_string(),
            "application/json",
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&body), ["email"]);

    let body = problem(
        post(
            json!({"email": "a@example.com", "password": PASSWORD, "display_name": "A", "admin": true})
                .to_string(),
            "application/json",
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("admin"));

    problem(
        post("{\"email\": ".to_owned(), "application/json").await,
        400,
        "malformed_json",
    )
    .await;
    problem(
        post("email=a".to_owned(), "application/x-www-form-urlencoded").await,
        415,
        "unsupported_media_type",
    )
    .await;
    let huge =
        json!({"email": "a@example.com", "password": PASSWORD, "display_name": "x".repeat(70_000)});
    problem(
        post(huge.to_string(), "application/json").await,
        413,
        "payload_too_large",
    )
    .await;

    for common in ["password123", "qwertyuiop", "iloveyou1", "aaaaaaaa"] {
        let body = problem(
            post(
                json!({"email": "a@example.com", "password": common, "display_name": "A"})
                    .to_string(),
                "application/json",
            )
            .await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(fields(&body), ["password"], "{common} should be refused");
    }
    let too_long = "correct horse ".repeat(20);
    let body = problem(
        post(
            json!({"email": "a@example.com", "password": too_long, "display_name": "A"})
                .to_string(),
            "application/json",
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&body), ["password"]);
    // None of it created an account: the first valid registration is the admin.
    assert!(app
        .store
        .user_by_email("a@example.com")
        .await
        .unwrap()
        .is_none());
    let first: Value = app.register("a@example.com").await.json().await.unwrap();
    assert_eq!(first["role"], "admin");
}

async fn sign_in_sets_a_strict_http_only_refresh_cookie(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.register("ada@example.com").await;
    let response = app
        .login_with(&app.client(), "ADA@example.com ", PASSWORD)
        .await;
    assert_eq!(response.status(), 200);
    let cookie = response
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    for attribute in [
        "rapport_refresh=",
        "HttpOnly",
        "SameSite=Strict",
        "Secure",
        "Path=/api/v1/auth",
    ] {
        assert!(
            cookie.contains(attribute),
            "{attribute} missing from {cookie}"
        );
    }
    // Beside it, a readable hint without a secret, so that the app asks for
    // a refresh only when there is a session to restore.
    let cookies = |response: &reqwest::Response| -> Vec<String> {
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    };
    let hint = cookies(&response)
        .into_iter()
        .find(|c| c.starts_with("rapport_session="))
        .expect("the session hint");
    assert!(hint.starts_with("rapport_session=1;"), "{hint}");
    assert!(
        hint.contains("Path=/;") || hint.ends_with("Path=/"),
        "{hint}"
    );
    assert!(
        !hint.contains("HttpOnly") && hint.contains("SameSite=Strict"),
        "{hint}"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["expires_in"].as_u64().unwrap() <= 900);
    assert_eq!(body["user"]["email"], "ada@example.com");
    let me = app
        .client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(body["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    // Signing out clears both.
    let out = app
        .client()
        .post(app.url("/api/v1/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    let cleared = cookies(&out);
    for name in ["rapport_refresh=;", "rapport_session=;"] {
        assert!(
            cleared
                .iter()
                .any(|c| c.starts_with(name) && c.contains("Max-Age=0")),
            "{name} {cleared:?}"
        );
    }
}

async fn unknown_email_and_wrong_password_get_the_same_answer(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.register("ada@example.com").await;
    let wrong = app
        .login_with(&app.client(), "ada@example.com", "not the password")
        .await;
    let unknown = app
        .login_with(&app.client(), "nobody@example.com", PASSWORD)
        .await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    let (wrong, unknown) = (wrong.text().await.unwrap(), unknown.text().await.unwrap());
    assert_eq!(wrong, unknown);
    assert!(wrong.contains("invalid_credentials"));
}

fn tight_limits(c: &mut rapport_server::Config) {
    c.login_limits = LoginLimits {
        per_account_burst: 3,
        per_account_interval: Duration::from_secs(60),
        per_address_burst: 8,
        per_address_interval: Duration::from_secs(60),
    };
    c.registration = RegistrationMode::Open;
}

async fn sign_in_is_throttled_per_account_without_locking_out_others(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, tight_limits).await else {
        return;
    };
    app.register("ada@example.com").await;
    app.register("grace@example.com").await;
    for _ in 0..3 {
        let attempt = app
            .login_with(&app.client(), "ada@example.com", "wrong guess")
            .await;
        assert_eq!(attempt.status(), 401);
    }
    let throttled = app
        .login_with(&app.client(), "ada@example.com", PASSWORD)
        .await;
    let retry_after: u64 = throttled.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after));
    problem(throttled, 429, "rate_limited").await;
    let other = app
        .login_with(&app.client(), "grace@example.com", PASSWORD)
        .await;
    assert_eq!(other.status(), 200, "another account is not locked out");
}

async fn sign_in_is_throttled_per_client_address(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, tight_limits).await else {
        return;
    };
    for n in 0..8 {
        let attempt = app
            .login_with(
                &app.client(),
                &format!("guess{n}@example.com"),
                "wrong guess",
            )
            .await;
        assert_eq!(attempt.status(), 401);
    }
    let throttled = app
        .login_with(&app.client(), "guess9@example.com", "wrong guess")
        .await;
    assert!(throttled.headers().contains_key("retry-after"));
    problem(throttled, 429, "rate_limited").await;
}

async fn a_saturated_hasher_answers_503_with_retry_after(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| {
        c.hash_parallelism = 1;
        c.hash_queue = 1;
    })
    .await
    else {
        return;
    };
    app.register("ada@example.com").await;
    let held = app.state.hasher.try_reserve().expect("the only slot");
    let busy = app
        .login_with(&app.client(), "ada@example.com", PASSWORD)
        .await;
    assert_eq!(busy.headers()["retry-after"], "1");
    problem(busy, 503, "busy").await;
    // Other requests are not stalled meanwhile.
    let health = app.client().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    drop(held);
    let ok = app
        .login_with(&app.client(), "ada@example.com", PASSWORD)
        .await;
    assert_eq!(ok.status(), 200);
}

async fn weaker_password_hashes_are_upgraded_at_sign_in(backend: Backend) {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let weak = argon2::Argon2::new(
        argon2::Algorithm::Argon2i,
        argon2::Version::V0x13,
        argon2::Params::new(1024, 1, 1, None).unwrap(),
    )
    .hash_password(PASSWORD.as_bytes(), &SaltString::generate(&mut OsRng))
    .unwrap()
    .to_string();
    let user = app
        .store
        .create_user_with_role(
            rapport_storage::NewUser {
                email: "old@example.com".into(),
                display_name: "Old".into(),
                password_hash: weak.clone(),
            },
            rapport_core::account::Role::User,
        )
        .await
        .unwrap();
    let response = app
        .login_with(&app.client(), "old@example.com", PASSWORD)
        .await;
    assert_eq!(response.status(), 200);
    let stored = app
        .store
        .user_by_id(user.id)
        .await
        .unwrap()
        .unwrap()
        .password_hash;
    assert_ne!(stored, weak);
    assert!(
        stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{stored}"
    );
    assert_eq!(
        app.login_with(&app.client(), "old@example.com", PASSWORD)
            .await
            .status(),
        200
    );
}

async fn refresh(browser: &reqwest::Client, app: &TestApp) -> reqwest::Response {
    browser
        .post(app.url("/api/v1/auth/refresh"))
        .send()
        .await
        .unwrap()
}

fn refresh_cookie(response: &reqwest::Response) -> String {
    let header = response.headers()["set-cookie"].to_str().unwrap();
    header.split(';').next().unwrap().to_owned()
}

async fn refresh_rotates_and_a_replayed_token_ends_the_session(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.register("ada@example.com").await;
    // A plain client, so that the test controls which cookie is sent.
    let client = app.client();
    let login = app.login_with(&client, "ada@example.com", PASSWORD).await;
    let first_cookie = refresh_cookie(&login);
    let send = |cookie: String| {
        let client = client.clone();
        let url = app.url("/api/v1/auth/refresh");
        async move {
            client
                .post(url)
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
        }
    };
    let rotated = send(first_cookie.clone()).await;
    assert_eq!(rotated.status(), 200);
    let second_cookie = refresh_cookie(&rotated);
    assert_ne!(second_cookie, first_cookie);
    let body: Value = rotated.json().await.unwrap();
    let access = body["access_token"].as_str().unwrap().to_owned();
    let me = app
        .client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);

    let replay = send(first_cookie).await;
    assert!(replay.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    problem(replay, 401, "refresh_token_reused").await;
    problem(send(second_cookie).await, 401, "unauthorized").await;
    let me = app
        .client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    problem(me, 401, "unauthorized").await;
    problem(refresh(&app.client(), &app).await, 401, "unauthorized").await;
}

async fn sign_out_ends_the_session(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.register("ada@example.com").await;
    let ada = app.sign_in("ada@example.com").await;
    assert_eq!(refresh(&ada.browser, &app).await.status(), 200);
    let ada = app.sign_in("ada@example.com").await;
    let logout = ada
        .browser
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&ada.token)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    problem(refresh(&ada.browser, &app).await, 401, "unauthorized").await;
    let me = app
        .client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&ada.token)
        .send()
        .await
        .unwrap();
    problem(me, 401, "unauthorized").await;
}

async fn cookie_calls_refuse_cross_site_requests(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.register("ada@example.com").await;
    let ada = app.sign_in("ada@example.com").await;
    for (header, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        for path in ["/api/v1/auth/refresh", "/api/v1/auth/logout"] {
            let response = ada
                .browser
                .post(app.url(path))
                .header(header, value)
                .send()
                .await
                .unwrap();
            problem(response, 403, "cross_site_request").await;
        }
    }
    let same_origin = ada
        .browser
        .post(app.url("/api/v1/auth/refresh"))
        .header("origin", app.address.clone())
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(
        same_origin.status(),
        200,
        "the session survived the refused attempts"
    );
}

rapport_tests::on_both_backends!(
    the_first_account_is_admin_and_invites_gate_the_rest,
    closed_and_open_registration_behave_as_configured,
    bad_registrations_name_the_fields_and_write_nothing,
    sign_in_sets_a_strict_http_only_refresh_cookie,
    unknown_email_and_wrong_password_get_the_same_answer,
    sign_in_is_throttled_per_account_without_locking_out_others,
    sign_in_is_throttled_per_client_address,
    a_saturated_hasher_answers_503_with_retry_after,
    weaker_password_hashes_are_upgraded_at_sign_in,
    refresh_rotates_and_a_replayed_token_ends_the_session,
    sign_out_ends_the_session,
    cookie_calls_refuse_cross_site_requests,
);
