//! The nurture queue's own queries: one per kind of to-do that the contact
//! and introduction lists cannot answer, each filtered and ordered in SQL
//! with a keyset. The server's nurture service merges them, with the
//! contact list's `due_by` and `ready_to_ask` filters and the waiting
//! introductions, into one page.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
#[allow(unused_imports)] // named in the documentation
use rapport_core::familiarity::is_mismatch;
use rapport_core::nurture::NurtureCandidate;
use uuid::Uuid;

use crate::Result;

/// Where a kind's rows resume after the cursor of the previous page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resume<T, K> {
    /// Rows whose date (or time) is at least this.
    AtLeast(T),
    /// Rows strictly after this key of the kind's own order.
    After(K),
}

/// `(follow_up_on, contact sort name, contact id, interaction id)`.
pub type FollowUpKey = (NaiveDate, String, Uuid, Uuid);

#[async_trait]
pub trait NurtureStore: Send + Sync {
    /// Follow-ups due on or before `until` on interactions that no later
    /// interaction with the same (active) contact has answered; one row per
    /// interaction and contact, by `FollowUpKey`.
    async fn open_follow_ups(
        &self,
        owner: Uuid,
        until: NaiveDate,
        resume: Option<&Resume<NaiveDate, FollowUpKey>>,
        limit: u32,
    ) -> Result<Vec<NurtureCandidate>>;
    /// Active contacts whose connection status has been `asked` since
    /// before `asked_before`, by the time they were asked.
    async fn unanswered_asks(
        &self,
        owner: Uuid,
        asked_before: DateTime<Utc>,
        resume: Option<&Resume<DateTime<Utc>, (DateTime<Utc>, Uuid)>>,
        limit: u32,
    ) -> Result<Vec<NurtureCandidate>>;
    /// Active contacts rated 4 or 5 well above what their history supports
    /// (see [`is_mismatch`]), by sort name.
    async fn rating_mismatches(
        &self,
        owner: Uuid,
        after: Option<&(String, Uuid)>,
        limit: u32,
    ) -> Result<Vec<NurtureCandidate>>;
}
