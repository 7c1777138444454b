//! The nurture queue, `/nurture`: who to look after today.

use rapport_core::account::Page;
use rapport_core::nurture::NurtureItem;

use super::{ApiResult, Query};

/// A page of `limit` items: the first, or the one after `cursor`.
pub async fn page(limit: usize, cursor: Option<&str>) -> ApiResult<Page<NurtureItem>> {
    let query = Query::new().add("limit", limit).maybe("cursor", cursor);
    super::fetch(&query.on("/nurture")).await
}
