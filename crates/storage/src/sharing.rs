//! Sharing with teams and team reach.
//!
//! What teammates may find lives in a team index (`team_index` and its
//! terms and words), written by the same transaction that changes a contact
//! or its sharing: every change of what identifies a contact goes through
//! the contacts' shared key writer, which brings the index along. Matching
//! keys and whole words are kept as keyed hashes (HMAC-SHA-256 with a
//! secret of the instance), never as raw values; names, companies and
//! titles, with their word prefixes, only for contacts shared at `profile`.
//! Comfort, familiarity and recency are read from the contact itself when
//! a search finds it, so the index never lags behind them.

use async_trait::async_trait;
use chrono::NaiveDate;
use rapport_core::sharing::{ContactShare, ShareFilter, ShareLevel, Sharing};
use uuid::Uuid;

use crate::Result;

/// `GET /teams/{id}/reach`: words of a name or company (each must begin a
/// word of the person's name or company; whole words only for contacts
/// shared at `signal`), an email address or a profile URL (exactly), and
/// words of a company alone.
#[derive(Debug, Clone, Default)]
pub struct ReachQuery {
    pub q: Option<String>,
    pub company: Option<String>,
    /// Rows read at most (results are grouped from them).
    pub limit: u32,
}

/// One shared contact a search found, with what its owner lets the team
/// know and what ranks it. `contact_id` never leaves the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReachHit {
    pub contact_id: Uuid,
    pub handle: String,
    pub owner_id: Uuid,
    pub owner_name: String,
    pub level: ShareLevel,
    /// Profile rows only.
    pub name: Option<String>,
    pub company: Option<String>,
    pub title: Option<String>,
    pub comfort: Option<u8>,
    pub familiarity: u8,
    pub last_interaction_on: Option<NaiveDate>,
    /// The keyed hashes that say who the person is (email, profile URL,
    /// name with company): hits sharing one are the same person.
    pub identity: Vec<Vec<u8>>,
}

#[async_trait]
pub trait SharingStore: Send + Sync {
    /// My sharing with a team I belong to (private by default).
    async fn sharing(&self, user: Uuid, team: Uuid) -> Result<Sharing>;

    /// Replaces my sharing with a team (`sharing` normalised and valid)
    /// and brings the index of all my contacts along. Guests share nothing.
    async fn put_sharing(&self, user: Uuid, team: Uuid, sharing: Sharing) -> Result<Sharing>;

    /// One of my contacts' sharing with a team I belong to.
    async fn contact_share(&self, user: Uuid, team: Uuid, contact: Uuid) -> Result<ContactShare>;

    /// My choice for one contact (`None`: back to rules and default).
    async fn set_contact_share(
        &self,
        user: Uuid,
        team: Uuid,
        contact: Uuid,
        level: Option<ShareLevel>,
    ) -> Result<ContactShare>;

    /// The same choice for every unarchived contact of mine the filter
    /// covers; returns how many (nothing changes in a dry run).
    async fn bulk_share(
        &self,
        user: Uuid,
        team: Uuid,
        filter: &ShareFilter,
        level: Option<ShareLevel>,
        dry_run: bool,
    ) -> Result<u64>;

    /// Teammates' shared contacts matching the query, as far as the
    /// searcher's role and the team's settings allow.
    async fn reach(&self, user: Uuid, team: Uuid, query: &ReachQuery) -> Result<Vec<ReachHit>>;
}
