//! Accounts, sessions, personal access tokens and invites: the API data of
//! the foundation, shared by the server and the browser app.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::validate::{self, FieldErrors, Validate};

/// What an account may do on the instance: `admin` manages users and
/// invites (and never sees anyone's network); `user` is everyone else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages users and invites; never sees other users' networks.
    Admin,
    /// An ordinary account.
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
    /// The account's id (a UUID).
    pub id: Uuid,
    /// The email address the account signs in with, trimmed and in lower
    /// case.
    #[cfg_attr(feature = "openapi", schema(example = "ada@example.com"))]
    pub email: String,
    /// The name shown in the app and used to sign invitation drafts (1 to
    /// 100 characters).
    #[cfg_attr(feature = "openapi", schema(example = "Ada Lovelace"))]
    pub display_name: String,
    /// `admin` (the first account on an instance) or `user`.
    pub role: Role,
    /// True when an admin has disabled the account: it cannot sign in and
    /// its sessions and tokens no longer work.
    pub disabled: bool,
    /// When the account was created (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// The IANA time zone the user's days follow ("today", due dates,
    /// overdue); null until set, and then UTC. The web app sets the
    /// browser's zone at the first sign-in.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = "Europe/Berlin"))]
    pub time_zone: Option<String>,
}

/// `POST /auth/register`: a new account. Unknown fields are refused.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// The email address to sign in with: a local part, `@` and a domain
    /// with a dot inside it (not at either end), no spaces or control
    /// characters, at most 254 characters. It is stored trimmed and in
    /// lower case. (The server also trims surrounding whitespace before
    /// checking; this document asks for none.)
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 254,
            pattern = r"^[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+@[^@.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\.[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^@.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$",
            example = "ada@example.com"
        )
    )]
    pub email: String,
    /// 8 to 256 characters (Unicode characters, not bytes); no composition
    /// rules. A very common or easily guessed password (one that resembles
    /// the email address or display name, say) is refused with 422.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 8,
            max_length = 256,
            example = "plum tractor umbrella quietly"
        )
    )]
    pub password: String,
    /// The name shown in the app: 1 to 100 characters once surrounding
    /// whitespace is trimmed, on one line, without control characters. Only
    /// whitespace is refused.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,98}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$",
            example = "Ada Lovelace"
        )
    )]
    pub display_name: String,
    /// The invite code an admin gave you; required when the instance
    /// registers by invitation, ignored otherwise. When sent: 1 to 100
    /// characters once trimmed, on one line, without control characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,98}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
        )
    )]
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

/// `POST /auth/login`: sign in with email address and password. Unknown
/// fields are refused.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The account's email address (case and surrounding spaces do not
    /// matter). Anything but an empty or all-whitespace string is looked
    /// up; a wrong address gets the same 401 as a wrong password.
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"[^\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]",
            example = "ada@example.com"
        )
    )]
    pub email: String,
    /// The password: 1 to 256 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 256,
            example = "plum tractor umbrella quietly"
        )
    )]
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
    /// A short-lived access token (a JWT) to send as
    /// `Authorization: Bearer <token>`; keep it in memory only.
    pub access_token: String,
    /// Always `Bearer`.
    #[cfg_attr(feature = "openapi", schema(example = "Bearer"))]
    pub token_type: String,
    /// Seconds until the access token expires; refresh before then.
    #[cfg_attr(feature = "openapi", schema(example = 900))]
    pub expires_in: u64,
    /// The account that signed in.
    pub user: User,
}

/// `PATCH /me`: changes to my account. A field left out (or `null`) stays
/// as it is. Unknown fields are refused.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateMeRequest {
    /// A new display name: 1 to 100 characters once surrounding whitespace
    /// is trimmed, on one line, without control characters. Only whitespace
    /// is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,98}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$",
            example = "Ada King"
        )
    )]
    pub display_name: Option<String>,
    /// A new email address to sign in with: a local part, `@` and a domain
    /// with a dot inside it (not at either end), no spaces or control
    /// characters, at most 254 characters; stored in lower case. One that
    /// another account uses is a 409.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 254,
            pattern = r"^[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+@[^@.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\.[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^@.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$",
            example = "ada.king@example.com"
        )
    )]
    pub email: Option<String>,
    /// An IANA time zone name such as `Europe/Berlin` (`UTC` for UTC): 1 to
    /// 64 ASCII letters, digits and `/ _ + -`, and a zone this server knows
    /// (an unknown name is a 422). It decides what "today", due and overdue
    /// mean for you.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 64,
            pattern = r"^[A-Za-z0-9/_+-]{1,64}$",
            example = "Pacific/Auckland"
        )
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

/// `POST /me/password`: replace my password. Unknown fields are refused.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    /// The password in use now; must not be empty. A wrong one is a 422
    /// naming this field.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, example = "plum tractor umbrella quietly")
    )]
    pub current_password: String,
    /// The new password: 8 to 256 characters (Unicode characters, not
    /// bytes); no composition rules. A very common or easily guessed
    /// password is refused with 422.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 8,
            max_length = 256,
            example = "lantern orbit velvet gravel"
        )
    )]
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
    /// The session's id, to sign it out with `DELETE /me/sessions/{id}`.
    pub id: Uuid,
    /// When the browser signed in (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// When the session last refreshed its access token (RFC 3339, UTC).
    pub last_used_at: DateTime<Utc>,
    /// When the session ends unless it is used again (RFC 3339, UTC).
    pub expires_at: DateTime<Utc>,
    /// The browser that opened the session, as it described itself
    /// (its `User-Agent`); null when it sent none.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
    )]
    pub user_agent: Option<String>,
    /// True for the session that made this request.
    pub current: bool,
}

/// What a personal access token may do: `read` (GET requests only) or
/// `write` (reads and writes).
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

/// Who may create an account on an instance (the very first account
/// always may): `RAPPORT_REGISTRATION`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RegistrationMode {
    /// Anyone may register.
    Open,
    /// Only with an invite code issued by an admin.
    Invite,
    /// Nobody may register (admins create accounts).
    Closed,
}

impl RegistrationMode {
    pub const ALL: [RegistrationMode; 3] = [Self::Open, Self::Invite, Self::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Invite => "invite",
            Self::Closed => "closed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == value)
    }
}

/// `GET /api/v1/instance`: how an instance lets people in, for the sign-in
/// and registration pages, before anyone is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstanceInfo {
    /// Who may register.
    pub registration: RegistrationMode,
    /// No account exists yet: the next registration creates the admin.
    pub first_account: bool,
    /// The server's version.
    #[cfg_attr(feature = "openapi", schema(example = "0.1.0"))]
    pub version: String,
}

impl InstanceInfo {
    /// Whether the registration form needs an invite code.
    pub fn needs_invite(&self) -> bool {
        self.registration == RegistrationMode::Invite && !self.first_account
    }

    /// Whether a visitor may create an account at all.
    pub fn can_register(&self) -> bool {
        self.first_account || self.registration != RegistrationMode::Closed
    }
}

/// A cookie the app can read, set beside the HttpOnly refresh cookie and
/// cleared with it: its presence says a session may be restored. It holds
/// no secret (`1`).
pub const SESSION_HINT_COOKIE: &str = "rapport_session";

/// `POST /me/tokens`: a new personal access token. Unknown fields are
/// refused.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateTokenRequest {
    /// A name to recognise the token by: 1 to 100 characters once
    /// surrounding whitespace is trimmed, on one line, without control
    /// characters. Only whitespace is refused.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,98}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$",
            example = "backup script"
        )
    )]
    pub name: String,
    /// `read` (GET requests only) or `write` (reads and writes).
    pub scope: TokenScope,
    /// Days until the token expires, 1 to 3650; left out or null, the
    /// token never expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3650, example = 90))]
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
    /// The token's id, to revoke it with `DELETE /me/tokens/{id}`.
    pub id: Uuid,
    /// The name given when it was created.
    #[cfg_attr(feature = "openapi", schema(example = "backup script"))]
    pub name: String,
    /// `read` (GET requests only) or `write` (reads and writes).
    pub scope: TokenScope,
    /// The first characters of the secret, to recognise it by.
    #[cfg_attr(feature = "openapi", schema(example = "rpt_x7Kq2m"))]
    pub prefix: String,
    /// When the token was created (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// When the token stops working (RFC 3339, UTC); null: never.
    pub expires_at: Option<DateTime<Utc>>,
    /// When the token was last used (RFC 3339, UTC); null: never used.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A new personal access token: the listed fields plus the secret, shown
/// this once.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedToken {
    /// The token as it will be listed.
    #[serde(flatten)]
    pub token: ApiToken,
    /// The secret, `rpt_…`: send it as `Authorization: Bearer <secret>`.
    /// Store it now; it is kept only hashed and cannot be shown again.
    pub secret: String,
}

/// `PATCH /admin/users/{id}`: an admin's change to an account. Unknown
/// fields are refused.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AdminUserPatch {
    /// True disables the account and ends its sessions and tokens at once;
    /// false enables it again. Admins cannot disable themselves (409).
    pub disabled: bool,
}

impl Validate for AdminUserPatch {
    /// A boolean has nothing more to check.
    fn validate(&self) -> Result<(), FieldErrors> {
        Ok(())
    }
}

/// `POST /admin/invites`: a new invite code. Unknown fields are refused.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateInviteRequest {
    /// Days until the code expires, 1 to 90; left out or null: 14.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 90, example = 14))]
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
    /// The invite's id.
    pub id: Uuid,
    /// The first characters of the code, to recognise it by.
    pub prefix: String,
    /// When the code was created (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// When the code stops working if unused (RFC 3339, UTC).
    pub expires_at: DateTime<Utc>,
    /// When someone registered with it (RFC 3339, UTC); null: unused.
    pub used_at: Option<DateTime<Utc>>,
    /// The id of the account registered with it; null: unused.
    pub used_by: Option<Uuid>,
}

/// A new invite code: the listed fields plus the code, shown this once.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedInvite {
    /// The invite as it will be listed.
    #[serde(flatten)]
    pub invite: Invite,
    /// The code to give the person you invite (they send it as
    /// `invite_code` when registering); it is kept only hashed and cannot
    /// be shown again.
    pub code: String,
}

/// A page of a list, with the cursor of the next page when there is one.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    /// The items of this page, in the list's order.
    pub items: Vec<T>,
    /// An opaque cursor: send it as `cursor` to get the next page (the
    /// `Link: rel="next"` header says the same); null on the last page.
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
