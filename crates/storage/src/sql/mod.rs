//! The SQL both backends share. The statements are portable (`$N`
//! placeholders, `RETURNING`, row-value comparisons) and the column types
//! are native to each backend, so one body is compiled once per backend by
//! [`impl_store!`]; each backend supplies its pools, how it opens a write
//! transaction, and its few backend-specific operations.

use chrono::{DateTime, NaiveDate, Utc};
use rapport_core::account::{ApiToken, Invite, Role, Session, TokenScope};
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};
use uuid::Uuid;

use crate::backend::{Args, Conn, Db, Row, RowsAffected, Sql, SqlBackend};

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

    async fn register_user(
        &self,
        new: crate::NewUser,
        gate: crate::RegistrationGate,
    ) -> crate::Result<crate::UserRecord> {
        use crate::{RegistrationGate, RegistrationRefusal, StoreError};
        let mut tx = self.begin_write().await?;
        self.serialize_registrations(&mut tx).await?;
        let now = crate::now();
        let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&mut *tx)
            .await?;
        let mut invite = None;
        if existing > 0 {
            match gate {
                RegistrationGate::Open => {}
                RegistrationGate::Closed => {
                    return Err(StoreError::Registration(RegistrationRefusal::Closed))
                }
                RegistrationGate::Invite(None) => {
                    return Err(StoreError::Registration(
                        RegistrationRefusal::InviteRequired,
                    ))
                }
                RegistrationGate::Invite(Some(code_hash)) => {
                    let id: Option<Uuid> = sqlx::query_scalar(
                        "SELECT id FROM invites
                         WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2",
                    )
                    .bind(&code_hash)
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await?;
                    match id {
                        Some(id) => invite = Some(id),
                        None => {
                            return Err(StoreError::Registration(
                                RegistrationRefusal::InviteInvalid,
                            ))
                        }
                    }
                }
            }
        }
        let role = if existing == 0 {
            rapport_core::account::Role::Admin
        } else {
            rapport_core::account::Role::User
        };
        let user = Sql::<B>::insert_user(&mut tx, new, role, now).await?;
        if let Some(invite_id) = invite {
            sqlx::query("UPDATE invites SET used_at = $1, used_by = $2 WHERE id = $3")
                .bind(now)
                .bind(user.id)
                .bind(invite_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(user)
    }

    async fn create_user_with_role(
        &self,
        new: crate::NewUser,
        role: rapport_core::account::Role,
    ) -> crate::Result<crate::UserRecord> {
        let mut tx = self.begin_write().await?;
        let user = Sql::<B>::insert_user(&mut tx, new, role, crate::now()).await?;
        tx.commit().await?;
        Ok(user)
    }

    async fn user_by_id(&self, id: Uuid) -> crate::Result<Option<crate::UserRecord>> {
        let row: Option<UserRow> = sqlx::query_as(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.reader())
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn user_by_email(&self, email: &str) -> crate::Result<Option<crate::UserRecord>> {
        let row: Option<UserRow> = sqlx::query_as(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE email = $1"
        ))
        .bind(email)
        .fetch_optional(self.reader())
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn update_profile(
        &self,
        user_id: Uuid,
        display_name: Option<String>,
        email: Option<String>,
        time_zone: Option<String>,
    ) -> crate::Result<crate::UserRecord> {
        let mut tx = self.begin_write().await?;
        let row: Option<UserRow> = sqlx::query_as(concat!(
            "UPDATE users SET display_name = COALESCE($2, display_name),
                email = COALESCE($3, email), updated_at = $4,
                time_zone = COALESCE($5, time_zone)
             WHERE id = $1 RETURNING ",
            user_columns!()
        ))
        .bind(user_id)
        .bind(display_name)
        .bind(email)
        .bind(crate::now())
        .bind(time_zone)
        .fetch_optional(&mut *tx)
        .await?;
        let row = row.ok_or(crate::StoreError::NotFound)?;
        tx.commit().await?;
        row.try_into()
    }

    async fn set_password_hash(&self, user_id: Uuid, hash: &str) -> crate::Result<()> {
        let mut tx = self.begin_write().await?;
        Sql::<B>::write_password(&mut tx, user_id, hash).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn change_password(
        &self,
        user_id: Uuid,
        hash: &str,
        keep_session: Option<Uuid>,
    ) -> crate::Result<()> {
        let mut tx = self.begin_write().await?;
        Sql::<B>::write_password(&mut tx, user_id, hash).await?;
        // The nil UUID names no session, so "keep none" needs no
        // second statement.
        sqlx::query(
            "UPDATE sessions SET revoked_at = $1
             WHERE user_id = $2 AND revoked_at IS NULL AND id <> $3",
        )
        .bind(crate::now())
        .bind(user_id)
        .bind(keep_session.unwrap_or(Uuid::nil()))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn list_users(
        &self,
        after: Option<&crate::Cursor>,
        limit: u32,
    ) -> crate::Result<Vec<crate::UserRecord>> {
        let rows: Vec<UserRow> = match after {
            None => {
                sqlx::query_as(concat!(
                    "SELECT ",
                    user_columns!(),
                    " FROM users ORDER BY created_at, id LIMIT $1"
                ))
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?
            }
            Some(cursor) => {
                sqlx::query_as(concat!(
                    "SELECT ",
                    user_columns!(),
                    " FROM users WHERE (created_at, id) > ($1, $2)
                  ORDER BY created_at, id LIMIT $3"
                ))
                .bind(cursor.created_at)
                .bind(cursor.id)
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?
            }
        };
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn set_user_disabled(
        &self,
        user_id: Uuid,
        disabled: bool,
    ) -> crate::Result<crate::UserRecord> {
        let now = crate::now();
        let mut tx = self.begin_write().await?;
        let row: Option<UserRow> = sqlx::query_as(concat!(
            "UPDATE users SET disabled = $2, updated_at = $3 WHERE id = $1 RETURNING ",
            user_columns!()
        ))
        .bind(user_id)
        .bind(disabled)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let row = row.ok_or(crate::StoreError::NotFound)?;
        if disabled {
            sqlx::query(
                "UPDATE sessions SET revoked_at = $1
                 WHERE user_id = $2 AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM api_tokens WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        row.try_into()
    }

    async fn create_session(&self, new: crate::NewSession) -> crate::Result<Uuid> {
        let id = Uuid::new_v4();
        let now = crate::now();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO sessions
                (id, user_id, created_at, last_used_at, expires_at, user_agent)
             VALUES ($1, $2, $3, $3, $4, $5)",
        )
        .bind(id)
        .bind(new.user_id)
        .bind(now)
        .bind(new.expires_at)
        .bind(new.user_agent)
        .execute(&mut *tx)
        .await?;
        Sql::<B>::insert_refresh_token(&mut tx, &new.refresh_hash, id, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn session_user(
        &self,
        session_id: Uuid,
        user_id: Uuid,
    ) -> crate::Result<Option<crate::Authenticated>> {
        let row: Option<AuthenticatedRow> = sqlx::query_as(concat!(
            "SELECT u.id, u.email, u.display_name, u.password_hash, u.role,
                    u.disabled, u.created_at, u.time_zone, ",
            data_version_of_user!(),
            ", s.expires_at FROM users u JOIN sessions s ON s.user_id = u.id
              WHERE s.id = $1 AND u.id = $2 AND u.disabled = false
                AND s.revoked_at IS NULL AND s.expires_at > $3"
        ))
        .bind(session_id)
        .bind(user_id)
        .bind(crate::now())
        .fetch_optional(self.reader())
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn rotate_refresh_token(
        &self,
        presented: &[u8],
        replacement: &[u8],
        expires_at: DateTime<Utc>,
    ) -> crate::Result<crate::RefreshOutcome> {
        use crate::RefreshOutcome;
        let now = crate::now();
        let mut tx = self.begin_write().await?;
        let token: Option<(Uuid, Option<DateTime<Utc>>)> =
            sqlx::query_as("SELECT session_id, used_at FROM refresh_tokens WHERE token_hash = $1")
                .bind(presented)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((session_id, used_at)) = token else {
            return Ok(RefreshOutcome::Invalid);
        };
        if used_at.is_some() {
            Sql::<B>::revoke_in(&mut tx, session_id, now).await?;
            tx.commit().await?;
            return Ok(RefreshOutcome::Replayed);
        }
        let row: Option<UserRow> = sqlx::query_as(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE disabled = false AND id = (
                SELECT user_id FROM sessions WHERE id = $1
                AND revoked_at IS NULL AND expires_at > $2)"
        ))
        .bind(session_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(user) = row else {
            return Ok(RefreshOutcome::Invalid);
        };
        let spent = sqlx::query(
            "UPDATE refresh_tokens SET used_at = $1
             WHERE token_hash = $2 AND used_at IS NULL",
        )
        .bind(now)
        .bind(presented)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if spent != 1 {
            // A concurrent request spent it first: this is a replay.
            Sql::<B>::revoke_in(&mut tx, session_id, now).await?;
            tx.commit().await?;
            return Ok(RefreshOutcome::Replayed);
        }
        Sql::<B>::insert_refresh_token(&mut tx, replacement, session_id, now).await?;
        sqlx::query("UPDATE sessions SET last_used_at = $1, expires_at = $2 WHERE id = $3")
            .bind(now)
            .bind(expires_at)
            .bind(session_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(RefreshOutcome::Rotated {
            session_id,
            user: user.try_into()?,
        })
    }

    async fn revoke_session_by_refresh(&self, presented: &[u8]) -> crate::Result<Option<Uuid>> {
        let mut tx = self.begin_write().await?;
        let owner: Option<Uuid> = sqlx::query_scalar(
            "UPDATE sessions SET revoked_at = $2
             WHERE revoked_at IS NULL AND id = (
                SELECT session_id FROM refresh_tokens WHERE token_hash = $1)
             RETURNING user_id",
        )
        .bind(presented)
        .bind(crate::now())
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(owner)
    }

    async fn revoke_session(&self, user_id: Uuid, session_id: Uuid) -> crate::Result<bool> {
        let mut tx = self.begin_write().await?;
        let revoked = sqlx::query(
            "UPDATE sessions SET revoked_at = $1
             WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(crate::now())
        .bind(session_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(revoked == 1)
    }

    async fn list_sessions(
        &self,
        user_id: Uuid,
        current: Option<Uuid>,
    ) -> crate::Result<Vec<rapport_core::account::Session>> {
        let rows: Vec<SessionRow> = sqlx::query_as(
            "SELECT id, created_at, last_used_at, expires_at, user_agent FROM sessions
             WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2
             ORDER BY last_used_at DESC, id",
        )
        .bind(user_id)
        .bind(crate::now())
        .fetch_all(self.reader())
        .await?;
        Ok(rows.into_iter().map(|row| row.into_api(current)).collect())
    }

    async fn create_api_token(
        &self,
        new: crate::NewApiToken,
    ) -> crate::Result<rapport_core::account::ApiToken> {
        let mut tx = self.begin_write().await?;
        let row: TokenRow = sqlx::query_as(concat!(
            "INSERT INTO api_tokens
                (id, user_id, name, scope, prefix, token_hash, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ",
            token_columns!()
        ))
        .bind(Uuid::new_v4())
        .bind(new.user_id)
        .bind(new.name)
        .bind(new.scope.as_str())
        .bind(new.prefix)
        .bind(new.token_hash)
        .bind(crate::now())
        .bind(new.expires_at)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        row.try_into()
    }

    async fn list_api_tokens(
        &self,
        user_id: Uuid,
    ) -> crate::Result<Vec<rapport_core::account::ApiToken>> {
        let rows: Vec<TokenRow> = sqlx::query_as(concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id"
        ))
        .bind(user_id)
        .fetch_all(self.reader())
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn delete_api_token(&self, user_id: Uuid, token_id: Uuid) -> crate::Result<bool> {
        let mut tx = self.begin_write().await?;
        let deleted = sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2")
            .bind(token_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(deleted == 1)
    }

    async fn count_api_tokens(&self, user_id: Uuid) -> crate::Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM api_tokens WHERE user_id = $1")
                .bind(user_id)
                .fetch_one(self.reader())
                .await?,
        )
    }

    async fn authenticate_api_token(
        &self,
        hash: &[u8],
    ) -> crate::Result<Option<(rapport_core::account::ApiToken, crate::Authenticated)>> {
        let now = crate::now();
        let found: Option<TokenUserRow> = sqlx::query_as(concat!(
            "SELECT t.id, t.user_id, t.name, t.scope, t.prefix, t.created_at,
                    t.expires_at, t.last_used_at,
                    u.email, u.display_name, u.password_hash, u.role,
                    u.created_at AS user_created_at, u.time_zone, ",
            data_version_of_user!(),
            " FROM api_tokens t JOIN users u ON u.id = t.user_id
              WHERE t.token_hash = $1 AND (t.expires_at IS NULL OR t.expires_at > $2)
                AND u.disabled = false"
        ))
        .bind(hash)
        .bind(now)
        .fetch_optional(self.reader())
        .await?;
        let Some(found) = found else {
            return Ok(None);
        };
        let (mut token, user) = found.split()?;
        let stale_before = now - chrono::Duration::seconds(TOKEN_TOUCH_INTERVAL_SECS);
        // Most uses only read: the write happens once a minute at most.
        if token.last_used_at.is_none_or(|used| used < stale_before) {
            let mut tx = self.begin_write().await?;
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(token.id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            token.last_used_at = Some(now);
        }
        Ok(Some((token.try_into()?, user)))
    }

    async fn create_invite(
        &self,
        new: crate::NewInvite,
    ) -> crate::Result<rapport_core::account::Invite> {
        let mut tx = self.begin_write().await?;
        let row: InviteRow = sqlx::query_as(concat!(
            "INSERT INTO invites (id, code_hash, prefix, created_by, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING ",
            invite_columns!()
        ))
        .bind(Uuid::new_v4())
        .bind(new.code_hash)
        .bind(new.prefix)
        .bind(new.created_by)
        .bind(crate::now())
        .bind(new.expires_at)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(row.into())
    }

    async fn list_invites(
        &self,
        after: Option<&crate::Cursor>,
        limit: u32,
    ) -> crate::Result<Vec<rapport_core::account::Invite>> {
        let rows: Vec<InviteRow> = match after {
            None => {
                sqlx::query_as(concat!(
                    "SELECT ",
                    invite_columns!(),
                    " FROM invites ORDER BY created_at, id LIMIT $1"
                ))
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?
            }
            Some(cursor) => {
                sqlx::query_as(concat!(
                    "SELECT ",
                    invite_columns!(),
                    " FROM invites WHERE (created_at, id) > ($1, $2)
                  ORDER BY created_at, id LIMIT $3"
                ))
                .bind(cursor.created_at)
                .bind(cursor.id)
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?
            }
        };
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn backup_to(&self, path: &str) -> crate::Result<()> {
        self.backup(path).await
    }

    async fn changes(&self) -> crate::Result<Option<Box<dyn crate::ChangeFeed>>> {
        self.change_feed().await
    }

    fn change_stamp(&self) -> Option<crate::ChangeStamp> {
        self.stamp()
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

/// Statements used by several trait methods.
impl<B> Sql<B>
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
    pub(crate) async fn insert_user(
        tx: &mut sqlx::Transaction<'_, Db<B>>,
        new: crate::NewUser,
        role: rapport_core::account::Role,
        now: DateTime<Utc>,
    ) -> crate::Result<crate::UserRecord> {
        let row: UserRow = sqlx::query_as(concat!(
            "INSERT INTO users
                (id, email, display_name, password_hash, role, disabled, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, false, $6, $6) RETURNING ",
            user_columns!()
        ))
        .bind(Uuid::new_v4())
        .bind(new.email)
        .bind(new.display_name)
        .bind(new.password_hash)
        .bind(role.as_str())
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
        row.try_into()
    }

    pub(crate) async fn write_password(
        tx: &mut sqlx::Transaction<'_, Db<B>>,
        user_id: Uuid,
        hash: &str,
    ) -> crate::Result<()> {
        let updated =
            sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
                .bind(hash)
                .bind(crate::now())
                .bind(user_id)
                .execute(&mut **tx)
                .await?
                .rows_affected();
        if updated == 1 {
            Ok(())
        } else {
            Err(crate::StoreError::NotFound)
        }
    }

    pub(crate) async fn insert_refresh_token(
        tx: &mut sqlx::Transaction<'_, Db<B>>,
        hash: &[u8],
        session_id: Uuid,
        now: DateTime<Utc>,
    ) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO refresh_tokens (token_hash, session_id, created_at)
             VALUES ($1, $2, $3)",
        )
        .bind(hash)
        .bind(session_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    pub(crate) async fn revoke_in(
        tx: &mut sqlx::Transaction<'_, Db<B>>,
        session_id: Uuid,
        now: DateTime<Utc>,
    ) -> crate::Result<()> {
        sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(session_id)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}

pub(crate) mod events;
pub(crate) mod introductions;
pub(crate) mod network;
pub(crate) mod nurture;

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
