//! The introductions' SQL (see [`crate::backend`]).

use chrono::{DateTime, NaiveDate, Utc};
use rapport_core::introduction::{
    Introduction, IntroductionOutcome, IntroductionParty, IntroductionStatus, IntroductionUpdate,
    NewIntroduction,
};
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};
use uuid::Uuid;

use crate::backend::{Args, Conn, Db, Row, RowsAffected, SqlBackend, Statement};
use crate::{IntroductionOrder, IntroductionQuery, IntroductionStore, Result, StoreError};

/// An introduction joined with the two contacts it names.
const INTRODUCTION_SELECT: &str = "SELECT i.id, i.reason, i.status, i.outcome,
        i.status_changed_at, i.version, i.created_at, i.updated_at,
        a.id AS a_id, a.name AS a_name, a.company AS a_company, a.comfort AS a_comfort,
        b.id AS b_id, b.name AS b_name, b.company AS b_company, b.comfort AS b_comfort
     FROM introductions i
     JOIN contacts a ON a.id = i.contact_a
     JOIN contacts b ON b.id = i.contact_b";

#[derive(sqlx::FromRow)]
struct IntroductionRow {
    id: Uuid,
    reason: String,
    status: String,
    outcome: Option<String>,
    status_changed_at: DateTime<Utc>,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    a_id: Uuid,
    a_name: String,
    a_company: Option<String>,
    a_comfort: Option<i32>,
    b_id: Uuid,
    b_name: String,
    b_company: Option<String>,
    b_comfort: Option<i32>,
}

impl TryFrom<IntroductionRow> for Introduction {
    type Error = StoreError;

    fn try_from(row: IntroductionRow) -> Result<Self> {
        let status = IntroductionStatus::parse(&row.status)
            .ok_or_else(|| StoreError::corrupt("introductions.status", &row.status))?;
        let outcome = match row.outcome.as_deref() {
            None => None,
            Some(text) => Some(
                IntroductionOutcome::parse(text)
                    .ok_or_else(|| StoreError::corrupt("introductions.outcome", text))?,
            ),
        };
        Ok(Introduction {
            id: row.id,
            contact_a: IntroductionParty {
                id: row.a_id,
                name: row.a_name,
                company: row.a_company,
                comfort: crate::sql::comfort(row.a_comfort)?,
            },
            contact_b: IntroductionParty {
                id: row.b_id,
                name: row.b_name,
                company: row.b_company,
                comfort: crate::sql::comfort(row.b_comfort)?,
            },
            reason: row.reason,
            status,
            outcome,
            status_changed_at: row.status_changed_at,
            allowed_next: status.allowed_next().to_vec(),
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

#[async_trait::async_trait]
impl<B> IntroductionStore for B
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
    async fn create_introduction(
        &self,
        owner: Uuid,
        data: &NewIntroduction,
    ) -> Result<Introduction> {
        let id = crate::new_row_id();
        let now = crate::now();
        let mut tx = self.begin_write().await?;
        let owned: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM contacts WHERE owner_id = $1 AND id IN ($2, $3)",
        )
        .bind(owner)
        .bind(data.contact_a)
        .bind(data.contact_b)
        .fetch_one(&mut *tx)
        .await?;
        if owned < 2 {
            // Name the first side that is not the owner's.
            let a_owned: Option<i32> =
                sqlx::query_scalar("SELECT 1 FROM contacts WHERE id = $1 AND owner_id = $2")
                    .bind(data.contact_a)
                    .bind(owner)
                    .fetch_optional(&mut *tx)
                    .await?;
            let field = if a_owned.is_none() {
                "contact_a"
            } else {
                "contact_b"
            };
            return Err(StoreError::InvalidReference {
                field: field.into(),
            });
        }
        sqlx::query(
            "INSERT INTO introductions (id, owner_id, contact_a, contact_b, reason, status,
                outcome, status_changed_at, version, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, 1, $7, $7)",
        )
        .bind(id)
        .bind(owner)
        .bind(data.contact_a)
        .bind(data.contact_b)
        .bind(&data.reason)
        .bind(IntroductionStatus::Proposed.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let created = introduction_in::<B>(&mut tx, owner, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(created)
    }

    async fn introduction(&self, owner: Uuid, id: Uuid) -> Result<Option<Introduction>> {
        let mut conn = self.reader().acquire().await?;
        introduction_in::<B>(&mut conn, owner, id).await
    }

    async fn update_introduction(
        &self,
        owner: Uuid,
        id: Uuid,
        expected_version: i64,
        update: &IntroductionUpdate,
    ) -> Result<Introduction> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE introductions SET
                status_changed_at = CASE WHEN status = $1 THEN status_changed_at ELSE $4 END,
                status = $1, outcome = $2, reason = $3,
                version = version + 1, updated_at = $4
             WHERE id = $5 AND owner_id = $6 AND version = $7",
        )
        .bind(update.status.as_str())
        .bind(update.outcome.map(|o| o.as_str()))
        .bind(&update.reason)
        .bind(crate::now())
        .bind(id)
        .bind(owner)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        let current = match introduction_in::<B>(&mut tx, owner, id).await? {
            None => return Err(StoreError::NotFound),
            Some(_) if done.rows_affected() != 1 => return Err(StoreError::Stale),
            Some(current) => current,
        };
        tx.commit().await?;
        Ok(current)
    }

    async fn list_introductions(
        &self,
        owner: Uuid,
        query: &IntroductionQuery,
    ) -> Result<Vec<Introduction>> {
        let mut qb = Statement::<B>::new(INTRODUCTION_SELECT);
        qb.push(" WHERE i.owner_id = ").push_bind(owner);
        if !query.statuses.is_empty() {
            qb.push(" AND i.status IN (")
                .push_list(query.statuses.iter().map(|s| s.as_str()))
                .push(")");
        }
        if let Some(contact) = query.contact_id {
            qb.push(" AND (i.contact_a = ")
                .push_bind(contact)
                .push(" OR i.contact_b = ")
                .push_bind(contact)
                .push(")");
        }
        let (key, direction, after) = match query.order {
            IntroductionOrder::Newest => ("i.created_at", "DESC", "<"),
            IntroductionOrder::LongestWaiting => ("i.status_changed_at", "ASC", ">"),
        };
        if let Some((at, id)) = query.after {
            qb.push(format_args!(" AND ({key}, i.id) {after} ("))
                .push_bind(at)
                .push(", ")
                .push_bind(id)
                .push(")");
        }
        qb.push(format_args!(
            " ORDER BY {key} {direction}, i.id {direction}"
        ))
        .push_limit(query.limit);
        let (sql, args) = qb.into_parts()?;
        let rows: Vec<IntroductionRow> = sqlx::query_as_with(&sql, args)
            .fetch_all(self.reader())
            .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }
}

/// One of the owner's introductions, read on `conn`.
async fn introduction_in<B>(
    conn: &mut Conn<B>,
    owner: Uuid,
    id: Uuid,
) -> Result<Option<Introduction>>
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
    let row: Option<IntroductionRow> = sqlx::query_as(&format!(
        "{INTRODUCTION_SELECT} WHERE i.id = $1 AND i.owner_id = $2"
    ))
    .bind(id)
    .bind(owner)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(TryInto::try_into).transpose()
}
