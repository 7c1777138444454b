//! Building and running the HTTP application.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::DefaultHeaders;
use actix_web::{web, App, HttpServer};
use rapport_storage::Store;
use tracing_actix_web::TracingLogger;

use crate::auth::jwt::JwtKeys;
use crate::auth::limiter::LoginLimiter;
use crate::auth::password::PasswordHasher;
use crate::config::Config;
use crate::error::ErrorCode;
use crate::extract::JSON_LIMIT;
use crate::{routes, security, spa};

/// What every request handler can reach.
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Config,
    pub jwt: JwtKeys,
    pub hasher: PasswordHasher,
    pub login_limiter: LoginLimiter,
    pub card_drop_limiter: crate::routes::public::CardDropLimiter,
    /// Network views and contact lists, per user and data version.
    pub response_cache: crate::cache::ResponseCache,
    /// The session cache: signed-in callers known without asking the store.
    pub session_cache: crate::session_cache::SessionCache,
    /// Who this server is when it holds a background job's lease.
    pub lease_holder: uuid::Uuid,
    /// Imports being read or committed in the background.
    pub running_imports: crate::service::imports::Running,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: Config) -> Self {
        let issuer = config
            .public_url
            .clone()
            .unwrap_or_else(|| "rapport".to_owned());
        AppState {
            jwt: JwtKeys::new(&config.jwt_secret, &issuer),
            hasher: PasswordHasher::new(config.hash_parallelism, config.hash_queue),
            login_limiter: LoginLimiter::new(config.login_limits),
            card_drop_limiter: crate::routes::public::CardDropLimiter::new(config.card_drop_limits),
            response_cache: crate::cache::ResponseCache::new(config.cache_bytes),
            session_cache: Default::default(),
            lease_holder: uuid::Uuid::new_v4(),
            running_imports: Default::default(),
            store,
            config,
        }
    }
}

/// Registers everything a Rapport application serves.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PayloadConfig::new(JSON_LIMIT))
        .app_data(web::PathConfig::default().error_handler(|_, _| {
            // A malformed id names nothing, exactly like a missing one.
            crate::error::ApiError::new(
                actix_web::http::StatusCode::NOT_FOUND,
                crate::error::ErrorCode::NotFound,
                "There is no such object.",
            )
            .into()
        }))
        .app_data(web::QueryConfig::default().error_handler(|error, _| {
            crate::error::ApiError::bad_request(
                ErrorCode::InvalidQuery,
                format!("The query string is invalid: {error}."),
            )
            .into()
        }))
        .route("/healthz", web::get().to(routes::health::healthz))
        .route("/readyz", web::get().to(routes::health::readyz))
        .service(
            web::scope("/api/v1")
                .wrap(DefaultHeaders::new().add(("Cache-Control", "no-store")))
                .configure(routes::configure_api)
                .default_service(web::to(routes::api_fallback)),
        )
        .route("/api/docs", web::get().to(spa::api_docs))
        .configure(routes::configure_outside_api)
        // Any other address under /calendar names no feed: the same 404
        // problem as an unknown secret, not the app's page.
        .service(web::scope("/calendar").default_service(web::to(routes::calendar::no_feed)))
        .service(
            web::scope("/api")
                .wrap(DefaultHeaders::new().add(("Cache-Control", "no-store")))
                .default_service(web::to(routes::api_fallback)),
        )
        .default_service(web::to(spa::serve));
}

pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
}

impl Application {
    /// Connects the store, applies migrations and binds the listener
    /// (port 0 picks a free port; see [`Application::port`]).
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let store = rapport_storage::connect(&config.database_url).await?;
        Self::build_with_store(config, store)
    }

    pub fn build_with_store(config: Config, store: Arc<dyn Store>) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(&config.addr)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.addr))?;
        let port = listener.local_addr()?.port();
        let workers = config.workers;
        let state = web::Data::new(AppState::new(store.clone(), config));
        tokio::spawn(crate::session_cache::listen(store.clone(), state.clone()));
        let known = state.clone();
        tokio::spawn(crate::service::upkeep::run_forever(
            store,
            state.lease_holder,
            state.config.clock,
            Arc::new(move |owner| known.session_cache.forget_account(owner)),
        ));
        let app_state = state.clone();
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(app_state.clone())
                .wrap(security::headers())
                .wrap(actix_web::middleware::from_fn(
                    crate::session_cache::forget_after_writes,
                ))
                .wrap(actix_web::middleware::from_fn(
                    crate::extract::refuse_nul_in_url,
                ))
                .wrap(actix_web::middleware::from_fn(security::request_id))
                .wrap(TracingLogger::default())
                .configure(configure)
        })
        .shutdown_timeout(10);
        if let Some(workers) = workers {
            server = server.workers(workers);
        }
        let server = server.listen(listener)?.run();
        Ok(Application {
            port,
            server,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// Serves until SIGINT/SIGTERM (graceful: in-flight requests finish).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
