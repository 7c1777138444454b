//! Finding duplicate contacts and merging two into one (see
//! [`crate::merge`] and [`crate::backend`]).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};
use uuid::Uuid;

use crate::backend::{Args, Conn, Db, Row, RowsAffected, Sql, SqlBackend, Statement};
use crate::merge::{ContactMerge, DuplicateCandidate, MergeStore};
use crate::sql::json_list;
use crate::{ContactRecord, Result, StoreError};

use super::network::*;

#[derive(sqlx::FromRow)]
struct CandidateRow {
    id: Uuid,
    name: String,
    company: Option<String>,
    emails: String,
    urls: String,
}

/// What the merge reads of each of the two contacts before it writes.
#[derive(sqlx::FromRow)]
struct MergedRow {
    id: Uuid,
    version: i64,
    connection_status: String,
    connection_changed_at: Option<DateTime<Utc>>,
}

#[async_trait::async_trait]
impl<B> MergeStore for B
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
    async fn duplicate_candidates(&self, owner: Uuid) -> Result<Vec<DuplicateCandidate>> {
        let rows: Vec<CandidateRow> = sqlx::query_as(
            "SELECT id, name, company, emails, urls FROM contacts
             WHERE owner_id = $1 AND archived = false",
        )
        .bind(owner)
        .fetch_all(self.reader())
        .await?;
        rows.into_iter()
            .map(|row| {
                Ok(DuplicateCandidate {
                    id: row.id,
                    name: row.name,
                    company: row.company,
                    emails: json_list("contacts.emails", &row.emails)?,
                    urls: json_list("contacts.urls", &row.urls)?,
                })
            })
            .collect()
    }

    async fn contacts_by_ids(&self, owner: Uuid, ids: &[Uuid]) -> Result<Vec<ContactRecord>> {
        let mut records = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let mut statement = Statement::<B>::new(concat!(
                "SELECT ",
                contact_columns!(),
                ", ",
                settings_of_owner_1!(),
                " FROM contacts WHERE owner_id = "
            ));
            // `$1`, which the settings' subqueries name too.
            statement.push_bind(owner).push(" AND id IN (");
            statement.push_list(chunk.iter().copied()).push(")");
            let (sql, args) = statement.into_parts()?;
            let rows: Vec<ListedRow> = sqlx::query_as_with(&sql, args)
                .fetch_all(self.reader())
                .await?;
            for row in rows {
                records.push(row.try_into()?);
            }
        }
        Ok(records)
    }

    async fn merge_contacts(
        &self,
        owner: Uuid,
        merge: &ContactMerge,
        today: NaiveDate,
    ) -> Result<ContactRecord> {
        let (survivor, other) = (merge.survivor, merge.other);
        if survivor == other {
            return Err(StoreError::Conflict(
                "a contact cannot be merged with itself",
            ));
        }
        let now = crate::now();
        let mut tx = self.begin_write().await?;
        let rows: Vec<MergedRow> = sqlx::query_as(
            "SELECT id, version, connection_status, connection_changed_at FROM contacts
             WHERE owner_id = $1 AND id IN ($2, $3)",
        )
        .bind(owner)
        .bind(survivor)
        .bind(other)
        .fetch_all(&mut *tx)
        .await?;
        let find = |id: Uuid| rows.iter().find(|row| row.id == id);
        let (Some(kept), Some(gone)) = (find(survivor), find(other)) else {
            return Err(StoreError::NotFound);
        };
        if kept.version != merge.survivor_version || gone.version != merge.other_version {
            return Err(StoreError::Stale);
        }
        // The current status is where the merged history ends: the more
        // recent change of the two.
        let (status, status_changed_at) = if gone.connection_changed_at > kept.connection_changed_at
        {
            (gone.connection_status.clone(), gone.connection_changed_at)
        } else {
            (kept.connection_status.clone(), kept.connection_changed_at)
        };

        let mut data = merge.data.clone();
        if let Some(how) = &mut data.how_met {
            if how.introduced_by == Some(survivor) || how.introduced_by == Some(other) {
                how.introduced_by = None;
            }
        }
        data.how_met = data.how_met.filter(|how| !how.is_empty());
        Sql::<B>::check_references(&mut tx, owner, Some(survivor), &data).await?;

        // Both rows are written first, at the versions read, so that a
        // concurrent writer makes this merge stale rather than half-done.
        let updated = Sql::<B>::bind_contact(
            sqlx::query(
                "UPDATE contacts SET name = $3, emails = $4, phones = $5, company = $6, title = $7,
                    location = $8, urls = $9, tags = $10, notes = $11, met_on = $12,
                    met_event_id = $13, met_place = $14, met_context = $15, introduced_by = $16,
                    cadence_days = $17, archived = $18, search_text = $19, sort_name = $20,
                    comfort = $23, connection_status = $24, connection_changed_at = $25,
                    version = version + 1, updated_at = $21
                 WHERE id = $1 AND owner_id = $2 AND version = $22",
            ),
            survivor,
            owner,
            &data,
            now,
        )
        .bind(merge.survivor_version)
        .bind(merge.comfort.map(i32::from))
        .bind(status)
        .bind(status_changed_at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let held = sqlx::query(
            "UPDATE contacts SET version = version + 1
             WHERE id = $1 AND owner_id = $2 AND version = $3",
        )
        .bind(other)
        .bind(owner)
        .bind(merge.other_version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated != 1 || held != 1 {
            return Err(StoreError::Stale);
        }

        // Interactions: the other's now name the survivor; one that named
        // both names it once. Their contact lists change, so their
        // versions move.
        sqlx::query(
            "UPDATE interactions SET version = version + 1, updated_at = $3
             WHERE owner_id = $1 AND id IN (
                SELECT interaction_id FROM interaction_contacts WHERE contact_id = $2)",
        )
        .bind(owner)
        .bind(other)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM interaction_contacts WHERE contact_id = $2 AND interaction_id IN (
                SELECT interaction_id FROM interaction_contacts WHERE contact_id = $1)",
        )
        .bind(survivor)
        .bind(other)
        .execute(&mut *tx)
        .await?;
        for statement in [
            "UPDATE interaction_contacts SET contact_id = $1 WHERE contact_id = $2 AND owner_id = $3",
            "UPDATE comfort_ratings SET contact_id = $1 WHERE contact_id = $2 AND owner_id = $3",
            "UPDATE connection_changes SET contact_id = $1 WHERE contact_id = $2 AND owner_id = $3",
        ] {
            sqlx::query(statement)
                .bind(survivor)
                .bind(other)
                .bind(owner)
                .execute(&mut *tx)
                .await?;
        }

        // Introductions: one between the two would introduce the survivor
        // to themselves, and goes; the others now name the survivor.
        sqlx::query(
            "DELETE FROM introductions WHERE owner_id = $1
             AND ((contact_a = $2 AND contact_b = $3) OR (contact_a = $3 AND contact_b = $2))",
        )
        .bind(owner)
        .bind(survivor)
        .bind(other)
        .execute(&mut *tx)
        .await?;
        for statement in [
            "UPDATE introductions SET contact_a = $2, version = version + 1, updated_at = $4
             WHERE owner_id = $1 AND contact_a = $3",
            "UPDATE introductions SET contact_b = $2, version = version + 1, updated_at = $4
             WHERE owner_id = $1 AND contact_b = $3",
            "UPDATE contacts SET introduced_by = $2, version = version + 1, updated_at = $4
             WHERE owner_id = $1 AND introduced_by = $3 AND id <> $2",
        ] {
            sqlx::query(statement)
                .bind(owner)
                .bind(survivor)
                .bind(other)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }

        // The merged comfort history ends with the current rating.
        let latest: Option<Option<i32>> = sqlx::query_scalar(
            "SELECT rating FROM comfort_ratings WHERE contact_id = $1 AND owner_id = $2
             ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .bind(survivor)
        .bind(owner)
        .fetch_optional(&mut *tx)
        .await?;
        let current = merge.comfort.map(i32::from);
        if latest.flatten() != current {
            sqlx::query(
                "INSERT INTO comfort_ratings (id, owner_id, contact_id, rating, reason, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(crate::new_row_id())
            .bind(owner)
            .bind(survivor)
            .bind(current)
            .bind(merge.comfort_reason.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }

        // Its keys, tags and words go with it (foreign keys cascade).
        sqlx::query("DELETE FROM contacts WHERE id = $1 AND owner_id = $2")
            .bind(other)
            .bind(owner)
            .execute(&mut *tx)
            .await?;
        for statement in [
            "DELETE FROM contact_keys WHERE contact_id = $1",
            "DELETE FROM contact_tags WHERE contact_id = $1",
            "DELETE FROM contact_words WHERE contact_id = $1",
        ] {
            sqlx::query(statement)
                .bind(survivor)
                .execute(&mut *tx)
                .await?;
        }
        Sql::<B>::write_keys_and_tags(&mut tx, owner, survivor, &data).await?;
        Sql::<B>::recompute(&mut tx, &[survivor], today).await?;
        let record = Sql::<B>::contact_in(&mut tx, owner, survivor)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(record)
    }
}
