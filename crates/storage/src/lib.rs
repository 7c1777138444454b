//! Rapport's storage: one [`Store`] trait, implemented for SQLite (the
//! embedded default) and PostgreSQL (team instances). The server depends on
//! the trait only; the backend is chosen from the database URL's scheme.
//!
//! Every method that touches a user's data takes the owner's id, so a query
//! can never reach another user's rows: someone else's object and a missing
//! one are the same `None` / [`StoreError::NotFound`].

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_core::account::{ApiToken, Invite, Role, Session, TokenScope, User};
use uuid::Uuid;

pub mod audit;
pub mod backend;
pub mod changes;
#[cfg(feature = "conformance")]
pub mod conformance;
pub mod cursor;
pub mod events;
pub mod export;
pub mod imports;
pub mod intro_requests;
pub mod introductions;
pub mod merge;
pub mod network;
pub mod nurture;
pub mod postgres;
pub mod sharing;
mod sql;
pub mod sqlite;
pub mod teams;

pub use audit::{AuditRecord, AuditStore};
pub use changes::{Change, ChangeFeed, ChangeStamp};
pub use cursor::Cursor;
pub use events::{CardDropOutcome, DroppedCard, EventQuery, EventRecord, EventStore};
pub use export::{CalendarFeedStore, ExportStore, ExportedContactRecord};
pub use imports::{ImportRecord, ImportStore};
pub use intro_requests::{IntroRequestRecord, IntroRequestStore, RequestPerson};
pub use introductions::{IntroductionOrder, IntroductionQuery, IntroductionStore};
pub use merge::{ContactMerge, DuplicateCandidate, MergeStore};
pub use network::{
    ContactQuery, ContactRecord, ContactSort, ContactStore, InteractionQuery, InteractionStore,
    SortKey,
};
pub use nurture::NurtureStore;
pub use sharing::{ReachHit, ReachQuery, SharingStore};
pub use teams::{JoinCodeRecord, JoinOutcome, MemberRecord, NewJoinCode, TeamRecord, TeamStore};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("a unique value (such as an email address) is already taken")]
    Duplicate,
    /// The object changed since the version the writer read (HTTP 412).
    #[error("the object has changed since it was read")]
    Stale,
    /// A field names an object that does not exist for this owner.
    #[error("{field} names nothing of yours")]
    InvalidReference { field: String },
    /// The connection flow does not allow this step.
    #[error("cannot go from {from:?} to the requested status")]
    Transition {
        from: rapport_core::contact::ConnectionStatus,
        allowed: &'static [rapport_core::contact::ConnectionStatus],
    },
    /// The object is not in a state that allows this (HTTP 409).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// A team member's role does not allow this, or it would leave the
    /// team without its owner.
    #[error("refused by the team: {0:?}")]
    Team(rapport_core::team::TeamRefusal),
    #[error("registration refused: {0:?}")]
    Registration(RegistrationRefusal),
    #[error("not supported: {0}")]
    Unsupported(&'static str),
    #[error("the database URL is not usable: {0}")]
    BadUrl(String),
    /// A stored value that the schema should have kept out (a row written
    /// by hand or by a newer version): reported, never read as a default.
    #[error("the database holds an unreadable value in {column}: {value:?}")]
    Corrupt { column: &'static str, value: String },
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Database(sqlx::Error),
}

impl StoreError {
    /// A stored value of `column` that no Rapport value reads back from.
    pub(crate) fn corrupt(column: &'static str, value: impl std::fmt::Display) -> Self {
        StoreError::Corrupt {
            column,
            value: value.to_string(),
        }
    }

    /// The store was closed (the server is stopping).
    pub fn is_closed(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::PoolClosed))
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.kind() == sqlx::error::ErrorKind::UniqueViolation => {
                StoreError::Duplicate
            }
            _ => StoreError::Database(error),
        }
    }
}

/// Why a registration was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationRefusal {
    /// The instance accepts no new accounts.
    Closed,
    /// The instance registers by invitation and no code was given.
    InviteRequired,
    /// The code is unknown, used or expired.
    InviteInvalid,
}

/// Who may register, as configured; the very first account always may.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistrationGate {
    Open,
    /// Invite-only, with the SHA-256 of the code the person gave, if any.
    Invite(Option<Vec<u8>>),
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A stored account, with what only the server may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    /// The IANA time zone the user's days follow; `None`: UTC.
    pub time_zone: Option<String>,
}

/// An account that proved who it is, with the version of its data (see
/// `data_version`) read in the same round trip: an answer remembered under
/// that version can be served without asking the database again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    pub user: UserRecord,
    pub data_version: i64,
    /// When the session or token ends by itself, if it does.
    pub expires_at: Option<DateTime<Utc>>,
}

impl UserRecord {
    pub fn to_api(&self) -> User {
        User {
            id: self.id,
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            disabled: self.disabled,
            created_at: self.created_at,
            time_zone: self.time_zone.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub user_id: Uuid,
    pub refresh_hash: Vec<u8>,
    pub expires_at: DateTime<Utc>,
    pub user_agent: Option<String>,
}

/// What presenting a refresh token led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// The token was current: it is now spent and the new one replaces it.
    Rotated { session_id: Uuid, user: UserRecord },
    /// The token had already been spent: the whole session is now revoked.
    Replayed,
    /// Unknown token, ended session or disabled account.
    Invalid,
}

#[derive(Debug, Clone)]
pub struct NewApiToken {
    pub user_id: Uuid,
    pub name: String,
    pub scope: TokenScope,
    pub prefix: String,
    pub token_hash: Vec<u8>,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct NewInvite {
    pub created_by: Uuid,
    pub code_hash: Vec<u8>,
    pub prefix: String,
    pub expires_at: DateTime<Utc>,
}

/// Everything Rapport stores, on one database: each aggregate's own trait,
/// and what concerns the instance as a whole.
#[async_trait]
pub trait Store:
    AccountStore
    + SessionStore
    + ContactStore
    + InteractionStore
    + EventStore
    + IntroductionStore
    + NurtureStore
    + ImportStore
    + ExportStore
    + CalendarFeedStore
    + MergeStore
    + TeamStore
    + SharingStore
    + IntroRequestStore
    + AuditStore
    + Send
    + Sync
    + 'static
{
    fn backend(&self) -> Backend;

    /// Is the database reachable?
    async fn ping(&self) -> Result<()>;

    /// A consistent copy of the database at `path`, taken online (SQLite).
    async fn backup_to(&self, path: &str) -> Result<()>;

    /// Hears, as they commit, the changes any process makes to accounts,
    /// sessions and users' data (PostgreSQL: LISTEN/NOTIFY). `None` where
    /// the backend has no such feed (SQLite): ask the database each time.
    async fn changes(&self) -> Result<Option<Box<dyn ChangeFeed>>>;

    /// Where there is no feed (SQLite): a stamp that any commit, by any
    /// process, changes; cheap enough to read on every request. `None`:
    /// none can be read now.
    async fn change_stamp(&self) -> Option<ChangeStamp>;

    /// Takes the lease `name` for `holder` until `ttl_secs` after `now`, or
    /// renews it; false while another holder's lease is unexpired. Lets one
    /// replica of several do a background job.
    async fn take_lease(
        &self,
        name: &str,
        holder: Uuid,
        now: DateTime<Utc>,
        ttl_secs: i64,
    ) -> Result<bool>;
}

/// Accounts and the invitations that let people register.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Creates an account in one transaction: the first account becomes the
    /// admin whatever the gate; later ones pass the gate (claiming the invite).
    async fn register_user(&self, new: NewUser, gate: RegistrationGate) -> Result<UserRecord>;

    /// Creates an account with the given role, bypassing the gate (admin CLI).
    async fn create_user_with_role(&self, new: NewUser, role: Role) -> Result<UserRecord>;

    async fn user_by_id(&self, id: Uuid) -> Result<Option<UserRecord>>;

    /// Looks up a normalised (lower-case, trimmed) email address.
    async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>>;

    async fn update_profile(
        &self,
        user_id: Uuid,
        display_name: Option<String>,
        email: Option<String>,
        time_zone: Option<String>,
    ) -> Result<UserRecord>;

    /// Replaces the password hash (e.g. an upgrade of its parameters).
    async fn set_password_hash(&self, user_id: Uuid, hash: &str) -> Result<()>;

    /// Sets a new password and revokes every session but `keep_session`.
    async fn change_password(
        &self,
        user_id: Uuid,
        hash: &str,
        keep_session: Option<Uuid>,
    ) -> Result<()>;

    /// Users in creation order, after the cursor.
    async fn list_users(&self, after: Option<&Cursor>, limit: u32) -> Result<Vec<UserRecord>>;

    /// Disabling also revokes every session and deletes every token, at once.
    async fn set_user_disabled(&self, user_id: Uuid, disabled: bool) -> Result<UserRecord>;

    async fn create_invite(&self, new: NewInvite) -> Result<Invite>;

    async fn list_invites(&self, after: Option<&Cursor>, limit: u32) -> Result<Vec<Invite>>;
}

/// Browser sessions (with their rotating refresh tokens) and personal
/// access tokens.
#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn create_session(&self, new: NewSession) -> Result<Uuid>;

    /// The account behind an access token's session, if that session is
    /// live and the account enabled.
    async fn session_user(&self, session_id: Uuid, user_id: Uuid) -> Result<Option<Authenticated>>;

    /// Spends `presented` and records `replacement` in its place.
    async fn rotate_refresh_token(
        &self,
        presented: &[u8],
        replacement: &[u8],
        expires_at: DateTime<Utc>,
    ) -> Result<RefreshOutcome>;

    /// Revokes the session a refresh token belongs to; returns its owner.
    async fn revoke_session_by_refresh(&self, presented: &[u8]) -> Result<Option<Uuid>>;

    async fn revoke_session(&self, user_id: Uuid, session_id: Uuid) -> Result<bool>;

    /// Live sessions, newest first.
    async fn list_sessions(&self, user_id: Uuid, current: Option<Uuid>) -> Result<Vec<Session>>;

    async fn create_api_token(&self, new: NewApiToken) -> Result<ApiToken>;

    async fn list_api_tokens(&self, user_id: Uuid) -> Result<Vec<ApiToken>>;

    async fn delete_api_token(&self, user_id: Uuid, token_id: Uuid) -> Result<bool>;

    async fn count_api_tokens(&self, user_id: Uuid) -> Result<i64>;

    /// The unexpired token with this hash and its enabled owner; records
    /// the use (at most once a minute, to spare the database).
    async fn authenticate_api_token(
        &self,
        hash: &[u8],
    ) -> Result<Option<(ApiToken, Authenticated)>>;
}

/// Opens the store named by `url` (`sqlite://…` or `postgres://…`) and
/// applies its migrations.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(sqlite::SqliteStore::connect(url).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(postgres::PgStore::connect(url).await?))
    } else {
        Err(StoreError::BadUrl(
            "use a sqlite:// or postgres:// URL".to_owned(),
        ))
    }
}

/// The current time at the precision both backends keep (microseconds), so
/// that what is written reads back equal.
pub fn now() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}

/// A new id for a row of the network (a contact, an interaction, an event,
/// an introduction, a line of a contact's history): time-ordered (UUID v7), so that rows written together sit
/// side by side in the primary-key index instead of each landing on a
/// random page of it. (Ids that must not tell when they were made, such
/// as sessions', stay random.)
pub fn new_row_id() -> Uuid {
    Uuid::now_v7()
}
