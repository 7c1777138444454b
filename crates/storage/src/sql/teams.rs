//! Teams, members and join codes (see [`crate::teams`] and
//! [`crate::backend`]).

use chrono::{DateTime, NaiveDate, Utc};
use rapport_core::team::{permits, TeamAction, TeamRole, TeamSettings};
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};
use uuid::Uuid;

use crate::backend::{Args, Conn, Db, Row, RowsAffected, Sql, SqlBackend};
use crate::sql::network::to_json;
use crate::sql::{json_list, parsed};
use crate::teams::{JoinCodeRecord, JoinOutcome, MemberRecord, TeamRecord};
use crate::{Cursor, StoreError};

/// A team's columns (`t`) with the asking member's role (`m`) and the
/// number of members.
macro_rules! team_columns {
    () => {
        "t.id, t.name, t.reach_requires_sharing, t.max_open_requests, t.request_expiry_days, \
         t.audit_retention_days, t.email_domains, t.version, t.created_at, t.updated_at, \
         m.role AS my_role, \
         (SELECT COUNT(*) FROM team_members c WHERE c.team_id = t.id) AS member_count"
    };
}

macro_rules! member_columns {
    () => {
        "m.user_id, u.display_name, u.email, m.role, m.joined_at"
    };
}

#[derive(sqlx::FromRow)]
struct TeamRow {
    id: Uuid,
    name: String,
    reach_requires_sharing: bool,
    max_open_requests: i32,
    request_expiry_days: i32,
    audit_retention_days: i32,
    email_domains: String,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    my_role: String,
    member_count: i64,
}

fn setting(column: &'static str, value: i32) -> crate::Result<u16> {
    u16::try_from(value).map_err(|_| StoreError::corrupt(column, value))
}

impl TryFrom<TeamRow> for TeamRecord {
    type Error = StoreError;

    fn try_from(row: TeamRow) -> crate::Result<Self> {
        Ok(TeamRecord {
            id: row.id,
            name: row.name,
            settings: TeamSettings {
                reach_requires_sharing: row.reach_requires_sharing,
                max_open_requests: setting("teams.max_open_requests", row.max_open_requests)?,
                request_expiry_days: setting("teams.request_expiry_days", row.request_expiry_days)?,
                audit_retention_days: setting(
                    "teams.audit_retention_days",
                    row.audit_retention_days,
                )?,
                email_domains: json_list("teams.email_domains", &row.email_domains)?,
            },
            my_role: parsed("team_members.role", &row.my_role, TeamRole::parse)?,
            member_count: row.member_count,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    user_id: Uuid,
    display_name: String,
    email: String,
    role: String,
    joined_at: DateTime<Utc>,
}

impl TryFrom<MemberRow> for MemberRecord {
    type Error = StoreError;

    fn try_from(row: MemberRow) -> crate::Result<Self> {
        Ok(MemberRecord {
            user_id: row.user_id,
            display_name: row.display_name,
            email: row.email,
            role: parsed("team_members.role", &row.role, TeamRole::parse)?,
            joined_at: row.joined_at,
        })
    }
}

fn allowed(actor: TeamRole, action: TeamAction) -> crate::Result<()> {
    permits(actor, action).map_err(StoreError::Team)
}

impl<B> Sql<B>
where
    B: SqlBackend,
    for<'c> &'c mut Conn<B>: Executor<'c, Database = Db<B>>,
    for<'q> Args<'q, B>: IntoArguments<'q, Db<B>>,
    for<'r> &'r str: ColumnIndex<Row<B>>,
    usize: ColumnIndex<Row<B>>,
    for<'q, 'r> Uuid: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q, 'r> String: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q> &'q str: Encode<'q, Db<B>> + Type<Db<B>>,
    for<'q, 'r> i64: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q, 'r> i32: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q, 'r> bool: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q, 'r> DateTime<Utc>: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q, 'r> NaiveDate: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q> &'q [u8]: Encode<'q, Db<B>> + Type<Db<B>>,
    for<'q, 'r> Vec<u8>: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q> Option<Uuid>: Encode<'q, Db<B>>,
    for<'q> Option<String>: Encode<'q, Db<B>>,
    for<'q> Option<&'q str>: Encode<'q, Db<B>>,
    for<'q> Option<i64>: Encode<'q, Db<B>>,
    for<'q> Option<i32>: Encode<'q, Db<B>>,
    for<'q> Option<DateTime<Utc>>: Encode<'q, Db<B>>,
    for<'q> Option<NaiveDate>: Encode<'q, Db<B>>,
{
    /// The team as `user` sees it, if a member.
    async fn team_as(
        conn: &mut Conn<B>,
        user: Uuid,
        team: Uuid,
    ) -> crate::Result<Option<TeamRecord>> {
        let row: Option<TeamRow> = sqlx::query_as(concat!(
            "SELECT ",
            team_columns!(),
            " FROM teams t JOIN team_members m ON m.team_id = t.id AND m.user_id = $1
             WHERE t.id = $2"
        ))
        .bind(user)
        .bind(team)
        .fetch_optional(&mut *conn)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    /// Locks the team's row for the rest of the transaction (PostgreSQL;
    /// SQLite's one writer holds everything already) and returns the role
    /// of `actor` in it: `NotFound` when the team is not theirs to see.
    async fn lock_team(conn: &mut Conn<B>, actor: Uuid, team: Uuid) -> crate::Result<TeamRole> {
        let locked = sqlx::query("UPDATE teams SET version = version WHERE id = $1")
            .bind(team)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        if locked == 0 {
            return Err(StoreError::NotFound);
        }
        Self::role_in(conn, actor, team)
            .await?
            .ok_or(StoreError::NotFound)
    }

    pub(crate) async fn role_in(
        conn: &mut Conn<B>,
        user: Uuid,
        team: Uuid,
    ) -> crate::Result<Option<TeamRole>> {
        let role: Option<String> =
            sqlx::query_scalar("SELECT role FROM team_members WHERE team_id = $1 AND user_id = $2")
                .bind(team)
                .bind(user)
                .fetch_optional(&mut *conn)
                .await?;
        role.map(|role| parsed("team_members.role", &role, TeamRole::parse))
            .transpose()
    }

    async fn member(conn: &mut Conn<B>, team: Uuid, user: Uuid) -> crate::Result<MemberRecord> {
        let row: MemberRow = sqlx::query_as(concat!(
            "SELECT ",
            member_columns!(),
            " FROM team_members m JOIN users u ON u.id = m.user_id
             WHERE m.team_id = $1 AND m.user_id = $2"
        ))
        .bind(team)
        .bind(user)
        .fetch_one(&mut *conn)
        .await?;
        row.try_into()
    }

    /// An entry of the team-wide audit log (read by the owner and admins).
    async fn team_entry(
        conn: &mut Conn<B>,
        team: Uuid,
        actor: Uuid,
        kind: rapport_core::sharing::AuditKind,
        detail: String,
    ) -> crate::Result<()> {
        Sql::<B>::audit(
            conn,
            crate::sql::audit::Entry {
                team,
                subject: None,
                actor,
                kind,
                contacts: &[],
                detail,
            },
        )
        .await
    }

    async fn insert_member(
        conn: &mut Conn<B>,
        team: Uuid,
        user: Uuid,
        role: TeamRole,
    ) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO team_members (team_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(team)
        .bind(user)
        .bind(role.as_str())
        .bind(crate::now())
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl<B> crate::TeamStore for B
where
    B: SqlBackend,
    for<'c> &'c mut Conn<B>: Executor<'c, Database = Db<B>>,
    for<'q> Args<'q, B>: IntoArguments<'q, Db<B>>,
    for<'r> &'r str: ColumnIndex<Row<B>>,
    usize: ColumnIndex<Row<B>>,
    for<'q, 'r> Uuid: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q, 'r> String: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q> &'q str: Encode<'q, Db<B>> + Type<Db<B>>,
    for<'q, 'r> i64: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q, 'r> i32: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q, 'r> bool: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q, 'r> DateTime<Utc>: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q, 'r> NaiveDate: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q> &'q [u8]: Encode<'q, Db<B>> + Type<Db<B>>,
    for<'q, 'r> Vec<u8>: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q> Option<Uuid>: Encode<'q, Db<B>>,
    for<'q> Option<String>: Encode<'q, Db<B>>,
    for<'q> Option<&'q str>: Encode<'q, Db<B>>,
    for<'q> Option<i64>: Encode<'q, Db<B>>,
    for<'q> Option<i32>: Encode<'q, Db<B>>,
    for<'q> Option<DateTime<Utc>>: Encode<'q, Db<B>>,
    for<'q> Option<NaiveDate>: Encode<'q, Db<B>>,
{
    async fn create_team(
        &self,
        creator: Uuid,
        name: String,
        settings: TeamSettings,
    ) -> crate::Result<TeamRecord> {
        let id = crate::new_row_id();
        let now = crate::now();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO teams (id, name, reach_requires_sharing, max_open_requests,
                request_expiry_days, audit_retention_days, email_domains, version,
                created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)",
        )
        .bind(id)
        .bind(&name)
        .bind(settings.reach_requires_sharing)
        .bind(i32::from(settings.max_open_requests))
        .bind(i32::from(settings.request_expiry_days))
        .bind(i32::from(settings.audit_retention_days))
        .bind(to_json(&settings.email_domains))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        Sql::<B>::insert_member(&mut tx, id, creator, TeamRole::Owner).await?;
        let team = Sql::<B>::team_as(&mut tx, creator, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(team)
    }

    async fn teams_of(
        &self,
        user: Uuid,
        after: Option<&Cursor>,
        limit: u32,
    ) -> crate::Result<Vec<TeamRecord>> {
        let (at, id) = match after {
            Some(cursor) => (Some(cursor.created_at), Some(cursor.id)),
            None => (None, None),
        };
        let rows: Vec<TeamRow> = sqlx::query_as(concat!(
            "SELECT ",
            team_columns!(),
            " FROM teams t JOIN team_members m ON m.team_id = t.id AND m.user_id = $1
             WHERE $2 IS NULL OR t.created_at > $2 OR (t.created_at = $2 AND t.id > $3)
             ORDER BY t.created_at, t.id LIMIT $4"
        ))
        .bind(user)
        .bind(at)
        .bind(id)
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn team(&self, user: Uuid, team: Uuid) -> crate::Result<Option<TeamRecord>> {
        let mut conn = self.reader().acquire().await?;
        Sql::<B>::team_as(&mut conn, user, team).await
    }

    async fn update_team(
        &self,
        actor: Uuid,
        team: Uuid,
        expected_version: i64,
        name: String,
        settings: TeamSettings,
    ) -> crate::Result<TeamRecord> {
        let mut tx = self.begin_write().await?;
        let role = Sql::<B>::lock_team(&mut tx, actor, team).await?;
        allowed(role, TeamAction::Edit)?;
        let domains: String = sqlx::query_scalar("SELECT email_domains FROM teams WHERE id = $1")
            .bind(team)
            .fetch_one(&mut *tx)
            .await?;
        let domains_change = json_list("teams.email_domains", &domains)? != settings.email_domains;
        let updated = sqlx::query(
            "UPDATE teams SET name = $1, reach_requires_sharing = $2, max_open_requests = $3,
                request_expiry_days = $4, audit_retention_days = $5, email_domains = $6,
                version = version + 1, updated_at = $7
             WHERE id = $8 AND version = $9",
        )
        .bind(&name)
        .bind(settings.reach_requires_sharing)
        .bind(i32::from(settings.max_open_requests))
        .bind(i32::from(settings.request_expiry_days))
        .bind(i32::from(settings.audit_retention_days))
        .bind(to_json(&settings.email_domains))
        .bind(crate::now())
        .bind(team)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            return Err(StoreError::Stale);
        }
        if domains_change {
            // Colleagues at the team's own domains are never shared: each
            // member's contacts are looked at again.
            let sharers: Vec<Uuid> = sqlx::query_scalar(
                "SELECT user_id FROM team_members WHERE team_id = $1 AND role <> 'guest'",
            )
            .bind(team)
            .fetch_all(&mut *tx)
            .await?;
            for sharer in sharers {
                Sql::<B>::index_all(&mut tx, sharer, team).await?;
            }
        }
        let record = Sql::<B>::team_as(&mut tx, actor, team)
            .await?
            .ok_or(StoreError::NotFound)?;
        let who = Sql::<B>::name_of(&mut tx, actor).await?;
        Sql::<B>::team_entry(
            &mut tx,
            team,
            actor,
            rapport_core::sharing::AuditKind::TeamChanged,
            format!("{who} changed the team's name or settings"),
        )
        .await?;
        tx.commit().await?;
        Ok(record)
    }

    async fn delete_team(
        &self,
        actor: Uuid,
        team: Uuid,
        expected_version: i64,
    ) -> crate::Result<()> {
        let mut tx = self.begin_write().await?;
        let role = Sql::<B>::lock_team(&mut tx, actor, team).await?;
        allowed(role, TeamAction::Delete)?;
        let deleted = sqlx::query("DELETE FROM teams WHERE id = $1 AND version = $2")
            .bind(team)
            .bind(expected_version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if deleted == 0 {
            return Err(StoreError::Stale);
        }
        tx.commit().await?;
        Ok(())
    }

    async fn team_members(
        &self,
        user: Uuid,
        team: Uuid,
        skip: u32,
        limit: u32,
    ) -> crate::Result<Vec<MemberRecord>> {
        let mut conn = self.reader().acquire().await?;
        if Sql::<B>::role_in(&mut conn, user, team).await?.is_none() {
            return Err(StoreError::NotFound);
        }
        let rows: Vec<MemberRow> = sqlx::query_as(concat!(
            "SELECT ",
            member_columns!(),
            " FROM team_members m JOIN users u ON u.id = m.user_id
             WHERE m.team_id = $1
             ORDER BY m.joined_at, m.user_id LIMIT $2 OFFSET $3"
        ))
        .bind(team)
        .bind(i64::from(limit))
        .bind(i64::from(skip))
        .fetch_all(&mut *conn)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn add_team_member(
        &self,
        actor: Uuid,
        team: Uuid,
        email: &str,
        role: TeamRole,
    ) -> crate::Result<MemberRecord> {
        let mut tx = self.begin_write().await?;
        let actor_role = Sql::<B>::lock_team(&mut tx, actor, team).await?;
        allowed(actor_role, TeamAction::Admit(role))?;
        let user: Option<Uuid> =
            sqlx::query_scalar("SELECT id FROM users WHERE email = $1 AND NOT disabled")
                .bind(email)
                .fetch_optional(&mut *tx)
                .await?;
        let user = user.ok_or_else(|| StoreError::InvalidReference {
            field: "email".to_owned(),
        })?;
        if Sql::<B>::role_in(&mut tx, user, team).await?.is_some() {
            return Err(StoreError::Duplicate);
        }
        Sql::<B>::insert_member(&mut tx, team, user, role).await?;
        let member = Sql::<B>::member(&mut tx, team, user).await?;
        let who = Sql::<B>::name_of(&mut tx, actor).await?;
        Sql::<B>::team_entry(
            &mut tx,
            team,
            actor,
            rapport_core::sharing::AuditKind::MemberAdded,
            format!("{who} added {} as {}", member.display_name, role.as_str()),
        )
        .await?;
        tx.commit().await?;
        Ok(member)
    }

    async fn set_team_role(
        &self,
        actor: Uuid,
        team: Uuid,
        member: Uuid,
        role: TeamRole,
    ) -> crate::Result<MemberRecord> {
        let mut tx = self.begin_write().await?;
        let actor_role = Sql::<B>::lock_team(&mut tx, actor, team).await?;
        let from = Sql::<B>::role_in(&mut tx, member, team)
            .await?
            .ok_or(StoreError::NotFound)?;
        allowed(
            actor_role,
            TeamAction::ChangeRole {
                from,
                to: role,
                oneself: member == actor,
            },
        )?;
        if from != role {
            if role == TeamRole::Owner {
                // Handing over: the one owner steps down to admin first.
                sqlx::query(
                    "UPDATE team_members SET role = 'admin' WHERE team_id = $1 AND role = 'owner'",
                )
                .bind(team)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query("UPDATE team_members SET role = $1 WHERE team_id = $2 AND user_id = $3")
                .bind(role.as_str())
                .bind(team)
                .bind(member)
                .execute(&mut *tx)
                .await?;
            // Guests share nothing: what they shared leaves the index, and
            // comes back (by their sharing, kept meanwhile) if they rise.
            if role == TeamRole::Guest {
                sqlx::query("DELETE FROM team_index WHERE team_id = $1 AND owner_id = $2")
                    .bind(team)
                    .bind(member)
                    .execute(&mut *tx)
                    .await?;
            } else if from == TeamRole::Guest {
                Sql::<B>::index_all(&mut tx, member, team).await?;
            }
        }
        let record = Sql::<B>::member(&mut tx, team, member).await?;
        if from != role {
            let who = Sql::<B>::name_of(&mut tx, actor).await?;
            let detail = if role == TeamRole::Owner {
                format!(
                    "{who} handed ownership to {}; {who} is now an admin",
                    record.display_name
                )
            } else {
                format!("{who} made {} {}", record.display_name, role.as_str())
            };
            Sql::<B>::team_entry(
                &mut tx,
                team,
                actor,
                rapport_core::sharing::AuditKind::RoleChanged,
                detail,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(record)
    }

    async fn remove_team_member(&self, actor: Uuid, team: Uuid, member: Uuid) -> crate::Result<()> {
        let mut tx = self.begin_write().await?;
        let actor_role = Sql::<B>::lock_team(&mut tx, actor, team).await?;
        let role = Sql::<B>::role_in(&mut tx, member, team)
            .await?
            .ok_or(StoreError::NotFound)?;
        allowed(
            actor_role,
            TeamAction::Remove {
                role,
                oneself: member == actor,
            },
        )?;
        let name = Sql::<B>::name_of(&mut tx, member).await?;
        sqlx::query("DELETE FROM team_members WHERE team_id = $1 AND user_id = $2")
            .bind(team)
            .bind(member)
            .execute(&mut *tx)
            .await?;
        let detail = if member == actor {
            format!("{name} left")
        } else {
            format!(
                "{} removed {name}",
                Sql::<B>::name_of(&mut tx, actor).await?
            )
        };
        Sql::<B>::team_entry(
            &mut tx,
            team,
            actor,
            rapport_core::sharing::AuditKind::MemberRemoved,
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_join_code(
        &self,
        actor: Uuid,
        new: crate::NewJoinCode,
    ) -> crate::Result<JoinCodeRecord> {
        let mut tx = self.begin_write().await?;
        let actor_role = Sql::<B>::lock_team(&mut tx, actor, new.team_id).await?;
        allowed(actor_role, TeamAction::Admit(new.role))?;
        let id = Uuid::new_v4();
        sqlx::query(
            "INSERT INTO team_join_codes (id, team_id, code_hash, role, created_by, created_at,
                expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(new.team_id)
        .bind(&new.code_hash)
        .bind(new.role.as_str())
        .bind(actor)
        .bind(crate::now())
        .bind(new.expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(JoinCodeRecord {
            id,
            team_id: new.team_id,
            role: new.role,
            expires_at: new.expires_at,
        })
    }

    async fn join_team(
        &self,
        user: Uuid,
        code_hash: &[u8],
        now: DateTime<Utc>,
    ) -> crate::Result<JoinOutcome> {
        let mut tx = self.begin_write().await?;
        let code: Option<(Uuid, String)> = sqlx::query_as(
            "SELECT team_id, role FROM team_join_codes
             WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(code_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((team, role)) = code else {
            return Ok(JoinOutcome::Invalid);
        };
        let role = parsed("team_join_codes.role", &role, TeamRole::parse)?;
        if let Some(team) = Sql::<B>::team_as(&mut tx, user, team).await? {
            return Ok(JoinOutcome::AlreadyMember(team));
        }
        // Spent here, once: of two people sending the same code at once,
        // one finds it already used.
        let spent = sqlx::query(
            "UPDATE team_join_codes SET used_at = $1, used_by = $2
             WHERE code_hash = $3 AND used_at IS NULL",
        )
        .bind(now)
        .bind(user)
        .bind(code_hash)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if spent == 0 {
            return Ok(JoinOutcome::Invalid);
        }
        Sql::<B>::insert_member(&mut tx, team, user, role).await?;
        let record = Sql::<B>::team_as(&mut tx, user, team)
            .await?
            .ok_or(StoreError::NotFound)?;
        let name = Sql::<B>::name_of(&mut tx, user).await?;
        Sql::<B>::team_entry(
            &mut tx,
            team,
            user,
            rapport_core::sharing::AuditKind::MemberAdded,
            format!("{name} joined with a code as {}", role.as_str()),
        )
        .await?;
        tx.commit().await?;
        Ok(JoinOutcome::Joined(record))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn refusals_are_reported_as_team_errors() {
        use super::*;
        use rapport_core::team::TeamRefusal;
        let refused = allowed(TeamRole::Member, TeamAction::Delete);
        assert!(matches!(
            refused,
            Err(StoreError::Team(TeamRefusal::RoleRequired(_)))
        ));
    }
}
