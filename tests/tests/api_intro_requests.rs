//! Introduction requests in a team, against the real server on both
//! backends: who is asked, what each side sees, accepting, declining,
//! withdrawing, and the limits against spam.

use rapport_tests::{problem, Api, Backend, SignedIn, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

fn api<'a>(app: &'a TestApp, who: &'a SignedIn) -> Api<'a> {
    Api { app, who }
}

struct Team<'a> {
    app: &'a TestApp,
    id: String,
}

impl Team<'_> {
    /// The `result` of the one result a search finds.
    async fn result(&self, who: &SignedIn, q: &str) -> Value {
        let found = api(self.app, who)
            .json(
                Method::GET,
                &format!("/teams/{}/reach?q={q}", self.id),
                None,
            )
            .await;
        let items = found["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{q}: {found}");
        items[0].clone()
    }

    async fn ask(&self, who: &SignedIn, result: &Value, reason: &str) -> reqwest::Response {
        api(self.app, who)
            .call(
                Method::POST,
                &format!("/teams/{}/intro-requests", self.id),
                Some(json!({"result": result["result"], "reason": reason})),
                None,
            )
            .await
    }
}

async fn requests(app: &TestApp, who: &SignedIn, direction: &str) -> Vec<Value> {
    let page = api(app, who)
        .json(
            Method::GET,
            &format!("/intro-requests?box={direction}"),
            None,
        )
        .await;
    page["items"].as_array().unwrap().clone()
}

async fn answer(
    app: &TestApp,
    who: &SignedIn,
    id: &str,
    what: &str,
    body: Value,
) -> reqwest::Response {
    api(app, who)
        .call(
            Method::POST,
            &format!("/intro-requests/{id}/{what}"),
            Some(body),
            None,
        )
        .await
}

async fn contact(app: &TestApp, who: &SignedIn, body: Value, comfort: Option<u8>) -> Value {
    let created = api(app, who).create("/contacts", body).await;
    if let Some(rating) = comfort {
        api(app, who)
            .json(
                Method::PUT,
                &format!("/contacts/{}/comfort", created["id"].as_str().unwrap()),
                Some(json!({"rating": rating, "reason": "known"})),
            )
            .await;
    }
    created
}

async fn a_request_reaches_the_teammates_who_know_and_the_first_yes_introduces(backend: Backend) {
    let Some(app) = rapport_tests::team_app(backend).await else {
        return;
    };
    let owner = app.new_user("olivia@example.com").await;
    let ada = app.new_user("ada@example.com").await;
    let ben = app.new_user("ben@example.com").await;
    let carl = app.new_user("carl@example.com").await;
    let gus = app.new_user("gus@example.com").await;
    let eve = app.new_user("eve@example.com").await;
    let members = [
        ("ada@example.com", "member"),
        ("ben@example.com", "member"),
        ("carl@example.com", "member"),
        ("gus@example.com", "guest"),
    ];
    let team = Team {
        app: &app,
        id: app
            .team_of(&owner, json!({"name": "Northwind"}), &members)
            .await,
    };
    let ada_zoe = contact(
        &app,
        &ada,
        json!({"name": "Zoë Åberg", "company": "Acme", "title": "CTO",
        "emails": ["zoe@acme.example"]}),
        Some(5),
    )
    .await;
    let ben_zoe = contact(
        &app,
        &ben,
        json!({"name": "Zoe Aberg", "company": "Acme",
        "emails": ["zoe@acme.example"]}),
        Some(2),
    )
    .await;
    let ada_sam = contact(
        &app,
        &ada,
        json!({"name": "Sam Signal", "company": "Globex"}),
        Some(4),
    )
    .await;
    for (who, contact, level) in [
        (&ada, &ada_zoe, "profile"),
        (&ben, &ben_zoe, "profile"),
        (&ada, &ada_sam, "signal"),
    ] {
        api(&app, who)
            .json(
                Method::PUT,
                &format!(
                    "/teams/{}/sharing/contacts/{}",
                    team.id,
                    contact["id"].as_str().unwrap()
                ),
                Some(json!({"level": level})),
            )
            .await;
    }

    // Carl asks about Zoë: Ada and Ben are asked, each about their contact.
    let zoe = team.result(&carl, "zoe").await;
    let asked = team.ask(&carl, &zoe, "  We are hiring a CTO.  ").await;
    assert_eq!(asked.status(), 201);
    let sent: Value = asked.json().await.unwrap();
    let id = sent["id"].as_str().unwrap().to_owned();
    assert_eq!(sent["box"], "out");
    assert_eq!(sent["status"], "open");
    assert_eq!(sent["reason"], "We are hiring a CTO.");
    assert_eq!(sent["person"]["name"], "Zoë Åberg");
    assert!(sent["contact_id"].is_null() && sent["accepted_by"].is_null());
    for (who, theirs) in [(&ada, &ada_zoe), (&ben, &ben_zoe)] {
        let inbox = requests(&app, who, "in").await;
        assert_eq!(inbox.len(), 1);
        assert_eq!(inbox[0]["id"], id.as_str());
        assert_eq!(inbox[0]["contact_id"], theirs["id"]);
        assert_eq!(inbox[0]["person"]["name"], theirs["name"]);
        assert_eq!(inbox[0]["requester"]["display_name"], "carl");
    }
    assert!(requests(&app, &owner, "in").await.is_empty());
    for path in [format!("/intro-requests/{id}")] {
        let response = api(&app, &eve).call(Method::GET, &path, None, None).await;
        problem(response, 404, "not_found").await;
    }
    problem(
        answer(&app, &eve, &id, "accept", json!({})).await,
        404,
        "not_found",
    )
    .await;
    problem(
        answer(&app, &carl, &id, "accept", json!({})).await,
        404,
        "not_found",
    )
    .await;

    // Ben declines, privately; the request stays open for Ada.
    let declined = answer(
        &app,
        &ben,
        &id,
        "decline",
        json!({"reason": "barely know her"}),
    )
    .await;
    assert_eq!(declined.status(), 200);
    let declined: Value = declined.json().await.unwrap();
    assert_eq!(declined["status"], "declined");
    assert_eq!(declined["decline_reason"], "barely know her");
    let out = &requests(&app, &carl, "out").await[0];
    assert_eq!(out["status"], "open");
    assert!(!out.to_string().contains("barely"));

    // Ada accepts: an introduction starts in her network, Carl learns who.
    let accepted = answer(&app, &ada, &id, "accept", json!({})).await;
    assert_eq!(accepted.status(), 200);
    let accepted: Value = accepted.json().await.unwrap();
    assert_eq!(accepted["status"], "accepted");
    let introduction = accepted["introduction_id"].as_str().unwrap().to_owned();
    let made = api(&app, &ada)
        .json(Method::GET, &format!("/introductions/{introduction}"), None)
        .await;
    assert_eq!(made["status"], "proposed");
    assert_eq!(made["reason"], "We are hiring a CTO.");
    let out = &requests(&app, &carl, "out").await[0];
    assert_eq!(out["status"], "accepted");
    assert_eq!(out["accepted_by"]["display_name"], "ada");
    assert!(out["introduction_id"].is_null());
    problem(
        answer(&app, &ada, &id, "decline", json!({})).await,
        409,
        "request_closed",
    )
    .await;
    problem(
        answer(&app, &carl, &id, "withdraw", json!({})).await,
        409,
        "request_closed",
    )
    .await;

    // Made: logged as an introduction with both people in Ada's history.
    let tag = format!("\"{}\"", made["version"]);
    for status in ["asked", "agreed", "made"] {
        let current = api(&app, &ada)
            .json(Method::GET, &format!("/introductions/{introduction}"), None)
            .await;
        let tag = format!("\"{}\"", current["version"]);
        let response = api(&app, &ada)
            .call(
                Method::PATCH,
                &format!("/introductions/{introduction}"),
                Some(json!({"status": status})),
                Some(&tag),
            )
            .await;
        assert_eq!(response.status(), 200, "{status}");
    }
    let _ = tag;
    let history = api(&app, &ada)
        .json(
            Method::GET,
            &format!(
                "/interactions?contact_id={}",
                ada_zoe["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    let kinds: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["introduction"]);

    // A signal: nobody is named until someone accepts; then Carl learns.
    let sam = team.result(&carl, "sam").await;
    assert_eq!(sam["kind"], "signal");
    let sent: Value = team
        .ask(&carl, &sam, "Globex partnership")
        .await
        .json()
        .await
        .unwrap();
    assert!(sent["person"].is_null());
    let sam_request = sent["id"].as_str().unwrap().to_owned();
    // Guests never see signals, so cannot ask about them.
    let refused = problem(
        team.ask(&gus, &sam, "me too").await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(rapport_tests::fields(&refused), ["result"]);
    let confirmed = answer(&app, &ada, &sam_request, "accept", json!({})).await;
    assert_eq!(confirmed.status(), 200, "comfort 4 is enough");
    let out = api(&app, &carl)
        .json(Method::GET, &format!("/intro-requests/{sam_request}"), None)
        .await;
    assert_eq!(out["person"]["name"], "Sam Signal");

    // Limits: once in 30 days per person; the team's cap on open requests.
    problem(team.ask(&carl, &zoe, "again").await, 409, "asked_lately").await;
    api(&app, &owner)
        .call(
            Method::PATCH,
            &format!("/teams/{}", team.id),
            Some(json!({"max_open_requests": 1})),
            Some("*"),
        )
        .await;
    let ben_tom = contact(&app, &ben, json!({"name": "Tom Third"}), None).await;
    let ben_uma = contact(&app, &ben, json!({"name": "Uma Fourth"}), None).await;
    for person in [&ben_tom, &ben_uma] {
        api(&app, &ben)
            .json(
                Method::PUT,
                &format!(
                    "/teams/{}/sharing/contacts/{}",
                    team.id,
                    person["id"].as_str().unwrap()
                ),
                Some(json!({"level": "profile"})),
            )
            .await;
    }
    let tom = team.result(&carl, "tom").await;
    let sent: Value = team
        .ask(&carl, &tom, "Intro please")
        .await
        .json()
        .await
        .unwrap();
    let uma = team.result(&carl, "uma").await;
    problem(
        team.ask(&carl, &uma, "And her").await,
        409,
        "too_many_open_requests",
    )
    .await;

    // The guardrail: Ben rated nobody; he confirms to accept.
    let tom_request = sent["id"].as_str().unwrap().to_owned();
    let low = answer(&app, &ben, &tom_request, "accept", json!({})).await;
    let body = problem(low, 409, "comfort_below_threshold").await;
    assert_eq!(body["details"]["contact_id"], ben_tom["id"]);
    // Withdrawn: closed for Ben, and Carl may ask about Uma.
    let withdrawn = answer(&app, &carl, &tom_request, "withdraw", json!({})).await;
    assert_eq!(withdrawn.status(), 200);
    let inbox = requests(&app, &ben, "in").await;
    let tom_in = inbox
        .iter()
        .find(|r| r["id"] == tom_request.as_str())
        .unwrap();
    assert_eq!(tom_in["status"], "closed");
    problem(
        answer(
            &app,
            &ben,
            &tom_request,
            "accept",
            json!({"confirm_low_comfort": true}),
        )
        .await,
        409,
        "request_closed",
    )
    .await;
    assert_eq!(team.ask(&carl, &uma, "And her").await.status(), 201);
}

rapport_tests::on_both_backends!(
    a_request_reaches_the_teammates_who_know_and_the_first_yes_introduces
);
