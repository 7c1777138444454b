//! Introduction requests: a teammate asks the members who know someone to
//! introduce them; each member accepts (an introduction starts in their
//! own network), declines (privately) or lets it expire.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use rapport_core::account::Page;
use rapport_core::intro_request::{
    AcceptIntroRequest, DeclineIntroRequest, IntroRequest, NewIntroRequest, RequestBox, Teammate,
};
use rapport_core::sharing::ReachPerson;
use rapport_core::Problem;
use rapport_storage::{Cursor, IntroRequestRecord, RequestPerson, StoreError};
use serde::Deserialize;
use uuid::Uuid;

use crate::app::AppState;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{Caller, ValidJson};
use crate::routes::pagination::{respond, ListParams};

fn person(person: RequestPerson) -> ReachPerson {
    ReachPerson {
        name: person.name,
        company: person.company,
        title: person.title,
    }
}

/// The API view: the requester sees what the search showed (and, once
/// accepted, who introduces them and whom); a teammate asked sees their own
/// contact and answer.
pub fn view(record: IntroRequestRecord) -> IntroRequest {
    let out = record.direction == RequestBox::Out;
    let (contact_id, contact) = match record.contact {
        Some((id, person)) => (Some(id), Some(person)),
        None => (None, None),
    };
    IntroRequest {
        id: record.id,
        team_id: record.team_id,
        direction: record.direction,
        status: if out {
            record.status
        } else {
            record.my_status.unwrap_or(record.status)
        },
        reason: record.reason,
        requester: Teammate {
            user_id: record.requester_id,
            display_name: record.requester_name,
        },
        person: if out {
            contact.or(record.shown).map(person)
        } else {
            contact.map(person)
        },
        contact_id: if out { None } else { contact_id },
        accepted_by: if out {
            record.accepted_by.map(|(user_id, display_name)| Teammate {
                user_id,
                display_name,
            })
        } else {
            None
        },
        decline_reason: record.decline_reason,
        introduction_id: if out { None } else { record.introduction_id },
        created_at: record.created_at,
        expires_at: record.expires_at,
        answered_at: record.answered_at,
    }
}

fn not_found(error: StoreError) -> ApiError {
    match error {
        StoreError::NotFound => ApiError::not_found("introduction request"),
        StoreError::Conflict(what) => ApiError::conflict(
            ErrorCode::RequestClosed,
            format!("Not possible now: {what}."),
        ),
        other => other.into(),
    }
}

#[utoipa::path(post, path = "/api/v1/teams/{id}/intro-requests", tag = "teams",
    summary = "Ask for an introduction",
    description = "Asks the teammates who know a person found by team reach (its `result`) to \
        introduce you, with your reason. It lands in each one's requests; the first to accept \
        introduces you, and the request closes for the others. A member may have at most the \
        team's `max_open_requests` open at once (409 `too_many_open_requests`), and asks about \
        the same person once in 30 days (409 `asked_lately`). A result that names nothing you may \
        see (gone since the search, your own contacts, or for guests a signal) is a 422 on \
        `result`. Needs a browser session or a personal access token with the `write` scope.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = NewIntroRequest,
    responses(
        (status = 201, description = "Asked", body = IntroRequest),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Too many open requests, or asked lately", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<NewIntroRequest>,
) -> ApiResult<HttpResponse> {
    let request = body.0;
    let record = state
        .store
        .create_intro_request(
            caller.id(),
            *id,
            &request.handles(),
            request.reason.trim(),
            rapport_storage::now(),
        )
        .await
        .map_err(|error| match error {
            StoreError::NotFound => ApiError::not_found("team"),
            StoreError::InvalidReference { .. } => ApiError::invalid_field(
                "result",
                "names no result of a team reach search that you may see: search again",
            ),
            other => other.into(),
        })?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/intro-requests/{}", record.id),
        ))
        .json(view(record)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestListParams {
    /// `in`: requests to you (default); `out`: requests you sent.
    #[serde(rename = "box")]
    #[param(rename = "box", value_type = Option<RequestBox>)]
    pub direction: Option<RequestBox>,
    /// 1 to 200; default 50.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/intro-requests", tag = "teams",
    summary = "List introduction requests",
    description = "Lists the introduction requests addressed to you (`box=in`, the default) or \
        sent by you (`box=out`), newest first, paginated with `limit` and `cursor`. A request \
        you sent shows who introduces you once accepted, and `declined` without anyone's reason. \
        Any signed-in caller may call it (read-only tokens included).",
    security(("bearer" = [])),
    params(RequestListParams),
    responses((status = 200, body = Page<IntroRequest>)))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<RequestListParams>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = ListParams {
        limit: query.limit.clone(),
        cursor: query.cursor.clone(),
    }
    .read()?;
    let records = state
        .store
        .intro_requests(
            caller.id(),
            query.direction.unwrap_or(RequestBox::In),
            after.as_ref(),
            limit + 1,
            rapport_storage::now(),
        )
        .await?;
    let items: Vec<IntroRequest> = records.into_iter().map(view).collect();
    Ok(respond(&req, items, limit, |r| Cursor {
        created_at: r.created_at,
        id: r.id,
    }))
}

#[utoipa::path(get, path = "/api/v1/intro-requests/{id}", tag = "teams",
    summary = "Get an introduction request",
    description = "Returns a request you sent or one addressed to you; anyone else's is a 404. \
        Any signed-in caller may call it (read-only tokens included).",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = IntroRequest),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let record = state
        .store
        .intro_request(caller.id(), *id, rapport_storage::now())
        .await?
        .ok_or_else(|| ApiError::not_found("introduction request"))?;
    Ok(HttpResponse::Ok().json(view(record)))
}

#[utoipa::path(post, path = "/api/v1/intro-requests/{id}/accept", tag = "teams",
    summary = "Accept an introduction request",
    description = "Accepts a request addressed to you: an introduction of your contact to the \
        requester (found among your contacts by the email address they sign in with, or added \
        with the tag `teammate`) starts in your network as `proposed`, to follow the double \
        opt-in flow of every introduction; the request closes for the other teammates, and the \
        requester learns that you introduce them and whom. Your word is behind it: with a \
        comfort below 3 (or none) for your contact, send `confirm_low_comfort` (409 \
        `comfort_below_threshold` otherwise). A request no longer open is a 409 \
        `request_closed`. Needs a browser session or a personal access token with the `write` \
        scope.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body(content = Option<AcceptIntroRequest>, description = "Optional"),
    responses(
        (status = 200, description = "Accepted; `introduction_id` names the new introduction", body = IntroRequest),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Closed, or your comfort is below 3", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn accept(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let request: AcceptIntroRequest = crate::extract::optional_json(&req, &body)?;
    let now = rapport_storage::now();
    let current = state
        .store
        .intro_request(caller.id(), *id, now)
        .await?
        .filter(|r| r.direction == RequestBox::In)
        .ok_or_else(|| ApiError::not_found("introduction request"))?;
    if let Some((contact_id, _)) = &current.contact {
        let contact = state.store.contact(caller.id(), *contact_id).await?;
        let comfort = contact.as_ref().and_then(|c| c.comfort);
        if comfort.is_none_or(|c| c < rapport_core::introduction::COMFORT_TO_INTRODUCE)
            && !request.confirm_low_comfort
        {
            let mut error = ApiError::conflict(
                ErrorCode::ComfortBelowThreshold,
                "Your comfort with this contact is below 3 or unrated: your word is behind an \
                 introduction. Send `confirm_low_comfort: true` to introduce them anyway.",
            );
            error.details =
                Some(serde_json::json!({ "contact_id": contact_id, "comfort": comfort }));
            return Err(error);
        }
    }
    let record = state
        .store
        .accept_intro_request(caller.id(), *id, now)
        .await
        .map_err(not_found)?;
    Ok(HttpResponse::Ok().json(view(record)))
}

#[utoipa::path(post, path = "/api/v1/intro-requests/{id}/decline", tag = "teams",
    summary = "Decline an introduction request",
    description = "Declines a request addressed to you, with an optional note only you will \
        see; the requester sees `declined` once every teammate asked has declined, never why. A \
        request no longer open is a 409 `request_closed`. Needs a browser session or a personal \
        access token with the `write` scope.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body(content = Option<DeclineIntroRequest>, description = "Optional"),
    responses(
        (status = 200, body = IntroRequest),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No longer open", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn decline(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let request: DeclineIntroRequest = crate::extract::optional_json(&req, &body)?;
    rapport_core::Validate::validate(&request)?;
    let reason = request
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let record = state
        .store
        .decline_intro_request(caller.id(), *id, reason, rapport_storage::now())
        .await
        .map_err(not_found)?;
    Ok(HttpResponse::Ok().json(view(record)))
}

#[utoipa::path(post, path = "/api/v1/intro-requests/{id}/withdraw", tag = "teams",
    summary = "Withdraw an introduction request",
    description = "Takes back a request you sent while it is open; it closes for every teammate \
        asked. A request no longer open is a 409 `request_closed`. Needs a browser session or a \
        personal access token with the `write` scope.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = IntroRequest),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No longer open", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn withdraw(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let record = state
        .store
        .withdraw_intro_request(caller.id(), *id, rapport_storage::now())
        .await
        .map_err(not_found)?;
    Ok(HttpResponse::Ok().json(view(record)))
}
