//! Introduction requests (see [`crate::intro_requests`] and
//! [`crate::backend`]).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rapport_core::contact::NewContact;
use rapport_core::intro_request::{IntroRequestStatus, RequestBox, COOLDOWN_DAYS};
use rapport_core::team::{TeamRefusal, TeamRole};
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};
use uuid::Uuid;

use crate::backend::{Args, Conn, Db, Row, RowsAffected, Sql, SqlBackend, Statement};
use crate::intro_requests::{IntroRequestRecord, RequestPerson};
use crate::sql::parsed;
use crate::{Cursor, StoreError};

/// The columns of a request with its requester, acceptor and one target
/// (`t`, with its contact `c`): the accepted one for the requester's view,
/// the reader's own for a teammate's.
macro_rules! request_columns {
    () => {
        "r.id, r.team_id, r.requester_id, q.display_name AS requester_name, r.reason, r.status, \
         r.person_name, r.person_company, r.person_title, r.accepted_by, \
         a.display_name AS accepted_name, r.introduction_id, r.created_at, r.expires_at, \
         r.answered_at, t.contact_id, c.name AS contact_name, c.company AS contact_company, \
         c.title AS contact_title, t.status AS target_status, t.decline_reason"
    };
}

const OUT_FROM: &str = " FROM intro_requests r JOIN users q ON q.id = r.requester_id
     LEFT JOIN users a ON a.id = r.accepted_by
     LEFT JOIN intro_request_targets t ON t.request_id = r.id AND t.status = 'accepted'
     LEFT JOIN contacts c ON c.id = t.contact_id";

const IN_FROM: &str = " FROM intro_request_targets t JOIN intro_requests r ON r.id = t.request_id
     JOIN users q ON q.id = r.requester_id
     LEFT JOIN users a ON a.id = r.accepted_by
     JOIN contacts c ON c.id = t.contact_id";

#[derive(sqlx::FromRow)]
struct RequestRow {
    id: Uuid,
    team_id: Uuid,
    requester_id: Uuid,
    requester_name: String,
    reason: String,
    status: String,
    person_name: Option<String>,
    person_company: Option<String>,
    person_title: Option<String>,
    accepted_by: Option<Uuid>,
    accepted_name: Option<String>,
    introduction_id: Option<Uuid>,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    answered_at: Option<DateTime<Utc>>,
    contact_id: Option<Uuid>,
    contact_name: Option<String>,
    contact_company: Option<String>,
    contact_title: Option<String>,
    target_status: Option<String>,
    decline_reason: Option<String>,
}

fn status(column: &'static str, text: &str) -> crate::Result<IntroRequestStatus> {
    parsed(column, text, IntroRequestStatus::parse)
}

impl RequestRow {
    fn into_record(
        self,
        direction: RequestBox,
        now: DateTime<Utc>,
    ) -> crate::Result<IntroRequestRecord> {
        let mut request_status = status("intro_requests.status", &self.status)?;
        let expired = request_status == IntroRequestStatus::Open && self.expires_at <= now;
        if expired {
            request_status = IntroRequestStatus::Expired;
        }
        let mut my_status = self
            .target_status
            .as_deref()
            .map(|s| status("intro_request_targets.status", s))
            .transpose()?;
        if expired && my_status == Some(IntroRequestStatus::Open) {
            my_status = Some(IntroRequestStatus::Expired);
        }
        let contact = match (self.contact_id, self.contact_name) {
            (Some(id), Some(name)) => Some((
                id,
                RequestPerson {
                    name,
                    company: self.contact_company,
                    title: self.contact_title,
                },
            )),
            _ => None,
        };
        Ok(IntroRequestRecord {
            id: self.id,
            team_id: self.team_id,
            direction,
            requester_id: self.requester_id,
            requester_name: self.requester_name,
            reason: self.reason,
            status: request_status,
            shown: self.person_name.map(|name| RequestPerson {
                name,
                company: self.person_company,
                title: self.person_title,
            }),
            accepted_by: self.accepted_by.zip(self.accepted_name),
            contact,
            my_status: match direction {
                RequestBox::In => my_status,
                RequestBox::Out => None,
            },
            decline_reason: match direction {
                RequestBox::In => self.decline_reason,
                RequestBox::Out => None,
            },
            introduction_id: self.introduction_id,
            created_at: self.created_at,
            expires_at: self.expires_at,
            answered_at: self.answered_at,
        })
    }
}

/// A row of the team index a request may name.
#[derive(sqlx::FromRow)]
struct TargetRow {
    contact_id: Uuid,
    owner_id: Uuid,
    level: String,
    name: Option<String>,
    company: Option<String>,
    title: Option<String>,
    comfort: Option<i32>,
    familiarity: i32,
    last_interaction_on: Option<NaiveDate>,
}

impl TargetRow {
    /// How reach ranks the row: the band, then the most recent contact.
    fn rank(&self) -> crate::Result<(rapport_core::sharing::Band, Option<NaiveDate>)> {
        Ok((
            rapport_core::sharing::Band::of(
                crate::sql::comfort(self.comfort)?,
                crate::sql::small("contacts.familiarity", self.familiarity)?,
            ),
            self.last_interaction_on,
        ))
    }
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
    /// The request as `user` sees it: as its requester, or as a teammate
    /// asked.
    async fn request_as(
        conn: &mut Conn<B>,
        user: Uuid,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> crate::Result<Option<IntroRequestRecord>> {
        let out: Option<RequestRow> = sqlx::query_as(&format!(
            "SELECT {} {OUT_FROM} WHERE r.id = $1 AND r.requester_id = $2",
            request_columns!()
        ))
        .bind(id)
        .bind(user)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(row) = out {
            return row.into_record(RequestBox::Out, now).map(Some);
        }
        let incoming: Option<RequestRow> = sqlx::query_as(&format!(
            "SELECT {} {IN_FROM} WHERE r.id = $1 AND t.owner_id = $2",
            request_columns!()
        ))
        .bind(id)
        .bind(user)
        .fetch_optional(&mut *conn)
        .await?;
        incoming
            .map(|row| row.into_record(RequestBox::In, now))
            .transpose()
    }

    /// The request addressed to `user`, if it is open for them to answer;
    /// their contact it is about. `NotFound` when it is not addressed to
    /// them, `Conflict` when no longer open.
    async fn open_for(
        conn: &mut Conn<B>,
        user: Uuid,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> crate::Result<IntroRequestRecord> {
        let record = Self::request_as(conn, user, id, now)
            .await?
            .filter(|r| r.direction == RequestBox::In)
            .ok_or(StoreError::NotFound)?;
        if record.status != IntroRequestStatus::Open
            || record.my_status != Some(IntroRequestStatus::Open)
        {
            return Err(StoreError::Conflict("the request is no longer open"));
        }
        Ok(record)
    }
}

#[async_trait::async_trait]
impl<B> crate::IntroRequestStore for B
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
    async fn create_intro_request(
        &self,
        requester: Uuid,
        team: Uuid,
        handles: &[String],
        reason: &str,
        now: DateTime<Utc>,
    ) -> crate::Result<IntroRequestRecord> {
        let mut tx = self.begin_write().await?;
        let role = Sql::<B>::role_in(&mut tx, requester, team)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut statement = Statement::<B>::new(
            "SELECT i.contact_id, i.owner_id, i.level, i.name, i.company, i.title, c.comfort,
                c.familiarity, c.last_interaction_on
             FROM team_index i JOIN contacts c ON c.id = i.contact_id
             WHERE i.team_id = ",
        );
        statement
            .push_bind(team)
            .push(" AND i.owner_id <> ")
            .push_bind(requester);
        if role == TeamRole::Guest {
            statement.push(" AND i.level = 'profile'");
        }
        statement.push(" AND i.handle IN (");
        statement.push_list(handles.iter().cloned()).push(")");
        let (sql, args) = statement.into_parts()?;
        let targets: Vec<TargetRow> = sqlx::query_as_with(&sql, args).fetch_all(&mut *tx).await?;
        if targets.is_empty() {
            return Err(StoreError::InvalidReference {
                field: "result".to_owned(),
            });
        }
        let (max_open, expiry_days): (i32, i32) = sqlx::query_as(
            "SELECT max_open_requests, request_expiry_days FROM teams WHERE id = $1",
        )
        .bind(team)
        .fetch_one(&mut *tx)
        .await?;
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM intro_requests
             WHERE requester_id = $1 AND team_id = $2 AND status = 'open' AND expires_at > $3",
        )
        .bind(requester)
        .bind(team)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        if open >= i64::from(max_open) {
            return Err(StoreError::Team(TeamRefusal::TooManyOpenRequests));
        }
        let mut statement = Statement::<B>::new(
            "SELECT 1 FROM intro_request_targets t JOIN intro_requests r ON r.id = t.request_id
             WHERE r.requester_id = ",
        );
        statement
            .push_bind(requester)
            .push(" AND r.created_at > ")
            .push_bind(now - Duration::days(COOLDOWN_DAYS))
            .push(" AND t.contact_id IN (");
        statement
            .push_list(targets.iter().map(|t| t.contact_id))
            .push(")");
        let (sql, args) = statement.into_parts()?;
        let recent: Option<i32> = sqlx::query_scalar_with(&sql, args)
            .fetch_optional(&mut *tx)
            .await?;
        if recent.is_some() {
            return Err(StoreError::Team(TeamRefusal::AskedLately));
        }
        // What the requester saw: the profile reach ranks first.
        let mut shown = None;
        let mut best = None;
        for target in targets.iter().filter(|t| t.level == "profile") {
            let rank = target.rank()?;
            if best.as_ref().is_none_or(|best| rank > *best) {
                best = Some(rank);
                shown = Some(target);
            }
        }
        let id = crate::new_row_id();
        sqlx::query(
            "INSERT INTO intro_requests (id, team_id, requester_id, reason, status, person_name,
                person_company, person_title, created_at, expires_at)
             VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(team)
        .bind(requester)
        .bind(reason)
        .bind(shown.and_then(|t| t.name.clone()))
        .bind(shown.and_then(|t| t.company.clone()))
        .bind(shown.and_then(|t| t.title.clone()))
        .bind(now)
        .bind(now + Duration::days(i64::from(expiry_days)))
        .execute(&mut *tx)
        .await?;
        for target in &targets {
            sqlx::query(
                "INSERT INTO intro_request_targets (request_id, contact_id, owner_id, status)
                 VALUES ($1, $2, $3, 'open')",
            )
            .bind(id)
            .bind(target.contact_id)
            .bind(target.owner_id)
            .execute(&mut *tx)
            .await?;
        }
        let name = Sql::<B>::name_of(&mut tx, requester).await?;
        let mut owners: Vec<Uuid> = targets.iter().map(|t| t.owner_id).collect();
        owners.sort_unstable();
        owners.dedup();
        for owner in owners {
            let contacts: Vec<Uuid> = targets
                .iter()
                .filter(|t| t.owner_id == owner)
                .map(|t| t.contact_id)
                .collect();
            Sql::<B>::audit(
                &mut tx,
                crate::sql::audit::Entry {
                    team,
                    subject: Some(owner),
                    actor: requester,
                    kind: rapport_core::sharing::AuditKind::RequestReceived,
                    contacts: &contacts,
                    detail: format!("{name} asked you for an introduction"),
                },
            )
            .await?;
        }
        let record = Sql::<B>::request_as(&mut tx, requester, id, now)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(record)
    }

    async fn intro_requests(
        &self,
        user: Uuid,
        direction: RequestBox,
        after: Option<&Cursor>,
        limit: u32,
        now: DateTime<Utc>,
    ) -> crate::Result<Vec<IntroRequestRecord>> {
        let (from, mine) = match direction {
            RequestBox::Out => (OUT_FROM, "r.requester_id"),
            RequestBox::In => (IN_FROM, "t.owner_id"),
        };
        let (at, id) = match after {
            Some(cursor) => (Some(cursor.created_at), Some(cursor.id)),
            None => (None, None),
        };
        let rows: Vec<RequestRow> = sqlx::query_as(&format!(
            "SELECT {} {from} WHERE {mine} = $1
               AND ($2 IS NULL OR r.created_at < $2 OR (r.created_at = $2 AND r.id < $3))
             ORDER BY r.created_at DESC, r.id DESC LIMIT $4",
            request_columns!()
        ))
        .bind(user)
        .bind(at)
        .bind(id)
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await?;
        rows.into_iter()
            .map(|row| row.into_record(direction, now))
            .collect()
    }

    async fn intro_request(
        &self,
        user: Uuid,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> crate::Result<Option<IntroRequestRecord>> {
        let mut conn = self.reader().acquire().await?;
        Sql::<B>::request_as(&mut conn, user, id, now).await
    }

    async fn accept_intro_request(
        &self,
        user: Uuid,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> crate::Result<IntroRequestRecord> {
        let mut tx = self.begin_write().await?;
        let request = Sql::<B>::open_for(&mut tx, user, id, now).await?;
        // The first acceptance wins: a second one finds it taken.
        let taken = sqlx::query(
            "UPDATE intro_requests SET status = 'accepted', accepted_by = $1, answered_at = $2
             WHERE id = $3 AND status = 'open'",
        )
        .bind(user)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if taken == 0 {
            return Err(StoreError::Conflict("the request is no longer open"));
        }
        let (contact, _) = request.contact.clone().ok_or(StoreError::NotFound)?;
        // The requester among my contacts, by the email they sign in with,
        // or added as a teammate.
        let (email, name): (String, String) =
            sqlx::query_as("SELECT email, display_name FROM users WHERE id = $1")
                .bind(request.requester_id)
                .fetch_one(&mut *tx)
                .await?;
        let known: Option<Uuid> = sqlx::query_scalar(
            "SELECT contact_id FROM contact_keys WHERE owner_id = $1 AND key = $2",
        )
        .bind(user)
        .bind(format!("email:{}", email.to_lowercase()))
        .fetch_optional(&mut *tx)
        .await?;
        let requester_contact = match known {
            Some(id) => id,
            None => {
                let data = NewContact {
                    name,
                    emails: vec![email],
                    tags: vec!["teammate".to_owned()],
                    ..NewContact::default()
                };
                Sql::<B>::insert_contact(&mut tx, user, &data, now).await?
            }
        };
        let introduction = crate::new_row_id();
        sqlx::query(
            "INSERT INTO introductions (id, owner_id, contact_a, contact_b, reason, status,
                outcome, status_changed_at, version, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'proposed', NULL, $6, 1, $6, $6)",
        )
        .bind(introduction)
        .bind(user)
        .bind(contact)
        .bind(requester_contact)
        .bind(&request.reason)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE intro_requests SET introduction_id = $1 WHERE id = $2")
            .bind(introduction)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE intro_request_targets SET
                status = CASE WHEN owner_id = $1 AND contact_id = $2 THEN 'accepted' ELSE 'closed' END,
                answered_at = $3
             WHERE request_id = $4 AND status = 'open'",
        )
        .bind(user)
        .bind(contact)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let record = Sql::<B>::request_as(&mut tx, user, id, now)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(record)
    }

    async fn decline_intro_request(
        &self,
        user: Uuid,
        id: Uuid,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> crate::Result<IntroRequestRecord> {
        let mut tx = self.begin_write().await?;
        Sql::<B>::open_for(&mut tx, user, id, now).await?;
        sqlx::query(
            "UPDATE intro_request_targets SET status = 'declined', decline_reason = $1,
                answered_at = $2
             WHERE request_id = $3 AND owner_id = $4 AND status = 'open'",
        )
        .bind(reason)
        .bind(now)
        .bind(id)
        .bind(user)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE intro_requests SET status = 'declined', answered_at = $1
             WHERE id = $2 AND status = 'open' AND NOT EXISTS (
                SELECT 1 FROM intro_request_targets t WHERE t.request_id = $2 AND t.status = 'open')",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let record = Sql::<B>::request_as(&mut tx, user, id, now)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(record)
    }

    async fn withdraw_intro_request(
        &self,
        user: Uuid,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> crate::Result<IntroRequestRecord> {
        let mut tx = self.begin_write().await?;
        let request = Sql::<B>::request_as(&mut tx, user, id, now)
            .await?
            .filter(|r| r.direction == RequestBox::Out)
            .ok_or(StoreError::NotFound)?;
        if request.status != IntroRequestStatus::Open {
            return Err(StoreError::Conflict("the request is no longer open"));
        }
        sqlx::query(
            "UPDATE intro_requests SET status = 'withdrawn', answered_at = $1
             WHERE id = $2 AND status = 'open'",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE intro_request_targets SET status = 'closed', answered_at = $1
             WHERE request_id = $2 AND status = 'open'",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let record = Sql::<B>::request_as(&mut tx, user, id, now)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(record)
    }

    async fn introduction_answers_request(
        &self,
        owner: Uuid,
        introduction: Uuid,
    ) -> crate::Result<bool> {
        let found: Option<i32> = sqlx::query_scalar(
            "SELECT 1 FROM intro_requests WHERE introduction_id = $1 AND accepted_by = $2",
        )
        .bind(introduction)
        .bind(owner)
        .fetch_optional(self.reader())
        .await?;
        Ok(found.is_some())
    }
}
