//! Sessions, refresh tokens and personal access tokens (see
//! [`crate::backend`]).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};
use uuid::Uuid;

use crate::backend::{Args, Conn, Db, Row, RowsAffected, Sql, SqlBackend};

use super::*;

#[async_trait::async_trait]
impl<B> crate::SessionStore for B
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
}

/// Statements the session methods share.
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
