//! A team's audit log: what happened to what each member shares (searches
//! that found their contacts, requests to them, their changes of sharing)
//! and, for the owner and admins, to the team. Written by the transaction
//! of what it records, kept for the team's `audit_retention_days`, never
//! changed.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_core::sharing::AuditKind;
use uuid::Uuid;

use crate::{Cursor, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub id: Uuid,
    pub kind: AuditKind,
    pub at: DateTime<Utc>,
    pub actor: Option<(Uuid, String)>,
    /// The reader's own contacts the entry names, with their names now.
    pub contacts: Vec<(Uuid, String)>,
    pub detail: String,
    pub team_wide: bool,
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    /// The entries `user` may read in `team`, newest first, after the
    /// cursor: about what they share, and, for the owner and admins, the
    /// team-wide ones. `NotFound` when not a member.
    async fn audit_log(
        &self,
        user: Uuid,
        team: Uuid,
        after: Option<&Cursor>,
        limit: u32,
    ) -> Result<Vec<AuditRecord>>;

    /// Records, in each owner's log, that `searcher`'s reach search showed
    /// these contacts of theirs: (owner, contact) pairs.
    async fn record_reach(&self, searcher: Uuid, team: Uuid, found: &[(Uuid, Uuid)]) -> Result<()>;
}
