//! Password hashing with argon2id, off the async workers and bounded: a
//! fixed pool of hashing threads (one per core by default), a bounded number
//! of hashes may wait for them, and past that callers get [`HasherBusy`] (a
//! 503) at once instead of stalling every request behind a queue of hashes.
//!
//! A dedicated pool rather than the async runtime's blocking threads also
//! bounds memory: each hash needs 19 MiB, which the allocator keeps per
//! thread for reuse, so a few long-lived threads keep a few such buffers.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};

/// OWASP's minimum for argon2id: 19 MiB, two passes, one lane.
pub const MIN_MEMORY_KIB: u32 = 19_456;
pub const MIN_ITERATIONS: u32 = 2;
pub const PARALLELISM: u32 = 1;

#[derive(Debug, thiserror::Error)]
#[error("too many password hashes are already queued")]
pub struct HasherBusy;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Failed(String),
}

type Job = Box<dyn FnOnce() + Send>;

#[derive(Clone)]
pub struct PasswordHasher {
    /// Hashes waiting or running.
    queue: Arc<Semaphore>,
    /// Work for the hashing threads; they stop when the hasher is dropped.
    jobs: mpsc::Sender<Job>,
    /// Verified against when the account does not exist, so that an unknown
    /// email costs the same time as a wrong password.
    dummy_hash: Arc<str>,
}

/// A place in the hasher's queue, held for one hash or verification.
pub struct HashSlot {
    _queued: OwnedSemaphorePermit,
    jobs: mpsc::Sender<Job>,
}

/// The outcome of checking a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    pub matches: bool,
    /// The stored hash uses weaker parameters than today's.
    pub needs_upgrade: bool,
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(MIN_MEMORY_KIB, MIN_ITERATIONS, PARALLELISM, None)
        .expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash_blocking(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| HashError::Failed(e.to_string()))
}

fn verify_blocking(password: &str, stored: &str) -> Verified {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return Verified {
            matches: false,
            needs_upgrade: false,
        };
    };
    // Verification follows the parameters recorded in the hash itself.
    let matches = Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    Verified {
        matches,
        needs_upgrade: matches && is_weak(&parsed),
    }
}

fn is_weak(hash: &PasswordHash<'_>) -> bool {
    if hash.algorithm != argon2::ARGON2ID_IDENT {
        return true;
    }
    match Params::try_from(hash) {
        Ok(params) => params.m_cost() < MIN_MEMORY_KIB || params.t_cost() < MIN_ITERATIONS,
        Err(_) => true,
    }
}

impl PasswordHasher {
    /// `parallelism` hashing threads, `queue` (≥ parallelism) hashes
    /// waiting or running.
    pub fn new(parallelism: usize, queue: usize) -> Self {
        let parallelism = parallelism.max(1);
        let (jobs, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..parallelism {
            let receiver = receiver.clone();
            std::thread::Builder::new()
                .name(format!("rapport-hash-{n}"))
                .spawn(move || loop {
                    let job = receiver.lock().map(|r| r.recv());
                    match job {
                        Ok(Ok(job)) => job(),
                        _ => break,
                    }
                })
                .expect("cannot start a password hashing thread");
        }
        PasswordHasher {
            queue: Arc::new(Semaphore::new(queue.max(parallelism))),
            jobs,
            dummy_hash: hash_blocking("rapport dummy password, never matches")
                .expect("hashing works")
                .into(),
        }
    }

    /// Takes a place in the queue, or fails at once when it is full.
    pub fn try_reserve(&self) -> Result<HashSlot, HasherBusy> {
        let queued = self
            .queue
            .clone()
            .try_acquire_owned()
            .map_err(|_| HasherBusy)?;
        Ok(HashSlot {
            _queued: queued,
            jobs: self.jobs.clone(),
        })
    }

    pub fn dummy_hash(&self) -> &str {
        &self.dummy_hash
    }
}

impl HashSlot {
    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> T {
        let (done, result) = oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let _ = done.send(work());
            }))
            .expect("the hashing threads live as long as the hasher");
        result.await.expect("password hashing does not panic")
    }

    pub async fn hash(&self, password: &str) -> Result<String, HashError> {
        let password = password.to_owned();
        self.run(move || hash_blocking(&password)).await
    }

    pub async fn verify(&self, password: &str, stored: &str) -> Verified {
        let (password, stored) = (password.to_owned(), stored.to_owned());
        self.run(move || verify_blocking(&password, &stored)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_use_owasp_parameters() {
        let hasher = PasswordHasher::new(1, 2);
        let slot = hasher.try_reserve().unwrap();
        let hash = slot.hash("correct horse battery").await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        let ok = slot.verify("correct horse battery", &hash).await;
        assert_eq!(
            ok,
            Verified {
                matches: true,
                needs_upgrade: false
            }
        );
        assert!(!slot.verify("wrong horse battery", &hash).await.matches);
        assert!(!slot.verify("anything", "not a hash").await.matches);
    }

    #[tokio::test]
    async fn weaker_hashes_are_flagged_for_upgrade() {
        let weak = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x13,
            Params::new(1024, 1, 1, None).unwrap(),
        )
        .hash_password(b"old password", &SaltString::generate(&mut OsRng))
        .unwrap()
        .to_string();
        let hasher = PasswordHasher::new(1, 1);
        let verified = hasher
            .try_reserve()
            .unwrap()
            .verify("old password", &weak)
            .await;
        assert_eq!(
            verified,
            Verified {
                matches: true,
                needs_upgrade: true
            }
        );
    }

    #[test]
    fn a_full_queue_refuses_at_once() {
        let hasher = PasswordHasher::new(1, 2);
        let _a = hasher.try_reserve().unwrap();
        let _b = hasher.try_reserve().unwrap();
        assert!(hasher.try_reserve().is_err());
        drop(_a);
        assert!(hasher.try_reserve().is_ok());
    }
}
