//! Liveness and readiness, outside the API for load balancers.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::app::AppState;

/// The process is alive.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// The database answers.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.store.ping().await {
        Ok(()) => HttpResponse::Ok().json(json!({"status": "ready"})),
        Err(error) => {
            tracing::warn!(%error, "database not reachable");
            HttpResponse::ServiceUnavailable()
                .json(json!({"status": "unavailable", "reason": "the database is not reachable"}))
        }
    }
}
