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
    let text = if_match_text(req)?;
    entity_tag(&text).ok_or_else(|| {
        ApiError::bad_request(
            ErrorCode::InvalidIfMatch,
            "If-Match must be `*` or an ETag of this API such as \"3\": send the ETag from your last read.",
        )
    })
}

/// The `If-Match` header's text (several header lines read as one list);
/// 428 without one.
fn if_match_text(req: &HttpRequest) -> Result<String, ApiError> {
    let values: Vec<&str> = req
        .headers()
        .get_all(header::IF_MATCH)
        .map(|value| value.to_str().unwrap_or_default())
        .collect();
    if values.is_empty() {
        return Err(ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            ErrorCode::PreconditionRequired,
            "Send the ETag you read in an If-Match header, so that nobody's change is lost.",
        ));
    }
    Ok(values.join(","))
}

/// One entity tag as this API writes them (`"12"`, weak `W/"12"` too):
/// `Some(Some(12))`; `*`: `Some(None)`; anything else: `None`.
fn entity_tag(text: &str) -> Option<Option<i64>> {
    let text = text.trim();
    if text == "*" {
        return Some(None);
    }
    text.strip_prefix("W/")
        .unwrap_or(text)
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .filter(|t| (1..=18).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|t| t.parse().ok())
        .map(Some)
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

/// What the `If-Match` of a write to two objects holds: two of what
/// [`IF_MATCH_PATTERN`] allows, separated by a comma. Stated in the OpenAPI
/// document.
pub const IF_MATCH_PAIR_PATTERN: &str = r#"^(\*|(W/)?"[0-9]{1,18}") *, *(\*|(W/)?"[0-9]{1,18}")$"#;

/// The `If-Match` of a write to two objects (a merge): two entity tags, in
/// the order the route names the objects, each `*` or a version. 428
/// without the header, 400 unless it holds exactly two.
pub struct IfMatchPair(pub IfMatch, pub IfMatch);

impl FromRequest for IfMatchPair {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(if_match_text(req).and_then(|text| {
            let tags: Vec<Option<Option<i64>>> = text.split(',').map(entity_tag).collect();
            match tags.as_slice() {
                [Some(first), Some(second)] => Ok(IfMatchPair(IfMatch(*first), IfMatch(*second))),
                _ => Err(ApiError::bad_request(
                    ErrorCode::InvalidIfMatch,
                    "If-Match must hold two ETags of this API, this contact's and then the other's, \
                     such as `\"3\", \"7\"` (`*` for either skips its check).",
                )),
            }
        }))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(value: Option<&str>) -> Result<(Option<i64>, Option<i64>), u16> {
        let mut request = actix_web::test::TestRequest::default();
        if let Some(value) = value {
            request = request.insert_header((header::IF_MATCH, value));
        }
        let req = request.to_http_request();
        IfMatchPair::extract(&req)
            .into_inner()
            .map(|IfMatchPair(a, b)| (a.version(), b.version()))
            .map_err(|e| e.status.as_u16())
    }

    #[test]
    fn a_merge_names_two_versions_in_order() {
        assert_eq!(pair(Some(r#""3", "7""#)), Ok((Some(3), Some(7))));
        assert_eq!(pair(Some(r#"W/"3",*"#)), Ok((Some(3), None)));
        assert_eq!(pair(Some("*, *")), Ok((None, None)));
        assert_eq!(pair(None), Err(428));
        for bad in [r#""3""#, r#""3", "4", "5""#, r#""3", x"#, "*", r#""3","#] {
            assert_eq!(pair(Some(bad)), Err(400), "{bad}");
        }
    }
}
