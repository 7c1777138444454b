//! The store, written once for every [`crate::backend::SqlBackend`], one
//! module per aggregate: `accounts`, `sessions`, `contacts` (with the
//! owner's settings and the familiarity upkeep), `interactions`, `events`,
//! `introductions` and `nurture`; `network` holds the rows and derived
//! state that contacts and interactions share. This module holds the
//! account rows, the decoding helpers every row uses, and the instance-wide
//! part of [`crate::Store`] (ping, backup, change detection, leases).

use chrono::{DateTime, NaiveDate, Utc};
use rapport_core::account::{ApiToken, Invite, Role, Session, TokenScope};
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};
use uuid::Uuid;

use crate::backend::{Args, Conn, Db, Row, RowsAffected, SqlBackend};

use crate::UserRecord;

macro_rules! user_columns {
    () => {
        "id, email, display_name, password_hash, role, disabled, created_at, time_zone"
    };
}

macro_rules! token_columns {
    () => {
        "id, user_id, name, scope, prefix, created_at, expires_at, last_used_at"
    };
}

/// The version of the data of the user in the query's `users u` row (0 before
/// the first change), to read along with the account.
macro_rules! data_version_of_user {
    () => {
        "COALESCE((SELECT version FROM data_versions WHERE owner_id = u.id), 0) AS data_version"
    };
}

macro_rules! invite_columns {
    () => {
        "id, prefix, created_at, expires_at, used_at, used_by"
    };
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: Uuid,
    email: String,
    display_name: String,
    password_hash: String,
    role: String,
    disabled: bool,
    created_at: DateTime<Utc>,
    time_zone: Option<String>,
}

impl TryFrom<UserRow> for UserRecord {
    type Error = crate::StoreError;

    fn try_from(row: UserRow) -> crate::Result<Self> {
        Ok(UserRecord {
            id: row.id,
            email: row.email,
            display_name: row.display_name,
            password_hash: row.password_hash,
            role: parsed("users.role", &row.role, Role::parse)?,
            disabled: row.disabled,
            created_at: row.created_at,
            time_zone: row.time_zone,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AuthenticatedRow {
    #[sqlx(flatten)]
    user: UserRow,
    data_version: i64,
    expires_at: DateTime<Utc>,
}

impl TryFrom<AuthenticatedRow> for crate::Authenticated {
    type Error = crate::StoreError;

    fn try_from(row: AuthenticatedRow) -> crate::Result<Self> {
        Ok(crate::Authenticated {
            user: row.user.try_into()?,
            data_version: row.data_version,
            expires_at: Some(row.expires_at),
        })
    }
}

/// A personal access token with its (enabled) owner, read in one query.
#[derive(sqlx::FromRow)]
pub(crate) struct TokenUserRow {
    #[sqlx(flatten)]
    token: TokenRow,
    email: String,
    display_name: String,
    password_hash: String,
    role: String,
    user_created_at: DateTime<Utc>,
    time_zone: Option<String>,
    data_version: i64,
}

impl TokenUserRow {
    pub(crate) fn split(self) -> crate::Result<(TokenRow, crate::Authenticated)> {
        let user = UserRow {
            id: self.token.user_id,
            email: self.email,
            display_name: self.display_name,
            password_hash: self.password_hash,
            role: self.role,
            disabled: false,
            created_at: self.user_created_at,
            time_zone: self.time_zone,
        };
        let authenticated = crate::Authenticated {
            user: user.try_into()?,
            data_version: self.data_version,
            expires_at: self.token.expires_at,
        };
        Ok((self.token, authenticated))
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    id: Uuid,
    created_at: DateTime<Utc>,
    last_used_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    user_agent: Option<String>,
}

impl SessionRow {
    pub(crate) fn into_api(self, current: Option<Uuid>) -> Session {
        Session {
            current: Some(self.id) == current,
            id: self.id,
            created_at: self.created_at,
            last_used_at: self.last_used_at,
            expires_at: self.expires_at,
            user_agent: self.user_agent,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TokenRow {
    pub(crate) id: Uuid,
    pub(crate) user_id: Uuid,
    name: String,
    scope: String,
    prefix: String,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    pub(crate) last_used_at: Option<DateTime<Utc>>,
}

impl TryFrom<TokenRow> for ApiToken {
    type Error = crate::StoreError;

    fn try_from(row: TokenRow) -> crate::Result<Self> {
        Ok(ApiToken {
            id: row.id,
            name: row.name,
            scope: parsed("api_tokens.scope", &row.scope, TokenScope::parse)?,
            prefix: row.prefix,
            created_at: row.created_at,
            expires_at: row.expires_at,
            last_used_at: row.last_used_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct InviteRow {
    id: Uuid,
    prefix: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
    used_by: Option<Uuid>,
}

impl From<InviteRow> for Invite {
    fn from(row: InviteRow) -> Self {
        Invite {
            id: row.id,
            prefix: row.prefix,
            created_at: row.created_at,
            expires_at: row.expires_at,
            used_at: row.used_at,
            used_by: row.used_by,
        }
    }
}

/// A stored name of an enumeration value (a kind, a status, a role…).
pub(crate) fn parsed<T>(
    column: &'static str,
    text: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> crate::Result<T> {
    parse(text).ok_or_else(|| crate::StoreError::corrupt(column, text))
}

/// A stored JSON list of texts (emails, phones, web addresses, tags).
pub(crate) fn json_list(column: &'static str, text: &str) -> crate::Result<Vec<String>> {
    serde_json::from_str(text).map_err(|_| crate::StoreError::corrupt(column, text))
}

/// A stored number of days (a cadence).
pub(crate) fn days(column: &'static str, value: Option<i32>) -> crate::Result<Option<u16>> {
    value
        .map(|value| u16::try_from(value).map_err(|_| crate::StoreError::corrupt(column, value)))
        .transpose()
}

/// A stored comfort rating (1–5) or none.
pub(crate) fn comfort(value: Option<i32>) -> crate::Result<Option<u8>> {
    value.map(|value| small("comfort", value)).transpose()
}

/// A stored small count or score (0–255).
pub(crate) fn small(column: &'static str, value: i32) -> crate::Result<u8> {
    u8::try_from(value).map_err(|_| crate::StoreError::corrupt(column, value))
}

/// A token's last-used time is written at most this often.
pub(crate) const TOKEN_TOUCH_INTERVAL_SECS: i64 = 60;

/// Implements [`crate::Store`] for a backend type that has `reader()`,
/// `begin_write()`, `serialize_registrations(&mut tx)`, `backup(path)` and
/// the constant `BACKEND`.
#[async_trait::async_trait]
impl<B> crate::Store for B
where
    B: SqlBackend,
    for<'c> &'c mut Conn<B>: Executor<'c, Database = Db<B>>,
    for<'q> Args<'q, B>: IntoArguments<'q, Db<B>>,
    for<'r> &'r str: ColumnIndex<Row<B>>,
    usize: ColumnIndex<Row<B>>,
    for<'q, 'r> Uuid: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q, 'r> String: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q> &'q str: Encode<'q, Db<B>> + Type<Db<B>>,
    for<'q, 'r> i64: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q, 'r> i32: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q, 'r> bool: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q, 'r> DateTime<Utc>: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q, 'r> NaiveDate: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q> &'q [u8]: Encode<'q, Db<B>> + Type<Db<B>>,
    for<'q, 'r> Vec<u8>: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q> Option<Uuid>: Encode<'q, Db<B>>,
    for<'q> Option<String>: Encode<'q, Db<B>>,
    for<'q> Option<&'q str>: Encode<'q, Db<B>>,
    for<'q> Option<i64>: Encode<'q, Db<B>>,
    for<'q> Option<i32>: Encode<'q, Db<B>>,
    for<'q> Option<DateTime<Utc>>: Encode<'q, Db<B>>,
    for<'q> Option<NaiveDate>: Encode<'q, Db<B>>,
{
    fn backend(&self) -> crate::Backend {
        B::BACKEND
    }

    async fn ping(&self) -> crate::Result<()> {
        sqlx::query("SELECT 1").execute(self.reader()).await?;
        Ok(())
    }

    async fn backup_to(&self, path: &str) -> crate::Result<()> {
        self.backup(path).await
    }

    async fn changes(&self) -> crate::Result<Option<Box<dyn crate::ChangeFeed>>> {
        self.change_feed().await
    }

    async fn change_stamp(&self) -> Option<crate::ChangeStamp> {
        self.stamp().await
    }

    async fn take_lease(
        &self,
        name: &str,
        holder: Uuid,
        now: DateTime<Utc>,
        ttl_secs: i64,
    ) -> crate::Result<bool> {
        let mut tx = self.begin_write().await?;
        let taken = sqlx::query(
            "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET holder = $2, expires_at = $3
             WHERE leases.holder = $2 OR leases.expires_at <= $4",
        )
        .bind(name)
        .bind(holder)
        .bind(now.timestamp() + ttl_secs)
        .bind(now.timestamp())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(taken == 1)
    }
}

pub(crate) mod accounts;
pub(crate) mod audit;
pub(crate) mod contacts;
pub(crate) mod events;
pub(crate) mod export;
pub(crate) mod imports;
pub(crate) mod interactions;
pub(crate) mod intro_requests;
pub(crate) mod introductions;
pub(crate) mod merge;
pub(crate) mod network;
pub(crate) mod nurture;
pub(crate) mod sessions;
pub(crate) mod sharing;
pub(crate) mod teams;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StoreError;

    #[test]
    fn a_stored_value_no_rapport_value_reads_from_is_an_error_not_a_default() {
        let corrupt = |result: crate::Result<_>| match result {
            Err(StoreError::Corrupt { column, value }) => Some((column, value)),
            _ => None,
        };
        assert_eq!(
            corrupt(parsed("users.role", "owner", Role::parse).map(|_| ())),
            Some(("users.role", "owner".to_owned()))
        );
        assert!(corrupt(json_list("contacts.emails", "a@example.org").map(|_| ())).is_some());
        assert!(corrupt(small("contacts.familiarity", 300).map(|_| ())).is_some());
        assert!(corrupt(comfort(Some(-1)).map(|_| ())).is_some());
        assert!(corrupt(days("contacts.cadence_days", Some(70_000)).map(|_| ())).is_some());
        assert_eq!(
            parsed("users.role", "admin", Role::parse).unwrap(),
            Role::Admin
        );
        assert_eq!(comfort(Some(4)).unwrap(), Some(4));
        assert_eq!(json_list("contacts.tags", "[\"a\"]").unwrap(), vec!["a"]);
    }
}
