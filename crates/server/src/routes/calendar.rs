//! The calendar feed: a secret address (made, rotated and revoked by its
//! owner) where a calendar app reads my follow-ups, keep-in-touch dates and
//! events as iCalendar, with no other authentication. The secret is
//! stored as its SHA-256, like personal access tokens.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use rapport_core::export::CalendarFeed;
use rapport_core::Problem;

use crate::app::AppState;
use crate::auth::{random_secret, sha256};
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::service::export;

/// Prefix of calendar feed secrets, so that people and scanners recognise
/// one in a leaked address.
pub const FEED_PREFIX: &str = "rcf_";

/// The feed's address under the instance's public URL (or, without one,
/// the address this request reached).
fn feed_url(req: &HttpRequest, state: &AppState, secret: &str) -> String {
    let base = match &state.config.public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => {
            let info = req.connection_info();
            format!("{}://{}", info.scheme(), info.host())
        }
    };
    format!("{base}/calendar/{secret}.ics")
}

#[utoipa::path(post, path = "/api/v1/me/calendar-feed", tag = "me",
    summary = "Create or rotate my calendar feed",
    description = "Makes a new secret address for your calendar feed and answers it: subscribe \
        to it in a calendar app to see your follow-ups, keep-in-touch dates and events. The \
        address is in this answer only (it is stored hashed); calling this again makes a new \
        one and the old address stops working at once (404). Anyone who has the address can \
        read the feed, so rotate it if it leaks. Needs a browser session or a personal access \
        token with the `write` scope. No request body.",
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The feed's new address, shown this once", body = CalendarFeed),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A read-only token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> ApiResult<HttpResponse> {
    let secret = format!("{FEED_PREFIX}{}", random_secret());
    let created_at = rapport_storage::now();
    state
        .store
        .put_calendar_feed(caller.id(), &sha256(&secret), created_at)
        .await?;
    let url = feed_url(&req, &state, &secret);
    Ok(HttpResponse::Created().json(CalendarFeed { url, created_at }))
}

#[utoipa::path(delete, path = "/api/v1/me/calendar-feed", tag = "me",
    summary = "Revoke my calendar feed",
    description = "Revokes your calendar feed: its address answers 404 from now on. A 404 when \
        you have no feed. Needs a browser session or a personal access token with the `write` \
        scope.",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A read-only token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "You have no calendar feed", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_feed(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    if state.store.delete_calendar_feed(caller.id()).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found("calendar feed"))
    }
}

/// What every address under `/calendar` that names no feed answers.
pub async fn no_feed() -> ApiResult<HttpResponse> {
    Err(ApiError::not_found("calendar feed"))
}

/// Longest secret worth hashing (ours are 47 characters).
const SECRET_MAX_CHARS: usize = 128;

#[utoipa::path(get, path = "/calendar/{secret}.ics", tag = "public",
    summary = "Read a calendar feed",
    description = "Returns the iCalendar (RFC 5545) feed at a secret address made with \
        `POST /api/v1/me/calendar-feed`: one all-day event (`VALUE=DATE`) per follow-up date of \
        an interaction, per contact's keep-in-touch due date and per event, with stable `UID`s \
        (`follow-up-<interaction id>@rapport`, `keep-in-touch-<contact id>@rapport`, \
        `event-<event id>@rapport`) and `DTSTAMP` set to when the object last changed; lines end \
        in CRLF and are folded at 75 octets. Notes and passphrases are left out. No other \
        authentication: the secret is the credential. An unknown, rotated or revoked address \
        (or a disabled account) is a 404.",
    params(("secret" = String, Path, description = "The secret from the feed's address, without `.ics`")),
    responses(
        (status = 200, description = "The calendar", body = String, content_type = "text/calendar"),
        (status = 404, description = "No feed at this address", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn feed(
    state: web::Data<AppState>,
    secret: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let secret = secret.into_inner();
    let not_found = || ApiError::not_found("calendar feed");
    // Also keeps a long made-up secret from costing a hash and a query.
    if !secret.starts_with(FEED_PREFIX) || secret.chars().count() > SECRET_MAX_CHARS {
        return Err(not_found());
    }
    let owner = state
        .store
        .calendar_feed_owner(&sha256(&secret))
        .await?
        .ok_or_else(not_found)?;
    let body = export::calendar(&*state.store, owner.id).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}
