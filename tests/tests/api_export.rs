//! Exports (JSON, CSV, vCard) and the calendar feed, through the real
//! server on both backends. The vCard and iCalendar answers are read back
//! with the `ical` crate, a parser independent of the crates that write
//! them.

use std::collections::HashMap;

use rapport_tests::{id, open_app, problem, Api, Backend, SignedIn, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const TRICKY_NAME: &str = "Lovelace, Ada; Countess";
const LONG_NAME: &str =
    "Zoë Łukasiewicz-Ñúñez 日本語の名前 Ærøskøbing Þórsdóttir Ğüçlü Ōsaka Ψηφιακή Долгорукова";
const NOTES: &str = "First line\nSecond; with, punctuation\\ and a backslash\n\nLast: ünïcödé";
const FORMULA_COMPANY: &str = "=HYPERLINK(\"http://evil.example\",\"click\")";
const PHONE: &str = "+44 20 7946 0958";
const LINKEDIN: &str = "https://www.linkedin.com/in/ada-lovelace";

/// Ada's network: tricky names and values, histories, an interaction with
/// a follow-up, an event and an introduction. Returns the ids by name.
async fn ada_network(app: &TestApp, ada: &SignedIn) -> HashMap<&'static str, String> {
    let api = Api { app, who: ada };
    let today = chrono::Utc::now().date_naive();
    let event = api
        .create(
            "/events",
            json!({"name": "RustConf, \"Day 1\"", "starts_on": today.to_string(),
                   "place": "Portland; Oregon", "passphrase": "ferris"}),
        )
        .await;
    let tricky = api
        .create(
            "/contacts",
            json!({
                "name": TRICKY_NAME,
                "emails": ["ada@example.com", "countess@example.org"],
                "phones": [PHONE],
                "company": FORMULA_COMPANY,
                "title": "-1 Chief Mathematician",
                "location": "Kraków, PL",
                "urls": [LINKEDIN, "https://example.org/ada"],
                "tags": ["@home", "maths, logic", "rust"],
                "notes": NOTES,
                "how_met": {"met_on": today.to_string(), "event_id": id(&event), "place": "Hall B"},
                "cadence_days": 30,
            }),
        )
        .await;
    let long = api
        .create(
            "/contacts",
            json!({"name": LONG_NAME, "emails": ["zoe@example.com"], "cadence_days": 14,
                   "how_met": {"introduced_by": id(&tricky)}}),
        )
        .await;
    let archived = api
        .create(
            "/contacts",
            json!({"name": "Archie Ved", "archived": true, "cadence_days": 7}),
        )
        .await;
    let path = format!("/contacts/{}/comfort", id(&tricky));
    for (rating, reason) in [(2, "met once"), (4, "worked together")] {
        let response = api
            .call(
                Method::PUT,
                &path,
                Some(json!({"rating": rating, "reason": reason})),
                None,
            )
            .await;
        assert_eq!(response.status(), 200, "rate {rating}");
    }
    let response = api
        .call(
            Method::POST,
            &format!("/contacts/{}/connection", id(&long)),
            Some(json!({"status": "asked", "note": "after the talk"})),
            None,
        )
        .await;
    assert_eq!(response.status(), 200);
    let follow_up = (today + chrono::Duration::days(5)).to_string();
    let interaction = api
        .create(
            "/interactions",
            json!({"contact_ids": [id(&tricky), id(&long)], "kind": "coffee_or_lunch",
                   "occurred_on": today.to_string(), "depth": "in_depth", "initiated_by": "me",
                   "notes": "private lunch notes", "follow_up_on": follow_up}),
        )
        .await;
    let introduction = api
        .create(
            "/introductions",
            json!({"contact_a": id(&tricky), "contact_b": id(&long),
                   "reason": "both love engines", "confirm_low_comfort": true}),
        )
        .await;
    HashMap::from([
        ("event", id(&event)),
        ("tricky", id(&tricky)),
        ("long", id(&long)),
        ("archived", id(&archived)),
        ("interaction", id(&interaction)),
        ("introduction", id(&introduction)),
    ])
}

/// Eve's one contact, interaction and event, which must never show in Ada's exports.
async fn eve_network(app: &TestApp, eve: &SignedIn) -> Vec<String> {
    let api = Api { app, who: eve };
    let today = chrono::Utc::now().date_naive().to_string();
    let mallory = api
        .create(
            "/contacts",
            json!({"name": "Mallory Secret", "emails": ["mallory@example.com"], "cadence_days": 10}),
        )
        .await;
    let interaction = api
        .create(
            "/interactions",
            json!({"contact_ids": [id(&mallory)], "kind": "call", "occurred_on": today,
                   "depth": "brief", "initiated_by": "them", "follow_up_on": today}),
        )
        .await;
    let event = api
        .create(
            "/events",
            json!({"name": "Eve's meetup", "starts_on": today}),
        )
        .await;
    vec![id(&mallory), id(&interaction), id(&event)]
}

async fn download(
    app: &TestApp,
    who: &SignedIn,
    path: &str,
) -> (reqwest::header::HeaderMap, String) {
    let response = Api { app, who }.call(Method::GET, path, None, None).await;
    assert_eq!(response.status(), 200, "GET {path}");
    let headers = response.headers().clone();
    (headers, response.text().await.unwrap())
}

/// Uploads an account export (JSON) to preview it as an import.
async fn upload(app: &TestApp, who: &SignedIn, doc: &Value) -> reqwest::Response {
    app.client()
        .post(app.url("/api/v1/imports"))
        .bearer_auth(&who.token)
        .body(serde_json::to_vec(doc).unwrap())
        .send()
        .await
        .unwrap()
}

fn header<'a>(headers: &'a reqwest::header::HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// Every line ends in CRLF and none is longer than 75 octets (RFC 5545
/// 3.1, RFC 6350 3.2).
fn assert_folded_crlf(text: &str) {
    assert!(text.ends_with("\r\n"));
    for line in text.split_terminator("\r\n") {
        assert!(
            !line.contains('\n') && !line.contains('\r'),
            "bare line break in {line:?}"
        );
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }
}

/// A text value of vCard/iCalendar with its escapes undone (RFC 6350 3.4).
fn unescape(value: &str) -> String {
    let mut out = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// Splits a value at `separator`s that are not escaped, and unescapes each part.
fn split_unescaped(value: &str, separator: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            parts.last_mut().unwrap().push(c);
            if let Some(next) = chars.next() {
                parts.last_mut().unwrap().push(next);
            }
        } else if c == separator {
            parts.push(String::new());
        } else {
            parts.last_mut().unwrap().push(c);
        }
    }
    parts.iter().map(|p| unescape(p)).collect()
}

async fn csv_export_has_my_contacts_only_with_formulas_neutralised(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let eve = app.new_user("eve@example.com").await;
    let ids = ada_network(&app, &ada).await;
    eve_network(&app, &eve).await;

    let (headers, text) = download(&app, &ada, "/export/contacts.csv").await;
    assert_eq!(header(&headers, "content-type"), "text/csv; charset=utf-8");
    let disposition = header(&headers, "content-disposition");
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(disposition.contains("rapport-contacts-") && disposition.contains(".csv"));
    assert!(!text.contains("Mallory"), "another user's contact");

    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header_row: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header_row,
        rapport_server::service::export::CSV_COLUMNS.to_vec()
    );
    let rows: Vec<HashMap<String, String>> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header_row
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_owned))
                .collect()
        })
        .collect();
    let names: Vec<&str> = rows.iter().map(|r| r["name"].as_str()).collect();
    assert_eq!(
        names,
        ["Archie Ved", TRICKY_NAME, LONG_NAME],
        "all of mine, archived too"
    );
    let ada_row = &rows[1];
    assert_eq!(ada_row["id"], ids["tricky"]);
    assert_eq!(
        ada_row["emails"],
        "ada@example.com ::: countess@example.org"
    );
    assert_eq!(ada_row["company"], format!("'{FORMULA_COMPANY}"));
    assert_eq!(ada_row["phones"], format!("'{PHONE}"));
    assert_eq!(ada_row["title"], "'-1 Chief Mathematician");
    assert_eq!(ada_row["tags"], "'@home ::: maths, logic ::: rust");
    assert_eq!(ada_row["notes"], NOTES, "line breaks survive quoting");
    assert_eq!(ada_row["comfort"], "4");
    assert_eq!(ada_row["met_event"], "RustConf, \"Day 1\"");
    assert_eq!(ada_row["met_place"], "Hall B");
    assert_eq!(ada_row["archived"], "false");
    assert_eq!(rows[2]["introduced_by"], TRICKY_NAME);
    assert_eq!(rows[2]["connection_status"], "asked");
    assert_eq!(rows[2]["comfort"], "");
    assert_eq!(rows[0]["archived"], "true");
    // No cell of any row starts as a formula would.
    for row in &rows {
        for (column, cell) in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{column} = {cell:?}"
            );
        }
    }

    let (_, theirs) = download(&app, &eve, "/export/contacts.csv").await;
    assert!(theirs.contains("Mallory Secret"));
    for id in ids.values() {
        assert!(!theirs.contains(id.as_str()));
    }
    assert!(!theirs.contains("Lovelace"));
}

async fn vcard_export_parses_in_an_independent_parser(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let eve = app.new_user("eve@example.com").await;
    let ids = ada_network(&app, &ada).await;
    eve_network(&app, &eve).await;

    let (headers, text) = download(&app, &ada, "/export/contacts.vcf").await;
    assert_eq!(
        header(&headers, "content-type"),
        "text/vcard; charset=utf-8"
    );
    assert!(header(&headers, "content-disposition").starts_with("attachment"));
    assert_folded_crlf(&text);
    assert!(!text.contains("Mallory"));

    let cards: Vec<ical::parser::vcard::component::VcardContact> =
        ical::VcardParser::new(text.as_bytes())
            .collect::<Result<_, _>>()
            .expect("every card parses");
    assert_eq!(cards.len(), 3, "one card per contact of mine");
    let by_fn: HashMap<String, &ical::parser::vcard::component::VcardContact> = cards
        .iter()
        .map(|card| {
            let name = card
                .properties
                .iter()
                .find(|p| p.name == "FN")
                .and_then(|p| p.value.as_deref())
                .expect("an FN");
            (unescape(name), card)
        })
        .collect();
    let values = |card: &ical::parser::vcard::component::VcardContact, name: &str| -> Vec<String> {
        card.properties
            .iter()
            .filter(|p| p.name == name)
            .map(|p| p.value.clone().unwrap_or_default())
            .collect()
    };
    for card in &cards {
        assert_eq!(values(card, "VERSION"), ["4.0"]);
    }
    let ada_card = by_fn
        .get(TRICKY_NAME)
        .expect("the comma and semicolon survive");
    assert_eq!(
        values(ada_card, "UID"),
        [format!("urn:uuid:{}", ids["tricky"])]
    );
    let n = split_unescaped(&values(ada_card, "N")[0], ';');
    assert_eq!(n, ["Countess", "Lovelace, Ada;", "", "", ""]);
    assert_eq!(
        values(ada_card, "EMAIL"),
        ["ada@example.com", "countess@example.org"]
    );
    assert_eq!(values(ada_card, "TEL"), [PHONE]);
    assert_eq!(
        values(ada_card, "ORG")
            .iter()
            .map(|v| unescape(v))
            .collect::<Vec<_>>(),
        [FORMULA_COMPANY]
    );
    assert_eq!(unescape(&values(ada_card, "NOTE")[0]), NOTES);
    assert_eq!(
        split_unescaped(&values(ada_card, "CATEGORIES")[0], ','),
        ["@home", "maths, logic", "rust"]
    );
    assert_eq!(values(ada_card, "X-RAPPORT-COMFORT"), ["4"]);
    let familiarity: u8 = values(ada_card, "X-RAPPORT-FAMILIARITY")[0]
        .parse()
        .unwrap();
    assert!(familiarity > 0, "an in-depth lunch counts");
    assert_eq!(
        values(ada_card, "URL"),
        [LINKEDIN, "https://example.org/ada"]
    );
    let social = ada_card
        .properties
        .iter()
        .find(|p| p.name == "X-SOCIALPROFILE")
        .expect("LinkedIn as a social profile");
    assert_eq!(social.value.as_deref(), Some(LINKEDIN));
    let params = social.params.clone().unwrap_or_default();
    assert!(params
        .iter()
        .any(|(k, v)| k == "TYPE" && v.iter().any(|t| t.eq_ignore_ascii_case("linkedin"))));
    let adr = split_unescaped(&values(ada_card, "ADR")[0], ';');
    assert_eq!(adr[3], "Kraków, PL");
    assert_eq!(values(ada_card, "REV").len(), 1);

    let long_card = by_fn
        .get(LONG_NAME)
        .expect("a long non-ASCII name, folded and unfolded");
    assert_eq!(values(long_card, "X-RAPPORT-COMFORT"), Vec::<String>::new());
    assert_eq!(values(long_card, "X-RAPPORT-CONNECTION-STATUS"), ["asked"]);
    assert!(by_fn.contains_key("Archie Ved"));

    let (_, theirs) = download(&app, &eve, "/export/contacts.vcf").await;
    let their_cards = ical::VcardParser::new(theirs.as_bytes()).count();
    assert_eq!(their_cards, 1);
    for id in ids.values() {
        assert!(!theirs.contains(id.as_str()));
    }
}

async fn the_json_export_holds_my_whole_account_and_nothing_else(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let eve = app.new_user("eve@example.com").await;
    let ids = ada_network(&app, &ada).await;
    let eves = eve_network(&app, &eve).await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    let settings = json!({"connection_policy": "when_i_would_refer", "familiarity_threshold": 40,
                          "comfort_threshold": 4, "default_cadence_days": 60});
    let response = api
        .call(Method::PUT, "/me/settings", Some(settings.clone()), None)
        .await;
    assert_eq!(response.status(), 200);

    // A read-only token may export.
    let token = api
        .create("/me/tokens", json!({"name": "backup", "scope": "read"}))
        .await;
    let secret = token["secret"].as_str().unwrap();
    let response = app
        .client()
        .get(app.url("/api/v1/export"))
        .bearer_auth(secret)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        header(response.headers(), "content-type"),
        "application/json"
    );
    assert!(header(response.headers(), "content-disposition").contains(".json"));
    let text = response.text().await.unwrap();
    for id in &eves {
        assert!(!text.contains(id.as_str()), "another user's {id}");
    }
    assert!(!text.contains("Mallory"));
    let doc: Value = serde_json::from_str(&text).unwrap();
    let typed: rapport_core::export::AccountExport =
        serde_json::from_value(doc.clone()).expect("the core type reads it back");
    typed.check_format().unwrap();

    assert_eq!(doc["format"], "rapport-account-export");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["account"]["email"], "ada@example.com");
    assert_eq!(doc["settings"], settings);
    let contacts = doc["contacts"].as_array().unwrap();
    assert_eq!(contacts.len(), 3);
    let contact = |key: &str| {
        contacts
            .iter()
            .find(|c| c["id"] == ids[key].as_str())
            .unwrap_or_else(|| panic!("{key} exported"))
    };
    let tricky = contact("tricky");
    assert_eq!(tricky["name"], TRICKY_NAME);
    assert_eq!(tricky["notes"], NOTES);
    assert_eq!(tricky["comfort"], 4);
    let history: Vec<(u64, &str)> = tricky["comfort_history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["rating"].as_u64().unwrap(), r["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(history, [(2, "met once"), (4, "worked together")]);
    assert_eq!(tricky["how_met"]["event_id"], ids["event"].as_str());
    assert_eq!(tricky["how_met"]["place"], "Hall B");
    assert_eq!(tricky["cadence_days"], 30);
    assert_eq!(tricky["connection_status"], "not_connected");
    assert_eq!(tricky["connection_history"], json!([]));
    let long = contact("long");
    assert_eq!(long["how_met"]["introduced_by"], ids["tricky"].as_str());
    assert_eq!(long["connection_status"], "asked");
    let steps = long["connection_history"].as_array().unwrap();
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0]["from_status"], "not_connected");
    assert_eq!(steps[0]["to_status"], "asked");
    assert_eq!(steps[0]["note"], "after the talk");
    assert_eq!(contact("archived")["archived"], true);
    assert!(tricky["derived"]["familiarity"].as_u64().unwrap() > 0);

    let interactions = doc["interactions"].as_array().unwrap();
    assert_eq!(interactions.len(), 1);
    assert_eq!(interactions[0]["id"], ids["interaction"].as_str());
    assert_eq!(interactions[0]["notes"], "private lunch notes");
    let mut involved: Vec<&str> = interactions[0]["contact_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    involved.sort();
    let mut expected = vec![ids["tricky"].as_str(), ids["long"].as_str()];
    expected.sort();
    assert_eq!(involved, expected);
    let events = doc["events"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["passphrase"], "ferris", "the owner's own data");
    let introductions = doc["introductions"].as_array().unwrap();
    assert_eq!(introductions.len(), 1);
    assert_eq!(introductions[0]["contact_a"], ids["tricky"].as_str());
    assert_eq!(introductions[0]["reason"], "both love engines");
    assert_eq!(introductions[0]["status"], "proposed");

    // Eve's export is hers alone.
    let (_, theirs) = download(&app, &eve, "/export").await;
    for id in ids.values() {
        assert!(!theirs.contains(id.as_str()), "Ada's {id} in Eve's export");
    }
    let theirs: Value = serde_json::from_str(&theirs).unwrap();
    assert_eq!(theirs["contacts"].as_array().unwrap().len(), 1);
}

async fn a_large_account_exports_every_contact_and_interaction(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let owner: uuid::Uuid = ada.id().parse().unwrap();
    let today = chrono::Utc::now().date_naive();
    // More contacts and interactions than either database takes parameters
    // in one statement: reads by id lists would fail here.
    const CONTACTS: usize = 3_000;
    let contacts = (0..CONTACTS)
        .map(|n| rapport_core::contact::NewContact {
            name: format!("Person {n:05}"),
            emails: vec![format!("p{n}@example.com")],
            ..Default::default()
        })
        .collect();
    let created = app
        .store
        .create_contacts(owner, contacts, today)
        .await
        .unwrap();
    let interactions = created
        .chunks(2)
        .cycle()
        .take(CONTACTS * 4)
        .enumerate()
        .map(|(n, pair)| rapport_core::network::NewInteraction {
            contact_ids: pair.to_vec(),
            kind: rapport_core::interaction::InteractionKind::Email,
            occurred_on: today - chrono::Duration::days((n % 700) as i64),
            depth: rapport_core::interaction::Depth::Brief,
            initiated_by: rapport_core::interaction::Initiator::Mutual,
            notes: None,
            follow_up_on: None,
        })
        .collect();
    let logged = app
        .store
        .create_interactions(owner, interactions, today)
        .await
        .unwrap();
    assert_eq!(logged, (CONTACTS * 4) as u64);
    let (_, text) = download(&app, &ada, "/export").await;
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["contacts"].as_array().unwrap().len(), CONTACTS);
    let interactions = doc["interactions"].as_array().unwrap();
    assert_eq!(interactions.len(), CONTACTS * 4);
    assert!(interactions
        .iter()
        .all(|i| i["contact_ids"].as_array().unwrap().len() == 2));
    let (_, csv_text) = download(&app, &ada, "/export/contacts.csv").await;
    assert_eq!(
        csv::Reader::from_reader(csv_text.as_bytes())
            .records()
            .count(),
        CONTACTS
    );
}

/// The iCalendar events of a feed, each as property name → (params, value).
type FeedEvent = HashMap<String, (Vec<(String, Vec<String>)>, String)>;

fn feed_events(text: &str) -> Vec<FeedEvent> {
    let calendars: Vec<ical::parser::ical::component::IcalCalendar> =
        ical::IcalParser::new(text.as_bytes())
            .collect::<Result<_, _>>()
            .expect("the feed parses");
    assert_eq!(calendars.len(), 1);
    let calendar = &calendars[0];
    let property = |name: &str| {
        calendar
            .properties
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.clone())
    };
    assert_eq!(property("VERSION").as_deref(), Some("2.0"));
    assert!(property("PRODID").is_some());
    calendar
        .events
        .iter()
        .map(|event| {
            event
                .properties
                .iter()
                .map(|p| {
                    (
                        p.name.clone(),
                        (
                            p.params.clone().unwrap_or_default(),
                            p.value.clone().unwrap_or_default(),
                        ),
                    )
                })
                .collect()
        })
        .collect()
}

async fn create_feed(app: &TestApp, who: &SignedIn) -> String {
    let feed = Api { app, who }
        .create("/me/calendar-feed", json!({}))
        .await;
    assert!(feed["created_at"].is_string());
    let url = feed["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&app.address), "{url}");
    assert!(url.ends_with(".ics"));
    url
}

async fn the_calendar_feed_is_a_parsable_calendar_that_rotates_and_revokes(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let eve = app.new_user("eve@example.com").await;
    let ids = ada_network(&app, &ada).await;
    let eves = eve_network(&app, &eve).await;
    let url = create_feed(&app, &ada).await;

    let response = app.client().get(&url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        header(response.headers(), "content-type"),
        "text/calendar; charset=utf-8"
    );
    let text = response.text().await.unwrap();
    assert_folded_crlf(&text);
    assert!(!text.contains("private lunch notes") && !text.contains("ferris"));
    for id in &eves {
        assert!(!text.contains(id.as_str()), "Eve's {id} in Ada's feed");
    }
    let events = feed_events(&text);
    let by_uid: HashMap<&str, &FeedEvent> =
        events.iter().map(|e| (e["UID"].1.as_str(), e)).collect();
    let today = chrono::Utc::now().date_naive();
    let day = |d: chrono::NaiveDate| d.format("%Y%m%d").to_string();
    let is_date = |params: &Vec<(String, Vec<String>)>| {
        params
            .iter()
            .any(|(k, v)| k == "VALUE" && v == &vec!["DATE".to_owned()])
    };
    for event in &events {
        assert!(event.contains_key("DTSTAMP"), "{event:?}");
        assert!(event["DTSTAMP"].1.ends_with('Z'));
        assert!(is_date(&event["DTSTART"].0), "all-day: {event:?}");
        assert!(is_date(&event["DTEND"].0), "all-day: {event:?}");
    }

    let follow_up = by_uid
        .get(format!("follow-up-{}@rapport", ids["interaction"]).as_str())
        .expect("the follow-up");
    assert_eq!(
        follow_up["DTSTART"].1,
        day(today + chrono::Duration::days(5))
    );
    assert_eq!(follow_up["DTEND"].1, day(today + chrono::Duration::days(6)));
    let summary = unescape(&follow_up["SUMMARY"].1);
    assert!(summary.starts_with("Follow up with "), "{summary}");
    assert!(
        summary.contains(TRICKY_NAME) && summary.contains(LONG_NAME),
        "{summary}"
    );

    let keep = by_uid
        .get(format!("keep-in-touch-{}@rapport", ids["long"]).as_str())
        .expect("the keep-in-touch date of a contact with a cadence");
    assert_eq!(
        unescape(&keep["SUMMARY"].1),
        format!("Keep in touch with {LONG_NAME}")
    );
    assert!(
        !by_uid.contains_key(format!("keep-in-touch-{}@rapport", ids["archived"]).as_str()),
        "archived contacts are not due"
    );

    let event = by_uid
        .get(format!("event-{}@rapport", ids["event"]).as_str())
        .expect("the event");
    assert_eq!(unescape(&event["SUMMARY"].1), "RustConf, \"Day 1\"");
    assert_eq!(unescape(&event["LOCATION"].1), "Portland; Oregon");
    assert_eq!(event["DTSTART"].1, day(today));

    // The same feed twice is the same text: stable UIDs and DTSTAMPs.
    let again = app
        .client()
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(again, text);

    // Eve's feed is hers alone.
    let eve_url = create_feed(&app, &eve).await;
    let theirs = app
        .client()
        .get(&eve_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(theirs.contains(&eves[0]), "Eve's own contact is due");
    for id in ids.values() {
        assert!(!theirs.contains(id.as_str()), "Ada's {id} in Eve's feed");
    }

    // Rotating: the old address is gone, the new one works.
    let rotated = create_feed(&app, &ada).await;
    assert_ne!(rotated, url);
    problem(
        app.client().get(&url).send().await.unwrap(),
        404,
        "not_found",
    )
    .await;
    assert_eq!(
        app.client().get(&rotated).send().await.unwrap().status(),
        200
    );

    // Revoking: 204, then the address is gone and a second revoke is a 404.
    let api = Api {
        app: &app,
        who: &ada,
    };
    let response = api
        .call(Method::DELETE, "/me/calendar-feed", None, None)
        .await;
    assert_eq!(response.status(), 204);
    problem(
        app.client().get(&rotated).send().await.unwrap(),
        404,
        "not_found",
    )
    .await;
    let response = api
        .call(Method::DELETE, "/me/calendar-feed", None, None)
        .await;
    problem(response, 404, "not_found").await;
    assert_eq!(
        app.client().get(&eve_url).send().await.unwrap().status(),
        200
    );

    // Made-up addresses are 404 problems, never errors.
    for path in [
        "/calendar/rcf_made-up.ics",
        "/calendar/nothing.ics",
        "/calendar/.ics",
        &format!("/calendar/rcf_{}.ics", "x".repeat(5000)),
    ] {
        let response = app.client().get(app.url(path)).send().await.unwrap();
        problem(response, 404, "not_found").await;
    }
}

async fn making_a_feed_needs_write_access(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    let token = api
        .create("/me/tokens", json!({"name": "reader", "scope": "read"}))
        .await;
    let reader = token["secret"].as_str().unwrap();
    for method in [Method::POST, Method::DELETE] {
        let response = app
            .client()
            .request(method, app.url("/api/v1/me/calendar-feed"))
            .bearer_auth(reader)
            .send()
            .await
            .unwrap();
        problem(response, 403, "insufficient_scope").await;
    }
    let response = app
        .client()
        .post(app.url("/api/v1/me/calendar-feed"))
        .send()
        .await
        .unwrap();
    problem(response, 401, "unauthorized").await;
    let writer = api
        .create("/me/tokens", json!({"name": "writer", "scope": "write"}))
        .await;
    let response = app
        .client()
        .post(app.url("/api/v1/me/calendar-feed"))
        .bearer_auth(writer["secret"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    for path in [
        "/api/v1/export",
        "/api/v1/export/contacts.csv",
        "/api/v1/export/contacts.vcf",
    ] {
        let response = app.client().get(app.url(path)).send().await.unwrap();
        problem(response, 401, "unauthorized").await;
    }
}

/// An export with what must differ between accounts taken out: ids (the
/// objects they name are written by name instead), slugs, the times
/// objects were written, the account itself.
fn comparable(mut doc: Value) -> Value {
    let object = doc.as_object_mut().unwrap();
    object.remove("exported_at");
    object.remove("account");
    let names: HashMap<String, String> = doc["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (id(c), c["name"].as_str().unwrap().to_owned()))
        .collect();
    let events: HashMap<String, String> = doc["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (id(e), e["name"].as_str().unwrap().to_owned()))
        .collect();
    let name_of = |v: &Value, map: &HashMap<String, String>| match v.as_str() {
        Some(id) => json!(map
            .get(id)
            .cloned()
            .unwrap_or_else(|| format!("unknown {id}"))),
        None => Value::Null,
    };
    for contact in doc["contacts"].as_array_mut().unwrap() {
        let c = contact.as_object_mut().unwrap();
        for field in ["id", "created_at", "updated_at"] {
            c.remove(field);
        }
        for history in ["comfort_history", "connection_history"] {
            for entry in c[history].as_array_mut().unwrap() {
                entry.as_object_mut().unwrap().remove("id");
            }
        }
        if let Some(how) = c.get_mut("how_met").and_then(Value::as_object_mut) {
            let event = name_of(&how["event_id"], &events);
            let by = name_of(&how["introduced_by"], &names);
            how.insert("event_id".into(), event);
            how.insert("introduced_by".into(), by);
        }
    }
    for interaction in doc["interactions"].as_array_mut().unwrap() {
        let i = interaction.as_object_mut().unwrap();
        for field in ["id", "created_at", "updated_at"] {
            i.remove(field);
        }
        let mut who: Vec<Value> = i["contact_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| name_of(c, &names))
            .collect();
        who.sort_by_key(|v| v.to_string());
        i.insert("contact_ids".into(), json!(who));
    }
    for event in doc["events"].as_array_mut().unwrap() {
        let e = event.as_object_mut().unwrap();
        for field in ["id", "slug", "created_at", "updated_at"] {
            e.remove(field);
        }
    }
    for introduction in doc["introductions"].as_array_mut().unwrap() {
        let i = introduction.as_object_mut().unwrap();
        for field in ["id", "updated_at"] {
            i.remove(field);
        }
        let a = name_of(&i["contact_a"], &names);
        let b = name_of(&i["contact_b"], &names);
        i.insert("contact_a".into(), a);
        i.insert("contact_b".into(), b);
    }
    for list in ["interactions", "events", "introductions"] {
        doc[list]
            .as_array_mut()
            .unwrap()
            .sort_by_key(|v| v.to_string());
    }
    doc
}

/// Full export → import into an empty account → export again: the same
/// document but for ids and the times things were written; and the CSV and
/// vCard exports imported back into the same account double nobody.
async fn the_full_export_round_trips_through_an_import(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let ada = app.new_user("ada@example.com").await;
    let ids = ada_network(&app, &ada).await;
    let api = Api {
        app: &app,
        who: &ada,
    };
    let until = (chrono::Utc::now().date_naive() + chrono::Duration::days(20)).to_string();
    let snoozed = api
        .call(
            Method::POST,
            &format!("/contacts/{}/snooze", ids["long"]),
            Some(json!({"until": until})),
            None,
        )
        .await;
    assert_eq!(snoozed.status(), 200);
    let settings = json!({"connection_policy": "after_talking", "familiarity_threshold": 30,
                          "comfort_threshold": 3, "default_cadence_days": 45});
    api.json(Method::PUT, "/me/settings", Some(settings)).await;
    let (_, original) = download(&app, &ada, "/export").await;

    let bea = app.new_user("bea@example.com").await;
    let bea_api = Api {
        app: &app,
        who: &bea,
    };
    let response = app
        .client()
        .post(app.url("/api/v1/imports?filename=rapport-export.json"))
        .bearer_auth(&bea.token)
        .header("content-type", "application/json")
        .body(original.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let import: Value = response.json().await.unwrap();
    assert_eq!(import["format"], "rapport_json");
    assert_eq!(import["totals"]["new"], 3);
    let committed = bea_api
        .json(
            Method::POST,
            &format!("/imports/{}/commit", id(&import)),
            Some(json!({})),
        )
        .await;
    assert_eq!(committed["result"]["interactions"], 1);
    let (_, restored) = download(&app, &bea, "/export").await;
    let original: Value = serde_json::from_str(&original).unwrap();
    let restored: Value = serde_json::from_str(&restored).unwrap();
    assert_eq!(comparable(restored.clone()), comparable(original.clone()));
    assert_ne!(restored["contacts"][0]["id"], original["contacts"][0]["id"]);

    // What the commit would restore is checked like the API's own input:
    // a comfort out of range or a NUL in a note is a clear 422, never a 500.
    for (path, bad) in [
        ("/contacts/0/comfort", json!(9)),
        ("/interactions/0/notes", json!("before\u{0}after")),
        ("/introductions/0/reason", json!("")),
    ] {
        let mut doc = original.clone();
        *doc.pointer_mut(path).unwrap() = bad;
        problem(upload(&app, &bea, &doc).await, 422, "import_unreadable").await;
    }

    // Importing it again changes nothing.
    let again: Value = upload(&app, &bea, &original).await.json().await.unwrap();
    assert_eq!(
        (
            again["totals"]["new"].as_u64(),
            again["totals"]["interactions"].as_u64()
        ),
        (Some(0), Some(0))
    );

    // CSV and vCard exports come back into the same account without doubles.
    for path in ["/export/contacts.csv", "/export/contacts.vcf"] {
        let (_, text) = download(&app, &ada, path).await;
        let response = app
            .client()
            .post(app.url("/api/v1/imports?filename=back"))
            .bearer_auth(&ada.token)
            .body(text)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{path}");
        let back: Value = response.json().await.unwrap();
        assert_eq!(back["totals"]["new"], 0, "{path}: {back}");
        assert_eq!(back["totals"]["error"], 0, "{path}: {back}");
    }
}

rapport_tests::on_both_backends!(
    the_full_export_round_trips_through_an_import,
    csv_export_has_my_contacts_only_with_formulas_neutralised,
    vcard_export_parses_in_an_independent_parser,
    the_json_export_holds_my_whole_account_and_nothing_else,
    a_large_account_exports_every_contact_and_interaction,
    the_calendar_feed_is_a_parsable_calendar_that_rotates_and_revokes,
    making_a_feed_needs_write_access,
);
