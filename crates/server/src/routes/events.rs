//! Events: where I meet people, with an optional passphrase and a public
//! card drop (see [`crate::routes::public`]), and the contacts met there.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use rapport_core::account::Page;
use rapport_core::contact::Contact;
use rapport_core::event::{card_drop_path, Event, EventPatch, NewEvent};
use rapport_core::{FieldErrors, Problem};
use rapport_storage::{EventQuery, EventRecord};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::app::AppState;
use crate::error::ErrorCode;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, ValidJson};
use crate::routes::contacts::ContactListQuery;
use crate::routes::pagination::{
    decode_cursor, encode_cursor, page, parse_cursor, parse_limit, split,
};
use crate::routes::versioning::{etag, patched, IfMatch};

/// The API view of a stored event, as of `now`.
pub fn view(record: EventRecord, now: DateTime<Utc>) -> Event {
    let data = record.data;
    Event {
        id: record.id,
        card_drop_open: data.card_drop.is_open_at(now),
        card_drop_url: card_drop_path(&record.slug),
        name: data.name,
        starts_on: data.starts_on,
        ends_on: data.ends_on,
        place: data.place,
        notes: data.notes,
        passphrase: data.passphrase,
        slug: record.slug,
        card_drop: data.card_drop,
        contact_count: record.contact_count,
        version: record.version,
        created_at: record.created_at,
        updated_at: record.updated_at,
    }
}

fn respond(mut builder: actix_web::HttpResponseBuilder, record: EventRecord) -> HttpResponse {
    let event = view(record, Utc::now());
    builder
        .insert_header((header::ETAG, etag(event.version)))
        .json(event)
}

async fn load(state: &AppState, owner: Uuid, id: Uuid) -> ApiResult<EventRecord> {
    state
        .store
        .event(owner, id)
        .await?
        .ok_or_else(|| ApiError::not_found("event"))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventListQuery {
    /// Text anywhere in the name, place or notes (case-insensitive).
    #[param(
        pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\x00-\x1f\x7f-\x9f]{0,199}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub q: Option<String>,
    /// 1 to 200; default 50.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct EventCursor {
    on: NaiveDate,
    id: Uuid,
}

fn event_query(raw: &EventListQuery) -> ApiResult<EventQuery> {
    let mut errors = FieldErrors::new();
    let limit = parse_limit(&mut errors, raw.limit.as_deref());
    let q = raw
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(str::to_owned);
    if let Some(q) = &q {
        errors.check("q", rapport_core::validate::required_text(q, 200));
    }
    let after = parse_cursor(
        &mut errors,
        raw.cursor.as_deref(),
        decode_cursor::<EventCursor>,
    )
    .map(|c| (c.on, c.id));
    errors.into_result()?;
    Ok(EventQuery {
        q,
        after,
        limit: limit + 1,
    })
}

#[utoipa::path(get, path = "/api/v1/events", tag = "events",
    summary = "List my events",
    description = "Lists your events, latest start date first, optionally only those whose name, \
        place or notes contain a text, paginated with `limit` and `cursor`. Any signed-in caller \
        may call it: a browser session or a personal access token, read-only tokens included.",
    security(("bearer" = [])),
    params(EventListQuery),
    responses(
        (status = 200, description = "A page of events, latest first; `Link: rel=\"next\"` when more follow", body = Page<Event>),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<EventListQuery>,
) -> ApiResult<HttpResponse> {
    let parsed = event_query(&query)?;
    let limit = parsed.limit - 1;
    let records = state.store.list_events(caller.id(), &parsed).await?;
    let (records, next_cursor) = split(records, limit, |last| {
        encode_cursor(&EventCursor {
            on: last.data.starts_on,
            id: last.id,
        })
    });
    let now = Utc::now();
    let items: Vec<Event> = records.into_iter().map(|r| view(r, now)).collect();
    Ok(page(&req, items, limit, next_cursor))
}

#[utoipa::path(post, path = "/api/v1/events", tag = "events",
    summary = "Create an event",
    description = "Creates a networking event or talk (`name` and `starts_on` are required) with \
        an optional passphrase and card drop settings; it gets a new unguessable slug for its \
        public card drop page `/e/{slug}`, and a passphrase is required while the card drop is \
        enabled. Needs a browser session or a personal access token with the `write` scope. The \
        answer carries `Location` and an `ETag`.",
    security(("bearer" = [])),
    request_body = NewEvent,
    responses(
        (status = 201, description = "Created with a new public slug; `ETag` carries its version", body = Event),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_event(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewEvent>,
) -> ApiResult<HttpResponse> {
    let record = state
        .store
        .create_event(caller.id(), body.0.normalize())
        .await?;
    let mut builder = HttpResponse::Created();
    builder.insert_header((header::LOCATION, format!("/api/v1/events/{}", record.id)));
    Ok(respond(builder, record))
}

#[utoipa::path(get, path = "/api/v1/events/{id}", tag = "events",
    summary = "Get an event",
    description = "Returns one of your events with its passphrase, card drop settings and \
        address, whether the card drop is open right now and how many of your contacts you met \
        there. Any signed-in caller may call it: a browser session or a personal access token, \
        read-only tokens included. The `ETag` is the version to send in `If-Match` to update or \
        delete it.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The event; `ETag` carries its version", body = Event),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_event(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(respond(
        HttpResponse::Ok(),
        load(&state, caller.id(), *id).await?,
    ))
}

#[utoipa::path(patch, path = "/api/v1/events/{id}", tag = "events",
    summary = "Update an event",
    description = "Changes an event's fields, passphrase or card drop settings (a field left out \
        stays, `null` clears an optional one); its slug stays. Needs a browser session or a \
        personal access token with the `write` scope. `If-Match` is required: send the `ETag` you \
        read (428 without it, 412 when the event changed since), or `*` to skip the check.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "The ETag you read")),
    request_body = EventPatch,
    responses(
        (status = 200, body = Event),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_event(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    expected: IfMatch,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let patch: EventPatch = crate::extract::parse_json(&req, &body)?;
    let current = load(&state, caller.id(), *id).await?;
    let data = patched(current.data, |data| patch.apply(data))?;
    let record = state
        .store
        .update_event(
            caller.id(),
            *id,
            expected.or(current.version),
            data.normalize(),
        )
        .await?;
    Ok(respond(HttpResponse::Ok(), record))
}

#[utoipa::path(delete, path = "/api/v1/events/{id}", tag = "events",
    summary = "Delete an event",
    description = "Deletes an event, and with it its public card drop; the contacts met there \
        stay, without the link to it. Needs a browser session or a personal access token with the \
        `write` scope. `If-Match` is required: send the `ETag` you read (428 without it, 412 when \
        the event changed since), or `*` to skip the check.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "The ETag you read")),
    responses(
        (status = 204, description = "Deleted; the contacts met there stay, without the link to it"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_event(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    expected: IfMatch,
) -> ApiResult<HttpResponse> {
    let expected = match expected.version() {
        Some(version) => version,
        None => load(&state, caller.id(), *id).await?.version,
    };
    state.store.delete_event(caller.id(), *id, expected).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(get, path = "/api/v1/events/{id}/contacts", tag = "events",
    summary = "List contacts met at an event",
    description = "Lists your contacts whose first meeting was at this event, with the filters, \
        sorts and pagination of `GET /contacts` (an `event_id` in the query is replaced by the \
        path's). Any signed-in caller may call it: a browser session or a personal access token, \
        read-only tokens included. The answer carries an `ETag` that moves with any change to \
        your contacts or settings and with the day; send it back in `If-None-Match` to get `304 \
        Not Modified`.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ContactListQuery),
    responses(
        (status = 200, description = "A page of the contacts met at this event, with the filters and \
            sorts of `GET /contacts` (`event_id` is the path's); `Link: rel=\"next\"` when more follow",
            body = Page<Contact>),
        (status = 304, description = "Unchanged since the `ETag` sent in `If-None-Match`"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn event_contacts(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    load(&state, caller.id(), *id).await?;
    // The contacts list, narrowed to this event whatever the query says.
    let mut query: Vec<&str> = req
        .query_string()
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("event_id="))
        .collect();
    let event = format!("event_id={}", *id);
    query.push(&event);
    let query = web::Query::<ContactListQuery>::from_query(&query.join("&")).map_err(|error| {
        ApiError::bad_request(
            ErrorCode::InvalidQuery,
            format!("The query string is invalid: {error}."),
        )
    })?;
    crate::routes::contacts::list_contacts(req, state, caller, query).await
}
