//! Answers built from a user's whole network (the network view, contact
//! lists), remembered per data version.
//!
//! The database keeps a version per user that every change to their
//! contacts or settings moves (triggers; see `data_version` in the
//! storage). An answer is stored under the user, the request's path and
//! query, and that version with today's date: a later request finds it
//! only while nothing changed, whichever process made the change, so a
//! stale answer cannot be served. The same tag is the `ETag`, so a client
//! that kept an answer gets `304 Not Modified` without any work here.
//! Large answers are also kept gzip-compressed for clients that accept it.

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
type Turnstile = tokio::sync::Mutex<()>;

/// Remembered answers, at most `budget` bytes of them.
pub struct ResponseCache {
    entries: Mutex<HashMap<(Uuid, String), Entry>>,
    budget: usize,
    /// One build at a time per answer: requests that miss together wait for
    /// the first one's answer instead of all building it.
    builds: Mutex<HashMap<(Uuid, String), Weak<Turnstile>>>,
    /// Answers built so far (tests count them).
    built: AtomicUsize,
}

impl ResponseCache {
    pub fn new(budget: usize) -> Self {
        ResponseCache {
            entries: Mutex::new(HashMap::new()),
            budget,
            builds: Mutex::new(HashMap::new()),
            built: AtomicUsize::new(0),
        }
    }

    /// How many answers were built to be remembered.
    pub fn answers_built(&self) -> usize {
        self.built.load(Ordering::Relaxed)
    }

    /// The turnstile for building the answer under `key`.
    fn turnstile(&self, owner: Uuid, key: &str) -> Arc<Turnstile> {
        let Ok(mut builds) = self.builds.lock() else {
            return Arc::default();
        };
        let slot = (owner, key.to_owned());
        if let Some(live) = builds.get(&slot).and_then(Weak::upgrade) {
            return live;
        }
        if builds.len() >= 1024 {
            builds.retain(|_, gate| gate.strong_count() > 0);
        }
        let gate = Arc::default();
        builds.insert(slot, Arc::downgrade(&gate));
        gate
    }

    /// Whether answers are remembered at all (`RAPPORT_CACHE_MB=0`: no).
    fn enabled(&self) -> bool {
        self.budget > 0
    }

    fn get(&self, owner: Uuid, key: &str, tag: &str) -> Option<Entry> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(&(owner, key.to_owned()))
            .filter(|e| e.tag == tag)
            .cloned()
    }

    fn put(&self, owner: Uuid, key: String, entry: Entry) {
        let size = |e: &Entry| e.body.len() + e.gzip.as_ref().map_or(0, Bytes::len);
        if size(&entry) > self.budget / 4 {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        // An owner's older answers are of no use once their data moved on.
        entries.retain(|(o, _), e| *o != owner || e.tag == entry.tag);
        let mut total: usize = entries.values().map(size).sum::<usize>() + size(&entry);
        while total > self.budget {
            let Some(victim) = entries.keys().next().cloned() else {
                break;
            };
            if let Some(gone) = entries.remove(&victim) {
                total -= size(&gone);
            }
        }
        entries.insert((owner, key), entry);
    }
}

/// Answers a `GET` from the cache when the owner's data has not changed
/// since it was built, with `304` when the client already has it; otherwise
/// runs `build` (not polled at all on a hit) and remembers its answer.
///
/// On a hit this costs no database work beyond authenticating the caller,
/// which read the data version in the same query.
pub async fn remembered<F>(
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
    if !cache.enabled() {
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
        turn = Some(cache.turnstile(owner, &key).lock_owned().await);
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
    fn the_budget_is_kept_and_old_versions_go() {
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
        cache.put(ada, "/a".into(), entry("v2", 200));
        assert!(
            cache.get(ada, "/b", "v1").is_none(),
            "v1 answers are dropped"
        );
        cache.put(bob, "/a".into(), entry("v1", 240));
        cache.put(bob, "/b".into(), entry("v1", 240));
        cache.put(bob, "/c".into(), entry("v1", 240));
        let total: usize = cache
            .entries
            .lock()
            .unwrap()
            .values()
            .map(|e| e.body.len())
            .sum();
        assert!(total <= 1000, "{total}");
        cache.put(bob, "/huge".into(), entry("v1", 600));
        assert!(cache.get(bob, "/huge", "v1").is_none(), "too big to keep");
    }
}
