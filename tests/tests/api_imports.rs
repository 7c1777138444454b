//! Imports through the API on both backends: real files as their makers
//! write them, previewed, committed in one transaction, re-imported without
//! doubling anyone, and undone.

use std::io::Write;

use rapport_tests::{id, open_app, problem, Api, Backend, SignedIn, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const CONNECTIONS: &str = "Notes:\r\n\"When exporting your connection data, you may notice that some of the email addresses are missing. You will only see email addresses for connections who have allowed their connections to see or download their email address using this setting https://www.linkedin.com/psettings/privacy/email. You can learn more here https://www.linkedin.com/help/linkedin/answer/261\"\r\n\r\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\r\nAda,Lovelace,https://www.linkedin.com/in/ada-lovelace,,Analytical Engines,Founder,08 Feb 2026\r\nGrace,Hopper,https://www.linkedin.com/in/grace-hopper,grace@navy.example,US Navy,\"Rear Admiral, retired\",15 Jan 2024\r\nAlan,Turing,https://www.linkedin.com/in/alan-turing,,Bletchley Park,Cryptanalyst,01 Mar 2025\r\n";

async fn upload(app: &TestApp, who: &SignedIn, name: &str, body: Vec<u8>) -> reqwest::Response {
    app.client()
        .post(app.url(&format!("/api/v1/imports?filename={name}")))
        .bearer_auth(&who.token)
        .header("content-type", "application/octet-stream")
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn previewed(app: &TestApp, who: &SignedIn, name: &str, body: &[u8]) -> Value {
    let response = upload(app, who, name, body.to_vec()).await;
    assert_eq!(response.status(), 201, "upload {name}");
    response.json().await.unwrap()
}

async fn rows(api: &Api<'_>, import: &Value) -> Vec<Value> {
    let page = api
        .json(
            Method::GET,
            &format!("/imports/{}/rows?limit=200", id(import)),
            None,
        )
        .await;
    page["items"].as_array().unwrap().clone()
}

async fn commit(api: &Api<'_>, import: &Value, options: Value) -> Value {
    let response = api
        .call(
            Method::POST,
            &format!("/imports/{}/commit", id(import)),
            Some(options),
            None,
        )
        .await;
    assert_eq!(response.status(), 200, "commit");
    response.json().await.unwrap()
}

async fn all_contacts(api: &Api<'_>) -> Vec<Value> {
    let page = api.json(Method::GET, "/contacts?limit=200", None).await;
    page["items"].as_array().unwrap().clone()
}

fn named<'v>(contacts: &'v [Value], name: &str) -> &'v Value {
    contacts
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("{name} is among the contacts"))
}

async fn linkedin_connections_are_previewed_committed_and_reimported(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let me = app.new_user("me@example.com").await;
    let api = Api {
        app: &app,
        who: &me,
    };
    // Already one of mine, under another form of the same profile URL.
    let grace = api
        .create(
            "/contacts",
            json!({"name": "Grace B. Hopper", "urls": ["http://uk.linkedin.com/in/grace-hopper/?trk=x"],
                   "notes": "mentor"}),
        )
        .await;

    let import = previewed(&app, &me, "Connections.csv", CONNECTIONS.as_bytes()).await;
    assert_eq!(import["status"], "previewed");
    assert_eq!(import["format"], "linkedin_connections");
    assert_eq!(import["filename"], "Connections.csv");
    assert_eq!(
        import["detected"],
        "LinkedIn connections, UTF-8, comma-separated, header on line 4"
    );
    assert_eq!(import["totals"]["new"], 2);
    assert_eq!(import["totals"]["update"], 1);
    assert_eq!(
        all_contacts(&api).await.len(),
        1,
        "a preview writes nothing"
    );
    let report = rows(&api, &import).await;
    let lines: Vec<(u64, &str)> = report
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(lines, [(5, "new"), (6, "update"), (7, "new")]);
    assert_eq!(report[1]["contact_id"], grace["id"]);
    assert_eq!(report[1]["candidate_name"], "Grace B. Hopper");

    let committed = commit(&api, &import, json!({})).await;
    assert_eq!(committed["status"], "committed");
    assert_eq!(committed["result"]["created"].as_array().unwrap().len(), 2);
    assert_eq!(committed["result"]["updated"], json!([grace["id"]]));
    let contacts = all_contacts(&api).await;
    assert_eq!(contacts.len(), 3);
    let ada = named(&contacts, "Ada Lovelace");
    assert_eq!(ada["company"], "Analytical Engines");
    assert_eq!(ada["title"], "Founder");
    assert_eq!(ada["connection_status"], "connected");
    assert_eq!(ada["how_met"]["met_on"], "2026-02-08");
    assert_eq!(ada["how_met"]["context"], "Connected on LinkedIn");
    // Written with its derived state, as any later change recomputes it.
    assert!(ada["next_due_on"].is_string(), "{ada}");
    let patched: Value = api
        .call(
            Method::PATCH,
            &format!("/contacts/{}", id(ada)),
            Some(json!({"location": "London"})),
            Some("*"),
        )
        .await
        .json()
        .await
        .unwrap();
    for field in ["familiarity", "next_due_on", "last_interaction_on"] {
        assert_eq!(patched[field], ada[field], "{field}");
    }
    let tag = ada["tags"][0].as_str().unwrap();
    assert!(tag.starts_with("linkedin import "), "{tag}");
    let grace = named(&contacts, "Grace B. Hopper");
    assert_eq!(
        grace["company"], "US Navy",
        "a LinkedIn export says where people work now"
    );
    assert_eq!(grace["emails"], json!(["grace@navy.example"]));
    assert_eq!(grace["notes"], "mentor", "what I wrote stays");
    assert_eq!(grace["connection_status"], "connected");
    let history = api
        .json(
            Method::GET,
            &format!("/contacts/{}/connection/history", id(grace)),
            None,
        )
        .await;
    assert_eq!(history["items"][0]["to_status"], "connected");
    let again = api
        .call(
            Method::POST,
            &format!("/imports/{}/commit", id(&import)),
            Some(json!({})),
            None,
        )
        .await;
    problem(again, 409, "conflict").await;

    // The same export again: nobody doubled, nothing to change.
    let same = previewed(&app, &me, "Connections.csv", CONNECTIONS.as_bytes()).await;
    assert_eq!(
        (
            same["totals"]["new"].as_u64(),
            same["totals"]["skipped"].as_u64()
        ),
        (Some(0), Some(3))
    );
    let same = commit(&api, &same, json!({})).await;
    assert_eq!(same["result"]["created"], json!([]));
    assert_eq!(all_contacts(&api).await.len(), 3);

    // A newer export: Ada moved on, and a new connection.
    let newer = CONNECTIONS
        .replace("Analytical Engines,Founder", "Royal Society,Fellow")
        + "Katherine,Johnson,https://www.linkedin.com/in/kjohnson,,NASA,Mathematician,02 Nov 2026\r\n";
    let newer = previewed(&app, &me, "Connections.csv", newer.as_bytes()).await;
    assert_eq!(
        (
            newer["totals"]["new"].as_u64(),
            newer["totals"]["update"].as_u64()
        ),
        (Some(1), Some(1))
    );
    commit(&api, &newer, json!({})).await;
    let contacts = all_contacts(&api).await;
    assert_eq!(contacts.len(), 4);
    assert_eq!(named(&contacts, "Ada Lovelace")["company"], "Royal Society");

    let listed = api.json(Method::GET, "/imports", None).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 3);
    assert_eq!(listed["items"][0]["id"], newer["id"], "newest first");
}

async fn files_as_people_have_them(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let me = app.new_user("me@example.com").await;
    let api = Api {
        app: &app,
        who: &me,
    };
    // Google Contacts, saved by Excel as "Unicode text": UTF-16 with a BOM,
    // tab-separated.
    let google = "First Name\tMiddle Name\tLast Name\tOrganization Name\tOrganization Title\tLabels\tE-mail 1 - Label\tE-mail 1 - Value\tPhone 1 - Label\tPhone 1 - Value\r\nJosé\t\tNúñez\tAcme\tCTO\t* myContacts ::: Mentors\t* Work\tjose@acme.example ::: jn@home.example\tMobile\t+34 600 000 000\r\n";
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(google.encode_utf16().flat_map(u16::to_le_bytes));
    let import = previewed(&app, &me, "google.txt", &utf16).await;
    assert_eq!(import["format"], "google_csv");
    assert_eq!(import["encoding"], "UTF-16LE");
    assert_eq!(import["separator"], "tab");
    commit(&api, &import, json!({})).await;
    let jose = &all_contacts(&api).await[0];
    assert_eq!(jose["name"], "José Núñez");
    assert_eq!(
        jose["emails"],
        json!(["jose@acme.example", "jn@home.example"])
    );
    assert_eq!(jose["tags"][0], "Mentors");

    // Outlook from a European Excel: Windows-1252 and semicolons.
    let outlook = "First Name;Last Name;E-mail Address;Company;Job Title\r\nFrançois;Léger;francois@example.fr;Société Générale;Analyste\r\n";
    // Windows-1252 agrees with Latin-1 for these characters.
    let latin: Vec<u8> = outlook.chars().map(|c| c as u32 as u8).collect();
    let import = previewed(&app, &me, "outlook.csv", &latin).await;
    assert_eq!(import["format"], "outlook_csv");
    assert_eq!(import["encoding"], "windows-1252");
    assert_eq!(import["separator"], "semicolon");
    commit(&api, &import, json!({})).await;
    assert!(all_contacts(&api)
        .await
        .iter()
        .any(|c| c["company"] == "Société Générale"));

    // A vCard sent as a form, Apple style, with a photo and a card with a
    // bad email.
    let vcard = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Hopper;Grace;;;\r\nFN:Grace Hopper\r\nORG:US Navy;\r\nitem1.EMAIL;type=INTERNET;type=pref:grace@navy.example\r\nitem1.X-ABLabel:_$!<Other>!$_\r\nX-SOCIALPROFILE;type=linkedin:https://www.linkedin.com/in/grace-hopper\r\nPHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQ\r\n AAAQABAAD/2w==\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bad Mail\r\nEMAIL:not-an-address\r\nEND:VCARD\r\n";
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(vcard.as_bytes().to_vec())
            .file_name("contacts.vcf")
            .mime_str("text/vcard")
            .unwrap(),
    );
    let response = app
        .client()
        .post(app.url("/api/v1/imports"))
        .bearer_auth(&me.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let import: Value = response.json().await.unwrap();
    assert_eq!(
        (import["format"].as_str(), import["filename"].as_str()),
        (Some("vcard"), Some("contacts.vcf"))
    );
    assert_eq!(
        (
            import["totals"]["new"].as_u64(),
            import["totals"]["error"].as_u64()
        ),
        (Some(1), Some(1))
    );
    let errors: Vec<Value> = api
        .json(
            Method::GET,
            &format!("/imports/{}/rows?outcome=error", id(&import)),
            None,
        )
        .await["items"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["line"], 12);
    assert!(errors[0]["field"].as_str().unwrap().starts_with("emails"));
}

async fn duplicates_are_created_merged_or_skipped_as_asked(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let me = app.new_user("me@example.com").await;
    let api = Api {
        app: &app,
        who: &me,
    };
    api.create(
        "/contacts",
        json!({"name": "Ada Lovelace", "company": "Engines"}),
    )
    .await;
    let sheet = "Name,Email,Company\nAda Lovelace,ada@engines.example,Engines\n";
    let import = previewed(&app, &me, "people.csv", sheet.as_bytes()).await;
    let report = rows(&api, &import).await;
    assert_eq!(report[0]["outcome"], "possible_duplicate");
    assert_eq!(report[0]["candidate_name"], "Ada Lovelace");
    assert_eq!(report[0]["reason"], "the same name at the same company");
    let skipped = commit(&api, &import, json!({"duplicates": "skip"})).await;
    assert_eq!(skipped["result"]["created"], json!([]));
    assert_eq!(all_contacts(&api).await.len(), 1);

    let import = previewed(&app, &me, "people.csv", sheet.as_bytes()).await;
    commit(&api, &import, json!({"duplicates": "merge"})).await;
    let contacts = all_contacts(&api).await;
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0]["emails"], json!(["ada@engines.example"]));

    // The same name with another LinkedIn profile is another person.
    api.create(
        "/contacts",
        json!({"name": "Grace Hopper", "urls": ["https://www.linkedin.com/in/grace-1"]}),
    )
    .await;
    let namesake = "Name,URL\nGrace Hopper,https://www.linkedin.com/in/grace-2\nGrace Hopper,\n";
    let import = previewed(&app, &me, "people.csv", namesake.as_bytes()).await;
    let outcomes: Vec<Value> = rows(&api, &import)
        .await
        .iter()
        .map(|r| r["outcome"].clone())
        .collect();
    assert_eq!(outcomes, [json!("new"), json!("possible_duplicate")]);
    api.call(
        Method::POST,
        &format!("/imports/{}/commit", id(&import)),
        Some(json!({"duplicates": "skip"})),
        None,
    )
    .await;
    assert_eq!(all_contacts(&api).await.len(), 3);

    let other = "Name,Company\nAda Lovelace,Royal Society\n";
    let import = previewed(&app, &me, "people.csv", other.as_bytes()).await;
    assert_eq!(
        rows(&api, &import).await[0]["outcome"],
        "possible_duplicate"
    );
    commit(&api, &import, json!({"duplicates": "create"})).await;
    assert_eq!(all_contacts(&api).await.len(), 4);

    let bad = api
        .call(
            Method::POST,
            &format!("/imports/{}/commit", id(&import)),
            Some(json!({"duplicates": "sometimes"})),
            None,
        )
        .await;
    assert_eq!(bad.status(), 422);
}

async fn a_spreadsheet_is_mapped_in_the_preview(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let me = app.new_user("me@example.com").await;
    let api = Api {
        app: &app,
        who: &me,
    };
    let sheet = "Wer,Firma,Post\nAda Lovelace,Engines,ada@engines.example\n";
    let import = previewed(&app, &me, "liste.csv", sheet.as_bytes()).await;
    assert_eq!(import["format"], "generic_csv");
    assert_eq!(import["columns"], json!(["Wer", "Firma", "Post"]));
    assert_eq!(import["totals"]["skipped"], 1, "no column holds a name yet");
    let path = format!("/imports/{}/mapping", id(&import));
    let mapped = api
        .json(
            Method::PUT,
            &path,
            Some(json!({"mapping": {"Wer": "name", "Firma": "company", "Post": "email"}})),
        )
        .await;
    assert_eq!(mapped["totals"]["new"], 1);
    let unknown = api
        .call(
            Method::PUT,
            &path,
            Some(json!({"mapping": {"Nope": "name"}})),
            None,
        )
        .await;
    assert_eq!(
        problem(unknown, 422, "validation_failed").await["errors"][0]["field"],
        "mapping.Nope"
    );
    let bad_field = api
        .call(
            Method::PUT,
            &path,
            Some(json!({"mapping": {"Wer": "shoe_size"}})),
            None,
        )
        .await;
    problem(bad_field, 422, "validation_failed").await;
    commit(&api, &import, json!({})).await;
    let ada = &all_contacts(&api).await[0];
    assert_eq!(
        (ada["company"].as_str(), ada["emails"][0].as_str()),
        (Some("Engines"), Some("ada@engines.example"))
    );
    let late = api
        .call(
            Method::PUT,
            &path,
            Some(json!({"mapping": {"Wer": "name"}})),
            None,
        )
        .await;
    problem(late, 409, "conflict").await;
}

fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        for (name, text) in files {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
    }
    out.into_inner()
}

async fn the_linkedin_archive_brings_history_and_the_room(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let me = app.new_user("me@example.com").await;
    let api = Api {
        app: &app,
        who: &me,
    };
    let event = api
        .create(
            "/events",
            json!({"name": "RustConf", "starts_on": "2025-09-02", "passphrase": "ferris waves"}),
        )
        .await;
    let invitations = "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\r\nKatherine Johnson,Me Myself,\"9/3/25, 8:15 AM\",\"Loved your talk! Ferris waves :)\",INCOMING,https://www.linkedin.com/in/kjohnson,https://www.linkedin.com/in/me-myself\r\nMe Myself,Dorothy Vaughan,\"10/1/25, 5:02 PM\",,OUTGOING,https://www.linkedin.com/in/me-myself,https://www.linkedin.com/in/dvaughan\r\n";
    let messages = "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER,ATTACHMENTS,IS MESSAGE DRAFT,IS CONVERSATION DRAFT\r\n\
2-abc,,Ada Lovelace,https://www.linkedin.com/in/ada-lovelace,Me Myself,https://www.linkedin.com/in/me-myself,2026-02-09 10:00:00 UTC,,Thanks for connecting!,INBOX,,No,No\r\n\
2-abc,,Me Myself,https://www.linkedin.com/in/me-myself,Ada Lovelace,https://www.linkedin.com/in/ada-lovelace,2026-02-09 11:30:00 UTC,,\"Likewise, coffee soon?\",INBOX,,No,No\r\n\
2-def,,Me Myself,https://www.linkedin.com/in/me-myself,Grace Hopper,https://www.linkedin.com/in/grace-hopper,2026-03-01 09:00:00 UTC,,Draft,INBOX,,Yes,Yes\r\n\
2-ghi,,Me Myself,https://www.linkedin.com/in/me-myself,Alan Turing,https://www.linkedin.com/in/alan-turing,2026-03-02 09:00:00 UTC,,Hello Alan,SENT,,No,No\r\n\
2-xyz,,Recruiter Bot,https://www.linkedin.com/in/recruiter,Me Myself,https://www.linkedin.com/in/me-myself,2026-03-03 09:00:00 UTC,,Job?,INBOX,,No,No\r\n";
    let archive = zip_of(&[
        (
            "Basic_LinkedInDataExport_11-28-2026/Connections.csv",
            CONNECTIONS,
        ),
        (
            "Basic_LinkedInDataExport_11-28-2026/Invitations.csv",
            invitations,
        ),
        ("Basic_LinkedInDataExport_11-28-2026/messages.csv", messages),
        (
            "Basic_LinkedInDataExport_11-28-2026/Profile.csv",
            "First Name\nMe\n",
        ),
    ]);
    let import = previewed(&app, &me, "export.zip", &archive).await;
    assert_eq!(import["format"], "linkedin_archive");
    assert_eq!(
        import["totals"]["new"].as_u64(),
        Some(7),
        "3 connections, 2 invitations from people not yet known, 2 conversation days"
    );
    assert_eq!(import["totals"]["interactions"].as_u64(), Some(2));
    let report = rows(&api, &import).await;
    let message_rows: Vec<&Value> = report.iter().filter(|r| r["kind"] == "message").collect();
    let outcomes: Vec<&str> = message_rows
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        ["new", "skipped", "new", "skipped"],
        "{message_rows:?}"
    );
    assert!(message_rows
        .iter()
        .all(|r| r["file"].as_str().unwrap().ends_with("messages.csv")));

    commit(&api, &import, json!({})).await;
    let contacts = all_contacts(&api).await;
    let katherine = named(&contacts, "Katherine Johnson");
    assert_eq!(katherine["connection_status"], "they_invited_me");
    assert_eq!(
        katherine["how_met"]["event_id"], event["id"],
        "quoted the passphrase: was in the room"
    );
    assert_eq!(
        named(&contacts, "Dorothy Vaughan")["connection_status"],
        "invited"
    );
    let ada = named(&contacts, "Ada Lovelace");
    assert!(
        ada["familiarity"]["score"].as_u64().unwrap() > 0,
        "history from the first day"
    );
    assert_eq!(ada["last_interaction_on"], "2026-02-09");
    let logged = api
        .json(
            Method::GET,
            &format!("/interactions?contact_id={}", id(ada)),
            None,
        )
        .await;
    let first = &logged["items"][0];
    assert_eq!(
        (first["kind"].as_str(), first["depth"].as_str()),
        (Some("message"), Some("conversation"))
    );
    assert_eq!(first["initiated_by"], "them");
    assert_eq!(
        first["notes"],
        Value::Null,
        "message text is not kept unless asked"
    );

    // Again, with the text kept this time: nothing new to log.
    let again = previewed(&app, &me, "export.zip", &archive).await;
    assert_eq!(again["totals"]["interactions"], 0);
    assert_eq!(again["totals"]["new"], 0);
    commit(&api, &again, json!({"store_message_contents": true})).await;
    let logged = api
        .json(
            Method::GET,
            &format!("/interactions?contact_id={}", id(ada)),
            None,
        )
        .await;
    assert_eq!(logged["items"].as_array().unwrap().len(), 1);
}

async fn an_import_is_undone_unless_changed_since(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let me = app.new_user("me@example.com").await;
    let api = Api {
        app: &app,
        who: &me,
    };
    let grace = api
        .create(
            "/contacts",
            json!({"name": "Grace Hopper", "urls": ["https://www.linkedin.com/in/grace-hopper"]}),
        )
        .await;
    let import = previewed(&app, &me, "Connections.csv", CONNECTIONS.as_bytes()).await;
    commit(&api, &import, json!({})).await;
    assert_eq!(all_contacts(&api).await.len(), 3);
    let undo = format!("/imports/{}/undo", id(&import));
    let undone = api.json(Method::POST, &undo, None).await;
    assert_eq!(undone["status"], "undone");
    let contacts = all_contacts(&api).await;
    assert_eq!(contacts.len(), 1, "what it created is gone");
    assert_eq!(
        contacts[0]["company"],
        Value::Null,
        "what it changed is as it was"
    );
    assert_eq!(contacts[0]["connection_status"], "not_connected");
    assert_eq!(contacts[0]["id"], grace["id"]);
    let history = api
        .json(
            Method::GET,
            &format!("/contacts/{}/connection/history", id(&grace)),
            None,
        )
        .await;
    assert_eq!(history["items"], json!([]));
    problem(
        api.call(Method::POST, &undo, None, None).await,
        409,
        "conflict",
    )
    .await;

    // Changed since: refused, naming the contact, and nothing undone.
    let import = previewed(&app, &me, "Connections.csv", CONNECTIONS.as_bytes()).await;
    let committed = commit(&api, &import, json!({})).await;
    let created = committed["result"]["created"][0]
        .as_str()
        .unwrap()
        .to_owned();
    api.json(
        Method::PUT,
        &format!("/contacts/{created}/comfort"),
        Some(json!({"rating": 3})),
    )
    .await;
    let refused = api
        .call(
            Method::POST,
            &format!("/imports/{}/undo", id(&import)),
            None,
            None,
        )
        .await;
    let refused = problem(refused, 409, "changed_since_import").await;
    assert_eq!(refused["errors"][0]["field"], format!("contacts.{created}"));
    assert_eq!(all_contacts(&api).await.len(), 3);
}

async fn bad_files_get_clear_answers_and_write_nothing(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let me = app.new_user("me@example.com").await;
    let api = Api {
        app: &app,
        who: &me,
    };
    for (what, body, code) in [
        ("empty", Vec::new(), "import_unreadable"),
        (
            "binary",
            vec![0x89, b'P', b'N', b'G', 0, 0, 0, 13, 0xFF, 0, 7, 1],
            "import_unreadable",
        ),
        (
            "only empty lines",
            "\r\n".repeat(100_000).into_bytes(),
            "import_unreadable",
        ),
        (
            "a header only",
            b"First Name,Last Name,Connected On\n".to_vec(),
            "import_unreadable",
        ),
        (
            "a broken zip",
            b"PK\x03\x04garbage".to_vec(),
            "import_unreadable",
        ),
        (
            "a zip of other things",
            zip_of(&[("notes.txt", "hello")]),
            "import_unreadable",
        ),
        (
            "a calendar",
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n".to_vec(),
            "import_unreadable",
        ),
    ] {
        let response = upload(&app, &me, "x", body).await;
        assert_eq!(response.status(), 422, "{what}");
        let body = problem(response, 422, code).await;
        assert!(!body["detail"].as_str().unwrap().is_empty(), "{what}");
    }
    // Too many rows.
    let mut many = String::from("Name\n");
    for n in 0..100_001 {
        many.push_str(&format!("Person {n}\n"));
    }
    let response = upload(&app, &me, "many.csv", many.into_bytes()).await;
    problem(response, 422, "import_unreadable").await;
    // Too large.
    let response = upload(&app, &me, "big.csv", vec![b'a'; 50 * 1024 * 1024 + 1]).await;
    problem(response, 413, "payload_too_large").await;
    // A 10 MB cell is a row error, not a failure.
    let sheet = format!(
        "Name,Notes\nAda,{}\nGrace,ok\n",
        "x".repeat(10 * 1024 * 1024)
    );
    let import = previewed(&app, &me, "big-cell.csv", sheet.as_bytes()).await;
    assert_eq!(
        (
            import["totals"]["error"].as_u64(),
            import["totals"]["new"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(rows(&api, &import).await[0]["field"], "notes");
    // A vCard without END.
    let import = previewed(&app, &me, "cut.vcf", b"BEGIN:VCARD\nVERSION:3.0\nFN:Cut\n").await;
    assert_eq!(import["totals"]["error"], 1);
    assert_eq!(all_contacts(&api).await.len(), 0, "nothing was written");
    assert_eq!(
        api.json(Method::GET, "/imports", None).await["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // Queries are checked.
    let bad = api
        .call(
            Method::GET,
            &format!("/imports/{}/rows?outcome=maybe", id(&import)),
            None,
            None,
        )
        .await;
    problem(bad, 422, "validation_failed").await;
}

async fn imports_are_private(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let me = app.new_user("me@example.com").await;
    let other = app.new_user("other@example.com").await;
    let import = previewed(&app, &me, "Connections.csv", CONNECTIONS.as_bytes()).await;
    let theirs = Api {
        app: &app,
        who: &other,
    };
    for (method, path, body) in [
        (Method::GET, format!("/imports/{}", id(&import)), None),
        (Method::GET, format!("/imports/{}/rows", id(&import)), None),
        (
            Method::POST,
            format!("/imports/{}/commit", id(&import)),
            Some(json!({})),
        ),
        (Method::POST, format!("/imports/{}/undo", id(&import)), None),
        (
            Method::PUT,
            format!("/imports/{}/mapping", id(&import)),
            Some(json!({"mapping": {}})),
        ),
    ] {
        let response = theirs.call(method.clone(), &path, body, None).await;
        assert_eq!(response.status(), 404, "{method} {path}");
    }
    assert_eq!(
        theirs.json(Method::GET, "/imports", None).await["items"],
        json!([])
    );
    // A read-only token cannot import.
    let api = Api {
        app: &app,
        who: &me,
    };
    let token = api
        .create("/me/tokens", json!({"name": "reader", "scope": "read"}))
        .await["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = app
        .client()
        .post(app.url("/api/v1/imports"))
        .bearer_auth(&token)
        .body(CONNECTIONS)
        .send()
        .await
        .unwrap();
    problem(response, 403, "insufficient_scope").await;
}

/// Polls an import until its status is no longer `status`.
async fn until_not(api: &Api<'_>, id: &str, status: &str) -> Value {
    for _ in 0..100_000 {
        let import = api.json(Method::GET, &format!("/imports/{id}"), None).await;
        if import["status"] != status {
            return import;
        }
        tokio::task::yield_now().await;
    }
    panic!("the import stayed {status}");
}

async fn large_imports_run_in_the_background_with_progress(backend: Backend) {
    let Some(app) = open_app(backend).await else {
        return;
    };
    let me = app.new_user("me@example.com").await;
    let api = Api {
        app: &app,
        who: &me,
    };
    let mut file =
        String::from("First Name,Last Name,URL,Email Address,Company,Position,Connected On\n");
    for n in 0..3_000 {
        file.push_str(&format!(
            "First{n},Last,https://www.linkedin.com/in/p{n},,Company {},Engineer,08 Feb 2026\n",
            n % 50
        ));
    }
    let response = app
        .client()
        .post(app.url("/api/v1/imports?filename=Connections.csv"))
        .bearer_auth(&me.token)
        .header("prefer", "respond-async")
        .body(file)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    assert_eq!(response.headers()["preference-applied"], "respond-async");
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let accepted: Value = response.json().await.unwrap();
    assert_eq!(location, format!("/api/v1/imports/{}", id(&accepted)));
    assert_eq!(
        accepted["format"], "linkedin_connections",
        "known from the start of the file"
    );
    assert_eq!(accepted["status"], "parsing");
    assert_eq!(accepted["progress"]["unit"], "bytes");
    assert!(accepted["progress"]["total"].as_u64().unwrap() > 100_000);
    let previewed = until_not(&api, &id(&accepted), "parsing").await;
    assert_eq!(previewed["status"], "previewed", "{previewed}");
    assert_eq!(previewed["totals"]["new"], 3_000);
    assert_eq!(previewed["progress"], Value::Null);

    let response = app
        .client()
        .post(app.url(&format!("/api/v1/imports/{}/commit", id(&accepted))))
        .bearer_auth(&me.token)
        .header("prefer", "respond-async")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let committing: Value = response.json().await.unwrap();
    assert_eq!(committing["status"], "committing");
    assert_eq!(committing["progress"]["unit"], "rows");
    let twice = api
        .call(
            Method::POST,
            &format!("/imports/{}/commit", id(&accepted)),
            Some(json!({})),
            None,
        )
        .await;
    assert_eq!(twice.status(), 409, "one commit at a time");
    let committed = until_not(&api, &id(&accepted), "committing").await;
    assert_eq!(committed["status"], "committed", "{committed}");
    assert_eq!(
        committed["result"]["created"].as_array().unwrap().len(),
        3_000
    );

    // A file whose start reads well and whose whole does not: failed, with why.
    let mut many = String::from("Name,Email\n");
    for n in 0..100_001 {
        many.push_str(&format!("P{n},\n"));
    }
    let response = app
        .client()
        .post(app.url("/api/v1/imports?filename=many.csv"))
        .bearer_auth(&me.token)
        .header("prefer", "respond-async")
        .body(many)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let accepted: Value = response.json().await.unwrap();
    let failed = until_not(&api, &id(&accepted), "parsing").await;
    assert_eq!(failed["status"], "failed");
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains("more than 100000 rows"),
        "{failed}"
    );
    let listed = api.json(Method::GET, "/imports", None).await;
    assert_eq!(listed["items"][0]["status"], "failed");
    // A file whose start cannot be read is refused at once.
    let response = app
        .client()
        .post(app.url("/api/v1/imports"))
        .bearer_auth(&me.token)
        .header("prefer", "respond-async")
        .body(vec![0u8, 1, 2, 3, 0, 0, 0, 9, 9, 0])
        .send()
        .await
        .unwrap();
    problem(response, 422, "import_unreadable").await;
}

rapport_tests::on_both_backends!(
    large_imports_run_in_the_background_with_progress,
    linkedin_connections_are_previewed_committed_and_reimported,
    files_as_people_have_them,
    duplicates_are_created_merged_or_skipped_as_asked,
    a_spreadsheet_is_mapped_in_the_preview,
    the_linkedin_archive_brings_history_and_the_room,
    an_import_is_undone_unless_changed_since,
    bad_files_get_clear_answers_and_write_nothing,
    imports_are_private,
);
