//! Contacts, comfort, familiarity, interactions, the connection flow and
//! settings, against the real server on both backends.

use rapport_tests::{days_ago, fields, id, open_app, problem, Api, Backend};
use reqwest::Method;
use serde_json::{json, Value};

trait Helpers {
    async fn contact(&self, body: Value) -> Value;
    async fn log(&self, body: Value) -> Value;
}

impl Helpers for Api<'_> {
    async fn contact(&self, body: Value) -> Value {
        let response = self.call(Method::POST, "/contacts", Some(body), None).await;
        assert_eq!(response.status(), 201);
        response.json().await.unwrap()
    }

    async fn log(&self, body: Value) -> Value {
        let response = self
            .call(Method::POST, "/interactions", Some(body), None)
            .await;
        assert_eq!(response.status(), 201, "log interaction");
        response.json().await.unwrap()
    }
}

async fn contacts_are_created_read_and_validated(backend: Backend) {
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
            "/contacts",
            Some(json!({
                "name": " Grace Hopper ", "emails": ["Grace@Navy.mil"], "company": "US Navy",
                "urls": ["https://www.linkedin.com/in/grace"], "tags": ["Mentor", "mentor"],
                "how_met": {"met_on": days_ago(30), "place": "PyCon", "context": "her talk"},
                "cadence_days": 60
            })),
            None,
        )
        .await;
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let grace: Value = response.json().await.unwrap();
    assert_eq!(location, format!("/api/v1/contacts/{}", id(&grace)));
    assert_eq!(etag, format!("\"{}\"", grace["version"]));
    assert_eq!(grace["name"], "Grace Hopper");
    assert_eq!(grace["emails"], json!(["grace@navy.mil"]));
    assert_eq!(grace["tags"], json!(["Mentor"]));
    assert_eq!(grace["comfort"], Value::Null);
    assert_eq!(grace["connection_status"], "not_connected");
    assert_eq!(grace["familiarity"]["score"], 0);
    assert_eq!(
        grace["next_due_on"],
        json!(days_ago(-30)),
        "met 30 days ago, every 60 days"
    );
    let fetched = api
        .call(
            Method::GET,
            &format!("/contacts/{}", id(&grace)),
            None,
            None,
        )
        .await;
    assert_eq!(fetched.headers()["etag"].to_str().unwrap(), etag);

    let bad = api
        .call(
            Method::POST,
            "/contacts",
            Some(
                json!({"name": "", "emails": ["x"], "urls": ["ftp://x"], "cadence_days": 0,
                        "how_met": {"met_on": "1066-10-14"}}),
            ),
            None,
        )
        .await;
    let body = problem(bad, 422, "validation_failed").await;
    assert_eq!(
        fields(&body),
        [
            "name",
            "emails[0]",
            "urls[0]",
            "how_met.met_on",
            "cadence_days"
        ]
    );
    let typo = api
        .call(
            Method::POST,
            "/contacts",
            Some(json!({"name": "A", "nmae": "B"})),
            None,
        )
        .await;
    problem(typo, 422, "validation_failed").await;
    let foreign_event = api
        .call(
            Method::POST,
            "/contacts",
            Some(json!({"name": "A", "how_met": {"introduced_by": uuid::Uuid::new_v4()}})),
            None,
        )
        .await;
    assert_eq!(
        fields(&problem(foreign_event, 422, "validation_failed").await),
        ["how_met.introduced_by"]
    );
    let listed = api.json(Method::GET, "/contacts", None).await;
    assert_eq!(
        listed["items"].as_array().unwrap().len(),
        1,
        "no partial writes"
    );
}

async fn updates_need_the_current_version(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    let grace = api
        .contact(json!({"name": "Grace", "company": "Navy", "title": "Admiral"}))
        .await;
    let path = format!("/contacts/{}", id(&grace));
    let tag = format!("\"{}\"", grace["version"]);

    problem(
        api.call(Method::PATCH, &path, Some(json!({"title": "RADM"})), None)
            .await,
        428,
        "precondition_required",
    )
    .await;
    let updated = api
        .call(
            Method::PATCH,
            &path,
            Some(json!({"title": null, "location": "Arlington"})),
            Some(&tag),
        )
        .await;
    assert_eq!(updated.status(), 200);
    let updated: Value = updated.json().await.unwrap();
    assert_eq!(updated["title"], Value::Null);
    assert_eq!(updated["company"], "Navy");
    assert_eq!(updated["location"], "Arlington");
    assert_ne!(updated["version"], grace["version"]);
    let stale = api
        .call(
            Method::PATCH,
            &path,
            Some(json!({"title": "Lost update"})),
            Some(&tag),
        )
        .await;
    problem(stale, 412, "precondition_failed").await;
    let bad = api
        .call(Method::PATCH, &path, Some(json!({"name": " "})), Some("*"))
        .await;
    assert_eq!(
        fields(&problem(bad, 422, "validation_failed").await),
        ["name"]
    );

    // Two writers with the same If-Match: exactly one wins.
    let tag = format!("\"{}\"", updated["version"]);
    let attempts: Vec<_> = (0..6)
        .map(|n| {
            let client = app.client();
            let url = app.url(&format!("/api/v1{path}"));
            let (token, tag) = (ada.token.clone(), tag.clone());
            tokio::spawn(async move {
                client
                    .patch(url)
                    .bearer_auth(token)
                    .header("if-match", tag)
                    .json(&json!({"notes": format!("writer {n}")}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for attempt in attempts {
        statuses.push(attempt.await.unwrap());
    }
    statuses.sort();
    assert_eq!(statuses, [200, 412, 412, 412, 412, 412]);

    let current = api.json(Method::GET, &path, None).await;
    let current_tag = format!("\"{}\"", current["version"]);
    problem(
        api.call(Method::DELETE, &path, None, None).await,
        428,
        "precondition_required",
    )
    .await;
    problem(
        api.call(Method::DELETE, &path, None, Some("\"1\"")).await,
        412,
        "precondition_failed",
    )
    .await;
    assert_eq!(
        api.call(Method::DELETE, &path, None, Some(&current_tag))
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

async fn comfort_is_my_judgement_with_history(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    let bob = api.contact(json!({"name": "Bob"})).await;
    let path = format!("/contacts/{}/comfort", id(&bob));
    let rated = api
        .json(
            Method::PUT,
            &path,
            Some(json!({"rating": 5, "reason": "vouch"})),
        )
        .await;
    assert_eq!(rated["comfort"], 5);
    assert_eq!(
        rated["familiarity"]["mismatch"], true,
        "vouching for someone never met"
    );
    let rated = api
        .json(Method::PUT, &path, Some(json!({"rating": 2})))
        .await;
    assert_eq!(rated["familiarity"]["mismatch"], false);
    let cleared = api
        .json(
            Method::PUT,
            &path,
            Some(json!({"rating": null, "reason": "start over"})),
        )
        .await;
    assert_eq!(cleared["comfort"], Value::Null);
    let history = api
        .json(Method::GET, &format!("{path}/history"), None)
        .await;
    let ratings: Vec<Value> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rating"].clone())
        .collect();
    assert_eq!(ratings, [json!(5), json!(2), Value::Null]);
    assert_eq!(history["items"][0]["reason"], "vouch");
    let bad = api
        .call(Method::PUT, &path, Some(json!({"rating": 6})), None)
        .await;
    assert_eq!(
        fields(&problem(bad, 422, "validation_failed").await),
        ["rating"]
    );
}

async fn interactions_move_familiarity_and_due_dates(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    let bob = api
        .contact(json!({"name": "Bob", "cadence_days": 30}))
        .await;
    let carol = api.contact(json!({"name": "Carol"})).await;
    let coffee = api
        .log(
            json!({"contact_ids": [id(&bob), id(&carol)], "kind": "coffee_or_lunch",
                    "occurred_on": days_ago(7), "depth": "in_depth", "initiated_by": "mutual",
                    "notes": "talked about compilers", "follow_up_on": days_ago(-3)}),
        )
        .await;
    assert_eq!(coffee["contact_ids"].as_array().unwrap().len(), 2);
    let bob_now = api
        .json(Method::GET, &format!("/contacts/{}", id(&bob)), None)
        .await;
    assert_eq!(bob_now["last_interaction_on"], json!(days_ago(7)));
    assert_eq!(
        bob_now["next_due_on"],
        json!(days_ago(-23)),
        "30 days after the coffee"
    );
    let after_one = bob_now["familiarity"]["score"].as_u64().unwrap();
    assert!(after_one > 0);
    api.log(
        json!({"contact_ids": [id(&bob)], "kind": "email", "occurred_on": days_ago(1),
                   "depth": "conversation", "initiated_by": "them"}),
    )
    .await;
    let bob_later = api
        .json(Method::GET, &format!("/contacts/{}", id(&bob)), None)
        .await;
    assert!(bob_later["familiarity"]["score"].as_u64().unwrap() >= after_one);
    assert_eq!(
        bob_later["version"], bob["version"],
        "derived state does not invalidate edits"
    );

    let explained = api
        .json(
            Method::GET,
            &format!("/contacts/{}/familiarity", id(&bob)),
            None,
        )
        .await;
    assert_eq!(explained["score"], bob_later["familiarity"]["score"]);
    assert!(!explained["reasons"].as_array().unwrap().is_empty());

    let listed = api
        .json(
            Method::GET,
            &format!("/interactions?contact_id={}", id(&carol)),
            None,
        )
        .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let emails = api
        .json(Method::GET, "/interactions?kind=email", None)
        .await;
    assert_eq!(emails["items"].as_array().unwrap().len(), 1);
    let recent = api
        .json(
            Method::GET,
            &format!("/interactions?from={}", days_ago(2)),
            None,
        )
        .await;
    assert_eq!(recent["items"].as_array().unwrap().len(), 1);
    let bad = api
        .call(
            Method::GET,
            "/interactions?kind=telepathy&from=yesterday",
            None,
            None,
        )
        .await;
    assert_eq!(
        fields(&problem(bad, 422, "validation_failed").await),
        ["kind", "from"]
    );

    let foreign = api
        .call(
            Method::POST,
            "/interactions",
            Some(
                json!({"contact_ids": [id(&bob), uuid::Uuid::new_v4()], "kind": "call",
                          "occurred_on": days_ago(0), "depth": "brief", "initiated_by": "me"}),
            ),
            None,
        )
        .await;
    assert_eq!(
        fields(&problem(foreign, 422, "validation_failed").await),
        ["contact_ids[1]"]
    );
    let none = api
        .call(Method::POST, "/interactions",
              Some(json!({"contact_ids": [], "kind": "call", "occurred_on": "2026-13-01", "depth": "deep", "initiated_by": "me"})), None)
        .await;
    problem(none, 422, "validation_failed").await;

    // Editing and deleting recompute the contacts' state.
    let path = format!("/interactions/{}", id(&coffee));
    let moved = api
        .call(
            Method::PATCH,
            &path,
            Some(json!({"contact_ids": [id(&bob)]})),
            Some(&format!("\"{}\"", coffee["version"])),
        )
        .await;
    assert_eq!(moved.status(), 200);
    let moved: Value = moved.json().await.unwrap();
    let carol_now = api
        .json(Method::GET, &format!("/contacts/{}", id(&carol)), None)
        .await;
    assert_eq!(carol_now["last_interaction_on"], Value::Null);
    assert_eq!(carol_now["familiarity"]["score"], 0);
    assert_eq!(
        api.call(
            Method::DELETE,
            &path,
            None,
            Some(&format!("\"{}\"", moved["version"]))
        )
        .await
        .status(),
        204
    );
    let bob_end = api
        .json(Method::GET, &format!("/contacts/{}", id(&bob)), None)
        .await;
    assert_eq!(bob_end["last_interaction_on"], json!(days_ago(1)));
}

async fn the_connection_flow_asks_first(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    let bob = api.contact(json!({"name": "Bob"})).await;
    let path = format!("/contacts/{}/connection", id(&bob));
    let illegal = api
        .call(
            Method::POST,
            &path,
            Some(json!({"status": "connected"})),
            None,
        )
        .await;
    let body = problem(illegal, 409, "illegal_transition").await;
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains("asked")
            && detail.contains("invited")
            && detail.contains("they_invited_me"),
        "{detail}"
    );
    for step in ["asked", "open", "invited", "connected"] {
        let moved = api
            .json(
                Method::POST,
                &path,
                Some(json!({"status": step, "note": format!("now {step}")})),
            )
            .await;
        assert_eq!(moved["connection_status"], step);
    }
    let history = api
        .json(Method::GET, &format!("{path}/history"), None)
        .await;
    let steps: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["to_status"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["asked", "open", "invited", "connected"]);
    assert_eq!(history["items"][0]["from_status"], "not_connected");
}

async fn settings_decide_who_is_ready_to_ask(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    let defaults = api.json(Method::GET, "/me/settings", None).await;
    assert_eq!(defaults["connection_policy"], "after_talking");
    let met = api
        .contact(json!({"name": "Met", "how_met": {"met_on": days_ago(3)}}))
        .await;
    let stranger = api.contact(json!({"name": "Stranger"})).await;
    assert_eq!(
        met["ready_to_ask"], false,
        "after talking: familiarity still 0"
    );

    let open = api
        .json(Method::PUT, "/me/settings", Some(json!({"connection_policy": "open", "familiarity_threshold": 30,
                                                       "comfort_threshold": 3, "default_cadence_days": 14})))
        .await;
    assert_eq!(open["connection_policy"], "open");
    let ready = api
        .json(Method::GET, "/contacts?ready_to_ask=true", None)
        .await;
    let names: Vec<&str> = ready["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Met"]);
    let stranger_now = api
        .json(Method::GET, &format!("/contacts/{}", id(&stranger)), None)
        .await;
    assert_eq!(stranger_now["ready_to_ask"], false);
    assert!(
        stranger_now["next_due_on"].is_string(),
        "the new default cadence applies"
    );

    api.json(Method::PUT, "/me/settings", Some(json!({"connection_policy": "when_i_would_refer", "familiarity_threshold": 30,
                                                      "comfort_threshold": 4, "default_cadence_days": null}))).await;
    api.json(
        Method::PUT,
        &format!("/contacts/{}/comfort", id(&stranger)),
        Some(json!({"rating": 4})),
    )
    .await;
    let ready = api
        .json(Method::GET, "/contacts?ready_to_ask=true", None)
        .await;
    let names: Vec<&str> = ready["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Stranger"]);
    let bad = api
        .call(Method::PUT, "/me/settings", Some(json!({"connection_policy": "sometimes", "familiarity_threshold": 300,
                                                       "comfort_threshold": 9, "default_cadence_days": 0})), None)
        .await;
    assert_eq!(
        fields(&problem(bad, 422, "validation_failed").await),
        ["connection_policy"]
    );
}

async fn lists_filter_sort_and_page(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    let mut ids = Vec::new();
    for (n, (name, company, tag, comfort)) in [
        ("Alan Turing", "Bletchley", "math", Some(5)),
        ("Barbara Liskov", "MIT", "cs", Some(3)),
        ("Claude Shannon", "Bell Labs", "math", None),
        ("Dorothy Vaughan", "NASA", "cs", Some(4)),
        ("Edsger Dijkstra", "Eindhoven", "cs", Some(1)),
    ]
    .into_iter()
    .enumerate()
    {
        let contact = api
            .contact(json!({"name": name, "company": company, "tags": [tag], "notes": format!("note {n} 100% sure_")}))
            .await;
        if let Some(rating) = comfort {
            api.json(
                Method::PUT,
                &format!("/contacts/{}/comfort", id(&contact)),
                Some(json!({"rating": rating})),
            )
            .await;
        }
        ids.push(id(&contact));
    }
    let names = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(&api.json(Method::GET, "/contacts?q=shannon", None).await),
        ["Claude Shannon"]
    );
    assert_eq!(
        names(&api.json(Method::GET, "/contacts?q=100%25", None).await).len(),
        5
    );
    assert_eq!(
        names(&api.json(Method::GET, "/contacts?q=sure_", None).await).len(),
        5
    );
    assert_eq!(
        names(&api.json(Method::GET, "/contacts?q=ure__", None).await).len(),
        0,
        "_ is not a wildcard"
    );
    assert_eq!(
        names(&api.json(Method::GET, "/contacts?tag=MATH", None).await),
        ["Alan Turing", "Claude Shannon"]
    );
    assert_eq!(
        names(&api.json(Method::GET, "/contacts?company=nasa", None).await),
        ["Dorothy Vaughan"]
    );
    assert_eq!(
        names(
            &api.json(Method::GET, "/contacts?comfort_min=3&sort=comfort", None)
                .await
        ),
        ["Alan Turing", "Dorothy Vaughan", "Barbara Liskov"]
    );
    assert_eq!(
        names(&api.json(Method::GET, "/contacts?comfort_max=1", None).await),
        ["Edsger Dijkstra"]
    );

    // Walk every sort in pages of two: each contact exactly once.
    for sort in [
        "name",
        "comfort",
        "familiarity",
        "last_interaction",
        "next_due",
    ] {
        let mut seen = Vec::new();
        let mut url = format!("/contacts?sort={sort}&limit=2");
        loop {
            let response = api.call(Method::GET, &url, None, None).await;
            let link = response
                .headers()
                .get("link")
                .map(|l| l.to_str().unwrap().to_owned());
            let page: Value = response.json().await.unwrap();
            seen.extend(names(&page));
            match page["next_cursor"].as_str() {
                Some(cursor) => {
                    let link = link.expect("a Link header with a next page");
                    assert!(link.contains("rel=\"next\"") && link.contains(cursor));
                    url = format!("/contacts?sort={sort}&limit=2&cursor={cursor}");
                }
                None => break,
            }
        }
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 5, "sort {sort}");
    }
    let bad = api
        .call(
            Method::GET,
            "/contacts?sort=height&limit=500&comfort_min=9&cursor=zzz",
            None,
            None,
        )
        .await;
    assert_eq!(
        fields(&problem(bad, 422, "validation_failed").await),
        ["limit", "sort", "cursor", "comfort_min"]
    );

    let network = api.json(Method::GET, "/network", None).await;
    let entries = network.as_array().unwrap();
    assert_eq!(entries.len(), 5);
    assert!(entries
        .iter()
        .all(|e| e.get("notes").is_none() && e.get("emails").is_none()));
    assert_eq!(entries[0]["name"], "Alan Turing");
    assert_eq!(entries[0]["comfort"], 5);
}

async fn another_users_objects_are_not_found(backend: Backend) {
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
    let bob = ada_api
        .contact(json!({"name": "Bob", "notes": "secret"}))
        .await;
    let call = ada_api
        .log(json!({"contact_ids": [id(&bob)], "kind": "call", "occurred_on": days_ago(1), "depth": "brief", "initiated_by": "me"}))
        .await;
    assert_eq!(
        eve_api.json(Method::GET, "/contacts", None).await["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        eve_api.json(Method::GET, "/interactions", None).await["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        eve_api
            .json(Method::GET, "/network", None)
            .await
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let missing = eve_api
        .call(
            Method::GET,
            &format!("/contacts/{}", uuid::Uuid::new_v4()),
            None,
            None,
        )
        .await;
    let missing = missing.text().await.unwrap();
    let theirs = eve_api
        .call(Method::GET, &format!("/contacts/{}", id(&bob)), None, None)
        .await;
    assert_eq!(theirs.status(), 404);
    assert_eq!(theirs.text().await.unwrap(), missing);
    let logged = eve_api
        .call(Method::POST, "/interactions",
              Some(json!({"contact_ids": [id(&bob)], "kind": "call", "occurred_on": days_ago(0), "depth": "brief", "initiated_by": "me"})), None)
        .await;
    assert_eq!(
        fields(&problem(logged, 422, "validation_failed").await),
        ["contact_ids[0]"]
    );
    let interaction = eve_api
        .call(
            Method::DELETE,
            &format!("/interactions/{}", id(&call)),
            None,
            Some("*"),
        )
        .await;
    problem(interaction, 404, "not_found").await;
    let unchanged = ada_api
        .json(Method::GET, &format!("/contacts/{}", id(&bob)), None)
        .await;
    assert_eq!(unchanged["notes"], "secret");
    assert_eq!(unchanged["last_interaction_on"], json!(days_ago(1)));
}

async fn deleting_a_contact_leaves_no_dangling_references(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    let bob = api.contact(json!({"name": "Bob"})).await;
    let carol = api
        .contact(json!({"name": "Carol", "how_met": {"introduced_by": id(&bob)}}))
        .await;
    let alone = api
        .log(json!({"contact_ids": [id(&bob)], "kind": "call", "occurred_on": days_ago(2), "depth": "brief", "initiated_by": "me"}))
        .await;
    let shared = api
        .log(json!({"contact_ids": [id(&bob), id(&carol)], "kind": "meeting", "occurred_on": days_ago(1), "depth": "conversation", "initiated_by": "mutual"}))
        .await;
    let deleted = api
        .call(
            Method::DELETE,
            &format!("/contacts/{}", id(&bob)),
            None,
            Some("*"),
        )
        .await;
    assert_eq!(deleted.status(), 204);
    problem(
        api.call(
            Method::GET,
            &format!("/interactions/{}", id(&alone)),
            None,
            None,
        )
        .await,
        404,
        "not_found",
    )
    .await;
    let shared = api
        .json(Method::GET, &format!("/interactions/{}", id(&shared)), None)
        .await;
    assert_eq!(shared["contact_ids"], json!([id(&carol)]));
    let carol = api
        .json(Method::GET, &format!("/contacts/{}", id(&carol)), None)
        .await;
    assert_eq!(carol["how_met"]["introduced_by"], Value::Null);
}

async fn snoozing_puts_the_due_date_off(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    let bob = api
        .contact(json!({"name": "Bob", "cadence_days": 30}))
        .await;
    api.log(
        json!({"contact_ids": [id(&bob)], "kind": "call", "occurred_on": days_ago(40),
                   "depth": "conversation", "initiated_by": "mutual"}),
    )
    .await;
    let overdue = |queue: &Value| {
        queue["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|item| item["kind"] == "overdue" && item["contact"]["id"] == bob["id"])
    };
    let queue = api.json(Method::GET, "/nurture", None).await;
    assert!(overdue(&queue), "due 10 days ago: {queue}");

    let path = format!("/contacts/{}/snooze", id(&bob));
    let snoozed = api
        .json(Method::POST, &path, Some(json!({"until": days_ago(-7)})))
        .await;
    assert_eq!(snoozed["next_due_on"], json!(days_ago(-7)));
    assert!(snoozed["version"].as_i64() > bob["version"].as_i64());
    let queue = api.json(Method::GET, "/nurture", None).await;
    assert!(!overdue(&queue), "snoozed for a week: {queue}");

    // A later interaction counts from its own date when that is later.
    api.log(
        json!({"contact_ids": [id(&bob)], "kind": "email", "occurred_on": days_ago(0),
                   "depth": "brief", "initiated_by": "me"}),
    )
    .await;
    let after = api
        .json(Method::GET, &format!("/contacts/{}", id(&bob)), None)
        .await;
    assert_eq!(after["next_due_on"], json!(days_ago(-30)));

    for (body, field) in [
        (json!({"until": days_ago(0)}), "until"),
        (json!({"until": days_ago(-400)}), "until"),
        (json!({"until": "soon"}), "until"),
        (json!({"until": days_ago(-3), "extra": 1}), "extra"),
    ] {
        let response = api
            .call(Method::POST, &path, Some(body.clone()), None)
            .await;
        let problem = problem(response, 422, "validation_failed").await;
        assert!(
            fields(&problem).contains(&field.to_owned()),
            "{body}: {problem}"
        );
    }
    let ended = api
        .json(Method::POST, &path, Some(json!({"until": null})))
        .await;
    assert_eq!(ended["next_due_on"], json!(days_ago(-30)));

    let missing = api
        .call(
            Method::POST,
            "/contacts/00000000-0000-4000-8000-000000000000/snooze",
            Some(json!({"until": days_ago(-3)})),
            None,
        )
        .await;
    assert_eq!(missing.status(), 404);
}

/// The network view and contact lists are remembered per data version:
/// tagged, answered with 304 when unchanged, never stale after a write.
async fn network_answers_are_tagged_and_never_stale(backend: Backend) {
    use std::io::Read;
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let eve = app.new_user("eve@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    let get = |path: &'static str, headers: Vec<(&'static str, String)>| {
        let mut request = app
            .client()
            .get(app.url(&format!("/api/v1{path}")))
            .bearer_auth(&ada.token);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        request.send()
    };
    let names = |body: &Value| -> Vec<String> {
        body.as_array()
            .or_else(|| body["items"].as_array())
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let bob = api.contact(json!({"name": "Bob"})).await;
    for path in ["/network", "/contacts?limit=10"] {
        let first = get(path, vec![]).await.unwrap();
        assert_eq!(first.status(), 200);
        let tag = first.headers()["etag"].to_str().unwrap().to_owned();
        assert_eq!(names(&first.json().await.unwrap()), ["Bob"]);
        let again = get(path, vec![("if-none-match", tag.clone())])
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path} unchanged");

        // Every kind of change shows at once (and changes the tag).
        let carol = api.contact(json!({"name": "Carol"})).await;
        let after = get(path, vec![("if-none-match", tag.clone())])
            .await
            .unwrap();
        assert_eq!(after.status(), 200, "{path} after a new contact");
        assert_ne!(after.headers()["etag"].to_str().unwrap(), tag);
        assert_eq!(names(&after.json().await.unwrap()), ["Bob", "Carol"]);
        api.json(
            Method::PUT,
            &format!("/contacts/{}/comfort", id(&bob)),
            Some(json!({"rating": 4})),
        )
        .await;
        let rated: Value = get(path, vec![]).await.unwrap().json().await.unwrap();
        let rated = rated
            .as_array()
            .or_else(|| rated["items"].as_array())
            .unwrap()
            .clone();
        assert_eq!(rated[0]["comfort"], 4, "{path} after a rating");
        let response = api
            .call(
                Method::DELETE,
                &format!("/contacts/{}", id(&carol)),
                None,
                Some(&format!("\"{}\"", carol["version"])),
            )
            .await;
        assert_eq!(response.status(), 204);
        assert_eq!(
            names(&get(path, vec![]).await.unwrap().json().await.unwrap()),
            ["Bob"]
        );
    }

    // A large view travels gzip-compressed to clients that accept it.
    for i in 0..60 {
        api.contact(json!({"name": format!("Person {i:02}"), "company": "Analytical Engines Ltd"}))
            .await;
    }
    let plain = get("/network", vec![]).await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().await.unwrap();
    let zipped = get("/network", vec![("accept-encoding", "gzip".into())])
        .await
        .unwrap();
    assert_eq!(zipped.headers()["content-encoding"], "gzip");
    let zipped = zipped.bytes().await.unwrap();
    assert!(
        zipped.len() < plain.len() / 2,
        "{} vs {}",
        zipped.len(),
        plain.len()
    );
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&zipped[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, plain);

    // Another user's answers are their own.
    let theirs: Value = app
        .client()
        .get(app.url("/api/v1/network"))
        .bearer_auth(&eve.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(theirs, json!([]));
}

/// Requests that miss the same answer together wait for one build of it.
async fn an_answer_missed_by_many_at_once_is_built_once(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    api.contact(json!({"name": "Bob"})).await;
    // The day's first read brings familiarity up to date; then a change.
    api.json(Method::GET, "/network", None).await;
    api.contact(json!({"name": "Carol"})).await;
    let cache = &app.state.response_cache;
    let before = cache.answers_built();
    let requests: Vec<_> = (0..16)
        .map(|_| {
            let request = app
                .client()
                .get(app.url("/api/v1/network"))
                .bearer_auth(&ada.token);
            tokio::spawn(async move { request.send().await.unwrap() })
        })
        .collect();
    for request in requests {
        let response = request.await.unwrap();
        assert_eq!(response.status(), 200);
        let names: Vec<Value> = response.json().await.unwrap();
        assert_eq!(names.len(), 2);
    }
    assert_eq!(
        cache.answers_built() - before,
        1,
        "one build for 16 requests"
    );
}

/// With `RAPPORT_CACHE_MB=0` every answer is built afresh (and still tagged).
async fn answers_are_built_afresh_without_the_cache(backend: Backend) {
    let Some(app) = rapport_tests::TestApp::spawn_with(backend, |c| {
        c.registration = rapport_server::config::RegistrationMode::Open;
        c.cache_bytes = 0;
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
    api.contact(json!({"name": "Bob"})).await;
    let first = api.call(Method::GET, "/network", None, None).await;
    let tag = first.headers()["etag"].to_str().unwrap().to_owned();
    api.contact(json!({"name": "Carol"})).await;
    let second = api.call(Method::GET, "/network", None, None).await;
    assert_ne!(second.headers()["etag"].to_str().unwrap(), tag);
    let names: Vec<Value> = second.json::<Vec<Value>>().await.unwrap();
    assert_eq!(names.len(), 2);
}

/// Changes made by another process (a server replica, `rapport admin`) show
/// at once too: on PostgreSQL the server hears of them (LISTEN/NOTIFY) and
/// drops what it knew of the caller; on SQLite any commit changes the
/// database's change stamp, and the server asks again. The test waits for
/// the announcement, never for a time.
async fn changes_by_another_process_are_heard(backend: Backend) {
    use rapport_core::contact::NewContact;
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    api.contact(json!({"name": "Bob"})).await;
    let names = |body: Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_owned())
            .collect()
    };
    app.heard_everything().await;
    for _ in 0..2 {
        let listed = api.json(Method::GET, "/contacts", None).await;
        assert_eq!(names(listed), ["Bob"]);
    }

    let other = app.db.store().await;
    let owner: uuid::Uuid = ada.id().parse().unwrap();
    other
        .create_contact(
            owner,
            NewContact {
                name: "Dora".into(),
                ..NewContact::default()
            },
            chrono::Utc::now().date_naive(),
        )
        .await
        .unwrap();
    app.heard_everything().await;
    let listed = api.json(Method::GET, "/contacts", None).await;
    assert_eq!(names(listed), ["Bob", "Dora"], "a contact added elsewhere");

    other.set_user_disabled(owner, true).await.unwrap();
    app.heard_everything().await;
    let response = api.call(Method::GET, "/contacts", None, None).await;
    problem(response, 401, "unauthorized").await;
}

/// On PostgreSQL a known caller is served without asking the database: a
/// change made without its announcement (trigger switched off) goes unseen.
/// This is what the announcements are for.
async fn known_callers_are_not_asked_for_again(backend: Backend) {
    if backend != Backend::Postgres {
        return;
    }
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    // The first list of the day brings familiarity up to date (a change).
    let status = api
        .call(Method::GET, "/contacts", None, None)
        .await
        .status();
    assert_eq!(status, 200);
    app.heard_everything().await;
    let status = api
        .call(Method::GET, "/contacts", None, None)
        .await
        .status();
    assert_eq!(status, 200);
    let mut db = <sqlx::PgConnection as sqlx::Connection>::connect(&app.db.url)
        .await
        .unwrap();
    for statement in [
        "ALTER TABLE sessions DISABLE TRIGGER sessions_announced",
        "UPDATE sessions SET revoked_at = now()",
    ] {
        sqlx::query(statement).execute(&mut db).await.unwrap();
    }
    let unseen = api.call(Method::GET, "/contacts", None, None).await;
    assert_eq!(unseen.status(), 200, "served from what the server knew");
    // A write always asks the database, and forgets what was known.
    let write = api
        .call(
            Method::POST,
            "/contacts",
            Some(json!({"name": "Bob"})),
            None,
        )
        .await;
    assert_eq!(write.status(), 401, "the write asks the database");
    let response = api.call(Method::GET, "/contacts", None, None).await;
    problem(response, 401, "unauthorized").await;
}

/// A write to my own network forgets what the server knew of me alone
/// (the answers remembered for me are stale); other people stay known.
/// A change to an account forgets everyone. (PostgreSQL: on SQLite any
/// commit at all sends every caller back to the database.)
async fn a_write_to_my_network_forgets_only_me(backend: Backend) {
    if backend != Backend::Postgres {
        return;
    }
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let eve = app.new_user("eve@example.com").await;
    app.heard_everything().await;
    for who in [&ada, &eve] {
        let api = Api { app: &app, who };
        api.json(Method::GET, "/contacts", None).await;
    }
    let known = |who: &rapport_tests::SignedIn| {
        let claims = rapport_tests::claims_of(&who.token);
        let sid = claims["sid"].as_str().unwrap().parse().unwrap();
        let sub = claims["sub"].as_str().unwrap().parse().unwrap();
        app.state.session_cache.get(sid, sub, None).is_some()
    };
    assert!(known(&ada) && known(&eve));
    let api = Api {
        app: &app,
        who: &ada,
    };
    api.contact(json!({"name": "Bob"})).await;
    assert!(!known(&ada), "the writer's data moved");
    assert!(known(&eve), "nobody else's did");
    api.json(
        Method::PATCH,
        "/me",
        Some(json!({"display_name": "Ada L."})),
    )
    .await;
    assert!(!known(&eve), "an account changed: everyone is asked again");
}

/// Familiarity decays, and the daily upkeep — not the reads — brings what
/// lists show up to the day: a read serves what is stored and never
/// recomputes; a pass by the server (here run as of 400 days on) moves the
/// stored values, the list's tag, and nothing of other users; a second
/// replica finds the lease taken.
async fn the_daily_upkeep_not_a_read_moves_familiarity_on(backend: Backend) {
    use rapport_server::service::upkeep;
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    let bob = api.contact(json!({"name": "Bob"})).await;
    api.log(
        json!({"contact_ids": [id(&bob)], "kind": "coffee_or_lunch", "occurred_on": days_ago(3),
        "depth": "in_depth", "initiated_by": "mutual"}),
    )
    .await;
    let score = |list: &Value| list["items"][0]["familiarity"]["score"].as_u64().unwrap();
    let first = api.json(Method::GET, "/contacts?limit=5", None).await;
    let today = score(&first);
    assert!(today > 0);

    // Nothing is stale today: a pass finds nothing to do.
    let forgotten = std::sync::Mutex::new(Vec::new());
    let forget = |owner| forgotten.lock().unwrap().push(owner);
    // The pass this server runs (under its own name for the lease).
    let holder = app.state.lease_holder;
    let now = chrono::Utc::now();
    let report = upkeep::run_pass(&*app.store, holder, now, &forget)
        .await
        .unwrap();
    assert!(report.ran);
    assert_eq!(report.contacts, 0);

    let other = upkeep::run_pass(
        &*app.store,
        uuid::Uuid::new_v4(),
        now + chrono::Duration::seconds(1),
        &forget,
    );
    assert!(!other.await.unwrap().ran, "another replica holds the lease");
    let later = now + chrono::Duration::days(400);
    let report = upkeep::run_pass(&*app.store, holder, later, &forget)
        .await
        .unwrap();
    assert_eq!((report.owners, report.contacts), (1, 1));
    let ada_id: uuid::Uuid = ada.id().parse().unwrap();
    assert_eq!(*forgotten.lock().unwrap(), vec![ada_id]);
    app.heard_everything().await;
    let response = api.call(Method::GET, "/contacts?limit=5", None, None).await;
    let tag = response.headers()["etag"].to_str().unwrap().to_owned();
    let after: Value = response.json().await.unwrap();
    assert!(
        score(&after) < today,
        "{} decayed from {today}",
        score(&after)
    );
    assert_eq!(
        after["items"][0]["familiarity"]["score"],
        api.json(Method::GET, "/network", None).await[0]["familiarity"],
        "the network view shows the same"
    );
    // A read recomputes nothing: the same answer again.
    let again = api.call(Method::GET, "/contacts?limit=5", None, None).await;
    assert_eq!(again.headers()["etag"].to_str().unwrap(), tag);
    assert_eq!(again.json::<Value>().await.unwrap(), after);
}

rapport_tests::on_both_backends!(
    a_write_to_my_network_forgets_only_me,
    the_daily_upkeep_not_a_read_moves_familiarity_on,
    an_answer_missed_by_many_at_once_is_built_once,
    changes_by_another_process_are_heard,
    known_callers_are_not_asked_for_again,
    answers_are_built_afresh_without_the_cache,
    network_answers_are_tagged_and_never_stale,
    snoozing_puts_the_due_date_off,
    contacts_are_created_read_and_validated,
    updates_need_the_current_version,
    comfort_is_my_judgement_with_history,
    interactions_move_familiarity_and_due_dates,
    the_connection_flow_asks_first,
    settings_decide_who_is_ready_to_ask,
    lists_filter_sort_and_page,
    another_users_objects_are_not_found,
    deleting_a_contact_leaves_no_dangling_references,
);
