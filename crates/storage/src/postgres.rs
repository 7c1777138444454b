//! The team backend: PostgreSQL with native `uuid` and `timestamptz`.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};

use crate::backend::SqlBackend;
use crate::{Backend, Result, StoreError};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

/// A pooled connection idle this long is checked before it is used.
const CHECK_IF_IDLE_FOR: Duration = Duration::from_secs(5);

pub struct PgStore {
    pool: PgPool,
}

impl SqlBackend for PgStore {
    type Db = Postgres;
    const BACKEND: Backend = Backend::Postgres;
    const VALUES_PER_STATEMENT: usize = 9_000;
    const ANONYMOUS_PLACEHOLDERS: bool = false;
    const GENERIC_PLANS: bool = true;

    /// Typed rows are read and written out by the store (see the trait).
    const NETWORK_JSON: Option<&'static str> = None;

    fn reader(&self) -> &PgPool {
        &self.pool
    }

    async fn begin_write(&self) -> Result<Transaction<'static, Postgres>> {
        Ok(self.pool.begin().await?)
    }

    /// Two first registrations at once must not both become admin: the
    /// lock conflicts with itself, so registrations take turns.
    async fn serialize_registrations(&self, tx: &mut Transaction<'static, Postgres>) -> Result<()> {
        sqlx::query("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    async fn change_feed(&self) -> Result<Option<Box<dyn crate::ChangeFeed>>> {
        let mut listener = sqlx::postgres::PgListener::connect_with(&self.pool).await?;
        listener.listen(crate::changes::CHANNEL).await?;
        Ok(Some(Box::new(crate::changes::PgChangeFeed { listener })))
    }

    /// Changes are heard on the feed instead.
    async fn stamp(&self) -> Option<crate::changes::ChangeStamp> {
        None
    }

    async fn backup(&self, _path: &str) -> Result<()> {
        Err(StoreError::Unsupported(
            "PostgreSQL databases are backed up with pg_dump",
        ))
    }
}

impl PgStore {
    /// Connects to `url` and migrates the database.
    pub async fn connect(url: &str) -> Result<Self> {
        let options: PgConnectOptions = url
            .parse()
            .map_err(|e: sqlx::Error| StoreError::BadUrl(e.to_string()))?;
        let pool = PgPoolOptions::new()
            .max_connections(32)
            // sqlx pings every connection it hands out, by default: a
            // round trip before each statement or transaction, which under
            // load was a tenth of the server's time. One that was in use a
            // moment ago is alive; one that sat idle (across a database
            // restart, say) is still checked, and replaced if it is gone.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= CHECK_IF_IDLE_FOR {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(PgStore { pool })
    }
}
