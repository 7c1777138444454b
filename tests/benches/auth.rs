//! Benchmark: sign-in latency, `GET /api/v1/me` throughput at 64
//! connections, and the server's peak memory, on SQLite and PostgreSQL.
//! Run it with `scripts/bench`.

use std::time::Instant;

use rapport_tests::bench::{load, percentile, Server};
use rapport_tests::{Backend, TestDb, PASSWORD};
use serde_json::{json, Value};

const CONNECTIONS: usize = 64;
const ME_REQUESTS: usize = 40_000;
/// Within the per-address sign-in limit, so no attempt is throttled.
const LOGINS: usize = 25;

async fn run(backend: Backend) -> Option<String> {
    let db = TestDb::new(backend).await?;
    let data_dir = tempfile::tempdir().unwrap();
    let server = Server::start(&db.url, data_dir.path());
    let client = reqwest::Client::new();
    let api = format!("{}/api/v1", server.base);
    for n in 0..LOGINS {
        let response = client
            .post(format!("{api}/auth/register"))
            .json(&json!({"email": format!("bench{n}@example.com"), "password": PASSWORD, "display_name": "Bench"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
    }
    let mut login_times = Vec::new();
    let mut token = String::new();
    for n in 0..LOGINS {
        let started = Instant::now();
        let response = client
            .post(format!("{api}/auth/login"))
            .json(&json!({"email": format!("bench{n}@example.com"), "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        login_times.push(started.elapsed());
        token = body["access_token"].as_str().unwrap().to_owned();
    }
    login_times.sort();
    let me = load(&format!("{api}/me"), &token, CONNECTIONS, ME_REQUESTS).await;
    Some(format!(
        "{:<10} | sign-in p50 {:>6.1} ms  p95 {:>6.1} ms | GET /me at {CONNECTIONS} conns: {me} | peak RSS {:>6.1} MiB",
        format!("{backend:?}"),
        percentile(&login_times, 0.5),
        percentile(&login_times, 0.95),
        server.peak_memory_mib(),
    ))
}

fn main() {
    rapport_tests::bench::on_each_backend(
        &format!(
            "Rapport auth benchmark: {LOGINS} sign-ins, {ME_REQUESTS} GET /api/v1/me over {CONNECTIONS} connections"
        ),
        |backend, _scale| async move { run(backend).await.map(|line| vec![line]) },
    );
}
