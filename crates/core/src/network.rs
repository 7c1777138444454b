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
    /// The contact's id.
    pub id: Uuid,
    /// The contact's name.
    #[cfg_attr(feature = "openapi", schema(example = "Ada Lovelace"))]
    pub name: String,
    /// The company they work for; null when unknown.
    #[cfg_attr(feature = "openapi", schema(example = "Analytical Engines Ltd"))]
    pub company: Option<String>,
    /// My referral comfort, 1 to 5, or null when unrated.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5, example = 4))]
    pub comfort: Option<u8>,
    /// How well I know them, 0 to 100, derived from the interactions.
    #[cfg_attr(feature = "openapi", schema(maximum = 100, example = 42))]
    pub familiarity: u8,
    /// Where I stand in asking to connect.
    pub connection_status: ConnectionStatus,
    /// The contact's tags.
    #[cfg_attr(feature = "openapi", schema(example = json!(["investor"])))]
    pub tags: Vec<String>,
    /// The day of the latest interaction (`YYYY-MM-DD`); null when none.
    pub last_interaction_on: Option<NaiveDate>,
}

/// When a contact is "ready to ask" to connect: `open` (open networker:
/// anyone I have met), `after_talking` (familiarity at or above my
/// threshold) or `when_i_would_refer` (comfort at or above my threshold).
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

/// My settings (`GET`/`PUT /settings`): the connection policy and the
/// default keep-in-touch cadence. A `PUT` sends all of them; unknown fields
/// are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// When a contact is ready to ask to connect.
    pub connection_policy: ConnectionPolicy,
    /// Familiarity (0 to 100) a contact needs under `after_talking`.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100, example = 30))]
    pub familiarity_threshold: u8,
    /// Comfort (1 to 5) a contact needs under `when_i_would_refer`.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5, example = 3))]
    pub comfort_threshold: u8,
    /// Keep in touch this often (1 to 3650 days) unless a contact says
    /// otherwise; null: no default cadence.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3650, example = 90))]
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

/// `PUT /contacts/{id}/comfort`: a new rating, or null to clear it; either
/// way it is added to the contact's comfort history. Unknown fields are
/// refused.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ComfortRequest {
    /// My referral comfort, 1 to 5: 1 wouldn't refer yet · 2 could pass
    /// along their name · 3 would introduce with context · 4 would refer
    /// with confidence · 5 would vouch personally; null or left out:
    /// unrated.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5, example = 4))]
    pub rating: Option<u8>,
    /// Why, for the history: at most 2000 characters; line breaks and tabs
    /// are fine, other control characters are refused. Trimmed; a blank
    /// reason is stored as none.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 2000,
            pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
            example = "Worked together on the census project."
        )
    )]
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

/// `POST /contacts/{id}/snooze`: "not now, remind me later". Unknown
/// fields are refused.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SnoozeRequest {
    /// The keep-in-touch date becomes this day at the earliest (a later
    /// interaction still counts from its own date): `YYYY-MM-DD`, after
    /// today and at most 366 days after today, "today" being in my time
    /// zone (another day is a 422). Null or left out ends the snooze.
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
    /// The entry's id.
    pub id: Uuid,
    /// The rating given, 1 to 5, or null when it was cleared (unrated).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5, example = 4))]
    pub rating: Option<u8>,
    /// Why, as given; null when no reason was given.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "Worked together on the census project.")
    )]
    pub reason: Option<String>,
    /// When the rating was given (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
}

/// `POST /contacts/{id}/connection`: the next step of the ask-first flow.
/// Unknown fields are refused.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConnectionRequest {
    /// The new status: a step the flow allows from the current one (see
    /// `ConnectionStatus`); another is a 409 naming the allowed ones.
    pub status: ConnectionStatus,
    /// A note for the history: at most 2000 characters; line breaks and
    /// tabs are fine, other control characters are refused.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 2000,
            pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
            example = "Asked after the meetup; she'll think about it."
        )
    )]
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
    /// The step's id.
    pub id: Uuid,
    /// The status before the step.
    pub from_status: ConnectionStatus,
    /// The status after the step.
    pub to_status: ConnectionStatus,
    /// The note given with the step; null when none.
    pub note: Option<String>,
    /// When the step was taken (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
}

pub const INTERACTION_CONTACTS_MAX: usize = 50;

/// A touchpoint with one or more of my contacts. Unknown fields are
/// refused.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewInteraction {
    /// The ids of my contacts involved: 1 to 50 (an id that is not one of
    /// my contacts is a 422).
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 50))]
    pub contact_ids: Vec<Uuid>,
    /// What kind of touchpoint it was.
    pub kind: InteractionKind,
    /// The day it happened, `YYYY-MM-DD`, from 1900-01-01 to 2200-12-31.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = String, pattern = r"^(?:(?:19[0-9]{2}|2[01][0-9]{2}|2200)-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:19(?:0[48]|[2468][048]|[13579][26])|20(?:[02468][048]|[13579][26])|21(?:0[48]|[2468][048]|[13579][26]))-02-29)$", example = "2026-03-12")
    )]
    pub occurred_on: NaiveDate,
    /// How much of a conversation it was.
    pub depth: Depth,
    /// Who reached out.
    pub initiated_by: Initiator,
    /// My notes: at most 20000 characters; line breaks and tabs are fine,
    /// other control characters are refused. Trimmed; blank notes are
    /// stored as none.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 20000,
            pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
            example = "Lunch near the office; she is hiring two Rust engineers."
        )
    )]
    pub notes: Option<String>,
    /// A day to follow up by, shown in the nurture queue: `YYYY-MM-DD`,
    /// from 1900-01-01 to 2200-12-31; null or left out: none.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<String>, pattern = r"^(?:(?:19[0-9]{2}|2[01][0-9]{2}|2200)-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:19(?:0[48]|[2468][048]|[13579][26])|20(?:[02468][048]|[13579][26])|21(?:0[48]|[2468][048]|[13579][26]))-02-29)$", example = "2026-04-01")
    )]
    pub follow_up_on: Option<NaiveDate>,
}

impl NewInteraction {
    /// Notes trimmed; blank notes are none.
    pub fn normalize(mut self) -> Self {
        self.notes = self
            .notes
            .map(|notes| notes.trim().to_owned())
            .filter(|notes| !notes.is_empty());
        self
    }
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

/// Changes to an interaction: a field left out stays as it is; for `notes`
/// and `follow_up_on`, `null` clears it, for the other fields `null` leaves
/// it as it is. Each field follows the same rules as in a new interaction.
/// Unknown fields are refused.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InteractionPatch {
    /// Replaces the contacts involved: 1 to 50 ids of my contacts.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 50))]
    pub contact_ids: Option<Vec<Uuid>>,
    /// What kind of touchpoint it was.
    #[serde(default)]
    pub kind: Option<InteractionKind>,
    /// The day it happened, `YYYY-MM-DD`, from 1900-01-01 to 2200-12-31.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<String>, pattern = r"^(?:(?:19[0-9]{2}|2[01][0-9]{2}|2200)-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:19(?:0[48]|[2468][048]|[13579][26])|20(?:[02468][048]|[13579][26])|21(?:0[48]|[2468][048]|[13579][26]))-02-29)$", example = "2026-03-12")
    )]
    pub occurred_on: Option<NaiveDate>,
    /// How much of a conversation it was.
    #[serde(default)]
    pub depth: Option<Depth>,
    /// Who reached out.
    #[serde(default)]
    pub initiated_by: Option<Initiator>,
    /// My notes: at most 20000 characters; line breaks and tabs are fine,
    /// other control characters are refused; `null` clears them.
    #[serde(default, deserialize_with = "crate::contact::double_option")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            value_type = Option<String>,
            max_length = 20000,
            pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
            example = "Followed up by email with the job description."
        )
    )]
    pub notes: Option<Option<String>>,
    /// A day to follow up by, `YYYY-MM-DD`, from 1900-01-01 to 2200-12-31;
    /// `null` clears it.
    #[serde(default, deserialize_with = "crate::contact::double_option")]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<String>, pattern = r"^(?:(?:19[0-9]{2}|2[01][0-9]{2}|2200)-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:19(?:0[48]|[2468][048]|[13579][26])|20(?:[02468][048]|[13579][26])|21(?:0[48]|[2468][048]|[13579][26]))-02-29)$", example = "2026-04-01")
    )]
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

/// A logged touchpoint with one or more of my contacts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Interaction {
    /// The interaction's id.
    pub id: Uuid,
    /// The ids of my contacts involved (1 to 50).
    pub contact_ids: Vec<Uuid>,
    /// What kind of touchpoint it was.
    pub kind: InteractionKind,
    /// The day it happened, `YYYY-MM-DD`.
    pub occurred_on: NaiveDate,
    /// How much of a conversation it was.
    pub depth: Depth,
    /// Who reached out.
    pub initiated_by: Initiator,
    /// My notes; null when none.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "Lunch near the office; she is hiring two Rust engineers.")
    )]
    pub notes: Option<String>,
    /// The day to follow up by, `YYYY-MM-DD`; null when none.
    pub follow_up_on: Option<NaiveDate>,
    /// Changes with every write; sent as the `ETag` (send it back in
    /// `If-Match` to update).
    #[cfg_attr(feature = "openapi", schema(example = 1))]
    pub version: i64,
    /// When it was logged (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// When it last changed (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn an_interaction_keeps_its_notes_trimmed_and_blank_notes_are_none() {
        let logged = |notes: &str| NewInteraction {
            contact_ids: vec![Uuid::nil()],
            kind: crate::interaction::InteractionKind::Call,
            occurred_on: day(2026, 3, 12),
            depth: crate::interaction::Depth::Brief,
            initiated_by: crate::interaction::Initiator::Me,
            notes: Some(notes.to_owned()),
            follow_up_on: None,
        };
        assert_eq!(
            logged("  talked shop \n").normalize().notes.as_deref(),
            Some("talked shop")
        );
        assert_eq!(logged(" \t\n ").normalize().notes, None);
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
