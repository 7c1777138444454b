//! Benchmark: the network's read paths with 100k contacts in the instance
//! (one account holding 10k, one 5k, the rest spread over 17 more), on
//! SQLite and PostgreSQL: `GET /api/v1/contacts?limit=50`, a text search
//! and `GET /api/v1/network` for the 5k account, at 64 connections.
//! Run it with `scripts/bench`. RAPPORT_BENCH_SCALE=0.1 runs a tenth of it.
//! Seeding takes most of the time (minutes): RAPPORT_BENCH_KEEP=1 keeps the
//! seeded databases (SQLite under target/bench-data, PostgreSQL database
//! `rapport_bench_…`) and reuses them in later runs of the same scale.

use std::io::Write;
use std::process::Stdio;
use std::time::Instant;

use rapport_tests::bench::{load, load_urls, rapport, sign_in, LoadResult, Server};
use rapport_tests::{Backend, TestDb, PASSWORD};

const CONNECTIONS: usize = 64;
const REQUESTS: usize = 5_000;

fn demo(
    url: &str,
    dir: &std::path::Path,
    email: &str,
    contacts: usize,
    interactions: usize,
    seed: u64,
) {
    let mut child = spawn_demo(url, dir, email, contacts, interactions, seed);
    assert!(child.wait().unwrap().success(), "rapport demo for {email}");
}

/// Starts `rapport demo` for one account (the password goes to its stdin).
fn spawn_demo(
    url: &str,
    dir: &std::path::Path,
    email: &str,
    contacts: usize,
    interactions: usize,
    seed: u64,
) -> std::process::Child {
    let mut child = rapport(url, dir)
        .args(["demo", "--email", email, "--password-stdin"])
        .args([
            "--contacts",
            &contacts.to_string(),
            "--interactions",
            &interactions.to_string(),
        ])
        .args(["--seed", &seed.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("run rapport demo");
    writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    child
}

async fn run(backend: Backend, scale: f64) -> Option<Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    let keep = std::env::var("RAPPORT_BENCH_KEEP").is_ok_and(|v| v == "1");
    let kept = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/bench-data");
    let name = format!("rapport_bench_network_{}", (scale * 1000.0).round() as u64);
    let seeded = std::path::Path::new(kept).join(format!("{name}-{backend:?}.seeded"));
    let reuse = keep && seeded.exists();
    let db = if keep {
        std::fs::create_dir_all(kept).unwrap();
        TestDb::kept(backend, &name, kept.as_ref(), !reuse).await?
    } else {
        TestDb::new(backend).await?
    };
    let size = |n: usize| ((n as f64 * scale) as usize).max(10);
    let total = size(10_000) + size(5_000) * 18;
    let name = format!("{backend:?}");
    if reuse {
        let mut lines = vec![format!(
            "{name:<10} | {total} contacts, seeded by an earlier run"
        )];
        lines.extend(measure_both(&db, dir.path(), &name).await);
        return Some(lines);
    }
    let started = Instant::now();
    demo(&db.url, dir.path(), "main@example.com", size(10_000), 6, 1);
    demo(&db.url, dir.path(), "five@example.com", size(5_000), 6, 2);
    // The other 85k: on PostgreSQL in four parallel streams (seeding waits
    // on round trips more than on the processor); SQLite has one writer.
    let streams = if backend == Backend::Postgres { 4 } else { 1 };
    for batch in (0..17u64).collect::<Vec<_>>().chunks(streams) {
        let children: Vec<_> = batch
            .iter()
            .map(|n| {
                let email = format!("filler{n}@example.com");
                spawn_demo(&db.url, dir.path(), &email, size(5_000), 2, 10 + n)
            })
            .collect();
        for mut child in children {
            assert!(
                child.wait().unwrap().success(),
                "rapport demo for a filler account"
            );
        }
    }
    let seeding = started.elapsed().as_secs_f64();
    if backend == Backend::Postgres {
        // What autovacuum does after a bulk load (it may be off, as on the
        // machine this was written on): without statistics the planner
        // scans whole tables where an index finds four rows.
        use sqlx::Connection;
        let mut db = sqlx::PgConnection::connect(&db.url).await.unwrap();
        sqlx::query("ANALYZE").execute(&mut db).await.unwrap();
    }
    if keep {
        std::fs::write(&seeded, b"").unwrap();
    }
    let mut lines = vec![format!(
        "{name:<10} | {total} contacts seeded in {seeding:.0} s"
    )];
    lines.extend(measure_both(&db, dir.path(), &name).await);
    Some(lines)
}

/// The figures as configured and with the answer cache off.
async fn measure_both(db: &TestDb, dir: &std::path::Path, name: &str) -> Vec<String> {
    let mut lines = Vec::new();
    // As configured by default (answers remembered per data version), then
    // with that cache off: every request does all the work.
    for (label, env) in [
        ("cache on ", vec![]),
        ("cache off", vec![("RAPPORT_CACHE_MB", "0")]),
    ] {
        let server = Server::start_with(&db.url, dir, &env);
        let figures = measure(&server).await;
        for (what, result) in figures {
            lines.push(format!("{name:<10} | {label} | {what:<44} {result}"));
        }
        let (anon, file) = server.memory_now_mib();
        lines.push(format!(
            "{name:<10} | {label} | peak RSS {:.1} MiB; at the end {anon:.1} MiB anonymous + {file:.1} MiB mapped files",
            server.peak_memory_mib()
        ));
    }
    lines
}

/// The read paths under load, against one running server.
async fn measure(server: &Server) -> Vec<(&'static str, LoadResult)> {
    let api = format!("{}/api/v1", server.base);
    let main = sign_in(&server.base, "main@example.com", PASSWORD).await;
    let five = sign_in(&server.base, "five@example.com", PASSWORD).await;
    // Warm up (and bring familiarity up to date once, as the first read of a day does).
    for url in [format!("{api}/contacts?limit=50"), format!("{api}/network")] {
        load(&url, &main, 4, 50).await;
        load(&url, &five, 4, 50).await;
    }
    // Twenty different searches, as people type different names.
    let searches: Vec<String> = [
        "chen", "ada", "lee", "kim", "anna", "ben", "sara", "tom", "li", "eva", "noah", "mia",
        "leo", "zoe", "max", "ivy", "sam", "ola", "raj", "uma",
    ]
    .iter()
    .map(|q| format!("{api}/contacts?q={q}&limit=50"))
    .collect();
    vec![
        (
            "GET /contacts?limit=50 (10k account)",
            load(
                &format!("{api}/contacts?limit=50"),
                &main,
                CONNECTIONS,
                REQUESTS,
            )
            .await,
        ),
        (
            "GET /contacts?q=chen&limit=50 (10k)",
            load(&searches[0], &main, CONNECTIONS, REQUESTS).await,
        ),
        (
            "GET /contacts?q=<20 names>&limit=50 (10k)",
            load_urls(&searches, &main, CONNECTIONS, REQUESTS, false).await,
        ),
        (
            "GET /network (5k account)",
            load(&format!("{api}/network"), &five, CONNECTIONS, REQUESTS / 5).await,
        ),
        (
            "GET /network, gzip accepted (5k account)",
            load_urls(
                &[format!("{api}/network")],
                &five,
                CONNECTIONS,
                REQUESTS / 5,
                true,
            )
            .await,
        ),
    ]
}

fn main() {
    rapport_tests::bench::on_each_backend(
        &format!(
            "Rapport network benchmark: {CONNECTIONS} connections, {REQUESTS} requests per list"
        ),
        run,
    );
}
