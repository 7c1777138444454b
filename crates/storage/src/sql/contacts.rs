//! Contacts, their histories, the owner's settings and the familiarity
//! upkeep (see [`crate::backend`]).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};
use uuid::Uuid;

use crate::backend::{Args, Conn, Db, Row, RowsAffected, Sql, SqlBackend, Statement};
use crate::sql::{comfort, days};
use crate::Result;

use super::network::*;

/// What a contact's due day depends on, apart from its interactions.
#[derive(sqlx::FromRow)]
pub(crate) struct ScheduleRow {
    id: Uuid,
    comfort: Option<i32>,
    met_on: Option<NaiveDate>,
    created_at: DateTime<Utc>,
    cadence_days: Option<i32>,
    archived: bool,
    snoozed_until: Option<NaiveDate>,
    /// The owner saved settings (or else the defaults apply).
    has_settings: bool,
    default_cadence_days: Option<i32>,
}

/// A contact's schedule with the facts of one of its interactions (none
/// for a contact without any).
#[derive(sqlx::FromRow)]
pub(crate) struct ScheduleFactRow {
    #[sqlx(flatten)]
    contact: ScheduleRow,
    #[sqlx(flatten)]
    fact: MaybeFactRow,
}

#[async_trait::async_trait]
impl<B> crate::ContactStore for B
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
    async fn settings(&self, owner: Uuid) -> crate::Result<rapport_core::network::Settings> {
        let row: Option<SettingsRow> = sqlx::query_as(
            "SELECT connection_policy, familiarity_threshold, comfort_threshold, default_cadence_days
             FROM user_settings WHERE user_id = $1",
        )
        .bind(owner)
        .fetch_optional(self.reader())
        .await?;
        Ok(row.map(TryInto::try_into).transpose()?.unwrap_or_default())
    }

    async fn put_settings(
        &self,
        owner: Uuid,
        settings: rapport_core::network::Settings,
        today: NaiveDate,
    ) -> crate::Result<rapport_core::network::Settings> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO user_settings
                (user_id, connection_policy, familiarity_threshold, comfort_threshold, default_cadence_days, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (user_id) DO UPDATE SET connection_policy = $2,
                familiarity_threshold = $3, comfort_threshold = $4,
                default_cadence_days = $5, updated_at = $6",
        )
        .bind(owner)
        .bind(settings.connection_policy.as_str())
        .bind(i32::from(settings.familiarity_threshold))
        .bind(i32::from(settings.comfort_threshold))
        .bind(settings.default_cadence_days.map(i32::from))
        .bind(crate::now())
        .execute(&mut *tx)
        .await?;
        let ids: Vec<Uuid> = sqlx::query_scalar(
            "SELECT id FROM contacts WHERE owner_id = $1 AND cadence_days IS NULL",
        )
        .bind(owner)
        .fetch_all(&mut *tx)
        .await?;
        Sql::<B>::recompute(&mut tx, &ids, today).await?;
        tx.commit().await?;
        Ok(settings)
    }

    async fn create_contact(
        &self,
        owner: Uuid,
        data: rapport_core::contact::NewContact,
        today: NaiveDate,
    ) -> crate::Result<crate::ContactRecord> {
        let mut tx = self.begin_write().await?;
        let id = Sql::<B>::insert_contact(&mut tx, owner, &data, crate::now()).await?;
        Sql::<B>::recompute(&mut tx, &[id], today).await?;
        let record = Sql::<B>::contact_in(&mut tx, owner, id)
            .await?
            .ok_or(crate::StoreError::NotFound)?;
        tx.commit().await?;
        Ok(record)
    }

    async fn create_contacts(
        &self,
        owner: Uuid,
        contacts: Vec<rapport_core::contact::NewContact>,
        today: NaiveDate,
    ) -> crate::Result<Vec<Uuid>> {
        let now = crate::now();
        let mut tx = self.begin_write().await?;
        let mut ids = Vec::with_capacity(contacts.len());
        for data in &contacts {
            ids.push(Sql::<B>::insert_contact(&mut tx, owner, data, now).await?);
        }
        Sql::<B>::recompute(&mut tx, &ids, today).await?;
        tx.commit().await?;
        Ok(ids)
    }

    async fn contact(&self, owner: Uuid, id: Uuid) -> crate::Result<Option<crate::ContactRecord>> {
        let mut conn = self.reader().acquire().await?;
        Sql::<B>::contact_in(&mut conn, owner, id).await
    }

    async fn update_contact(
        &self,
        owner: Uuid,
        id: Uuid,
        expected_version: i64,
        data: rapport_core::contact::NewContact,
        today: NaiveDate,
    ) -> crate::Result<crate::ContactRecord> {
        let mut tx = self.begin_write().await?;
        let current: Option<i64> =
            sqlx::query_scalar("SELECT version FROM contacts WHERE id = $1 AND owner_id = $2")
                .bind(id)
                .bind(owner)
                .fetch_optional(&mut *tx)
                .await?;
        match current {
            None => return Err(crate::StoreError::NotFound),
            Some(version) if version != expected_version => return Err(crate::StoreError::Stale),
            Some(_) => {}
        }
        Sql::<B>::check_references(&mut tx, owner, Some(id), &data).await?;
        let updated = Sql::<B>::bind_contact(
            sqlx::query(
                "UPDATE contacts SET name = $3, emails = $4, phones = $5, company = $6, title = $7,
                location = $8, urls = $9, tags = $10, notes = $11, met_on = $12,
                met_event_id = $13, met_place = $14, met_context = $15, introduced_by = $16,
                cadence_days = $17, archived = $18, search_text = $19, sort_name = $20,
                version = version + 1, updated_at = $21
             WHERE id = $1 AND owner_id = $2 AND version = $22",
            ),
            id,
            owner,
            &data,
            crate::now(),
        )
        .bind(expected_version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated != 1 {
            return Err(crate::StoreError::Stale);
        }
        sqlx::query("DELETE FROM contact_keys WHERE contact_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM contact_tags WHERE contact_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM contact_words WHERE contact_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        Sql::<B>::write_keys_and_tags(&mut tx, owner, id, &data).await?;
        Sql::<B>::recompute(&mut tx, &[id], today).await?;
        let record = Sql::<B>::contact_in(&mut tx, owner, id)
            .await?
            .ok_or(crate::StoreError::NotFound)?;
        tx.commit().await?;
        Ok(record)
    }

    async fn delete_contact(
        &self,
        owner: Uuid,
        id: Uuid,
        expected_version: i64,
    ) -> crate::Result<()> {
        let mut tx = self.begin_write().await?;
        let current: Option<i64> =
            sqlx::query_scalar("SELECT version FROM contacts WHERE id = $1 AND owner_id = $2")
                .bind(id)
                .bind(owner)
                .fetch_optional(&mut *tx)
                .await?;
        match current {
            None => return Err(crate::StoreError::NotFound),
            Some(version) if version != expected_version => return Err(crate::StoreError::Stale),
            Some(_) => {}
        }
        // Interactions with nobody left in them go too.
        sqlx::query(
            "DELETE FROM interactions WHERE owner_id = $1 AND id IN (
                SELECT interaction_id FROM interaction_contacts WHERE contact_id = $2)
             AND NOT EXISTS (SELECT 1 FROM interaction_contacts o
                WHERE o.interaction_id = interactions.id AND o.contact_id <> $2)",
        )
        .bind(owner)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM contacts WHERE id = $1 AND owner_id = $2")
            .bind(id)
            .bind(owner)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn list_contacts(
        &self,
        owner: Uuid,
        query: &crate::ContactQuery,
    ) -> crate::Result<Vec<crate::ContactRecord>> {
        use crate::network::ContactSort;
        let mut qb = Statement::<B>::new(concat!(
            "SELECT ",
            contact_columns!(),
            ", ",
            settings_of_owner_1!(),
            " FROM contacts WHERE owner_id = "
        ));
        // `$1`, which the settings' subqueries name too.
        qb.push_bind(owner);
        // The archived flag is written into the statement, not bound (and
        // so is the limit on PostgreSQL, see `Statement::push_limit`):
        // PostgreSQL never settles on a generic plan for a bound flag and
        // planned every page anew (0.1 ms of its time per page).
        qb.push(if query.archived {
            " AND archived = true"
        } else {
            " AND archived = false"
        });
        if let Some(q) = &query.q {
            for term in crate::network::search_terms(q) {
                qb.push(" AND id IN (SELECT contact_id FROM contact_words WHERE owner_id = ")
                    .push_bind(owner)
                    .push(" AND word >= ")
                    .push_bind(term.clone())
                    .push(" AND word < ")
                    .push_bind(crate::network::prefix_end(&term))
                    .push(")");
            }
        }
        if let Some(tag) = &query.tag {
            qb.push(" AND EXISTS (SELECT 1 FROM contact_tags t WHERE t.contact_id = contacts.id AND t.owner_id = ")
                .push_bind(owner)
                .push(" AND t.tag = ")
                .push_bind(tag.to_lowercase())
                .push(")");
        }
        if let Some(v) = query.comfort_min {
            qb.push(" AND comfort >= ").push_bind(i32::from(v));
        }
        if let Some(v) = query.comfort_max {
            qb.push(" AND comfort <= ").push_bind(i32::from(v));
        }
        if let Some(v) = query.familiarity_min {
            qb.push(" AND familiarity >= ").push_bind(i32::from(v));
        }
        if let Some(v) = query.familiarity_max {
            qb.push(" AND familiarity <= ").push_bind(i32::from(v));
        }
        if let Some(status) = query.connection_status {
            qb.push(" AND connection_status = ")
                .push_bind(status.as_str());
        }
        if let Some(event) = query.event_id {
            qb.push(" AND met_event_id = ").push_bind(event);
        }
        if let Some(company) = &query.company {
            qb.push(" AND lower(company) = ")
                .push_bind(company.trim().to_lowercase());
        }
        if let Some(day) = query.due_by {
            qb.push(" AND next_due_on <= ").push_bind(day);
        }
        if let Some(ready) = query.ready_to_ask {
            let settings = &self.settings(owner).await?;
            qb.push(if ready { " AND " } else { " AND NOT " });
            qb.push("(connection_status = 'not_connected' AND ");
            match settings.connection_policy {
                rapport_core::network::ConnectionPolicy::Open => {
                    qb.push("(met_on IS NOT NULL OR met_event_id IS NOT NULL OR last_interaction_on IS NOT NULL)");
                }
                rapport_core::network::ConnectionPolicy::AfterTalking => {
                    qb.push("familiarity >= ")
                        .push_bind(i32::from(settings.familiarity_threshold));
                }
                rapport_core::network::ConnectionPolicy::WhenIWouldRefer => {
                    qb.push("COALESCE(comfort, 0) >= ")
                        .push_bind(i32::from(settings.comfort_threshold));
                }
            }
            qb.push(")");
        }
        let ascending = matches!(query.sort, ContactSort::Name | ContactSort::NextDue);
        let push_key = |qb: &mut Statement<'_, B>| match query.sort {
            ContactSort::Name => {
                qb.push("sort_name");
            }
            ContactSort::Comfort => {
                qb.push("COALESCE(comfort, 0)");
            }
            ContactSort::Familiarity => {
                qb.push("familiarity");
            }
            // Literals (the sentinel days), not parameters, so that the
            // expression indexes of migration 0012 serve these sorts.
            ContactSort::LastInteraction => {
                qb.push("COALESCE(last_interaction_on, '0001-01-01')");
            }
            ContactSort::NextDue => {
                qb.push("COALESCE(next_due_on, '9999-12-31')");
            }
        };
        if let Some((key, id)) = &query.after {
            qb.push(" AND (");
            push_key(&mut qb);
            qb.push(", id) ")
                .push(if ascending { ">" } else { "<" })
                .push(" (");
            match key {
                crate::SortKey::Text(v) => qb.push_bind(v.clone()),
                crate::SortKey::Int(v) => qb.push_bind(*v as i32),
                crate::SortKey::Date(v) => qb.push_bind(*v),
            };
            qb.push(", ").push_bind(*id).push(")");
        }
        qb.push(" ORDER BY ");
        push_key(&mut qb);
        let direction = if ascending { " ASC" } else { " DESC" };
        qb.push(direction).push(", id").push(direction);
        qb.push_limit(query.limit);
        // A search is planned for its own words (see `GENERIC_PLANS`).
        let prepared = query.q.is_none() || !B::GENERIC_PLANS;
        let rows: Vec<ListedRow> = {
            let (sql, args) = qb.into_parts()?;
            sqlx::query_as_with(&sql, args)
                .persistent(prepared)
                .fetch_all(self.reader())
                .await?
        };
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn network_json(&self, owner: Uuid) -> crate::Result<String> {
        if let Some(sql) = B::NETWORK_JSON {
            return Ok(sqlx::query_scalar(sql)
                .bind(owner)
                .fetch_one(self.reader())
                .await?);
        }
        let rows: Vec<NetworkRow> = sqlx::query_as(
            "SELECT id, name, company, comfort, familiarity, connection_status, tags,
                last_interaction_on
             FROM contacts WHERE owner_id = $1 AND archived = false ORDER BY sort_name, id",
        )
        .bind(owner)
        .fetch_all(self.reader())
        .await?;
        let entries = rows
            .into_iter()
            .map(TryInto::try_into)
            .collect::<Result<Vec<rapport_core::network::NetworkEntry>>>()?;
        serde_json::to_string(&entries).map_err(|e| crate::StoreError::corrupt("contacts", e))
    }

    async fn data_version(&self, owner: Uuid) -> crate::Result<i64> {
        let version: Option<i64> =
            sqlx::query_scalar("SELECT version FROM data_versions WHERE owner_id = $1")
                .bind(owner)
                .fetch_optional(self.reader())
                .await?;
        Ok(version.unwrap_or(0))
    }

    async fn set_comfort(
        &self,
        owner: Uuid,
        id: Uuid,
        rating: Option<u8>,
        reason: Option<String>,
    ) -> crate::Result<crate::ContactRecord> {
        let now = crate::now();
        let mut tx = self.begin_write().await?;
        let updated =
            sqlx::query("UPDATE contacts SET comfort = $1 WHERE id = $2 AND owner_id = $3")
                .bind(rating.map(i32::from))
                .bind(id)
                .bind(owner)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if updated != 1 {
            return Err(crate::StoreError::NotFound);
        }
        sqlx::query(
            "INSERT INTO comfort_ratings (id, owner_id, contact_id, rating, reason, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(crate::new_row_id())
        .bind(owner)
        .bind(id)
        .bind(rating.map(i32::from))
        .bind(reason)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let record = Sql::<B>::contact_in(&mut tx, owner, id)
            .await?
            .ok_or(crate::StoreError::NotFound)?;
        tx.commit().await?;
        Ok(record)
    }

    async fn snooze(
        &self,
        owner: Uuid,
        id: Uuid,
        until: Option<NaiveDate>,
        today: NaiveDate,
    ) -> crate::Result<crate::ContactRecord> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE contacts SET snoozed_until = $1, version = version + 1, updated_at = $2
             WHERE id = $3 AND owner_id = $4",
        )
        .bind(until)
        .bind(crate::now())
        .bind(id)
        .bind(owner)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated != 1 {
            return Err(crate::StoreError::NotFound);
        }
        Sql::<B>::recompute(&mut tx, &[id], today).await?;
        let record = Sql::<B>::contact_in(&mut tx, owner, id)
            .await?
            .ok_or(crate::StoreError::NotFound)?;
        tx.commit().await?;
        Ok(record)
    }

    async fn comfort_history(
        &self,
        owner: Uuid,
        id: Uuid,
    ) -> crate::Result<Option<Vec<rapport_core::network::ComfortRating>>> {
        if !Sql::<B>::owns_contact(self, owner, id).await? {
            return Ok(None);
        }
        let rows: Vec<ComfortRow> = sqlx::query_as(
            "SELECT id, rating, reason, created_at FROM comfort_ratings
             WHERE contact_id = $1 AND owner_id = $2 ORDER BY created_at, id",
        )
        .bind(id)
        .bind(owner)
        .fetch_all(self.reader())
        .await?;
        rows.into_iter()
            .map(TryInto::try_into)
            .collect::<Result<_>>()
            .map(Some)
    }

    async fn change_connection(
        &self,
        owner: Uuid,
        id: Uuid,
        to: rapport_core::contact::ConnectionStatus,
        note: Option<String>,
    ) -> crate::Result<crate::ContactRecord> {
        use rapport_core::contact::ConnectionStatus;
        let now = crate::now();
        let mut tx = self.begin_write().await?;
        let current: Option<String> = sqlx::query_scalar(
            "SELECT connection_status FROM contacts WHERE id = $1 AND owner_id = $2",
        )
        .bind(id)
        .bind(owner)
        .fetch_optional(&mut *tx)
        .await?;
        let from = current
            .as_deref()
            .map(|s| ConnectionStatus::parse(s).unwrap_or(ConnectionStatus::NotConnected))
            .ok_or(crate::StoreError::NotFound)?;
        if !from.can_become(to) {
            return Err(crate::StoreError::Transition {
                from,
                allowed: from.allowed_next(),
            });
        }
        sqlx::query(
            "UPDATE contacts SET connection_status = $1, connection_changed_at = $2
             WHERE id = $3 AND owner_id = $4",
        )
        .bind(to.as_str())
        .bind(now)
        .bind(id)
        .bind(owner)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO connection_changes (id, owner_id, contact_id, from_status, to_status, note, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(crate::new_row_id())
        .bind(owner)
        .bind(id)
        .bind(from.as_str())
        .bind(to.as_str())
        .bind(note)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let record = Sql::<B>::contact_in(&mut tx, owner, id)
            .await?
            .ok_or(crate::StoreError::NotFound)?;
        tx.commit().await?;
        Ok(record)
    }

    async fn connection_history(
        &self,
        owner: Uuid,
        id: Uuid,
    ) -> crate::Result<Option<Vec<rapport_core::network::ConnectionChange>>> {
        if !Sql::<B>::owns_contact(self, owner, id).await? {
            return Ok(None);
        }
        let rows: Vec<ConnectionRow> = sqlx::query_as(
            "SELECT id, from_status, to_status, note, created_at FROM connection_changes
             WHERE contact_id = $1 AND owner_id = $2 ORDER BY created_at, id",
        )
        .bind(id)
        .bind(owner)
        .fetch_all(self.reader())
        .await?;
        rows.into_iter()
            .map(TryInto::try_into)
            .collect::<Result<_>>()
            .map(Some)
    }

    async fn refresh_familiarity(
        &self,
        owner: Uuid,
        today: NaiveDate,
        limit: u32,
    ) -> crate::Result<u64> {
        // Read and computed outside the write transaction, so that
        // the writer is held only for the updates themselves. One
        // row per stale contact and interaction (or one with no
        // interaction), found through the contact's own links.
        let rows: Vec<StaleFactRow> = sqlx::query_as(
            "WITH stale AS (
                SELECT id FROM contacts WHERE owner_id = $1
                AND (familiarity_as_of IS NULL OR familiarity_as_of < $2)
                LIMIT $3)
             SELECT s.id AS contact_id, i.kind, i.depth, i.initiated_by, i.occurred_on
             FROM stale s
             LEFT JOIN interaction_contacts ic ON ic.contact_id = s.id
             LEFT JOIN interactions i ON i.id = ic.interaction_id",
        )
        .bind(owner)
        .bind(today)
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let scores = familiarity_of(rows, today)?;
        let mut tx = self.begin_write().await?;
        let mut refreshed = 0;
        for (id, score) in scores {
            // A contact written meanwhile was computed today: its
            // value is newer than the one computed here.
            refreshed += sqlx::query(
                "UPDATE contacts SET familiarity = $1, suggested_comfort = $2,
                    familiarity_as_of = $3
                 WHERE id = $4 AND owner_id = $5
                 AND (familiarity_as_of IS NULL OR familiarity_as_of < $3)",
            )
            .bind(i32::from(score.score))
            .bind(i32::from(score.suggested_comfort))
            .bind(today)
            .bind(id)
            .bind(owner)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(refreshed)
    }

    async fn owners_with_stale_familiarity(
        &self,
        before: NaiveDate,
    ) -> crate::Result<Vec<(Uuid, Option<String>)>> {
        Ok(sqlx::query_as(
            "SELECT u.id, u.time_zone FROM users u WHERE EXISTS (
                SELECT 1 FROM contacts c WHERE c.owner_id = u.id
                AND (c.familiarity_as_of IS NULL OR c.familiarity_as_of < $1))",
        )
        .bind(before)
        .fetch_all(self.reader())
        .await?)
    }
}

/// Statements the contact methods share (the card drop and the
/// interactions use them too).
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
    /// Binds `$1` id, `$2` owner, `$3`–`$20` the editable fields and
    /// `$21` the time, in the order of both the INSERT and the UPDATE.
    pub(crate) fn bind_contact<'q>(
        query: sqlx::query::Query<'q, Db<B>, <Db<B> as sqlx::Database>::Arguments<'q>>,
        id: Uuid,
        owner: Uuid,
        data: &'q rapport_core::contact::NewContact,
        at: DateTime<Utc>,
    ) -> sqlx::query::Query<'q, Db<B>, <Db<B> as sqlx::Database>::Arguments<'q>> {
        let how = data.how_met.clone().unwrap_or_default();
        query
            .bind(id)
            .bind(owner)
            .bind(&data.name)
            .bind(to_json(&data.emails))
            .bind(to_json(&data.phones))
            .bind(&data.company)
            .bind(&data.title)
            .bind(&data.location)
            .bind(to_json(&data.urls))
            .bind(to_json(&data.tags))
            .bind(&data.notes)
            .bind(how.met_on)
            .bind(how.event_id)
            .bind(how.place)
            .bind(how.context)
            .bind(how.introduced_by)
            .bind(data.cadence_days.map(i32::from))
            .bind(data.archived)
            .bind(crate::network::search_text(data))
            .bind(crate::network::sort_name(&data.name))
            .bind(at)
    }

    pub(crate) async fn insert_contact(
        conn: &mut Conn<B>,
        owner: Uuid,
        data: &rapport_core::contact::NewContact,
        now: DateTime<Utc>,
    ) -> crate::Result<Uuid> {
        let id = crate::new_row_id();
        Self::check_references(&mut *conn, owner, Some(id), data).await?;
        Self::bind_contact(sqlx::query(
            "INSERT INTO contacts (id, owner_id, name, emails, phones, company, title, location,
                urls, tags, notes, met_on, met_event_id, met_place, met_context, introduced_by,
                cadence_days, archived, comfort, connection_status, familiarity, suggested_comfort,
                search_text, sort_name, version, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                $17, $18, NULL, 'not_connected', 0, 1, $19, $20, 1, $21, $21)",
        ), id, owner, data, now)
        .execute(&mut *conn)
        .await?;
        Self::write_keys_and_tags(&mut *conn, owner, id, data).await?;
        Ok(id)
    }

    pub(crate) async fn owns_contact(store: &B, owner: Uuid, id: Uuid) -> crate::Result<bool> {
        let found: Option<i32> =
            sqlx::query_scalar("SELECT 1 FROM contacts WHERE id = $1 AND owner_id = $2")
                .bind(id)
                .bind(owner)
                .fetch_optional(store.reader())
                .await?;
        Ok(found.is_some())
    }

    pub(crate) async fn contact_in(
        conn: &mut Conn<B>,
        owner: Uuid,
        id: Uuid,
    ) -> crate::Result<Option<crate::ContactRecord>> {
        let row: Option<ListedRow> = sqlx::query_as(concat!(
            "SELECT ",
            contact_columns!(),
            ", ",
            settings_of_owner!(),
            " FROM contacts WHERE id = $1 AND owner_id = $2"
        ))
        .bind(id)
        .bind(owner)
        .fetch_optional(&mut *conn)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    /// `how_met` may only name my own event and another of my contacts.
    pub(crate) async fn check_references(
        conn: &mut Conn<B>,
        owner: Uuid,
        this: Option<Uuid>,
        data: &rapport_core::contact::NewContact,
    ) -> crate::Result<()> {
        let Some(how) = &data.how_met else {
            return Ok(());
        };
        if let Some(event) = how.event_id {
            let found: Option<i32> =
                sqlx::query_scalar("SELECT 1 FROM events WHERE id = $1 AND owner_id = $2")
                    .bind(event)
                    .bind(owner)
                    .fetch_optional(&mut *conn)
                    .await?;
            if found.is_none() {
                return Err(crate::StoreError::InvalidReference {
                    field: "how_met.event_id".into(),
                });
            }
        }
        if let Some(by) = how.introduced_by {
            let found: Option<i32> =
                sqlx::query_scalar("SELECT 1 FROM contacts WHERE id = $1 AND owner_id = $2")
                    .bind(by)
                    .bind(owner)
                    .fetch_optional(&mut *conn)
                    .await?;
            if found.is_none() || Some(by) == this {
                return Err(crate::StoreError::InvalidReference {
                    field: "how_met.introduced_by".into(),
                });
            }
        }
        Ok(())
    }

    pub(crate) async fn write_keys_and_tags(
        conn: &mut Conn<B>,
        owner: Uuid,
        id: Uuid,
        data: &rapport_core::contact::NewContact,
    ) -> crate::Result<()> {
        Self::write_keys_of(conn, owner, &[(id, data)]).await
    }

    /// Recomputes the derived state of the contacts (familiarity, the
    /// suggested comfort, the last interaction, the next due day) from their
    /// interactions: one read for up to 500 contacts (each contact's row
    /// with each of its interactions), then one update.
    pub(crate) async fn recompute(
        conn: &mut Conn<B>,
        ids: &[Uuid],
        today: NaiveDate,
    ) -> crate::Result<()> {
        for chunk in ids.chunks(500) {
            let mut statement = Statement::<B>::new(
                "SELECT c.id, c.comfort, c.met_on, c.created_at, c.cadence_days, c.archived,
                    c.snoozed_until, s.user_id IS NOT NULL AS has_settings,
                    s.default_cadence_days, i.kind, i.depth, i.initiated_by, i.occurred_on
                 FROM contacts c LEFT JOIN user_settings s ON s.user_id = c.owner_id
                 LEFT JOIN interaction_contacts ic ON ic.contact_id = c.id
                 LEFT JOIN interactions i ON i.id = ic.interaction_id
                 WHERE c.id IN (",
            );
            statement.push_list(chunk.iter().copied()).push(")");
            let (sql, args) = statement.into_parts()?;
            let rows: Vec<ScheduleFactRow> = sqlx::query_as_with(&sql, args)
                .fetch_all(&mut *conn)
                .await?;
            // Each contact with its interactions' facts, in id order.
            let mut contacts: std::collections::BTreeMap<
                Uuid,
                (
                    ScheduleRow,
                    Vec<rapport_core::familiarity::InteractionFacts>,
                ),
            > = Default::default();
            for row in rows {
                let (_, facts) = contacts
                    .entry(row.contact.id)
                    .or_insert((row.contact, Vec::new()));
                facts.extend(row.fact.facts()?);
            }
            let mut derived_rows = Vec::with_capacity(contacts.len());
            for (contact, facts) in contacts.into_values() {
                let default_cadence = if contact.has_settings {
                    days(
                        "user_settings.default_cadence_days",
                        contact.default_cadence_days,
                    )?
                } else {
                    rapport_core::network::Settings::default().default_cadence_days
                };
                let cadence =
                    days("contacts.cadence_days", contact.cadence_days)?.or(default_cadence);
                let derived = derive(
                    &facts,
                    comfort(contact.comfort)?,
                    Schedule {
                        met_on: contact.met_on,
                        added_on: contact.created_at.date_naive(),
                        cadence,
                        archived: contact.archived,
                        snoozed_until: contact.snoozed_until,
                    },
                    today,
                );
                derived_rows.push((contact.id, derived));
            }
            // One statement for many contacts: their values joined in
            // as a VALUES list (columnN names work on both databases).
            for rows in derived_rows.chunks(B::VALUES_PER_STATEMENT / 5) {
                let mut statement = Statement::<B>::rows(
                    "UPDATE contacts SET familiarity = v.column2, suggested_comfort = v.column3,
                        last_interaction_on = v.column4, next_due_on = v.column5,
                        familiarity_as_of = ",
                );
                statement.push_bind(today).push(" FROM (VALUES ");
                for (index, (id, derived)) in rows.iter().enumerate() {
                    if index > 0 {
                        statement.push(", ");
                    }
                    statement.push("(").push_bind(*id);
                    statement.push(", ").push_bind(derived.familiarity);
                    statement.push(", ").push_bind(derived.suggested);
                    statement.push(", ").push_bind(derived.last);
                    statement.push(", ").push_bind(derived.next_due).push(")");
                }
                statement.push(") AS v WHERE contacts.id = v.column1");
                let (sql, args) = statement.into_parts()?;
                sqlx::query_with(&sql, args).execute(&mut *conn).await?;
            }
        }
        Ok(())
    }

    /// Inserts rows of three values each, as many per statement as the
    /// backend binds well ([`SqlBackend::VALUES_PER_STATEMENT`]).
    pub(crate) async fn insert_rows<X, Y, Z, I>(
        conn: &mut Conn<B>,
        insert: &str,
        rows: I,
    ) -> crate::Result<()>
    where
        I: IntoIterator<Item = (X, Y, Z)> + Send,
        X: for<'q> Encode<'q, Db<B>> + Type<Db<B>> + Send + 'static,
        Y: for<'q> Encode<'q, Db<B>> + Type<Db<B>> + Send + 'static,
        Z: for<'q> Encode<'q, Db<B>> + Type<Db<B>> + Send + 'static,
    {
        let rows: Vec<(X, Y, Z)> = rows.into_iter().collect();
        let mut rows = rows.into_iter();
        loop {
            let mut statement = Statement::<B>::rows(insert);
            let mut count = 0;
            for (x, y, z) in rows.by_ref().take(B::VALUES_PER_STATEMENT / 3) {
                if count > 0 {
                    statement.push(", ");
                }
                statement.push("(").push_bind(x).push(", ").push_bind(y);
                statement.push(", ").push_bind(z).push(")");
                count += 1;
            }
            if count == 0 {
                return Ok(());
            }
            let (sql, args) = statement.into_parts()?;
            sqlx::query_with(&sql, args).execute(&mut *conn).await?;
        }
    }
}
