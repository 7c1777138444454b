//! The signed-in person's account, personal access tokens, administration
//! and access-token checks, against the real server.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{encode, EncodingKey, Header};
use rapport_tests::{
    claims_of, fields, open_app, problem, Backend, SignedIn, TestApp, PASSWORD, TEST_SECRET,
};
use serde_json::{json, Value};

async fn get(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    app.client()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app
        .client()
        .request(method, app.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

async fn set_disabled(app: &TestApp, id: &str, token: &str, disabled: bool) -> reqwest::Response {
    let path = format!("/api/v1/admin/users/{id}");
    send(
        app,
        reqwest::Method::PATCH,
        &path,
        token,
        Some(json!({"disabled": disabled})),
    )
    .await
}

fn forge(claims: Value, key: &[u8]) -> String {
    encode(
        &Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(key),
    )
    .unwrap()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

async fn forged_and_misused_access_tokens_are_refused(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    assert_eq!(get(&app, "/api/v1/me", &ada.token).await.status(), 200);
    let genuine = claims_of(&ada.token);
    assert_eq!(genuine["use"], "access");
    assert!(genuine["exp"].as_u64().unwrap() - genuine["iat"].as_u64().unwrap() <= 900);

    let mut cases: Vec<(&str, String)> = Vec::new();
    let header_none = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(genuine.to_string());
    cases.push(("alg none", format!("{header_none}.{payload}.")));
    cases.push((
        "wrong key",
        forge(genuine.clone(), b"another-secret-another-secret-another!!"),
    ));
    let mut expired = genuine.clone();
    expired["iat"] = json!(now() - 3600);
    expired["exp"] = json!(now() - 1800);
    cases.push(("expired", forge(expired, TEST_SECRET)));
    let mut string_exp = genuine.clone();
    string_exp["exp"] = json!((now() - 1800).to_string());
    cases.push(("string exp", forge(string_exp, TEST_SECRET)));
    let mut audience = genuine.clone();
    audience["aud"] = json!("someone-else");
    cases.push(("wrong audience", forge(audience, TEST_SECRET)));
    let mut issuer = genuine.clone();
    issuer["iss"] = json!("https://elsewhere.example");
    cases.push(("wrong issuer", forge(issuer, TEST_SECRET)));
    let mut refresh = genuine.clone();
    refresh["use"] = json!("refresh");
    cases.push(("refresh token as access", forge(refresh, TEST_SECRET)));
    let mut no_exp = genuine.clone();
    no_exp.as_object_mut().unwrap().remove("exp");
    cases.push(("no exp", forge(no_exp, TEST_SECRET)));
    let mut future = genuine.clone();
    future["iat"] = json!(now() + 3600);
    future["exp"] = json!(now() + 4000);
    cases.push(("issued in the future", forge(future, TEST_SECRET)));
    let mut other_user = genuine.clone();
    other_user["sub"] = json!(uuid::Uuid::new_v4());
    cases.push((
        "another user in the session",
        forge(other_user, TEST_SECRET),
    ));
    cases.push(("garbage", "not.a.token".to_owned()));

    for (case, token) in cases {
        let response = get(&app, "/api/v1/me", &token).await;
        assert_eq!(response.status(), 401, "{case}");
        assert!(
            response.headers().contains_key("www-authenticate"),
            "{case}"
        );
    }
    let missing = app
        .client()
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap();
    problem(missing, 401, "unauthorized").await;
    // The genuine token is still fine.
    assert_eq!(get(&app, "/api/v1/me", &ada.token).await.status(), 200);
}

async fn profile_updates_are_validated_and_emails_stay_unique(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    app.new_user("grace@example.com").await;
    let patch = |body: Value| {
        send(
            &app,
            reqwest::Method::PATCH,
            "/api/v1/me",
            &ada.token,
            Some(body),
        )
    };
    let updated: Value = patch(json!({"display_name": "Ada Lovelace"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(updated["display_name"], "Ada Lovelace");
    assert_eq!(updated["email"], "ada@example.com");
    let body = problem(
        patch(json!({"email": "GRACE@example.com"})).await,
        409,
        "email_taken",
    )
    .await;
    assert_eq!(fields(&body), ["email"]);
    let body = problem(
        patch(json!({"email": "not-an-email", "display_name": ""})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&body), ["display_name", "email"]);
    let me: Value = get(&app, "/api/v1/me", &ada.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["display_name"], "Ada Lovelace");
}

async fn a_password_change_signs_out_the_other_sessions(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let laptop = app.new_user("ada@example.com").await;
    let phone = app.sign_in("ada@example.com").await;
    let change = |current: &str, new: &str| {
        send(
            &app,
            reqwest::Method::POST,
            "/api/v1/me/password",
            &laptop.token,
            Some(json!({"current_password": current, "new_password": new})),
        )
    };
    let body = problem(
        change("wrong", "a brand new passphrase").await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&body), ["current_password"]);
    let body = problem(
        change(PASSWORD, "password1").await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&body), ["new_password"]);
    assert_eq!(
        change(PASSWORD, "a brand new passphrase").await.status(),
        204
    );
    assert_eq!(get(&app, "/api/v1/me", &laptop.token).await.status(), 200);
    assert_eq!(get(&app, "/api/v1/me", &phone.token).await.status(), 401);
    let refreshed = phone
        .browser
        .post(app.url("/api/v1/auth/refresh"))
        .send()
        .await
        .unwrap();
    assert_eq!(refreshed.status(), 401);
    assert_eq!(
        app.login_with(&app.client(), "ada@example.com", PASSWORD)
            .await
            .status(),
        401
    );
    let new = app
        .login_with(&app.client(), "ada@example.com", "a brand new passphrase")
        .await;
    assert_eq!(new.status(), 200);
}

async fn sessions_are_listed_and_revoked_by_their_owner_only(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let laptop = app.new_user("ada@example.com").await;
    let phone = app.sign_in("ada@example.com").await;
    let eve = app.new_user("eve@example.com").await;
    let sessions: Value = get(&app, "/api/v1/me/sessions", &laptop.token)
        .await
        .json()
        .await
        .unwrap();
    let items = sessions["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items.iter().filter(|s| s["current"] == true).count(), 1);
    let phone_session = claims_of(&phone.token)["sid"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/me/sessions/{phone_session}");
    let by_eve = send(&app, reqwest::Method::DELETE, &path, &eve.token, None).await;
    problem(by_eve, 404, "not_found").await;
    assert_eq!(get(&app, "/api/v1/me", &phone.token).await.status(), 200);
    let by_ada = send(&app, reqwest::Method::DELETE, &path, &laptop.token, None).await;
    assert_eq!(by_ada.status(), 204);
    assert_eq!(get(&app, "/api/v1/me", &phone.token).await.status(), 401);
    let garbage = send(
        &app,
        reqwest::Method::DELETE,
        "/api/v1/me/sessions/xyz",
        &laptop.token,
        None,
    )
    .await;
    problem(garbage, 404, "not_found").await;
}

async fn create_token(app: &TestApp, owner: &SignedIn, scope: &str) -> Value {
    let response = send(
        app,
        reqwest::Method::POST,
        "/api/v1/me/tokens",
        &owner.token,
        Some(json!({"name": format!("{scope} script"), "scope": scope, "expires_in_days": 30})),
    )
    .await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

async fn personal_access_tokens_work_within_their_scope(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let eve = app.new_user("eve@example.com").await;
    let read = create_token(&app, &ada, "read").await;
    let read_secret = read["secret"].as_str().unwrap();
    assert!(read_secret.starts_with("rpt_"));
    assert!(read_secret.starts_with(read["prefix"].as_str().unwrap()));
    let write = create_token(&app, &ada, "write").await;
    let write_secret = write["secret"].as_str().unwrap();

    let me: Value = get(&app, "/api/v1/me", read_secret)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "ada@example.com");
    let denied = send(
        &app,
        reqwest::Method::PATCH,
        "/api/v1/me",
        read_secret,
        Some(json!({"display_name": "X"})),
    )
    .await;
    problem(denied, 403, "insufficient_scope").await;
    let allowed = send(
        &app,
        reqwest::Method::PATCH,
        "/api/v1/me",
        write_secret,
        Some(json!({"display_name": "Ada L."})),
    )
    .await;
    assert_eq!(allowed.status(), 200);
    // Account security is for browser sessions only.
    let escalate = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/me/tokens",
        write_secret,
        Some(json!({"name": "x", "scope": "write"})),
    )
    .await;
    problem(escalate, 403, "session_required").await;

    let listed: Value = get(&app, "/api/v1/me/tokens", &ada.token)
        .await
        .json()
        .await
        .unwrap();
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let listed_text = listed.to_string();
    assert!(!listed_text.contains(read_secret) && !listed_text.contains(write_secret));
    assert!(items.iter().all(|t| t.get("secret").is_none()));
    assert!(items
        .iter()
        .any(|t| t["id"] == read["id"] && !t["last_used_at"].is_null()));
    let eve_list: Value = get(&app, "/api/v1/me/tokens", &eve.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(eve_list["items"].as_array().unwrap().len(), 0);

    let path = format!("/api/v1/me/tokens/{}", read["id"].as_str().unwrap());
    problem(
        send(&app, reqwest::Method::DELETE, &path, &eve.token, None).await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(get(&app, "/api/v1/me", read_secret).await.status(), 200);
    assert_eq!(
        send(&app, reqwest::Method::DELETE, &path, &ada.token, None)
            .await
            .status(),
        204
    );
    problem(
        get(&app, "/api/v1/me", read_secret).await,
        401,
        "unauthorized",
    )
    .await;
    problem(
        get(&app, "/api/v1/me", "rpt_made_up").await,
        401,
        "unauthorized",
    )
    .await;

    let bad = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/me/tokens",
        &ada.token,
        Some(json!({"name": "", "scope": "admin", "expires_in_days": 0})),
    )
    .await;
    let body = problem(bad, 422, "validation_failed").await;
    assert_eq!(fields(&body), ["scope"]);
    let bad = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/me/tokens",
        &ada.token,
        Some(json!({"name": "", "scope": "read", "expires_in_days": 0})),
    )
    .await;
    let body = problem(bad, 422, "validation_failed").await;
    assert_eq!(fields(&body), ["name", "expires_in_days"]);
}

async fn admins_manage_accounts_and_disabling_is_immediate(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let admin = app.new_user("admin@example.com").await;
    let bob = app.new_user("bob@example.com").await;
    let bob_token = create_token(&app, &bob, "read").await["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    app.new_user("carol@example.com").await;

    problem(
        get(&app, "/api/v1/admin/users", &bob.token).await,
        403,
        "admin_only",
    )
    .await;
    problem(
        get(&app, "/api/v1/admin/invites", &bob.token).await,
        403,
        "admin_only",
    )
    .await;

    let first = get(&app, "/api/v1/admin/users?limit=2", &admin.token).await;
    let link = first.headers()["link"].to_str().unwrap().to_owned();
    assert!(link.contains("rel=\"next\""), "{link}");
    let page: Value = first.json().await.unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest: Value = get(
        &app,
        &format!("/api/v1/admin/users?limit=2&cursor={cursor}"),
        &admin.token,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert!(rest["next_cursor"].is_null());
    let body = problem(
        get(&app, "/api/v1/admin/users?limit=500", &admin.token).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&body), ["limit"]);
    let body = problem(
        get(&app, "/api/v1/admin/users?cursor=bogus", &admin.token).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&body), ["cursor"]);

    problem(
        set_disabled(&app, &admin.id(), &admin.token, true).await,
        409,
        "cannot_disable_self",
    )
    .await;
    problem(
        set_disabled(&app, &uuid::Uuid::new_v4().to_string(), &admin.token, true).await,
        404,
        "not_found",
    )
    .await;
    let disabled: Value = set_disabled(&app, &bob.id(), &admin.token, true)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(disabled["disabled"], true);
    assert_eq!(get(&app, "/api/v1/me", &bob.token).await.status(), 401);
    assert_eq!(get(&app, "/api/v1/me", &bob_token).await.status(), 401);
    let refreshed = bob
        .browser
        .post(app.url("/api/v1/auth/refresh"))
        .send()
        .await
        .unwrap();
    assert_eq!(refreshed.status(), 401);
    assert_eq!(
        app.login_with(&app.client(), "bob@example.com", PASSWORD)
            .await
            .status(),
        401
    );
    let enabled: Value = set_disabled(&app, &bob.id(), &admin.token, false)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(enabled["disabled"], false);
    assert_eq!(
        app.login_with(&app.client(), "bob@example.com", PASSWORD)
            .await
            .status(),
        200
    );

    let invite = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/admin/invites",
        &admin.token,
        Some(json!({"expires_in_days": 3})),
    )
    .await;
    assert_eq!(invite.status(), 201);
    let invite: Value = invite.json().await.unwrap();
    let listed: Value = get(&app, "/api/v1/admin/invites", &admin.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert!(!listed
        .to_string()
        .contains(invite["code"].as_str().unwrap()));
    let bad = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/admin/invites",
        &admin.token,
        Some(json!({"expires_in_days": 365})),
    )
    .await;
    assert_eq!(
        fields(&problem(bad, 422, "validation_failed").await),
        ["expires_in_days"]
    );
}

rapport_tests::on_both_backends!(
    forged_and_misused_access_tokens_are_refused,
    profile_updates_are_validated_and_emails_stay_unique,
    a_password_change_signs_out_the_other_sessions,
    sessions_are_listed_and_revoked_by_their_owner_only,
    personal_access_tokens_work_within_their_scope,
    admins_manage_accounts_and_disabling_is_immediate,
);
