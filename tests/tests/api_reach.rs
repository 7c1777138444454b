//! Sharing with a team and team reach, against the real server on both
//! backends: private by default, each level shows what it allows and no
//! more, and every change shows in the next search.

use rapport_tests::{problem, Api, Backend, SignedIn, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

fn api<'a>(app: &'a TestApp, who: &'a SignedIn) -> Api<'a> {
    Api { app, who }
}

/// The results of a reach search.
async fn reach(app: &TestApp, who: &SignedIn, team: &str, query: &str) -> Vec<Value> {
    let answer = api(app, who)
        .json(Method::GET, &format!("/teams/{team}/reach?{query}"), None)
        .await;
    let text = answer.to_string();
    // Never anything but what the levels allow.
    for secret in [
        "@acme.example",
        "secret-notes",
        "555-0100",
        "comfort",
        "familiarity",
    ] {
        assert!(!text.contains(secret), "reach shows {secret}: {text}");
    }
    answer["items"].as_array().unwrap().clone()
}

fn names(results: &[Value]) -> Vec<String> {
    results
        .iter()
        .map(|r| match r["kind"].as_str().unwrap() {
            "profile" => r["person"]["name"].as_str().unwrap().to_owned(),
            _ => format!("signal×{}", r["teammates"]),
        })
        .collect()
}

async fn share(app: &TestApp, who: &SignedIn, team: &str, contact: &Value, level: Value) -> Value {
    api(app, who)
        .json(
            Method::PUT,
            &format!(
                "/teams/{team}/sharing/contacts/{}",
                contact["id"].as_str().unwrap()
            ),
            Some(json!({ "level": level })),
        )
        .await
}

async fn contact(app: &TestApp, who: &SignedIn, body: Value) -> Value {
    api(app, who).create("/contacts", body).await
}

async fn each_level_shows_what_it_allows_and_changes_show_at_once(backend: Backend) {
    let Some(app) = rapport_tests::team_app(backend).await else {
        return;
    };
    let owner = app.new_user("olivia@northwind.example").await;
    let ada = app.new_user("ada@northwind.example").await;
    let ben = app.new_user("ben@northwind.example").await;
    let gus = app.new_user("gus@example.com").await;
    let eve = app.new_user("eve@example.com").await;
    let members = [
        ("ada@northwind.example", "member"),
        ("ben@northwind.example", "member"),
        ("gus@example.com", "guest"),
    ];
    let body = json!({"name": "Northwind", "email_domains": ["northwind.example"]});
    let team = app.team_of(&owner, body, &members).await;

    // Ada's network: nothing is shared until she says so.
    let zoe = contact(
        &app,
        &ada,
        json!({"name": "Zoë Åberg", "company": "Acme Corp", "title": "CTO",
        "emails": ["zoe@acme.example"], "phones": ["555-0100"], "notes": "secret-notes"}),
    )
    .await;
    api(&app, &ada)
        .json(
            Method::PUT,
            &format!("/contacts/{}/comfort", zoe["id"].as_str().unwrap()),
            Some(json!({"rating": 5, "reason": "worked together"})),
        )
        .await;
    let sam = contact(
        &app,
        &ada,
        json!({"name": "Sam Signal", "company": "Globex",
        "urls": ["https://www.linkedin.com/in/samsignal/"]}),
    )
    .await;
    contact(
        &app,
        &ada,
        json!({"name": "Harry Hidden", "company": "Acme Corp"}),
    )
    .await;
    let carl = contact(
        &app,
        &ada,
        json!({"name": "Carl Colleague",
        "emails": ["carl@NorthWind.example"]}),
    )
    .await;
    contact(
        &app,
        &ada,
        json!({"name": "Bob Blocked", "tags": ["alumni"],
        "emails": ["bob@rival.example"]}),
    )
    .await;
    contact(
        &app,
        &ada,
        json!({"name": "Tina Tagged", "tags": ["Alumni"]}),
    )
    .await;
    assert!(
        reach(&app, &owner, &team, "q=zoe").await.is_empty(),
        "private by default"
    );

    let shared = share(&app, &ada, &team, &zoe, json!("profile")).await;
    assert_eq!(shared["chosen"], "profile");
    assert_eq!(shared["level"], "profile");
    share(&app, &ada, &team, &sam, json!("signal")).await;
    let colleague = share(&app, &ada, &team, &carl, json!("profile")).await;
    assert_eq!(
        colleague["level"], "hidden",
        "the team's own domain is never shared"
    );
    let sharing = api(&app, &ada)
        .json(
            Method::PUT,
            &format!("/teams/{team}/sharing"),
            Some(json!({
                "default_level": "hidden",
                "rules": [{"tag": " ALUMNI", "level": "profile"}],
                "blocked_domains": ["Rival.example"],
            })),
        )
        .await;
    assert_eq!(sharing["rules"][0]["tag"], "alumni");
    assert_eq!(sharing["blocked_domains"], json!(["rival.example"]));

    // Ben knows Zoë too (no accents, same email), and shares everything.
    let ben_zoe = contact(
        &app,
        &ben,
        json!({"name": "Zoe Aberg", "company": "ACME corp",
        "emails": ["ZOE@acme.example"]}),
    )
    .await;
    contact(
        &app,
        &ben,
        json!({"name": "Pat Partner", "company": "Umbrella"}),
    )
    .await;
    api(&app, &ben)
        .json(
            Method::PUT,
            &format!("/teams/{team}/sharing"),
            Some(json!({"default_level": "profile"})),
        )
        .await;

    // The owner, who shares nothing, finds one Zoë known by two teammates.
    let found = reach(&app, &owner, &team, "q=zoe").await;
    assert_eq!(found.len(), 1, "{found:#?}");
    let zoe_result = &found[0];
    assert_eq!(zoe_result["kind"], "profile");
    assert_eq!(zoe_result["teammates"], 2);
    assert_eq!(
        zoe_result["person"],
        json!({"name": "Zoë Åberg", "company": "Acme Corp", "title": "CTO"})
    );
    assert_eq!(zoe_result["band"], "trusted");
    let knowers: Vec<(&str, &str)> = zoe_result["known_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["display_name"].as_str().unwrap(),
                k["band"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(knowers, [("ada", "trusted"), ("ben", "acquainted")]);
    let mut keys: Vec<&String> = zoe_result.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["band", "kind", "known_by", "person", "result", "teammates"]
    );
    // Accents and case folded, word prefixes, the exact email, the company.
    for query in [
        "q=%C3%85BER",
        "q=ab%20zo",
        "q=zoe%40acme.example",
        "company=acme",
    ] {
        assert_eq!(
            names(&reach(&app, &owner, &team, query).await),
            ["Zoë Åberg"],
            "{query}"
        );
    }
    // A signal: whole words or the profile URL only, and nobody named.
    assert_eq!(
        names(&reach(&app, &owner, &team, "q=sam").await),
        ["signal×1"]
    );
    assert!(reach(&app, &owner, &team, "q=sa").await.is_empty());
    let by_url = reach(&app, &owner, &team, "q=linkedin.com/in/SamSignal").await;
    assert_eq!(names(&by_url), ["signal×1"]);
    assert!(by_url[0]["person"].is_null() && by_url[0]["known_by"] == json!([]));
    // A rule by tag shares Tina; the blocklist hides Bob; Harry and Carl
    // stay hidden.
    assert_eq!(
        names(&reach(&app, &owner, &team, "q=tina").await),
        ["Tina Tagged"]
    );
    for hidden in ["bob", "harry", "carl"] {
        assert!(
            reach(&app, &owner, &team, &format!("q={hidden}"))
                .await
                .is_empty(),
            "{hidden}"
        );
    }
    // One's own contacts are not listed; guests see profiles only.
    assert_eq!(reach(&app, &ben, &team, "q=zoe").await[0]["teammates"], 1);
    assert_eq!(
        names(&reach(&app, &gus, &team, "q=zoe").await),
        ["Zoë Åberg"]
    );
    assert!(reach(&app, &gus, &team, "q=sam").await.is_empty());
    let refused = api(&app, &gus)
        .call(
            Method::PUT,
            &format!("/teams/{team}/sharing"),
            Some(json!({"default_level": "profile"})),
            None,
        )
        .await;
    problem(refused, 403, "team_role_required").await;
    let outside = api(&app, &eve)
        .call(
            Method::GET,
            &format!("/teams/{team}/reach?q=zoe"),
            None,
            None,
        )
        .await;
    problem(outside, 404, "not_found").await;

    // Changes show in the next search: unsharing, archiving, a team rule.
    share(&app, &ada, &team, &zoe, Value::Null).await;
    let found = reach(&app, &owner, &team, "q=zoe").await;
    assert_eq!(found[0]["known_by"].as_array().unwrap().len(), 1);
    assert_eq!(found[0]["person"]["name"], "Zoe Aberg");
    let tag = format!("\"{}\"", ben_zoe["version"]);
    let archived = api(&app, &ben)
        .call(
            Method::PATCH,
            &format!("/contacts/{}", ben_zoe["id"].as_str().unwrap()),
            Some(json!({"archived": true})),
            Some(&tag),
        )
        .await;
    assert_eq!(archived.status(), 200);
    assert!(reach(&app, &owner, &team, "q=zoe").await.is_empty());
    api(&app, &owner)
        .call(
            Method::PATCH,
            &format!("/teams/{team}"),
            Some(json!({"reach_requires_sharing": true})),
            Some("*"),
        )
        .await;
    assert!(
        reach(&app, &owner, &team, "q=tina").await.is_empty(),
        "sharing nothing, finding nothing"
    );
    assert_eq!(
        names(&reach(&app, &ben, &team, "q=tina").await),
        ["Tina Tagged"]
    );

    // Becoming a guest takes one's shares out; leaving too.
    let ada_id = ada.id();
    api(&app, &owner)
        .json(
            Method::PATCH,
            &format!("/teams/{team}/members/{ada_id}"),
            Some(json!({"role": "guest"})),
        )
        .await;
    assert!(reach(&app, &ben, &team, "q=tina").await.is_empty());
    api(&app, &owner)
        .json(
            Method::PATCH,
            &format!("/teams/{team}/members/{ada_id}"),
            Some(json!({"role": "member"})),
        )
        .await;
    assert_eq!(
        names(&reach(&app, &ben, &team, "q=tina").await),
        ["Tina Tagged"]
    );
    let left = api(&app, &ada)
        .call(
            Method::DELETE,
            &format!("/teams/{team}/members/{ada_id}"),
            None,
            None,
        )
        .await;
    assert_eq!(left.status(), 204);
    assert!(reach(&app, &ben, &team, "q=tina").await.is_empty());
}

async fn a_bulk_change_covers_what_its_filter_says(backend: Backend) {
    let Some(app) = rapport_tests::team_app(backend).await else {
        return;
    };
    let owner = app.new_user("olivia@example.com").await;
    let ada = app.new_user("ada@example.com").await;
    let members = [("olivia@example.com", "member")];
    let team = app
        .team_of(&ada, json!({"name": "Chapter"}), &members)
        .await;
    for (index, rating) in [5, 4, 2].into_iter().enumerate() {
        let person = contact(
            &app,
            &ada,
            json!({"name": format!("Person{index} Rated"), "company": "Initech"}),
        )
        .await;
        api(&app, &ada)
            .json(
                Method::PUT,
                &format!("/contacts/{}/comfort", person["id"].as_str().unwrap()),
                Some(json!({"rating": rating, "reason": "known"})),
            )
            .await;
    }
    contact(
        &app,
        &ada,
        json!({"name": "Unrated Person", "company": "Initech"}),
    )
    .await;
    let bulk = |body: Value| {
        let api = api(&app, &ada);
        let team = team.clone();
        async move {
            api.json(
                Method::POST,
                &format!("/teams/{team}/sharing/bulk"),
                Some(body),
            )
            .await
        }
    };
    let dry =
        bulk(json!({"filter": {"comfort_min": 4}, "level": "profile", "dry_run": true})).await;
    assert_eq!(dry, json!({"count": 2, "dry_run": true}));
    assert!(reach(&app, &owner, &team, "company=initech")
        .await
        .is_empty());
    let done = bulk(json!({"filter": {"comfort_min": 4}, "level": "profile"})).await;
    assert_eq!(done, json!({"count": 2, "dry_run": false}));
    let found = reach(&app, &owner, &team, "company=initech").await;
    assert_eq!(found.len(), 2);
    assert!(found.iter().all(|r| r["band"] == "trusted"));
    let all = bulk(json!({"level": "signal"})).await;
    assert_eq!(all["count"], 4);
    let found = reach(&app, &owner, &team, "company=initech").await;
    assert_eq!(
        names(&found),
        ["signal×1", "signal×1", "signal×1", "signal×1"]
    );
    let invalid = api(&app, &ada)
        .call(
            Method::POST,
            &format!("/teams/{team}/sharing/bulk"),
            Some(json!({"filter": {"comfort_min": 9}, "level": "profile"})),
            None,
        )
        .await;
    let body = problem(invalid, 422, "validation_failed").await;
    assert_eq!(rapport_tests::fields(&body), ["filter.comfort_min"]);
}

rapport_tests::on_both_backends!(
    each_level_shows_what_it_allows_and_changes_show_at_once,
    a_bulk_change_covers_what_its_filter_says,
);
