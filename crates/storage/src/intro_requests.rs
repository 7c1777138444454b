//! Introduction requests in a team (see `rapport_core::intro_request`).
//!
//! A request names shared rows of the team index by their handles; only
//! rows the requester may see (not their own; guests: profiles only) are
//! asked. Each method acts as someone: the requester sees the request as
//! sent, each teammate asked sees it as addressed to them, anyone else
//! finds nothing.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_core::intro_request::{IntroRequestStatus, RequestBox};
use uuid::Uuid;

use crate::{Cursor, Result};

/// A person as a request shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestPerson {
    pub name: String,
    pub company: Option<String>,
    pub title: Option<String>,
}

/// A request, as `direction` shows it to the one who reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntroRequestRecord {
    pub id: Uuid,
    pub team_id: Uuid,
    pub direction: RequestBox,
    pub requester_id: Uuid,
    pub requester_name: String,
    pub reason: String,
    /// The request's own status (`open` past its expiry reads as expired).
    pub status: IntroRequestStatus,
    /// What the search showed the requester (profile results).
    pub shown: Option<RequestPerson>,
    pub accepted_by: Option<(Uuid, String)>,
    /// Out: the accepting teammate's contact; in: my contact.
    pub contact: Option<(Uuid, RequestPerson)>,
    /// In: my own answer.
    pub my_status: Option<IntroRequestStatus>,
    pub decline_reason: Option<String>,
    pub introduction_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait IntroRequestStore: Send + Sync {
    /// Asks the teammates behind these handles (of `team`'s index) to
    /// introduce `requester`. `NotFound`: not a member of the team;
    /// `InvalidReference`: no handle names a row the requester may see;
    /// `Team(..)`: too many open requests, or asked about the same person
    /// lately.
    async fn create_intro_request(
        &self,
        requester: Uuid,
        team: Uuid,
        handles: &[String],
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<IntroRequestRecord>;

    /// Requests to me (`In`) or from me (`Out`), newest first, after the
    /// cursor.
    async fn intro_requests(
        &self,
        user: Uuid,
        direction: RequestBox,
        after: Option<&Cursor>,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<IntroRequestRecord>>;

    /// One request, as `user` sees it (requester or teammate asked).
    async fn intro_request(
        &self,
        user: Uuid,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Option<IntroRequestRecord>>;

    /// Accepts a request addressed to `user`: an introduction of their
    /// contact to the requester (found among their contacts by email, or
    /// added) starts in their network, and the request closes for the
    /// other teammates. `Conflict` when it is no longer open.
    async fn accept_intro_request(
        &self,
        user: Uuid,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<IntroRequestRecord>;

    /// Declines, with a note only `user` sees; the request is declined
    /// once every teammate asked has.
    async fn decline_intro_request(
        &self,
        user: Uuid,
        id: Uuid,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<IntroRequestRecord>;

    /// The requester takes an open request back.
    async fn withdraw_intro_request(
        &self,
        user: Uuid,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<IntroRequestRecord>;

    /// Whether one of `owner`'s introductions answers a request.
    async fn introduction_answers_request(&self, owner: Uuid, introduction: Uuid) -> Result<bool>;
}
