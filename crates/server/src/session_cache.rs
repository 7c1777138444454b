//! The session cache: signed-in callers known without asking the database on every request.
//!
//! Authenticating a browser session costs a database round trip (is the
//! session live, the account enabled, what version is its data at?), and
//! that round trip is most of what a remembered answer costs (a PostgreSQL
//! query; on SQLite, a hop to a connection's thread). So the answer is kept
//! here — but only while this server is sure to notice any change that could
//! make it wrong:
//!
//! - changes made by other processes (server replicas, `rapport admin`)
//!   arrive on the store's change feed (PostgreSQL LISTEN/NOTIFY, announced
//!   by triggers as they commit) and drop what is known of that account;
//! - a change made by this process drops what is known as soon as the
//!   request that made it is answered (see [`forget_after_writes`]), so a
//!   client reads its own writes at once: of the writer alone when the
//!   write was to their own network (every query behind those routes is
//!   scoped to them), of everyone otherwise;
//! - while the feed is not connected (starting up, connection lost), nothing
//!   is kept and every request asks the database; when the feed comes back,
//!   what was known before is dropped, since announcements may have been
//!   missed.
//!
//! An answer read from the database is kept only if nothing of that account
//! (or of everyone) was forgotten while it was being read (the `epoch`
//! ticket), so a change announced during the read cannot be overwritten by
//! the older answer — while other accounts' changes, which under load
//! arrive every few milliseconds, don't stop it from being kept.
//!
//! SQLite has no feed. There, what is known is kept with the database's
//! change stamp (`PRAGMA data_version` on a connection that never writes,
//! which any other connection's commit moves, in any process) and used only
//! while the stamp is the same: any commit at all, by anyone, and the
//! database is asked again.
//!
//! Only reads (`GET`, `HEAD`) are answered from what is known; a write
//! always asks the database. Personal access tokens are always checked in
//! the database (their use is recorded there).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use rapport_storage::{Authenticated, Change, ChangeStamp, Store};
use tokio::sync::watch;
use uuid::Uuid;

use crate::app::AppState;

/// More live sessions than this, and the map starts again from empty.
const MOST_SESSIONS: usize = 100_000;

/// What the server has heard: for tests and logs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hearing {
    /// Callers may be kept: the change feed is connected (PostgreSQL), or
    /// change stamps can be read (SQLite).
    pub listening: bool,
    /// Changes heard so far.
    pub heard: u64,
    /// The account named by the latest change heard.
    pub last: Option<Uuid>,
}

struct Inner {
    listening: bool,
    /// What is known holds only while the store's change stamp is the same
    /// as when it was read (SQLite).
    stamped: bool,
    /// Moves on every forgetting; see [`SessionCache::ticket`].
    epoch: u64,
    /// The epoch at which everything was last forgotten.
    everyone_forgotten: u64,
    /// The epoch at which each account was last forgotten.
    forgotten: HashMap<Uuid, u64>,
    sessions: HashMap<Uuid, (Authenticated, Option<ChangeStamp>)>,
}

/// Taken before reading a caller from the database.
#[derive(Debug, Clone, Copy)]
pub struct Ticket {
    epoch: u64,
    stamp: Option<ChangeStamp>,
}

pub struct SessionCache {
    inner: Mutex<Inner>,
    hearing: watch::Sender<Hearing>,
}

impl Default for SessionCache {
    fn default() -> Self {
        SessionCache {
            inner: Mutex::new(Inner {
                listening: false,
                stamped: false,
                epoch: 0,
                everyone_forgotten: 0,
                forgotten: HashMap::new(),
                sessions: HashMap::new(),
            }),
            hearing: watch::Sender::new(Hearing::default()),
        }
    }
}

impl SessionCache {
    /// The caller behind session `session` of `user`, if known, not
    /// expired, and (SQLite) nothing committed since: `stamp` is the
    /// store's change stamp now.
    pub fn get(
        &self,
        session: Uuid,
        user: Uuid,
        stamp: Option<ChangeStamp>,
    ) -> Option<Authenticated> {
        let inner = self.inner.lock().ok()?;
        if !inner.listening || (inner.stamped && stamp.is_none()) {
            return None;
        }
        let (known, seen) = inner.sessions.get(&session)?;
        let live = known
            .expires_at
            .is_none_or(|end| end > rapport_storage::now());
        (known.user.id == user && live && *seen == stamp).then(|| known.clone())
    }

    /// Taken before reading a caller from the database, with the store's
    /// change stamp at that moment; [`Self::remember`] keeps the answer
    /// only if nothing of that account was forgotten since. `None`:
    /// nothing is kept now.
    pub fn ticket(&self, stamp: Option<ChangeStamp>) -> Option<Ticket> {
        let inner = self.inner.lock().ok()?;
        let usable = inner.listening && (!inner.stamped || stamp.is_some());
        usable.then_some(Ticket {
            epoch: inner.epoch,
            stamp,
        })
    }

    pub fn remember(&self, ticket: Ticket, session: Uuid, found: &Authenticated) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let since = |epoch: Option<&u64>| epoch.is_some_and(|&e| e > ticket.epoch);
        if !inner.listening
            || since(Some(&inner.everyone_forgotten))
            || since(inner.forgotten.get(&found.user.id))
        {
            return;
        }
        if inner.sessions.len() >= MOST_SESSIONS {
            inner.sessions.clear();
        }
        inner
            .sessions
            .insert(session, (found.clone(), ticket.stamp));
    }

    /// Something about `user` changed.
    pub fn forget_account(&self, user: Uuid) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.epoch += 1;
            let epoch = inner.epoch;
            if inner.forgotten.len() >= MOST_SESSIONS {
                // Forgetting everyone is a safe way to forget who was.
                inner.forgotten.clear();
                inner.everyone_forgotten = epoch;
            }
            inner.forgotten.insert(user, epoch);
            inner.sessions.retain(|_, (known, _)| known.user.id != user);
        }
    }

    /// Something changed, no telling whose (a write by this process).
    pub fn forget_everything(&self) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.epoch += 1;
            inner.everyone_forgotten = inner.epoch;
            inner.forgotten.clear();
            inner.sessions.clear();
        }
    }

    fn set_listening(&self, listening: bool) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.epoch += 1;
            inner.everyone_forgotten = inner.epoch;
            inner.forgotten.clear();
            inner.sessions.clear();
            inner.listening = listening;
        }
        self.hearing.send_modify(|h| h.listening = listening);
    }

    /// No feed, but change stamps to check instead.
    fn set_stamped(&self) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.stamped = true;
        }
        self.set_listening(true);
    }

    fn heard(&self, change: Change) {
        match change {
            Change::Account(user) => self.forget_account(user),
            Change::Missed => self.forget_everything(),
        }
        self.hearing.send_modify(|h| {
            h.heard += 1;
            h.last = match change {
                Change::Account(user) => Some(user),
                Change::Missed => None,
            };
        });
    }

    /// Follows what the server hears (tests wait on it instead of sleeping).
    pub fn subscribe(&self) -> watch::Receiver<Hearing> {
        self.hearing.subscribe()
    }
}

/// Listens to the store's change feed for as long as the server runs,
/// reconnecting after a failure; returns at once on a store without one.
pub async fn listen(store: Arc<dyn Store>, state: web::Data<AppState>) {
    let known = &state.session_cache;
    let mut failures = 0u32;
    loop {
        let mut feed = match store.changes().await {
            Ok(Some(feed)) => feed,
            Ok(None) => {
                if store.change_stamp().await.is_some() {
                    known.set_stamped();
                }
                return;
            }
            Err(error) => {
                failures += 1;
                if failures == 1 {
                    tracing::warn!(%error, "cannot listen for changes; every request asks the database until it can");
                }
                tokio::time::sleep(retry_after(failures)).await;
                continue;
            }
        };
        failures = 0;
        known.set_listening(true);
        let error = loop {
            match feed.next().await {
                Ok(change) => known.heard(change),
                Err(error) => break error,
            }
        };
        known.set_listening(false);
        if error.is_closed() {
            return;
        }
        tracing::warn!(%error, "lost the change feed; every request asks the database until it is back");
    }
}

fn retry_after(failures: u32) -> Duration {
    Duration::from_millis(250 * 2u64.pow(failures.min(6)))
}

/// The account a signed-in request acted as (set by the `Caller`
/// extractor, read by [`forget_after_writes`]).
#[derive(Debug, Clone, Copy)]
pub struct Writer(pub Uuid);

/// The API's routes whose writes change only the caller's own network:
/// every query behind them is scoped to the caller.
const OWN_NETWORK: &[&str] = &[
    "/api/v1/contacts",
    "/api/v1/interactions",
    "/api/v1/events",
    "/api/v1/introductions",
    "/api/v1/me/settings",
];

/// Once a request that may have changed something is answered, what is
/// known is no longer trusted (this process's own writes are not waited
/// for on the feed): of the caller alone when the write was to their own
/// network, of everyone otherwise (accounts, sessions, tokens, admin
/// actions, public card drops).
pub async fn forget_after_writes(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let reads = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let state = (!reads)
        .then(|| req.app_data::<web::Data<AppState>>().cloned())
        .flatten();
    let own_network = OWN_NETWORK.iter().any(|prefix| {
        req.path()
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    });
    let response = next.call(req).await;
    if let Some(state) = state {
        let writer = response
            .as_ref()
            .ok()
            .and_then(|r| r.request().extensions().get::<Writer>().copied());
        match writer {
            Some(Writer(account)) if own_network => state.session_cache.forget_account(account),
            _ => state.session_cache.forget_everything(),
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use rapport_core::account::Role;
    use rapport_storage::UserRecord;

    fn caller(user: Uuid) -> Authenticated {
        Authenticated {
            user: UserRecord {
                id: user,
                email: "ada@example.com".into(),
                display_name: "Ada".into(),
                password_hash: String::new(),
                role: Role::User,
                disabled: false,
                created_at: rapport_storage::now(),
                time_zone: None,
            },
            data_version: 7,
            expires_at: Some(rapport_storage::now() + chrono::Duration::hours(1)),
        }
    }

    #[test]
    fn nothing_is_kept_unless_listening() {
        let known = SessionCache::default();
        let (session, user) = (Uuid::new_v4(), Uuid::new_v4());
        assert!(known.ticket(None).is_none());
        known.remember(
            Ticket {
                epoch: 0,
                stamp: None,
            },
            session,
            &caller(user),
        );
        assert!(known.get(session, user, None).is_none());
        known.set_listening(true);
        let ticket = known.ticket(None).unwrap();
        known.remember(ticket, session, &caller(user));
        assert_eq!(
            known.get(session, user, None).map(|c| c.user.id),
            Some(user)
        );
        assert!(
            known.get(session, Uuid::new_v4(), None).is_none(),
            "another user's id"
        );
        known.set_listening(false);
        assert!(
            known.get(session, user, None).is_none(),
            "dropped when the feed goes"
        );
    }

    #[test]
    fn a_change_during_the_read_wins_over_the_older_answer() {
        let known = SessionCache::default();
        known.set_listening(true);
        let (session, user) = (Uuid::new_v4(), Uuid::new_v4());
        let ticket = known.ticket(None).unwrap();
        known.heard(Change::Account(user));
        known.remember(ticket, session, &caller(user));
        assert!(known.get(session, user, None).is_none());
        let ticket = known.ticket(None).unwrap();
        known.heard(Change::Account(Uuid::new_v4()));
        known.remember(ticket, session, &caller(user));
        assert!(
            known.get(session, user, None).is_some(),
            "kept: only another account changed during the read"
        );
        known.heard(Change::Account(Uuid::new_v4()));
        assert!(
            known.get(session, user, None).is_some(),
            "another account changed"
        );
        known.heard(Change::Account(user));
        assert!(
            known.get(session, user, None).is_none(),
            "this account changed"
        );
        let ticket = known.ticket(None).unwrap();
        known.remember(ticket, session, &caller(user));
        known.heard(Change::Missed);
        assert!(
            known.get(session, user, None).is_none(),
            "changes may have been missed"
        );
        let ticket = known.ticket(None).unwrap();
        known.heard(Change::Missed);
        known.remember(ticket, session, &caller(user));
        assert!(
            known.get(session, user, None).is_none(),
            "changes may have been missed during the read"
        );
        let hearing = *known.subscribe().borrow();
        assert_eq!((hearing.listening, hearing.heard), (true, 6));
    }

    #[test]
    fn with_stamps_any_commit_in_between_makes_it_unknown() {
        let known = SessionCache::default();
        known.set_stamped();
        let (session, user) = (Uuid::new_v4(), Uuid::new_v4());
        let (before, after) = (1, 2);
        assert!(known.ticket(None).is_none(), "no stamp, nothing kept");
        let ticket = known.ticket(Some(before)).unwrap();
        known.remember(ticket, session, &caller(user));
        assert!(known.get(session, user, Some(before)).is_some());
        assert!(known.get(session, user, Some(after)).is_none(), "a commit");
        assert!(known.get(session, user, None).is_none(), "unreadable");
    }

    #[test]
    fn an_expired_session_is_not_known() {
        let known = SessionCache::default();
        known.set_listening(true);
        let (session, user) = (Uuid::new_v4(), Uuid::new_v4());
        let mut ended = caller(user);
        ended.expires_at = Some(rapport_storage::now() - chrono::Duration::seconds(1));
        known.remember(known.ticket(None).unwrap(), session, &ended);
        assert!(known.get(session, user, None).is_none());
    }
}
