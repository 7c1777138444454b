//! Introductions, `/introductions`: two of my contacts I mean to introduce.

use rapport_core::account::Page;
use rapport_core::introduction::{Introduction, IntroductionPatch, NewIntroduction};
use uuid::Uuid;

use super::{version_tag, ApiResult, Query};

/// The latest 200 introductions; with `statuses` (comma-separated, e.g.
/// `proposed,asked`), only those.
pub async fn list(statuses: &str) -> ApiResult<Page<Introduction>> {
    let statuses = Some(statuses).filter(|s| !s.is_empty());
    let query = Query::new().add("limit", 200).maybe("status", statuses);
    super::fetch(&query.on("/introductions")).await
}

/// The latest 50 introductions of one contact.
pub async fn of_contact(contact_id: Uuid) -> ApiResult<Page<Introduction>> {
    let query = Query::new().add("contact_id", contact_id).add("limit", 50);
    super::fetch(&query.on("/introductions")).await
}

/// Proposes an introduction (409 `comfort_below_threshold` asks to confirm).
pub async fn create(request: &NewIntroduction) -> ApiResult<Introduction> {
    super::create("/introductions", request).await
}

/// Moves an introduction read at `version` on (412 when it changed since).
pub async fn update(id: Uuid, version: i64, patch: &IntroductionPatch) -> ApiResult<Introduction> {
    let path = format!("/introductions/{id}");
    super::update(&path, patch, Some(&version_tag(version))).await
}
