//! Duplicate contacts: the groups of likely duplicates
//! (`/contacts/duplicates`) and merging two contacts into one
//! (`/contacts/{id}/merge`).

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use rapport_core::contact::Contact;
use rapport_core::duplicates::{Duplicates, MergeRequest};
use rapport_core::Problem;
use rapport_storage::StoreError;
use uuid::Uuid;

use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, ValidJson};
use crate::routes::versioning::{etag, IfMatchPair};
use crate::service::contacts::view;
use crate::service::duplicates::{self, MergeError};

#[utoipa::path(get, path = "/api/v1/contacts/duplicates", tag = "contacts",
    summary = "Find my likely duplicate contacts",
    description = "Groups your contacts that are likely the same person, each group with the \
        strongest reason that links it: `same_email` (an email address in common, ignoring \
        case), `same_profile_url` (the same profile address with a path — a LinkedIn profile \
        whatever its host, scheme, trailing slash or query; a bare website such as `acme.com` \
        does not count), `same_name_and_company` (ignoring case and punctuation), \
        `close_name_same_email_domain` (names a typo or two apart, with email addresses at the \
        same domain). A contact is in at most one group; archived contacts are left out. Any \
        signed-in caller may call it: a browser session or a personal access token, read-only \
        tokens included. Nothing changes. The answer carries an `ETag` that moves with any \
        change to your contacts and with the day; send it back in `If-None-Match` to get \
        `304 Not Modified`. Merge a group's contacts with `POST /contacts/{id}/merge`.",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The groups, strongest reason first; each contact as `GET /contacts/{id}` shows it", body = Duplicates),
        (status = 304, description = "Unchanged since the `ETag` sent in `If-None-Match`"),
    ))]
pub async fn duplicates(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> ApiResult<HttpResponse> {
    crate::cache::get_or_build(&req, &state, &caller, async {
        let groups = duplicates::duplicates(&*state.store, caller.id()).await?;
        Ok(HttpResponse::Ok().json(Duplicates { groups }))
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/contacts/{id}/merge", tag = "contacts",
    summary = "Merge another contact into this one",
    description = "Merges contact `other_id` into contact `{id}` in one transaction, and deletes \
        `other_id` (it then answers 404). The contact `{id}` keeps every email, phone, web \
        address and tag of both (without duplicates; 422 naming the list when they do not fit \
        on one contact), both notes (the `keep.notes` side first), every interaction of both \
        (one that named both names it once), both comfort histories and both connection \
        histories (merged by date), the introductions of both (one between the two of them is \
        deleted), the event and introducer of the first meeting, and the contacts the other \
        introduced. `keep` chooses, per field, whose name, company, title, location, first \
        meeting, cadence and current comfort rating win (`this`, the default, or `other`); a \
        side with no value never wins over one that has it, except for the comfort rating. \
        The current connection status is the one whose last change is the more recent. \
        Familiarity and the next due date are recomputed. Needs a browser session or a \
        personal access token with the `write` scope. `If-Match` is required and holds two \
        ETags, this contact's and then the other's (`\"3\", \"7\"`; `*` for either skips its \
        check): 428 without it, 412 when either contact changed since. Merging a contact with \
        itself is a 422; another user's contact, on either side, is a 404.",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The contact that stays"),
        ("If-Match" = String, Header, description = "The ETags of both contacts, this one's first: `\"3\", \"7\"`"),
    ),
    request_body = MergeRequest,
    responses(
        (status = 200, description = "The merged contact; `ETag` carries its version", body = Contact),
        (status = 404, description = "Either contact is not one of yours", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Either contact changed since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`other_id` names this contact, a `keep` field or value is unknown, or the merged lists or notes do not fit on one contact", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn merge(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    expected: IfMatchPair,
    body: ValidJson<MergeRequest>,
) -> ApiResult<HttpResponse> {
    let IfMatchPair(this, other) = expected;
    let record = duplicates::merge(
        &*state.store,
        caller.id(),
        *id,
        &body.0,
        (this.version(), other.version()),
        caller.today(&state),
    )
    .await
    .map_err(|error| match error {
        MergeError::Invalid(errors) => errors.into(),
        MergeError::Store(StoreError::NotFound) => ApiError::not_found("contact"),
        MergeError::Store(other) => other.into(),
    })?;
    let contact = view(record);
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(contact.version)))
        .json(contact))
}
