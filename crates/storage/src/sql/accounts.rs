//! Accounts and invitations (see [`crate::backend`]).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};
use uuid::Uuid;

use crate::backend::{Args, Conn, Db, Row, RowsAffected, Sql, SqlBackend};

use super::*;

#[async_trait::async_trait]
impl<B> crate::AccountStore for B
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
}

/// Statements the account methods share.
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
}
