//! Benchmark: Rapport under load shaped like real use, beside a bare
//! handler measured in the same run on the same database.
//!
//! 16 users × 1,000 contacts (seeded with `rapport demo`), on SQLite and on
//! PostgreSQL:
//!
//! - **bare baseline**: a minimal actix-web + sqlx handler compiled into
//!   this benchmark, reading the first 50 contacts of a random user (the
//!   columns of Rapport's list, typed rows, JSON; no authentication, no
//!   cache) — the least any server could do for that page;
//! - **cold list**: `GET /api/v1/contacts?limit=50` for a random user with
//!   Rapport's answer cache off, against the same database;
//! - **mixed**: each request a random user: 50% list pages with varied
//!   sorts, 20% searches, 15% a contact's detail, 10% the network view, 5%
//!   interaction writes (which change the data, so remembered answers are
//!   dropped as in real use); at 64 and at 16 connections.
//!
//! Printed: throughput and latency of each, the ratios to the baseline, and
//! the server's memory. Run it with `scripts/bench mixed`;
//! RAPPORT_BENCH_SCALE=0.1 seeds a tenth of the contacts.

use std::io::Write;
use std::process::Stdio;

use actix_web::{web, App, HttpResponse, HttpServer};
use rapport_tests::bench::{load_plan, rapport, sign_in, LoadResult, Planned, Server};
use rapport_tests::{Backend, TestDb, PASSWORD};
use uuid::Uuid;

const USERS: usize = 16;
const REQUESTS: usize = 8_000;

/// The columns of Rapport's contact list, decoded into typed fields.
#[derive(sqlx::FromRow, serde::Serialize)]
struct BareContact {
    id: Uuid,
    name: String,
    emails: String,
    phones: String,
    company: Option<String>,
    title: Option<String>,
    location: Option<String>,
    urls: String,
    tags: String,
    notes: Option<String>,
    met_on: Option<chrono::NaiveDate>,
    met_event_id: Option<Uuid>,
    met_place: Option<String>,
    met_context: Option<String>,
    introduced_by: Option<Uuid>,
    cadence_days: Option<i32>,
    archived: bool,
    comfort: Option<i32>,
    connection_status: String,
    last_interaction_on: Option<chrono::NaiveDate>,
    next_due_on: Option<chrono::NaiveDate>,
    familiarity: i32,
    suggested_comfort: i32,
    familiarity_as_of: Option<chrono::NaiveDate>,
    version: i64,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
}

const BARE_QUERY: &str = "SELECT id, name, emails, phones, company, title, location, urls, tags, \
    notes, met_on, met_event_id, met_place, met_context, introduced_by, cadence_days, archived, \
    comfort, connection_status, last_interaction_on, next_due_on, familiarity, suggested_comfort, \
    familiarity_as_of, version, created_at, updated_at \
    FROM contacts WHERE owner_id = $1 AND archived = false ORDER BY sort_name, id LIMIT 50";

#[derive(Clone)]
enum BarePool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

async fn bare_page(pool: web::Data<BarePool>, owner: web::Path<Uuid>) -> HttpResponse {
    let rows: Vec<BareContact> = match pool.get_ref() {
        BarePool::Sqlite(pool) => {
            sqlx::query_as(BARE_QUERY)
                .bind(*owner)
                .fetch_all(pool)
                .await
        }
        BarePool::Postgres(pool) => {
            sqlx::query_as(BARE_QUERY)
                .bind(*owner)
                .fetch_all(pool)
                .await
        }
    }
    .expect("the bare query");
    HttpResponse::Ok().json(rows)
}

/// The bare handler on a free port, over its own pool of the same database
/// (as many connections as Rapport's readers, not pinged before each use);
/// returns its address.
async fn start_bare(url: &str) -> String {
    let pool = if url.starts_with("sqlite:") {
        let options: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
        BarePool::Sqlite(
            sqlx::sqlite::SqlitePoolOptions::new()
                .max_connections(8)
                .test_before_acquire(false)
                .connect_with(options.read_only(true))
                .await
                .unwrap(),
        )
    } else {
        BarePool::Postgres(
            sqlx::postgres::PgPoolOptions::new()
                .max_connections(32)
                .test_before_acquire(false)
                .connect(url)
                .await
                .unwrap(),
        )
    };
    let server = HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(pool.clone()))
            .route("/bare/{owner}", web::get().to(bare_page))
    })
    .workers(std::thread::available_parallelism().map_or(2, |n| n.get()))
    .bind("127.0.0.1:0")
    .unwrap();
    let address = server.addrs()[0];
    tokio::spawn(server.run());
    format!("http://{address}")
}

fn demo(
    url: &str,
    dir: &std::path::Path,
    email: &str,
    contacts: usize,
    seed: u64,
) -> std::process::Child {
    let mut child = rapport(url, dir)
        .args(["demo", "--email", email, "--password-stdin"])
        .args(["--contacts", &contacts.to_string(), "--interactions", "6"])
        .args(["--seed", &seed.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("run rapport demo");
    writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    child
}

/// A signed-in user of the benchmark, with the ids of their contacts.
struct Person {
    id: Uuid,
    token: String,
    contacts: Vec<String>,
}

async fn people(base: &str) -> Vec<Person> {
    let client = reqwest::Client::new();
    let mut people = Vec::new();
    for n in 0..USERS {
        let token = sign_in(base, &format!("user{n}@example.com"), PASSWORD).await;
        let me: serde_json::Value = client
            .get(format!("{base}/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let page: serde_json::Value = client
            .get(format!("{base}/api/v1/contacts?limit=200"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        people.push(Person {
            id: me["id"].as_str().unwrap().parse().unwrap(),
            token,
            contacts: page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_owned())
                .collect(),
        });
    }
    people
}

/// The mixed workload: a fixed, seeded sequence of requests.
fn mixed_plan(base: &str, people: &[Person], length: usize) -> Vec<Planned> {
    let api = format!("{base}/api/v1");
    let sorts = [
        "name",
        "comfort",
        "familiarity",
        "last_interaction",
        "next_due",
    ];
    let names = [
        "chen", "ada", "lee", "kim", "anna", "ben", "sara", "tom", "li", "eva", "noah", "mia",
        "leo", "zoe", "max", "ivy", "sam", "ola", "raj", "uma",
    ];
    let today = chrono::Utc::now().date_naive();
    let mut rng = fastrand::Rng::with_seed(7);
    (0..length)
        .map(|_| {
            let who = &people[rng.usize(..people.len())];
            let contact = &who.contacts[rng.usize(..who.contacts.len())];
            match rng.u32(..100) {
                0..50 => {
                    let sort = sorts[rng.usize(..sorts.len())];
                    Planned::get(&format!("{api}/contacts?limit=50&sort={sort}"), &who.token)
                }
                50..70 => {
                    let q = names[rng.usize(..names.len())];
                    Planned::get(&format!("{api}/contacts?q={q}&limit=50"), &who.token)
                }
                70..85 => Planned::get(&format!("{api}/contacts/{contact}"), &who.token),
                85..95 => Planned::get(&format!("{api}/network"), &who.token),
                _ => Planned::post(
                    &format!("{api}/interactions"),
                    &who.token,
                    &serde_json::json!({
                        "contact_ids": [contact], "kind": "email", "occurred_on": today,
                        "depth": "brief", "initiated_by": "me",
                    }),
                ),
            }
        })
        .collect()
}

fn line(name: &str, what: &str, result: &LoadResult) -> String {
    format!("{name:<10} | {what:<46} {result}")
}

async fn run(backend: Backend, scale: f64) -> Option<Vec<String>> {
    let db = TestDb::new(backend).await?;
    let dir = tempfile::tempdir().unwrap();
    let contacts = ((1_000.0 * scale) as usize).max(20);
    let started = std::time::Instant::now();
    // SQLite has one writer; PostgreSQL seeds in four streams.
    let streams = if backend == Backend::Postgres { 4 } else { 1 };
    for batch in (0..USERS).collect::<Vec<_>>().chunks(streams) {
        let children: Vec<_> = batch
            .iter()
            .map(|n| {
                demo(
                    &db.url,
                    dir.path(),
                    &format!("user{n}@example.com"),
                    contacts,
                    *n as u64 + 1,
                )
            })
            .collect();
        for mut child in children {
            assert!(child.wait().unwrap().success(), "rapport demo");
        }
    }
    if backend == Backend::Postgres {
        use sqlx::Connection;
        let mut pg = sqlx::PgConnection::connect(&db.url).await.unwrap();
        sqlx::query("ANALYZE").execute(&mut pg).await.unwrap();
    }
    let name = format!("{backend:?}");
    let mut lines = vec![format!(
        "{name:<10} | {USERS} users × {contacts} contacts seeded in {:.0} s",
        started.elapsed().as_secs_f64()
    )];

    let bare = start_bare(&db.url).await;
    // Cold: Rapport with its answer cache off, beside the bare handler.
    let server = Server::start_with(&db.url, dir.path(), &[("RAPPORT_CACHE_MB", "0")]);
    let people = people(&server.base).await;
    let bare_plan: Vec<Planned> = people
        .iter()
        .map(|p| Planned::get(&format!("{bare}/bare/{}", p.id), ""))
        .collect();
    let cold_plan: Vec<Planned> = people
        .iter()
        .map(|p| {
            Planned::get(
                &format!("{}/api/v1/contacts?limit=50", server.base),
                &p.token,
            )
        })
        .collect();
    load_plan(&bare_plan, 8, 400).await;
    load_plan(&cold_plan, 8, 400).await;
    let baseline = load_plan(&bare_plan, 64, REQUESTS).await;
    let cold = load_plan(&cold_plan, 64, REQUESTS).await;
    lines.push(line(
        &name,
        "bare handler: 50 contacts of a random user",
        &baseline,
    ));
    lines.push(line(&name, "GET /contacts?limit=50, cache off", &cold));
    lines.push(format!(
        "{name:<10} | cold list / bare baseline: {:.2}×",
        cold.per_second / baseline.per_second
    ));
    // One request at a time, cache off, for one user: where the time of
    // each kind of request goes, without queueing.
    let api = format!("{}/api/v1", server.base);
    let one = &people[0];
    let today = chrono::Utc::now().date_naive();
    for (what, planned) in [
        (
            "one at a time: POST /interactions",
            Planned::post(
                &format!("{api}/interactions"),
                &one.token,
                &serde_json::json!({"contact_ids": [one.contacts[0]], "kind": "email",
                    "occurred_on": today, "depth": "brief", "initiated_by": "me"}),
            ),
        ),
        (
            "one at a time: GET /nurture",
            Planned::get(&format!("{api}/nurture"), &one.token),
        ),
        (
            "one at a time: GET /contacts?limit=50",
            Planned::get(&format!("{api}/contacts?limit=50"), &one.token),
        ),
        (
            "one at a time: GET /network",
            Planned::get(&format!("{api}/network"), &one.token),
        ),
    ] {
        let result = load_plan(&[planned], 1, 200).await;
        lines.push(line(&name, what, &result));
    }
    drop(server);

    // Mixed, as configured by default (the tokens stay valid: same secret
    // in the data directory, same sessions in the database).
    let server = Server::start(&db.url, dir.path());
    let plan = mixed_plan(&server.base, &people, REQUESTS);
    let watch = server.watch_anonymous_memory();
    load_plan(&plan[..400], 8, 400).await;
    let mixed = load_plan(&plan, 64, REQUESTS).await;
    let mixed16 = load_plan(&plan, 16, REQUESTS / 2).await;
    lines.push(line(&name, "mixed, 64 connections", &mixed));
    lines.push(line(&name, "mixed, 16 connections", &mixed16));
    lines.push(format!(
        "{name:<10} | mixed (64) / bare baseline: {:.2}×; p99/p50 at 64: {:.1}",
        mixed.per_second / baseline.per_second,
        mixed.p99_ms / mixed.p50_ms
    ));
    let peak_anonymous = watch.peak_mib();
    let (anon, file) = server.memory_now_mib();
    lines.push(format!(
        "{name:<10} | server under the mixed load: peak anonymous memory {peak_anonymous:.1} MiB, peak RSS {:.1} MiB; at the end {anon:.1} MiB anonymous + {file:.1} MiB mapped files",
        server.peak_memory_mib()
    ));
    Some(lines)
}

fn main() {
    rapport_tests::bench::on_each_backend(
        &format!("Rapport mixed-workload benchmark: {USERS} users, {REQUESTS} requests per run"),
        run,
    );
}
