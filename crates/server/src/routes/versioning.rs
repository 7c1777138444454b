//! Optimistic concurrency: `ETag` on reads, `If-Match` on writes.

use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::{FromRequest, HttpRequest};
use rapport_core::Validate;

use crate::error::ApiError;
use crate::error::ErrorCode;

pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// What `If-Match` may hold: `*`, or one entity tag as this API writes them
/// (`"12"`, weak `W/"12"` accepted too). Stated in the OpenAPI document.
pub const IF_MATCH_PATTERN: &str = r#"^(\*|(W/)?"[0-9]{1,18}")$"#;

/// The version a write expects: 428 without `If-Match`, 400 when it is not
/// an entity tag of this API, `None` for `*`. A well-formed tag that is not
/// the current version is the caller's 412, found by the store.
fn if_match(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Err(ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            ErrorCode::PreconditionRequired,
            "Send the ETag you read in an If-Match header, so that nobody's change is lost.",
        ));
    };
    let text = value.to_str().unwrap_or_default().trim();
    if text == "*" {
        return Ok(None);
    }
    let tag = text
        .strip_prefix("W/")
        .unwrap_or(text)
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .filter(|t| (1..=18).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()));
    match tag.and_then(|t| t.parse().ok()) {
        Some(version) => Ok(Some(version)),
        None => Err(ApiError::bad_request(
            ErrorCode::InvalidIfMatch,
            "If-Match must be `*` or an ETag of this API such as \"3\": send the ETag from your last read.",
        )),
    }
}

/// The `If-Match` of a write, checked as [`if_match`] does: an extractor,
/// so a handler names it among its arguments.
pub struct IfMatch(Option<i64>);

impl IfMatch {
    /// The version the write expects: the one named, or for `*` the current.
    pub fn or(&self, current: i64) -> i64 {
        self.0.unwrap_or(current)
    }

    /// The version named; `None` for `*`.
    pub fn version(&self) -> Option<i64> {
        self.0
    }

    /// A version was named and it is not `current`.
    pub fn is_stale(&self, current: i64) -> bool {
        self.0.is_some_and(|version| version != current)
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(if_match(req).map(IfMatch))
    }
}

/// A partial update applied to the current value and checked: what every
/// `PATCH` of a versioned object does before it writes.
pub fn patched<T: Validate>(current: T, apply: impl FnOnce(&mut T)) -> Result<T, ApiError> {
    let mut value = current;
    apply(&mut value);
    value.validate()?;
    Ok(value)
}
