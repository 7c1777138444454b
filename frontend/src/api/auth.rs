//! The instance and the session: who may register, signing up, in and out.

use rapport_core::account::{LoginRequest, LoginResponse, RegisterRequest, User};

use super::{decode, expect_empty, send, send_json, with_bearer, ApiResult, InstanceInfo};

/// What this Rapport is: its version and who may register.
pub async fn instance() -> ApiResult<InstanceInfo> {
    decode(send(super::get("/instance")).await?).await
}

/// Creates an account (201 with the new user).
pub async fn register(request: &RegisterRequest) -> ApiResult<User> {
    decode(send_json(super::post("/auth/register"), request).await?).await
}

/// Signs in; the server also sets the HttpOnly refresh cookie.
pub async fn login(request: &LoginRequest) -> ApiResult<LoginResponse> {
    decode(send_json(super::post("/auth/login"), request).await?).await
}

/// Exchanges the refresh cookie (sent by the browser, unreadable here) for
/// a new access token.
pub async fn refresh() -> ApiResult<LoginResponse> {
    decode(send(super::post("/auth/refresh")).await?).await
}

/// Ends the session of the refresh cookie and of the access token.
pub async fn logout(access_token: &str) -> ApiResult<()> {
    let response = send(with_bearer(super::post("/auth/logout"), access_token)).await?;
    expect_empty(response).await
}
