//! The nurture queue: every kind of to-do for a crafted network, in the
//! documented order, page by page, and nobody else's, on both backends.

use rapport_server::config::RegistrationMode;
use rapport_tests::{days_ago, fields, open_app, problem, Api, Backend, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use sqlx::Connection;

/// The shared client with this file's shorthands.
trait Nurture {
    async fn contact(&self, body: Value) -> String;
    async fn log(&self, contact: &str, kind: &str, days: i64, follow_up_in: Option<i64>) -> String;
    async fn connection(&self, contact: &str, status: &str);
    async fn rate(&self, contact: &str, rating: u8);
}

impl Nurture for Api<'_> {
    async fn contact(&self, body: Value) -> String {
        let contact = self.json(Method::POST, "/contacts", Some(body)).await;
        contact["id"].as_str().unwrap().to_owned()
    }

    async fn log(&self, contact: &str, kind: &str, days: i64, follow_up_in: Option<i64>) -> String {
        let interaction = self
            .json(
                Method::POST,
                "/interactions",
                Some(json!({
                    "contact_ids": [contact], "kind": kind, "occurred_on": days_ago(days),
                    "depth": "conversation", "initiated_by": "mutual",
                    "follow_up_on": follow_up_in.map(|d| days_ago(-d)),
                })),
            )
            .await;
        interaction["id"].as_str().unwrap().to_owned()
    }

    async fn connection(&self, contact: &str, status: &str) {
        self.json(
            Method::POST,
            &format!("/contacts/{contact}/connection"),
            Some(json!({"status": status})),
        )
        .await;
    }

    async fn rate(&self, contact: &str, rating: u8) {
        self.json(
            Method::PUT,
            &format!("/contacts/{contact}/comfort"),
            Some(json!({"rating": rating})),
        )
        .await;
    }
}

/// Makes an ask to connect `days` old, as if it had been made then.
async fn backdate_ask(app: &TestApp, contact: &str, days: i64) {
    let micros = (chrono::Utc::now() - chrono::Duration::days(days)).timestamp_micros();
    let at = chrono::DateTime::from_timestamp_micros(micros).unwrap();
    let id: uuid::Uuid = contact.parse().unwrap();
    let sql = "UPDATE contacts SET connection_changed_at = $1 WHERE id = $2";
    let updated = match app.store.backend() {
        Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&app.db.url).await.unwrap();
            let result = sqlx::query(sql).bind(at).bind(id).execute(&mut conn).await;
            result.map(|r| r.rows_affected())
        }
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&app.db.url).await.unwrap();
            let result = sqlx::query(sql).bind(at).bind(id).execute(&mut conn).await;
            result.map(|r| r.rows_affected())
        }
    };
    assert_eq!(updated.unwrap(), 1);
}

/// (kind, contact name, due_on) of each item.
fn summary(items: &[Value]) -> Vec<(String, String, Value)> {
    items
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap().to_owned(),
                i["contact"]["name"].as_str().unwrap().to_owned(),
                i["due_on"].clone(),
            )
        })
        .collect()
}

async fn the_queue_holds_each_kind_in_the_documented_order(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    // Ready to ask only when I would refer (comfort 3+); no default cadence.
    api.json(
        Method::PUT,
        "/me/settings",
        Some(
            json!({"connection_policy": "when_i_would_refer", "familiarity_threshold": 30,
                    "comfort_threshold": 3, "default_cadence_days": null}),
        ),
    )
    .await;

    let olga = api
        .contact(json!({"name": "Olga", "company": "Acme", "cadence_days": 30}))
        .await;
    api.log(&olga, "email", 40, None).await;
    let paula = api.contact(json!({"name": "Paula"})).await;
    let paula_coffee = api.log(&paula, "coffee_or_lunch", 6, Some(-2)).await;
    let fred = api.contact(json!({"name": "Fred"})).await;
    let fred_call = api.log(&fred, "call", 5, Some(3)).await;
    let fiona = api.contact(json!({"name": "Fiona"})).await;
    api.log(&fiona, "email", 1, Some(10)).await; // beyond the 7-day horizon
    let andy = api.contact(json!({"name": "Andy"})).await;
    api.log(&andy, "meeting", 10, Some(-2)).await;
    api.log(&andy, "message", 3, None).await; // answered since
    for (name, days) in [("Alice", 16), ("Tess", 14), ("Theo", 13), ("Rory", 0)] {
        let id = api.contact(json!({"name": name})).await;
        api.connection(&id, "asked").await;
        if days > 0 {
            backdate_ask(&app, &id, days).await;
        }
    }
    let carol = api.contact(json!({"name": "Carol"})).await;
    let dan = api.contact(json!({"name": "Dan"})).await;
    let introduction = api
        .json(
            Method::POST,
            "/introductions",
            Some(
                json!({"contact_a": carol, "contact_b": dan, "reason": "both hire Rust people",
                        "confirm_low_comfort": true}),
            ),
        )
        .await;
    let declined = api
        .json(
            Method::POST,
            "/introductions",
            Some(
                json!({"contact_a": carol, "contact_b": olga, "reason": "maybe",
                        "confirm_low_comfort": true}),
            ),
        )
        .await;
    let declined_now = app
        .client()
        .patch(app.url(&format!(
            "/api/v1/introductions/{}",
            declined["id"].as_str().unwrap()
        )))
        .bearer_auth(&ada.token)
        .header("if-match", "*")
        .json(&json!({"status": "declined"}))
        .send()
        .await
        .unwrap();
    assert_eq!(declined_now.status(), 200);
    let rita = api.contact(json!({"name": "Rita"})).await;
    api.rate(&rita, 3).await;
    let mona = api.contact(json!({"name": "Mona"})).await;
    api.rate(&mona, 5).await;
    api.connection(&mona, "invited").await;
    let archie = api
        .contact(
            json!({"name": "Archie", "cadence_days": 1, "archived": true,
                        "how_met": {"met_on": days_ago(30)}}),
        )
        .await;
    api.rate(&archie, 5).await;

    let queue = api.json(Method::GET, "/nurture", None).await;
    assert_eq!(queue["next_cursor"], Value::Null);
    let items = queue["items"].as_array().unwrap().clone();
    let expected = [
        ("overdue", "Olga", json!(days_ago(10))),
        ("follow_up", "Paula", json!(days_ago(2))),
        ("awaiting_answer", "Alice", json!(days_ago(2))),
        ("awaiting_answer", "Tess", json!(days_ago(0))),
        ("follow_up", "Fred", json!(days_ago(-3))),
        ("introduction_waiting", "Carol", Value::Null),
        ("ready_to_ask", "Rita", Value::Null),
        ("mismatch", "Mona", Value::Null),
    ]
    .map(|(kind, name, due)| (kind.to_owned(), name.to_owned(), due));
    assert_eq!(summary(&items), expected);

    assert_eq!(
        items[0]["contact"],
        json!({"id": olga, "name": "Olga", "company": "Acme"})
    );
    let reasons: Vec<&str> = items
        .iter()
        .map(|i| i["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons[0],
        "Due for a catch-up: last contact 40 days ago (every 30 days)"
    );
    assert_eq!(
        reasons[1],
        "Follow up on the coffee or lunch 6 days ago: was due 2 days ago"
    );
    assert_eq!(reasons[2], "Asked 16 days ago, no answer yet");
    assert_eq!(reasons[3], "Asked 14 days ago, no answer yet");
    assert_eq!(
        reasons[4],
        "Follow up on the call 5 days ago: due in 3 days"
    );
    assert!(
        reasons[5].contains("Dan") && reasons[5].contains("proposed"),
        "{}",
        reasons[5]
    );
    assert!(reasons[6].contains("comfort 3"), "{}", reasons[6]);
    assert!(reasons[7].starts_with("Rated 5"), "{}", reasons[7]);
    assert_eq!(items[1]["interaction_id"], json!(paula_coffee));
    assert_eq!(items[4]["interaction_id"], json!(fred_call));
    assert_eq!(items[5]["introduction_id"], introduction["id"]);
    for (n, item) in items.iter().enumerate() {
        let object = item.as_object().unwrap();
        assert_eq!(
            object.contains_key("interaction_id"),
            n == 1 || n == 4,
            "{item}"
        );
        assert_eq!(object.contains_key("introduction_id"), n == 5, "{item}");
    }

    // Pages of any size walk the same queue, with a next link.
    for limit in 1..=3 {
        let mut walked = Vec::new();
        let mut url = format!("/nurture?limit={limit}");
        loop {
            let response = api.call(Method::GET, &url, None, None).await;
            assert_eq!(response.status(), 200);
            let link = response
                .headers()
                .get("link")
                .map(|l| l.to_str().unwrap().to_owned());
            let page: Value = response.json().await.unwrap();
            let page_items = page["items"].as_array().unwrap();
            assert!(page_items.len() <= limit);
            walked.extend(page_items.iter().cloned());
            match page["next_cursor"].as_str() {
                Some(cursor) => {
                    let link = link.expect("a Link header with the next page");
                    assert!(
                        link.contains("rel=\"next\"") && link.contains(cursor),
                        "{link}"
                    );
                    url = format!("/nurture?limit={limit}&cursor={cursor}");
                }
                None => break,
            }
        }
        assert_eq!(walked, items, "pages of {limit}");
    }

    // Doing the to-do takes it off the list.
    api.log(&paula, "call", 0, None).await;
    let alice = items[2]["contact"]["id"].as_str().unwrap();
    api.connection(alice, "open").await;
    let after = api.json(Method::GET, "/nurture", None).await;
    let names: Vec<String> = summary(after["items"].as_array().unwrap())
        .into_iter()
        .map(|(_, name, _)| name)
        .collect();
    assert_eq!(names, ["Olga", "Tess", "Fred", "Carol", "Rita", "Mona"]);
}

async fn another_users_queue_is_empty(backend: Backend) {
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
    let olga = ada_api
        .contact(json!({"name": "Olga", "cadence_days": 7}))
        .await;
    ada_api.log(&olga, "call", 20, Some(-1)).await;
    let mona = ada_api.contact(json!({"name": "Mona"})).await;
    ada_api.rate(&mona, 5).await;
    let asked = ada_api.contact(json!({"name": "Alice"})).await;
    ada_api.connection(&asked, "asked").await;
    backdate_ask(&app, &asked, 20).await;
    ada_api
        .json(
            Method::POST,
            "/introductions",
            Some(json!({"contact_a": olga, "contact_b": mona, "reason": "r",
                        "confirm_low_comfort": true})),
        )
        .await;
    let ada_queue = ada_api.json(Method::GET, "/nurture", None).await;
    assert!(ada_queue["items"].as_array().unwrap().len() >= 5);

    let eve_queue = eve_api.json(Method::GET, "/nurture", None).await;
    assert_eq!(eve_queue, json!({"items": [], "next_cursor": null}));
    // A cursor from someone else's queue shows nothing of theirs either.
    let first = ada_api.json(Method::GET, "/nurture?limit=1", None).await;
    let cursor = first["next_cursor"].as_str().unwrap();
    let eve_page = eve_api
        .json(Method::GET, &format!("/nurture?cursor={cursor}"), None)
        .await;
    assert_eq!(eve_page["items"], json!([]));
}

async fn bad_limits_and_cursors_name_the_field(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    for query in ["limit=0", "limit=201", "limit=ten"] {
        let response = api
            .call(Method::GET, &format!("/nurture?{query}"), None, None)
            .await;
        assert_eq!(
            fields(&problem(response, 422, "validation_failed").await),
            ["limit"],
            "{query}"
        );
    }
    let response = api
        .call(
            Method::GET,
            "/nurture?cursor=not-a-cursor&limit=200",
            None,
            None,
        )
        .await;
    assert_eq!(
        fields(&problem(response, 422, "validation_failed").await),
        ["cursor"]
    );
    let unauthenticated = app
        .client()
        .get(app.url("/api/v1/nurture"))
        .send()
        .await
        .unwrap();
    problem(unauthenticated, 401, "unauthorized").await;
}

/// "Today" is each user's own: at 23:30 UTC on 10 March 2026 it is already
/// the 11th in Auckland and still the 10th in Los Angeles. A contact due on
/// the 11th is due (in the list and the queue) for the first, not yet for
/// the second; a time zone the server does not know is refused.
async fn days_follow_each_users_time_zone_around_midnight_utc(backend: Backend) {
    use rapport_server::config::Clock;
    let evening: chrono::DateTime<chrono::Utc> = "2026-03-10T23:30:00Z".parse().unwrap();
    let Some(app) = TestApp::spawn_with(backend, |c| {
        c.registration = RegistrationMode::Open;
        c.clock = Clock::Fixed(evening);
    })
    .await
    else {
        return;
    };
    let kiri = app.new_user("kiri@example.com").await;
    let lena = app.new_user("lena@example.com").await;
    for (who, zone) in [(&kiri, "Pacific/Auckland"), (&lena, "America/Los_Angeles")] {
        let api = Api { app: &app, who };
        assert_eq!(
            api.json(Method::GET, "/me", None).await["time_zone"],
            Value::Null
        );
        let me = api
            .json(Method::PATCH, "/me", Some(json!({"time_zone": zone})))
            .await;
        assert_eq!(me["time_zone"], zone);
        // Met 30 days before the 11th, every 30 days: due on the 11th.
        api.contact(json!({"name": "Due Soon", "cadence_days": 30,
            "how_met": {"met_on": "2026-02-09"}}))
            .await;
    }
    let due = |who| {
        let api = Api { app: &app, who };
        async move {
            let list = api.json(Method::GET, "/contacts?due=true", None).await;
            let queue = api.json(Method::GET, "/nurture", None).await;
            (
                list["items"].as_array().unwrap().len(),
                summary(queue["items"].as_array().unwrap()),
            )
        }
    };
    let (listed, queue) = due(&kiri).await;
    assert_eq!(listed, 1, "due today in Auckland");
    assert_eq!(
        queue,
        vec![(
            "overdue".to_owned(),
            "Due Soon".to_owned(),
            json!("2026-03-11")
        )]
    );
    let (listed, queue) = due(&lena).await;
    assert_eq!(listed, 0, "not yet due in Los Angeles");
    assert!(queue.is_empty(), "{queue:?}");

    let api = Api {
        app: &app,
        who: &lena,
    };
    for zone in ["Mars/Olympus", "Europe/Berlin; drop", ""] {
        let response = api
            .call(Method::PATCH, "/me", Some(json!({"time_zone": zone})), None)
            .await;
        let body = problem(response, 422, "validation_failed").await;
        assert_eq!(fields(&body), ["time_zone"], "{zone:?}");
    }
    assert_eq!(
        api.json(Method::GET, "/me", None).await["time_zone"],
        "America/Los_Angeles",
        "unchanged"
    );
}

rapport_tests::on_both_backends!(
    days_follow_each_users_time_zone_around_midnight_utc,
    the_queue_holds_each_kind_in_the_documented_order,
    another_users_queue_is_empty,
    bad_limits_and_cursors_name_the_field,
);
