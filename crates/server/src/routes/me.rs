//! The signed-in person's own account: profile, password, sessions and
//! personal access tokens.

use actix_web::{web, HttpResponse};
use rapport_core::account::{
    ApiToken, ChangePasswordRequest, CreateTokenRequest, CreatedToken, Page, Session,
    UpdateMeRequest, User,
};
use rapport_core::validate::normalize_email;
use rapport_core::Problem;
use rapport_storage::{NewApiToken, StoreError};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::new_api_token;
use crate::error::ErrorCode;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, SessionCaller, ValidJson};
use crate::routes::auth::check_password_strength;
use crate::routes::pagination::whole;

/// A person may keep this many personal access tokens.
pub const MAX_TOKENS: i64 = 100;

#[utoipa::path(get, path = "/api/v1/me", tag = "me",
    summary = "Get my account",
    description = "Returns your account: email address, display name, role, whether it is \
        disabled and your time zone. Any signed-in caller may call it: a browser session or a \
        personal access token, read-only tokens included.",
    security(("bearer" = [])),
    responses(
        (status = 200, body = User),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_me(caller: Caller) -> HttpResponse {
    HttpResponse::Ok().json(caller.user.to_api())
}

#[utoipa::path(patch, path = "/api/v1/me", tag = "me",
    summary = "Update my account",
    description = "Changes your display name, email address or time zone; a field left out stays \
        as it is. Needs a browser session or a personal access token with the `write` scope. The \
        time zone (an IANA name such as `Europe/Berlin`) decides what \"today\", due and overdue \
        mean for you; an email address that another account uses is a 409.",
    security(("bearer" = [])),
    request_body = UpdateMeRequest,
    responses(
        (status = 200, body = User),
        (status = 409, description = "The email address is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_me(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<UpdateMeRequest>,
) -> ApiResult<HttpResponse> {
    let request = body.0;
    if let Some(zone) = &request.time_zone {
        if !crate::service::is_time_zone(zone) {
            return Err(ApiError::invalid_field(
                "time_zone",
                format!("{zone:?} is not a time zone this server knows; use an IANA name such as Europe/Berlin"),
            ));
        }
    }
    let user = state
        .store
        .update_profile(
            caller.id(),
            request.display_name.map(|n| n.trim().to_owned()),
            request.email.as_deref().map(normalize_email),
            request.time_zone.clone(),
        )
        .await
        .map_err(|e| match e {
            StoreError::Duplicate => {
                let mut error = ApiError::conflict(
                    ErrorCode::EmailTaken,
                    "Another account already uses that email address.",
                );
                error.errors = vec![rapport_core::FieldError {
                    field: "email".into(),
                    message: "is already registered".into(),
                }];
                error
            }
            other => other.into(),
        })?;
    Ok(HttpResponse::Ok().json(user.to_api()))
}

#[utoipa::path(post, path = "/api/v1/me/password", tag = "me",
    summary = "Change my password",
    description = "Replaces your password after checking the current one, and revokes every other \
        browser session of your account (this one stays signed in); personal access tokens keep \
        working. Needs a signed-in browser session: a personal access token gets 403 \
        `session_required`. A wrong current password or a weak new one is a 422.",
    security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Changed; other sessions are revoked"),
        (status = 403, description = "Not a browser session", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong current password or a weak new one", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Password hashing is saturated; see Retry-After", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: SessionCaller,
    body: ValidJson<ChangePasswordRequest>,
) -> ApiResult<HttpResponse> {
    let SessionCaller(caller, session) = caller;
    let request = body.0;
    check_password_strength(
        "new_password",
        &request.new_password,
        &[&caller.user.email, &caller.user.display_name],
    )?;
    let slot = state.hasher.try_reserve().map_err(|_| ApiError::busy())?;
    let verified = slot
        .verify(&request.current_password, &caller.user.password_hash)
        .await;
    if !verified.matches {
        return Err(ApiError::invalid_field(
            "current_password",
            "is not your current password",
        ));
    }
    let hash = slot
        .hash(&request.new_password)
        .await
        .map_err(ApiError::internal)?;
    drop(slot);
    state
        .store
        .change_password(caller.id(), &hash, Some(session))
        .await?;
    tracing::info!(user = %caller.id(), "password changed; other sessions revoked");
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "me",
    summary = "List my sessions",
    description = "Lists your live browser sessions (neither revoked nor expired), most recently \
        used first; `current` marks the one making this request. Needs a signed-in browser \
        session: a personal access token gets 403 `session_required`.",
    security(("bearer" = [])),
    responses((status = 200, body = Page<Session>)))]
pub async fn list_sessions(
    state: web::Data<AppState>,
    caller: SessionCaller,
) -> ApiResult<HttpResponse> {
    let SessionCaller(caller, session) = caller;
    let sessions = state
        .store
        .list_sessions(caller.id(), Some(session))
        .await?;
    Ok(whole(sessions))
}

#[utoipa::path(delete, path = "/api/v1/me/sessions/{id}", tag = "me",
    summary = "Sign out a session",
    description = "Revokes one of your browser sessions, such as a forgotten browser; revoking \
        the current one signs this browser out too. Needs a signed-in browser session: a personal \
        access token gets 403 `session_required`. A session that is unknown, someone else's or \
        already revoked is a 404.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 204, description = "The session is revoked"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn revoke_session(
    state: web::Data<AppState>,
    caller: SessionCaller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    if state.store.revoke_session(caller.0.id(), *id).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found("session"))
    }
}

#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "me",
    summary = "List my personal access tokens",
    description = "Lists your personal access tokens, newest first, with name, scope, prefix, \
        expiry and last-used time but never their secrets. Needs a signed-in browser session: a \
        personal access token gets 403 `session_required`.",
    security(("bearer" = [])),
    responses((status = 200, description = "Tokens without their secrets", body = Page<ApiToken>)))]
pub async fn list_tokens(
    state: web::Data<AppState>,
    caller: SessionCaller,
) -> ApiResult<HttpResponse> {
    Ok(whole(state.store.list_api_tokens(caller.0.id()).await?))
}

#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "me",
    summary = "Create a personal access token",
    description = "Creates a personal access token for scripts, with the `read` scope (GET only) \
        or `write` (reads and writes) and an optional expiry in days; its secret (`rpt_…`) is in \
        this answer only and is stored hashed. Needs a signed-in browser session: a personal \
        access token gets 403 `session_required`. You can hold at most 100 tokens (409 \
        `too_many_tokens`).",
    security(("bearer" = [])),
    request_body = CreateTokenRequest,
    responses(
        (status = 201, description = "The secret is shown this once", body = CreatedToken),
        (status = 409, description = "Too many tokens", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_token(
    state: web::Data<AppState>,
    caller: SessionCaller,
    body: ValidJson<CreateTokenRequest>,
) -> ApiResult<HttpResponse> {
    let user_id = caller.0.id();
    let request = body.0;
    if state.store.count_api_tokens(user_id).await? >= MAX_TOKENS {
        return Err(ApiError::conflict(
            ErrorCode::TooManyTokens,
            format!("You already have {MAX_TOKENS} access tokens. Revoke unused ones first."),
        ));
    }
    let (secret, prefix, token_hash) = new_api_token();
    let expires_at = request
        .expires_in_days
        .map(|days| rapport_storage::now() + chrono::Duration::days(i64::from(days)));
    let token = state
        .store
        .create_api_token(NewApiToken {
            user_id,
            name: request.name.trim().to_owned(),
            scope: request.scope,
            prefix,
            token_hash,
            expires_at,
        })
        .await?;
    Ok(HttpResponse::Created().json(CreatedToken { token, secret }))
}

#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", tag = "me",
    summary = "Revoke a personal access token",
    description = "Deletes one of your personal access tokens; requests that send it are refused \
        from then on. Needs a signed-in browser session: a personal access token gets 403 \
        `session_required`.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Token id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_token(
    state: web::Data<AppState>,
    caller: SessionCaller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    if state.store.delete_api_token(caller.0.id(), *id).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found("access token"))
    }
}
