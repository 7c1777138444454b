//! Instance administration: users and invite codes. Admins never see
//! another user's network; these routes expose accounts only.

use actix_web::{web, HttpRequest, HttpResponse};
use rapport_core::account::{
    AdminUserPatch, CreateInviteRequest, CreatedInvite, Invite, Page, User,
};
use rapport_core::{Problem, Validate};
use rapport_storage::{Cursor, NewInvite};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::new_invite_code;
use crate::error::ErrorCode;
use crate::error::{ApiError, ApiResult};
use crate::extract::{optional_json, AdminCaller, ValidJson};
use crate::routes::pagination::{respond, ListParams};

#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin",
    summary = "List users",
    description = "Lists every account on the instance, oldest first, paginated with `limit` and \
        `cursor`; accounts only, never anyone's network. Admins only, with a browser session or a \
        personal access token; anyone else gets 403 `admin_only`.",
    security(("bearer" = [])),
    params(ListParams),
    responses(
        (status = 200, body = Page<User>),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_users(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminCaller,
    query: web::Query<ListParams>,
) -> ApiResult<HttpResponse> {
    let (limit, cursor) = query.read()?;
    let users = state.store.list_users(cursor.as_ref(), limit + 1).await?;
    let users: Vec<User> = users.iter().map(|u| u.to_api()).collect();
    Ok(respond(&req, users, limit, |u| Cursor {
        created_at: u.created_at,
        id: u.id,
    }))
}

#[utoipa::path(patch, path = "/api/v1/admin/users/{id}", tag = "admin",
    summary = "Disable or enable a user",
    description = "Disables or re-enables an account. Disabling ends the user's browser sessions \
        and deletes their personal access tokens at once, and they can no longer sign in; \
        enabling again lets them sign in but does not bring back sessions or tokens. Admins only, \
        with a browser session or a personal access token with the `write` scope; anyone else \
        gets 403 `admin_only`. Disabling your own account is a 409.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "User id")),
    request_body = AdminUserPatch,
    responses(
        (status = 200, body = User),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Admins cannot disable themselves", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_user(
    state: web::Data<AppState>,
    admin: AdminCaller,
    id: web::Path<Uuid>,
    body: ValidJson<AdminUserPatch>,
) -> ApiResult<HttpResponse> {
    if *id == admin.0.id() && body.0.disabled {
        return Err(ApiError::conflict(
            ErrorCode::CannotDisableSelf,
            "You cannot disable your own account.",
        ));
    }
    let user = state
        .store
        .set_user_disabled(*id, body.0.disabled)
        .await
        .map_err(|error| match error {
            rapport_storage::StoreError::NotFound => ApiError::not_found("user"),
            other => other.into(),
        })?;
    tracing::info!(admin = %admin.0.id(), user = %user.id, disabled = user.disabled, "user updated");
    Ok(HttpResponse::Ok().json(user.to_api()))
}

#[utoipa::path(get, path = "/api/v1/admin/invites", tag = "admin",
    summary = "List invite codes",
    description = "Lists every invite code issued on the instance, oldest first, used and expired \
        ones included, with prefix, expiry and who used it, but never the codes themselves. \
        Admins only, with a browser session or a personal access token; anyone else gets 403 \
        `admin_only`.",
    security(("bearer" = [])),
    params(ListParams),
    responses((status = 200, description = "Invites without their codes", body = Page<Invite>)))]
pub async fn list_invites(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminCaller,
    query: web::Query<ListParams>,
) -> ApiResult<HttpResponse> {
    let (limit, cursor) = query.read()?;
    let invites = state.store.list_invites(cursor.as_ref(), limit + 1).await?;
    Ok(respond(&req, invites, limit, |i| Cursor {
        created_at: i.created_at,
        id: i.id,
    }))
}

#[utoipa::path(post, path = "/api/v1/admin/invites", tag = "admin",
    summary = "Create an invite code",
    description = "Issues a single-use invite code for registering on an invite-only instance, \
        valid for `expires_in_days` (1 to 90; 14 with an empty body). The code is in this answer \
        only and is stored hashed. Admins only, with a browser session or a personal access token \
        with the `write` scope; anyone else gets 403 `admin_only`.",
    security(("bearer" = [])),
    request_body(content = Option<CreateInviteRequest>, description = "Optional; an empty body gives a 14-day code"),
    responses(
        (status = 201, description = "The code is shown this once", body = CreatedInvite),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_invite(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: AdminCaller,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let request: CreateInviteRequest = optional_json(&req, &body)?;
    request.validate()?;
    let days = i64::from(request.expires_in_days.unwrap_or(14));
    let (code, prefix, code_hash) = new_invite_code();
    let invite = state
        .store
        .create_invite(NewInvite {
            created_by: admin.0.id(),
            code_hash,
            prefix,
            expires_at: rapport_storage::now() + chrono::Duration::days(days),
        })
        .await?;
    Ok(HttpResponse::Created().json(CreatedInvite { invite, code }))
}
