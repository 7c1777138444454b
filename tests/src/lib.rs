//! Helpers for Rapport's integration tests: a fresh database per test on
//! SQLite (a temporary file) or PostgreSQL (a new database, dropped
//! afterwards), and the real server started on port 0 against it.
//!
//! PostgreSQL is found at `RAPPORT_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). When it cannot be
//! reached the PostgreSQL tests are skipped with a loud message — unless
//! `RAPPORT_CI=1`, where they fail instead, so CI never skips a suite.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rapport_server::{AppState, Application, Config};
use rapport_storage::Store;
use sqlx::Connection;

pub use rapport_storage::Backend;

pub mod bench;

pub fn postgres_admin_url() -> String {
    std::env::var("RAPPORT_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

pub fn in_ci() -> bool {
    std::env::var("RAPPORT_CI").is_ok_and(|v| v == "1")
}

/// A database that exists for one test.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres_name: Option<String>,
}

impl TestDb {
    /// A fresh, empty database, or `None` (after a loud message) when the
    /// backend is not available outside CI.
    pub async fn new(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let url = format!("sqlite://{}", dir.path().join("rapport.db").display());
                Some(TestDb {
                    url,
                    _dir: Some(dir),
                    postgres_name: None,
                })
            }
            Backend::Postgres => {
                let admin = postgres_admin_url();
                let mut conn = match sqlx::PgConnection::connect(&admin).await {
                    Ok(conn) => conn,
                    Err(error) => {
                        if in_ci() {
                            panic!(
                                "PostgreSQL is required in CI but unreachable at {admin}: {error}"
                            );
                        }
                        eprintln!(
                            "\n!!! SKIPPED: PostgreSQL is unreachable at {admin} ({error}).\n\
                             !!! The PostgreSQL half of this test did not run. Start PostgreSQL or set RAPPORT_TEST_POSTGRES_URL.\n"
                        );
                        return None;
                    }
                };
                let name = format!("rapport_test_{}", uuid::Uuid::new_v4().simple());
                Some(TestDb {
                    url: create_database(&mut conn, &admin, &name).await,
                    _dir: None,
                    postgres_name: Some(name),
                })
            }
        }
    }

    /// A database that outlives the run, under `name` (benchmarks keep
    /// their seeded data this way): PostgreSQL database `name`, or SQLite
    /// file `dir/name.db`. `fresh`: emptied first.
    pub async fn kept(backend: Backend, name: &str, dir: &Path, fresh: bool) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => {
                let file = dir.join(format!("{name}.db"));
                if fresh {
                    for suffix in ["", "-wal", "-shm"] {
                        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
                    }
                }
                Some(TestDb {
                    url: format!("sqlite://{}", file.display()),
                    _dir: None,
                    postgres_name: None,
                })
            }
            Backend::Postgres => {
                let admin = postgres_admin_url();
                let mut conn = sqlx::PgConnection::connect(&admin).await.ok()?;
                let url = if fresh {
                    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await
                        .expect("drop the kept database");
                    create_database(&mut conn, &admin, name).await
                } else {
                    database_url(&admin, name)
                };
                Some(TestDb {
                    url,
                    _dir: None,
                    postgres_name: None,
                })
            }
        }
    }

    pub async fn store(&self) -> Arc<dyn Store> {
        rapport_storage::connect(&self.url)
            .await
            .expect("open the test database")
    }
}

/// Creates PostgreSQL database `name`; returns its URL.
async fn create_database(conn: &mut sqlx::PgConnection, admin: &str, name: &str) -> String {
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(conn)
        .await
        .expect("create a database");
    database_url(admin, name)
}

/// The URL of database `name` on the server of `admin`.
fn database_url(admin: &str, name: &str) -> String {
    let base = admin.rsplit_once('/').map_or(admin, |(b, _)| b);
    format!("{base}/{name}")
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.postgres_name.take() else {
            return;
        };
        // Drop runs outside async code: use a small runtime of its own.
        let admin = postgres_admin_url();
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async move {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join();
    }
}

pub const TEST_SECRET: &[u8] = b"test-secret-test-secret-test-secret!!";

/// The real server on a free port, with its own database.
pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub state: actix_web::web::Data<AppState>,
    pub store: Arc<dyn Store>,
    pub db: TestDb,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, |_| {}).await
    }

    pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Option<TestApp> {
        let db = TestDb::new(backend).await?;
        let mut config = Config::new(db.url.clone(), TEST_SECRET.to_vec());
        config.addr = "127.0.0.1:0".to_owned();
        config.workers = Some(2);
        tweak(&mut config);
        let store = db.store().await;
        let app = Application::build_with_store(config, store.clone()).expect("build the app");
        let port = app.port();
        let state = app.state();
        tokio::spawn(app.run_until_stopped());
        Some(TestApp {
            address: format!("http://127.0.0.1:{port}"),
            port,
            state,
            store,
            db,
        })
    }

    /// Returns once the server keeps signed-in callers and has heard every
    /// change committed so far by any process (PostgreSQL announces them in
    /// commit order: this sends one more and waits for it; on SQLite the
    /// server compares change stamps instead, so there is nothing to hear).
    pub async fn heard_everything(&self) {
        let mut hearing = self.state.session_cache.subscribe();
        let wait = Duration::from_secs(10);
        tokio::time::timeout(wait, hearing.wait_for(|h| h.listening))
            .await
            .expect("the server keeps callers")
            .expect("the server runs");
        if self.store.backend() != Backend::Postgres {
            return;
        }
        let marker = uuid::Uuid::new_v4();
        let mut db = sqlx::PgConnection::connect(&self.db.url).await.unwrap();
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(rapport_storage::changes::CHANNEL)
            .bind(marker.to_string())
            .execute(&mut db)
            .await
            .unwrap();
        tokio::time::timeout(wait, hearing.wait_for(|h| h.last == Some(marker)))
            .await
            .expect("the server hears the marker")
            .expect("the server runs");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A client that keeps cookies, like a browser tab.
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .timeout(Duration::from_secs(30))
            .build()
            .expect("a client")
    }

    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("a client")
    }
}

/// Runs each named `async fn name(backend: Backend)` as one test per backend.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name($crate::Backend::Sqlite).await
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name($crate::Backend::Postgres).await
            })*
        }
    };
}

pub const PASSWORD: &str = "quiet harbor lantern 42";

/// A signed-in browser: its cookie jar holds the refresh cookie.
pub struct SignedIn {
    pub browser: reqwest::Client,
    pub token: String,
    pub user: serde_json::Value,
}

impl SignedIn {
    pub fn id(&self) -> String {
        self.user["id"].as_str().expect("a user id").to_owned()
    }
}

impl TestApp {
    pub async fn register(&self, email: &str) -> reqwest::Response {
        self.client()
            .post(self.url("/api/v1/auth/register"))
            .json(&serde_json::json!({
                "email": email, "password": PASSWORD, "display_name": display_name(email)
            }))
            .send()
            .await
            .expect("register request")
    }

    pub async fn login_with(
        &self,
        browser: &reqwest::Client,
        email: &str,
        password: &str,
    ) -> reqwest::Response {
        browser
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({"email": email, "password": password}))
            .send()
            .await
            .expect("login request")
    }

    pub async fn sign_in(&self, email: &str) -> SignedIn {
        let browser = self.browser();
        let response = self.login_with(&browser, email, PASSWORD).await;
        assert_eq!(response.status(), 200, "sign in as {email}");
        let body: serde_json::Value = response.json().await.unwrap();
        SignedIn {
            browser,
            token: body["access_token"].as_str().unwrap().to_owned(),
            user: body["user"].clone(),
        }
    }

    /// Registers (open registration or first account) and signs in.
    pub async fn new_user(&self, email: &str) -> SignedIn {
        let response = self.register(email).await;
        assert_eq!(response.status(), 201, "register {email}");
        self.sign_in(email).await
    }
}

fn display_name(email: &str) -> String {
    email.split('@').next().unwrap_or(email).to_owned()
}

/// Asserts a problem response and returns its body.
pub async fn problem(response: reqwest::Response, status: u16, code: &str) -> serde_json::Value {
    assert_eq!(response.status(), status, "status for {code}");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: serde_json::Value = response.json().await.expect("a JSON problem");
    assert_eq!(body["code"], code, "problem: {body}");
    assert_eq!(body["status"], status);
    body
}

/// The field names of a problem's `errors`.
pub fn fields(problem: &serde_json::Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// An app where anyone may register (most API tests need two users).
pub async fn open_app(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |c| {
        c.registration = rapport_server::config::RegistrationMode::Open
    })
    .await
}

/// An app where anyone may register and create teams.
pub async fn team_app(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |c| {
        c.registration = rapport_server::config::RegistrationMode::Open;
        c.teams = rapport_server::config::TeamCreation::Anyone;
    })
    .await
}

impl TestApp {
    /// A team that `owner` creates, with these (email, role) members added;
    /// its id.
    pub async fn team_of(
        &self,
        owner: &SignedIn,
        body: serde_json::Value,
        members: &[(&str, &str)],
    ) -> String {
        let api = Api {
            app: self,
            who: owner,
        };
        let team = api.create("/teams", body).await;
        let id = team["id"].as_str().expect("a team id").to_owned();
        for (email, role) in members {
            api.create(
                &format!("/teams/{id}/members"),
                serde_json::json!({"email": email, "role": role}),
            )
            .await;
        }
        id
    }
}

/// The claims of an access token (a JWT), unverified.
pub fn claims_of(token: &str) -> serde_json::Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).expect("a JWT");
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&json).expect("JSON claims")
}

/// The `id` of an object the API answered.
pub fn id(value: &serde_json::Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

/// The day `days` before today (UTC), as the API writes dates.
pub fn days_ago(days: i64) -> String {
    (chrono::Utc::now().date_naive() - chrono::Duration::days(days)).to_string()
}

/// Calls the API as one signed-in user; paths are under `/api/v1`.
pub struct Api<'a> {
    pub app: &'a TestApp,
    pub who: &'a SignedIn,
}

impl Api<'_> {
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
        if_match: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self
            .app
            .client()
            .request(method, self.app.url(&format!("/api/v1{path}")))
            .bearer_auth(&self.who.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        if let Some(tag) = if_match {
            request = request.header("if-match", tag);
        }
        request.send().await.expect("an API request")
    }

    /// A successful call's JSON body.
    pub async fn json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> serde_json::Value {
        let response = self.call(method.clone(), path, body, None).await;
        assert!(
            response.status().is_success(),
            "{method} {path}: {}",
            response.status()
        );
        response.json().await.expect("a JSON body")
    }

    /// POSTs and expects 201 Created.
    pub async fn create(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let response = self
            .call(reqwest::Method::POST, path, Some(body), None)
            .await;
        assert_eq!(response.status(), 201, "POST {path}");
        response.json().await.expect("a JSON body")
    }
}
