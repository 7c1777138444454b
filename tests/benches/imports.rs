//! Benchmark: bringing a network in and taking it out, on SQLite and
//! PostgreSQL, through the release server.
//!
//! - an account that already holds 5,000 contacts previews and commits a
//!   10,000-row LinkedIn `Connections.csv` (a tenth of the people already
//!   known by their profile URL), then a 50,000-row `messages.csv` with
//!   those people;
//! - a 10,000-contact account exports itself as JSON, CSV and vCard.
//!
//! Printed: the time of each step, rows per second, and the server's peak
//! anonymous memory (heap, sampled every 5 ms) and peak RSS during the
//! imports. Run it with `scripts/bench imports`; RAPPORT_BENCH_SCALE=0.1
//! runs a tenth of it.

use std::fmt::Write as _;
use std::time::Instant;

use rapport_tests::bench::{seed_demo, sign_in, Server};
use rapport_tests::{Backend, TestDb, PASSWORD};

fn connections_csv(people: usize, known: &[String]) -> String {
    let mut rng = fastrand::Rng::with_seed(11);
    let mut text = String::from(
        "Notes:\n\"When exporting your connection data, you may notice that some of the email addresses are missing.\"\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\n",
    );
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    for n in 0..people {
        // Every tenth row is someone already known (by profile URL).
        let url = match known.get(n / 10).filter(|_| n % 10 == 0) {
            Some(url) => url.clone(),
            None => format!("https://www.linkedin.com/in/person-{n}"),
        };
        let email = if rng.u8(..10) == 0 {
            format!("person{n}@example.com")
        } else {
            String::new()
        };
        let _ = writeln!(
            text,
            "First{n},Last{},{url},{email},\"Company {}, Inc.\",Engineer {},{:02} {} {}",
            n % 997,
            n % 500,
            n % 7,
            rng.u8(1..29),
            months[rng.usize(..12)],
            rng.u16(2015..2026)
        );
    }
    text
}

fn messages_csv(messages: usize, people: usize) -> String {
    let mut rng = fastrand::Rng::with_seed(12);
    let mut text = String::from(
        "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER,ATTACHMENTS,IS MESSAGE DRAFT,IS CONVERSATION DRAFT\n",
    );
    let me = "https://www.linkedin.com/in/me-myself";
    for _ in 0..messages {
        let n = rng.usize(..people) / 3 * 3 + 1; // a third of the people wrote
        let them = format!("https://www.linkedin.com/in/person-{n}");
        let (from, from_url, to, to_url) = if rng.bool() {
            ("Me Myself", me, format!("First{n} Last"), them.clone())
        } else {
            (
                "First Last",
                them.as_str(),
                "Me Myself".to_owned(),
                me.to_owned(),
            )
        };
        let _ = writeln!(
            text,
            "conv-{n},,{from},{from_url},{to},{to_url},2025-{:02}-{:02} {:02}:{:02}:00 UTC,,\"Hello, how are you?\",INBOX,,No,No",
            rng.u8(1..13),
            rng.u8(1..29),
            rng.u8(0..24),
            rng.u8(0..60)
        );
    }
    text
}

struct Step {
    seconds: f64,
    body: serde_json::Value,
}

async fn timed(request: reqwest::RequestBuilder) -> Step {
    let started = Instant::now();
    let response = request.send().await.unwrap();
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    assert!(status.is_success(), "{status}: {body}");
    Step {
        seconds: started.elapsed().as_secs_f64(),
        body,
    }
}

async fn import(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    name: &str,
    file: String,
) -> (Step, Step) {
    let preview = timed(
        client
            .post(format!("{base}/api/v1/imports?filename={name}"))
            .bearer_auth(token)
            .body(file),
    )
    .await;
    let id = preview.body["id"].as_str().unwrap().to_owned();
    let commit = timed(
        client
            .post(format!("{base}/api/v1/imports/{id}/commit"))
            .bearer_auth(token)
            .json(&serde_json::json!({})),
    )
    .await;
    (preview, commit)
}

async fn run(backend: Backend, scale: f64) -> Option<Vec<String>> {
    let db = TestDb::new(backend).await?;
    let dir = tempfile::tempdir().unwrap();
    let existing = ((5_000.0 * scale) as usize).max(50);
    let connections = ((10_000.0 * scale) as usize).max(100);
    let messages = ((50_000.0 * scale) as usize).max(500);
    let exported = ((10_000.0 * scale) as usize).max(100);
    let name = format!("{backend:?}");
    let started = Instant::now();
    seed_demo(&db.url, dir.path(), "importer@example.com", existing, 1);
    seed_demo(&db.url, dir.path(), "exporter@example.com", exported, 2);
    if backend == Backend::Postgres {
        use sqlx::Connection;
        let mut pg = sqlx::PgConnection::connect(&db.url).await.unwrap();
        sqlx::query("ANALYZE").execute(&mut pg).await.unwrap();
    }
    let mut lines = vec![format!(
        "{name:<10} | seeded {existing} + {exported} contacts in {:.0} s",
        started.elapsed().as_secs_f64()
    )];
    let server = Server::start(&db.url, dir.path());
    let client = reqwest::Client::new();
    let token = sign_in(&server.base, "importer@example.com", PASSWORD).await;

    // Profile URLs of some contacts the account already has.
    let page: serde_json::Value = client
        .get(format!("{}/api/v1/contacts?limit=200", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let known: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["urls"][0].as_str().map(str::to_owned))
        .collect();
    let connections_file = connections_csv(connections, &known);
    let messages_file = messages_csv(messages, connections);
    let watch = server.watch_anonymous_memory();
    let (preview, commit) = import(
        &client,
        &server.base,
        &token,
        "Connections.csv",
        connections_file,
    )
    .await;
    let totals = &preview.body["totals"];
    lines.push(format!(
        "{name:<10} | Connections.csv, {connections} rows into {existing} contacts: preview {:.2} s + commit {:.2} s = {:.2} s ({:.0} rows/s); new {}, update {}, possible duplicates {}",
        preview.seconds,
        commit.seconds,
        preview.seconds + commit.seconds,
        connections as f64 / (preview.seconds + commit.seconds),
        totals["new"],
        totals["update"],
        totals["possible_duplicate"],
    ));
    let (preview, commit) =
        import(&client, &server.base, &token, "messages.csv", messages_file).await;
    lines.push(format!(
        "{name:<10} | messages.csv, {messages} rows: preview {:.2} s + commit {:.2} s = {:.2} s ({:.0} rows/s); {} interactions logged",
        preview.seconds,
        commit.seconds,
        preview.seconds + commit.seconds,
        messages as f64 / (preview.seconds + commit.seconds),
        commit.body["result"]["interactions"],
    ));
    let anonymous = watch.peak_mib();
    lines.push(format!(
        "{name:<10} | server during the imports: peak anonymous memory {anonymous:.1} MiB; peak RSS so far {:.1} MiB",
        server.peak_memory_mib()
    ));

    let exporter = sign_in(&server.base, "exporter@example.com", PASSWORD).await;
    for path in ["export", "export/contacts.csv", "export/contacts.vcf"] {
        let started = Instant::now();
        let response = client
            .get(format!("{}/api/v1/{path}", server.base))
            .bearer_auth(&exporter)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{path}");
        let bytes = response.bytes().await.unwrap();
        lines.push(format!(
            "{name:<10} | GET /api/v1/{path:<22} {exported} contacts: {:.2} s, {:.1} MiB",
            started.elapsed().as_secs_f64(),
            bytes.len() as f64 / (1024.0 * 1024.0)
        ));
    }
    Some(lines)
}

fn main() {
    rapport_tests::bench::on_each_backend("Rapport import and export benchmark", run);
}
