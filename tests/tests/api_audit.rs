//! A team's audit log, against the real server on both backends: each
//! member reads what happened to what they share; the owner and admins
//! also read what happened to the team; nobody reads another's entries.

use rapport_tests::{problem, Api, Backend, SignedIn, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

fn api<'a>(app: &'a TestApp, who: &'a SignedIn) -> Api<'a> {
    Api { app, who }
}

async fn log(app: &TestApp, who: &SignedIn, team: &str) -> Vec<Value> {
    let page = api(app, who)
        .json(Method::GET, &format!("/teams/{team}/audit?limit=200"), None)
        .await;
    page["items"].as_array().unwrap().clone()
}

fn kinds(entries: &[Value]) -> Vec<&str> {
    entries
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect()
}

async fn each_member_reads_what_happened_to_what_they_share(backend: Backend) {
    let Some(app) = rapport_tests::team_app(backend).await else {
        return;
    };
    let owner = app.new_user("olivia@example.com").await;
    let ada = app.new_user("ada@example.com").await;
    let ben = app.new_user("ben@example.com").await;
    let carl = app.new_user("carl@example.com").await;
    let eve = app.new_user("eve@example.com").await;
    let members = [
        ("ada@example.com", "member"),
        ("ben@example.com", "member"),
        ("carl@example.com", "admin"),
    ];
    let team = app
        .team_of(&owner, json!({"name": "Northwind"}), &members)
        .await;
    let zoe = api(&app, &ada)
        .create("/contacts", json!({"name": "Zoë Åberg", "company": "Acme"}))
        .await;
    let zoe_id = zoe["id"].as_str().unwrap().to_owned();
    api(&app, &ada)
        .json(
            Method::PUT,
            &format!("/teams/{team}/sharing"),
            Some(json!({"rules": [{"tag": "alumni", "level": "profile"}]})),
        )
        .await;
    api(&app, &ada)
        .json(
            Method::PUT,
            &format!("/teams/{team}/sharing/contacts/{zoe_id}"),
            Some(json!({"level": "profile"})),
        )
        .await;
    let found = api(&app, &ben)
        .json(Method::GET, &format!("/teams/{team}/reach?q=zoe"), None)
        .await;
    // A search that finds nothing of Ada's leaves nothing in her log.
    api(&app, &ben)
        .json(Method::GET, &format!("/teams/{team}/reach?q=nobody"), None)
        .await;
    api(&app, &ben)
        .create(
            &format!("/teams/{team}/intro-requests"),
            json!({"result": found["items"][0]["result"], "reason": "Hiring"}),
        )
        .await;

    let adas = log(&app, &ada, &team).await;
    assert_eq!(
        kinds(&adas),
        [
            "request_received",
            "search_matched",
            "contact_share_changed",
            "sharing_changed"
        ]
    );
    let search = &adas[1];
    assert_eq!(search["actor"]["display_name"], "ben");
    assert_eq!(
        search["contacts"],
        json!([{"id": zoe_id, "name": "Zoë Åberg"}])
    );
    assert!(
        !search["detail"].as_str().unwrap().contains("zoe"),
        "never what they typed"
    );
    assert_eq!(search["team_wide"], false);
    assert_eq!(adas[0]["contacts"][0]["id"], zoe_id.as_str());
    // Ben's own log holds none of Ada's entries; nor do the managers'.
    assert!(log(&app, &ben, &team).await.is_empty());
    for manager in [&owner, &carl] {
        let entries = log(&app, manager, &team).await;
        assert_eq!(
            kinds(&entries),
            ["member_added", "member_added", "member_added"],
            "{entries:#?}"
        );
        assert!(entries
            .iter()
            .all(|e| e["team_wide"] == true && e["contacts"] == json!([])));
        assert_eq!(entries[2]["detail"], "olivia added ada as member");
    }

    // Role changes, settings and leaving, for the managers.
    let ben_id = ben.id();
    api(&app, &carl)
        .json(
            Method::PATCH,
            &format!("/teams/{team}/members/{ben_id}"),
            Some(json!({"role": "guest"})),
        )
        .await;
    let patched = api(&app, &carl)
        .call(
            Method::PATCH,
            &format!("/teams/{team}"),
            Some(json!({"max_open_requests": 3})),
            Some("*"),
        )
        .await;
    assert_eq!(patched.status(), 200);
    let left = api(&app, &ada)
        .call(
            Method::DELETE,
            &format!("/teams/{team}/members/{}", ada.id()),
            None,
            None,
        )
        .await;
    assert_eq!(left.status(), 204);
    let entries = log(&app, &owner, &team).await;
    let lines: Vec<&str> = entries
        .iter()
        .take(3)
        .map(|e| e["detail"].as_str().unwrap())
        .collect();
    assert_eq!(
        lines,
        [
            "ada left",
            "carl changed the team's name or settings",
            "carl made ben guest"
        ]
    );
    // Paging, newest first.
    let first = api(&app, &owner)
        .json(Method::GET, &format!("/teams/{team}/audit?limit=2"), None)
        .await;
    let cursor = first["next_cursor"].as_str().unwrap();
    let next = api(&app, &owner)
        .json(
            Method::GET,
            &format!("/teams/{team}/audit?limit=2&cursor={cursor}"),
            None,
        )
        .await;
    assert_eq!(next["items"][0]["id"], entries[2]["id"]);
    let outside = api(&app, &eve)
        .call(Method::GET, &format!("/teams/{team}/audit"), None, None)
        .await;
    problem(outside, 404, "not_found").await;
}

rapport_tests::on_both_backends!(each_member_reads_what_happened_to_what_they_share);
