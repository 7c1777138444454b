//! Imports: upload a file (LinkedIn, Google, Outlook, vCard, any
//! spreadsheet), read its preview, map a spreadsheet's columns, commit it in
//! one transaction, undo it (see [`crate::service::imports`]).

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use rapport_core::account::Page;
use rapport_core::import::{ColumnMapping, CommitOptions, Import, ImportRow, RowOutcome};
use rapport_core::Problem;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::app::AppState;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{Caller, ValidJson};
use crate::import::MAX_FILE_BYTES;
use crate::routes::pagination::{self, decode_cursor, encode_cursor, parse_cursor, parse_limit};
use crate::service::imports::{self as service, Error};

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        match error {
            Error::Unreadable(unreadable) => {
                let mut error = ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    ErrorCode::ImportUnreadable,
                    unreadable.message.clone(),
                );
                error.errors = vec![rapport_core::FieldError {
                    field: unreadable.field.to_owned(),
                    message: unreadable.message,
                }];
                error
            }
            Error::Mapping { field, message } => ApiError::invalid_field(&field, message),
            Error::Conflict(message) => ApiError::conflict(ErrorCode::Conflict, message),
            Error::ChangedSince(ids) => {
                let mut error = ApiError::conflict(
                    ErrorCode::ChangedSinceImport,
                    format!(
                        "{} of the contacts this import wrote changed since (edited, rated or \
                         given an interaction): undoing it would lose that. Undo those changes \
                         or remove the contacts yourself.",
                        ids.len()
                    ),
                );
                error.errors = ids
                    .into_iter()
                    .map(|id| rapport_core::FieldError {
                        field: format!("contacts.{id}"),
                        message: "changed since the import".to_owned(),
                    })
                    .collect();
                error
            }
            Error::Store(store) => store.into(),
        }
    }
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::PayloadTooLarge,
        format!(
            "The file is larger than {} MB: split it and import each part.",
            MAX_FILE_BYTES / (1024 * 1024)
        ),
    )
}

/// Reads a stream of chunks up to the file limit.
async fn read_limited<S, E>(mut stream: S) -> ApiResult<Vec<u8>>
where
    S: futures_util::Stream<Item = Result<web::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::ImportUnreadable,
                format!("The upload was cut short: {e}"),
            )
        })?;
        if body.len() + chunk.len() > MAX_FILE_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The file of an upload: the `file` part of a `multipart/form-data` body,
/// or the whole body (with its name in `?filename=` or
/// `Content-Disposition`).
async fn upload(
    req: &HttpRequest,
    payload: web::Payload,
    filename: Option<String>,
) -> ApiResult<(Option<String>, Vec<u8>)> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        let mut form = actix_multipart::Multipart::new(req.headers(), payload);
        while let Some(field) = form.next().await {
            let field = field.map_err(|e| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::ImportUnreadable,
                    format!("The form cannot be read: {e}"),
                )
            })?;
            let disposition = field.content_disposition().cloned();
            let name = disposition
                .as_ref()
                .and_then(|d| d.get_name().map(str::to_owned));
            let file = disposition
                .as_ref()
                .and_then(|d| d.get_filename().map(str::to_owned));
            if name.as_deref() == Some("file") || file.is_some() {
                let bytes = read_limited(field).await?;
                return Ok((file.or(filename), bytes));
            }
        }
        return Err(ApiError::invalid_field(
            "file",
            "is missing: send the file as the form's `file` part",
        ));
    }
    let from_header = req
        .headers()
        .get(header::CONTENT_DISPOSITION)
        .and_then(|v| header::ContentDisposition::from_raw(v).ok())
        .and_then(|d| d.get_filename().map(str::to_owned));
    let bytes = read_limited(payload).await?;
    Ok((filename.or(from_header), bytes))
}

/// `Prefer: respond-async` (RFC 7240): answer 202 at once and run the step
/// in the background, its progress in `GET /imports/{id}`.
fn prefers_async(req: &HttpRequest) -> bool {
    req.headers()
        .get_all("prefer")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim().eq_ignore_ascii_case("respond-async"))
}

/// 202 Accepted for a step that runs in the background.
fn accepted(import: &Import) -> HttpResponse {
    HttpResponse::Accepted()
        .insert_header((header::LOCATION, format!("/api/v1/imports/{}", import.id)))
        .insert_header(("Preference-Applied", "respond-async"))
        .json(import)
}

/// The query of an upload.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The file's name, when the body is the file itself.
    #[param(max_length = 255)]
    pub filename: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/imports", tag = "imports",
    summary = "Upload a file to import",
    description = "Reads a file and previews it; nothing of your network is written yet. \
        Accepted: LinkedIn's `Connections.csv`, `Invitations.csv`, `messages.csv` or its whole \
        data archive (`.zip`); Google Contacts and Outlook CSV; vCard 2.1/3.0/4.0; any other \
        spreadsheet (its columns are mapped by name, and the mapping can be changed with \
        `PUT /imports/{id}/mapping`). UTF-8 (with or without BOM), UTF-16 and Windows-1252; \
        comma, semicolon or tab separated — what was detected is in `detected`. Send the file \
        as the `file` part of a `multipart/form-data` body, or as the body itself (any content \
        type, with `?filename=`). Up to 50 MB and 100,000 rows. With `Prefer: respond-async` \
        the answer is 202 at once (status `parsing`, or 422 when the start of the file \
        already cannot be read) and `GET /imports/{id}` shows `progress` (bytes read) until \
        the preview is ready, or `failed` with the `error`. Every row gets an outcome \
        (`GET /imports/{id}/rows`): `new`, `update` (same email or profile URL), \
        `possible_duplicate` (same or close name), `error` (line, field, reason) or `skipped`. \
        Needs a browser session or a personal access token with the `write` scope.",
    security(("bearer" = [])),
    params(UploadQuery, ("Prefer" = Option<String>, Header, description = "`respond-async`: read the file in the background")),
    request_body(content = String, description = "The file (or a multipart form with a `file` part)",
        content_type = "application/octet-stream"),
    responses(
        (status = 201, description = "Read and previewed; `Location` names the import", body = Import),
        (status = 202, description = "Being read in the background (`Prefer: respond-async`); poll `Location`", body = Import),
        (status = 413, body = Problem, content_type = "application/problem+json",
            description = "The file is larger than 50 MB (`payload_too_large`)"),
        (status = 422, body = Problem, content_type = "application/problem+json",
            description = "The file cannot be imported (`import_unreadable`): empty, binary, \
                more than 100,000 rows, a broken archive…; `detail` says what to do"),
    ))]
pub async fn create_import(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<UploadQuery>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let (filename, bytes) = upload(&req, payload, query.into_inner().filename).await?;
    let today = caller.today(&state);
    if prefers_async(&req) {
        if let Some(sniffed) = service::sniff(filename.as_deref(), &bytes, today) {
            let import = sniffed.map_err(|e| ApiError::from(Error::Unreadable(e)))?;
            let running = state.running_imports.clone();
            let progress = running.start(
                caller.id(),
                import.clone(),
                rapport_core::import::ProgressUnit::Bytes,
            )?;
            progress.set_total(bytes.len() as u64);
            let (store, owner, id) = (state.store.clone(), caller.id(), import.id);
            actix_web::rt::spawn(async move {
                let done =
                    service::preview(store.as_ref(), owner, id, filename, bytes, today, &progress)
                        .await;
                match done {
                    Ok(_) => running.finish(id),
                    Err(error) => running.fail(id, &error),
                }
            });
            let shown = state.running_imports.get(caller.id(), import.id);
            return Ok(accepted(&shown.unwrap_or(import)));
        }
    }
    let import = service::preview(
        state.store.as_ref(),
        caller.id(),
        Uuid::new_v4(),
        filename,
        bytes,
        today,
        &Default::default(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/imports/{}", import.id)))
        .json(import))
}

#[utoipa::path(get, path = "/api/v1/imports", tag = "imports",
    summary = "List my imports",
    description = "Your imports, newest first, with what was detected, their totals and, once \
        committed, what they created and updated. Any signed-in caller may call it, read-only \
        tokens included.",
    security(("bearer" = [])),
    params(pagination::ListParams),
    responses(
        (status = 200, description = "A page of imports; `Link: rel=\"next\"` when more follow", body = Page<Import>),
    ))]
pub async fn list_imports(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<pagination::ListParams>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = query.read()?;
    let records = state
        .store
        .list_imports(caller.id(), after.as_ref(), limit + 1)
        .await?;
    let mut items: Vec<Import> = Vec::new();
    if after.is_none() {
        // Files still being read come first: they are the newest.
        items.extend(state.running_imports.unkept(caller.id()));
    }
    items.extend(records.into_iter().map(|r| {
        state
            .running_imports
            .get(caller.id(), r.import.id)
            .unwrap_or(r.import)
    }));
    Ok(pagination::respond(&req, items, limit, |last| {
        rapport_storage::Cursor {
            created_at: last.created_at,
            id: last.id,
        }
    }))
}

#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "imports",
    summary = "Get an import",
    description = "One of your imports: its status (`parsing`, `previewed`, `committing`, \
        `committed`, `undone`, or `failed` with its `error`), what was detected, its totals per \
        outcome, while a step runs in the background its `progress` (`processed` of `total` \
        bytes read or rows written) and, once committed, what it created and updated. \
        Any signed-in caller may call it, read-only tokens included.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "The import", body = Import)))]
pub async fn get_import(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    if let Some(running) = state.running_imports.get(caller.id(), *id) {
        return Ok(HttpResponse::Ok().json(running));
    }
    let record = state
        .store
        .import(caller.id(), *id)
        .await?
        .ok_or_else(|| ApiError::not_found("import"))?;
    Ok(HttpResponse::Ok().json(record.import))
}

/// The query of an import's rows.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RowQuery {
    /// Only rows with this outcome.
    #[param(value_type = Option<RowOutcome>)]
    pub outcome: Option<String>,
    /// 1 to 200; default 50.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct RowCursor {
    after: usize,
}

#[utoipa::path(get, path = "/api/v1/imports/{id}/rows", tag = "imports",
    summary = "Read an import's rows",
    description = "The per-row report of an import in file order: the preview's outcome of \
        each row before the commit, what happened to it after. Filter by `outcome`. Any \
        signed-in caller may call it, read-only tokens included.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), RowQuery),
    responses((status = 200, description = "A page of rows; `Link: rel=\"next\"` when more follow", body = Page<ImportRow>)))]
pub async fn import_rows(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<RowQuery>,
) -> ApiResult<HttpResponse> {
    let mut errors = rapport_core::FieldErrors::new();
    let limit = parse_limit(&mut errors, query.limit.as_deref());
    let after = parse_cursor(
        &mut errors,
        query.cursor.as_deref(),
        decode_cursor::<RowCursor>,
    );
    let outcome = match query.outcome.as_deref() {
        None => None,
        Some(value) => {
            let found = RowOutcome::ALL.into_iter().find(|o| o.as_str() == value);
            if found.is_none() {
                errors.add(
                    "outcome",
                    "must be one of: new, update, possible_duplicate, error, skipped",
                );
            }
            found
        }
    };
    errors.into_result()?;
    let (items, next) = service::rows(
        state.store.as_ref(),
        caller.id(),
        *id,
        outcome,
        after.map_or(0, |c| c.after),
        limit as usize,
    )
    .await?;
    let next_cursor = next.map(|after| encode_cursor(&RowCursor { after }));
    Ok(pagination::page(&req, items, limit, next_cursor))
}

#[utoipa::path(put, path = "/api/v1/imports/{id}/mapping", tag = "imports",
    summary = "Map a spreadsheet's columns",
    description = "Previews a spreadsheet of no known kind again with another mapping from its \
        columns to contact fields (`name`, `first_name`, `last_name`, `email`, `phone`, \
        `company`, `title`, `location`, `url`, `tags`, `notes`); columns left out are ignored. \
        Only for a previewed import of a generic spreadsheet (409 otherwise). Needs a browser \
        session or a personal access token with the `write` scope.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = ColumnMapping,
    responses(
        (status = 200, description = "Previewed again under the mapping", body = Import),
        (status = 409, body = Problem, content_type = "application/problem+json",
            description = "Not a previewed spreadsheet (`conflict`)"),
    ))]
pub async fn map_columns(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<ColumnMapping>,
) -> ApiResult<HttpResponse> {
    let import = service::remap(state.store.as_ref(), caller.id(), *id, body.0).await?;
    Ok(HttpResponse::Ok().json(import))
}

#[utoipa::path(post, path = "/api/v1/imports/{id}/commit", tag = "imports",
    summary = "Commit an import",
    description = "Writes a previewed import in one transaction — a failure writes nothing — \
        matched against your network as it is now: new contacts are created (tagged with the \
        source and day), matching ones brought up to date (emails, phones, URLs and tags added; \
        a LinkedIn export's company, title and connection status replace yours), LinkedIn \
        invitations recorded in the connection history, messages logged as interactions \
        (without their text unless `store_message_contents`). Importing the same or a newer \
        export again never doubles anyone or any interaction. `duplicates` says what to do with \
        possible duplicates: `skip` (default), `create` or `merge`. Send `{}` for the defaults. \
        With `Prefer: respond-async` the answer is 202 at once (status `committing`) and \
        `GET /imports/{id}` shows `progress` (rows written) until it is `committed` — or \
        `failed` with the `error`, having written nothing. \
        Needs a browser session or a personal access token with the `write` scope.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ("Prefer" = Option<String>, Header, description = "`respond-async`: commit in the background")),
    request_body = CommitOptions,
    responses(
        (status = 200, description = "Committed: `result` lists what was created and updated", body = Import),
        (status = 202, description = "Being committed in the background (`Prefer: respond-async`); poll `Location`", body = Import),
        (status = 409, body = Problem, content_type = "application/problem+json",
            description = "Already committed or undone (`conflict`)"),
    ))]
pub async fn commit_import(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<CommitOptions>,
) -> ApiResult<HttpResponse> {
    let today = caller.today(&state);
    if prefers_async(&req) {
        let record = state
            .store
            .import(caller.id(), *id)
            .await?
            .ok_or_else(|| ApiError::not_found("import"))?;
        if record.import.status != rapport_core::import::ImportStatus::Previewed {
            return Err(Error::Conflict(format!(
                "This import is already {}.",
                record.import.status.as_str()
            ))
            .into());
        }
        let mut import = record.import;
        import.status = rapport_core::import::ImportStatus::Committing;
        let running = state.running_imports.clone();
        let progress = running.start(
            caller.id(),
            import.clone(),
            rapport_core::import::ProgressUnit::Rows,
        )?;
        let (store, owner, options) = (state.store.clone(), caller.id(), body.0);
        let import_id = import.id;
        actix_web::rt::spawn(async move {
            match service::commit(store.as_ref(), owner, import_id, options, today, &progress).await
            {
                Ok(_) => running.finish(import_id),
                Err(error) => running.fail(import_id, &error),
            }
        });
        let shown = state.running_imports.get(caller.id(), import.id);
        return Ok(accepted(&shown.unwrap_or(import)));
    }
    if let Some(running) = state.running_imports.get(caller.id(), *id) {
        if running.status == rapport_core::import::ImportStatus::Committing {
            return Err(Error::Conflict("This import is being committed already.".into()).into());
        }
    }
    let import = service::commit(
        state.store.as_ref(),
        caller.id(),
        *id,
        body.0,
        today,
        &Default::default(),
    )
    .await?;
    state.running_imports.finish(import.id);
    Ok(HttpResponse::Ok().json(import))
}

#[utoipa::path(post, path = "/api/v1/imports/{id}/undo", tag = "imports",
    summary = "Undo an import",
    description = "Removes the contacts and interactions a committed import created and \
        restores the contacts it changed, in one transaction. Refused (409 \
        `changed_since_import`, naming the contacts) when any of them was changed since — \
        edited, rated, or given an interaction — so that nothing you did is lost. Needs a \
        browser session or a personal access token with the `write` scope.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Undone", body = Import),
        (status = 409, body = Problem, content_type = "application/problem+json",
            description = "Not committed (`conflict`), or contacts changed since (`changed_since_import`)"),
    ))]
pub async fn undo_import(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let today = caller.today(&state);
    let import = service::undo(state.store.as_ref(), caller.id(), *id, today).await?;
    Ok(HttpResponse::Ok().json(import))
}
