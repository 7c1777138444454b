//! The exports' reads and the calendar feed (see [`crate::backend`]).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rapport_core::network::{ComfortRating, ConnectionChange, Interaction};
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};
use uuid::Uuid;

use crate::backend::{Args, Conn, Db, Row, RowsAffected, SqlBackend};
use crate::export::ExportedContactRecord;
use crate::sql::UserRow;
use crate::{Result, UserRecord};

use super::network::*;

#[derive(sqlx::FromRow)]
struct ExportContactRow {
    #[sqlx(flatten)]
    listed: ListedRow,
    snoozed_until: Option<NaiveDate>,
}

#[derive(sqlx::FromRow)]
struct OwnedComfortRow {
    contact_id: Uuid,
    #[sqlx(flatten)]
    rating: ComfortRow,
}

#[derive(sqlx::FromRow)]
struct OwnedConnectionRow {
    contact_id: Uuid,
    #[sqlx(flatten)]
    change: ConnectionRow,
}

/// The interactions of `rows` with their contacts, read from the owner's
/// links in one statement (an `IN` list of every id would outgrow the
/// databases' parameter limits for a large account).
async fn with_contacts<B>(
    store: &B,
    owner: Uuid,
    rows: Vec<InteractionRow>,
    follow_ups_only: bool,
) -> Result<Vec<Interaction>>
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
    let links: Vec<(Uuid, Uuid)> = sqlx::query_as(if follow_ups_only {
        "SELECT ic.interaction_id, ic.contact_id FROM interaction_contacts ic
         JOIN interactions i ON i.id = ic.interaction_id
         WHERE ic.owner_id = $1 AND i.owner_id = $1 AND i.follow_up_on IS NOT NULL
         ORDER BY ic.interaction_id, ic.contact_id"
    } else {
        "SELECT interaction_id, contact_id FROM interaction_contacts WHERE owner_id = $1
         ORDER BY interaction_id, contact_id"
    })
    .bind(owner)
    .fetch_all(store.reader())
    .await?;
    let mut contacts: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (interaction, contact) in links {
        contacts.entry(interaction).or_default().push(contact);
    }
    rows.into_iter()
        .map(|row| {
            let ids = contacts.remove(&row.id).unwrap_or_default();
            row.into_api(ids)
        })
        .collect()
}

#[async_trait::async_trait]
impl<B> crate::ExportStore for B
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
    async fn export_contacts(&self, owner: Uuid) -> Result<Vec<ExportedContactRecord>> {
        let rows: Vec<ExportContactRow> = sqlx::query_as(concat!(
            "SELECT ",
            contact_columns!(),
            ", ",
            settings_of_owner_1!(),
            ", snoozed_until FROM contacts WHERE owner_id = $1 ORDER BY sort_name, id"
        ))
        .bind(owner)
        .fetch_all(self.reader())
        .await?;
        rows.into_iter()
            .map(|row| {
                Ok(ExportedContactRecord {
                    record: row.listed.try_into()?,
                    snoozed_until: row.snoozed_until,
                })
            })
            .collect()
    }

    async fn export_interactions(&self, owner: Uuid) -> Result<Vec<Interaction>> {
        let rows: Vec<InteractionRow> = sqlx::query_as(concat!(
            "SELECT ",
            interaction_columns!(),
            " FROM interactions WHERE owner_id = $1 ORDER BY occurred_on, created_at, id"
        ))
        .bind(owner)
        .fetch_all(self.reader())
        .await?;
        with_contacts(self, owner, rows, false).await
    }

    async fn follow_ups(&self, owner: Uuid) -> Result<Vec<Interaction>> {
        let rows: Vec<InteractionRow> = sqlx::query_as(concat!(
            "SELECT ",
            interaction_columns!(),
            " FROM interactions WHERE owner_id = $1 AND follow_up_on IS NOT NULL
              ORDER BY follow_up_on, id"
        ))
        .bind(owner)
        .fetch_all(self.reader())
        .await?;
        with_contacts(self, owner, rows, true).await
    }

    async fn export_comfort_history(&self, owner: Uuid) -> Result<Vec<(Uuid, ComfortRating)>> {
        let rows: Vec<OwnedComfortRow> = sqlx::query_as(
            "SELECT contact_id, id, rating, reason, created_at FROM comfort_ratings
             WHERE owner_id = $1 ORDER BY contact_id, created_at, id",
        )
        .bind(owner)
        .fetch_all(self.reader())
        .await?;
        rows.into_iter()
            .map(|row| Ok((row.contact_id, row.rating.try_into()?)))
            .collect()
    }

    async fn export_connection_history(
        &self,
        owner: Uuid,
    ) -> Result<Vec<(Uuid, ConnectionChange)>> {
        let rows: Vec<OwnedConnectionRow> = sqlx::query_as(
            "SELECT contact_id, id, from_status, to_status, note, created_at FROM connection_changes
             WHERE owner_id = $1 ORDER BY contact_id, created_at, id",
        )
        .bind(owner)
        .fetch_all(self.reader())
        .await?;
        rows.into_iter()
            .map(|row| Ok((row.contact_id, row.change.try_into()?)))
            .collect()
    }
}

#[async_trait::async_trait]
impl<B> crate::CalendarFeedStore for B
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
    async fn put_calendar_feed(
        &self,
        owner: Uuid,
        secret_hash: &[u8],
        created_at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO calendar_feeds (user_id, secret_hash, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (user_id) DO UPDATE SET secret_hash = $2, created_at = $3",
        )
        .bind(owner)
        .bind(secret_hash)
        .bind(created_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_calendar_feed(&self, owner: Uuid) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let deleted = sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1")
            .bind(owner)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(deleted > 0)
    }

    async fn calendar_feed_owner(&self, secret_hash: &[u8]) -> Result<Option<UserRecord>> {
        let row: Option<UserRow> = sqlx::query_as(
            "SELECT u.id, u.email, u.display_name, u.password_hash, u.role, u.disabled,
                    u.created_at, u.time_zone
             FROM calendar_feeds f JOIN users u ON u.id = f.user_id
             WHERE f.secret_hash = $1 AND u.disabled = false",
        )
        .bind(secret_hash)
        .fetch_optional(self.reader())
        .await?;
        row.map(TryInto::try_into).transpose()
    }
}
