//! Administration, `/admin`: accounts and invite codes (admins only).

use rapport_core::account::{AdminUserPatch, CreateInviteRequest, CreatedInvite, Invite, User};
use uuid::Uuid;

use super::{all_pages, ApiResult};

/// Every account on this Rapport.
pub async fn users() -> ApiResult<Vec<User>> {
    all_pages("/admin/users", 200).await
}

/// Disables or enables an account.
pub async fn update_user(id: Uuid, patch: &AdminUserPatch) -> ApiResult<User> {
    super::update(&format!("/admin/users/{id}"), patch, None).await
}

/// Every invite code (without the codes themselves).
pub async fn invites() -> ApiResult<Vec<Invite>> {
    all_pages("/admin/invites", 200).await
}

/// A new invite code (shown this once).
pub async fn create_invite(request: &CreateInviteRequest) -> ApiResult<CreatedInvite> {
    super::create("/admin/invites", request).await
}
