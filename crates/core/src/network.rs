//! Per-user settings, referral comfort, interactions and the rules derived
//! from them: when a contact is due, and when they are ready to ask.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::contact::{plausible_date, ConnectionStatus, CADENCE_MAX_DAYS, NOTES_MAX};
use crate::interaction::{Depth, Initiator, InteractionKind};
use crate::validate::{optional_text, FieldErrors, Validate};

/// One contact in the network view (`GET /api/v1/network`): what the list
/// and the visual views draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NetworkEntry {
    pub id: Uuid,
    pub name: String,
    pub company: Option<String>,
    pub comfort: Option<u8>,
    pub familiarity: u8,
    pub connection_status: ConnectionStatus,
    pub tags: Vec<String>,
    pub last_interaction_on: Option<NaiveDate>,
}

/// When a contact is "ready to ask" to connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConnectionPolicy {
    /// Open networker: anyone I have met.
    Open,
    /// After we've talked: familiarity at or above the threshold.
    AfterTalking,
    /// When I'd refer them: comfort at or above the threshold.
    WhenIWouldRefer,
}

impl ConnectionPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionPolicy::Open => "open",
            ConnectionPolicy::AfterTalking => "after_talking",
            ConnectionPolicy::WhenIWouldRefer => "when_i_would_refer",
        }
    }

    pub fn parse(value: &str) -> Option<ConnectionPolicy> {
        [
            ConnectionPolicy::Open,
            ConnectionPolicy::AfterTalking,
            ConnectionPolicy::WhenIWouldRefer,
        ]
        .into_iter()
        .find(|p| p.as_str() == value)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub connection_policy: ConnectionPolicy,
    /// Familiarity (0 to 100) for "after we've talked".
    pub familiarity_threshold: u8,
    /// Comfort (1 to 5) for "when I'd refer them".
    pub comfort_threshold: u8,
    /// Keep in touch this often unless a contact says otherwise; null: no default.
    pub default_cadence_days: Option<u16>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            connection_policy: ConnectionPolicy::AfterTalking,
            familiarity_threshold: 30,
            comfort_threshold: 3,
            default_cadence_days: Some(90),
        }
    }
}

impl Validate for Settings {
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.familiarity_threshold > 100 {
            errors.add("familiarity_threshold", "must be between 0 and 100");
        }
        if !(1..=5).contains(&self.comfort_threshold) {
            errors.add("comfort_threshold", "must be between 1 and 5");
        }
        if let Some(days) = self.default_cadence_days {
            if !(1..=CADENCE_MAX_DAYS).contains(&days) {
                errors.add(
                    "default_cadence_days",
                    format!("must be between 1 and {CADENCE_MAX_DAYS}, or null"),
                );
            }
        }
        errors.into_result()
    }
}

/// What ready-to-ask needs to know about a contact.
#[derive(Debug, Clone, Copy)]
pub struct AskFacts {
    pub status: ConnectionStatus,
    pub comfort: Option<u8>,
    pub familiarity: u8,
    /// A first meeting is recorded or any interaction is logged.
    pub have_met: bool,
}

/// Ready to ask to connect: not connected yet, and the policy is met.
pub fn ready_to_ask(facts: AskFacts, settings: &Settings) -> bool {
    if facts.status != ConnectionStatus::NotConnected {
        return false;
    }
    match settings.connection_policy {
        ConnectionPolicy::Open => facts.have_met,
        ConnectionPolicy::AfterTalking => facts.familiarity >= settings.familiarity_threshold,
        ConnectionPolicy::WhenIWouldRefer => {
            facts.comfort.unwrap_or(0) >= settings.comfort_threshold
        }
    }
}

/// The next keep-in-touch date: the last contact (or the first meeting, or
/// when the contact was added) plus the cadence.
pub fn next_due(
    last_interaction: Option<NaiveDate>,
    met_on: Option<NaiveDate>,
    added_on: NaiveDate,
    cadence_days: Option<u16>,
) -> Option<NaiveDate> {
    let cadence = cadence_days?;
    let base = last_interaction.or(met_on).unwrap_or(added_on);
    base.checked_add_signed(Duration::days(i64::from(cadence)))
}

/// `PUT /contacts/{id}/comfort`: a new rating, or null to clear it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ComfortRequest {
    /// 1 wouldn't refer yet · 2 could pass along their name · 3 would
    /// introduce with context · 4 would refer with confidence · 5 would
    /// vouch personally; null: unrated.
    pub rating: Option<u8>,
    #[serde(default)]
    pub reason: Option<String>,
}

pub const REASON_MAX: usize = 2000;

impl Validate for ComfortRequest {
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if let Some(rating) = self.rating {
            if !(1..=5).contains(&rating) {
                errors.add("rating", "must be between 1 and 5, or null for unrated");
            }
        }
        optional_text(&mut errors, "reason", &self.reason, REASON_MAX, true);
        errors.into_result()
    }
}

/// `POST /contacts/{id}/snooze`: "not now, remind me later".
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SnoozeRequest {
    /// The keep-in-touch date becomes this day at the earliest (a later
    /// interaction still counts from its own date); null ends the snooze.
    pub until: Option<NaiveDate>,
}

/// How far ahead a snooze may reach.
pub const SNOOZE_MAX_DAYS: i64 = 366;

impl SnoozeRequest {
    /// A snooze ends after `today` and within a year.
    pub fn check(&self, today: NaiveDate) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if let Some(until) = self.until {
            if until <= today {
                errors.add("until", "must be a day after today");
            } else if until > today + Duration::days(SNOOZE_MAX_DAYS) {
                errors.add("until", "must be within a year from today");
            }
        }
        errors.into_result()
    }
}

impl Validate for SnoozeRequest {
    fn validate(&self) -> Result<(), FieldErrors> {
        Ok(())
    }
}

/// One entry of a contact's comfort history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComfortRating {
    pub id: Uuid,
    pub rating: Option<u8>,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// `POST /contacts/{id}/connection`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConnectionRequest {
    pub status: ConnectionStatus,
    #[serde(default)]
    pub note: Option<String>,
}

impl Validate for ConnectionRequest {
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        optional_text(&mut errors, "note", &self.note, REASON_MAX, true);
        errors.into_result()
    }
}

/// One dated step of the connection flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionChange {
    pub id: Uuid,
    pub from_status: ConnectionStatus,
    pub to_status: ConnectionStatus,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub const INTERACTION_CONTACTS_MAX: usize = 50;

/// A touchpoint with one or more of my contacts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewInteraction {
    /// My contacts involved (1 to 50).
    pub contact_ids: Vec<Uuid>,
    pub kind: InteractionKind,
    pub occurred_on: NaiveDate,
    pub depth: Depth,
    pub initiated_by: Initiator,
    #[serde(default)]
    pub notes: Option<String>,
    /// A date to follow up by, shown in the nurture queue.
    #[serde(default)]
    pub follow_up_on: Option<NaiveDate>,
}

impl Validate for NewInteraction {
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.contact_ids.is_empty() {
            errors.add("contact_ids", "must name at least one contact");
        } else if self.contact_ids.len() > INTERACTION_CONTACTS_MAX {
            errors.add(
                "contact_ids",
                format!("can name at most {INTERACTION_CONTACTS_MAX} contacts"),
            );
        }
        errors.check("occurred_on", plausible_date(self.occurred_on));
        if let Some(date) = self.follow_up_on {
            errors.check("follow_up_on", plausible_date(date));
        }
        optional_text(&mut errors, "notes", &self.notes, NOTES_MAX, true);
        errors.into_result()
    }
}

/// Changes to an interaction; a field left out stays, `null` clears.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InteractionPatch {
    #[serde(default)]
    pub contact_ids: Option<Vec<Uuid>>,
    #[serde(default)]
    pub kind: Option<InteractionKind>,
    #[serde(default)]
    pub occurred_on: Option<NaiveDate>,
    #[serde(default)]
    pub depth: Option<Depth>,
    #[serde(default)]
    pub initiated_by: Option<Initiator>,
    #[serde(default, deserialize_with = "crate::contact::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub notes: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::contact::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<NaiveDate>))]
    pub follow_up_on: Option<Option<NaiveDate>>,
}

impl InteractionPatch {
    pub fn apply(self, to: &mut NewInteraction) {
        if let Some(v) = self.contact_ids {
            to.contact_ids = v;
        }
        if let Some(v) = self.kind {
            to.kind = v;
        }
        if let Some(v) = self.occurred_on {
            to.occurred_on = v;
        }
        if let Some(v) = self.depth {
            to.depth = v;
        }
        if let Some(v) = self.initiated_by {
            to.initiated_by = v;
        }
        if let Some(v) = self.notes {
            to.notes = v;
        }
        if let Some(v) = self.follow_up_on {
            to.follow_up_on = v;
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Interaction {
    pub id: Uuid,
    pub contact_ids: Vec<Uuid>,
    pub kind: InteractionKind,
    pub occurred_on: NaiveDate,
    pub depth: Depth,
    pub initiated_by: Initiator,
    pub notes: Option<String>,
    pub follow_up_on: Option<NaiveDate>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn ready_to_ask_follows_the_policy() {
        let mut settings = Settings::default();
        let facts = AskFacts {
            status: ConnectionStatus::NotConnected,
            comfort: Some(2),
            familiarity: 45,
            have_met: true,
        };
        settings.connection_policy = ConnectionPolicy::Open;
        assert!(ready_to_ask(facts, &settings));
        assert!(!ready_to_ask(
            AskFacts {
                have_met: false,
                ..facts
            },
            &settings
        ));
        settings.connection_policy = ConnectionPolicy::AfterTalking;
        assert!(ready_to_ask(facts, &settings));
        assert!(!ready_to_ask(
            AskFacts {
                familiarity: 10,
                ..facts
            },
            &settings
        ));
        settings.connection_policy = ConnectionPolicy::WhenIWouldRefer;
        assert!(!ready_to_ask(facts, &settings));
        assert!(ready_to_ask(
            AskFacts {
                comfort: Some(4),
                ..facts
            },
            &settings
        ));
        let asked = AskFacts {
            status: ConnectionStatus::Asked,
            comfort: Some(5),
            ..facts
        };
        assert!(!ready_to_ask(asked, &settings), "already asked");
    }

    #[test]
    fn the_next_due_date_counts_from_the_last_contact() {
        let added = day(2026, 1, 1);
        assert_eq!(next_due(None, None, added, None), None);
        assert_eq!(
            next_due(None, None, added, Some(30)),
            Some(day(2026, 1, 31))
        );
        assert_eq!(
            next_due(
                Some(day(2026, 3, 1)),
                Some(day(2026, 2, 1)),
                added,
                Some(10)
            ),
            Some(day(2026, 3, 11))
        );
        assert_eq!(
            next_due(None, Some(day(2026, 2, 1)), added, Some(1)),
            Some(day(2026, 2, 2))
        );
    }

    #[test]
    fn settings_and_ratings_are_bounded() {
        assert!(Settings::default().validate().is_ok());
        let bad = Settings {
            familiarity_threshold: 101,
            comfort_threshold: 0,
            default_cadence_days: Some(0),
            ..Settings::default()
        };
        assert_eq!(bad.validate().unwrap_err().into_vec().len(), 3);
        let rating = ComfortRequest {
            rating: Some(6),
            reason: None,
        };
        assert!(rating.validate().is_err());
        let cleared = ComfortRequest {
            rating: None,
            reason: Some("met once".into()),
        };
        assert!(cleared.validate().is_ok());
    }
}
