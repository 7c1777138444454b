//! Events, `/events`: where I meet people, with their card drops.

use rapport_core::account::Page;
use rapport_core::contact::Contact;
use rapport_core::event::{Event, EventPatch, NewEvent};
use uuid::Uuid;

use super::{version_tag, ApiResult, Query};

fn path(id: Uuid) -> String {
    format!("/events/{id}")
}

/// The latest 200 events.
pub async fn list() -> ApiResult<Page<Event>> {
    super::fetch(&Query::new().add("limit", 200).on("/events")).await
}

/// An event, by the id as written in the app's address (the server
/// answers a problem when it is no event's id).
pub async fn get(id: &str) -> ApiResult<Event> {
    let id: String = js_sys::encode_uri_component(id).into();
    super::fetch(&format!("/events/{id}")).await
}

pub async fn create(event: &NewEvent) -> ApiResult<Event> {
    super::create("/events", event).await
}

/// Changes an event read at `version` (412 when it changed since).
pub async fn update(id: Uuid, version: i64, patch: &EventPatch) -> ApiResult<Event> {
    super::update(&path(id), patch, Some(&version_tag(version))).await
}

/// Deletes an event read at `version` (412 when it changed since).
pub async fn delete(id: Uuid, version: i64) -> ApiResult<()> {
    super::remove(&path(id), Some(&version_tag(version))).await
}

/// The first 200 contacts met at an event.
pub async fn contacts(id: Uuid) -> ApiResult<Page<Contact>> {
    let query = Query::new().add("limit", 200);
    super::fetch(&query.on(&format!("/events/{id}/contacts"))).await
}
