//! Login throttling per account and per client address (GCRA via governor).
//! An account under attack is throttled alone; other accounts sign in as usual.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::LoginLimits;

pub struct LoginLimiter {
    accounts: DefaultKeyedRateLimiter<String>,
    addresses: DefaultKeyedRateLimiter<IpAddr>,
    checks: AtomicU64,
}

fn quota(burst: u32, interval: Duration) -> Quota {
    let burst = NonZeroU32::new(burst.max(1)).expect("at least one");
    Quota::with_period(interval.max(Duration::from_millis(1)))
        .expect("a positive period")
        .allow_burst(burst)
}

impl LoginLimiter {
    pub fn new(limits: LoginLimits) -> Self {
        LoginLimiter {
            accounts: RateLimiter::keyed(quota(
                limits.per_account_burst,
                limits.per_account_interval,
            )),
            addresses: RateLimiter::keyed(quota(
                limits.per_address_burst,
                limits.per_address_interval,
            )),
            checks: AtomicU64::new(0),
        }
    }

    /// Counts one attempt; `Err(seconds)` says how long to wait.
    pub fn check(&self, account: &str, address: IpAddr) -> Result<(), u64> {
        // Forget idle keys now and then, so memory stays bounded.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 1024 == 1023 {
            self.accounts.retain_recent();
            self.addresses.retain_recent();
        }
        let now = DefaultClock::default().now();
        let wait =
            |not_until: governor::NotUntil<_>| not_until.wait_time_from(now).as_secs().max(1);
        self.addresses.check_key(&address).map_err(wait)?;
        self.accounts.check_key(&account.to_owned()).map_err(wait)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> LoginLimits {
        LoginLimits {
            per_account_burst: 3,
            per_account_interval: Duration::from_secs(60),
            per_address_burst: 5,
            per_address_interval: Duration::from_secs(60),
        }
    }

    #[test]
    fn an_account_is_throttled_without_affecting_others() {
        let limiter = LoginLimiter::new(limits());
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let other_ip: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..3 {
            assert!(limiter.check("ada@example.com", ip).is_ok());
        }
        let wait = limiter.check("ada@example.com", ip).unwrap_err();
        assert!((1..=60).contains(&wait));
        assert!(limiter.check("ada@example.com", other_ip).is_err());
        assert!(limiter.check("grace@example.com", other_ip).is_ok());
    }

    #[test]
    fn an_address_is_throttled_across_accounts() {
        let limiter = LoginLimiter::new(limits());
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for n in 0..5 {
            assert!(limiter.check(&format!("user{n}@example.com"), ip).is_ok());
        }
        assert!(limiter.check("user9@example.com", ip).is_err());
    }
}
