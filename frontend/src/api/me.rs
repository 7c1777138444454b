//! The signed-in account, `/me`: profile, password, sessions, access
//! tokens and network settings.

use rapport_core::account::{
    ApiToken, ChangePasswordRequest, CreateTokenRequest, CreatedToken, Session, UpdateMeRequest,
    User,
};
use rapport_core::export::CalendarFeed;
use rapport_core::network::Settings;
use uuid::Uuid;

use super::{all_pages, ApiResult};

/// Changes my name, email or time zone.
pub async fn update(request: &UpdateMeRequest) -> ApiResult<User> {
    super::update("/me", request, None).await
}

/// Changes my password (other sessions end).
pub async fn change_password(request: &ChangePasswordRequest) -> ApiResult<()> {
    super::post_only("/me/password", request).await
}

/// Every browser where I am signed in.
pub async fn sessions() -> ApiResult<Vec<Session>> {
    all_pages("/me/sessions", 200).await
}

/// Signs one of my other sessions out.
pub async fn revoke_session(id: Uuid) -> ApiResult<()> {
    super::remove(&format!("/me/sessions/{id}"), None).await
}

/// Every personal access token of mine (without secrets).
pub async fn tokens() -> ApiResult<Vec<ApiToken>> {
    all_pages("/me/tokens", 200).await
}

/// A new token, with its secret (shown this once).
pub async fn create_token(request: &CreateTokenRequest) -> ApiResult<CreatedToken> {
    super::create("/me/tokens", request).await
}

pub async fn revoke_token(id: Uuid) -> ApiResult<()> {
    super::remove(&format!("/me/tokens/{id}"), None).await
}

/// My network settings (connection policy, thresholds, cadence).
pub async fn settings() -> ApiResult<Settings> {
    super::fetch("/me/settings").await
}

pub async fn replace_settings(settings: &Settings) -> ApiResult<Settings> {
    super::replace("/me/settings", settings).await
}

/// A secret calendar feed address (a new one each time: the old one stops
/// working). The address is in this answer only.
pub async fn create_calendar_feed() -> ApiResult<CalendarFeed> {
    super::act("/me/calendar-feed").await
}

/// Stops my calendar feed (404 when there is none).
pub async fn revoke_calendar_feed() -> ApiResult<()> {
    super::remove("/me/calendar-feed", None).await
}
