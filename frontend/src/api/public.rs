//! An event's public card drop, `/public/events/{slug}`: no account needed.

use rapport_core::event::{CardDropReceipt, CardDropRequest, PublicEvent};
use rapport_core::Problem;

use super::{decode, ApiResult};

fn path(slug: &str, rest: &str) -> String {
    let slug: String = js_sys::encode_uri_component(slug).into();
    format!("/public/events/{slug}{rest}")
}

/// What the public page of a card drop shows.
pub async fn event(slug: &str) -> ApiResult<PublicEvent> {
    let response = super::get(&path(slug, ""))
        .send()
        .await
        .map_err(|_| network_problem())?;
    decode(response).await
}

/// Leaves a card at an open card drop.
pub async fn drop_card(slug: &str, card: &CardDropRequest) -> ApiResult<CardDropReceipt> {
    let request = super::post(&path(slug, "/cards"))
        .json(card)
        .map_err(|_| network_problem())?;
    let response = request.send().await.map_err(|_| network_problem())?;
    decode(response).await
}

/// Said on the public page, to people who have no account here.
fn network_problem() -> Problem {
    Problem::new(
        0,
        "network_error",
        "Network error",
        "The page could not reach its server. Check your connection and try again.",
    )
}
