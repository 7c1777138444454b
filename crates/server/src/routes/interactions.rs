//! Interactions: touchpoints with one or more of my contacts. Logging one
//! moves those contacts' familiarity, last interaction and due date.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use rapport_core::account::Page;
use rapport_core::interaction::InteractionKind;
use rapport_core::network::{Interaction, InteractionPatch, NewInteraction};
use rapport_core::{FieldErrors, Problem};
use rapport_storage::InteractionQuery;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, ValidJson};
use crate::routes::pagination::{
    decode_cursor, encode_cursor, page, parse_cursor, parse_limit, split,
};
use crate::routes::versioning::{etag, patched, IfMatch};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InteractionListQuery {
    /// Only interactions with this contact (its id).
    #[param(value_type = Option<Uuid>)]
    pub contact_id: Option<String>,
    /// Only this kind: met_at_event, meeting, coffee_or_lunch, call,
    /// video_call, email, message, shared_article, introduction, referral
    /// or other.
    #[param(value_type = Option<rapport_core::interaction::InteractionKind>)]
    pub kind: Option<String>,
    /// On or after this date (YYYY-MM-DD).
    #[param(value_type = Option<chrono::NaiveDate>)]
    pub from: Option<String>,
    /// On or before this date (YYYY-MM-DD).
    #[param(value_type = Option<chrono::NaiveDate>)]
    pub to: Option<String>,
    /// 1 to 200; default 50.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Cursor {
    on: NaiveDate,
    id: Uuid,
}

fn parse<T: std::str::FromStr>(
    errors: &mut FieldErrors,
    field: &str,
    value: &Option<String>,
    expected: &str,
) -> Option<T> {
    let text = value.as_deref()?;
    let parsed = text.trim().parse().ok();
    if parsed.is_none() {
        errors.add(field, format!("must be {expected}"));
    }
    parsed
}

fn interaction_query(raw: &InteractionListQuery) -> ApiResult<InteractionQuery> {
    let mut errors = FieldErrors::new();
    let limit = parse_limit(&mut errors, raw.limit.as_deref());
    let kind = raw.kind.as_deref().and_then(|k| {
        let parsed = InteractionKind::parse(k);
        if parsed.is_none() {
            let names: Vec<&str> = InteractionKind::ALL.iter().map(|k| k.as_str()).collect();
            errors.add("kind", format!("must be one of {}", names.join(", ")));
        }
        parsed
    });
    let after = parse_cursor(&mut errors, raw.cursor.as_deref(), decode_cursor::<Cursor>)
        .map(|c| (c.on, c.id));
    let query = InteractionQuery {
        contact_id: parse(&mut errors, "contact_id", &raw.contact_id, "a contact id"),
        kind,
        from: parse(&mut errors, "from", &raw.from, "a date like 2026-01-31"),
        to: parse(&mut errors, "to", &raw.to, "a date like 2026-01-31"),
        after,
        limit: limit + 1,
    };
    errors.into_result()?;
    Ok(query)
}

#[utoipa::path(get, path = "/api/v1/interactions", tag = "interactions",
    summary = "List interactions",
    description = "Lists your interactions, newest first by date, optionally only those with one \
        contact, of one kind or between two dates, paginated with `limit` and `cursor`. Any \
        signed-in caller may call it: a browser session or a personal access token, read-only \
        tokens included.",
    security(("bearer" = [])),
    params(InteractionListQuery),
    responses(
        (status = 200, description = "Newest first", body = Page<Interaction>),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_interactions(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<InteractionListQuery>,
) -> ApiResult<HttpResponse> {
    let parsed = interaction_query(&query)?;
    let limit = parsed.limit - 1;
    let rows = state.store.list_interactions(caller.id(), &parsed).await?;
    let (items, next_cursor) = split(rows, limit, |last| {
        encode_cursor(&Cursor {
            on: last.occurred_on,
            id: last.id,
        })
    });
    Ok(page(&req, items, limit, next_cursor))
}

fn respond(mut builder: actix_web::HttpResponseBuilder, interaction: Interaction) -> HttpResponse {
    builder
        .insert_header((header::ETAG, etag(interaction.version)))
        .json(interaction)
}

#[utoipa::path(post, path = "/api/v1/interactions", tag = "interactions",
    summary = "Log an interaction",
    description = "Logs a touchpoint (kind, date, depth, who initiated, notes, optional follow-up \
        date) with one or more of your contacts; a contact that is not yours is a 422. Needs a \
        browser session or a personal access token with the `write` scope. Each contact's \
        familiarity, suggested comfort, last interaction and next keep-in-touch date are \
        recomputed at once, and a follow-up date appears in the nurture queue as it nears; the \
        answer carries `Location` and an `ETag`.",
    security(("bearer" = [])),
    request_body = NewInteraction,
    responses(
        (status = 201, body = Interaction),
        (status = 422, description = "Invalid fields, or a contact that is not yours", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_interaction(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewInteraction>,
) -> ApiResult<HttpResponse> {
    let data = body.0.normalize();
    let interaction = state
        .store
        .create_interaction(caller.id(), data, caller.today(&state))
        .await?;
    let mut builder = HttpResponse::Created();
    builder.insert_header((
        header::LOCATION,
        format!("/api/v1/interactions/{}", interaction.id),
    ));
    Ok(respond(builder, interaction))
}

async fn load(state: &AppState, owner: Uuid, id: Uuid) -> ApiResult<Interaction> {
    state
        .store
        .interaction(owner, id)
        .await?
        .ok_or_else(|| ApiError::not_found("interaction"))
}

#[utoipa::path(get, path = "/api/v1/interactions/{id}", tag = "interactions",
    summary = "Get an interaction",
    description = "Returns one of your interactions with the contacts it involved. Any signed-in \
        caller may call it: a browser session or a personal access token, read-only tokens \
        included. The `ETag` is the version to send in `If-Match` to update or delete it.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Interaction),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_interaction(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(respond(
        HttpResponse::Ok(),
        load(&state, caller.id(), *id).await?,
    ))
}

#[utoipa::path(patch, path = "/api/v1/interactions/{id}", tag = "interactions",
    summary = "Update an interaction",
    description = "Changes an interaction (a field left out stays; `null` clears the notes or the \
        follow-up date) and recomputes familiarity, suggested comfort, last interaction and next \
        due date for every contact it involved before or after the change. Needs a browser \
        session or a personal access token with the `write` scope. `If-Match` is required: send \
        the `ETag` you read (428 without it, 412 when the interaction changed since), or `*` to \
        skip the check.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "The ETag you read")),
    request_body = InteractionPatch,
    responses(
        (status = 200, body = Interaction),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_interaction(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    expected: IfMatch,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let patch: InteractionPatch = crate::extract::parse_json(&req, &body)?;
    let current = load(&state, caller.id(), *id).await?;
    let data = NewInteraction {
        contact_ids: current.contact_ids,
        kind: current.kind,
        occurred_on: current.occurred_on,
        depth: current.depth,
        initiated_by: current.initiated_by,
        notes: current.notes,
        follow_up_on: current.follow_up_on,
    };
    let data = patched(data, |data| patch.apply(data))?.normalize();
    let interaction = state
        .store
        .update_interaction(
            caller.id(),
            *id,
            expected.or(current.version),
            data,
            caller.today(&state),
        )
        .await?;
    Ok(respond(HttpResponse::Ok(), interaction))
}

#[utoipa::path(delete, path = "/api/v1/interactions/{id}", tag = "interactions",
    summary = "Delete an interaction",
    description = "Deletes an interaction and recomputes familiarity, suggested comfort, last \
        interaction and next due date for the contacts it involved. Needs a browser session or a \
        personal access token with the `write` scope. `If-Match` is required: send the `ETag` you \
        read (428 without it, 412 when the interaction changed since), or `*` to skip the check.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "The ETag you read")),
    responses(
        (status = 204, description = "Deleted; the contacts' derived state is recomputed"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_interaction(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    expected: IfMatch,
) -> ApiResult<HttpResponse> {
    let expected = match expected.version() {
        Some(version) => version,
        None => load(&state, caller.id(), *id).await?.version,
    };
    state
        .store
        .delete_interaction(caller.id(), *id, expected, caller.today(&state))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
