//! Benchmark: the first read of a day and the daily familiarity upkeep, on
//! SQLite and PostgreSQL. A 10k-contact account whose stored familiarity is
//! a day old; the server starts (its upkeep begins at once, in the
//! background) and, from the same instant:
//!
//! - that account reads its first page of contacts, then 50 more pages;
//! - another user logs interactions one after another, until the upkeep
//!   has brought every contact up to today, then 200 more as a baseline.
//!
//! Printed: the upkeep's duration, the first read beside the median of the
//! later ones, and the other user's write latencies during the upkeep beside
//! those after it. Run it with `scripts/bench upkeep`.
//! RAPPORT_BENCH_SCALE=0.1 runs a tenth of it.

use std::time::{Duration, Instant};

use rapport_tests::bench::{percentile, seed_demo as demo, sign_in, Server};
use rapport_tests::{Backend, TestDb, PASSWORD};
use sqlx::Connection;

/// Runs a statement with one date parameter on the benchmark's database
/// (either backend): the rows it changed, or its one count.
async fn with_date(url: &str, sql: &str, day: chrono::NaiveDate) -> Result<i64, sqlx::Error> {
    macro_rules! on {
        ($connection:ty) => {{
            let mut db = <$connection>::connect(url).await?;
            if sql.starts_with("SELECT") {
                sqlx::query_scalar(sql).bind(day).fetch_one(&mut db).await
            } else {
                let done = sqlx::query(sql).bind(day).execute(&mut db).await?;
                Ok(done.rows_affected() as i64)
            }
        }};
    }
    if url.starts_with("sqlite:") {
        on!(sqlx::SqliteConnection)
    } else {
        on!(sqlx::PgConnection)
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn summary(mut samples: Vec<Duration>) -> String {
    samples.sort();
    if samples.is_empty() {
        return "none".to_owned();
    }
    format!(
        "{} writes, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        samples.len(),
        percentile(&samples, 0.50),
        percentile(&samples, 0.99),
        ms(*samples.last().unwrap())
    )
}

async fn run(backend: Backend, scale: f64) -> Option<Vec<String>> {
    let db = TestDb::new(backend).await?;
    let dir = tempfile::tempdir().unwrap();
    let contacts = ((10_000.0 * scale) as usize).max(10);
    let started = Instant::now();
    demo(&db.url, dir.path(), "main@example.com", contacts, 1);
    demo(&db.url, dir.path(), "other@example.com", 200, 2);
    if backend == Backend::Postgres {
        let mut pg = sqlx::PgConnection::connect(&db.url).await.unwrap();
        sqlx::query("ANALYZE").execute(&mut pg).await.unwrap();
    }
    let seeding = started.elapsed().as_secs_f64();

    // Tokens are taken now and stay valid across the restart below.
    let server = Server::start(&db.url, dir.path());
    let main = sign_in(&server.base, "main@example.com", PASSWORD).await;
    let other = sign_in(&server.base, "other@example.com", PASSWORD).await;
    let client = reqwest::Client::new();
    let api = format!("{}/api/v1", server.base);
    let others: serde_json::Value = client
        .get(format!("{api}/contacts?limit=20"))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let other_ids: Vec<String> = others["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    drop(server);

    // Yesterday's values: what a server finds on the first morning.
    let today = chrono::Utc::now().date_naive();
    let yesterday = today.pred_opt().unwrap();
    let made_stale = with_date(
        &db.url,
        "UPDATE contacts SET familiarity_as_of = $1 WHERE owner_id = \
         (SELECT id FROM users WHERE email = 'main@example.com')",
        yesterday,
    )
    .await
    .unwrap();
    // The stopped server's lease on the upkeep, as once it has expired.
    // (A server from before the upkeep has no leases: RAPPORT_BIN may name
    // one, to measure what came before.)
    let _ = with_date(
        &db.url,
        "DELETE FROM leases WHERE expires_at > 0 OR $1 IS NULL",
        today,
    )
    .await;

    let server = Server::start(&db.url, dir.path());
    let api = format!("{}/api/v1", server.base);
    let t0 = Instant::now();
    let reader = {
        let (client, api, main) = (client.clone(), api.clone(), main.clone());
        tokio::spawn(async move {
            let mut times = Vec::new();
            for _ in 0..51 {
                let start = Instant::now();
                let response = client
                    .get(format!("{api}/contacts?limit=50&sort=familiarity"))
                    .bearer_auth(&main)
                    .header("cache-control", "no-cache")
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200);
                response.bytes().await.unwrap();
                times.push(start.elapsed());
            }
            times
        })
    };
    let write = |n: usize| {
        let body = serde_json::json!({
            "contact_ids": [other_ids[n % other_ids.len()]],
            "kind": "email", "occurred_on": today, "depth": "brief", "initiated_by": "me",
        });
        let request = client
            .post(format!("{api}/interactions"))
            .bearer_auth(&other)
            .json(&body);
        async move {
            let start = Instant::now();
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 201);
            start.elapsed()
        }
    };
    let mut during = Vec::new();
    let mut n = 0;
    let upkeep = loop {
        during.push(write(n).await);
        n += 1;
        // The 10k account's contacts (a server from before the upkeep
        // refreshed an account on its own first read only).
        let stale = "SELECT count(*) FROM contacts WHERE familiarity_as_of < $1 \
            AND owner_id = (SELECT id FROM users WHERE email = 'main@example.com')";
        if with_date(&db.url, stale, today).await.unwrap() == 0 {
            break t0.elapsed();
        }
        assert!(
            t0.elapsed() < Duration::from_secs(600),
            "the upkeep never finished"
        );
    };
    let mut after = Vec::new();
    for _ in 0..200 {
        after.push(write(n).await);
        n += 1;
    }
    let reads = reader.await.unwrap();
    let first = reads[0];
    let mut later = reads[1..].to_vec();
    later.sort();
    let name = format!("{backend:?}");
    Some(vec![
        format!("{name:<10} | {contacts} + 200 contacts seeded in {seeding:.0} s; the {made_stale} of the first made a day old"),
        format!("{name:<10} | they were brought to today within {:.0} ms of the start", ms(upkeep)),
        format!(
            "{name:<10} | GET /contacts?limit=50&sort=familiarity: first read {:.1} ms; next 50 p50 {:.1} ms, max {:.1} ms",
            ms(first),
            percentile(&later, 0.5),
            ms(*later.last().unwrap())
        ),
        format!("{name:<10} | another user's POST /interactions during the upkeep: {}", summary(during)),
        format!("{name:<10} | the same, after it:                                {}", summary(after)),
    ])
}

fn main() {
    rapport_tests::bench::on_each_backend(
        "Rapport upkeep benchmark: the first morning of a 10k-contact account",
        run,
    );
}
