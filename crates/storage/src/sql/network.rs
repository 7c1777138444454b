//! The network's SQL, shared by both backends like [`crate::sql`].

use chrono::{DateTime, NaiveDate, Utc};
use rapport_core::contact::{ConnectionStatus, NewContact};
use rapport_core::interaction::{Depth, Initiator, InteractionKind};
use rapport_core::network::{ComfortRating, ConnectionChange, ConnectionPolicy, Settings};
use uuid::Uuid;

use crate::sql::{comfort, days, json_list, parsed, small};
use crate::{Result, StoreError};

use crate::network::{how_met_of, ContactRecord};

macro_rules! contact_columns {
    () => {
        "id, name, emails, phones, company, title, location, urls, tags, notes, met_on, \
         met_event_id, met_place, met_context, introduced_by, cadence_days, archived, comfort, \
         connection_status, last_interaction_on, next_due_on, familiarity, suggested_comfort, \
         familiarity_as_of, version, created_at, updated_at"
    };
}
pub(crate) use contact_columns;

macro_rules! interaction_columns {
    () => {
        "id, kind, occurred_on, depth, initiated_by, notes, follow_up_on, version, created_at, updated_at"
    };
}
pub(crate) use interaction_columns;

/// The owner's settings beside each listed contact (scalar subqueries of
/// the owner's one row, evaluated once per statement by both databases).
/// The same for a statement whose first parameter (`$1`) is the owner:
/// uncorrelated, so PostgreSQL runs each subquery once, not once for every
/// row it scans before the sort and the limit (a contact page read 1,000
/// rows' settings that way: 12–19 ms instead of under 1 ms).
macro_rules! settings_of_owner_1 {
    () => {
        "(SELECT connection_policy FROM user_settings WHERE user_id = $1) AS s_policy, \
         (SELECT familiarity_threshold FROM user_settings WHERE user_id = $1) AS s_familiarity, \
         (SELECT comfort_threshold FROM user_settings WHERE user_id = $1) AS s_comfort, \
         (SELECT default_cadence_days FROM user_settings WHERE user_id = $1) AS s_cadence"
    };
}
pub(crate) use settings_of_owner_1;

macro_rules! settings_of_owner {
    () => {
        "(SELECT connection_policy FROM user_settings WHERE user_id = contacts.owner_id) AS s_policy, \
         (SELECT familiarity_threshold FROM user_settings WHERE user_id = contacts.owner_id) AS s_familiarity, \
         (SELECT comfort_threshold FROM user_settings WHERE user_id = contacts.owner_id) AS s_comfort, \
         (SELECT default_cadence_days FROM user_settings WHERE user_id = contacts.owner_id) AS s_cadence"
    };
}
pub(crate) use settings_of_owner;

/// A stored list (emails, tags, a team's rules…) as JSON text.
pub(crate) fn to_json<T: serde::Serialize + ?Sized>(list: &T) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".to_owned())
}

/// The columns of [`ContactDataRow`], what a contact holds.
macro_rules! contact_data_columns {
    () => {
        "name, emails, phones, company, title, location, urls, tags, notes, met_on, \
         met_event_id, met_place, met_context, introduced_by, cadence_days, archived"
    };
}
pub(crate) use contact_data_columns;

/// The columns of what a contact holds (its `NewContact`).
#[derive(sqlx::FromRow)]
pub(crate) struct ContactDataRow {
    name: String,
    emails: String,
    phones: String,
    company: Option<String>,
    title: Option<String>,
    location: Option<String>,
    urls: String,
    tags: String,
    notes: Option<String>,
    met_on: Option<NaiveDate>,
    met_event_id: Option<Uuid>,
    met_place: Option<String>,
    met_context: Option<String>,
    introduced_by: Option<Uuid>,
    cadence_days: Option<i32>,
    archived: bool,
}

impl TryFrom<ContactDataRow> for NewContact {
    type Error = StoreError;

    fn try_from(row: ContactDataRow) -> Result<Self> {
        Ok(NewContact {
            name: row.name,
            emails: json_list("contacts.emails", &row.emails)?,
            phones: json_list("contacts.phones", &row.phones)?,
            company: row.company,
            title: row.title,
            location: row.location,
            urls: json_list("contacts.urls", &row.urls)?,
            tags: json_list("contacts.tags", &row.tags)?,
            notes: row.notes,
            how_met: how_met_of(
                row.met_on,
                row.met_event_id,
                row.met_place,
                row.met_context,
                row.introduced_by,
            ),
            cadence_days: days("contacts.cadence_days", row.cadence_days)?,
            archived: row.archived,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ContactRow {
    id: Uuid,
    #[sqlx(flatten)]
    data: ContactDataRow,
    comfort: Option<i32>,
    connection_status: String,
    last_interaction_on: Option<NaiveDate>,
    next_due_on: Option<NaiveDate>,
    familiarity: i32,
    suggested_comfort: i32,
    familiarity_as_of: Option<NaiveDate>,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// A contact with its owner's settings (defaults where none were saved),
/// which decide whether it is ready to ask.
impl TryFrom<ListedRow> for ContactRecord {
    type Error = StoreError;

    fn try_from(listed: ListedRow) -> Result<Self> {
        let settings = match listed.s_policy {
            None => Settings::default(),
            Some(policy) => SettingsRow {
                connection_policy: policy,
                familiarity_threshold: listed.s_familiarity.ok_or_else(|| {
                    StoreError::corrupt("user_settings.familiarity_threshold", "NULL")
                })?,
                comfort_threshold: listed.s_comfort.ok_or_else(|| {
                    StoreError::corrupt("user_settings.comfort_threshold", "NULL")
                })?,
                default_cadence_days: listed.s_cadence,
            }
            .try_into()?,
        };
        let row = listed.contact;
        let mut record = ContactRecord {
            id: row.id,
            data: row.data.try_into()?,
            comfort: comfort(row.comfort)?,
            connection_status: parsed(
                "contacts.connection_status",
                &row.connection_status,
                ConnectionStatus::parse,
            )?,
            last_interaction_on: row.last_interaction_on,
            next_due_on: row.next_due_on,
            familiarity: small("contacts.familiarity", row.familiarity)?,
            suggested_comfort: small("contacts.suggested_comfort", row.suggested_comfort)?,
            familiarity_as_of: row.familiarity_as_of,
            ready_to_ask: false,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        };
        record.ready_to_ask = rapport_core::network::ready_to_ask(
            rapport_core::network::AskFacts {
                status: record.connection_status,
                comfort: record.comfort,
                familiarity: record.familiarity,
                have_met: record.have_met(),
            },
            &settings,
        );
        Ok(record)
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct InteractionRow {
    pub(crate) id: Uuid,
    kind: String,
    occurred_on: NaiveDate,
    depth: String,
    initiated_by: String,
    notes: Option<String>,
    follow_up_on: Option<NaiveDate>,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl InteractionRow {
    pub(crate) fn into_api(
        self,
        contact_ids: Vec<Uuid>,
    ) -> Result<rapport_core::network::Interaction> {
        Ok(rapport_core::network::Interaction {
            id: self.id,
            contact_ids,
            kind: parsed("interactions.kind", &self.kind, InteractionKind::parse)?,
            occurred_on: self.occurred_on,
            depth: parsed("interactions.depth", &self.depth, Depth::parse)?,
            initiated_by: parsed(
                "interactions.initiated_by",
                &self.initiated_by,
                Initiator::parse,
            )?,
            notes: self.notes,
            follow_up_on: self.follow_up_on,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct FactRow {
    kind: String,
    depth: String,
    initiated_by: String,
    occurred_on: NaiveDate,
}

impl TryFrom<FactRow> for rapport_core::familiarity::InteractionFacts {
    type Error = StoreError;

    fn try_from(row: FactRow) -> Result<Self> {
        Ok(rapport_core::familiarity::InteractionFacts {
            kind: parsed("interactions.kind", &row.kind, InteractionKind::parse)?,
            depth: parsed("interactions.depth", &row.depth, Depth::parse)?,
            initiated_by: parsed(
                "interactions.initiated_by",
                &row.initiated_by,
                Initiator::parse,
            )?,
            occurred_on: row.occurred_on,
        })
    }
}

/// One entry of the network view, as stored.
#[derive(sqlx::FromRow)]
pub(crate) struct NetworkRow {
    id: Uuid,
    name: String,
    company: Option<String>,
    comfort: Option<i32>,
    familiarity: i32,
    connection_status: String,
    tags: String,
    last_interaction_on: Option<NaiveDate>,
}

impl TryFrom<NetworkRow> for rapport_core::network::NetworkEntry {
    type Error = StoreError;

    fn try_from(row: NetworkRow) -> Result<Self> {
        Ok(rapport_core::network::NetworkEntry {
            id: row.id,
            name: row.name,
            company: row.company,
            comfort: comfort(row.comfort)?,
            familiarity: small("contacts.familiarity", row.familiarity)?,
            connection_status: parsed(
                "contacts.connection_status",
                &row.connection_status,
                ConnectionStatus::parse,
            )?,
            tags: json_list("contacts.tags", &row.tags)?,
            last_interaction_on: row.last_interaction_on,
        })
    }
}

/// The facts of an interaction that a LEFT JOIN may not have found (a
/// contact without interactions).
#[derive(sqlx::FromRow)]
pub(crate) struct MaybeFactRow {
    kind: Option<String>,
    depth: Option<String>,
    initiated_by: Option<String>,
    occurred_on: Option<NaiveDate>,
}

impl MaybeFactRow {
    pub(crate) fn facts(self) -> Result<Option<rapport_core::familiarity::InteractionFacts>> {
        match (self.kind, self.depth, self.initiated_by, self.occurred_on) {
            (Some(kind), Some(depth), Some(initiated_by), Some(occurred_on)) => FactRow {
                kind,
                depth,
                initiated_by,
                occurred_on,
            }
            .try_into()
            .map(Some),
            _ => Ok(None),
        }
    }
}

/// A stale contact with one of its interactions' facts.
#[derive(sqlx::FromRow)]
pub(crate) struct StaleFactRow {
    contact_id: Uuid,
    #[sqlx(flatten)]
    fact: MaybeFactRow,
}

/// The familiarity on `today` of each stale contact, from the facts of its
/// interactions (a contact without any scores zero), in the rows' order.
pub(crate) fn familiarity_of(
    rows: Vec<StaleFactRow>,
    today: NaiveDate,
) -> Result<Vec<(Uuid, rapport_core::familiarity::Familiarity)>> {
    let mut contacts: Vec<(Uuid, Vec<rapport_core::familiarity::InteractionFacts>)> = Vec::new();
    let mut position = std::collections::HashMap::new();
    for row in rows {
        let at = *position.entry(row.contact_id).or_insert_with(|| {
            contacts.push((row.contact_id, Vec::new()));
            contacts.len() - 1
        });
        if let Some(fact) = row.fact.facts()? {
            contacts[at].1.push(fact);
        }
    }
    Ok(contacts
        .into_iter()
        .map(|(id, facts)| {
            let score = rapport_core::familiarity::familiarity(&facts, today, None);
            (id, score)
        })
        .collect())
}

/// A listed contact with its owner's settings.
#[derive(sqlx::FromRow)]
pub(crate) struct ListedRow {
    #[sqlx(flatten)]
    contact: ContactRow,
    s_policy: Option<String>,
    s_familiarity: Option<i32>,
    s_comfort: Option<i32>,
    s_cadence: Option<i32>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct SettingsRow {
    connection_policy: String,
    familiarity_threshold: i32,
    comfort_threshold: i32,
    default_cadence_days: Option<i32>,
}

impl TryFrom<SettingsRow> for Settings {
    type Error = StoreError;

    fn try_from(row: SettingsRow) -> Result<Self> {
        Ok(Settings {
            connection_policy: parsed(
                "user_settings.connection_policy",
                &row.connection_policy,
                ConnectionPolicy::parse,
            )?,
            familiarity_threshold: small(
                "user_settings.familiarity_threshold",
                row.familiarity_threshold,
            )?,
            comfort_threshold: small("user_settings.comfort_threshold", row.comfort_threshold)?,
            default_cadence_days: days(
                "user_settings.default_cadence_days",
                row.default_cadence_days,
            )?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ComfortRow {
    id: Uuid,
    rating: Option<i32>,
    reason: Option<String>,
    created_at: DateTime<Utc>,
}

impl TryFrom<ComfortRow> for ComfortRating {
    type Error = StoreError;

    fn try_from(row: ComfortRow) -> Result<Self> {
        Ok(ComfortRating {
            id: row.id,
            rating: comfort(row.rating)?,
            reason: row.reason,
            created_at: row.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ConnectionRow {
    id: Uuid,
    from_status: String,
    to_status: String,
    note: Option<String>,
    created_at: DateTime<Utc>,
}

impl TryFrom<ConnectionRow> for ConnectionChange {
    type Error = StoreError;

    fn try_from(row: ConnectionRow) -> Result<Self> {
        let status = |column, text: &str| parsed(column, text, ConnectionStatus::parse);
        Ok(ConnectionChange {
            id: row.id,
            from_status: status("connection_changes.from_status", &row.from_status)?,
            to_status: status("connection_changes.to_status", &row.to_status)?,
            note: row.note,
            created_at: row.created_at,
        })
    }
}

/// The state derived from a contact's interactions.
pub(crate) struct Derived {
    pub familiarity: i32,
    pub suggested: i32,
    pub last: Option<NaiveDate>,
    pub next_due: Option<NaiveDate>,
}

/// What decides when a contact is due next, apart from the interactions.
pub(crate) struct Schedule {
    pub met_on: Option<NaiveDate>,
    pub added_on: NaiveDate,
    pub cadence: Option<u16>,
    pub archived: bool,
    pub snoozed_until: Option<NaiveDate>,
}

pub(crate) fn derive(
    facts: &[rapport_core::familiarity::InteractionFacts],
    comfort: Option<u8>,
    schedule: Schedule,
    today: NaiveDate,
) -> Derived {
    let familiarity = rapport_core::familiarity::familiarity(facts, today, comfort);
    let last = facts.iter().map(|f| f.occurred_on).max();
    let next_due = if schedule.archived {
        None
    } else {
        rapport_core::network::next_due(last, schedule.met_on, schedule.added_on, schedule.cadence)
            .map(|due| schedule.snoozed_until.map_or(due, |until| due.max(until)))
    };
    Derived {
        familiarity: i32::from(familiarity.score),
        suggested: i32::from(familiarity.suggested_comfort),
        last,
        next_due,
    }
}
