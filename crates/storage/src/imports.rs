//! Imports (see `rapport_core::import`): the server parses a file into a
//! plan and a per-row report; the store keeps them with the import, and
//! writes a committed import in one transaction, keeping what an undo needs.
//! The plan and the report are JSON documents that only the server reads.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rapport_core::contact::{ConnectionStatus, NewContact};
use rapport_core::import::{Import, ImportResult};
use rapport_core::network::NewInteraction;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Cursor, Result};

/// A stored import: what the API shows, and the documents behind it.
#[derive(Debug, Clone)]
pub struct ImportRecord {
    /// `progress` is always `None` here: it lives with the running step.
    pub import: Import,
    /// The parsed file, as the server packed it (empty in lists and once
    /// committed).
    pub plan: Vec<u8>,
    /// The per-row report (a list of `ImportRow`), as the server packed it
    /// (empty in lists).
    pub rows: Vec<u8>,
    /// What undoing the commit needs (committed imports).
    pub undo: Option<ImportUndo>,
}

/// One of my contacts as an import matches it: what it holds, and the
/// version and connection status it was read at (not its derived state,
/// which a commit recomputes).
#[derive(Debug, Clone)]
pub struct KnownContact {
    pub id: Uuid,
    pub version: i64,
    pub data: NewContact,
    pub connection_status: ConnectionStatus,
}

/// A contact the commit creates, with the id chosen by the caller (so that
/// the report can name it before it is written).
#[derive(Debug, Clone)]
pub struct ImportedContact {
    pub id: Uuid,
    pub data: NewContact,
    /// The connection status it starts with, and since when.
    pub connection: Option<(ConnectionStatus, DateTime<Utc>)>,
}

/// A contact of mine the commit brings up to date.
#[derive(Debug, Clone)]
pub struct ImportedUpdate {
    pub id: Uuid,
    /// The version the plan was made from: a contact changed since then
    /// makes the whole commit [`crate::StoreError::Stale`].
    pub expected_version: i64,
    /// The contact as the plan saw it (what an undo restores).
    pub before: NewContact,
    pub data: NewContact,
    /// A new connection status, and since when.
    pub connection: Option<(ConnectionStatus, DateTime<Utc>)>,
}

/// An interaction the commit logs; one whose key an earlier import already
/// logged is left out.
#[derive(Debug, Clone)]
pub struct ImportedInteraction {
    pub data: NewInteraction,
    pub import_key: String,
}

/// Everything a commit writes, in one transaction.
#[derive(Debug, Clone)]
pub struct ImportWrite {
    pub create: Vec<ImportedContact>,
    pub update: Vec<ImportedUpdate>,
    pub interactions: Vec<ImportedInteraction>,
    /// The per-row report to keep, as for [`ImportRecord::rows`].
    pub rows: Vec<u8>,
    /// The totals and the rest of the summary, with the result filled in by
    /// the store.
    pub import: Import,
    /// What a Rapport export brings besides contacts and interactions.
    pub restore: RestoreWrite,
    /// Moved on by the number of contacts and interactions written, for
    /// whoever reports the commit's progress.
    pub progress: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
}

impl ImportWrite {
    /// How many contacts and interactions it writes.
    pub fn rows(&self) -> u64 {
        (self.create.len() + self.update.len() + self.interactions.len()) as u64
    }

    pub(crate) fn advance(&self, rows: usize) {
        if let Some(progress) = &self.progress {
            progress.fetch_add(rows as u64, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

/// What restoring a Rapport export writes besides contacts and
/// interactions: events, the histories and state of the contacts it
/// creates, introductions and settings. Ids are already this account's.
#[derive(Debug, Clone, Default)]
pub struct RestoreWrite {
    /// Events to create (each gets a new public slug).
    pub events: Vec<(Uuid, rapport_core::event::NewEvent)>,
    /// Comfort-history entries of created contacts, as dated.
    pub comfort_history: Vec<(Uuid, rapport_core::network::ComfortRating)>,
    /// Connection-history entries of created contacts, as dated.
    pub connection_history: Vec<(Uuid, rapport_core::network::ConnectionChange)>,
    /// The state of created contacts.
    pub states: Vec<RestoredState>,
    pub introductions: Vec<RestoredIntroduction>,
    pub settings: Option<rapport_core::network::Settings>,
}

impl RestoreWrite {
    /// Nothing to restore (an import of another format).
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
            && self.comfort_history.is_empty()
            && self.connection_history.is_empty()
            && self.states.is_empty()
            && self.introductions.is_empty()
            && self.settings.is_none()
    }
}

#[derive(Debug, Clone)]
pub struct RestoredState {
    pub id: Uuid,
    pub comfort: Option<u8>,
    pub connection_status: ConnectionStatus,
    pub connection_changed_at: Option<DateTime<Utc>>,
    pub snoozed_until: Option<NaiveDate>,
    pub introduced_by: Option<Uuid>,
}

#[derive(Debug, Clone)]
pub struct RestoredIntroduction {
    pub contact_a: Uuid,
    pub contact_b: Uuid,
    pub reason: String,
    pub status: String,
    pub outcome: Option<String>,
    pub status_changed_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// What undoing a commit needs, kept with the import.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportUndo {
    /// Created contacts and the version they had once committed.
    pub created: Vec<(Uuid, i64)>,
    /// Updated contacts: their version once committed and what they were.
    pub updated: Vec<UndoUpdate>,
    /// Interactions the import logged.
    pub interactions: Vec<Uuid>,
    /// Connection-history entries the import recorded.
    pub connection_changes: Vec<Uuid>,
    /// Events a restored export created.
    #[serde(default)]
    pub events: Vec<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UndoUpdate {
    pub id: Uuid,
    pub version: i64,
    pub before: NewContact,
    pub connection_status: ConnectionStatus,
    pub connection_changed_at: Option<DateTime<Utc>>,
}

/// Why an undo is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UndoRefusal {
    /// Not committed (never, or already undone).
    NotCommitted,
    /// These contacts changed after the import wrote them.
    ChangedSince(Vec<Uuid>),
}

#[async_trait]
pub trait ImportStore: Send + Sync {
    /// Keeps a previewed import (its `status` is `previewed`).
    async fn create_import(&self, owner: Uuid, record: ImportRecord) -> Result<()>;

    /// One import with its plan and report.
    async fn import(&self, owner: Uuid, id: Uuid) -> Result<Option<ImportRecord>>;

    /// My imports, newest first, without plans and reports.
    async fn list_imports(
        &self,
        owner: Uuid,
        after: Option<&Cursor>,
        limit: u32,
    ) -> Result<Vec<ImportRecord>>;

    /// Replaces a previewed import's summary, plan and report (a new column
    /// mapping); `NotFound` unless it is mine and still previewed.
    async fn replace_preview(&self, owner: Uuid, record: ImportRecord) -> Result<()>;

    /// Every contact of mine as an import matches it, oldest first.
    async fn contacts_to_match(&self, owner: Uuid) -> Result<Vec<KnownContact>>;

    /// Of `keys`, those an earlier import already logged an interaction for.
    async fn known_import_keys(&self, owner: Uuid, keys: &[String]) -> Result<Vec<String>>;

    /// Writes a previewed import in one transaction and marks it committed;
    /// `NotFound` unless it is mine and previewed, `Stale` when a contact to
    /// update changed since the plan was made. Returns the import as kept.
    async fn commit_import(
        &self,
        owner: Uuid,
        id: Uuid,
        write: ImportWrite,
        today: NaiveDate,
    ) -> Result<Import>;

    /// Removes what a committed import created and restores what it
    /// changed, in one transaction.
    async fn undo_import(
        &self,
        owner: Uuid,
        id: Uuid,
        today: NaiveDate,
    ) -> Result<std::result::Result<Import, UndoRefusal>>;
}

/// What the result of a commit counts, filled in by the store.
pub(crate) fn result_of(
    create: &[ImportedContact],
    update: &[ImportedUpdate],
    logged: usize,
    changes: usize,
) -> ImportResult {
    ImportResult {
        created: create.iter().map(|c| c.id).collect(),
        updated: update.iter().map(|u| u.id).collect(),
        interactions: logged as u32,
        connection_changes: changes as u32,
    }
}
