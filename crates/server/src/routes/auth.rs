//! Registration, sign-in, silent refresh and sign-out.

use actix_web::cookie::{time, Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use rapport_core::account::{
    InstanceInfo, LoginRequest, LoginResponse, RegisterRequest, User, SESSION_HINT_COOKIE,
};
use rapport_core::validate::normalize_email;
use rapport_core::Problem;
use rapport_storage::{
    NewSession, NewUser, RefreshOutcome, RegistrationGate, StoreError, UserRecord,
};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::jwt::TokenUse;
use crate::auth::{random_secret, sha256};
use crate::config::RegistrationMode;
use crate::error::ErrorCode;
use crate::error::{ApiError, ApiResult};
use crate::extract::{client_ip, ValidJson};
use crate::security::require_same_origin;

pub const REFRESH_COOKIE: &str = "rapport_refresh";
/// The refresh cookie is sent to the auth routes only.
pub const REFRESH_COOKIE_PATH: &str = "/api/v1/auth";

#[utoipa::path(get, path = "/api/v1/instance", tag = "auth",
    summary = "Get how this instance lets people in",
    description = "Returns the registration mode (`open`, `invite` or `closed`), whether no \
        account exists yet (the next registration then creates the admin) and the server version, \
        for the sign-in page. Public: no authentication needed.",
    responses((status = 200, body = InstanceInfo)))]
pub async fn instance(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let first_account = state.store.list_users(None, 1).await?.is_empty();
    Ok(HttpResponse::Ok().json(InstanceInfo {
        registration: state.config.registration,
        first_account,
        version: env!("CARGO_PKG_VERSION").to_owned(),
    }))
}

/// Refuses the most common and most guessable passwords (zxcvbn score < 2,
/// i.e. fewer than about a million guesses), also considering the person's
/// own email and name.
pub fn check_password_strength(field: &str, password: &str, personal: &[&str]) -> ApiResult<()> {
    let estimate = zxcvbn::zxcvbn(password, personal);
    if (estimate.score() as u8) < 2 {
        return Err(ApiError::invalid_field(
            field,
            "is one of the most common passwords or too easy to guess; a few unrelated words make a strong one",
        ));
    }
    Ok(())
}

fn email_taken(field: &str) -> ApiError {
    let mut error = ApiError::conflict(
        ErrorCode::EmailTaken,
        "An account with that email address already exists.",
    );
    error.errors = vec![rapport_core::FieldError {
        field: field.into(),
        message: "is already registered".into(),
    }];
    error
}

#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth",
    summary = "Create an account",
    description = "Creates an account from an email address, a password and a display name; it \
        does not sign in (call `POST /auth/login` next). Public: no authentication needed. The \
        first account on a new instance becomes its admin whatever the registration mode; after \
        that an `open` instance accepts anyone, an `invite` instance needs an unused, unexpired \
        `invite_code` (which this spends) and a `closed` one refuses (403). A very common or \
        easily guessed password is refused with 422.",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "The account was created", body = User),
        (status = 403, description = "Registration closed, or invite missing or invalid", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The email address is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Password hashing is saturated; see Retry-After", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn register(
    state: web::Data<AppState>,
    body: ValidJson<RegisterRequest>,
) -> ApiResult<HttpResponse> {
    let request = body.0;
    let email = normalize_email(&request.email);
    check_password_strength(
        "password",
        &request.password,
        &[&email, &request.display_name],
    )?;
    let gate = match state.config.registration {
        RegistrationMode::Open => RegistrationGate::Open,
        RegistrationMode::Closed => RegistrationGate::Closed,
        RegistrationMode::Invite => {
            RegistrationGate::Invite(request.invite_code.as_deref().map(|c| sha256(c.trim())))
        }
    };
    let slot = state.hasher.try_reserve().map_err(|_| ApiError::busy())?;
    let password_hash = slot
        .hash(&request.password)
        .await
        .map_err(ApiError::internal)?;
    drop(slot);
    let new = NewUser {
        email,
        display_name: request.display_name.trim().to_owned(),
        password_hash,
    };
    let user = state
        .store
        .register_user(new, gate)
        .await
        .map_err(|e| match e {
            StoreError::Duplicate => email_taken("email"),
            other => other.into(),
        })?;
    tracing::info!(user = %user.id, role = user.role.as_str(), "account registered");
    Ok(HttpResponse::Created().json(user.to_api()))
}

fn invalid_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        ErrorCode::InvalidCredentials,
        "The email address or the password is wrong.",
    )
}

fn refresh_cookie(value: String, max_age_secs: i64) -> Cookie<'static> {
    Cookie::build(REFRESH_COOKIE, value)
        .path(REFRESH_COOKIE_PATH)
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Strict)
        .max_age(time::Duration::seconds(max_age_secs))
        .finish()
}

/// Readable by the app (no secret in it): "this browser has a session
/// cookie", so that a visit without one does not ask for a refresh.
fn session_hint_cookie(max_age_secs: i64) -> Cookie<'static> {
    Cookie::build(SESSION_HINT_COOKIE, if max_age_secs > 0 { "1" } else { "" })
        .path("/")
        .secure(true)
        .same_site(SameSite::Strict)
        .max_age(time::Duration::seconds(max_age_secs))
        .finish()
}

fn removal_cookie() -> Cookie<'static> {
    refresh_cookie(String::new(), 0)
}

/// Clears both cookies of a session.
fn clear_session_cookies(response: &mut HttpResponse) {
    let _ = response.add_cookie(&removal_cookie());
    let _ = response.add_cookie(&session_hint_cookie(0));
}

/// Answers with a fresh access token and sets the refresh cookie.
fn signed_in(
    state: &AppState,
    user: &UserRecord,
    session: Uuid,
    refresh_secret: String,
) -> ApiResult<HttpResponse> {
    let access_ttl = state.config.access_ttl;
    let refresh_ttl = state.config.refresh_ttl;
    let access = state
        .jwt
        .sign(user.id, session, TokenUse::Access, access_ttl, None)
        .map_err(ApiError::internal)?;
    let refresh = state
        .jwt
        .sign(
            user.id,
            session,
            TokenUse::Refresh,
            refresh_ttl,
            Some(refresh_secret),
        )
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .cookie(refresh_cookie(refresh, refresh_ttl.as_secs() as i64))
        .cookie(session_hint_cookie(refresh_ttl.as_secs() as i64))
        .json(LoginResponse {
            access_token: access,
            token_type: "Bearer".to_owned(),
            expires_in: access_ttl.as_secs(),
            user: user.to_api(),
        }))
}

fn refresh_expiry(state: &AppState) -> chrono::DateTime<chrono::Utc> {
    rapport_storage::now()
        + chrono::Duration::from_std(state.config.refresh_ttl).unwrap_or(chrono::Duration::days(30))
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth",
    summary = "Sign in",
    description = "Checks an email address and password and opens a browser session: the answer \
        carries a short-lived access token, and the refresh token is set as an HttpOnly, \
        SameSite=Strict cookie for `/api/v1/auth`. Public: no authentication needed. A wrong \
        email address, a wrong password and a disabled account get the same 401; attempts are \
        rate-limited per email address and client address (429 with `Retry-After`).",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; the refresh token is set as an HttpOnly cookie", body = LoginResponse),
        (status = 401, description = "Wrong email or password (the same answer for both)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts; see Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Password hashing is saturated; see Retry-After", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: ValidJson<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let request = body.0;
    let email = normalize_email(&request.email);
    state
        .login_limiter
        .check(&email, client_ip(&req))
        .map_err(ApiError::too_many_requests)?;
    let slot = state.hasher.try_reserve().map_err(|_| ApiError::busy())?;
    let user = state.store.user_by_email(&email).await?;
    let stored = user
        .as_ref()
        .map_or(state.hasher.dummy_hash(), |u| u.password_hash.as_str());
    let verified = slot.verify(&request.password, stored).await;
    let user = match user {
        Some(user) if verified.matches && !user.disabled => user,
        _ => return Err(invalid_credentials()),
    };
    if verified.needs_upgrade {
        let upgraded = slot
            .hash(&request.password)
            .await
            .map_err(ApiError::internal)?;
        state.store.set_password_hash(user.id, &upgraded).await?;
        tracing::info!(user = %user.id, "password hash upgraded to current parameters");
    }
    drop(slot);
    let refresh_secret = random_secret();
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| ua.chars().take(300).collect());
    let session = state
        .store
        .create_session(NewSession {
            user_id: user.id,
            refresh_hash: sha256(&refresh_secret),
            expires_at: refresh_expiry(&state),
            user_agent,
        })
        .await?;
    tracing::info!(user = %user.id, %session, "signed in");
    signed_in(&state, &user, session, refresh_secret)
}

fn signed_out(error: ApiError) -> HttpResponse {
    let mut response = actix_web::ResponseError::error_response(&error);
    clear_session_cookies(&mut response);
    response
}

/// The refresh secret (the JWT's `jti`) from the cookie, if it is a valid
/// refresh token of this instance. Expiry is not waived: an expired cookie
/// names a session that has ended anyway.
fn presented_refresh(req: &HttpRequest, state: &AppState) -> Option<String> {
    let cookie = req.cookie(REFRESH_COOKIE)?;
    let claims = state.jwt.verify(cookie.value(), TokenUse::Refresh).ok()?;
    claims.jti
}

#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth",
    summary = "Refresh the access token",
    description = "Exchanges the refresh cookie for a new access token; no bearer token is \
        needed, and only same-origin requests from Rapport's own pages are accepted. The refresh \
        token rotates (the cookie is replaced), and presenting a spent one again revokes its \
        whole session. When the cookie is missing, invalid, expired or replayed the answer is 401 \
        and the session cookies are cleared.",
    responses(
        (status = 200, description = "A new access token; the cookie is replaced", body = LoginResponse),
        (status = 401, description = "No valid refresh cookie, or a replayed one", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A cross-site request", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn refresh(req: HttpRequest, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    require_same_origin(&req)?;
    let Some(secret) = presented_refresh(&req, &state) else {
        return Ok(signed_out(ApiError::unauthorized(
            "There is no valid session cookie. Sign in again.",
        )));
    };
    let replacement = random_secret();
    let outcome = state
        .store
        .rotate_refresh_token(
            &sha256(&secret),
            &sha256(&replacement),
            refresh_expiry(&state),
        )
        .await?;
    match outcome {
        RefreshOutcome::Rotated { session_id, user } => {
            signed_in(&state, &user, session_id, replacement)
        }
        RefreshOutcome::Replayed => {
            tracing::warn!("a spent refresh token was replayed; its session is revoked");
            Ok(signed_out(ApiError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::RefreshTokenReused,
                "This session was ended because an old sign-in token was used again. Sign in again.",
            )))
        }
        RefreshOutcome::Invalid => Ok(signed_out(ApiError::unauthorized(
            "This session has ended. Sign in again.",
        ))),
    }
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    summary = "Sign out",
    description = "Ends the browser session of the refresh cookie, and the session of the bearer \
        access token if one is sent, then clears the session cookies. Needs no authentication and \
        answers 204 even when there was no session to end; only same-origin requests are \
        accepted. Personal access tokens are not affected: revoke them with `DELETE \
        /me/tokens/{id}`.",
    responses(
        (status = 204, description = "Signed out"),
        (status = 403, description = "A cross-site request", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn logout(req: HttpRequest, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    require_same_origin(&req)?;
    if let Some(secret) = presented_refresh(&req, &state) {
        state
            .store
            .revoke_session_by_refresh(&sha256(&secret))
            .await?;
    }
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if let Some(claims) = bearer.and_then(|t| state.jwt.verify(t, TokenUse::Access).ok()) {
        state.store.revoke_session(claims.sub, claims.sid).await?;
    }
    let mut response = HttpResponse::NoContent().finish();
    clear_session_cookies(&mut response);
    Ok(response)
}
