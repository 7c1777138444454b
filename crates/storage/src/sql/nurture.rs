//! The nurture queue's own queries (see [`crate::backend`]).

use chrono::{DateTime, NaiveDate, Utc};
use rapport_core::interaction::InteractionKind;
use rapport_core::nurture::{NurtureCandidate, NurtureContact, NurtureFacts, NurturePosition};
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};
use uuid::Uuid;

use crate::backend::{Args, Conn, Db, Row, SqlBackend, Statement};
use crate::sql::{parsed, small};
use crate::{Result, StoreError};

#[derive(sqlx::FromRow)]
pub(crate) struct FollowUpRow {
    contact_id: Uuid,
    name: String,
    company: Option<String>,
    sort_name: String,
    interaction_id: Uuid,
    kind: String,
    occurred_on: NaiveDate,
    follow_up_on: NaiveDate,
}

impl TryFrom<FollowUpRow> for NurtureCandidate {
    type Error = StoreError;

    fn try_from(row: FollowUpRow) -> Result<Self> {
        Ok(NurtureCandidate {
            contact: NurtureContact {
                id: row.contact_id,
                name: row.name,
                company: row.company,
            },
            facts: NurtureFacts::FollowUp {
                interaction_id: row.interaction_id,
                kind: parsed("interactions.kind", &row.kind, InteractionKind::parse)?,
                occurred_on: row.occurred_on,
                follow_up_on: row.follow_up_on,
            },
            position: NurturePosition::FollowUp {
                on: row.follow_up_on,
                name: row.sort_name,
                contact: row.contact_id,
                interaction: row.interaction_id,
            },
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AskRow {
    id: Uuid,
    name: String,
    company: Option<String>,
    connection_changed_at: DateTime<Utc>,
}

impl From<AskRow> for NurtureCandidate {
    fn from(row: AskRow) -> Self {
        NurtureCandidate {
            contact: NurtureContact {
                id: row.id,
                name: row.name,
                company: row.company,
            },
            facts: NurtureFacts::AwaitingAnswer {
                asked_at: row.connection_changed_at,
            },
            position: NurturePosition::AwaitingAnswer {
                at: row.connection_changed_at,
                contact: row.id,
            },
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MismatchRow {
    id: Uuid,
    name: String,
    company: Option<String>,
    sort_name: String,
    comfort: i32,
    familiarity: i32,
    suggested_comfort: i32,
}

impl TryFrom<MismatchRow> for NurtureCandidate {
    type Error = StoreError;

    fn try_from(row: MismatchRow) -> Result<Self> {
        Ok(NurtureCandidate {
            contact: NurtureContact {
                id: row.id,
                name: row.name,
                company: row.company,
            },
            facts: NurtureFacts::Mismatch {
                comfort: small("contacts.comfort", row.comfort)?,
                familiarity: small("contacts.familiarity", row.familiarity)?,
                suggested_comfort: small("contacts.suggested_comfort", row.suggested_comfort)?,
            },
            position: NurturePosition::Mismatch {
                name: row.sort_name,
                contact: row.id,
            },
        })
    }
}

#[async_trait::async_trait]
impl<B> crate::NurtureStore for B
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
    async fn open_follow_ups(
        &self,
        owner: Uuid,
        until: NaiveDate,
        resume: Option<&crate::nurture::Resume<NaiveDate, crate::nurture::FollowUpKey>>,
        limit: u32,
    ) -> crate::Result<Vec<rapport_core::nurture::NurtureCandidate>> {
        use crate::nurture::Resume;
        // "Answered": a later interaction with the contact, which is
        // exactly a last interaction after this one.
        let mut qb = Statement::<B>::new(
            "SELECT c.id AS contact_id, c.name, c.company, c.sort_name,
                i.id AS interaction_id, i.kind, i.occurred_on, i.follow_up_on
             FROM interactions i
             JOIN interaction_contacts ic ON ic.interaction_id = i.id
             JOIN contacts c ON c.id = ic.contact_id
             WHERE i.owner_id = ",
        );
        qb.push_bind(owner)
            .push(" AND c.owner_id = ")
            .push_bind(owner)
            .push(" AND c.archived = false AND i.follow_up_on <= ")
            .push_bind(until)
            .push(" AND (c.last_interaction_on IS NULL OR c.last_interaction_on <= i.occurred_on)");
        match resume {
            None => {}
            Some(Resume::AtLeast(day)) => {
                qb.push(" AND i.follow_up_on >= ").push_bind(*day);
            }
            Some(Resume::After((day, name, contact, interaction))) => {
                qb.push(" AND (i.follow_up_on, c.sort_name, c.id, i.id) > (")
                    .push_bind(*day)
                    .push(", ")
                    .push_bind(name.clone())
                    .push(", ")
                    .push_bind(*contact)
                    .push(", ")
                    .push_bind(*interaction)
                    .push(")");
            }
        }
        qb.push(" ORDER BY i.follow_up_on, c.sort_name, c.id, i.id")
            .push_limit(limit);
        let rows: Vec<FollowUpRow> = {
            let (sql, args) = qb.into_parts()?;
            sqlx::query_as_with(&sql, args)
                .fetch_all(self.reader())
                .await?
        };
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn unanswered_asks(
        &self,
        owner: Uuid,
        asked_before: DateTime<Utc>,
        resume: Option<&crate::nurture::Resume<DateTime<Utc>, (DateTime<Utc>, Uuid)>>,
        limit: u32,
    ) -> crate::Result<Vec<rapport_core::nurture::NurtureCandidate>> {
        use crate::nurture::Resume;
        let mut qb = Statement::<B>::new(
            "SELECT id, name, company, connection_changed_at FROM contacts WHERE owner_id = ",
        );
        qb.push_bind(owner)
            // The status as a literal, not bound (see `Statement::push_limit`).
            .push(format_args!(
                " AND archived = false AND connection_status = '{}' AND connection_changed_at < ",
                rapport_core::contact::ConnectionStatus::Asked.as_str()
            ))
            .push_bind(asked_before);
        match resume {
            None => {}
            Some(Resume::AtLeast(at)) => {
                qb.push(" AND connection_changed_at >= ").push_bind(*at);
            }
            Some(Resume::After((at, id))) => {
                qb.push(" AND (connection_changed_at, id) > (")
                    .push_bind(*at)
                    .push(", ")
                    .push_bind(*id)
                    .push(")");
            }
        }
        qb.push(" ORDER BY connection_changed_at, id")
            .push_limit(limit);
        let rows: Vec<AskRow> = {
            let (sql, args) = qb.into_parts()?;
            sqlx::query_as_with(&sql, args)
                .fetch_all(self.reader())
                .await?
        };
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn rating_mismatches(
        &self,
        owner: Uuid,
        after: Option<&(String, Uuid)>,
        limit: u32,
    ) -> crate::Result<Vec<rapport_core::nurture::NurtureCandidate>> {
        // The SQL form of rapport_core::familiarity::is_mismatch.
        let mut qb = Statement::<B>::new(
            "SELECT id, name, company, sort_name, comfort, familiarity, suggested_comfort
             FROM contacts WHERE owner_id = ",
        );
        qb.push_bind(owner)
            .push(" AND archived = false AND comfort >= 4 AND (comfort >= suggested_comfort + ")
            .push_bind(i32::from(rapport_core::familiarity::MISMATCH_GAP))
            .push(" OR familiarity < ")
            .push_bind(i32::from(rapport_core::familiarity::BARELY_KNOWN_BELOW))
            .push(")");
        if let Some((name, id)) = after {
            qb.push(" AND (sort_name, id) > (")
                .push_bind(name.clone())
                .push(", ")
                .push_bind(*id)
                .push(")");
        }
        qb.push(" ORDER BY sort_name, id").push_limit(limit);
        let rows: Vec<MismatchRow> = {
            let (sql, args) = qb.into_parts()?;
            sqlx::query_as_with(&sql, args)
                .fetch_all(self.reader())
                .await?
        };
        rows.into_iter().map(TryInto::try_into).collect()
    }
}
