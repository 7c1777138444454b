//! Teams, their members, roles and join codes, against the real server on
//! both backends.

use rapport_server::config::{RegistrationMode, TeamCreation};
use rapport_tests::{problem, Api, Backend, SignedIn, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

async fn app_with(backend: Backend, teams: TeamCreation) -> Option<TestApp> {
    TestApp::spawn_with(backend, |c| {
        c.registration = RegistrationMode::Open;
        c.teams = teams;
    })
    .await
}

fn api<'a>(app: &'a TestApp, who: &'a SignedIn) -> Api<'a> {
    Api { app, who }
}

/// The members of a team as `who` sees them, by display name.
async fn members(app: &TestApp, who: &SignedIn, team: &str) -> Vec<Value> {
    let page = api(app, who)
        .json(Method::GET, &format!("/teams/{team}/members"), None)
        .await;
    page["items"].as_array().unwrap().clone()
}

async fn add(
    app: &TestApp,
    by: &SignedIn,
    team: &str,
    email: &str,
    role: &str,
) -> reqwest::Response {
    api(app, by)
        .call(
            Method::POST,
            &format!("/teams/{team}/members"),
            Some(json!({"email": email, "role": role})),
            None,
        )
        .await
}

async fn set_role(
    app: &TestApp,
    by: &SignedIn,
    team: &str,
    user: &str,
    role: &str,
) -> reqwest::Response {
    api(app, by)
        .call(
            Method::PATCH,
            &format!("/teams/{team}/members/{user}"),
            Some(json!({"role": role})),
            None,
        )
        .await
}

async fn remove(app: &TestApp, by: &SignedIn, team: &str, user: &str) -> reqwest::Response {
    api(app, by)
        .call(
            Method::DELETE,
            &format!("/teams/{team}/members/{user}"),
            None,
            None,
        )
        .await
}

async fn who_may_create_teams_is_the_instances_setting(backend: Backend) {
    let Some(app) = app_with(backend, TeamCreation::Admins).await else {
        return;
    };
    let admin = app.new_user("root@example.com").await;
    let ada = app.new_user("ada@example.com").await;
    let refused = api(&app, &ada)
        .call(Method::POST, "/teams", Some(json!({"name": "Mine"})), None)
        .await;
    problem(refused, 403, "teams_admins_only").await;
    let team = api(&app, &admin)
        .create(
            "/teams",
            json!({"name": "  Northwind  ", "email_domains": ["NorthWind.example"]}),
        )
        .await;
    assert_eq!(team["name"], "Northwind");
    assert_eq!(team["my_role"], "owner");
    assert_eq!(team["member_count"], 1);
    assert_eq!(
        team["settings"]["email_domains"],
        json!(["northwind.example"])
    );
    assert_eq!(team["settings"]["request_expiry_days"], 14);
    // A read-only token never creates one.
    let token = api(&app, &admin)
        .create("/me/tokens", json!({"name": "read", "scope": "read"}))
        .await;
    let response = app
        .client()
        .post(app.url("/api/v1/teams"))
        .bearer_auth(token["secret"].as_str().unwrap())
        .json(&json!({"name": "Scripted"}))
        .send()
        .await
        .unwrap();
    problem(response, 403, "insufficient_scope").await;

    let Some(app) = app_with(backend, TeamCreation::Anyone).await else {
        return;
    };
    app.new_user("root@example.com").await;
    let ada = app.new_user("ada@example.com").await;
    let team = api(&app, &ada)
        .create("/teams", json!({"name": "Mine"}))
        .await;
    assert_eq!(team["my_role"], "owner");
    let bad = api(&app, &ada)
        .call(
            Method::POST,
            "/teams",
            Some(json!({"name": " ", "email_domains": ["not a domain"]})),
            None,
        )
        .await;
    let body = problem(bad, 422, "validation_failed").await;
    assert_eq!(
        rapport_tests::fields(&body),
        ["name", "email_domains[0]"],
        "{body}"
    );
}

async fn a_team_is_seen_and_changed_by_its_members_only_as_their_roles_allow(backend: Backend) {
    let Some(app) = app_with(backend, TeamCreation::Anyone).await else {
        return;
    };
    let owner = app.new_user("owen@example.com").await;
    let admin = app.new_user("ada@example.com").await;
    let member = app.new_user("mel@example.com").await;
    let guest = app.new_user("gus@example.com").await;
    let outsider = app.new_user("eve@example.com").await;
    let team = api(&app, &owner)
        .create("/teams", json!({"name": "Northwind"}))
        .await;
    let id = team["id"].as_str().unwrap().to_owned();

    assert_eq!(
        add(&app, &owner, &id, "ADA@example.com ", "admin")
            .await
            .status(),
        201
    );
    // An admin adds members and guests, but not admins.
    problem(
        add(&app, &admin, &id, "mel@example.com", "admin").await,
        403,
        "team_role_required",
    )
    .await;
    assert_eq!(
        add(&app, &admin, &id, "mel@example.com", "member")
            .await
            .status(),
        201
    );
    assert_eq!(
        add(&app, &admin, &id, "gus@example.com", "guest")
            .await
            .status(),
        201
    );
    problem(
        add(&app, &admin, &id, "mel@example.com", "member").await,
        409,
        "already_member",
    )
    .await;
    let nobody = problem(
        add(&app, &admin, &id, "nobody@example.com", "member").await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(rapport_tests::fields(&nobody), ["email"]);
    problem(
        add(&app, &member, &id, "eve@example.com", "guest").await,
        403,
        "team_role_required",
    )
    .await;

    // Members see each other; a guest sees names only; outsiders nothing.
    let seen = members(&app, &member, &id).await;
    assert_eq!(seen.len(), 4);
    assert_eq!(seen[0]["email"], "owen@example.com");
    assert_eq!(seen[0]["role"], "owner");
    assert_eq!(seen[1]["role"], "admin");
    for seen in members(&app, &guest, &id).await {
        assert!(seen["display_name"].is_string());
        for field in ["email", "role", "user_id", "joined_at"] {
            assert!(seen[field].is_null(), "a guest sees {field}: {seen}");
        }
    }
    // Pages of two: the cursor holds a count, nobody's id or joining time.
    let first = api(&app, &guest)
        .json(Method::GET, &format!("/teams/{id}/members?limit=2"), None)
        .await;
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let decoded =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, &cursor).unwrap();
    assert_eq!(String::from_utf8(decoded).unwrap(), r#"{"skip":2}"#);
    let second = api(&app, &guest)
        .json(
            Method::GET,
            &format!("/teams/{id}/members?limit=2&cursor={cursor}"),
            None,
        )
        .await;
    let names = |page: &Value| -> Vec<Value> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["display_name"].clone())
            .collect()
    };
    assert_eq!(names(&first), [json!("owen"), json!("ada")]);
    assert_eq!(names(&second), [json!("mel"), json!("gus")]);
    assert!(second["next_cursor"].is_null());
    let mine = api(&app, &guest).json(Method::GET, "/teams", None).await;
    assert_eq!(mine["items"][0]["my_role"], "guest");
    assert_eq!(mine["items"][0]["member_count"], 4);
    for path in [format!("/teams/{id}"), format!("/teams/{id}/members")] {
        let response = api(&app, &outsider)
            .call(Method::GET, &path, None, None)
            .await;
        problem(response, 404, "not_found").await;
    }
    let theirs = api(&app, &outsider).json(Method::GET, "/teams", None).await;
    assert_eq!(theirs["items"], json!([]));

    // Settings: owner and admins, with If-Match; not members.
    let response = api(&app, &member)
        .call(
            Method::PATCH,
            &format!("/teams/{id}"),
            Some(json!({"name": "Mine now"})),
            Some("*"),
        )
        .await;
    problem(response, 403, "team_role_required").await;
    let response = api(&app, &admin)
        .call(
            Method::PATCH,
            &format!("/teams/{id}"),
            Some(json!({"reach_requires_sharing": true, "max_open_requests": 3})),
            Some("\"1\""),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["etag"], "\"2\"");
    let patched: Value = response.json().await.unwrap();
    assert_eq!(patched["settings"]["reach_requires_sharing"], true);
    assert_eq!(patched["settings"]["max_open_requests"], 3);
    assert_eq!(patched["name"], "Northwind");
    let stale = api(&app, &owner)
        .call(
            Method::PATCH,
            &format!("/teams/{id}"),
            Some(json!({"name": "Old"})),
            Some("\"1\""),
        )
        .await;
    problem(stale, 412, "precondition_failed").await;
    let invalid = api(&app, &owner)
        .call(
            Method::PATCH,
            &format!("/teams/{id}"),
            Some(json!({"max_open_requests": 0})),
            Some("*"),
        )
        .await;
    problem(invalid, 422, "validation_failed").await;

    // Roles: admins move members and guests; the owner hands over.
    let ids: Vec<String> = members(&app, &owner, &id)
        .await
        .iter()
        .map(|m| m["user_id"].as_str().unwrap().to_owned())
        .collect();
    let (owner_id, admin_id, member_id, guest_id) = (&ids[0], &ids[1], &ids[2], &ids[3]);
    assert_eq!(
        set_role(&app, &admin, &id, guest_id, "member")
            .await
            .status(),
        200
    );
    problem(
        set_role(&app, &admin, &id, member_id, "admin").await,
        403,
        "team_role_required",
    )
    .await;
    problem(
        set_role(&app, &admin, &id, owner_id, "member").await,
        403,
        "team_role_required",
    )
    .await;
    problem(
        set_role(&app, &owner, &id, owner_id, "admin").await,
        409,
        "team_owner_required",
    )
    .await;
    problem(
        remove(&app, &owner, &id, owner_id).await,
        409,
        "team_owner_required",
    )
    .await;
    let handed = set_role(&app, &owner, &id, admin_id, "owner").await;
    assert_eq!(handed.status(), 200);
    let roles: Vec<Value> = members(&app, &member, &id)
        .await
        .iter()
        .map(|m| m["role"].clone())
        .collect();
    assert_eq!(
        roles,
        [
            json!("admin"),
            json!("owner"),
            json!("member"),
            json!("member")
        ]
    );
    let team_now = api(&app, &owner)
        .json(Method::GET, &format!("/teams/{id}"), None)
        .await;
    assert_eq!(team_now["my_role"], "admin");

    // Leaving, and being removed: the team is gone from their view.
    assert_eq!(remove(&app, &guest, &id, guest_id).await.status(), 204);
    let gone = api(&app, &guest)
        .call(Method::GET, &format!("/teams/{id}"), None, None)
        .await;
    problem(gone, 404, "not_found").await;
    problem(
        remove(&app, &member, &id, owner_id).await,
        403,
        "team_role_required",
    )
    .await;
    assert_eq!(remove(&app, &owner, &id, member_id).await.status(), 204);
    assert_eq!(members(&app, &admin, &id).await.len(), 2);

    // Deleting: the owner only.
    let refused = api(&app, &owner)
        .call(Method::DELETE, &format!("/teams/{id}"), None, Some("*"))
        .await;
    problem(refused, 403, "team_role_required").await;
    let deleted = api(&app, &admin)
        .call(Method::DELETE, &format!("/teams/{id}"), None, Some("\"2\""))
        .await;
    assert_eq!(deleted.status(), 204);
    let gone = api(&app, &owner)
        .call(Method::GET, &format!("/teams/{id}"), None, None)
        .await;
    problem(gone, 404, "not_found").await;
}

async fn join_codes_are_single_use_and_give_their_role(backend: Backend) {
    let Some(app) = app_with(backend, TeamCreation::Anyone).await else {
        return;
    };
    let owner = app.new_user("owen@example.com").await;
    let ada = app.new_user("ada@example.com").await;
    let bob = app.new_user("bob@example.com").await;
    let gus = app.new_user("gus@example.com").await;
    let team = api(&app, &owner)
        .create("/teams", json!({"name": "Chapter"}))
        .await;
    let id = team["id"].as_str().unwrap().to_owned();
    let codes = format!("/api/v1/teams/{id}/join-codes");

    // An empty body: a member code for 7 days.
    let response = app
        .client()
        .post(app.url(&codes))
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let code: Value = response.json().await.unwrap();
    assert_eq!(code["role"], "member");
    let days = (code["expires_at"]
        .as_str()
        .unwrap()
        .parse::<chrono::DateTime<chrono::Utc>>()
        .unwrap()
        - chrono::Utc::now())
    .num_hours();
    assert!((167..=168).contains(&days), "{days} hours");
    let secret = code["code"].as_str().unwrap().to_owned();

    let joined = api(&app, &ada)
        .json(
            Method::POST,
            "/teams/join",
            Some(json!({"code": format!(" {secret} ")})),
        )
        .await;
    assert_eq!(joined["id"], id.as_str());
    assert_eq!(joined["my_role"], "member");
    assert_eq!(joined["member_count"], 2);
    // Spent: nobody else joins with it.
    let again = api(&app, &bob)
        .call(
            Method::POST,
            "/teams/join",
            Some(json!({"code": secret})),
            None,
        )
        .await;
    problem(again, 404, "join_code_invalid").await;
    let unknown = api(&app, &bob)
        .call(
            Method::POST,
            "/teams/join",
            Some(json!({"code": "no-such-code"})),
            None,
        )
        .await;
    problem(unknown, 404, "join_code_invalid").await;

    // A member issues no codes; a guest code makes a guest.
    let refused = api(&app, &ada)
        .call(
            Method::POST,
            &format!("/teams/{id}/join-codes"),
            Some(json!({})),
            None,
        )
        .await;
    problem(refused, 403, "team_role_required").await;
    for (body, field) in [
        (json!({"role": "admin"}), "role"),
        (json!({"expires_in_days": 31}), "expires_in_days"),
    ] {
        let invalid = api(&app, &owner)
            .call(
                Method::POST,
                &format!("/teams/{id}/join-codes"),
                Some(body),
                None,
            )
            .await;
        let body = problem(invalid, 422, "validation_failed").await;
        assert_eq!(rapport_tests::fields(&body), [field]);
    }
    let guest_code = api(&app, &owner)
        .create(
            &format!("/teams/{id}/join-codes"),
            json!({"role": "guest", "expires_in_days": 1}),
        )
        .await;
    let guest_code = guest_code["code"].as_str().unwrap().to_owned();
    // Already in the team: refused, and the code stays good for someone else.
    let already = api(&app, &ada)
        .call(
            Method::POST,
            "/teams/join",
            Some(json!({"code": guest_code})),
            None,
        )
        .await;
    problem(already, 409, "already_member").await;
    let joined = api(&app, &gus)
        .json(
            Method::POST,
            "/teams/join",
            Some(json!({"code": guest_code})),
        )
        .await;
    assert_eq!(joined["my_role"], "guest");

    // Two people sending the same code at once: exactly one joins.
    let code = api(&app, &owner)
        .create(&format!("/teams/{id}/join-codes"), json!({}))
        .await;
    let code = code["code"].as_str().unwrap().to_owned();
    let carol = app.new_user("carol@example.com").await;
    let (as_bob, as_carol) = (api(&app, &bob), api(&app, &carol));
    let (first, second) = tokio::join!(
        as_bob.call(
            Method::POST,
            "/teams/join",
            Some(json!({"code": code})),
            None
        ),
        as_carol.call(
            Method::POST,
            "/teams/join",
            Some(json!({"code": code})),
            None
        ),
    );
    let mut statuses = [first.status().as_u16(), second.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 404]);
    assert_eq!(members(&app, &owner, &id).await.len(), 4);
}

rapport_tests::on_both_backends!(
    who_may_create_teams_is_the_instances_setting,
    a_team_is_seen_and_changed_by_its_members_only_as_their_roles_allow,
    join_codes_are_single_use_and_give_their_role,
);
