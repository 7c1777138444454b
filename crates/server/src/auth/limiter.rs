//! Login throttling per account and per client address.
//! An account under attack is throttled alone; other accounts sign in as usual.

use std::net::IpAddr;

use crate::config::LoginLimits;
use crate::rate_limit::RateLimit;

pub struct LoginLimiter {
    accounts: RateLimit<String>,
    addresses: RateLimit<IpAddr>,
}

impl LoginLimiter {
    pub fn new(limits: LoginLimits) -> Self {
        LoginLimiter {
            accounts: RateLimit::new(limits.per_account_burst, limits.per_account_interval),
            addresses: RateLimit::new(limits.per_address_burst, limits.per_address_interval),
        }
    }

    /// Counts one attempt; `Err(seconds)` says how long to wait.
    pub fn check(&self, account: &str, address: IpAddr) -> Result<(), u64> {
        self.addresses.check(&address)?;
        self.accounts.check(&account.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

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
