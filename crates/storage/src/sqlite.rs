//! The embedded backend: one SQLite file in WAL mode. Writes go through a
//! single connection and begin `IMMEDIATE`, so concurrent writers queue on
//! the busy timeout instead of failing with "database is locked".

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

use crate::{Backend, Result, StoreError};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");

pub struct SqliteStore {
    read: SqlitePool,
    write: SqlitePool,
}

impl crate::sql::HasDb for SqliteStore {
    type Db = Sqlite;
}

impl SqliteStore {
    const BACKEND: Backend = Backend::Sqlite;

    /// The network view as one JSON text. The JSON subtype does not cross
    /// the subquery, hence `json(entry)`; ids are 16-byte BLOBs, spelled out.
    const NETWORK_JSON: &'static str = "SELECT COALESCE(json_group_array(json(entry)), '[]') FROM (
        SELECT json_object(
            'id', lower(substr(hex(id), 1, 8) || '-' || substr(hex(id), 9, 4) || '-' ||
                substr(hex(id), 13, 4) || '-' || substr(hex(id), 17, 4) || '-' || substr(hex(id), 21, 12)),
            'name', name, 'company', company, 'comfort', comfort, 'familiarity', familiarity,
            'connection_status', connection_status, 'tags', json(tags),
            'last_interaction_on', last_interaction_on) AS entry
        FROM contacts WHERE owner_id = $1 AND archived = false ORDER BY sort_name, id)";

    /// Opens (creating if needed) the database at `url` and migrates it.
    pub async fn connect(url: &str) -> Result<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::BadUrl(e.to_string()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        MIGRATOR.run(&write).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options.read_only(true))
            .await?;
        Ok(SqliteStore { read, write })
    }

    fn reader(&self) -> &SqlitePool {
        &self.read
    }

    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.write.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// `BEGIN IMMEDIATE` already serialises every write transaction.
    async fn serialize_registrations(&self, _tx: &mut Transaction<'_, Sqlite>) -> Result<()> {
        Ok(())
    }

    /// `VACUUM INTO` writes a consistent snapshot while the server runs.
    async fn backup(&self, path: &str) -> Result<()> {
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(&self.write)
            .await?;
        Ok(())
    }
}

crate::sql::impl_store!(SqliteStore);
crate::sql_network::impl_network_store!(SqliteStore, Sqlite);
crate::sql_events::impl_event_store!(SqliteStore, Sqlite);
crate::sql_introductions::impl_introduction_store!(SqliteStore, Sqlite);
crate::sql_nurture::impl_nurture_store!(SqliteStore, Sqlite);
