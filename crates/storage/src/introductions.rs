//! The storage of introductions: contact A introduced to contact B, with
//! its double opt-in flow. Both contacts must be the owner's; deleting
//! either deletes the introduction (foreign keys cascade).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_core::introduction::{
    Introduction, IntroductionStatus, IntroductionUpdate, NewIntroduction,
};
use uuid::Uuid;

use crate::Result;

/// The order of a list of introductions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IntroductionOrder {
    /// Newest first, by `(created_at, id)` descending.
    #[default]
    Newest,
    /// Unchanged the longest first, by `(status_changed_at, id)` ascending.
    LongestWaiting,
}

/// Filters and page of a list of introductions.
#[derive(Debug, Clone, Default)]
pub struct IntroductionQuery {
    /// Any of these statuses; empty: all.
    pub statuses: Vec<IntroductionStatus>,
    /// Introductions with this contact on either side.
    pub contact_id: Option<Uuid>,
    pub order: IntroductionOrder,
    /// The order's key (`created_at` or `status_changed_at`) and id of the
    /// last row of the previous page.
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub limit: u32,
}

#[async_trait]
pub trait IntroductionStore: Send + Sync {
    /// Records a proposed introduction. `data` must be normalised and valid;
    /// a contact that is not the owner's is
    /// [`crate::StoreError::InvalidReference`] naming `contact_a` or `contact_b`.
    async fn create_introduction(
        &self,
        owner: Uuid,
        data: &NewIntroduction,
    ) -> Result<Introduction>;
    async fn introduction(&self, owner: Uuid, id: Uuid) -> Result<Option<Introduction>>;
    /// Writes a checked update if the version still matches
    /// ([`crate::StoreError::Stale`] otherwise); the status date moves only
    /// when the status does.
    async fn update_introduction(
        &self,
        owner: Uuid,
        id: Uuid,
        expected_version: i64,
        update: &IntroductionUpdate,
    ) -> Result<Introduction>;
    async fn list_introductions(
        &self,
        owner: Uuid,
        query: &IntroductionQuery,
    ) -> Result<Vec<Introduction>>;
}
