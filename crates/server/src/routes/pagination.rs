//! `limit` + opaque `cursor` query parameters and the `Link: rel="next"` header.

use actix_web::{HttpRequest, HttpResponse};
use rapport_core::account::Page;
use rapport_storage::Cursor;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1 to 200; default 50.
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageQuery {
    pub fn limit(&self) -> Result<u32, ApiError> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(ApiError::invalid_field(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            )),
        }
    }

    pub fn cursor(&self) -> Result<Option<Cursor>, ApiError> {
        match &self.cursor {
            None => Ok(None),
            Some(text) => Cursor::decode(text).map(Some).ok_or_else(|| {
                ApiError::invalid_field("cursor", "is not a cursor from a previous page")
            }),
        }
    }
}

/// Answers one page, fetched with `limit + 1` rows to learn whether more follow.
pub fn respond<T: Serialize>(
    req: &HttpRequest,
    mut rows: Vec<T>,
    limit: u32,
    cursor_of: impl Fn(&T) -> Cursor,
) -> HttpResponse {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = more
        .then(|| rows.last().map(|r| cursor_of(r).encode()))
        .flatten();
    let mut response = HttpResponse::Ok();
    if let Some(cursor) = &next_cursor {
        response.insert_header((
            "Link",
            format!(
                "<{}?limit={limit}&cursor={cursor}>; rel=\"next\"",
                req.path()
            ),
        ));
    }
    response.json(Page {
        items: rows,
        next_cursor,
    })
}

/// A whole, small collection in the shape of a page.
pub fn whole<T: Serialize>(items: Vec<T>) -> HttpResponse {
    HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    })
}
