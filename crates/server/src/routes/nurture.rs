//! The nurture queue: my to-do list, computed from the network.

use actix_web::{web, HttpRequest, HttpResponse};
use rapport_core::account::Page;
use rapport_core::nurture::{NurtureItem, NurturePosition};
use rapport_core::{FieldErrors, Problem};
use serde::Deserialize;

use crate::app::AppState;
use crate::error::ApiResult;
use crate::extract::Caller;
use crate::routes::pagination::{decode_cursor, encode_cursor, page, parse_cursor, parse_limit};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NurtureListQuery {
    /// 1 to 200; default 50.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// My to-do list, computed afresh on every call, most urgent first:
///
/// 1. **Dated items, oldest date first**: `overdue` (the keep-in-touch date
///    of an active contact is today or earlier; dated that day),
///    `follow_up` (an interaction's follow-up date is at most 7 days ahead
///    and no later interaction with that contact answered it; dated the
///    follow-up date, so upcoming ones come after everything already due)
///    and `awaiting_answer` (I asked to connect 14 or more days ago and the
///    status is still `asked`; dated the day the 14 days ran out). On the
///    same date: overdue, then follow-up, then awaiting answer.
/// 2. `introduction_waiting`: introductions proposed, asked or agreed, the
///    longest unchanged first (the item names the first person).
/// 3. `ready_to_ask`: ready to ask to connect under my connection policy
///    (the contact list's `ready_to_ask` filter), by name.
/// 4. `mismatch`: my rating of 4 or 5 is far above what the history
///    supports, by name.
///
/// A contact can appear under several kinds. Archived contacts appear only
/// through their introductions.
#[utoipa::path(get, path = "/api/v1/nurture", tag = "nurture",
    summary = "Get my nurture queue",
    description = "Your to-do list, computed afresh on every call, most urgent first: dated items \
        oldest first (`overdue` keep-in-touch dates, `follow_up` dates at most 7 days ahead that \
        no later interaction answered, `awaiting_answer` asks to connect unanswered for 14 days), \
        then `introduction_waiting`, then `ready_to_ask` under your connection policy, then \
        `mismatch` (a rating of 4 or 5 far above what the history supports). \"Today\" follows \
        your time zone; a contact can appear under several kinds, and archived contacts appear \
        only through their introductions. It is paginated with `limit` and `cursor`, and any \
        signed-in caller may call it: a browser session or a personal access token, read-only \
        tokens included.",
    security(("bearer" = [])),
    params(NurtureListQuery),
    responses(
        (status = 200, description = "A page of to-dos, most urgent first; `Link: rel=\"next\"` when more follow", body = Page<NurtureItem>),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn nurture_queue(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<NurtureListQuery>,
) -> ApiResult<HttpResponse> {
    let mut errors = FieldErrors::new();
    let limit = parse_limit(&mut errors, query.limit.as_deref());
    let after = parse_cursor(
        &mut errors,
        query.cursor.as_deref(),
        decode_cursor::<NurturePosition>,
    );
    errors.into_result()?;
    let (items, next) = crate::service::nurture::page(
        &*state.store,
        caller.id(),
        caller.today(&state),
        after,
        limit,
    )
    .await?;
    let next_cursor = next.as_ref().map(encode_cursor);
    Ok(page(&req, items, limit, next_cursor))
}
