//! Accounts, sessions, personal access tokens and invites: the API data of
//! the foundation, shared by the server and the browser app.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::validate::{self, FieldErrors, Validate};

/// What an account may do on the instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages users and invites; never sees other users' networks.
    Admin,
    User,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::User => "user",
        }
    }

    pub fn parse(value: &str) -> Option<Role> {
        match value {
            "admin" => Some(Role::Admin),
            "user" => Some(Role::User),
            _ => None,
        }
    }
}

/// An account as its owner (or an admin) sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    /// The IANA time zone the user's days follow ("today", due dates,
    /// overdue); null until set, and then UTC. The web app sets the
    /// browser's zone at the first sign-in.
    #[serde(default)]
    pub time_zone: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub email: String,
    /// 8 to 256 characters; very common passwords are refused.
    pub password: String,
    pub display_name: String,
    /// Required when the instance registers by invitation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite_code: Option<String>,
}

impl Validate for RegisterRequest {
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        errors.check("email", validate::email(&self.email));
        errors.check("password", validate::password(&self.password));
        errors.check(
            "display_name",
            validate::required_text(&self.display_name, validate::DISPLAY_NAME_MAX_CHARS),
        );
        if let Some(code) = &self.invite_code {
            errors.check("invite_code", validate::required_text(code, 100));
        }
        errors.into_result()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

impl Validate for LoginRequest {
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.email.trim().is_empty() {
            errors.add("email", "is required");
        }
        if self.password.is_empty() {
            errors.add("password", "is required");
        }
        if self.password.chars().count() > validate::PASSWORD_MAX_CHARS {
            errors.add("password", "is longer than any password Rapport accepts");
        }
        errors.into_result()
    }
}

/// The answer to a sign-in or a refresh. The refresh token travels in an
/// HttpOnly cookie, never in this body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    pub user: User,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateMeRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// An IANA time zone name such as `Europe/Berlin` (`UTC` for UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 64, example = "Pacific/Auckland")
    )]
    pub time_zone: Option<String>,
}

/// Longest IANA time zone name accepted.
pub const TIME_ZONE_MAX_CHARS: usize = 64;

impl Validate for UpdateMeRequest {
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if let Some(name) = &self.display_name {
            errors.check(
                "display_name",
                validate::required_text(name, validate::DISPLAY_NAME_MAX_CHARS),
            );
        }
        if let Some(email) = &self.email {
            errors.check("email", validate::email(email));
        }
        if let Some(zone) = &self.time_zone {
            let shaped = !zone.is_empty()
                && zone.len() <= TIME_ZONE_MAX_CHARS
                && zone
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c));
            if !shaped {
                errors.add(
                    "time_zone",
                    "must be an IANA time zone name such as Europe/Berlin",
                );
            }
        }
        errors.into_result()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

impl Validate for ChangePasswordRequest {
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.current_password.is_empty() {
            errors.add("current_password", "is required");
        }
        errors.check("new_password", validate::password(&self.new_password));
        errors.into_result()
    }
}

/// A signed-in browser session (one refresh-token family).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The browser that opened the session, as it described itself.
    pub user_agent: Option<String>,
    /// True for the session that made this request.
    pub current: bool,
}

/// What a personal access token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    /// GET requests only.
    Read,
    /// Reads and writes.
    Write,
}

impl TokenScope {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::Write => "write",
        }
    }

    pub fn parse(value: &str) -> Option<TokenScope> {
        match value {
            "read" => Some(TokenScope::Read),
            "write" => Some(TokenScope::Write),
            _ => None,
        }
    }
}

pub const TOKEN_MAX_DAYS: u32 = 3650;

/// A cookie the app can read, set beside the HttpOnly refresh cookie and
/// cleared with it: its presence says a session may be restored. It holds
/// no secret (`1`).
pub const SESSION_HINT_COOKIE: &str = "rapport_session";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateTokenRequest {
    pub name: String,
    pub scope: TokenScope,
    /// 1 to 3650; no value means the token never expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_days: Option<u32>,
}

impl Validate for CreateTokenRequest {
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        errors.check(
            "name",
            validate::required_text(&self.name, validate::TOKEN_NAME_MAX_CHARS),
        );
        if let Some(days) = self.expires_in_days {
            if !(1..=TOKEN_MAX_DAYS).contains(&days) {
                errors.add(
                    "expires_in_days",
                    format!("must be between 1 and {TOKEN_MAX_DAYS}, or left out for no expiry"),
                );
            }
        }
        errors.into_result()
    }
}

/// A personal access token as listed: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiToken {
    pub id: Uuid,
    pub name: String,
    pub scope: TokenScope,
    /// The first characters of the secret, to recognise it by.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A new personal access token: the secret is shown this once.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedToken {
    #[serde(flatten)]
    pub token: ApiToken,
    /// `rpt_…`; store it now, it cannot be shown again.
    pub secret: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AdminUserPatch {
    /// Disabling ends the user's sessions and tokens at once.
    pub disabled: bool,
}

impl Validate for AdminUserPatch {
    /// A boolean has nothing more to check.
    fn validate(&self) -> Result<(), FieldErrors> {
        Ok(())
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateInviteRequest {
    /// 1 to 90; the default is 14.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_days: Option<u32>,
}

impl Validate for CreateInviteRequest {
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if let Some(days) = self.expires_in_days {
            if !(1..=90).contains(&days) {
                errors.add("expires_in_days", "must be between 1 and 90");
            }
        }
        errors.into_result()
    }
}

/// An invite code as listed: the code itself is shown only when created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invite {
    pub id: Uuid,
    /// The first characters of the code, to recognise it by.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub used_by: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedInvite {
    #[serde(flatten)]
    pub invite: Invite,
    /// Give this to the person you invite; it cannot be shown again.
    pub code: String,
}

/// A page of a list, with the cursor of the next page when there is one.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_names_every_bad_field() {
        let request = RegisterRequest {
            email: "nope".into(),
            password: "short".into(),
            display_name: " ".into(),
            invite_code: None,
        };
        let fields: Vec<String> = request
            .validate()
            .unwrap_err()
            .into_vec()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["email", "password", "display_name"]);
    }

    #[test]
    fn token_expiry_is_bounded() {
        let mut request = CreateTokenRequest {
            name: "backup script".into(),
            scope: TokenScope::Read,
            expires_in_days: Some(0),
        };
        assert!(request.validate().is_err());
        request.expires_in_days = Some(30);
        assert!(request.validate().is_ok());
        request.expires_in_days = None;
        assert!(request.validate().is_ok());
    }

    #[test]
    fn scopes_and_roles_round_trip_through_their_names() {
        for scope in [TokenScope::Read, TokenScope::Write] {
            assert_eq!(TokenScope::parse(scope.as_str()), Some(scope));
        }
        for role in [Role::Admin, Role::User] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(TokenScope::parse("admin"), None);
    }
}
