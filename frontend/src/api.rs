//! Rapport's REST API, typed: one function per endpoint the app uses,
//! grouped by aggregate in the submodules. The API's paths and query
//! strings are written here and nowhere else in the app.
//!
//! Every call is same-origin and sends JSON. Failures come back as a
//! [`Problem`]: the server's own `application/problem+json` document when it
//! sent one, otherwise a problem made up here (network down, unexpected
//! answer) so that the UI has one kind of error to show. Signed-in calls
//! carry the session's bearer token and refresh it once, silently, when the
//! server answers 401.

pub mod admin;
pub mod auth;
pub mod contacts;
pub mod duplicates;
pub mod events;
pub mod export;
pub mod imports;
pub mod interactions;
pub mod introductions;
pub mod me;
pub mod network;
pub mod nurture;
pub mod public;

use std::fmt::Display;

use gloo_net::http::{Method, Request, RequestBuilder, Response};
use rapport_core::account::Page;
use rapport_core::problem::PROBLEM_CONTENT_TYPE;
use rapport_core::Problem;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::Serialize;
use web_sys::RequestCredentials;

const BASE: &str = "/api/v1";

pub type ApiResult<T> = Result<T, Problem>;

pub use rapport_core::account::{InstanceInfo, RegistrationMode as Registration};

/// A query string, built in one place: keys as written, values
/// percent-encoded (with the browser's own rules).
#[derive(Default)]
struct Query(Vec<String>);

impl Query {
    fn new() -> Self {
        Query::default()
    }

    fn add(mut self, key: &str, value: impl Display) -> Self {
        let value: String = js_sys::encode_uri_component(&value.to_string()).into();
        self.0.push(format!("{key}={value}"));
        self
    }

    /// Adds the pair when there is a value.
    fn maybe(self, key: &str, value: Option<impl Display>) -> Self {
        match value {
            Some(value) => self.add(key, value),
            None => self,
        }
    }

    /// `path` with this query string.
    fn on(self, path: &str) -> String {
        if self.0.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{}", self.0.join("&"))
        }
    }
}

/// The `If-Match` value for a version read earlier (the server's `ETag`).
fn version_tag(version: i64) -> String {
    format!("\"{version}\"")
}

/// Every item of a list, all its pages (`limit` items a request).
async fn all_pages<T: DeserializeOwned>(path: &str, limit: u32) -> ApiResult<Vec<T>> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = Query::new()
            .add("limit", limit)
            .maybe("cursor", cursor.as_deref());
        let page: Page<T> = fetch(&query.on(path)).await?;
        items.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(items),
        }
    }
}

/// A JSON body and the `ETag` it was sent with.
#[derive(Debug, Clone)]
pub struct Tagged<T> {
    pub value: T,
    pub etag: String,
}

/// What a request carries: JSON, or a file sent as it is (an upload).
enum Body {
    Json(String),
    File(web_sys::File),
}

/// `GET` a signed-in resource.
async fn fetch<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    decode(authed(Method::GET, path, None, None).await?).await
}

/// `GET` a resource with its `ETag` (for a later `If-Match`).
async fn fetch_tagged<T: DeserializeOwned>(path: &str) -> ApiResult<Tagged<T>> {
    let response = authed(Method::GET, path, None, None).await?;
    let etag = response.headers().get("etag").unwrap_or_default();
    let value = decode(response).await?;
    Ok(Tagged { value, etag })
}

/// `POST` JSON, decoding the answer.
async fn create<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    let body = Some(Body::Json(to_json(body)?));
    decode(authed(Method::POST, path, body, None).await?).await
}

/// `POST` JSON with `If-Match` (a write that needs versions read earlier).
async fn create_versioned<B: Serialize, T: DeserializeOwned>(
    path: &str,
    body: &B,
    if_match: &str,
) -> ApiResult<T> {
    let body = Some(Body::Json(to_json(body)?));
    decode(authed(Method::POST, path, body, Some(if_match)).await?).await
}

/// `POST` without a body (an action on a resource), decoding the answer.
async fn act<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    decode(authed(Method::POST, path, None, None).await?).await
}

/// `POST` asking the server to run the step in the background
/// (`Prefer: respond-async`): the answer is the resource as the step
/// starts (202), to be read again until the step is over.
async fn start<T: DeserializeOwned>(path: &str, body: Option<Body>) -> ApiResult<T> {
    let headers = [("Prefer", "respond-async")];
    decode(authed_with(Method::POST, path, body, &headers).await?).await
}

/// `GET` a signed-in file: its bytes, or the problem.
async fn fetch_bytes(path: &str) -> ApiResult<Vec<u8>> {
    let response = authed(Method::GET, path, None, None).await?;
    if !response.ok() {
        return Err(problem_of(response).await);
    }
    response.binary().await.map_err(|_| network_problem())
}

/// `PUT` JSON, decoding the answer.
async fn replace<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    let body = Some(Body::Json(to_json(body)?));
    decode(authed(Method::PUT, path, body, None).await?).await
}

/// `PATCH` JSON, with `If-Match` when the resource is versioned.
async fn update<B: Serialize, T: DeserializeOwned>(
    path: &str,
    body: &B,
    if_match: Option<&str>,
) -> ApiResult<T> {
    let body = Some(Body::Json(to_json(body)?));
    decode(authed(Method::PATCH, path, body, if_match).await?).await
}

/// `POST` JSON, ignoring the answer's body.
async fn post_only<B: Serialize>(path: &str, body: &B) -> ApiResult<()> {
    create::<_, IgnoredAny>(path, body).await.map(|_| ())
}

/// `DELETE`, with `If-Match` when the resource is versioned.
async fn remove(path: &str, if_match: Option<&str>) -> ApiResult<()> {
    expect_empty(authed(Method::DELETE, path, None, if_match).await?).await
}

fn to_json<B: Serialize>(body: &B) -> ApiResult<String> {
    serde_json::to_string(body).map_err(|error| {
        Problem::new(
            0,
            "client_error",
            "Request not sent",
            format!("The request could not be prepared ({error})."),
        )
    })
}

/// Sends a request with the session's access token. A 401 gets one silent
/// refresh and retry; when that fails too, the session is marked expired
/// (the app asks to sign in again) and the request fails with a problem
/// that says so.
async fn authed(
    method: Method,
    path: &str,
    body: Option<Body>,
    if_match: Option<&str>,
) -> ApiResult<Response> {
    let if_match = if_match.map(|tag| ("If-Match", tag));
    authed_with(method, path, body, if_match.as_slice()).await
}

/// [`authed`], with more request headers.
async fn authed_with(
    method: Method,
    path: &str,
    body: Option<Body>,
    headers: &[(&str, &str)],
) -> ApiResult<Response> {
    let auth = crate::auth::current().ok_or_else(session_ended)?;
    let Some(mut token) = auth.access_token() else {
        return Err(session_ended());
    };
    for attempt in 0..2 {
        let mut builder = RequestBuilder::new(&format!("{BASE}{path}"))
            .method(method.clone())
            .credentials(RequestCredentials::SameOrigin)
            .header("Accept", "application/json")
            .header("Authorization", &format!("Bearer {token}"));
        for (name, value) in headers {
            builder = builder.header(name, value);
        }
        let request = match &body {
            Some(Body::Json(json)) => builder
                .header("Content-Type", "application/json")
                .body(json.clone()),
            Some(Body::File(file)) => builder
                .header("Content-Type", "application/octet-stream")
                .body(file.clone()),
            None => builder.build(),
        }
        .map_err(|error| {
            Problem::new(
                0,
                "client_error",
                "Request not sent",
                format!("The request could not be prepared ({error})."),
            )
        })?;
        let response = request.send().await.map_err(|_| network_problem())?;
        if response.status() != 401 || attempt == 1 {
            return Ok(response);
        }
        match auth.refresh_now().await {
            Some(fresh) => token = fresh,
            None => return Err(session_ended()),
        }
    }
    Err(session_ended())
}

fn session_ended() -> Problem {
    Problem::new(
        401,
        "session_ended",
        "Signed out",
        "Your session has ended. Sign in again to continue; what you typed is still here.",
    )
}

fn get(path: &str) -> RequestBuilder {
    Request::get(&format!("{BASE}{path}"))
        .credentials(RequestCredentials::SameOrigin)
        .header("Accept", "application/json")
}

fn post(path: &str) -> RequestBuilder {
    Request::post(&format!("{BASE}{path}"))
        .credentials(RequestCredentials::SameOrigin)
        .header("Accept", "application/json")
}

fn with_bearer(builder: RequestBuilder, token: &str) -> RequestBuilder {
    builder.header("Authorization", &format!("Bearer {token}"))
}

async fn send(builder: RequestBuilder) -> ApiResult<Response> {
    builder.send().await.map_err(|_| network_problem())
}

async fn send_json<T: Serialize>(builder: RequestBuilder, body: &T) -> ApiResult<Response> {
    let request = builder.json(body).map_err(|error| {
        Problem::new(
            0,
            "client_error",
            "Request not sent",
            format!("The request could not be prepared ({error})."),
        )
    })?;
    request.send().await.map_err(|_| network_problem())
}

/// The body of a successful answer, or the problem of a failed one.
async fn decode<T: DeserializeOwned>(response: Response) -> ApiResult<T> {
    if !response.ok() {
        return Err(problem_of(response).await);
    }
    if response.status() == 204 {
        // No content: for callers that expect `()` or an `Option`.
        return serde_json::from_str("null").map_err(|_| unexpected(204));
    }
    response
        .json::<T>()
        .await
        .map_err(|_| unexpected(response.status()))
}

async fn expect_empty(response: Response) -> ApiResult<()> {
    if response.ok() {
        Ok(())
    } else {
        Err(problem_of(response).await)
    }
}

async fn problem_of(response: Response) -> Problem {
    let status = response.status();
    let is_problem = response
        .headers()
        .get("content-type")
        .is_some_and(|t| t.starts_with(PROBLEM_CONTENT_TYPE));
    if is_problem {
        if let Ok(problem) = response.json::<Problem>().await {
            return problem;
        }
    }
    unexpected(status)
}

fn network_problem() -> Problem {
    Problem::new(
        0,
        "network_error",
        "Network error",
        "Rapport's server could not be reached. Check your connection and try again.",
    )
}

fn unexpected(status: u16) -> Problem {
    Problem::new(
        status,
        "unexpected_response",
        "Unexpected response",
        format!("The server gave an unexpected answer (HTTP {status}). Try again in a moment."),
    )
}
