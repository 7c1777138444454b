//! Likely duplicates among my contacts, `/contacts/duplicates`, and
//! merging two of them, `/contacts/{id}/merge`.
//!
//! The request and answer types are written here, as the API documents
//! them, until the core crate carries its own.

use std::collections::BTreeMap;

use rapport_core::contact::Contact;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{version_tag, ApiResult};

/// Contacts that are probably one person, and why.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DuplicateGroup {
    /// `same_email`, `same_profile_url`, `same_name_and_company` or
    /// `close_name_same_email_domain`.
    pub reason: String,
    pub contacts: Vec<Contact>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Duplicates {
    pub groups: Vec<DuplicateGroup>,
}

/// Which contact's value a merge keeps for a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Keep {
    This,
    Other,
}

/// Body of `POST /contacts/{id}/merge`: `other_id` is merged into `id`;
/// `keep` says, per field that differs, whose value survives.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MergeRequest {
    pub other_id: Uuid,
    pub keep: BTreeMap<&'static str, Keep>,
}

/// The groups of likely duplicates (404 where this server cannot find
/// them yet).
pub async fn groups() -> ApiResult<Duplicates> {
    super::fetch("/contacts/duplicates").await
}

/// Merges `other` into `survivor`, both as read (412 when either changed
/// since); answers the merged contact.
pub async fn merge(
    survivor: &Contact,
    other: &Contact,
    keep: BTreeMap<&'static str, Keep>,
) -> ApiResult<Contact> {
    let request = MergeRequest {
        other_id: other.id,
        keep,
    };
    let if_match = format!(
        "{}, {}",
        version_tag(survivor.version),
        version_tag(other.version)
    );
    let path = format!("/contacts/{}/merge", survivor.id);
    super::create_versioned(&path, &request, &if_match).await
}
