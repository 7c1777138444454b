//! Interactions, `/interactions`: what happened with whom, and when.

use rapport_core::account::Page;
use rapport_core::network::{Interaction, InteractionPatch, NewInteraction};
use uuid::Uuid;

use super::{version_tag, ApiResult, Query};

fn path(id: Uuid) -> String {
    format!("/interactions/{id}")
}

/// A page (50, newest first) of the interactions with one contact; the
/// first page, or the one after `cursor`.
pub async fn of_contact(contact_id: Uuid, cursor: Option<&str>) -> ApiResult<Page<Interaction>> {
    let query = Query::new()
        .add("contact_id", contact_id)
        .add("limit", 50)
        .maybe("cursor", cursor);
    super::fetch(&query.on("/interactions")).await
}

pub async fn create(interaction: &NewInteraction) -> ApiResult<Interaction> {
    super::create("/interactions", interaction).await
}

/// Changes an interaction read at `version` (412 when it changed since).
pub async fn update(id: Uuid, version: i64, patch: &InteractionPatch) -> ApiResult<Interaction> {
    super::update(&path(id), patch, Some(&version_tag(version))).await
}

/// Deletes an interaction read at `version` (412 when it changed since).
pub async fn delete(id: Uuid, version: i64) -> ApiResult<()> {
    super::remove(&path(id), Some(&version_tag(version))).await
}
