//! Request extractors: JSON bodies that name the bad field, and the
//! authenticated caller (browser session or personal access token).

use std::net::IpAddr;

use actix_web::dev::Payload;
use actix_web::http::{header, Method};
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use rapport_core::account::{Role, TokenScope};
use rapport_core::Validate;
use rapport_storage::UserRecord;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::jwt::TokenUse;
use crate::auth::{sha256, TOKEN_PREFIX};
use crate::error::ApiError;
use crate::error::ErrorCode;

/// Largest JSON body accepted.
pub const JSON_LIMIT: usize = 64 * 1024;

/// Parses a body that may be left out: no body, or JSON's `null`, is the
/// default request; anything else as [`parse_json`].
pub fn optional_json<T: DeserializeOwned + Default>(
    req: &HttpRequest,
    body: &[u8],
) -> Result<T, ApiError> {
    // JSON whitespace only around it: a form feed, say, is not JSON and is
    // refused by the parser.
    let json_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let start = body
        .iter()
        .position(|b| !json_space(b))
        .unwrap_or(body.len());
    let end = body
        .iter()
        .rposition(|b| !json_space(b))
        .map_or(start, |i| i + 1);
    let text = &body[start..end];
    if text.is_empty() || text == b"null" {
        Ok(T::default())
    } else {
        parse_json(req, body)
    }
}

/// Parses a JSON body: 415 without a JSON content type, 413 when too large,
/// 400 for malformed JSON, 422 naming the field for a wrong shape.
pub fn parse_json<T: DeserializeOwned>(req: &HttpRequest, body: &[u8]) -> Result<T, ApiError> {
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            let v = v.trim();
            v.eq_ignore_ascii_case("application/json") || v.ends_with("+json")
        });
    if !is_json {
        return Err(ApiError::new(
            actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "Send the body as JSON with `Content-Type: application/json`.",
        ));
    }
    let mut value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(
            ErrorCode::MalformedJson,
            format!(
                "The body is not valid JSON: {}.",
                clean_serde_message(&e.to_string())
            ),
        )
    })?;
    if !value.is_object() {
        return Err(ApiError::invalid_field("body", "must be a JSON object"));
    }
    if !tidy_json(&mut value) {
        return Err(nul_refused());
    }
    let value = serde_path_to_error::deserialize(value);
    value.map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::bad_request(
                ErrorCode::MalformedJson,
                format!("The body is not valid JSON: {inner}."),
            );
        }
        let message = clean_serde_message(&inner.to_string());
        let field = if path == "." || path.is_empty() {
            missing_field(&message).unwrap_or_else(|| "body".to_owned())
        } else {
            match missing_field(&message) {
                Some(inner_field) => format!("{path}.{inner_field}"),
                None => path,
            }
        };
        ApiError::invalid_field(&field, message)
    })
}

/// No text with the NUL character (U+0000) gets past the extractors: it is
/// never meaningful in a name or a note, PostgreSQL refuses to store it, and
/// some programs that read an export would cut the text there.
pub fn nul_refused() -> ApiError {
    ApiError::bad_request(
        ErrorCode::NulCharacter,
        "Text may not contain the NUL character (U+0000); remove it and send again.",
    )
}

/// Middleware: a path or query string that decodes to a NUL character is
/// refused before any handler sees it (`%00` is the only way to send one).
pub async fn refuse_nul_in_url(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<
    actix_web::dev::ServiceResponse<actix_web::body::EitherBody<impl actix_web::body::MessageBody>>,
    actix_web::Error,
> {
    let uri = req.uri();
    let encoded_nul = |text: &str| {
        text.as_bytes()
            .windows(3)
            .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
    };
    if encoded_nul(uri.path()) || uri.query().is_some_and(encoded_nul) {
        let response = actix_web::ResponseError::error_response(&nul_refused());
        return Ok(req.into_response(response).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// Readies a parsed body for the request types: a number written with a
/// zero fraction (`4.0`) is the whole number JSON Schema says it is; false
/// when any text (a key or a value) holds the NUL character.
pub fn tidy_json(value: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::String(text) => !text.contains('\0'),
        Value::Number(number) => {
            if let Some(whole) = number
                .as_f64()
                .filter(|f| number.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15)
            {
                *number = serde_json::Number::from(whole as i64);
            }
            true
        }
        Value::Array(items) => items.iter_mut().all(tidy_json),
        Value::Object(fields) => fields
            .iter_mut()
            .all(|(key, field)| !key.contains('\0') && tidy_json(field)),
        Value::Null | Value::Bool(_) => true,
    }
}

/// serde says "missing field `email`": the field is named in backticks.
fn missing_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    Some(rest.split('`').next()?.to_owned())
}

/// Drops serde's "at line 1 column 7", meaningless to the person reading.
fn clean_serde_message(message: &str) -> String {
    match message.find(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// A JSON body that has passed its own [`Validate`] checks.
pub struct ValidJson<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ValidJson<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let bytes = web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            let body = bytes.await.map_err(|_| {
                ApiError::new(
                    actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                    ErrorCode::PayloadTooLarge,
                    format!("The body is larger than {} KiB.", JSON_LIMIT / 1024),
                )
            })?;
            let value: T = parse_json(&req, &body)?;
            value.validate().map_err(ApiError::from)?;
            Ok(ValidJson(value))
        })
    }
}

pub fn state(req: &HttpRequest) -> web::Data<AppState> {
    req.app_data::<web::Data<AppState>>()
        .expect("the application state is registered")
        .clone()
}

/// The client's address: the peer, or the proxy's word for it when trusted.
pub fn client_ip(req: &HttpRequest) -> IpAddr {
    let state = state(req);
    let fallback = IpAddr::from([127, 0, 0, 1]);
    if state.config.trust_proxy {
        if let Some(ip) = req.connection_info().realip_remote_addr().and_then(|addr| {
            addr.parse::<IpAddr>()
                .ok()
                .or_else(|| addr.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
        }) {
            return ip;
        }
    }
    req.peer_addr().map_or(fallback, |addr| addr.ip())
}

/// How the caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// A browser session's access token.
    Session(Uuid),
    /// A personal access token.
    Token { id: Uuid, scope: TokenScope },
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: UserRecord,
    pub credential: Credential,
    /// The version of the caller's data when they were authenticated (read
    /// in the same query): what remembered answers are checked against.
    pub data_version: i64,
}

impl Caller {
    pub fn id(&self) -> Uuid {
        self.user.id
    }

    /// The day it is for the caller, in their time zone.
    pub fn today(&self, state: &AppState) -> chrono::NaiveDate {
        crate::service::today_in(self.user.time_zone.as_deref(), state.config.clock.now())
    }

    pub fn session_id(&self) -> Option<Uuid> {
        match self.credential {
            Credential::Session(id) => Some(id),
            Credential::Token { .. } => None,
        }
    }
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

async fn authenticate(req: HttpRequest) -> Result<Caller, ApiError> {
    let state = state(&req);
    let token = bearer(&req).ok_or_else(|| {
        ApiError::unauthorized("Sign in, or send `Authorization: Bearer <token>`.")
    })?;
    if token.starts_with(TOKEN_PREFIX) {
        let found = state.store.authenticate_api_token(&sha256(&token)).await?;
        let (token, found) = found.ok_or_else(|| {
            ApiError::unauthorized("That access token is unknown, revoked or expired.")
        })?;
        let writes = !matches!(*req.method(), Method::GET | Method::HEAD);
        if writes && token.scope == TokenScope::Read {
            return Err(ApiError::forbidden(
                ErrorCode::InsufficientScope,
                "This access token can only read. Create a token with the `write` scope to make changes.",
            ));
        }
        return Ok(Caller {
            user: found.user,
            credential: Credential::Token {
                id: token.id,
                scope: token.scope,
            },
            data_version: found.data_version,
        });
    }
    let claims = state.jwt.verify(&token, TokenUse::Access).map_err(|_| {
        ApiError::unauthorized("The access token is invalid or expired. Sign in again.")
    })?;
    // Reads may be answered from what is known; writes always ask.
    let reads = matches!(*req.method(), Method::GET | Method::HEAD);
    let stamp = state.store.change_stamp().await;
    let known = reads.then(|| state.session_cache.get(claims.sid, claims.sub, stamp));
    let found = match known.flatten() {
        Some(known) => known,
        None => {
            let ticket = state.session_cache.ticket(stamp);
            let found = state
                .store
                .session_user(claims.sid, claims.sub)
                .await?
                .ok_or_else(|| ApiError::unauthorized("This session has ended. Sign in again."))?;
            if let Some(ticket) = ticket {
                state.session_cache.remember(ticket, claims.sid, &found);
            }
            found
        }
    };
    Ok(Caller {
        user: found.user,
        credential: Credential::Session(claims.sid),
        data_version: found.data_version,
    })
}

impl FromRequest for Caller {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let caller = authenticate(req.clone()).await?;
            // For the answer's middleware: whose data a write changed.
            req.extensions_mut()
                .insert(crate::session_cache::Writer(caller.id()));
            Ok(caller)
        })
    }
}

/// A caller signed in through a browser session: account security (password,
/// sessions, tokens) is not for personal access tokens.
pub struct SessionCaller(pub Caller, pub Uuid);

impl FromRequest for SessionCaller {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let caller = authenticate(req).await?;
            match caller.session_id() {
                Some(session) => Ok(SessionCaller(caller, session)),
                None => Err(ApiError::forbidden(
                    ErrorCode::SessionRequired,
                    "Manage passwords, sessions and tokens from a signed-in browser session, not with an access token.",
                )
                .into()),
            }
        })
    }
}

/// A caller with the admin role.
pub struct AdminCaller(pub Caller);

impl FromRequest for AdminCaller {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let caller = authenticate(req).await?;
            if caller.user.role != Role::Admin {
                return Err(ApiError::forbidden(
                    ErrorCode::AdminOnly,
                    "Only an administrator of this instance can do this.",
                )
                .into());
            }
            Ok(AdminCaller(caller))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_name_the_missing_field_without_positions() {
        assert_eq!(
            missing_field("missing field `email`").as_deref(),
            Some("email")
        );
        assert_eq!(
            clean_serde_message("invalid type: integer `5`, expected a string at line 1 column 12"),
            "invalid type: integer `5`, expected a string"
        );
    }
}
