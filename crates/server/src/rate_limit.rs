//! The one rate limiter (GCRA via governor) behind everything Rapport
//! throttles: sign-in attempts per account and per client address, card
//! drops per client address.

use std::hash::Hash;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

/// Up to `burst` uses per key at once, one more every `interval`.
pub struct RateLimit<K: Hash + Eq + Clone> {
    keys: DefaultKeyedRateLimiter<K>,
    checks: AtomicU64,
}

impl<K: Hash + Eq + Clone> RateLimit<K> {
    pub fn new(burst: u32, interval: Duration) -> Self {
        let burst = NonZeroU32::new(burst.max(1)).expect("at least one");
        let quota = Quota::with_period(interval.max(Duration::from_millis(1)))
            .expect("a positive period")
            .allow_burst(burst);
        RateLimit {
            keys: governor::RateLimiter::keyed(quota),
            checks: AtomicU64::new(0),
        }
    }

    /// Counts one use by `key`; `Err(seconds)` says how long to wait.
    pub fn check(&self, key: &K) -> Result<(), u64> {
        // Forget idle keys now and then, so memory stays bounded.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 1024 == 1023 {
            self.keys.retain_recent();
        }
        self.keys.check_key(key).map_err(|not_until| {
            not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs()
                .max(1)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_throttled_after_its_burst_and_others_are_not() {
        let limit = RateLimit::new(2, Duration::from_secs(60));
        assert!(limit.check(&"a").is_ok());
        assert!(limit.check(&"a").is_ok());
        let wait = limit.check(&"a").unwrap_err();
        assert!((1..=60).contains(&wait), "{wait}");
        assert!(limit.check(&"b").is_ok());
    }
}
