//! The nurture queue's SQL, shared by both backends like [`crate::sql`].

use chrono::{DateTime, NaiveDate, Utc};
use rapport_core::interaction::InteractionKind;
use rapport_core::nurture::{NurtureCandidate, NurtureContact, NurtureFacts, NurturePosition};
use uuid::Uuid;

fn small(value: i32) -> u8 {
    u8::try_from(value).unwrap_or(0)
}

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

impl From<FollowUpRow> for NurtureCandidate {
    fn from(row: FollowUpRow) -> Self {
        NurtureCandidate {
            contact: NurtureContact {
                id: row.contact_id,
                name: row.name,
                company: row.company,
            },
            facts: NurtureFacts::FollowUp {
                interaction_id: row.interaction_id,
                kind: InteractionKind::parse(&row.kind).unwrap_or(InteractionKind::Other),
                occurred_on: row.occurred_on,
                follow_up_on: row.follow_up_on,
            },
            position: NurturePosition::FollowUp {
                on: row.follow_up_on,
                name: row.sort_name,
                contact: row.contact_id,
                interaction: row.interaction_id,
            },
        }
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

impl From<MismatchRow> for NurtureCandidate {
    fn from(row: MismatchRow) -> Self {
        NurtureCandidate {
            contact: NurtureContact {
                id: row.id,
                name: row.name,
                company: row.company,
            },
            facts: NurtureFacts::Mismatch {
                comfort: small(row.comfort),
                familiarity: small(row.familiarity),
                suggested_comfort: small(row.suggested_comfort),
            },
            position: NurturePosition::Mismatch {
                name: row.sort_name,
                contact: row.id,
            },
        }
    }
}

/// Implements [`crate::NurtureStore`] for a backend (see `impl_store!`).
macro_rules! impl_nurture_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::NurtureStore for $store {
            async fn open_follow_ups(
                &self,
                owner: uuid::Uuid,
                until: chrono::NaiveDate,
                resume: Option<&$crate::nurture::Resume<chrono::NaiveDate, $crate::nurture::FollowUpKey>>,
                limit: u32,
            ) -> $crate::Result<Vec<rapport_core::nurture::NurtureCandidate>> {
                use $crate::nurture::Resume;
                // "Answered": a later interaction with the contact, which is
                // exactly a last interaction after this one.
                let mut qb = sqlx::QueryBuilder::<$db>::new(
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
                qb.push(" ORDER BY i.follow_up_on, c.sort_name, c.id, i.id LIMIT ")
                    .push_bind(i64::from(limit));
                let rows: Vec<$crate::sql_nurture::FollowUpRow> =
                    qb.build_query_as().fetch_all(self.reader()).await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn unanswered_asks(
                &self,
                owner: uuid::Uuid,
                asked_before: chrono::DateTime<chrono::Utc>,
                resume: Option<&$crate::nurture::Resume<chrono::DateTime<chrono::Utc>, (chrono::DateTime<chrono::Utc>, uuid::Uuid)>>,
                limit: u32,
            ) -> $crate::Result<Vec<rapport_core::nurture::NurtureCandidate>> {
                use $crate::nurture::Resume;
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT id, name, company, connection_changed_at FROM contacts WHERE owner_id = ",
                );
                qb.push_bind(owner)
                    .push(" AND archived = false AND connection_status = ")
                    .push_bind(rapport_core::contact::ConnectionStatus::Asked.as_str())
                    .push(" AND connection_changed_at < ")
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
                qb.push(" ORDER BY connection_changed_at, id LIMIT ")
                    .push_bind(i64::from(limit));
                let rows: Vec<$crate::sql_nurture::AskRow> =
                    qb.build_query_as().fetch_all(self.reader()).await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn rating_mismatches(
                &self,
                owner: uuid::Uuid,
                after: Option<&(String, uuid::Uuid)>,
                limit: u32,
            ) -> $crate::Result<Vec<rapport_core::nurture::NurtureCandidate>> {
                // The SQL form of rapport_core::familiarity::is_mismatch.
                let mut qb = sqlx::QueryBuilder::<$db>::new(
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
                qb.push(" ORDER BY sort_name, id LIMIT ").push_bind(i64::from(limit));
                let rows: Vec<$crate::sql_nurture::MismatchRow> =
                    qb.build_query_as().fetch_all(self.reader()).await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }
        }
    };
}
pub(crate) use impl_nurture_store;
