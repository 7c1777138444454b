//! The public card drop of an event, without authentication: attendees
//! leave their name, email and profile URL by quoting the passphrase.
//!
//! An unknown slug, a disabled drop, a closed window and a wrong passphrase
//! all get the same refusal, so that a visitor learns nothing about which
//! events exist; drops are rate-limited per client address.

use std::net::IpAddr;

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use rapport_core::event::{CardDropReceipt, CardDropRequest, PublicEvent};
use rapport_core::{Problem, Validate};
use rapport_storage::CardDropOutcome;

use crate::app::AppState;
use crate::config::CardDropLimits;
use crate::error::ErrorCode;
use crate::error::{ApiError, ApiResult};
use crate::extract::{client_ip, parse_json};
use crate::rate_limit::RateLimit;
use crate::service::card_drop;

/// Card drops per client address.
pub struct CardDropLimiter(RateLimit<IpAddr>);

impl CardDropLimiter {
    pub fn new(limits: CardDropLimits) -> Self {
        CardDropLimiter(RateLimit::new(
            limits.per_address_burst,
            limits.per_address_interval,
        ))
    }

    /// Counts one drop; `Err(seconds)` says how long to wait.
    pub fn check(&self, address: IpAddr) -> Result<(), u64> {
        self.0.check(&address)
    }
}

/// The one answer for every reason a card drop says no.
fn refused() -> ApiError {
    ApiError::forbidden(
        ErrorCode::CardDropRefused,
        "This card drop is not accepting cards: it may be closed, or the address or the \
         passphrase may be wrong. Check them with the organiser.",
    )
}

#[utoipa::path(get, path = "/api/v1/public/events/{slug}", tag = "public",
    summary = "Get an event's card drop page",
    description = "Returns what an event's public card drop page shows: name, start date, place \
        and whether cards are accepted right now. Public: no authentication needed. An unknown \
        address and a disabled card drop get the same 403 refusal, so a visitor learns nothing \
        about which events exist.",
    params(("slug" = String, Path, description = "From the card drop's address, `/e/{slug}`")),
    responses(
        (status = 200, description = "What the card drop page shows; `open` says whether cards are accepted now", body = PublicEvent),
        (status = 403, description = "No enabled card drop at this address (the same refusal for every reason)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_public_event(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let event = card_drop::open_event(&*state.store, &slug)
        .await?
        .ok_or_else(refused)?;
    let data = event.data;
    Ok(HttpResponse::Ok().json(PublicEvent {
        open: data.card_drop.is_open_at(Utc::now()),
        name: data.name,
        starts_on: data.starts_on,
        place: data.place,
    }))
}

#[utoipa::path(post, path = "/api/v1/public/events/{slug}/cards", tag = "public",
    summary = "Leave a card at an event",
    description = "Leaves an attendee's name, email address and/or profile URL and an optional \
        note at an event's card drop, quoting the passphrase given in the room (case and extra \
        spaces do not matter). Public: no authentication needed; rate-limited per client address \
        (429 with `Retry-After`). The card becomes a contact of the organiser met at the event, \
        or completes their contact with the same email address or profile URL, and the answer \
        does not say which. An unknown address, a disabled or closed drop and a wrong passphrase \
        all get the same 403 refusal.",
    params(("slug" = String, Path, description = "From the card drop's address, `/e/{slug}`")),
    request_body = CardDropRequest,
    responses(
        (status = 201, description = "Received: a new contact of the organiser, or a known one completed (the answer does not say which)", body = CardDropReceipt),
        (status = 403, description = "Refused: the same answer for an unknown address, a closed or disabled drop and a wrong passphrase", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many drops from this address; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn drop_card(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    state
        .card_drop_limiter
        .check(client_ip(&req))
        .map_err(ApiError::too_many_requests)?;
    let request: CardDropRequest = parse_json(&req, &body)?;
    request.validate()?;
    let card = request.normalize();
    let (event, outcome) = card_drop::drop_card(
        &*state.store,
        &slug,
        card,
        Utc::now(),
        state.config.clock.now(),
    )
    .await
    .map_err(|error| match error {
        card_drop::Error::Refused => refused(),
        card_drop::Error::Store(error) => error.into(),
    })?;
    let receipt = CardDropReceipt {
        status: "received".to_owned(),
    };
    // The same answer either way: whether the organiser already knew this
    // person is theirs to know, not the dropper's.
    match outcome {
        CardDropOutcome::Created(contact) => {
            tracing::info!(%event, %contact, "card drop: new contact");
        }
        CardDropOutcome::Updated(contact) => {
            tracing::info!(%event, %contact, "card drop: known contact completed");
        }
    }
    Ok(HttpResponse::Created().json(receipt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_throttled_after_its_burst() {
        let limiter = CardDropLimiter::new(CardDropLimits {
            per_address_burst: 2,
            per_address_interval: std::time::Duration::from_secs(60),
        });
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        assert!(limiter.check(ip).is_ok());
        assert!(limiter.check(ip).is_ok());
        let wait = limiter.check(ip).unwrap_err();
        assert!((1..=60).contains(&wait));
        assert!(
            limiter.check(other).is_ok(),
            "other addresses are not affected"
        );
    }
}
