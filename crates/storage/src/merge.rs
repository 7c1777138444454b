//! Duplicate contacts: what finding them reads, and merging two into one in
//! a single transaction.

use async_trait::async_trait;
use chrono::NaiveDate;
use rapport_core::contact::NewContact;
use uuid::Uuid;

use crate::{ContactRecord, Result};

/// What comparing a contact with the others needs, and no more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateCandidate {
    pub id: Uuid,
    pub name: String,
    pub company: Option<String>,
    pub emails: Vec<String>,
    pub urls: Vec<String>,
}

/// Merging `other` into `survivor`: both must be the owner's and still at
/// these versions.
#[derive(Debug, Clone)]
pub struct ContactMerge {
    pub survivor: Uuid,
    pub survivor_version: i64,
    pub other: Uuid,
    pub other_version: i64,
    /// The survivor's editable fields after the merge, normalised and
    /// valid; a `how_met.introduced_by` naming either contact is dropped.
    pub data: NewContact,
    /// The survivor's current referral comfort after the merge.
    pub comfort: Option<u8>,
    /// The reason recorded when the merged comfort history has to end with
    /// the chosen rating (it ended with a different one).
    pub comfort_reason: String,
}

#[async_trait]
pub trait MergeStore: Send + Sync {
    /// The owner's contacts that are not archived, as duplicate finding
    /// compares them.
    async fn duplicate_candidates(&self, owner: Uuid) -> Result<Vec<DuplicateCandidate>>;

    /// The owner's contacts among `ids` (others' and unknown ids are left
    /// out), in no particular order.
    async fn contacts_by_ids(&self, owner: Uuid, ids: &[Uuid]) -> Result<Vec<ContactRecord>>;

    /// Merges `merge.other` into `merge.survivor` in one transaction: the
    /// survivor takes `merge.data` and `merge.comfort`, every interaction of
    /// both (one naming both names the survivor once), both comfort and
    /// connection histories (the current connection status is the one
    /// whose last change is the more recent, the survivor's on a tie),
    /// the introductions naming the other (one between the two of them is
    /// deleted) and other contacts' `introduced_by`; its familiarity is
    /// recomputed and the other contact deleted. Either contact missing or
    /// not the owner's: [`crate::StoreError::NotFound`]; either at another
    /// version: [`crate::StoreError::Stale`]. Nothing is written then.
    async fn merge_contacts(
        &self,
        owner: Uuid,
        merge: &ContactMerge,
        today: NaiveDate,
    ) -> Result<ContactRecord>;
}
