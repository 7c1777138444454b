//! Familiarity upkeep: scores decay with the days, so each day every
//! contact's stored familiarity is brought up to that day — in the
//! background, never inside somebody's request.
//!
//! A pass finds the owners with contacts computed on an earlier day and
//! refreshes them in small batches, each its own short write transaction, so
//! that on SQLite (one writer) another user's write waits for one batch at
//! most. With several replicas, a lease in the database lets one of them do
//! the work; the others find it taken and wait for the next round.
//!
//! Days are each owner's own (their time zone). Between a day's start and
//! the pass reaching a contact, reads show the value computed the day
//! before: at most a day old, and reads never wait.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rapport_storage::Store;
use uuid::Uuid;

/// Contacts refreshed per write transaction.
pub const BATCH: u32 = 200;
/// How often a pass looks for work.
pub const INTERVAL: Duration = Duration::from_secs(60);
/// The name of the lease that one replica at a time holds.
pub const LEASE: &str = "familiarity_upkeep";
/// A holder that stops answering loses the lease after this long.
const LEASE_SECS: i64 = 120;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PassReport {
    /// False when another process holds the lease.
    pub ran: bool,
    pub owners: u64,
    pub contacts: u64,
    pub batches: u64,
}

/// One pass: brings every stale contact up to its owner's today. `forget`
/// is told of each owner whose data moved (so that callers known with the
/// old data version are asked again).
pub async fn run_pass(
    store: &dyn Store,
    holder: Uuid,
    now: DateTime<Utc>,
    forget: &(dyn Fn(Uuid) + Sync),
) -> rapport_storage::Result<PassReport> {
    let mut report = PassReport::default();
    if !store.take_lease(LEASE, holder, now, LEASE_SECS).await? {
        return Ok(report);
    }
    report.ran = true;
    let started = std::time::Instant::now();
    // Every owner whose day may have moved on: those in zones where it has
    // not yet find nothing to do.
    let owners = store
        .owners_with_stale_familiarity(super::latest_today(now))
        .await?;
    for (owner, zone) in owners {
        let today = super::today_in(zone.as_deref(), now);
        let mut moved = false;
        loop {
            let refreshed = store.refresh_familiarity(owner, today, BATCH).await?;
            if refreshed == 0 {
                break;
            }
            moved = true;
            report.contacts += refreshed;
            report.batches += 1;
        }
        if moved {
            report.owners += 1;
            forget(owner);
        }
        // Renewed as it goes, so a long pass keeps its lease.
        let elapsed = chrono::Duration::from_std(started.elapsed()).unwrap_or_default();
        store
            .take_lease(LEASE, holder, now + elapsed, LEASE_SECS)
            .await?;
    }
    Ok(report)
}

/// Runs a pass at start and then every [`INTERVAL`] until the store closes.
pub async fn run_forever(
    store: Arc<dyn Store>,
    holder: Uuid,
    clock: crate::config::Clock,
    forget: Arc<dyn Fn(Uuid) + Send + Sync>,
) {
    let mut ticks = tokio::time::interval(INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let started = std::time::Instant::now();
        match run_pass(&*store, holder, clock.now(), &*forget).await {
            Ok(report) if report.contacts > 0 => tracing::info!(
                owners = report.owners,
                contacts = report.contacts,
                batches = report.batches,
                ms = started.elapsed().as_millis() as u64,
                "familiarity brought up to today"
            ),
            Ok(_) => {}
            Err(error) if error.is_closed() => return,
            Err(error) => tracing::warn!(%error, "familiarity upkeep failed; retried next round"),
        }
    }
}
