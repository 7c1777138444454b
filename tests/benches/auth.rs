//! Benchmark: sign-in latency, `GET /api/v1/me` throughput at 64
//! connections, and the server's peak memory, on SQLite and PostgreSQL.
//!
//! Runs the release `rapport` binary (RAPPORT_BIN, default
//! target/release/rapport) as a separate process, so that its memory is
//! measured alone. Run it with `scripts/bench`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rapport_tests::{Backend, TestDb, PASSWORD};
use serde_json::{json, Value};

const CONNECTIONS: usize = 64;
const ME_REQUESTS: usize = 40_000;
/// Within the per-address sign-in limit, so no attempt is throttled.
const LOGINS: usize = 25;

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn binary() -> String {
    std::env::var("RAPPORT_BIN")
        .unwrap_or_else(|_| format!("{}/../target/release/rapport", env!("CARGO_MANIFEST_DIR")))
}

fn start(database_url: &str, data_dir: &std::path::Path) -> Server {
    let mut child = Command::new(binary())
        .arg("serve")
        .env("RAPPORT_ADDR", "127.0.0.1:0")
        .env("RAPPORT_DATABASE_URL", database_url)
        .env("RAPPORT_DATA_DIR", data_dir)
        .env(
            "RAPPORT_JWT_SECRET",
            "benchmark-secret-benchmark-secret-benchmark",
        )
        .env("RAPPORT_REGISTRATION", "open")
        .env("RAPPORT_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {} ({e}); run scripts/bench", binary()));
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let base = line
        .trim()
        .strip_prefix("Rapport listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_owned();
    Server { child, base }
}

fn peak_memory_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

async fn run(backend: Backend) -> Option<String> {
    let db = TestDb::new(backend).await?;
    let data_dir = tempfile::tempdir().unwrap();
    let server = start(&db.url, data_dir.path());
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

    let remaining = Arc::new(AtomicUsize::new(ME_REQUESTS));
    let started = Instant::now();
    let workers: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let remaining = remaining.clone();
            let url = format!("{api}/me");
            let token = token.clone();
            tokio::spawn(async move {
                // One client each: 64 separate keep-alive connections.
                let client = reqwest::Client::builder()
                    .pool_max_idle_per_host(1)
                    .build()
                    .unwrap();
                let mut times = Vec::new();
                while remaining
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                    .is_ok()
                {
                    let sent = Instant::now();
                    let response = client.get(&url).bearer_auth(&token).send().await.unwrap();
                    assert_eq!(response.status(), 200);
                    response.bytes().await.unwrap();
                    times.push(sent.elapsed());
                }
                times
            })
        })
        .collect();
    let mut me_times = Vec::new();
    for worker in workers {
        me_times.extend(worker.await.unwrap());
    }
    let elapsed = started.elapsed();
    me_times.sort();
    let memory = peak_memory_mib(server.child.id());
    Some(format!(
        "{:<10} | sign-in p50 {:>6.1} ms  p95 {:>6.1} ms | GET /me at {CONNECTIONS} conns: {:>7.0} req/s  p50 {:>5.2} ms  p99 {:>5.2} ms | peak RSS {:>6.1} MiB",
        format!("{backend:?}"),
        percentile(&login_times, 0.5),
        percentile(&login_times, 0.95),
        me_times.len() as f64 / elapsed.as_secs_f64(),
        percentile(&me_times, 0.5),
        percentile(&me_times, 0.99),
        memory,
    ))
}

fn main() {
    // `cargo bench` passes `--bench`; there is nothing to filter.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!(
        "Rapport auth benchmark: {LOGINS} sign-ins, {ME_REQUESTS} GET /api/v1/me over {CONNECTIONS} connections, {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    for backend in [Backend::Sqlite, Backend::Postgres] {
        match runtime.block_on(run(backend)) {
            Some(line) => println!("{line}"),
            None => println!("{backend:?}: skipped (database unavailable)"),
        }
    }
}
