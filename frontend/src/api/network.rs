//! The network view, `/network`: one compact record per active contact.

use rapport_core::network::NetworkEntry;

use super::ApiResult;

pub async fn entries() -> ApiResult<Vec<NetworkEntry>> {
    super::fetch("/network").await
}
