//! Interactions and the contacts they involve (see [`crate::backend`]).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};
use uuid::Uuid;

use crate::backend::{Args, Conn, Db, Row, RowsAffected, Sql, SqlBackend, Statement};

use super::network::*;

#[async_trait::async_trait]
impl<B> crate::InteractionStore for B
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
    async fn create_interactions(
        &self,
        owner: Uuid,
        interactions: Vec<rapport_core::network::NewInteraction>,
        today: NaiveDate,
    ) -> crate::Result<u64> {
        let now = crate::now();
        let mut tx = self.begin_write().await?;
        let mut touched = std::collections::BTreeSet::new();
        for data in &interactions {
            let contacts =
                Sql::<B>::insert_interaction(&mut tx, owner, crate::new_row_id(), data, now)
                    .await?;
            touched.extend(contacts);
        }
        let touched: Vec<Uuid> = touched.into_iter().collect();
        Sql::<B>::recompute(&mut tx, &touched, today).await?;
        tx.commit().await?;
        Ok(interactions.len() as u64)
    }

    async fn interaction_facts(
        &self,
        owner: Uuid,
        contact: Uuid,
    ) -> crate::Result<Vec<rapport_core::familiarity::InteractionFacts>> {
        let rows: Vec<FactRow> = sqlx::query_as(
            "SELECT i.kind, i.depth, i.initiated_by, i.occurred_on
             FROM interactions i JOIN interaction_contacts ic ON ic.interaction_id = i.id
             WHERE ic.contact_id = $1 AND ic.owner_id = $2",
        )
        .bind(contact)
        .bind(owner)
        .fetch_all(self.reader())
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn create_interaction(
        &self,
        owner: Uuid,
        data: rapport_core::network::NewInteraction,
        today: NaiveDate,
    ) -> crate::Result<rapport_core::network::Interaction> {
        let id = crate::new_row_id();
        let now = crate::now();
        let mut tx = self.begin_write().await?;
        let contacts = Sql::<B>::insert_interaction(&mut tx, owner, id, &data, now).await?;
        Sql::<B>::recompute(&mut tx, &contacts, today).await?;
        tx.commit().await?;
        Ok(written(id, contacts, data, 1, now, now))
    }

    async fn interaction(
        &self,
        owner: Uuid,
        id: Uuid,
    ) -> crate::Result<Option<rapport_core::network::Interaction>> {
        let mut conn = self.reader().acquire().await?;
        Sql::<B>::interaction_in(&mut conn, owner, id).await
    }

    async fn update_interaction(
        &self,
        owner: Uuid,
        id: Uuid,
        expected_version: i64,
        data: rapport_core::network::NewInteraction,
        today: NaiveDate,
    ) -> crate::Result<rapport_core::network::Interaction> {
        let mut tx = self.begin_write().await?;
        let before = Sql::<B>::interaction_in(&mut tx, owner, id)
            .await?
            .ok_or(crate::StoreError::NotFound)?;
        if before.version != expected_version {
            return Err(crate::StoreError::Stale);
        }
        let now = crate::now();
        sqlx::query(
            "UPDATE interactions SET kind = $1, occurred_on = $2, depth = $3, initiated_by = $4,
                notes = $5, follow_up_on = $6, version = version + 1, updated_at = $7
             WHERE id = $8 AND owner_id = $9",
        )
        .bind(data.kind.as_str())
        .bind(data.occurred_on)
        .bind(data.depth.as_str())
        .bind(data.initiated_by.as_str())
        .bind(&data.notes)
        .bind(data.follow_up_on)
        .bind(now)
        .bind(id)
        .bind(owner)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM interaction_contacts WHERE interaction_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let contacts = Sql::<B>::link_owned_contacts(&mut tx, owner, id, &data.contact_ids).await?;
        let mut touched = before.contact_ids.clone();
        touched.extend(contacts.iter().copied());
        touched.sort();
        touched.dedup();
        Sql::<B>::recompute(&mut tx, &touched, today).await?;
        tx.commit().await?;
        Ok(written(
            id,
            contacts,
            data,
            before.version + 1,
            before.created_at,
            now,
        ))
    }

    async fn delete_interaction(
        &self,
        owner: Uuid,
        id: Uuid,
        expected_version: i64,
        today: NaiveDate,
    ) -> crate::Result<()> {
        let mut tx = self.begin_write().await?;
        let before = Sql::<B>::interaction_in(&mut tx, owner, id)
            .await?
            .ok_or(crate::StoreError::NotFound)?;
        if before.version != expected_version {
            return Err(crate::StoreError::Stale);
        }
        sqlx::query("DELETE FROM interactions WHERE id = $1 AND owner_id = $2")
            .bind(id)
            .bind(owner)
            .execute(&mut *tx)
            .await?;
        Sql::<B>::recompute(&mut tx, &before.contact_ids, today).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn list_interactions(
        &self,
        owner: Uuid,
        query: &crate::InteractionQuery,
    ) -> crate::Result<Vec<rapport_core::network::Interaction>> {
        let mut qb = Statement::<B>::new(concat!(
            "SELECT ",
            interaction_columns!(),
            " FROM interactions WHERE owner_id = "
        ));
        qb.push_bind(owner);
        if let Some(contact) = query.contact_id {
            qb.push(" AND EXISTS (SELECT 1 FROM interaction_contacts ic WHERE ic.interaction_id = interactions.id AND ic.contact_id = ")
                .push_bind(contact)
                .push(")");
        }
        if let Some(kind) = query.kind {
            qb.push(" AND kind = ").push_bind(kind.as_str());
        }
        if let Some(from) = query.from {
            qb.push(" AND occurred_on >= ").push_bind(from);
        }
        if let Some(to) = query.to {
            qb.push(" AND occurred_on <= ").push_bind(to);
        }
        if let Some((day, id)) = query.after {
            qb.push(" AND (occurred_on, id) < (")
                .push_bind(day)
                .push(", ")
                .push_bind(id)
                .push(")");
        }
        qb.push(" ORDER BY occurred_on DESC, id DESC")
            .push_limit(query.limit);
        let rows: Vec<InteractionRow> = {
            let (sql, args) = qb.into_parts()?;
            sqlx::query_as_with(&sql, args)
                .fetch_all(self.reader())
                .await?
        };
        let ids: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
        let mut conn = self.reader().acquire().await?;
        let mut links = Sql::<B>::contacts_of_each(&mut conn, &ids).await?;
        rows.into_iter()
            .map(|row| {
                let contacts = links.remove(&row.id).unwrap_or_default();
                row.into_api(contacts)
            })
            .collect()
    }
}

/// Statements the interaction methods share.
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
    /// Writes the interaction and links it to its contacts; returns their
    /// ids, sorted and deduplicated, if every one is a contact of `owner`.
    pub(crate) async fn insert_interaction(
        conn: &mut Conn<B>,
        owner: Uuid,
        id: Uuid,
        data: &rapport_core::network::NewInteraction,
        now: DateTime<Utc>,
    ) -> crate::Result<Vec<Uuid>> {
        sqlx::query(
            "INSERT INTO interactions (id, owner_id, kind, occurred_on, depth, initiated_by,
                notes, follow_up_on, version, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9)",
        )
        .bind(id)
        .bind(owner)
        .bind(data.kind.as_str())
        .bind(data.occurred_on)
        .bind(data.depth.as_str())
        .bind(data.initiated_by.as_str())
        .bind(&data.notes)
        .bind(data.follow_up_on)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Self::link_owned_contacts(&mut *conn, owner, id, &data.contact_ids).await
    }

    pub(crate) async fn contacts_of(
        conn: &mut Conn<B>,
        interaction: Uuid,
    ) -> crate::Result<Vec<Uuid>> {
        Ok(sqlx::query_scalar(
            "SELECT contact_id FROM interaction_contacts WHERE interaction_id = $1 ORDER BY contact_id",
        )
        .bind(interaction)
        .fetch_all(&mut *conn)
        .await?)
    }

    /// The contacts of each of the interactions, each list in id order.
    pub(crate) async fn contacts_of_each(
        conn: &mut Conn<B>,
        interactions: &[Uuid],
    ) -> crate::Result<std::collections::HashMap<Uuid, Vec<Uuid>>> {
        let mut links: std::collections::HashMap<Uuid, Vec<Uuid>> = Default::default();
        if interactions.is_empty() {
            return Ok(links);
        }
        let mut statement = Statement::<B>::new(
            "SELECT interaction_id, contact_id FROM interaction_contacts WHERE interaction_id IN (",
        );
        statement
            .push_list(interactions.iter().copied())
            .push(") ORDER BY interaction_id, contact_id");
        let (sql, args) = statement.into_parts()?;
        let rows: Vec<(Uuid, Uuid)> = sqlx::query_as_with(&sql, args)
            .fetch_all(&mut *conn)
            .await?;
        for (interaction, contact) in rows {
            links.entry(interaction).or_default().push(contact);
        }
        Ok(links)
    }

    pub(crate) async fn interaction_in(
        conn: &mut Conn<B>,
        owner: Uuid,
        id: Uuid,
    ) -> crate::Result<Option<rapport_core::network::Interaction>> {
        let row: Option<InteractionRow> = sqlx::query_as(concat!(
            "SELECT ",
            interaction_columns!(),
            " FROM interactions WHERE id = $1 AND owner_id = $2"
        ))
        .bind(id)
        .bind(owner)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let contacts = Self::contacts_of(conn, id).await?;
        row.into_api(contacts).map(Some)
    }

    /// The field naming the first of `ids` that is not a contact of
    /// `owner` (`unique`: the same ids, deduplicated).
    async fn first_not_owned(
        conn: &mut Conn<B>,
        owner: Uuid,
        ids: &[Uuid],
        unique: &[Uuid],
    ) -> crate::Result<String> {
        let mut statement = Statement::<B>::new("SELECT id FROM contacts WHERE owner_id = ");
        statement
            .push_bind(owner)
            .push(" AND id IN (")
            .push_list(unique.iter().copied())
            .push(")");
        let (sql, args) = statement.into_parts()?;
        let found: std::collections::HashSet<Uuid> = sqlx::query_scalar_with(&sql, args)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
        Ok(match ids.iter().position(|id| !found.contains(id)) {
            Some(index) => format!("contact_ids[{index}]"),
            None => "contact_ids".into(),
        })
    }

    /// Links the interaction to those of `ids` that are contacts of
    /// `owner`, in one statement; returns the ids, sorted and deduplicated,
    /// if every one is (otherwise the first that is not is reported, and
    /// the caller's transaction is dropped with what it wrote).
    pub(crate) async fn link_owned_contacts(
        conn: &mut Conn<B>,
        owner: Uuid,
        interaction: Uuid,
        ids: &[Uuid],
    ) -> crate::Result<Vec<Uuid>> {
        let mut unique = ids.to_vec();
        unique.sort();
        unique.dedup();
        if unique.is_empty() {
            return Ok(unique);
        }
        let mut statement = Statement::<B>::new(
            "INSERT INTO interaction_contacts (interaction_id, contact_id, owner_id) SELECT ",
        );
        statement
            .push_bind(interaction)
            .push(", id, owner_id FROM contacts WHERE owner_id = ")
            .push_bind(owner)
            .push(" AND id IN (")
            .push_list(unique.iter().copied())
            .push(")");
        let (sql, args) = statement.into_parts()?;
        let linked = sqlx::query_with(&sql, args)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        if linked != unique.len() as u64 {
            let field = Self::first_not_owned(conn, owner, ids, &unique).await?;
            return Err(crate::StoreError::InvalidReference { field });
        }
        Ok(unique)
    }
}

/// An interaction as it was just written: answered as is, not read back
/// (each statement of a write is a round trip its transaction stays open
/// for).
fn written(
    id: Uuid,
    contact_ids: Vec<Uuid>,
    data: rapport_core::network::NewInteraction,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
) -> rapport_core::network::Interaction {
    rapport_core::network::Interaction {
        id,
        contact_ids,
        kind: data.kind,
        occurred_on: data.occurred_on,
        depth: data.depth,
        initiated_by: data.initiated_by,
        notes: data.notes,
        follow_up_on: data.follow_up_on,
        version,
        created_at,
        updated_at,
    }
}
