//! Exports of my data: the full JSON of my account, my contacts as CSV and
//! as vCard. The rendering is `service::export`'s, shared with
//! `rapport export`.

use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{web, HttpResponse};
use rapport_core::export::AccountExport;
use rapport_core::Problem;

use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::service::export::{self, Format};

impl From<export::Error> for ApiError {
    fn from(error: export::Error) -> Self {
        match error {
            export::Error::Store(error) => error.into(),
            export::Error::Write(cause) => ApiError::internal(cause),
        }
    }
}

/// A download: `Content-Disposition: attachment` with the file's name.
fn attachment(content_type: &'static str, name: String, body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(name)],
        })
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

async fn download(
    state: &AppState,
    caller: &Caller,
    format: Format,
    content_type: &'static str,
) -> ApiResult<HttpResponse> {
    let now = state.config.clock.now();
    let body = export::render(&*state.store, &caller.user, format, now).await?;
    let name = export::file_name(format, caller.today(state));
    Ok(attachment(content_type, name, body))
}

#[utoipa::path(get, path = "/api/v1/export", tag = "export",
    summary = "Export my whole account as JSON",
    description = "Returns everything of your account as one JSON document, as a download \
        (`Content-Disposition: attachment`): your settings, every contact (archived ones \
        included) with how you met, cadence, comfort and its history, connection status and its \
        history and snooze, every interaction with the contacts it involved, every event (with \
        its passphrase and card drop) and every introduction. `format` is always \
        `rapport-account-export` and `version` the layout's version (now 1); ids tie the parts \
        together and an import gives them new ones. Any signed-in caller may call it: a browser \
        session or a personal access token, read-only tokens included.",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account as one JSON document", body = AccountExport,
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"rapport-export-YYYY-MM-DD.json\"`"))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn account(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    download(&state, &caller, Format::Json, "application/json").await
}

#[utoipa::path(get, path = "/api/v1/export/contacts.csv", tag = "export",
    summary = "Export my contacts as CSV",
    description = "Returns your contacts (archived ones included) as CSV, one row per contact \
        after a header row, as a download (`Content-Disposition: attachment`). The columns are \
        stable; new ones are only ever added at the end: `id`, `name`, `emails`, `phones`, \
        `company`, `title`, `location`, `urls`, `tags`, `notes`, `comfort` (1-5, empty when \
        unrated), `familiarity` (0-100), `suggested_comfort` (1-5), `connection_status`, \
        `met_on` (YYYY-MM-DD), `met_event` (the event's name), `met_place`, `met_context`, \
        `introduced_by` (the introducer's name), `cadence_days`, `last_interaction_on`, \
        `next_due_on`, `archived` (`true`/`false`), `created_at`, `updated_at` (RFC 3339). \
        Several emails, phones, web addresses or tags in one cell are joined by ` ::: ` (space, \
        three colons, space). Fields are quoted when they hold a comma, a quote or a line break \
        (RFC 4180), UTF-8 without a byte order mark. Against spreadsheet formula injection, a \
        cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading \
        single quote (`'+44 20 7946 0958`). Any signed-in caller may call it: a browser session \
        or a personal access token, read-only tokens included.",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The contacts as CSV", body = String, content_type = "text/csv",
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"rapport-contacts-YYYY-MM-DD.csv\"`"))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn contacts_csv(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    download(&state, &caller, Format::Csv, "text/csv; charset=utf-8").await
}

#[utoipa::path(get, path = "/api/v1/export/contacts.vcf", tag = "export",
    summary = "Export my contacts as vCard",
    description = "Returns your contacts (archived ones included) as vCard 4.0 (RFC 6350), one \
        card per contact, as a download (`Content-Disposition: attachment`); lines end in CRLF \
        and are folded at 75 octets. Each card has `UID` (`urn:uuid:` and the contact's id, \
        stable across exports), `FN`, `N` (the last word of the name as the family name), \
        `EMAIL`, `TEL`, `ORG`, `TITLE`, `ADR` (the location as the locality, and as its \
        `LABEL`), `URL` (LinkedIn addresses also as `X-SOCIALPROFILE;TYPE=linkedin`), `NOTE`, \
        `CATEGORIES` (the tags), `REV` (last change), `X-RAPPORT-COMFORT` (1-5, left out when \
        unrated), `X-RAPPORT-FAMILIARITY` (0-100) and `X-RAPPORT-CONNECTION-STATUS`. Any \
        signed-in caller may call it: a browser session or a personal access token, read-only \
        tokens included.",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The contacts as vCard 4.0", body = String, content_type = "text/vcard",
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"rapport-contacts-YYYY-MM-DD.vcf\"`"))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn contacts_vcard(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    download(&state, &caller, Format::Vcf, "text/vcard; charset=utf-8").await
}
