//! Events and their card drop (see [`crate::backend`]). The card drop
//! writes contacts through the contacts' shared statements
//! (`insert_contact`, `contact_in`, `write_keys_and_tags`, `recompute`).

use chrono::{DateTime, NaiveDate, Utc};
use rapport_core::contact::{HowMet, NewContact, LIST_MAX, NOTES_MAX};
use rapport_core::event::{CardDrop, NewEvent};
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};
use uuid::Uuid;

use crate::backend::{Args, Conn, Db, Row, RowsAffected, Sql, SqlBackend, Statement};

use crate::events::{DroppedCard, EventRecord};
use crate::network::normalize_url;

macro_rules! event_columns {
    () => {
        "id, owner_id, name, starts_on, ends_on, place, notes, passphrase, slug, \
         card_drop_enabled, card_drop_opens_at, card_drop_closes_at, version, created_at, updated_at, \
         (SELECT COUNT(*) FROM contacts c WHERE c.met_event_id = events.id \
            AND c.owner_id = events.owner_id) AS contact_count"
    };
}

#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    id: Uuid,
    owner_id: Uuid,
    name: String,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
    place: Option<String>,
    notes: Option<String>,
    passphrase: Option<String>,
    slug: String,
    card_drop_enabled: bool,
    card_drop_opens_at: Option<DateTime<Utc>>,
    card_drop_closes_at: Option<DateTime<Utc>>,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    contact_count: i64,
}

impl From<EventRow> for EventRecord {
    fn from(row: EventRow) -> Self {
        EventRecord {
            id: row.id,
            owner_id: row.owner_id,
            data: NewEvent {
                name: row.name,
                starts_on: row.starts_on,
                ends_on: row.ends_on,
                place: row.place,
                notes: row.notes,
                passphrase: row.passphrase,
                card_drop: CardDrop {
                    enabled: row.card_drop_enabled,
                    opens_at: row.card_drop_opens_at,
                    closes_at: row.card_drop_closes_at,
                },
            },
            slug: row.slug,
            contact_count: row.contact_count,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// The lookup keys of a card, strongest first: an email names one person
/// more surely than a profile URL.
pub(crate) fn card_keys(card: &DroppedCard) -> Vec<String> {
    let mut keys = Vec::new();
    if let Some(email) = &card.email {
        keys.push(format!("email:{}", email.to_lowercase()));
    }
    if let Some(url) = &card.url {
        keys.push(format!("url:{}", normalize_url(url)));
    }
    keys
}

fn met_at(event: Uuid, starts_on: NaiveDate, context: &str) -> HowMet {
    HowMet {
        met_on: Some(starts_on),
        event_id: Some(event),
        context: Some(context.to_owned()),
        ..HowMet::default()
    }
}

/// A new contact from a card, met at the event.
pub(crate) fn contact_from_card(
    card: &DroppedCard,
    event: Uuid,
    starts_on: NaiveDate,
    context: &str,
) -> NewContact {
    NewContact {
        name: card.name.clone(),
        emails: card.email.iter().cloned().collect(),
        urls: card.url.iter().cloned().collect(),
        how_met: Some(met_at(event, starts_on, context)),
        ..NewContact::default()
    }
}

/// Fills in what a matched contact lacks: the card's email and URL, the
/// first meeting, and (when the first meeting is already known) the card's
/// note in the notes. Never overwrites. Returns whether anything changed.
pub(crate) fn complete_with_card(
    data: &mut NewContact,
    card: &DroppedCard,
    event: Uuid,
    starts_on: NaiveDate,
    context: &str,
) -> bool {
    let mut changed = false;
    if let Some(email) = &card.email {
        let known = data.emails.iter().any(|e| e.eq_ignore_ascii_case(email));
        if !known && data.emails.len() < LIST_MAX {
            data.emails.push(email.clone());
            changed = true;
        }
    }
    if let Some(url) = &card.url {
        let key = normalize_url(url);
        let known = data.urls.iter().any(|u| normalize_url(u) == key);
        if !known && data.urls.len() < LIST_MAX {
            data.urls.push(url.clone());
            changed = true;
        }
    }
    if data.how_met.is_none() {
        data.how_met = Some(met_at(event, starts_on, context));
        changed = true;
    } else if card.note.is_some() {
        let notes = data.notes.get_or_insert_with(String::new);
        let fits = notes.chars().count() + context.chars().count() + 2 <= NOTES_MAX;
        if !notes.contains(context) && fits {
            if !notes.is_empty() {
                notes.push_str("\n\n");
            }
            notes.push_str(context);
            changed = true;
        }
        if notes.is_empty() {
            data.notes = None;
        }
    }
    changed
}

#[async_trait::async_trait]
impl<B> crate::EventStore for B
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
    async fn create_event(
        &self,
        owner: Uuid,
        data: rapport_core::event::NewEvent,
    ) -> crate::Result<crate::EventRecord> {
        // A slug clash is all but impossible; a few fresh tries settle it.
        let mut attempts = 0;
        loop {
            attempts += 1;
            let id = crate::new_row_id();
            let now = crate::now();
            let mut tx = self.begin_write().await?;
            let inserted = sqlx::query(
                "INSERT INTO events (id, owner_id, name, starts_on, ends_on, place, notes,
                    passphrase, slug, card_drop_enabled, card_drop_opens_at, card_drop_closes_at,
                    version, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $13)",
            )
            .bind(id)
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
            .await;
            match inserted.map_err(crate::StoreError::from) {
                Err(crate::StoreError::Duplicate) if attempts < 5 => continue,
                Err(other) => return Err(other),
                Ok(_) => {}
            }
            let record = Sql::<B>::event_in(&mut tx, owner, id)
                .await?
                .ok_or(crate::StoreError::NotFound)?;
            tx.commit().await?;
            return Ok(record);
        }
    }

    async fn event(&self, owner: Uuid, id: Uuid) -> crate::Result<Option<crate::EventRecord>> {
        let mut conn = self.reader().acquire().await?;
        Sql::<B>::event_in(&mut conn, owner, id).await
    }

    async fn update_event(
        &self,
        owner: Uuid,
        id: Uuid,
        expected_version: i64,
        data: rapport_core::event::NewEvent,
    ) -> crate::Result<crate::EventRecord> {
        let mut tx = self.begin_write().await?;
        Sql::<B>::check_event_version(&mut tx, owner, id, expected_version).await?;
        let updated = sqlx::query(
            "UPDATE events SET name = $3, starts_on = $4, ends_on = $5, place = $6, notes = $7,
                passphrase = $8, card_drop_enabled = $9, card_drop_opens_at = $10,
                card_drop_closes_at = $11, version = version + 1, updated_at = $12
             WHERE id = $1 AND owner_id = $2 AND version = $13",
        )
        .bind(id)
        .bind(owner)
        .bind(&data.name)
        .bind(data.starts_on)
        .bind(data.ends_on)
        .bind(&data.place)
        .bind(&data.notes)
        .bind(&data.passphrase)
        .bind(data.card_drop.enabled)
        .bind(data.card_drop.opens_at)
        .bind(data.card_drop.closes_at)
        .bind(crate::now())
        .bind(expected_version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated != 1 {
            return Err(crate::StoreError::Stale);
        }
        let record = Sql::<B>::event_in(&mut tx, owner, id)
            .await?
            .ok_or(crate::StoreError::NotFound)?;
        tx.commit().await?;
        Ok(record)
    }

    async fn delete_event(
        &self,
        owner: Uuid,
        id: Uuid,
        expected_version: i64,
    ) -> crate::Result<()> {
        let mut tx = self.begin_write().await?;
        Sql::<B>::check_event_version(&mut tx, owner, id, expected_version).await?;
        // The contacts met there stay; losing the link changes them,
        // so their version moves on too.
        sqlx::query(
            "UPDATE contacts SET met_event_id = NULL, version = version + 1, updated_at = $3
             WHERE owner_id = $1 AND met_event_id = $2",
        )
        .bind(owner)
        .bind(id)
        .bind(crate::now())
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM events WHERE id = $1 AND owner_id = $2")
            .bind(id)
            .bind(owner)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn list_events(
        &self,
        owner: Uuid,
        query: &crate::EventQuery,
    ) -> crate::Result<Vec<crate::EventRecord>> {
        let mut qb = Statement::<B>::new(concat!(
            "SELECT ",
            event_columns!(),
            " FROM events WHERE owner_id = "
        ));
        qb.push_bind(owner);
        if let Some(q) = &query.q {
            let pattern = crate::network::like_pattern(q);
            qb.push(" AND (lower(name) LIKE ")
                .push_bind(pattern.clone())
                .push(" ESCAPE '\\' OR lower(COALESCE(place, '')) LIKE ")
                .push_bind(pattern.clone())
                .push(" ESCAPE '\\' OR lower(COALESCE(notes, '')) LIKE ")
                .push_bind(pattern)
                .push(" ESCAPE '\\')");
        }
        if let Some((day, id)) = query.after {
            qb.push(" AND (starts_on, id) < (")
                .push_bind(day)
                .push(", ")
                .push_bind(id)
                .push(")");
        }
        qb.push(" ORDER BY starts_on DESC, id DESC")
            .push_limit(query.limit);
        let rows: Vec<EventRow> = {
            let (sql, args) = qb.into_parts()?;
            sqlx::query_as_with(&sql, args)
                .fetch_all(self.reader())
                .await?
        };
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn event_by_slug(&self, slug: &str) -> crate::Result<Option<crate::EventRecord>> {
        let row: Option<EventRow> = sqlx::query_as(concat!(
            "SELECT ",
            event_columns!(),
            " FROM events WHERE slug = $1"
        ))
        .bind(crate::events::normalize_slug(slug))
        .fetch_optional(self.reader())
        .await?;
        Ok(row.map(Into::into))
    }

    async fn drop_card(
        &self,
        owner: Uuid,
        event: Uuid,
        card: crate::DroppedCard,
        today: NaiveDate,
    ) -> crate::Result<crate::CardDropOutcome> {
        let mut tx = self.begin_write().await?;
        // Lock the event's row first (a no-op write): concurrent drops
        // at one event take turns, so the second sees the first's
        // contact instead of adding the same person again.
        let locked =
            sqlx::query("UPDATE events SET version = version WHERE id = $1 AND owner_id = $2")
                .bind(event)
                .bind(owner)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if locked != 1 {
            return Err(crate::StoreError::NotFound);
        }
        let (event_name, starts_on): (String, NaiveDate) =
            sqlx::query_as("SELECT name, starts_on FROM events WHERE id = $1")
                .bind(event)
                .fetch_one(&mut *tx)
                .await?;
        let context = rapport_core::event::card_drop_context(&event_name, card.note.as_deref());
        let mut matched: Option<Uuid> = None;
        for key in card_keys(&card) {
            matched = sqlx::query_scalar(
                "SELECT k.contact_id FROM contact_keys k JOIN contacts c ON c.id = k.contact_id
                 WHERE k.owner_id = $1 AND k.key = $2 ORDER BY c.created_at, c.id LIMIT 1",
            )
            .bind(owner)
            .bind(key)
            .fetch_optional(&mut *tx)
            .await?;
            if matched.is_some() {
                break;
            }
        }
        let outcome = match matched {
            Some(id) => {
                let record = Sql::<B>::contact_in(&mut tx, owner, id)
                    .await?
                    .ok_or(crate::StoreError::NotFound)?;
                let mut data = record.data;
                if complete_with_card(&mut data, &card, event, starts_on, &context) {
                    Sql::<B>::rewrite_contact_from_card(&mut tx, owner, id, &data).await?;
                    Sql::<B>::recompute(&mut tx, &[id], today).await?;
                }
                crate::CardDropOutcome::Updated(id)
            }
            None => {
                let data = contact_from_card(&card, event, starts_on, &context);
                let id = Sql::<B>::insert_contact(&mut tx, owner, &data, crate::now()).await?;
                Sql::<B>::recompute(&mut tx, &[id], today).await?;
                crate::CardDropOutcome::Created(id)
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }
}

/// Statements shared by the event methods.
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
    pub(crate) async fn event_in(
        conn: &mut Conn<B>,
        owner: Uuid,
        id: Uuid,
    ) -> crate::Result<Option<crate::EventRecord>> {
        let row: Option<EventRow> = sqlx::query_as(concat!(
            "SELECT ",
            event_columns!(),
            " FROM events WHERE id = $1 AND owner_id = $2"
        ))
        .bind(id)
        .bind(owner)
        .fetch_optional(&mut *conn)
        .await?;
        Ok(row.map(Into::into))
    }

    /// NotFound for someone else's event, Stale for an old version.
    pub(crate) async fn check_event_version(
        conn: &mut Conn<B>,
        owner: Uuid,
        id: Uuid,
        expected_version: i64,
    ) -> crate::Result<()> {
        let current: Option<i64> =
            sqlx::query_scalar("SELECT version FROM events WHERE id = $1 AND owner_id = $2")
                .bind(id)
                .bind(owner)
                .fetch_optional(&mut *conn)
                .await?;
        match current {
            None => Err(crate::StoreError::NotFound),
            Some(version) if version != expected_version => Err(crate::StoreError::Stale),
            Some(_) => Ok(()),
        }
    }

    /// Writes a contact completed by a card: its editable fields,
    /// a new version, and (cleared as `update_contact` does, then
    /// rewritten) its lookup keys, tags and search words.
    pub(crate) async fn rewrite_contact_from_card(
        conn: &mut Conn<B>,
        owner: Uuid,
        id: Uuid,
        data: &rapport_core::contact::NewContact,
    ) -> crate::Result<()> {
        let how = data.how_met.clone().unwrap_or_default();
        sqlx::query(
            "UPDATE contacts SET emails = $3, urls = $4, notes = $5, met_on = $6,
                met_event_id = $7, met_place = $8, met_context = $9, introduced_by = $10,
                search_text = $11, version = version + 1, updated_at = $12
             WHERE id = $1 AND owner_id = $2",
        )
        .bind(id)
        .bind(owner)
        .bind(crate::sql::network::to_json(&data.emails))
        .bind(crate::sql::network::to_json(&data.urls))
        .bind(&data.notes)
        .bind(how.met_on)
        .bind(how.event_id)
        .bind(&how.place)
        .bind(&how.context)
        .bind(how.introduced_by)
        .bind(crate::network::search_text(data))
        .bind(crate::now())
        .execute(&mut *conn)
        .await?;
        sqlx::query("DELETE FROM contact_keys WHERE contact_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM contact_tags WHERE contact_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM contact_words WHERE contact_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        Self::write_keys_and_tags(&mut *conn, owner, id, data).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn card() -> DroppedCard {
        DroppedCard {
            name: "Grace Hopper".into(),
            email: Some("grace@example.com".into()),
            url: Some("https://www.linkedin.com/in/grace/".into()),
            note: None,
        }
    }

    #[test]
    pub(crate) fn a_card_is_found_again_by_email_first_then_url() {
        assert_eq!(
            card_keys(&card()),
            ["email:grace@example.com", "url:linkedin.com/in/grace"]
        );
    }

    #[test]
    pub(crate) fn a_matched_contact_is_completed_never_overwritten() {
        let event = Uuid::new_v4();
        let day = NaiveDate::from_ymd_opt(2026, 9, 8).unwrap();
        let mut data = NewContact {
            name: "Amazing Grace".into(),
            emails: vec!["grace@example.com".into()],
            urls: vec!["http://linkedin.com/in/grace".into()],
            ..NewContact::default()
        };
        assert!(complete_with_card(
            &mut data,
            &card(),
            event,
            day,
            "Left a card at X"
        ));
        assert_eq!(data.name, "Amazing Grace");
        assert_eq!(data.emails.len(), 1);
        assert_eq!(data.urls.len(), 1, "the same URL in another spelling");
        let how = data.how_met.clone().unwrap();
        assert_eq!(how.event_id, Some(event));
        assert_eq!(how.met_on, Some(day));
        // The same card again changes nothing; a note is kept in the notes.
        assert!(!complete_with_card(
            &mut data,
            &card(),
            event,
            day,
            "Left a card at X"
        ));
        let with_note = DroppedCard {
            note: Some("loved the talk".into()),
            ..card()
        };
        let context = "Left a card at X: loved the talk";
        assert!(complete_with_card(
            &mut data, &with_note, event, day, context
        ));
        assert_eq!(data.notes.as_deref(), Some(context));
        assert!(!complete_with_card(
            &mut data, &with_note, event, day, context
        ));
        assert_eq!(data.how_met, Some(how), "the first meeting stays");
    }
}
