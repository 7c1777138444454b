//! Imports: keeping previews, and writing a commit (or undoing one) in one
//! transaction with set-based statements (see [`crate::imports`]).

use chrono::{DateTime, NaiveDate, Utc};
use rapport_core::contact::ConnectionStatus;
use rapport_core::familiarity::InteractionFacts;
use rapport_core::import::{Import, ImportStatus};
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};
use uuid::Uuid;

use crate::backend::{Args, Conn, Db, Row, RowsAffected, Sql, SqlBackend, Statement};
use crate::imports::{ImportRecord, ImportUndo, ImportWrite, KnownContact, UndoRefusal};

use super::network::*;

/// Ids per `IN (…)` list.
const CHUNK: usize = 400;

/// Rows per multi-row INSERT of rows of `values` values each (see
/// [`SqlBackend::VALUES_PER_STATEMENT`]).
fn rows_of<B: SqlBackend>(values: usize) -> usize {
    (B::VALUES_PER_STATEMENT / values).max(1)
}

#[derive(sqlx::FromRow)]
struct ImportRow {
    status: String,
    summary: String,
    /// Not read by lists (NULL).
    plan: Option<Vec<u8>>,
    row_report: Option<Vec<u8>>,
    undo: Option<String>,
    created_at: DateTime<Utc>,
    committed_at: Option<DateTime<Utc>>,
    undone_at: Option<DateTime<Utc>>,
}

impl TryFrom<ImportRow> for ImportRecord {
    type Error = crate::StoreError;

    fn try_from(row: ImportRow) -> crate::Result<Self> {
        let mut import: Import = serde_json::from_str(&row.summary)
            .map_err(|_| crate::StoreError::corrupt("imports.summary", &row.summary))?;
        import.status = ImportStatus::parse(&row.status)
            .ok_or_else(|| crate::StoreError::corrupt("imports.status", &row.status))?;
        import.created_at = row.created_at;
        import.committed_at = row.committed_at;
        import.undone_at = row.undone_at;
        import.progress = None;
        let undo = row
            .undo
            .map(|text| {
                serde_json::from_str(&text)
                    .map_err(|_| crate::StoreError::corrupt("imports.undo", text))
            })
            .transpose()?;
        Ok(ImportRecord {
            import,
            plan: row.plan.unwrap_or_default(),
            rows: row.row_report.unwrap_or_default(),
            undo,
        })
    }
}

/// A contact's columns that an import matches and may rewrite (31 values
/// a row with the derived ones and the settings: reading 15,000 contacts
/// is a quarter of a large import's time, most of it per value).
#[derive(sqlx::FromRow)]
struct KnownContactRow {
    id: Uuid,
    #[sqlx(flatten)]
    data: ContactDataRow,
    connection_status: String,
    version: i64,
}

impl TryFrom<KnownContactRow> for KnownContact {
    type Error = crate::StoreError;

    fn try_from(row: KnownContactRow) -> crate::Result<Self> {
        Ok(KnownContact {
            id: row.id,
            version: row.version,
            data: row.data.try_into()?,
            connection_status: super::parsed(
                "contacts.connection_status",
                &row.connection_status,
                ConnectionStatus::parse,
            )?,
        })
    }
}

fn summary_of(import: &Import) -> String {
    let mut import = import.clone();
    import.progress = None;
    serde_json::to_string(&import).expect("an import serialises")
}

#[derive(sqlx::FromRow)]
struct CurrentRow {
    id: Uuid,
    version: i64,
    connection_status: String,
    connection_changed_at: Option<DateTime<Utc>>,
}

#[async_trait::async_trait]
impl<B> crate::ImportStore for B
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
    async fn create_import(&self, owner: Uuid, record: ImportRecord) -> crate::Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO imports (id, owner_id, status, format, summary, plan, row_report,
                created_at)
             VALUES ($1, $2, 'previewed', $3, $4, $5, $6, $7)",
        )
        .bind(record.import.id)
        .bind(owner)
        .bind(format_name(&record.import))
        .bind(summary_of(&record.import))
        .bind(record.plan.as_slice())
        .bind(record.rows.as_slice())
        .bind(record.import.created_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn import(&self, owner: Uuid, id: Uuid) -> crate::Result<Option<ImportRecord>> {
        let row: Option<ImportRow> = sqlx::query_as(
            "SELECT status, summary, plan, row_report, undo, created_at, committed_at, undone_at
             FROM imports WHERE id = $1 AND owner_id = $2",
        )
        .bind(id)
        .bind(owner)
        .fetch_optional(self.reader())
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn list_imports(
        &self,
        owner: Uuid,
        after: Option<&crate::Cursor>,
        limit: u32,
    ) -> crate::Result<Vec<ImportRecord>> {
        let mut statement = Statement::<B>::new(
            "SELECT status, summary, NULL AS plan, NULL AS row_report, NULL AS undo, created_at,
                committed_at, undone_at
             FROM imports WHERE owner_id = ",
        );
        statement.push_bind(owner);
        if let Some(after) = after {
            statement
                .push(" AND (created_at < ")
                .push_bind(after.created_at);
            statement
                .push(" OR (created_at = ")
                .push_bind(after.created_at);
            statement.push(" AND id < ").push_bind(after.id).push("))");
        }
        statement
            .push(" ORDER BY created_at DESC, id DESC")
            .push_limit(limit);
        let (sql, args) = statement.into_parts()?;
        let rows: Vec<ImportRow> = sqlx::query_as_with(&sql, args)
            .fetch_all(self.reader())
            .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn replace_preview(&self, owner: Uuid, record: ImportRecord) -> crate::Result<()> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE imports SET summary = $1, plan = $2, row_report = $3
             WHERE id = $4 AND owner_id = $5 AND status = 'previewed'",
        )
        .bind(summary_of(&record.import))
        .bind(record.plan.as_slice())
        .bind(record.rows.as_slice())
        .bind(record.import.id)
        .bind(owner)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed != 1 {
            return Err(crate::StoreError::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }

    async fn contacts_to_match(&self, owner: Uuid) -> crate::Result<Vec<KnownContact>> {
        let rows: Vec<KnownContactRow> = sqlx::query_as(concat!(
            "SELECT id, ",
            contact_data_columns!(),
            ", connection_status, version FROM contacts WHERE owner_id = $1
                 ORDER BY created_at, id"
        ))
        .bind(owner)
        .fetch_all(self.reader())
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn known_import_keys(&self, owner: Uuid, keys: &[String]) -> crate::Result<Vec<String>> {
        let mut conn = self.reader().acquire().await?;
        Sql::<B>::known_keys(&mut conn, owner, keys).await
    }

    async fn commit_import(
        &self,
        owner: Uuid,
        id: Uuid,
        mut write: ImportWrite,
        today: NaiveDate,
    ) -> crate::Result<Import> {
        let now = crate::now();
        let mut tx = self.begin_write().await?;
        let status: Option<String> =
            sqlx::query_scalar("SELECT status FROM imports WHERE id = $1 AND owner_id = $2")
                .bind(id)
                .bind(owner)
                .fetch_optional(&mut *tx)
                .await?;
        match status.as_deref() {
            None => return Err(crate::StoreError::NotFound),
            Some("previewed") => {}
            Some(_) => {
                return Err(crate::StoreError::Conflict(
                    "the import is not a preview any more",
                ))
            }
        }
        let mut undo = ImportUndo::default();

        // The contacts to update must be as the plan saw them.
        let update_ids: Vec<Uuid> = write.update.iter().map(|u| u.id).collect();
        let current = Sql::<B>::current_of(&mut tx, owner, &update_ids).await?;
        for update in &write.update {
            let Some(now_row) = current.get(&update.id) else {
                return Err(crate::StoreError::Stale);
            };
            if now_row.version != update.expected_version {
                return Err(crate::StoreError::Stale);
            }
        }

        // Events of a restored export first: contacts name them.
        for (event, data) in &write.restore.events {
            sqlx::query(
                "INSERT INTO events (id, owner_id, name, starts_on, ends_on, place, notes,
                    passphrase, slug, card_drop_enabled, card_drop_opens_at, card_drop_closes_at,
                    version, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $13)",
            )
            .bind(*event)
            .bind(owner)
            .bind(&data.name)
            .bind(data.starts_on)
            .bind(data.ends_on)
            .bind(&data.place)
            .bind(&data.notes)
            .bind(&data.passphrase)
            .bind(crate::events::new_slug())
            .bind(data.card_drop.enabled)
            .bind(data.card_drop.opens_at)
            .bind(data.card_drop.closes_at)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            undo.events.push(*event);
        }

        // Interactions not logged by an earlier import (the keys freed
        // before the writing starts).
        {
            let keys: Vec<String> = write
                .interactions
                .iter()
                .map(|i| i.import_key.clone())
                .collect();
            let known: std::collections::HashSet<String> =
                Sql::<B>::known_keys(&mut tx, owner, &keys)
                    .await?
                    .into_iter()
                    .collect();
            drop(keys);
            let mut seen = std::collections::HashSet::new();
            write
                .interactions
                .retain(|i| !known.contains(&i.import_key) && seen.insert(i.import_key.clone()));
        }

        // New contacts get their derived state as they are written, from
        // what this import logs about them (unless a restored export sets
        // their comfort or the settings afterwards: then it is recomputed).
        let derived = if write.restore.is_empty() {
            Sql::<B>::derived_of_new(&mut tx, owner, &write, now, today).await?
        } else {
            std::collections::HashMap::new()
        };

        // New contacts, set-based.
        for chunk in write.create.chunks(rows_of::<B>(28)) {
            let mut statement = Statement::<B>::rows(
                "INSERT INTO contacts (id, owner_id, name, emails, phones, company, title,
                    location, urls, tags, notes, met_on, met_event_id, met_place, met_context,
                    cadence_days, archived, comfort, connection_status, connection_changed_at,
                    familiarity, suggested_comfort, last_interaction_on, next_due_on,
                    familiarity_as_of, search_text, sort_name, version, created_at,
                    updated_at) VALUES ",
            );
            for (index, contact) in chunk.iter().enumerate() {
                let data = &contact.data;
                let how = data.how_met.clone().unwrap_or_default();
                let (status, since) = match contact.connection {
                    Some((status, at)) => (status, Some(at)),
                    None => (ConnectionStatus::NotConnected, None),
                };
                if index > 0 {
                    statement.push(", ");
                }
                statement.push("(").push_bind(contact.id);
                statement.push(", ").push_bind(owner);
                statement.push(", ").push_bind(data.name.clone());
                statement.push(", ").push_bind(to_json(&data.emails));
                statement.push(", ").push_bind(to_json(&data.phones));
                statement.push(", ").push_bind(data.company.clone());
                statement.push(", ").push_bind(data.title.clone());
                statement.push(", ").push_bind(data.location.clone());
                statement.push(", ").push_bind(to_json(&data.urls));
                statement.push(", ").push_bind(to_json(&data.tags));
                statement.push(", ").push_bind(data.notes.clone());
                statement.push(", ").push_bind(how.met_on);
                statement.push(", ").push_bind(how.event_id);
                statement.push(", ").push_bind(how.place);
                statement.push(", ").push_bind(how.context);
                statement
                    .push(", ")
                    .push_bind(data.cadence_days.map(i32::from));
                statement.push(", ").push_bind(data.archived);
                statement.push(", NULL, ").push_bind(status.as_str());
                statement.push(", ").push_bind(since);
                let derived = derived.get(&contact.id);
                statement
                    .push(", ")
                    .push_bind(derived.map_or(0, |d| d.familiarity));
                statement
                    .push(", ")
                    .push_bind(derived.map_or(1, |d| d.suggested));
                statement.push(", ").push_bind(derived.and_then(|d| d.last));
                statement
                    .push(", ")
                    .push_bind(derived.and_then(|d| d.next_due));
                statement.push(", ").push_bind(derived.map(|_| today));
                statement
                    .push(", ")
                    .push_bind(crate::network::search_text(data));
                statement
                    .push(", ")
                    .push_bind(crate::network::sort_name(&data.name));
                statement.push(", 1, ").push_bind(now);
                statement.push(", ").push_bind(now).push(")");
            }
            let (sql, args) = statement.into_parts()?;
            sqlx::query_with(&sql, args).execute(&mut *tx).await?;
            write.advance(chunk.len());
        }
        undo.created = write.create.iter().map(|c| (c.id, 1)).collect();

        // Updated contacts: one statement each, then their keys at once.
        for update in &write.update {
            let before = &current[&update.id];
            let changed = Sql::<B>::bind_contact(
                sqlx::query(
                    "UPDATE contacts SET name = $3, emails = $4, phones = $5, company = $6,
                        title = $7, location = $8, urls = $9, tags = $10, notes = $11,
                        met_on = $12, met_event_id = $13, met_place = $14, met_context = $15,
                        introduced_by = $16, cadence_days = $17, archived = $18,
                        search_text = $19, sort_name = $20, version = version + 1,
                        updated_at = $21
                     WHERE id = $1 AND owner_id = $2",
                ),
                update.id,
                owner,
                &update.data,
                now,
            )
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed != 1 {
                return Err(crate::StoreError::Stale);
            }
            write.advance(1);
            if let Some((status, at)) = update.connection {
                sqlx::query(
                    "UPDATE contacts SET connection_status = $1, connection_changed_at = $2
                     WHERE id = $3 AND owner_id = $4",
                )
                .bind(status.as_str())
                .bind(at)
                .bind(update.id)
                .bind(owner)
                .execute(&mut *tx)
                .await?;
            }
            undo.updated.push(crate::imports::UndoUpdate {
                id: update.id,
                version: update.expected_version + 1,
                before: update.before.clone(),
                connection_status: ConnectionStatus::parse(&before.connection_status).ok_or_else(
                    || {
                        crate::StoreError::corrupt(
                            "contacts.connection_status",
                            &before.connection_status,
                        )
                    },
                )?,
                connection_changed_at: before.connection_changed_at,
            });
        }
        Sql::<B>::forget_keys(&mut tx, owner, &update_ids).await?;
        let written: Vec<(Uuid, &rapport_core::contact::NewContact)> = write
            .create
            .iter()
            .map(|c| (c.id, &c.data))
            .chain(write.update.iter().map(|u| (u.id, &u.data)))
            .collect();
        Sql::<B>::write_keys_of(&mut tx, owner, &written).await?;

        // Connection history: where a status was set, from where it was.
        let mut changes = Vec::new();
        for contact in &write.create {
            if let Some((status, at)) = contact.connection {
                changes.push((contact.id, ConnectionStatus::NotConnected, status, at));
            }
        }
        for update in &write.update {
            if let Some((status, at)) = update.connection {
                let from = ConnectionStatus::parse(&current[&update.id].connection_status)
                    .unwrap_or(ConnectionStatus::NotConnected);
                if from != status {
                    changes.push((update.id, from, status, at));
                }
            }
        }
        for chunk in changes.chunks(rows_of::<B>(7)) {
            let mut statement = Statement::<B>::rows(
                "INSERT INTO connection_changes (id, owner_id, contact_id, from_status, to_status,
                    note, created_at) VALUES ",
            );
            for (index, (contact, from, to, at)) in chunk.iter().enumerate() {
                let change = crate::new_row_id();
                undo.connection_changes.push(change);
                if index > 0 {
                    statement.push(", ");
                }
                statement.push("(").push_bind(change);
                statement.push(", ").push_bind(owner);
                statement.push(", ").push_bind(*contact);
                statement.push(", ").push_bind(from.as_str());
                statement.push(", ").push_bind(to.as_str());
                statement.push(", 'imported', ").push_bind(*at).push(")");
            }
            let (sql, args) = statement.into_parts()?;
            sqlx::query_with(&sql, args).execute(&mut *tx).await?;
        }

        // Interactions to log.
        let mut links = Vec::new();
        // Contacts whose derived state is not written yet.
        let mut touched: std::collections::BTreeSet<Uuid> = written
            .iter()
            .map(|(id, _)| *id)
            .filter(|id| !derived.contains_key(id))
            .collect();
        for chunk in write.interactions.chunks(rows_of::<B>(12)) {
            let mut statement = Statement::<B>::rows(
                "INSERT INTO interactions (id, owner_id, kind, occurred_on, depth, initiated_by,
                    notes, follow_up_on, version, created_at, updated_at, import_key) VALUES ",
            );
            for (index, interaction) in chunk.iter().enumerate() {
                let data = &interaction.data;
                let id = crate::new_row_id();
                undo.interactions.push(id);
                for contact in &data.contact_ids {
                    links.push((id, *contact, owner));
                    if !derived.contains_key(contact) {
                        touched.insert(*contact);
                    }
                }
                if index > 0 {
                    statement.push(", ");
                }
                statement.push("(").push_bind(id);
                statement.push(", ").push_bind(owner);
                statement.push(", ").push_bind(data.kind.as_str());
                statement.push(", ").push_bind(data.occurred_on);
                statement.push(", ").push_bind(data.depth.as_str());
                statement.push(", ").push_bind(data.initiated_by.as_str());
                statement.push(", ").push_bind(data.notes.clone());
                statement.push(", ").push_bind(data.follow_up_on);
                statement.push(", 1, ").push_bind(now);
                statement.push(", ").push_bind(now);
                statement
                    .push(", ")
                    .push_bind(interaction.import_key.clone())
                    .push(")");
            }
            let (sql, args) = statement.into_parts()?;
            sqlx::query_with(&sql, args).execute(&mut *tx).await?;
            write.advance(chunk.len());
        }
        Sql::<B>::insert_rows(
            &mut tx,
            "INSERT INTO interaction_contacts (interaction_id, contact_id, owner_id) VALUES ",
            links,
        )
        .await?;
        Sql::<B>::restore(&mut tx, owner, &write.restore).await?;
        let touched: Vec<Uuid> = touched.into_iter().collect();
        Sql::<B>::recompute(&mut tx, &touched, today).await?;

        let mut import = write.import;
        import.status = ImportStatus::Committed;
        import.committed_at = Some(now);
        import.result = Some(crate::imports::result_of(
            &write.create,
            &write.update,
            undo.interactions.len(),
            undo.connection_changes.len(),
        ));
        let undo_text = serde_json::to_string(&undo).expect("an undo serialises");
        sqlx::query(
            "UPDATE imports SET status = 'committed', summary = $1, row_report = $2, undo = $3,
                committed_at = $4, plan = ''
             WHERE id = $5 AND owner_id = $6",
        )
        .bind(summary_of(&import))
        .bind(write.rows.as_slice())
        .bind(undo_text)
        .bind(now)
        .bind(id)
        .bind(owner)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(import)
    }

    async fn undo_import(
        &self,
        owner: Uuid,
        id: Uuid,
        today: NaiveDate,
    ) -> crate::Result<Result<Import, UndoRefusal>> {
        let now = crate::now();
        let mut tx = self.begin_write().await?;
        let row: Option<ImportRow> = sqlx::query_as(
            "SELECT status, summary, NULL AS plan, NULL AS row_report, undo, created_at, committed_at,
                undone_at
             FROM imports WHERE id = $1 AND owner_id = $2",
        )
        .bind(id)
        .bind(owner)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(record) = row.map(ImportRecord::try_from).transpose()? else {
            return Err(crate::StoreError::NotFound);
        };
        let (ImportStatus::Committed, Some(undo)) = (record.import.status, record.undo) else {
            return Ok(Err(UndoRefusal::NotCommitted));
        };

        // Refused when anything it wrote was changed since.
        let created: Vec<Uuid> = undo.created.iter().map(|(id, _)| *id).collect();
        let updated: Vec<Uuid> = undo.updated.iter().map(|u| u.id).collect();
        let mut all = created.clone();
        all.extend(&updated);
        let current = Sql::<B>::current_of(&mut tx, owner, &all).await?;
        let mut changed: Vec<Uuid> = undo
            .created
            .iter()
            .filter(|(id, version)| current.get(id).is_some_and(|c| c.version != *version))
            .map(|(id, _)| *id)
            .chain(
                undo.updated
                    .iter()
                    .filter(|u| current.get(&u.id).is_none_or(|c| c.version != u.version))
                    .map(|u| u.id),
            )
            .collect();
        changed
            .extend(Sql::<B>::touched_since(&mut tx, owner, &created, &undo.interactions).await?);
        changed.sort();
        changed.dedup();
        if !changed.is_empty() {
            return Ok(Err(UndoRefusal::ChangedSince(changed)));
        }

        for chunk in undo.interactions.chunks(CHUNK) {
            let mut statement = Statement::<B>::new("DELETE FROM interactions WHERE owner_id = ");
            statement.push_bind(owner).push(" AND id IN (");
            statement.push_list(chunk.iter().copied()).push(")");
            let (sql, args) = statement.into_parts()?;
            sqlx::query_with(&sql, args).execute(&mut *tx).await?;
        }
        for chunk in undo.connection_changes.chunks(CHUNK) {
            let mut statement =
                Statement::<B>::new("DELETE FROM connection_changes WHERE owner_id = ");
            statement.push_bind(owner).push(" AND id IN (");
            statement.push_list(chunk.iter().copied()).push(")");
            let (sql, args) = statement.into_parts()?;
            sqlx::query_with(&sql, args).execute(&mut *tx).await?;
        }
        for chunk in created.chunks(CHUNK) {
            let mut statement = Statement::<B>::new("DELETE FROM contacts WHERE owner_id = ");
            statement.push_bind(owner).push(" AND id IN (");
            statement.push_list(chunk.iter().copied()).push(")");
            let (sql, args) = statement.into_parts()?;
            sqlx::query_with(&sql, args).execute(&mut *tx).await?;
        }
        for chunk in undo.events.chunks(CHUNK) {
            let mut statement = Statement::<B>::new("DELETE FROM events WHERE owner_id = ");
            statement.push_bind(owner).push(" AND id IN (");
            statement.push_list(chunk.iter().copied()).push(")");
            let (sql, args) = statement.into_parts()?;
            sqlx::query_with(&sql, args).execute(&mut *tx).await?;
        }
        for update in &undo.updated {
            Sql::<B>::bind_contact(
                sqlx::query(
                    "UPDATE contacts SET name = $3, emails = $4, phones = $5, company = $6,
                        title = $7, location = $8, urls = $9, tags = $10, notes = $11,
                        met_on = $12, met_event_id = $13, met_place = $14, met_context = $15,
                        introduced_by = $16, cadence_days = $17, archived = $18,
                        search_text = $19, sort_name = $20, version = version + 1,
                        updated_at = $21
                     WHERE id = $1 AND owner_id = $2",
                ),
                update.id,
                owner,
                &update.before,
                now,
            )
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE contacts SET connection_status = $1, connection_changed_at = $2
                 WHERE id = $3 AND owner_id = $4",
            )
            .bind(update.connection_status.as_str())
            .bind(update.connection_changed_at)
            .bind(update.id)
            .bind(owner)
            .execute(&mut *tx)
            .await?;
        }
        Sql::<B>::forget_keys(&mut tx, owner, &updated).await?;
        let restored: Vec<(Uuid, &rapport_core::contact::NewContact)> =
            undo.updated.iter().map(|u| (u.id, &u.before)).collect();
        Sql::<B>::write_keys_of(&mut tx, owner, &restored).await?;
        Sql::<B>::recompute(&mut tx, &updated, today).await?;

        let mut import = record.import;
        import.status = ImportStatus::Undone;
        import.undone_at = Some(now);
        sqlx::query(
            "UPDATE imports SET status = 'undone', summary = $1, undone_at = $2
             WHERE id = $3 AND owner_id = $4",
        )
        .bind(summary_of(&import))
        .bind(now)
        .bind(id)
        .bind(owner)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ok(import))
    }
}

fn format_name(import: &Import) -> String {
    serde_json::to_value(import.format)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

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
    /// The histories, state, introductions and settings of a restored
    /// export (after its contacts are written).
    async fn restore(
        conn: &mut Conn<B>,
        owner: Uuid,
        restore: &crate::imports::RestoreWrite,
    ) -> crate::Result<()> {
        for chunk in restore.comfort_history.chunks(rows_of::<B>(6)) {
            let mut statement = Statement::<B>::rows(
                "INSERT INTO comfort_ratings (id, owner_id, contact_id, rating, reason, created_at)
                 VALUES ",
            );
            for (index, (contact, rating)) in chunk.iter().enumerate() {
                if index > 0 {
                    statement.push(", ");
                }
                statement.push("(").push_bind(crate::new_row_id());
                statement.push(", ").push_bind(owner);
                statement.push(", ").push_bind(*contact);
                statement.push(", ").push_bind(rating.rating.map(i32::from));
                statement.push(", ").push_bind(rating.reason.clone());
                statement.push(", ").push_bind(rating.created_at).push(")");
            }
            let (sql, args) = statement.into_parts()?;
            sqlx::query_with(&sql, args).execute(&mut *conn).await?;
        }
        for chunk in restore.connection_history.chunks(rows_of::<B>(7)) {
            let mut statement = Statement::<B>::rows(
                "INSERT INTO connection_changes (id, owner_id, contact_id, from_status, to_status,
                    note, created_at) VALUES ",
            );
            for (index, (contact, change)) in chunk.iter().enumerate() {
                if index > 0 {
                    statement.push(", ");
                }
                statement.push("(").push_bind(crate::new_row_id());
                statement.push(", ").push_bind(owner);
                statement.push(", ").push_bind(*contact);
                statement.push(", ").push_bind(change.from_status.as_str());
                statement.push(", ").push_bind(change.to_status.as_str());
                statement.push(", ").push_bind(change.note.clone());
                statement.push(", ").push_bind(change.created_at).push(")");
            }
            let (sql, args) = statement.into_parts()?;
            sqlx::query_with(&sql, args).execute(&mut *conn).await?;
        }
        for state in &restore.states {
            sqlx::query(
                "UPDATE contacts SET comfort = $1, connection_status = $2,
                    connection_changed_at = $3, snoozed_until = $4, introduced_by = $5
                 WHERE id = $6 AND owner_id = $7",
            )
            .bind(state.comfort.map(i32::from))
            .bind(state.connection_status.as_str())
            .bind(state.connection_changed_at)
            .bind(state.snoozed_until)
            .bind(state.introduced_by)
            .bind(state.id)
            .bind(owner)
            .execute(&mut *conn)
            .await?;
        }
        for chunk in restore.introductions.chunks(rows_of::<B>(10)) {
            let mut statement = Statement::<B>::rows(
                "INSERT INTO introductions (id, owner_id, contact_a, contact_b, reason, status,
                    outcome, status_changed_at, version, created_at, updated_at) VALUES ",
            );
            for (index, intro) in chunk.iter().enumerate() {
                if index > 0 {
                    statement.push(", ");
                }
                statement.push("(").push_bind(crate::new_row_id());
                statement.push(", ").push_bind(owner);
                statement.push(", ").push_bind(intro.contact_a);
                statement.push(", ").push_bind(intro.contact_b);
                statement.push(", ").push_bind(intro.reason.clone());
                statement.push(", ").push_bind(intro.status.clone());
                statement.push(", ").push_bind(intro.outcome.clone());
                statement.push(", ").push_bind(intro.status_changed_at);
                statement.push(", 1, ").push_bind(intro.created_at);
                statement
                    .push(", ")
                    .push_bind(intro.status_changed_at)
                    .push(")");
            }
            let (sql, args) = statement.into_parts()?;
            sqlx::query_with(&sql, args).execute(&mut *conn).await?;
        }
        if let Some(settings) = &restore.settings {
            sqlx::query(
                "INSERT INTO user_settings
                    (user_id, connection_policy, familiarity_threshold, comfort_threshold,
                     default_cadence_days, updated_at)
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
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }

    /// Version and connection state of some of the owner's contacts.
    async fn current_of(
        conn: &mut Conn<B>,
        owner: Uuid,
        ids: &[Uuid],
    ) -> crate::Result<std::collections::HashMap<Uuid, CurrentRow>> {
        let mut found = std::collections::HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            let mut statement = Statement::<B>::new(
                "SELECT id, version, connection_status, connection_changed_at FROM contacts
                 WHERE owner_id = ",
            );
            statement.push_bind(owner).push(" AND id IN (");
            statement.push_list(chunk.iter().copied()).push(")");
            let (sql, args) = statement.into_parts()?;
            let rows: Vec<CurrentRow> = sqlx::query_as_with(&sql, args)
                .fetch_all(&mut *conn)
                .await?;
            found.extend(rows.into_iter().map(|row| (row.id, row)));
        }
        Ok(found)
    }

    /// Of the created contacts, those with an interaction the import did not
    /// log, or a comfort rating.
    async fn touched_since(
        conn: &mut Conn<B>,
        owner: Uuid,
        created: &[Uuid],
        logged: &[Uuid],
    ) -> crate::Result<Vec<Uuid>> {
        let logged: std::collections::HashSet<&Uuid> = logged.iter().collect();
        let mut touched = Vec::new();
        for chunk in created.chunks(CHUNK) {
            let mut statement = Statement::<B>::new(
                "SELECT contact_id, interaction_id FROM interaction_contacts WHERE owner_id = ",
            );
            statement.push_bind(owner).push(" AND contact_id IN (");
            statement.push_list(chunk.iter().copied()).push(")");
            let (sql, args) = statement.into_parts()?;
            let rows: Vec<(Uuid, Uuid)> = sqlx::query_as_with(&sql, args)
                .fetch_all(&mut *conn)
                .await?;
            touched.extend(
                rows.into_iter()
                    .filter(|(_, interaction)| !logged.contains(interaction))
                    .map(|(contact, _)| contact),
            );
            let mut statement =
                Statement::<B>::new("SELECT contact_id FROM comfort_ratings WHERE owner_id = ");
            statement.push_bind(owner).push(" AND contact_id IN (");
            statement.push_list(chunk.iter().copied()).push(")");
            let (sql, args) = statement.into_parts()?;
            let rated: Vec<Uuid> = sqlx::query_scalar_with(&sql, args)
                .fetch_all(&mut *conn)
                .await?;
            touched.extend(rated);
        }
        Ok(touched)
    }

    async fn known_keys(
        conn: &mut Conn<B>,
        owner: Uuid,
        keys: &[String],
    ) -> crate::Result<Vec<String>> {
        let mut known = Vec::new();
        for chunk in keys.chunks(CHUNK) {
            let mut statement =
                Statement::<B>::new("SELECT import_key FROM interactions WHERE owner_id = ");
            statement.push_bind(owner).push(" AND import_key IN (");
            statement.push_list(chunk.iter().cloned()).push(")");
            let (sql, args) = statement.into_parts()?;
            let found: Vec<String> = sqlx::query_scalar_with(&sql, args)
                .fetch_all(&mut *conn)
                .await?;
            known.extend(found);
        }
        Ok(known)
    }

    /// The derived state of the contacts an import creates, from the
    /// interactions it logs with them and the owner's default cadence.
    async fn derived_of_new(
        conn: &mut Conn<B>,
        owner: Uuid,
        write: &ImportWrite,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> crate::Result<std::collections::HashMap<Uuid, Derived>> {
        let cadence: Option<Option<i32>> =
            sqlx::query_scalar("SELECT default_cadence_days FROM user_settings WHERE user_id = $1")
                .bind(owner)
                .fetch_optional(&mut *conn)
                .await?;
        let default_cadence = match cadence {
            Some(days) => super::days("user_settings.default_cadence_days", days)?,
            None => rapport_core::network::Settings::default().default_cadence_days,
        };
        let mut facts: std::collections::HashMap<Uuid, Vec<InteractionFacts>> =
            write.create.iter().map(|c| (c.id, Vec::new())).collect();
        for interaction in &write.interactions {
            let data = &interaction.data;
            for contact in &data.contact_ids {
                if let Some(facts) = facts.get_mut(contact) {
                    facts.push(InteractionFacts {
                        kind: data.kind,
                        depth: data.depth,
                        initiated_by: data.initiated_by,
                        occurred_on: data.occurred_on,
                    });
                }
            }
        }
        Ok(write
            .create
            .iter()
            .map(|contact| {
                let data = &contact.data;
                let schedule = Schedule {
                    met_on: data.how_met.as_ref().and_then(|how| how.met_on),
                    added_on: now.date_naive(),
                    cadence: data.cadence_days.or(default_cadence),
                    archived: data.archived,
                    snoozed_until: None,
                };
                (
                    contact.id,
                    derive(&facts[&contact.id], None, schedule, today),
                )
            })
            .collect())
    }

    /// Drops the lookup keys, words and tags of contacts about to be
    /// rewritten.
    async fn forget_keys(conn: &mut Conn<B>, owner: Uuid, ids: &[Uuid]) -> crate::Result<()> {
        for table in ["contact_keys", "contact_tags", "contact_words"] {
            for chunk in ids.chunks(CHUNK) {
                let mut statement =
                    Statement::<B>::new(format!("DELETE FROM {table} WHERE owner_id = "));
                statement.push_bind(owner).push(" AND contact_id IN (");
                statement.push_list(chunk.iter().copied()).push(")");
                let (sql, args) = statement.into_parts()?;
                sqlx::query_with(&sql, args).execute(&mut *conn).await?;
            }
        }
        Ok(())
    }

    /// Writes the lookup keys, words and tags of many contacts at once, and
    /// brings the team index along.
    pub(crate) async fn write_keys_of(
        conn: &mut Conn<B>,
        owner: Uuid,
        contacts: &[(Uuid, &rapport_core::contact::NewContact)],
    ) -> crate::Result<()> {
        let mut keys = Vec::new();
        let mut words = Vec::new();
        let mut tags = Vec::new();
        for (id, data) in contacts {
            keys.extend(
                crate::network::contact_keys(data)
                    .into_iter()
                    .map(|k| (owner, *id, k)),
            );
            words.extend(
                crate::network::contact_words(data)
                    .into_iter()
                    .map(|w| (owner, *id, w)),
            );
            let mut own: Vec<String> = data.tags.iter().map(|t| t.to_lowercase()).collect();
            own.sort();
            own.dedup();
            tags.extend(own.into_iter().map(|t| (owner, *id, t)));
        }
        // In index order: each page of the index is written once.
        keys.sort_by(|a, b| a.2.cmp(&b.2));
        words.sort_by(|a, b| a.2.cmp(&b.2));
        tags.sort_by(|a, b| a.2.cmp(&b.2));
        Self::insert_rows(
            &mut *conn,
            "INSERT INTO contact_keys (owner_id, contact_id, key) VALUES ",
            keys,
        )
        .await?;
        Self::insert_rows(
            &mut *conn,
            "INSERT INTO contact_words (owner_id, contact_id, word) VALUES ",
            words,
        )
        .await?;
        Self::insert_rows(
            &mut *conn,
            "INSERT INTO contact_tags (owner_id, contact_id, tag) VALUES ",
            tags,
        )
        .await?;
        // What the owner's teams may find of them, in the same transaction.
        Self::index_contacts(conn, owner, contacts, None).await
    }
}
