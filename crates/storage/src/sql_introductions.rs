//! The introductions' SQL, shared by both backends like [`crate::sql`].

use chrono::{DateTime, Utc};
use rapport_core::introduction::{
    Introduction, IntroductionOutcome, IntroductionParty, IntroductionStatus,
};
use uuid::Uuid;

/// An introduction joined with the two contacts it names.
macro_rules! introduction_select {
    () => {
        "SELECT i.id, i.reason, i.status, i.outcome, i.status_changed_at, i.version,
            i.created_at, i.updated_at,
            a.id AS a_id, a.name AS a_name, a.company AS a_company, a.comfort AS a_comfort,
            b.id AS b_id, b.name AS b_name, b.company AS b_company, b.comfort AS b_comfort
         FROM introductions i
         JOIN contacts a ON a.id = i.contact_a
         JOIN contacts b ON b.id = i.contact_b"
    };
}
pub(crate) use introduction_select;

#[derive(sqlx::FromRow)]
pub(crate) struct IntroductionRow {
    id: Uuid,
    reason: String,
    status: String,
    outcome: Option<String>,
    status_changed_at: DateTime<Utc>,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    a_id: Uuid,
    a_name: String,
    a_company: Option<String>,
    a_comfort: Option<i32>,
    b_id: Uuid,
    b_name: String,
    b_company: Option<String>,
    b_comfort: Option<i32>,
}

impl From<IntroductionRow> for Introduction {
    fn from(row: IntroductionRow) -> Self {
        let status = IntroductionStatus::parse(&row.status).unwrap_or(IntroductionStatus::Proposed);
        let comfort = |c: Option<i32>| c.and_then(|c| u8::try_from(c).ok());
        Introduction {
            id: row.id,
            contact_a: IntroductionParty {
                id: row.a_id,
                name: row.a_name,
                company: row.a_company,
                comfort: comfort(row.a_comfort),
            },
            contact_b: IntroductionParty {
                id: row.b_id,
                name: row.b_name,
                company: row.b_company,
                comfort: comfort(row.b_comfort),
            },
            reason: row.reason,
            status,
            outcome: row.outcome.as_deref().and_then(IntroductionOutcome::parse),
            status_changed_at: row.status_changed_at,
            allowed_next: status.allowed_next().to_vec(),
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// Implements [`crate::IntroductionStore`] for a backend (see `impl_store!`).
macro_rules! impl_introduction_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::IntroductionStore for $store {
            async fn create_introduction(
                &self,
                owner: uuid::Uuid,
                data: &rapport_core::introduction::NewIntroduction,
            ) -> $crate::Result<rapport_core::introduction::Introduction> {
                let id = uuid::Uuid::new_v4();
                let now = $crate::now();
                let mut tx = self.begin_write().await?;
                for (field, contact) in [("contact_a", data.contact_a), ("contact_b", data.contact_b)] {
                    let found: Option<i32> = sqlx::query_scalar(
                        "SELECT 1 FROM contacts WHERE id = $1 AND owner_id = $2",
                    )
                    .bind(contact)
                    .bind(owner)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if found.is_none() {
                        return Err($crate::StoreError::InvalidReference { field: field.into() });
                    }
                }
                sqlx::query(
                    "INSERT INTO introductions (id, owner_id, contact_a, contact_b, reason, status,
                        outcome, status_changed_at, version, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, 1, $7, $7)",
                )
                .bind(id)
                .bind(owner)
                .bind(data.contact_a)
                .bind(data.contact_b)
                .bind(&data.reason)
                .bind(rapport_core::introduction::IntroductionStatus::Proposed.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await?;
                let created = Self::introduction_in(&mut tx, owner, id)
                    .await?
                    .ok_or($crate::StoreError::NotFound)?;
                tx.commit().await?;
                Ok(created)
            }

            async fn introduction(
                &self,
                owner: uuid::Uuid,
                id: uuid::Uuid,
            ) -> $crate::Result<Option<rapport_core::introduction::Introduction>> {
                let mut conn = self.reader().acquire().await?;
                Self::introduction_in(&mut conn, owner, id).await
            }

            async fn update_introduction(
                &self,
                owner: uuid::Uuid,
                id: uuid::Uuid,
                expected_version: i64,
                update: &rapport_core::introduction::IntroductionUpdate,
            ) -> $crate::Result<rapport_core::introduction::Introduction> {
                let mut tx = self.begin_write().await?;
                let updated = sqlx::query(
                    "UPDATE introductions SET
                        status_changed_at = CASE WHEN status = $1 THEN status_changed_at ELSE $4 END,
                        status = $1, outcome = $2, reason = $3,
                        version = version + 1, updated_at = $4
                     WHERE id = $5 AND owner_id = $6 AND version = $7",
                )
                .bind(update.status.as_str())
                .bind(update.outcome.map(|o| o.as_str()))
                .bind(&update.reason)
                .bind($crate::now())
                .bind(id)
                .bind(owner)
                .bind(expected_version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                let current = Self::introduction_in(&mut tx, owner, id).await?;
                let current = match current {
                    None => return Err($crate::StoreError::NotFound),
                    Some(_) if updated != 1 => return Err($crate::StoreError::Stale),
                    Some(current) => current,
                };
                tx.commit().await?;
                Ok(current)
            }

            async fn list_introductions(
                &self,
                owner: uuid::Uuid,
                query: &$crate::IntroductionQuery,
            ) -> $crate::Result<Vec<rapport_core::introduction::Introduction>> {
                use $crate::IntroductionOrder;
                let mut qb = sqlx::QueryBuilder::<$db>::new(concat!(
                    $crate::sql_introductions::introduction_select!(),
                    " WHERE i.owner_id = "
                ));
                qb.push_bind(owner);
                if !query.statuses.is_empty() {
                    qb.push(" AND i.status IN (");
                    let mut list = qb.separated(", ");
                    for status in &query.statuses {
                        list.push_bind(status.as_str());
                    }
                    qb.push(")");
                }
                if let Some(contact) = query.contact_id {
                    qb.push(" AND (i.contact_a = ")
                        .push_bind(contact)
                        .push(" OR i.contact_b = ")
                        .push_bind(contact)
                        .push(")");
                }
                let (key, direction, after) = match query.order {
                    IntroductionOrder::Newest => ("i.created_at", "DESC", "<"),
                    IntroductionOrder::LongestWaiting => ("i.status_changed_at", "ASC", ">"),
                };
                if let Some((at, id)) = query.after {
                    qb.push(format_args!(" AND ({key}, i.id) {after} ("))
                        .push_bind(at)
                        .push(", ")
                        .push_bind(id)
                        .push(")");
                }
                qb.push(format_args!(" ORDER BY {key} {direction}, i.id {direction} LIMIT "))
                    .push_bind(i64::from(query.limit));
                let rows: Vec<$crate::sql_introductions::IntroductionRow> =
                    qb.build_query_as().fetch_all(self.reader()).await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }
        }

        /// Statements shared by the introduction methods.
        impl $store {
            async fn introduction_in(
                conn: &mut <$db as sqlx::Database>::Connection,
                owner: uuid::Uuid,
                id: uuid::Uuid,
            ) -> $crate::Result<Option<rapport_core::introduction::Introduction>> {
                let row: Option<$crate::sql_introductions::IntroductionRow> = sqlx::query_as(concat!(
                    $crate::sql_introductions::introduction_select!(),
                    " WHERE i.id = $1 AND i.owner_id = $2"
                ))
                .bind(id)
                .bind(owner)
                .fetch_optional(&mut *conn)
                .await?;
                Ok(row.map(Into::into))
            }
        }
    };
}
pub(crate) use impl_introduction_store;
