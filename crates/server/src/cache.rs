//! The response cache: answers built from a user's whole network (the
//! network view, contact lists), kept per data version — a plain
//! get-or-build ([`get_or_build`]).
//!
//! The database keeps a version per user that every change to their
//! contacts or settings moves (triggers; see `data_version` in the
//! storage). An answer is stored under the user and the request's path and
//! query, tagged with that version and today's date: a later request uses
//! it only while the tag is the same, whichever process made a change, so a
//! stale answer cannot be served. The same tag is the `ETag`, so a client
//! that kept an answer gets `304 Not Modified` without any work here.
//! Large answers are also kept gzip-compressed for clients that accept it.
//!
//! The answers live in a `moka` cache weighed in bytes, evicting the least
//! recently used; answers of an older version are never asked for again
//! and so are the first to go. Requests that miss together are
//! single-flight: one builds, the others wait for its answer.

use std::collections::HashMap;
use std::future::Future;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};

use actix_web::body::to_bytes;
use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use uuid::Uuid;

use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;

/// Answers at least this large are also kept gzip-compressed.
const GZIP_FROM: usize = 4 * 1024;

/// One remembered answer.
#[derive(Clone)]
struct Entry {
    tag: String,
    body: Bytes,
    gzip: Option<Bytes>,
    link: Option<HeaderValue>,
}

/// Held by the one request building an answer.
type Flight = tokio::sync::Mutex<()>;

/// The bytes an entry keeps.
fn weight(entry: &Entry) -> usize {
    entry.body.len() + entry.gzip.as_ref().map_or(0, Bytes::len)
}

/// Kept answers, at most `budget` bytes of them.
pub struct ResponseCache {
    /// `None` when answers are not kept at all (`RAPPORT_CACHE_MB=0`).
    answers: Option<moka::sync::Cache<(Uuid, String), Entry>>,
    budget: usize,
    /// Single-flight: one build at a time per answer; requests that miss
    /// together wait for the first one's answer instead of all building it.
    in_flight: Mutex<HashMap<(Uuid, String), Weak<Flight>>>,
    /// Answers built so far (tests count them).
    built: AtomicUsize,
}

impl ResponseCache {
    pub fn new(budget: usize) -> Self {
        let answers = (budget > 0).then(|| {
            moka::sync::Cache::builder()
                .max_capacity(budget as u64)
                .weigher(|_, entry: &Entry| u32::try_from(weight(entry)).unwrap_or(u32::MAX))
                .eviction_policy(moka::policy::EvictionPolicy::lru())
                .build()
        });
        ResponseCache {
            answers,
            budget,
            in_flight: Mutex::new(HashMap::new()),
            built: AtomicUsize::new(0),
        }
    }

    /// How many answers were built to be remembered.
    pub fn answers_built(&self) -> usize {
        self.built.load(Ordering::Relaxed)
    }

    /// The single flight for building the answer under `key`.
    fn single_flight(&self, owner: Uuid, key: &str) -> Arc<Flight> {
        let Ok(mut flights) = self.in_flight.lock() else {
            return Arc::default();
        };
        let slot = (owner, key.to_owned());
        if let Some(live) = flights.get(&slot).and_then(Weak::upgrade) {
            return live;
        }
        if flights.len() >= 1024 {
            flights.retain(|_, flight| flight.strong_count() > 0);
        }
        let flight = Arc::default();
        flights.insert(slot, Arc::downgrade(&flight));
        flight
    }

    /// The answer under `key` if it carries `tag`.
    fn get(&self, owner: Uuid, key: &str, tag: &str) -> Option<Entry> {
        self.answers
            .as_ref()?
            .get(&(owner, key.to_owned()))
            .filter(|entry| entry.tag == tag)
    }

    /// Keeps an answer (one larger than a quarter of the budget is not kept).
    fn put(&self, owner: Uuid, key: String, entry: Entry) {
        if let Some(answers) = &self.answers {
            if weight(&entry) <= self.budget / 4 {
                answers.insert((owner, key), entry);
            }
        }
    }
}

/// Answers a `GET` from the cache when the owner's data has not changed
/// since it was built, with `304` when the client already has it; otherwise
/// runs `build` (not polled at all on a hit) and keeps its answer.
///
/// On a hit this costs no database work beyond authenticating the caller,
/// which read the data version in the same query.
pub async fn get_or_build<F>(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    build: F,
) -> ApiResult<HttpResponse>
where
    F: Future<Output = ApiResult<HttpResponse>>,
{
    let owner = caller.id();
    let version = caller.data_version;
    let tag = format!("\"d{version}-{}\"", caller.today(state));
    let not_modified = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    if not_modified {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .finish());
    }
    let cache = &state.response_cache;
    if cache.answers.is_none() {
        let mut response = build.await?;
        if let Ok(value) = HeaderValue::from_str(&tag) {
            response.headers_mut().insert(header::ETAG, value);
        }
        return Ok(response);
    }
    let key = format!("{}?{}", req.path(), req.query_string());
    let mut turn = None;
    let mut found = cache.get(owner, &key, &tag);
    if found.is_none() {
        // Missed: wait for whoever builds it already, then look again.
        turn = Some(cache.single_flight(owner, &key).lock_owned().await);
        found = cache.get(owner, &key, &tag);
    }
    let entry = match found {
        Some(entry) => entry,
        None => {
            cache.built.fetch_add(1, Ordering::Relaxed);
            let response = build.await?;
            if !response.status().is_success() {
                return Ok(response);
            }
            let link = response.headers().get(header::LINK).cloned();
            let body = to_bytes(response.into_body())
                .await
                .map_err(|_| ApiError::internal("the answer could not be read back"))?;
            // Compressed once, when a client that wants it first asks.
            let gzip = (body.len() >= GZIP_FROM && accepts_gzip(req))
                .then(|| gzip(&body))
                .flatten();
            let entry = Entry {
                tag,
                body,
                gzip,
                link,
            };
            cache.put(owner, key.clone(), entry.clone());
            entry
        }
    };
    drop(turn);
    let mut entry = entry;
    if entry.gzip.is_none() && entry.body.len() >= GZIP_FROM && accepts_gzip(req) {
        entry.gzip = gzip(&entry.body);
        cache.put(owner, key, entry.clone());
    }
    let mut response = HttpResponse::Ok();
    response
        .content_type(header::ContentType::json())
        .insert_header((header::ETAG, entry.tag))
        .insert_header((header::VARY, "Accept-Encoding"));
    if let Some(link) = entry.link {
        response.insert_header((header::LINK, link));
    }
    match entry.gzip {
        Some(gzip) if accepts_gzip(req) => Ok(response
            .insert_header((header::CONTENT_ENCODING, "gzip"))
            .body(gzip)),
        _ => Ok(response.body(entry.body)),
    }
}

fn accepts_gzip(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            name.eq_ignore_ascii_case("gzip") && !refused
        })
}

fn gzip(body: &[u8]) -> Option<Bytes> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(body).ok()?;
    encoder.finish().ok().map(Bytes::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn gzip_is_used_only_when_accepted() {
        let accepts = |value: &str| {
            accepts_gzip(
                &TestRequest::default()
                    .insert_header((header::ACCEPT_ENCODING, value))
                    .to_http_request(),
            )
        };
        assert!(accepts("gzip, deflate, br"));
        assert!(accepts("br;q=1.0, GZIP;q=0.5"));
        assert!(!accepts("br"));
        assert!(!accepts("gzip;q=0"));
        assert!(!accepts_gzip(&TestRequest::default().to_http_request()));
    }

    #[test]
    fn answers_are_found_by_their_version_within_the_budget() {
        let cache = ResponseCache::new(1000);
        let entry = |tag: &str, size: usize| Entry {
            tag: tag.into(),
            body: Bytes::from(vec![b'x'; size]),
            gzip: None,
            link: None,
        };
        let (ada, bob) = (Uuid::new_v4(), Uuid::new_v4());
        cache.put(ada, "/a".into(), entry("v1", 200));
        cache.put(ada, "/b".into(), entry("v1", 200));
        assert!(cache.get(ada, "/a", "v1").is_some());
        assert!(cache.get(ada, "/a", "v2").is_none(), "another version");
        assert!(cache.get(bob, "/a", "v1").is_none(), "another user");
        cache.put(ada, "/a".into(), entry("v2", 200));
        assert!(cache.get(ada, "/a", "v2").is_some());
        assert!(cache.get(ada, "/a", "v1").is_none(), "replaced");
        for path in ["/a", "/b", "/c", "/d", "/e"] {
            cache.put(bob, path.into(), entry("v1", 240));
        }
        let answers = cache.answers.as_ref().unwrap();
        answers.run_pending_tasks();
        assert!(
            answers.weighted_size() <= 1000,
            "{}",
            answers.weighted_size()
        );
        assert!(cache.get(bob, "/e", "v1").is_some(), "the newest stays");
        cache.put(bob, "/huge".into(), entry("v1", 600));
        assert!(cache.get(bob, "/huge", "v1").is_none(), "too big to keep");
        assert!(
            ResponseCache::new(0).answers.is_none(),
            "RAPPORT_CACHE_MB=0"
        );
    }
}
