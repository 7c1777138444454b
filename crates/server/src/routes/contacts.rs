//! Contacts, their referral comfort, familiarity and connection flow.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use rapport_core::account::Page;
use rapport_core::contact::{ConnectionStatus, Contact, ContactPatch, NewContact};
use rapport_core::familiarity::Familiarity;
use rapport_core::network::{
    ComfortRating, ComfortRequest, ConnectionChange, ConnectionRequest, Settings, SnoozeRequest,
};
use rapport_core::Problem;
use rapport_storage::{ContactQuery, ContactRecord, ContactSort, SortKey};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, ValidJson};
use crate::routes::pagination::{decode_cursor, encode_cursor, page, parse_cursor, parse_limit};
use crate::routes::versioning::{etag, patched, IfMatch};
use crate::service::contacts::{self, view};
use chrono::NaiveDate;

fn with_etag(mut response: actix_web::HttpResponseBuilder, contact: Contact) -> HttpResponse {
    response
        .insert_header((header::ETAG, etag(contact.version)))
        .json(contact)
}

async fn load(state: &AppState, owner: Uuid, id: Uuid) -> ApiResult<ContactRecord> {
    state
        .store
        .contact(owner, id)
        .await?
        .ok_or_else(|| ApiError::not_found("contact"))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactListQuery {
    /// Words that must each begin a word of the name, company, title, emails
    /// or notes (case-insensitive): `ada lov` finds Ada Lovelace.
    #[param(
        pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\x00-\x1f\x7f-\x9f]{0,199}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub q: Option<String>,
    /// Only contacts with this tag (case-insensitive).
    #[param(
        pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\x00-\x1f\x7f-\x9f]{0,199}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub tag: Option<String>,
    /// Lowest referral comfort, 1 to 5; unrated contacts are left out.
    #[param(value_type = Option<u8>, minimum = 1, maximum = 5)]
    pub comfort_min: Option<String>,
    /// Highest referral comfort, 1 to 5; unrated contacts are left out.
    #[param(value_type = Option<u8>, minimum = 1, maximum = 5)]
    pub comfort_max: Option<String>,
    /// Lowest familiarity, 0 to 100.
    #[param(value_type = Option<u8>, minimum = 0, maximum = 100)]
    pub familiarity_min: Option<String>,
    /// Highest familiarity, 0 to 100.
    #[param(value_type = Option<u8>, minimum = 0, maximum = 100)]
    pub familiarity_max: Option<String>,
    /// One of the connection statuses: not_connected, asked, open, not_now,
    /// invited, connected, declined, they_invited_me.
    #[param(value_type = Option<ConnectionStatus>)]
    pub connection_status: Option<String>,
    /// Only contacts first met at this event (its id).
    #[param(value_type = Option<Uuid>)]
    pub event_id: Option<String>,
    /// Only contacts at this company (the whole name, case-insensitive).
    #[param(
        pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\x00-\x1f\x7f-\x9f]{0,199}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub company: Option<String>,
    /// `true`: only contacts whose keep-in-touch date is today or earlier in
    /// my time zone; `false` does not filter.
    #[param(value_type = Option<bool>)]
    pub due: Option<String>,
    /// `true`: only contacts ready to ask to connect under my connection
    /// policy; `false`: only those who are not.
    #[param(value_type = Option<bool>)]
    pub ready_to_ask: Option<String>,
    /// `true`: archived contacts instead of active ones.
    #[param(value_type = Option<bool>)]
    pub archived: Option<String>,
    /// name (default, A to Z), next_due (soonest first), or comfort,
    /// familiarity, last_interaction (highest or latest first).
    #[param(pattern = "^(name|comfort|familiarity|last_interaction|next_due)$")]
    pub sort: Option<String>,
    /// 1 to 200; default 50.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page, with the same `sort`.
    pub cursor: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct ContactCursor {
    sort: String,
    key: SortKey,
    id: Uuid,
}

fn parse_sort(value: Option<&str>) -> Option<(ContactSort, &'static str)> {
    Some(match value.unwrap_or("name") {
        "name" => (ContactSort::Name, "name"),
        "comfort" => (ContactSort::Comfort, "comfort"),
        "familiarity" => (ContactSort::Familiarity, "familiarity"),
        "last_interaction" => (ContactSort::LastInteraction, "last_interaction"),
        "next_due" => (ContactSort::NextDue, "next_due"),
        _ => return None,
    })
}

/// Query-string values, each parsed with its field named when wrong.
struct Fields<'a> {
    errors: rapport_core::FieldErrors,
    raw: &'a ContactListQuery,
}

impl Fields<'_> {
    fn number(&mut self, field: &str, value: &Option<String>, min: u32, max: u32) -> Option<u32> {
        let text = value.as_deref()?;
        match text.trim().parse::<u32>() {
            Ok(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                self.errors
                    .add(field, format!("must be a whole number from {min} to {max}"));
                None
            }
        }
    }

    fn flag(&mut self, field: &str, value: &Option<String>) -> Option<bool> {
        match value.as_deref()? {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => {
                self.errors.add(field, "must be true or false");
                None
            }
        }
    }

    fn text(&mut self, field: &str, value: &Option<String>) -> Option<String> {
        let text = value.as_deref()?.trim();
        if text.is_empty() {
            return None;
        }
        if let Err(message) = rapport_core::validate::required_text(text, 200) {
            self.errors.add(field, message);
            return None;
        }
        Some(text.to_owned())
    }
}

/// The list's query, checked.
fn list_query(raw: &ContactListQuery, today: NaiveDate) -> ApiResult<ContactQuery> {
    let mut f = Fields {
        errors: rapport_core::FieldErrors::new(),
        raw,
    };
    let raw = f.raw;
    let limit = parse_limit(&mut f.errors, raw.limit.as_deref());
    let sort = parse_sort(raw.sort.as_deref());
    if sort.is_none() {
        f.errors.add(
            "sort",
            "must be one of name, comfort, familiarity, last_interaction, next_due",
        );
    }
    let (sort, sort_name) = sort.unwrap_or((ContactSort::Name, "name"));
    let connection_status = raw.connection_status.as_deref().and_then(|s| {
        let parsed = ConnectionStatus::parse(s);
        if parsed.is_none() {
            let names: Vec<&str> = ConnectionStatus::ALL.iter().map(|s| s.as_str()).collect();
            f.errors.add(
                "connection_status",
                format!("must be one of {}", names.join(", ")),
            );
        }
        parsed
    });
    let event_id = raw.event_id.as_deref().and_then(|s| {
        let parsed = s.parse::<Uuid>().ok();
        if parsed.is_none() {
            f.errors.add("event_id", "must be an event id");
        }
        parsed
    });
    let after = parse_cursor(&mut f.errors, raw.cursor.as_deref(), |text| {
        decode_cursor::<ContactCursor>(text).filter(|c| c.sort == sort_name)
    })
    .map(|c| (c.key, c.id));
    let query = ContactQuery {
        q: f.text("q", &raw.q),
        tag: f.text("tag", &raw.tag),
        comfort_min: f
            .number("comfort_min", &raw.comfort_min, 1, 5)
            .map(|n| n as u8),
        comfort_max: f
            .number("comfort_max", &raw.comfort_max, 1, 5)
            .map(|n| n as u8),
        familiarity_min: f
            .number("familiarity_min", &raw.familiarity_min, 0, 100)
            .map(|n| n as u8),
        familiarity_max: f
            .number("familiarity_max", &raw.familiarity_max, 0, 100)
            .map(|n| n as u8),
        connection_status,
        event_id,
        company: f.text("company", &raw.company),
        due_by: f.flag("due", &raw.due).filter(|due| *due).map(|_| today),
        ready_to_ask: f.flag("ready_to_ask", &raw.ready_to_ask),
        archived: f.flag("archived", &raw.archived).unwrap_or(false),
        sort,
        after,
        limit,
    };
    f.errors.into_result()?;
    Ok(query)
}

#[utoipa::path(get, path = "/api/v1/contacts", tag = "contacts",
    summary = "List my contacts",
    description = "Lists your active contacts (archived ones with `archived=true`), filtered by \
        text, tag, comfort and familiarity ranges, connection status, event, company, due and \
        ready-to-ask, sorted and paginated with `limit` and `cursor`. Any signed-in caller may \
        call it: a browser session or a personal access token, read-only tokens included. The \
        answer carries an `ETag` that moves with any change to your contacts or settings and with \
        the day; send it back in `If-None-Match` to get `304 Not Modified`.",
    security(("bearer" = [])),
    params(ContactListQuery),
    responses(
        (status = 200, description = "A page of contacts; `Link: rel=\"next\"` when more follow", body = Page<Contact>),
        (status = 304, description = "Unchanged since the `ETag` sent in `If-None-Match`"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_contacts(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ContactListQuery>,
) -> ApiResult<HttpResponse> {
    let parsed = list_query(&query, caller.today(&state))?;
    crate::cache::get_or_build(&req, &state, &caller, async {
        let contacts::Page { items, next } =
            contacts::page(&*state.store, caller.id(), &parsed).await?;
        let (_, sort_name) =
            parse_sort(query.sort.as_deref()).unwrap_or((ContactSort::Name, "name"));
        let next_cursor = next.map(|(key, id)| {
            encode_cursor(&ContactCursor {
                sort: sort_name.to_owned(),
                key,
                id,
            })
        });
        Ok(page(&req, items, parsed.limit, next_cursor))
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts",
    summary = "Add a contact",
    description = "Adds a person to your network; only `name` is required, and `how_met` may name \
        one of your events and the contact who introduced you (anything not yours is a 422). \
        Needs a browser session or a personal access token with the `write` scope. Familiarity, \
        suggested comfort and the next keep-in-touch date are computed at once; the answer \
        carries `Location` and an `ETag`.",
    security(("bearer" = [])),
    request_body = NewContact,
    responses(
        (status = 201, description = "Created; `ETag` carries its version", body = Contact),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_contact(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewContact>,
) -> ApiResult<HttpResponse> {
    let record = state
        .store
        .create_contact(caller.id(), body.0.normalize(), caller.today(&state))
        .await?;
    let location = format!("/api/v1/contacts/{}", record.id);
    let mut response = HttpResponse::Created();
    response.insert_header((header::LOCATION, location));
    Ok(with_etag(response, view(record)))
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts",
    summary = "Get a contact",
    description = "Returns one of your contacts with what is derived from it: familiarity, \
        suggested comfort and mismatch flag, last interaction, next due date and whether they are \
        ready to ask. Any signed-in caller may call it: a browser session or a personal access \
        token, read-only tokens included. The `ETag` is the version to send in `If-Match` to \
        update or delete it.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The contact; `ETag` carries its version", body = Contact),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_contact(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let record = load(&state, caller.id(), *id).await?;
    Ok(with_etag(HttpResponse::Ok(), view(record)))
}

#[utoipa::path(patch, path = "/api/v1/contacts/{id}", tag = "contacts",
    summary = "Update a contact",
    description = "Changes a contact's fields (a field left out stays, `null` clears an optional \
        one) and recomputes its familiarity, suggested comfort and next due date; comfort and \
        connection status have their own routes. Needs a browser session or a personal access \
        token with the `write` scope. `If-Match` is required: send the `ETag` you read (428 \
        without it, 412 when the contact changed since), or `*` to skip the check.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "The ETag you read")),
    request_body = ContactPatch,
    responses(
        (status = 200, body = Contact),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_contact(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    expected: IfMatch,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let patch: ContactPatch = crate::extract::parse_json(&req, &body)?;
    let current = load(&state, caller.id(), *id).await?;
    let data = patched(current.data, |data| patch.apply(data))?;
    let record = state
        .store
        .update_contact(
            caller.id(),
            *id,
            expected.or(current.version),
            data.normalize(),
            caller.today(&state),
        )
        .await?;
    Ok(with_etag(HttpResponse::Ok(), view(record)))
}

#[utoipa::path(delete, path = "/api/v1/contacts/{id}", tag = "contacts",
    summary = "Delete a contact",
    description = "Deletes a contact with its comfort and connection histories, its introductions \
        and the interactions that involved nobody else (shared interactions stay, without them). \
        Needs a browser session or a personal access token with the `write` scope. `If-Match` is \
        required: send the `ETag` you read (428 without it, 412 when the contact changed since), \
        or `*` to skip the check.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "The ETag you read")),
    responses(
        (status = 204, description = "Deleted, with its histories, introductions and the interactions that involved only them"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_contact(
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
        .delete_contact(caller.id(), *id, expected)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(put, path = "/api/v1/contacts/{id}/comfort", tag = "contacts",
    summary = "Rate my referral comfort",
    description = "Sets your referral comfort for a contact (1 wouldn't refer yet … 5 would vouch \
        personally) or clears it with `null`, and adds the rating, dated now, with its optional \
        reason to the comfort history. Needs a browser session or a personal access token with \
        the `write` scope. No `If-Match` is needed. The suggested comfort is never changed by \
        this; `familiarity.mismatch` in the answer flags a rating far above what the history \
        supports.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = ComfortRequest,
    responses(
        (status = 200, description = "The contact with its new comfort; the rating is added to the history", body = Contact),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn set_comfort(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<ComfortRequest>,
) -> ApiResult<HttpResponse> {
    let request = body.0;
    let reason = request
        .reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    let record = state
        .store
        .set_comfort(caller.id(), *id, request.rating, reason)
        .await
        .map_err(contact_error)?;
    Ok(with_etag(HttpResponse::Ok(), view(record)))
}

/// A store error about one contact: "not found" names the contact.
fn contact_error(error: rapport_storage::StoreError) -> ApiError {
    match error {
        rapport_storage::StoreError::NotFound => ApiError::not_found("contact"),
        other => other.into(),
    }
}

/// Puts the keep-in-touch date off ("not now, remind me later"): the next
/// due date becomes `until` at the earliest, so the contact leaves the
/// nurture queue's overdue items until then. `until: null` ends the snooze.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/snooze", tag = "contacts",
    summary = "Snooze a contact's keep-in-touch date",
    description = "Puts the keep-in-touch date off (\"not now, remind me later\"): the next due \
        date becomes `until` at the earliest, so the contact leaves the nurture queue's overdue \
        items until then; a later interaction still counts from its own date, and `until: null` \
        ends the snooze. `until` must be after today and within a year, in your time zone. Needs \
        a browser session or a personal access token with the `write` scope. The contact's \
        version (`ETag`) moves.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = SnoozeRequest,
    responses(
        (status = 200, description = "The contact with its new next due date", body = Contact),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn snooze(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<SnoozeRequest>,
) -> ApiResult<HttpResponse> {
    let today = caller.today(&state);
    body.0.check(today)?;
    let record = state
        .store
        .snooze(caller.id(), *id, body.0.until, today)
        .await
        .map_err(contact_error)?;
    Ok(with_etag(HttpResponse::Ok(), view(record)))
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}/comfort/history", tag = "contacts",
    summary = "List a contact's comfort history",
    description = "Lists every referral comfort rating given to a contact, oldest first, each \
        with its date and optional reason (a `null` rating means it was cleared). Any signed-in \
        caller may call it: a browser session or a personal access token, read-only tokens \
        included.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Every rating, oldest first", body = Page<ComfortRating>),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn comfort_history(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let history = state
        .store
        .comfort_history(caller.id(), *id)
        .await?
        .ok_or_else(|| ApiError::not_found("contact"))?;
    Ok(crate::routes::pagination::whole(history))
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}/familiarity", tag = "contacts",
    summary = "Explain a contact's familiarity",
    description = "Computes a contact's familiarity (0 to 100) from the interaction history as of \
        today in your time zone, with plain-English reasons, the comfort the history supports and \
        whether your rating is a mismatch. Any signed-in caller may call it: a browser session or \
        a personal access token, read-only tokens included. Nothing is stored.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The score with its reasons, the suggested comfort and the mismatch flag", body = Familiarity),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_familiarity(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let explained = contacts::familiarity(&*state.store, caller.id(), *id, caller.today(&state))
        .await?
        .ok_or_else(|| ApiError::not_found("contact"))?;
    Ok(HttpResponse::Ok().json(explained))
}

#[utoipa::path(post, path = "/api/v1/contacts/{id}/connection", tag = "contacts",
    summary = "Move a contact's connection flow on",
    description = "Moves the ask-first connection status one step (e.g. `not_connected` → `asked` \
        → `open` → `invited` → `connected`) and records the step, dated now, with its optional \
        note in the connection history. Needs a browser session or a personal access token with \
        the `write` scope. No `If-Match` is needed. A step the flow does not allow is a 409 \
        `illegal_transition` naming the statuses it can become.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = ConnectionRequest,
    responses(
        (status = 200, body = Contact),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a step the flow allows; names the allowed next states", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn change_connection(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<ConnectionRequest>,
) -> ApiResult<HttpResponse> {
    let request = body.0;
    let note = request
        .note
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty());
    let record = state
        .store
        .change_connection(caller.id(), *id, request.status, note)
        .await
        .map_err(contact_error)?;
    Ok(with_etag(HttpResponse::Ok(), view(record)))
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}/connection/history", tag = "contacts",
    summary = "List a contact's connection history",
    description = "Lists every step of a contact's connection flow, oldest first: the status \
        before and after, the date and the note. Any signed-in caller may call it: a browser \
        session or a personal access token, read-only tokens included.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Every step, oldest first", body = Page<ConnectionChange>),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn connection_history(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let history = state
        .store
        .connection_history(caller.id(), *id)
        .await?
        .ok_or_else(|| ApiError::not_found("contact"))?;
    Ok(crate::routes::pagination::whole(history))
}

pub use rapport_core::network::NetworkEntry;

#[utoipa::path(get, path = "/api/v1/network", tag = "contacts",
    summary = "Get my network at a glance",
    description = "Returns one compact record per active (not archived) contact, by name: name, \
        company, comfort, familiarity, connection status, tags and last interaction, for the \
        trust rings and the know × trust map. Any signed-in caller may call it: a browser session \
        or a personal access token, read-only tokens included. The answer carries an `ETag` that \
        moves with any change to your contacts or settings and with the day; send it back in \
        `If-None-Match` to get `304 Not Modified`.",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One compact record per active contact", body = Vec<NetworkEntry>),
        (status = 304, description = "Unchanged since the `ETag` sent in `If-None-Match`"),
    ))]
pub async fn network(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> ApiResult<HttpResponse> {
    crate::cache::get_or_build(&req, &state, &caller, async {
        let json = state.store.network_json(caller.id()).await?;
        Ok(HttpResponse::Ok()
            .content_type(actix_web::http::header::ContentType::json())
            .body(json))
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/me/settings", tag = "me",
    summary = "Get my settings",
    description = "Returns your connection policy (when a contact is \"ready to ask\"), its \
        familiarity and comfort thresholds and your default keep-in-touch cadence; defaults apply \
        until you save your own. Any signed-in caller may call it: a browser session or a \
        personal access token, read-only tokens included.",
    security(("bearer" = [])),
    responses((status = 200, body = Settings)))]
pub async fn get_settings(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(state.store.settings(caller.id()).await?))
}

#[utoipa::path(put, path = "/api/v1/me/settings", tag = "me",
    summary = "Replace my settings",
    description = "Saves the connection policy, both thresholds and the default keep-in-touch \
        cadence, all at once. Needs a browser session or a personal access token with the `write` \
        scope. The next due dates of contacts without a cadence of their own are recomputed from \
        the new default, and every contact's `ready_to_ask` follows the new policy.",
    security(("bearer" = [])),
    request_body = Settings,
    responses(
        (status = 200, body = Settings),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn put_settings(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<Settings>,
) -> ApiResult<HttpResponse> {
    let settings = state
        .store
        .put_settings(caller.id(), body.0, caller.today(&state))
        .await?;
    Ok(HttpResponse::Ok().json(settings))
}
