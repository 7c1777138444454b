//! The embedded backend: one SQLite file in WAL mode. Writes go through a
//! single connection and begin `IMMEDIATE`, so concurrent writers queue on
//! the busy timeout instead of failing with "database is locked".

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Sqlite, SqliteConnection, SqlitePool, Transaction};

use crate::backend::SqlBackend;
use crate::{Backend, Result, StoreError};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");

pub struct SqliteStore {
    read: SqlitePool,
    write: SqlitePool,
    /// A connection that only reads `PRAGMA data_version` (none for a
    /// database in memory, which no other process can change).
    watcher: Option<tokio::sync::Mutex<SqliteConnection>>,
}

impl SqlBackend for SqliteStore {
    type Db = Sqlite;
    const BACKEND: Backend = Backend::Sqlite;
    const VALUES_PER_STATEMENT: usize = 3_000;
    const ANONYMOUS_PLACEHOLDERS: bool = true;
    const GENERIC_PLANS: bool = false;

    /// The network view as one JSON text; ids are 16-byte BLOBs, spelled
    /// out. The objects are built in the aggregate itself so that SQLite
    /// keeps them as JSON instead of parsing them again.
    const NETWORK_JSON: Option<&'static str> = Some(
        "SELECT COALESCE(json_group_array(json_object(
            'id', lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' ||
                substr(h, 13, 4) || '-' || substr(h, 17, 4) || '-' || substr(h, 21, 12)),
            'name', name, 'company', company, 'comfort', comfort, 'familiarity', familiarity,
            'connection_status', connection_status, 'tags', json(tags),
            'last_interaction_on', last_interaction_on)), '[]')
        FROM (SELECT hex(id) AS h, name, company, comfort, familiarity, connection_status, tags,
                last_interaction_on
            FROM contacts WHERE owner_id = $1 AND archived = false ORDER BY sort_name, id)",
    );

    fn reader(&self) -> &SqlitePool {
        &self.read
    }

    /// A write transaction on the one writer connection. sqlx loses count
    /// of a connection's transactions when a `BEGIN` fails or is dropped
    /// halfway (sqlx#3932): the connection then refuses every later
    /// `BEGIN` ("non-zero transaction depth"), and with one writer that
    /// would refuse every write until a restart. Such a connection is closed
    /// (the pool opens a fresh one) and the `BEGIN` tried once more.
    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>> {
        match self.write.begin_with("BEGIN IMMEDIATE").await {
            Ok(tx) => Ok(tx),
            Err(error) => {
                tracing::warn!(%error, "the SQLite writer refused BEGIN; replacing its connection");
                if let Ok(connection) = self.write.acquire().await {
                    let _ = connection.close().await;
                }
                Ok(self.write.begin_with("BEGIN IMMEDIATE").await?)
            }
        }
    }

    /// `BEGIN IMMEDIATE` already serialises every write transaction.
    async fn serialize_registrations(&self, _tx: &mut Transaction<'static, Sqlite>) -> Result<()> {
        Ok(())
    }

    /// No feed: `PRAGMA data_version` tells of commits instead.
    async fn change_feed(&self) -> Result<Option<Box<dyn crate::ChangeFeed>>> {
        Ok(None)
    }

    /// `PRAGMA data_version` on the store's own watching connection, which
    /// never writes: it changes with every commit of every other connection.
    async fn stamp(&self) -> Option<crate::changes::ChangeStamp> {
        let mut watcher = self.watcher.as_ref()?.lock().await;
        sqlx::query_scalar("PRAGMA data_version")
            .fetch_one(&mut *watcher)
            .await
            .ok()
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

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` and migrates it.
    pub async fn connect(url: &str) -> Result<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::BadUrl(e.to_string()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Reads through a memory map instead of a read() per page: a
            // network view of 5k contacts touches thousands of pages, more
            // than the default 2 MB page cache holds.
            .pragma("mmap_size", "1073741824")
            .pragma("cache_size", "-16384")
            // Statement journals (kept while a statement that may fail
            // writes many rows, such as an import's multi-row INSERTs) and
            // sorts stay in memory instead of temporary files.
            .pragma("temp_store", "memory");
        // The writer stays open for as long as the store: SQLite deletes the
        // WAL index when the last connection closes.
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            // Its page cache holds what a transaction changes (an import's
            // commit filled 16 MiB of it, at the same speed with 4 MiB).
            .connect_with(options.clone().pragma("cache_size", "-4096"))
            .await?;
        MIGRATOR.run(&write).await?;
        let in_memory = options.get_filename() == std::path::Path::new(":memory:");
        let watcher = match in_memory {
            true => None,
            false => Some(tokio::sync::Mutex::new(
                options.clone().read_only(true).connect().await?,
            )),
        };
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            // A file's connection cannot be lost: no ping (a hop to the
            // connection's thread) before each read.
            .test_before_acquire(false)
            .connect_with(options.read_only(true))
            .await?;
        Ok(SqliteStore {
            read,
            write,
            watcher,
        })
    }
}
