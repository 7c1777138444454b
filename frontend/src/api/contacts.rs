//! Contacts, `/contacts`: the people in my network, and what is said of
//! each (comfort, connection steps, familiarity, the invitation draft).

use rapport_core::account::Page;
use rapport_core::contact::{Contact, ContactPatch, NewContact};
use rapport_core::familiarity::Familiarity;
use rapport_core::invitation::InvitationDraft;
use rapport_core::network::{
    ComfortRating, ComfortRequest, ConnectionChange, ConnectionRequest, SnoozeRequest,
};
use uuid::Uuid;

use super::{ApiResult, Query, Tagged};

/// `/contacts/{id}` followed by `rest`.
fn path(id: Uuid, rest: &str) -> String {
    format!("/contacts/{id}{rest}")
}

/// The first `limit` contacts whose name, company or tags match `text`.
pub async fn search(text: &str, limit: u32) -> ApiResult<Page<Contact>> {
    let query = Query::new().add("q", text).add("limit", limit);
    super::fetch(&query.on("/contacts")).await
}

/// A contact, with its `ETag` for a later change.
pub async fn get(id: Uuid) -> ApiResult<Tagged<Contact>> {
    super::fetch_tagged(&path(id, "")).await
}

pub async fn create(contact: &NewContact) -> ApiResult<Contact> {
    super::create("/contacts", contact).await
}

/// Changes a contact read with `etag` (412 when it changed since).
pub async fn update(id: Uuid, patch: &ContactPatch, etag: &str) -> ApiResult<Contact> {
    super::update(&path(id, ""), patch, Some(etag)).await
}

/// Deletes a contact read with `etag` (412 when it changed since).
pub async fn delete(id: Uuid, etag: &str) -> ApiResult<()> {
    super::remove(&path(id, ""), Some(etag)).await
}

/// Rates how comfortable I am referring them.
pub async fn set_comfort(id: Uuid, request: &ComfortRequest) -> ApiResult<Contact> {
    super::replace(&path(id, "/comfort"), request).await
}

pub async fn comfort_history(id: Uuid) -> ApiResult<Page<ComfortRating>> {
    super::fetch(&path(id, "/comfort/history")).await
}

/// Puts the keep-in-touch date off.
pub async fn snooze(id: Uuid, request: &SnoozeRequest) -> ApiResult<Contact> {
    super::create(&path(id, "/snooze"), request).await
}

pub async fn familiarity(id: Uuid) -> ApiResult<Familiarity> {
    super::fetch(&path(id, "/familiarity")).await
}

/// Records a step of asking to connect.
pub async fn change_connection(id: Uuid, request: &ConnectionRequest) -> ApiResult<Contact> {
    super::create(&path(id, "/connection"), request).await
}

pub async fn connection_history(id: Uuid) -> ApiResult<Page<ConnectionChange>> {
    super::fetch(&path(id, "/connection/history")).await
}

pub async fn invitation_draft(id: Uuid) -> ApiResult<InvitationDraft> {
    super::fetch(&path(id, "/invitation-draft")).await
}
