//! The one way lists page: `limit` (1 to 200, default 50) and an opaque
//! `cursor` (the position of the previous page's last row, as URL-safe
//! base64 JSON) in the query string, and the `Link: rel="next"` header.

use actix_web::{HttpRequest, HttpResponse};
use rapport_core::account::Page;
use rapport_storage::Cursor;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// The query of a list with no filters of its own.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// 1 to 200; default 50.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl ListParams {
    /// The page size and the position to start after (422 naming the bad
    /// field).
    pub fn read(&self) -> Result<(u32, Option<Cursor>), ApiError> {
        let mut errors = rapport_core::FieldErrors::new();
        let limit = parse_limit(&mut errors, self.limit.as_deref());
        let after = parse_cursor(&mut errors, self.cursor.as_deref(), decode_cursor);
        errors.into_result()?;
        Ok((limit, after))
    }
}

/// Rows fetched with `limit + 1`: the page, and the cursor after its last
/// row when more follow.
pub fn split<T>(
    mut rows: Vec<T>,
    limit: u32,
    cursor_of: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = if more {
        rows.last().map(cursor_of)
    } else {
        None
    };
    (rows, next)
}

/// Answers one page of rows fetched with `limit + 1`, keyed by creation.
pub fn respond<T: Serialize>(
    req: &HttpRequest,
    rows: Vec<T>,
    limit: u32,
    cursor_of: impl Fn(&T) -> Cursor,
) -> HttpResponse {
    let (items, next_cursor) = split(rows, limit, |r| encode_cursor(&cursor_of(r)));
    page(req, items, limit, next_cursor)
}

/// A whole, small collection in the shape of a page.
pub fn whole<T: Serialize>(items: Vec<T>) -> HttpResponse {
    HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    })
}

/// A list's `cursor` from a query string: `None` for the first page (no
/// cursor, or an empty one); one that `decode` does not recognise is named.
pub fn parse_cursor<T>(
    errors: &mut rapport_core::FieldErrors,
    value: Option<&str>,
    decode: impl FnOnce(&str) -> Option<T>,
) -> Option<T> {
    let text = value.filter(|text| !text.is_empty())?;
    let decoded = decode(text);
    if decoded.is_none() {
        errors.add(
            "cursor",
            "is not a cursor from a previous page of this list",
        );
    }
    decoded
}

/// `limit` from a query string: 1 to 200, default 50; a bad value is named.
pub fn parse_limit(errors: &mut rapport_core::FieldErrors, value: Option<&str>) -> u32 {
    let Some(text) = value else {
        return DEFAULT_LIMIT;
    };
    match text.trim().parse::<u32>() {
        Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
        _ => {
            errors.add(
                "limit",
                format!("must be a whole number from 1 to {MAX_LIMIT}"),
            );
            DEFAULT_LIMIT
        }
    }
}

/// An opaque cursor: the position of the last row, as URL-safe base64 JSON.
pub fn encode_cursor<T: Serialize>(position: &T) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(position).unwrap_or_default())
}

/// `None` for anything that is not a cursor of this kind.
pub fn decode_cursor<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .ok()?;
    // Read as request bodies are: a cursor holding a NUL names no position.
    let mut value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    if !crate::extract::tidy_json(&mut value) {
        return None;
    }
    serde_json::from_value(value).ok()
}

/// The `Link` of the next page: this request's URL with its filters kept
/// and `limit` and `cursor` replaced.
pub fn next_link(req: &HttpRequest, limit: u32, cursor: &str) -> String {
    let mut url = format!("{}?", req.path());
    for part in req
        .query_string()
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("cursor=") && !p.starts_with("limit="))
    {
        url.push_str(part);
        url.push('&');
    }
    url.push_str(&format!("limit={limit}&cursor={cursor}"));
    format!("<{url}>; rel=\"next\"")
}

/// A page of items, with `Link: rel="next"` when a next cursor is given.
pub fn page<T: Serialize>(
    req: &HttpRequest,
    items: Vec<T>,
    limit: u32,
    next_cursor: Option<String>,
) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    if let Some(cursor) = &next_cursor {
        response.insert_header(("Link", next_link(req, limit, cursor)));
    }
    response.json(Page { items, next_cursor })
}
