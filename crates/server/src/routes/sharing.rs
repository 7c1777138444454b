//! Sharing with a team, chosen by the owner of each relationship, and team
//! reach: "who on my team knows…". A contact is private until its owner
//! shares it; what teammates may learn is what its level allows.

use actix_web::{web, HttpResponse};
use rapport_core::sharing::{
    BulkShareOutcome, BulkShareRequest, ContactShare, ContactShareRequest, ReachResults, Sharing,
};
use rapport_core::{FieldErrors, Problem};
use rapport_storage::ReachQuery;
use serde::Deserialize;
use uuid::Uuid;

use crate::app::AppState;
use crate::error::ApiResult;
use crate::extract::{Caller, ValidJson};
use crate::routes::teams::not_found_as;

/// Results a reach search answers by default, and at most.
const REACH_DEFAULT: u32 = 20;
const REACH_MAX: u32 = 50;

#[utoipa::path(get, path = "/api/v1/teams/{id}/sharing", tag = "teams",
    summary = "Get my sharing with a team",
    description = "Returns your default level, rules by tag and blocklist for a team you belong \
        to. Everything is private (`hidden`) until you choose otherwise. Any signed-in caller may \
        call it (read-only tokens included); a team you do not belong to is a 404.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Sharing),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_sharing(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let sharing = state
        .store
        .sharing(caller.id(), *id)
        .await
        .map_err(not_found_as("team"))?;
    Ok(HttpResponse::Ok().json(sharing))
}

#[utoipa::path(put, path = "/api/v1/teams/{id}/sharing", tag = "teams",
    summary = "Set my sharing with a team",
    description = "Replaces your default level (for contacts no rule or choice covers), your \
        rules by tag (first match wins; a per-contact choice overrides them) and your blocklist \
        of people (email addresses, profile URLs) and email domains that this team never sees. \
        Archived contacts and people at the team's own email domains are never shared. What \
        teammates can find changes at once. Guests share nothing (403 `team_role_required`). \
        Needs a browser session or a personal access token with the `write` scope.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = Sharing,
    responses(
        (status = 200, description = "Your sharing as stored", body = Sharing),
        (status = 403, description = "Guests share nothing", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn put_sharing(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<Sharing>,
) -> ApiResult<HttpResponse> {
    let sharing = state
        .store
        .put_sharing(caller.id(), *id, body.0.normalize())
        .await
        .map_err(not_found_as("team"))?;
    Ok(HttpResponse::Ok().json(sharing))
}

#[utoipa::path(get, path = "/api/v1/teams/{id}/sharing/contacts/{contact_id}", tag = "teams",
    summary = "Get one contact's sharing with a team",
    description = "Returns your choice for one of your contacts in a team you belong to (null: \
        your rules and default decide) and the level teammates see now. Any signed-in caller may \
        call it (read-only tokens included); someone else's contact, or a team you do not belong \
        to, is a 404.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ("contact_id" = Uuid, Path)),
    responses(
        (status = 200, body = ContactShare),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_contact_share(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (team, contact) = path.into_inner();
    let share = state
        .store
        .contact_share(caller.id(), team, contact)
        .await
        .map_err(not_found_as("contact or team"))?;
    Ok(HttpResponse::Ok().json(share))
}

#[utoipa::path(put, path = "/api/v1/teams/{id}/sharing/contacts/{contact_id}", tag = "teams",
    summary = "Share one contact with a team",
    description = "Sets your choice for one of your contacts: `hidden`, `signal` (teammates \
        learn only that a teammate knows someone matching their search), `profile` (name, \
        company, title, that you know them and a strength band — never your rating, scores, \
        notes, history, emails or phones), or null to follow your rules and default. The \
        blocklist, archiving and the team's own email domains still hide it. Guests share nothing \
        (403 `team_role_required`). Needs a browser session or a personal access token with the \
        `write` scope.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ("contact_id" = Uuid, Path)),
    request_body = ContactShareRequest,
    responses(
        (status = 200, description = "The contact's sharing now", body = ContactShare),
        (status = 403, description = "Guests share nothing", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn put_contact_share(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: ValidJson<ContactShareRequest>,
) -> ApiResult<HttpResponse> {
    let (team, contact) = path.into_inner();
    let share = state
        .store
        .set_contact_share(caller.id(), team, contact, body.0.level)
        .await
        .map_err(not_found_as("contact or team"))?;
    Ok(HttpResponse::Ok().json(share))
}

#[utoipa::path(post, path = "/api/v1/teams/{id}/sharing/bulk", tag = "teams",
    summary = "Share many contacts with a team at once",
    description = "Records one choice (`hidden`, `signal`, `profile`, or null: back to your \
        rules) for every unarchived contact of yours that the filter covers (all of them with an \
        empty filter), in one transaction. With `dry_run` nothing changes and the answer says how \
        many contacts it would cover. Guests share nothing (403 `team_role_required`). Needs a \
        browser session or a personal access token with the `write` scope.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = BulkShareRequest,
    responses(
        (status = 200, body = BulkShareOutcome),
        (status = 403, description = "Guests share nothing", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn bulk_share(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<BulkShareRequest>,
) -> ApiResult<HttpResponse> {
    let request = body.0;
    let count = state
        .store
        .bulk_share(
            caller.id(),
            *id,
            &request.filter,
            request.level,
            request.dry_run,
        )
        .await
        .map_err(not_found_as("team"))?;
    Ok(HttpResponse::Ok().json(BulkShareOutcome {
        count,
        dry_run: request.dry_run,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReachParams {
    /// Words of a name or company (each must begin a word of the person's
    /// name or company; a contact shared at `signal` matches whole words
    /// only), or an email address or LinkedIn profile URL (exactly).
    #[param(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub q: Option<String>,
    /// Words of a company ("who do we know at Acme").
    #[param(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub company: Option<String>,
    /// Results at most, 1 to 50; default 20.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 50)]
    pub limit: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/teams/{id}/reach", tag = "teams",
    summary = "Search team reach",
    description = "Who on this team knows someone: by `q` (name or company words, an email \
        address, a profile URL) and/or `company`. A person shared at `profile` comes with their \
        name, company and title, the teammates who know them and each one's band \
        (`acquainted`, `known`, `trusted`), best band and most recent first; a person shared at \
        `signal` only as how many teammates know someone matching. The same person known by \
        several teammates is one result; your own contacts are not listed. Guests see profile \
        results only. When the team sets `reach_requires_sharing`, a member who shares nothing \
        finds nothing. Any signed-in caller may call it (read-only tokens included); a team you \
        do not belong to is a 404.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ReachParams),
    responses(
        (status = 200, body = ReachResults),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn reach(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<ReachParams>,
) -> ApiResult<HttpResponse> {
    let mut errors = FieldErrors::new();
    let limit = match query.limit.as_deref().map(|l| l.trim().parse::<u32>()) {
        None => REACH_DEFAULT,
        Some(Ok(n)) if (1..=REACH_MAX).contains(&n) => n,
        Some(_) => {
            errors.add(
                "limit",
                format!("must be a whole number from 1 to {REACH_MAX}"),
            );
            REACH_DEFAULT
        }
    };
    for (field, value) in [("q", &query.q), ("company", &query.company)] {
        rapport_core::validate::optional_text(&mut errors, field, value, 200, false);
    }
    errors.into_result()?;
    let hits = state
        .store
        .reach(
            caller.id(),
            *id,
            &ReachQuery {
                q: query.q.clone(),
                company: query.company.clone(),
                // Enough rows for the results once grouped.
                limit: limit * 10,
            },
        )
        .await
        .map_err(not_found_as("team"))?;
    let (items, found) = crate::service::sharing::results(hits, limit as usize);
    // Each owner whose contacts the answer stands for reads it in their log.
    state.store.record_reach(caller.id(), *id, &found).await?;
    Ok(HttpResponse::Ok().json(ReachResults { items }))
}
