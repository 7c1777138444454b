//! The team audit log (see [`crate::audit`] and [`crate::backend`]).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rapport_core::sharing::AuditKind;
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};
use uuid::Uuid;

use crate::audit::AuditRecord;
use crate::backend::{Args, Conn, Db, Row, Sql, SqlBackend, Statement};
use crate::sql::parsed;
use crate::{Cursor, StoreError};

/// An entry to append: about `subject`'s share (or, with no subject, the
/// team as a whole), done by `actor`.
pub(crate) struct Entry<'a> {
    pub(crate) team: Uuid,
    pub(crate) subject: Option<Uuid>,
    pub(crate) actor: Uuid,
    pub(crate) kind: AuditKind,
    pub(crate) contacts: &'a [Uuid],
    pub(crate) detail: String,
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: Uuid,
    kind: String,
    created_at: DateTime<Utc>,
    actor_id: Option<Uuid>,
    actor_name: Option<String>,
    contact_ids: String,
    detail: String,
    team_wide: bool,
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
    /// Appends an entry, and lets go of the team's entries older than it
    /// keeps.
    pub(crate) async fn audit(conn: &mut Conn<B>, entry: Entry<'_>) -> crate::Result<()> {
        let now = crate::now();
        let keep: i32 = sqlx::query_scalar("SELECT audit_retention_days FROM teams WHERE id = $1")
            .bind(entry.team)
            .fetch_one(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM team_audit WHERE team_id = $1 AND created_at < $2")
            .bind(entry.team)
            .bind(now - Duration::days(i64::from(keep)))
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "INSERT INTO team_audit (id, team_id, subject_id, actor_id, kind, contact_ids, detail,
                created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(crate::new_row_id())
        .bind(entry.team)
        .bind(entry.subject)
        .bind(entry.actor)
        .bind(entry.kind.as_str())
        .bind(crate::sql::network::to_json(entry.contacts))
        .bind(entry.detail)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// A user's display name, for an entry's line.
    pub(crate) async fn name_of(conn: &mut Conn<B>, user: Uuid) -> crate::Result<String> {
        Ok(
            sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1")
                .bind(user)
                .fetch_optional(&mut *conn)
                .await?
                .unwrap_or_else(|| "Someone".to_owned()),
        )
    }
}

#[async_trait::async_trait]
impl<B> crate::AuditStore for B
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
    async fn record_reach(
        &self,
        searcher: Uuid,
        team: Uuid,
        found: &[(Uuid, Uuid)],
    ) -> crate::Result<()> {
        if found.is_empty() {
            return Ok(());
        }
        let mut owners: Vec<Uuid> = found.iter().map(|(owner, _)| *owner).collect();
        owners.sort_unstable();
        owners.dedup();
        let mut tx = self.begin_write().await?;
        let name = Sql::<B>::name_of(&mut tx, searcher).await?;
        for owner in owners {
            let contacts: Vec<Uuid> = found
                .iter()
                .filter(|(o, _)| *o == owner)
                .map(|(_, contact)| *contact)
                .collect();
            let detail = match contacts.len() {
                1 => format!("{name} searched team reach and found one of your shared contacts"),
                n => format!("{name} searched team reach and found {n} of your shared contacts"),
            };
            Sql::<B>::audit(
                &mut tx,
                Entry {
                    team,
                    subject: Some(owner),
                    actor: searcher,
                    kind: AuditKind::SearchMatched,
                    contacts: &contacts,
                    detail,
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn audit_log(
        &self,
        user: Uuid,
        team: Uuid,
        after: Option<&Cursor>,
        limit: u32,
    ) -> crate::Result<Vec<AuditRecord>> {
        let mut conn = self.reader().acquire().await?;
        let role = Sql::<B>::role_in(&mut conn, user, team)
            .await?
            .ok_or(StoreError::NotFound)?;
        let (at, id) = match after {
            Some(cursor) => (Some(cursor.created_at), Some(cursor.id)),
            None => (None, None),
        };
        let rows: Vec<AuditRow> = sqlx::query_as(
            "SELECT a.id, a.kind, a.created_at, a.actor_id, u.display_name AS actor_name,
                a.contact_ids, a.detail, a.subject_id IS NULL AS team_wide
             FROM team_audit a LEFT JOIN users u ON u.id = a.actor_id
             WHERE a.team_id = $1 AND (a.subject_id = $2 OR ($3 AND a.subject_id IS NULL))
               AND ($4 IS NULL OR a.created_at < $4 OR (a.created_at = $4 AND a.id < $5))
             ORDER BY a.created_at DESC, a.id DESC LIMIT $6",
        )
        .bind(team)
        .bind(user)
        .bind(role.manages())
        .bind(at)
        .bind(id)
        .bind(i64::from(limit))
        .fetch_all(&mut *conn)
        .await?;
        // The reader's own contacts the entries name, by their names now.
        let mut ids: Vec<Uuid> = Vec::new();
        let mut lists = Vec::with_capacity(rows.len());
        for row in &rows {
            let list: Vec<Uuid> = serde_json::from_str(&row.contact_ids)
                .map_err(|_| StoreError::corrupt("team_audit.contact_ids", &row.contact_ids))?;
            ids.extend(&list);
            lists.push(list);
        }
        let mut names: std::collections::HashMap<Uuid, String> = Default::default();
        if !ids.is_empty() {
            ids.sort_unstable();
            ids.dedup();
            for chunk in ids.chunks(500) {
                let mut statement =
                    Statement::<B>::new("SELECT id, name FROM contacts WHERE owner_id = ");
                statement.push_bind(user).push(" AND id IN (");
                statement.push_list(chunk.iter().copied()).push(")");
                let (sql, args) = statement.into_parts()?;
                let found: Vec<(Uuid, String)> = sqlx::query_as_with(&sql, args)
                    .fetch_all(&mut *conn)
                    .await?;
                names.extend(found);
            }
        }
        rows.into_iter()
            .zip(lists)
            .map(|(row, list)| {
                Ok(AuditRecord {
                    id: row.id,
                    kind: parsed("team_audit.kind", &row.kind, AuditKind::parse)?,
                    at: row.created_at,
                    actor: row.actor_id.zip(row.actor_name),
                    contacts: list
                        .into_iter()
                        .filter_map(|id| names.get(&id).map(|name| (id, name.clone())))
                        .collect(),
                    detail: row.detail,
                    team_wide: row.team_wide,
                })
            })
            .collect()
    }
}
