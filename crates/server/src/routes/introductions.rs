//! Introductions: contact A introduced to contact B, double opt-in, with a
//! guardrail for people I would not yet introduce with context.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use rapport_core::account::Page;
use rapport_core::introduction::{
    needs_confirmation, Introduction, IntroductionConflict, IntroductionParty, IntroductionPatch,
    IntroductionStatus, LowComfort, NewIntroduction,
};
use rapport_core::{FieldError, FieldErrors, Problem, Validate};
use rapport_storage::{ContactRecord, Cursor, IntroductionOrder, IntroductionQuery, StoreError};
use serde::Deserialize;
use uuid::Uuid;

use crate::app::AppState;
use crate::error::ErrorCode;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, ValidJson};
use crate::routes::pagination::{
    decode_cursor, encode_cursor, page, parse_cursor, parse_limit, split,
};
use crate::routes::versioning::{etag, IfMatch};

fn with_etag(
    mut builder: actix_web::HttpResponseBuilder,
    introduction: Introduction,
) -> HttpResponse {
    builder
        .insert_header((header::ETAG, etag(introduction.version)))
        .json(introduction)
}

fn not_found() -> ApiError {
    ApiError::not_found("introduction")
}

async fn load(state: &AppState, owner: Uuid, id: Uuid) -> ApiResult<Introduction> {
    state
        .store
        .introduction(owner, id)
        .await?
        .ok_or_else(not_found)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IntroductionListQuery {
    /// One status, or several separated by commas (`proposed,asked`):
    /// proposed, asked, agreed, made, declined.
    #[param(
        pattern = r"^\s*(?:(?:proposed|asked|agreed|made|declined)\s*)?(?:,\s*(?:(?:proposed|asked|agreed|made|declined)\s*)?)*$"
    )]
    pub status: Option<String>,
    /// Introductions with this contact (its id) on either side.
    #[param(value_type = Option<Uuid>)]
    pub contact_id: Option<String>,
    /// 1 to 200; default 50.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn list_query(raw: &IntroductionListQuery) -> ApiResult<IntroductionQuery> {
    let mut errors = FieldErrors::new();
    let limit = parse_limit(&mut errors, raw.limit.as_deref());
    let mut statuses = Vec::new();
    for name in raw
        .status
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match IntroductionStatus::parse(name) {
            Some(status) => statuses.push(status),
            None => {
                let names: Vec<&str> = IntroductionStatus::ALL.iter().map(|s| s.as_str()).collect();
                errors.add(
                    "status",
                    format!(
                        "must be one or more of {}, separated by commas",
                        names.join(", ")
                    ),
                );
                break;
            }
        }
    }
    let contact_id = raw.contact_id.as_deref().and_then(|text| {
        let parsed = text.trim().parse::<Uuid>().ok();
        if parsed.is_none() {
            errors.add("contact_id", "must be a contact id");
        }
        parsed
    });
    let after = parse_cursor(&mut errors, raw.cursor.as_deref(), decode_cursor::<Cursor>)
        .map(|c| (c.created_at, c.id));
    errors.into_result()?;
    Ok(IntroductionQuery {
        statuses,
        contact_id,
        order: IntroductionOrder::Newest,
        after,
        limit: limit + 1,
    })
}

#[utoipa::path(get, path = "/api/v1/introductions", tag = "introductions",
    summary = "List introductions",
    description = "Lists your introductions, newest first, optionally only those in some statuses \
        or with one contact on either side, paginated with `limit` and `cursor`. Any signed-in \
        caller may call it: a browser session or a personal access token, read-only tokens \
        included.",
    security(("bearer" = [])),
    params(IntroductionListQuery),
    responses(
        (status = 200, description = "Newest first; `Link: rel=\"next\"` when more follow", body = Page<Introduction>),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_introductions(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<IntroductionListQuery>,
) -> ApiResult<HttpResponse> {
    let parsed = list_query(&query)?;
    let limit = parsed.limit - 1;
    let items = state.store.list_introductions(caller.id(), &parsed).await?;
    let (items, next_cursor) = split(items, limit, |last| {
        encode_cursor(&Cursor {
            created_at: last.created_at,
            id: last.id,
        })
    });
    Ok(page(&req, items, limit, next_cursor))
}

fn party(record: ContactRecord) -> IntroductionParty {
    IntroductionParty {
        id: record.id,
        name: record.data.name,
        company: record.data.company,
        comfort: record.comfort,
    }
}

/// A request naming someone who is not my contact: the same answer whether
/// the id is unknown or another user's.
fn not_yours(field: &str) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message: "names nothing of yours with that id".to_owned(),
    }
}

#[utoipa::path(post, path = "/api/v1/introductions", tag = "introductions",
    summary = "Propose an introduction",
    description = "Proposes introducing two of your contacts to each other, with a reason; it \
        starts as `proposed`. Needs a browser session or a personal access token with the `write` \
        scope. If your comfort for either person is below 3 or unrated, the answer is 409 \
        `comfort_below_threshold` with both ratings, and sending again with `confirm_low_comfort: \
        true` goes ahead; the same contact twice, or a contact that is not yours, is a 422.",
    security(("bearer" = [])),
    request_body = NewIntroduction,
    responses(
        (status = 201, description = "Proposed; `ETag` carries its version", body = Introduction),
        (status = 409, description = "`comfort_below_threshold`: my comfort for either person is below 3 or unrated. \
            `details` holds both ratings (`{contact_a: {id, name, company, comfort}, contact_b: {…}, threshold}`); \
            send again with `confirm_low_comfort: true` to go ahead", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, the same contact twice, or a contact that is not yours", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_introduction(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewIntroduction>,
) -> ApiResult<HttpResponse> {
    let request = body.0.normalize();
    let owner = caller.id();
    let a = state.store.contact(owner, request.contact_a).await?;
    let b = state.store.contact(owner, request.contact_b).await?;
    let (a, b) = match (a, b) {
        (Some(a), Some(b)) => (a, b),
        (a, b) => {
            let mut errors = Vec::new();
            if a.is_none() {
                errors.push(not_yours("contact_a"));
            }
            if b.is_none() {
                errors.push(not_yours("contact_b"));
            }
            return Err(ApiError::invalid_fields(errors));
        }
    };
    if needs_confirmation(a.comfort, b.comfort) && !request.confirm_low_comfort {
        let low = LowComfort::new(party(a), party(b));
        let mut error = ApiError::conflict(ErrorCode::ComfortBelowThreshold, low.message());
        error.details = Some(serde_json::to_value(&low).map_err(ApiError::internal)?);
        return Err(error);
    }
    let introduction = state.store.create_introduction(owner, &request).await?;
    let mut builder = HttpResponse::Created();
    builder.insert_header((
        header::LOCATION,
        format!("/api/v1/introductions/{}", introduction.id),
    ));
    Ok(with_etag(builder, introduction))
}

#[utoipa::path(get, path = "/api/v1/introductions/{id}", tag = "introductions",
    summary = "Get an introduction",
    description = "Returns one of your introductions with both people's names, companies and \
        current comforts. Any signed-in caller may call it: a browser session or a personal \
        access token, read-only tokens included. The `ETag` is the version to send in `If-Match` \
        to update it.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The introduction with both people's names and current comforts; `ETag` carries its version", body = Introduction),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_introduction(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(with_etag(
        HttpResponse::Ok(),
        load(&state, caller.id(), *id).await?,
    ))
}

/// 409 `illegal_transition`, naming the statuses the introduction can move to.
fn conflict(conflict: IntroductionConflict) -> ApiError {
    let from = conflict.from();
    let allowed: Vec<&str> = from.allowed_next().iter().map(|s| s.as_str()).collect();
    let next = if allowed.is_empty() {
        "nothing: it is final".to_owned()
    } else {
        allowed.join(", ")
    };
    let (detail, field, message) = match conflict {
        IntroductionConflict::IllegalStep { from, to } => (
            format!(
                "The introduction is `{}` and cannot become `{}`; from there it can become: {next}.",
                from.as_str(),
                to.as_str()
            ),
            "status",
            if allowed.is_empty() {
                format!("cannot change: `{}` is final", from.as_str())
            } else {
                format!("must be one of: {}", allowed.join(", "))
            },
        ),
        IntroductionConflict::OutcomeBeforeMade { status } => (
            format!(
                "An outcome is recorded once the introduction is made; it is `{}`, which can become: {next}.",
                status.as_str()
            ),
            "outcome",
            "can be set once the introduction is made".to_owned(),
        ),
    };
    let mut error = ApiError::new(StatusCode::CONFLICT, ErrorCode::IllegalTransition, detail);
    error.errors = vec![FieldError {
        field: field.to_owned(),
        message,
    }];
    error.details = Some(serde_json::json!({
        "status": from.as_str(),
        "allowed_next": allowed,
    }));
    error
}

#[utoipa::path(patch, path = "/api/v1/introductions/{id}", tag = "introductions",
    summary = "Move an introduction on",
    description = "Moves a double opt-in introduction on (proposed → asked → agreed → made, or \
        declined until made; made and declined are final), records its outcome once made, or \
        edits its reason; sending the current status again is no step. Needs a browser session or \
        a personal access token with the `write` scope. `If-Match` is required (428 without it, \
        `*` skips the check), and a stale version is a 412 before the step is judged. A step the \
        flow does not allow, or an outcome before it is made, is a 409 `illegal_transition` \
        naming the allowed next statuses.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "The ETag you read")),
    request_body = IntroductionPatch,
    responses(
        (status = 200, description = "Moved on: proposed → asked → agreed → made, or declined until made; an outcome once made", body = Introduction),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`illegal_transition`: not a step the flow allows (or an outcome before it is made); names the allowed next statuses", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_introduction(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    expected: IfMatch,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let patch: IntroductionPatch = crate::extract::parse_json(&req, &body)?;
    patch.validate()?;
    let current = load(&state, caller.id(), *id).await?;
    // A stale version is reported before the step it asks for is judged:
    // the step was chosen on a state that is gone.
    if expected.is_stale(current.version) {
        return Err(StoreError::Stale.into());
    }
    let update = patch.apply(&current).map_err(conflict)?;
    let updated = state
        .store
        .update_introduction(caller.id(), *id, current.version, &update)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => not_found(),
            other => other.into(),
        })?;
    let made = |i: &rapport_core::introduction::Introduction| {
        i.status == rapport_core::introduction::IntroductionStatus::Made
    };
    if made(&updated)
        && !made(&current)
        && state
            .store
            .introduction_answers_request(caller.id(), *id)
            .await?
    {
        crate::service::intro_requests::log_made(&state, &caller, &updated).await?;
    }
    Ok(with_etag(HttpResponse::Ok(), updated))
}
