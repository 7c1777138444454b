//! Invitation drafts: an ask-first note to a contact, saying where we met
//! and quoting the event's passphrase when there is one.

use actix_web::{web, HttpResponse};
use rapport_core::invitation::{invitation_draft, DraftFacts, InvitationDraft};
use rapport_core::Problem;
use uuid::Uuid;

use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;

#[utoipa::path(get, path = "/api/v1/contacts/{id}/invitation-draft", tag = "contacts",
    summary = "Draft an ask-first invitation",
    description = "Drafts a note asking a contact whether they are open to connecting, from their \
        \"how we met\": the event or place, who introduced you, and the event's passphrase where \
        it has one, as proof that you were both in the room. Any signed-in caller may call it: a \
        browser session or a personal access token, read-only tokens included. Nothing is stored \
        or sent.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "A note asking whether they are open to connecting, from how we met", body = InvitationDraft),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn invitation_draft_for(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let owner = caller.id();
    let contact = state
        .store
        .contact(owner, *id)
        .await?
        .ok_or_else(|| ApiError::not_found("contact"))?;
    let how_met = contact.data.how_met.clone().unwrap_or_default();
    let event = match how_met.event_id {
        Some(event) => state.store.event(owner, event).await?,
        None => None,
    };
    let introducer = match how_met.introduced_by {
        Some(by) => state.store.contact(owner, by).await?.map(|c| c.data.name),
        None => None,
    };
    let event = event.map(|e| e.data);
    let place = how_met
        .place
        .as_deref()
        .or_else(|| event.as_ref().and_then(|e| e.place.as_deref()));
    let draft = invitation_draft(&DraftFacts {
        contact_name: &contact.data.name,
        my_name: &caller.user.display_name,
        event_name: event.as_ref().map(|e| e.name.as_str()),
        passphrase: event.as_ref().and_then(|e| e.passphrase.as_deref()),
        place,
        introduced_by: introducer.as_deref(),
    });
    Ok(HttpResponse::Ok().json(draft))
}
