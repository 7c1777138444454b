//! Reading a whole account out (the exports) and the secret calendar feed.
//!
//! Every read is one set-based statement over the owner's rows, whatever
//! the number of contacts: no query per contact.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rapport_core::network::{ComfortRating, ConnectionChange, Interaction};
use uuid::Uuid;

use crate::{ContactRecord, Result, UserRecord};

/// A contact as the full export keeps it: the record and its snooze.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportedContactRecord {
    pub record: ContactRecord,
    /// The keep-in-touch date is put off until this day.
    pub snoozed_until: Option<NaiveDate>,
}

#[async_trait]
pub trait ExportStore: Send + Sync {
    /// Every contact of the owner, archived ones included, by name.
    async fn export_contacts(&self, owner: Uuid) -> Result<Vec<ExportedContactRecord>>;

    /// Every interaction of the owner with its contacts, oldest first.
    async fn export_interactions(&self, owner: Uuid) -> Result<Vec<Interaction>>;

    /// The owner's interactions that have a follow-up date, by that date.
    async fn follow_ups(&self, owner: Uuid) -> Result<Vec<Interaction>>;

    /// Every comfort rating of every contact of the owner, as (contact id,
    /// rating), oldest first.
    async fn export_comfort_history(&self, owner: Uuid) -> Result<Vec<(Uuid, ComfortRating)>>;

    /// Every connection step of every contact of the owner, as (contact id,
    /// step), oldest first.
    async fn export_connection_history(&self, owner: Uuid)
        -> Result<Vec<(Uuid, ConnectionChange)>>;
}

/// The secret address of a person's calendar feed, stored as the SHA-256
/// of its secret (like personal access tokens).
#[async_trait]
pub trait CalendarFeedStore: Send + Sync {
    /// Creates the owner's feed, or replaces its secret (the old address
    /// stops working at once).
    async fn put_calendar_feed(
        &self,
        owner: Uuid,
        secret_hash: &[u8],
        created_at: DateTime<Utc>,
    ) -> Result<()>;

    /// Revokes the owner's feed; false when there was none.
    async fn delete_calendar_feed(&self, owner: Uuid) -> Result<bool>;

    /// The enabled account whose feed has this secret hash.
    async fn calendar_feed_owner(&self, secret_hash: &[u8]) -> Result<Option<UserRecord>>;
}
