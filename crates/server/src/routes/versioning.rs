//! Optimistic concurrency: `ETag` on reads, `If-Match` on writes.

use actix_web::http::{header, StatusCode};
use actix_web::HttpRequest;

use crate::error::ApiError;

pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The version a write expects: 428 without `If-Match`, `None` for `*`.
pub fn if_match(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Err(ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "precondition_required",
            "Send the ETag you read in an If-Match header, so that nobody's change is lost.",
        ));
    };
    let text = value.to_str().unwrap_or_default().trim();
    if text == "*" {
        return Ok(None);
    }
    let tag = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
    tag.parse().map(Some).map_err(|_| {
        ApiError::new(
            StatusCode::PRECONDITION_FAILED,
            "precondition_failed",
            "If-Match does not name a version of this object: send the ETag from your last read.",
        )
    })
}
