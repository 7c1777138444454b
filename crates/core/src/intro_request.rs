//! Introduction requests inside a team: a teammate asks the members who
//! know someone (found by team reach) to introduce them. Each member
//! decides: accepting starts an introduction in their own network (double
//! opt-in, as every introduction), declining stays private to them, and an
//! unanswered request expires.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::sharing::ReachPerson;
use crate::validate::{FieldErrors, Validate};

/// A reason at most this long.
pub const REQUEST_REASON_MAX: usize = 2000;
/// A decline's private note at most this long.
pub const DECLINE_REASON_MAX: usize = 1000;
/// Days before a requester may ask again about the same person.
pub const COOLDOWN_DAYS: i64 = 30;

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IntroRequestStatus {
    /// Waiting for an answer.
    Open,
    /// A teammate accepted: they introduce you.
    Accepted,
    /// Every teammate asked declined.
    Declined,
    /// The requester took it back.
    Withdrawn,
    /// Nobody answered in time.
    Expired,
    /// (Incoming only) another teammate answered first, or it was withdrawn.
    Closed,
}

impl IntroRequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            IntroRequestStatus::Open => "open",
            IntroRequestStatus::Accepted => "accepted",
            IntroRequestStatus::Declined => "declined",
            IntroRequestStatus::Withdrawn => "withdrawn",
            IntroRequestStatus::Expired => "expired",
            IntroRequestStatus::Closed => "closed",
        }
    }

    pub fn parse(value: &str) -> Option<IntroRequestStatus> {
        use IntroRequestStatus::*;
        [Open, Accepted, Declined, Withdrawn, Expired, Closed]
            .into_iter()
            .find(|s| s.as_str() == value)
    }
}

/// Which requests: those to me, or those I sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RequestBox {
    /// Requests to me.
    In,
    /// Requests I sent.
    Out,
}

/// `POST /teams/{id}/intro-requests`. Unknown fields are refused.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewIntroRequest {
    /// The `result` of a team reach search.
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 2000,
            pattern = r"^[0-9a-f]{32}(?:\.[0-9a-f]{32})*$",
            example = "6f1c0e0d2b9a4c3e8f7a6b5c4d3e2f10"
        )
    )]
    pub result: String,
    /// Why you would like to be introduced: 1 to 2000 characters, line
    /// breaks allowed.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 2000,
            pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
            example = "We are hiring a CTO and I would value their view."
        )
    )]
    pub reason: String,
}

impl NewIntroRequest {
    /// The handles the result names.
    pub fn handles(&self) -> Vec<String> {
        self.result.split('.').map(str::to_owned).collect()
    }
}

fn is_handle(text: &str) -> bool {
    text.len() == 32
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl Validate for NewIntroRequest {
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.result.len() > 2000 || !self.result.split('.').all(is_handle) {
            errors.add("result", "must be the `result` of a team reach search");
        }
        if self.reason.trim().is_empty() {
            errors.add("reason", "is required");
        } else {
            errors.check(
                "reason",
                crate::validate::multiline_text(&self.reason, REQUEST_REASON_MAX),
            );
        }
        errors.into_result()
    }
}

/// `POST /intro-requests/{id}/accept`. Unknown fields are refused.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AcceptIntroRequest {
    /// Introduce them although your comfort with your contact is below 3
    /// or unrated (you have seen the rating in the 409 answer).
    #[serde(default)]
    pub confirm_low_comfort: bool,
}

impl Validate for AcceptIntroRequest {
    fn validate(&self) -> Result<(), FieldErrors> {
        Ok(())
    }
}

/// `POST /intro-requests/{id}/decline`. Unknown fields are refused.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeclineIntroRequest {
    /// A note for yourself, never shown to the requester: at most 1000
    /// characters.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 1000,
            pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
        )
    )]
    pub reason: Option<String>,
}

impl Validate for DeclineIntroRequest {
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        crate::validate::optional_text(
            &mut errors,
            "reason",
            &self.reason,
            DECLINE_REASON_MAX,
            true,
        );
        errors.into_result()
    }
}

/// A member of the team, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Teammate {
    /// Their account id.
    pub user_id: Uuid,
    /// Their display name.
    pub display_name: String,
}

/// An introduction request, as its requester or one of the teammates asked
/// sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntroRequest {
    /// The request's id.
    pub id: Uuid,
    /// The team it was made in.
    pub team_id: Uuid,
    /// `out`: you asked; `in`: you were asked.
    #[serde(rename = "box")]
    pub direction: RequestBox,
    /// Where it stands (for a teammate asked: their own answer, or
    /// `closed` once another answered or it was withdrawn).
    pub status: IntroRequestStatus,
    /// Why the requester asks.
    pub reason: String,
    /// Who asks.
    pub requester: Teammate,
    /// Who the request is about: for the requester, what the search showed
    /// (null for a signal until someone accepts, then the person they
    /// introduce); for a teammate asked, their own contact.
    pub person: Option<ReachPerson>,
    /// For a teammate asked: which of their contacts it is about.
    pub contact_id: Option<Uuid>,
    /// For the requester, once accepted: who introduces them.
    pub accepted_by: Option<Teammate>,
    /// For a teammate asked who declined: their private note.
    pub decline_reason: Option<String>,
    /// For the teammate who accepted: the introduction in their network.
    pub introduction_id: Option<Uuid>,
    /// When it was asked (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// When it expires unanswered (RFC 3339, UTC).
    pub expires_at: DateTime<Utc>,
    /// When it was answered, withdrawn or closed (RFC 3339, UTC).
    pub answered_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_names_a_search_result_and_a_reason() {
        let good = NewIntroRequest {
            result: format!("{}.{}", "a".repeat(32), "0".repeat(32)),
            reason: "Hiring".into(),
        };
        assert!(good.validate().is_ok());
        assert_eq!(good.handles().len(), 2);
        let bad = NewIntroRequest {
            result: "zz".into(),
            reason: " \n".into(),
        };
        let fields: Vec<String> = bad
            .validate()
            .unwrap_err()
            .into_vec()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["result", "reason"]);
    }
}
