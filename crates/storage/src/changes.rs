//! Hearing about changes other processes make.
//!
//! A server keeps what it learnt about a signed-in caller (their account,
//! their session, the version of their data) only while it is sure to hear
//! of any change to it, whichever process makes the change: a server
//! replica, or `rapport admin` on the command line. On PostgreSQL, triggers
//! announce every change to accounts, sessions and data versions on a
//! channel (migration 0008) that each server listens to. SQLite has no such
//! channel; instead SQLite's `PRAGMA data_version`, read on a connection of
//! its own that never writes, changes whenever any other connection of any
//! process commits (<https://www.sqlite.org/pragma.html#pragma_data_version>).

use async_trait::async_trait;
use uuid::Uuid;

use crate::Result;

/// The channel the PostgreSQL triggers announce changes on.
pub const CHANNEL: &str = "rapport_changes";

/// What the feed heard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Something about this account changed: its row, a session, its data.
    Account(Uuid),
    /// The connection was lost and made again: changes may have been missed.
    Missed,
}

/// Changes as they commit; see [`crate::Store::changes`].
#[async_trait]
pub trait ChangeFeed: Send {
    /// The next change; an error means the feed cannot be trusted any more
    /// (open a new one).
    async fn next(&mut self) -> Result<Change>;
}

/// The PostgreSQL feed: a connection that LISTENs on [`CHANNEL`].
pub(crate) struct PgChangeFeed {
    pub(crate) listener: sqlx::postgres::PgListener,
}

#[async_trait]
impl ChangeFeed for PgChangeFeed {
    async fn next(&mut self) -> Result<Change> {
        // `None`: the connection was lost and has been made again (listening
        // again), but what was announced meanwhile is gone.
        Ok(match self.listener.try_recv().await? {
            None => Change::Missed,
            Some(notification) => notification
                .payload()
                .parse()
                .map_or(Change::Missed, Change::Account),
        })
    }
}

/// What the database looked like, as far as commits go: equal stamps mean
/// no transaction committed in between (see [`crate::Store::change_stamp`]).
/// A value that any commit by another connection, in any process, changes
/// (SQLite's `PRAGMA data_version`).
pub type ChangeStamp = i64;
