//! Imports, `/imports`: a file previewed row by row, then committed in one
//! transaction, and undone while nothing it wrote has changed.

use rapport_core::account::Page;
use rapport_core::import::{ColumnMapping, CommitOptions, Import, ImportRow, RowOutcome};
use uuid::Uuid;

use super::{ApiResult, Query};

/// `/imports/{id}` followed by `rest`.
fn path(id: Uuid, rest: &str) -> String {
    format!("/imports/{id}{rest}")
}

/// Uploads a file as it is (`?filename=` names it): the server detects
/// its format and reads it in the background (status `parsing`, with its
/// progress, until the preview is ready). Nothing is written yet.
pub async fn upload(file: web_sys::File) -> ApiResult<Import> {
    let query = Query::new().add("filename", file.name());
    super::start(&query.on("/imports"), Some(super::Body::File(file))).await
}

/// My latest imports, newest first.
pub async fn list(limit: u32) -> ApiResult<Page<Import>> {
    super::fetch(&Query::new().add("limit", limit).on("/imports")).await
}

pub async fn get(id: Uuid) -> ApiResult<Import> {
    super::fetch(&path(id, "")).await
}

/// A page of an import's rows (all, or of one outcome): the first, or
/// the one after `cursor`.
pub async fn rows(
    id: Uuid,
    outcome: Option<RowOutcome>,
    limit: u32,
    cursor: Option<&str>,
) -> ApiResult<Page<ImportRow>> {
    let query = Query::new()
        .maybe("outcome", outcome.map(RowOutcome::as_str))
        .add("limit", limit)
        .maybe("cursor", cursor);
    super::fetch(&query.on(&path(id, "/rows"))).await
}

/// Reads a spreadsheet again with another column → field mapping.
pub async fn map_columns(id: Uuid, mapping: &ColumnMapping) -> ApiResult<Import> {
    super::replace(&path(id, "/mapping"), mapping).await
}

/// Writes a previewed import, in one transaction, in the background: the
/// answer is the import being committed (status `committing`, with its
/// progress); read it again until it is committed (or failed).
pub async fn commit(id: Uuid, options: &CommitOptions) -> ApiResult<Import> {
    let body = super::Body::Json(super::to_json(options)?);
    super::start(&path(id, "/commit"), Some(body)).await
}

/// Removes what the import created and restores what it changed (409
/// `changed_since_import` when some of it was changed since).
pub async fn undo(id: Uuid) -> ApiResult<Import> {
    super::act(&path(id, "/undo")).await
}
