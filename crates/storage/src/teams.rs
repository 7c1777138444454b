//! Teams, their members and join codes.
//!
//! Every method acts as someone (`actor`, `user`): a team is found only by
//! its members (anyone else's view of it is `None` / `NotFound`), and what
//! a member may do is decided by [`rapport_core::team::permits`] inside the
//! same transaction as the change, after the team's row is locked, so two
//! changes at once cannot leave a team without its owner.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_core::team::{TeamRole, TeamSettings};
use uuid::Uuid;

use crate::{Cursor, Result};

/// A team as one of its members sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamRecord {
    pub id: Uuid,
    pub name: String,
    pub settings: TeamSettings,
    /// The role of the member who asked.
    pub my_role: TeamRole,
    pub member_count: i64,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A membership, with the member's account details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRecord {
    pub user_id: Uuid,
    pub display_name: String,
    pub email: String,
    pub role: TeamRole,
    pub joined_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewJoinCode {
    pub team_id: Uuid,
    pub role: TeamRole,
    pub code_hash: Vec<u8>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinCodeRecord {
    pub id: Uuid,
    pub team_id: Uuid,
    pub role: TeamRole,
    pub expires_at: DateTime<Utc>,
}

/// What presenting a join code led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinOutcome {
    /// Now a member; the code is spent.
    Joined(TeamRecord),
    /// Already a member of that team; the code stays unspent.
    AlreadyMember(TeamRecord),
    /// Unknown, used or expired.
    Invalid,
}

#[async_trait]
pub trait TeamStore: Send + Sync {
    /// A new team whose creator is its owner; `name` and `settings` must be
    /// normalised and valid.
    async fn create_team(
        &self,
        creator: Uuid,
        name: String,
        settings: TeamSettings,
    ) -> Result<TeamRecord>;

    /// The teams `user` belongs to, oldest first, after the cursor
    /// (creation time and id of the last team of the previous page).
    async fn teams_of(
        &self,
        user: Uuid,
        after: Option<&Cursor>,
        limit: u32,
    ) -> Result<Vec<TeamRecord>>;

    /// The team, if `user` is a member of it.
    async fn team(&self, user: Uuid, team: Uuid) -> Result<Option<TeamRecord>>;

    /// Replaces the name and settings if the version still matches and
    /// `actor`'s role allows it.
    async fn update_team(
        &self,
        actor: Uuid,
        team: Uuid,
        expected_version: i64,
        name: String,
        settings: TeamSettings,
    ) -> Result<TeamRecord>;

    /// Deletes the team with its memberships and codes (owner only).
    async fn delete_team(&self, actor: Uuid, team: Uuid, expected_version: i64) -> Result<()>;

    /// The members of a team `user` belongs to, in the order they joined,
    /// after the first `skip`.
    async fn team_members(
        &self,
        user: Uuid,
        team: Uuid,
        skip: u32,
        limit: u32,
    ) -> Result<Vec<MemberRecord>>;

    /// Adds the account with this (normalised) email address.
    /// `InvalidReference { field: "email" }`: no such account;
    /// `Duplicate`: already a member.
    async fn add_team_member(
        &self,
        actor: Uuid,
        team: Uuid,
        email: &str,
        role: TeamRole,
    ) -> Result<MemberRecord>;

    /// Changes a member's role; `Owner` transfers ownership (the owner
    /// becomes an admin).
    async fn set_team_role(
        &self,
        actor: Uuid,
        team: Uuid,
        member: Uuid,
        role: TeamRole,
    ) -> Result<MemberRecord>;

    /// Takes a member out of the team (`member == actor`: leaving).
    async fn remove_team_member(&self, actor: Uuid, team: Uuid, member: Uuid) -> Result<()>;

    /// Records a single-use join code, if `actor`'s role may admit its role.
    async fn create_join_code(&self, actor: Uuid, new: NewJoinCode) -> Result<JoinCodeRecord>;

    /// Spends an unexpired, unused code (by its hash) to make `user` a
    /// member with its role.
    async fn join_team(
        &self,
        user: Uuid,
        code_hash: &[u8],
        now: DateTime<Utc>,
    ) -> Result<JoinOutcome>;
}
