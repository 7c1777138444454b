//! A small typed client for Rapport's REST API.
//!
//! Every call is same-origin and sends JSON. Failures come back as a
//! [`Problem`]: the server's own `application/problem+json` document when it
//! sent one, otherwise a problem made up here (network down, unexpected
//! answer) so that the UI has one kind of error to show.

use gloo_net::http::{Request, RequestBuilder, Response};
use rapport_core::account::{LoginRequest, LoginResponse, RegisterRequest, User};
use rapport_core::problem::PROBLEM_CONTENT_TYPE;
use rapport_core::Problem;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use web_sys::RequestCredentials;

const BASE: &str = "/api/v1";

pub type ApiResult<T> = Result<T, Problem>;

/// Who may create an account on this instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Registration {
    Open,
    Invite,
    Closed,
}

/// `GET /api/v1/instance`: what the sign-in and registration pages need to
/// know before anyone is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceInfo {
    pub registration: Registration,
    /// No account exists yet: the next registration creates the admin.
    pub first_account: bool,
    pub version: String,
}

impl InstanceInfo {
    /// Whether the registration form needs an invite code.
    pub fn needs_invite(&self) -> bool {
        self.registration == Registration::Invite && !self.first_account
    }

    /// Whether a visitor may create an account at all.
    pub fn can_register(&self) -> bool {
        self.first_account || self.registration != Registration::Closed
    }
}

pub async fn instance() -> ApiResult<InstanceInfo> {
    let response = send(get("/instance")).await?;
    decode(response).await
}

/// Creates an account (201 with the new user).
pub async fn register(request: &RegisterRequest) -> ApiResult<User> {
    let response = send_json(post("/auth/register"), request).await?;
    decode(response).await
}

/// Signs in; the server also sets the HttpOnly refresh cookie.
pub async fn login(request: &LoginRequest) -> ApiResult<LoginResponse> {
    let response = send_json(post("/auth/login"), request).await?;
    decode(response).await
}

/// Exchanges the refresh cookie (sent by the browser, unreadable here) for
/// a new access token.
pub async fn refresh() -> ApiResult<LoginResponse> {
    let response = send(post("/auth/refresh")).await?;
    decode(response).await
}

/// Ends the session of the refresh cookie and of the access token.
pub async fn logout(access_token: &str) -> ApiResult<()> {
    let response = send(with_bearer(post("/auth/logout"), access_token)).await?;
    expect_empty(response).await
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
