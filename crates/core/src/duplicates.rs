//! Duplicate contacts: the groups of likely duplicates the API offers for
//! review (`GET /contacts/duplicates`) and the request that merges two of
//! them into one (`POST /contacts/{id}/merge`).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::contact::Contact;
use crate::validate::{FieldErrors, Validate};

/// Why contacts are grouped as likely duplicates, strongest first:
/// `same_email` (an email address in common, ignoring case),
/// `same_profile_url` (the same profile address, a LinkedIn profile
/// whatever its host, scheme, trailing slash or query),
/// `same_name_and_company` (the same name at the same company, ignoring
/// case and punctuation), `close_name_same_email_domain` (names within a
/// typo or two of each other, with an email address at the same domain).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DuplicateReason {
    /// An email address in common.
    SameEmail,
    /// A profile address in common.
    SameProfileUrl,
    /// The same name at the same company.
    SameNameAndCompany,
    /// Close names, and email addresses at the same domain.
    CloseNameSameEmailDomain,
}

impl DuplicateReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DuplicateReason::SameEmail => "same_email",
            DuplicateReason::SameProfileUrl => "same_profile_url",
            DuplicateReason::SameNameAndCompany => "same_name_and_company",
            DuplicateReason::CloseNameSameEmailDomain => "close_name_same_email_domain",
        }
    }
}

/// Contacts that are likely the same person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateGroup {
    /// The strongest reason that links the group's contacts.
    pub reason: DuplicateReason,
    /// Two or more contacts, by name; each contact is in at most one group.
    pub contacts: Vec<Contact>,
}

/// The answer of `GET /contacts/duplicates`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Duplicates {
    /// The groups, strongest reason first, then by the first contact's name.
    pub groups: Vec<DuplicateGroup>,
}

/// Which of the two contacts a merged field comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Keep {
    /// The contact merged into (the one in the path), which stays.
    #[default]
    This,
    /// The contact merged away (`other_id`).
    Other,
}

/// For each field, the contact whose value the merged contact keeps;
/// every field left out keeps `this`. Unknown fields are refused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MergeKeep {
    /// Whose name.
    #[serde(default)]
    pub name: Keep,
    /// Whose company (when that one has none, the other's).
    #[serde(default)]
    pub company: Keep,
    /// Whose job title (when that one has none, the other's).
    #[serde(default)]
    pub title: Keep,
    /// Whose location (when that one has none, the other's).
    #[serde(default)]
    pub location: Keep,
    /// Whose notes come first: both contacts' notes are kept, the other's
    /// after a blank line.
    #[serde(default)]
    pub notes: Keep,
    /// Whose first-meeting record (its blank parts filled from the other's).
    #[serde(default)]
    pub how_met: Keep,
    /// Whose keep-in-touch cadence (when that one follows the default, the
    /// other's).
    #[serde(default)]
    pub cadence_days: Keep,
    /// Whose current referral comfort, even when that one is unrated (the
    /// comfort histories are merged either way).
    #[serde(default)]
    pub comfort: Keep,
}

/// `POST /contacts/{id}/merge`: merge `other_id` into the contact in the
/// path. Unknown fields are refused.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The contact merged away: another of my contacts, not the one in the
    /// path. It is deleted once everything of it is moved.
    pub other_id: Uuid,
    /// Whose value each field keeps; left out: `this` for every field.
    #[serde(default, deserialize_with = "crate::contact::object")]
    pub keep: MergeKeep,
}

impl Validate for MergeRequest {
    fn validate(&self) -> Result<(), FieldErrors> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_keeps_this_unless_told_and_unknown_fields_are_refused() {
        let request: MergeRequest = serde_json::from_value(serde_json::json!({
            "other_id": Uuid::nil(), "keep": {"comfort": "other"}
        }))
        .unwrap();
        assert_eq!(request.keep.comfort, Keep::Other);
        assert_eq!(request.keep.name, Keep::This);
        let bare: MergeRequest =
            serde_json::from_value(serde_json::json!({"other_id": Uuid::nil()})).unwrap();
        assert_eq!(bare.keep, MergeKeep::default());
        for bad in [
            serde_json::json!({"other_id": Uuid::nil(), "keep": {"emails": "other"}}),
            serde_json::json!({"other_id": Uuid::nil(), "keep": {"name": "both"}}),
            serde_json::json!({"other_id": Uuid::nil(), "keep": ["this"]}),
            serde_json::json!({"other_id": Uuid::nil(), "extra": 1}),
            serde_json::json!({"keep": {}}),
        ] {
            assert!(
                serde_json::from_value::<MergeRequest>(bad.clone()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn reasons_order_strongest_first_and_read_as_written() {
        assert!(DuplicateReason::SameEmail < DuplicateReason::SameProfileUrl);
        assert!(DuplicateReason::SameNameAndCompany < DuplicateReason::CloseNameSameEmailDomain);
        assert_eq!(
            serde_json::to_value(DuplicateReason::CloseNameSameEmailDomain).unwrap(),
            DuplicateReason::CloseNameSameEmailDomain.as_str()
        );
    }
}
