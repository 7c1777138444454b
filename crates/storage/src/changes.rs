//! Hearing about changes other processes make.
//!
//! A server keeps what it learnt about a signed-in caller (their account,
//! their session, the version of their data) only while it is sure to hear
//! of any change to it, whichever process makes the change: a server
//! replica, or `rapport admin` on the command line. On PostgreSQL, triggers
//! announce every change to accounts, sessions and data versions on a
//! channel (migration 0008) that each server listens to. SQLite has no such
//! channel; instead every commit, by any process, rewrites the header of
//! its WAL index (see [`WalStamp`]), which costs a server two system calls
//! to compare.

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
pub type ChangeStamp = [u8; WAL_HEADER];

/// Both copies of the WAL-index header.
const WAL_HEADER: usize = 96;

/// The header of SQLite's WAL index (the `-shm` file, shared by every
/// process that opens the database — WAL mode works only on one machine).
/// Every commit increments its change counter and rewrites it, and it is
/// what SQLite readers themselves check for new commits
/// (<https://www.sqlite.org/walformat.html>, "The WAL-Index Header"). The
/// writer updates the second copy, then the first; a read that finds them
/// different caught a commit in the middle and is no stamp at all.
pub(crate) struct WalStamp {
    path: std::path::PathBuf,
    file: std::sync::Mutex<Option<(std::fs::File, (u64, u64))>>,
}

impl WalStamp {
    pub(crate) fn new(database: &std::path::Path) -> Self {
        let mut path = database.as_os_str().to_owned();
        path.push("-shm");
        WalStamp {
            path: path.into(),
            file: std::sync::Mutex::new(None),
        }
    }

    /// The current stamp, or `None` when it cannot be read reliably.
    pub(crate) fn read(&self) -> Option<ChangeStamp> {
        use std::os::unix::fs::{FileExt, MetadataExt};
        let now = std::fs::metadata(&self.path).ok()?;
        let identity = (now.dev(), now.ino());
        let mut file = self.file.lock().ok()?;
        // The same file as before? (A new one after every connection closed.)
        if file.as_ref().is_none_or(|(_, seen)| *seen != identity) {
            *file = Some((std::fs::File::open(&self.path).ok()?, identity));
        }
        let (handle, _) = file.as_ref()?;
        let mut stamp = [0u8; WAL_HEADER];
        handle.read_exact_at(&mut stamp, 0).ok()?;
        let (first, second) = stamp.split_at(WAL_HEADER / 2);
        // isInit (byte 12) is set once the header is valid.
        (first == second && first[12] == 1).then_some(stamp)
    }
}
