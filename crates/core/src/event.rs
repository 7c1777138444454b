//! Events: the networking events and talks where I meet people. An event
//! can carry a passphrase (a speaker hands it to the room) and open a public
//! card drop where attendees leave their details by quoting it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::contact::{double_option, plausible_date, NOTES_MAX, PLACE_MAX};
use crate::validate::{self, optional_text, FieldErrors, Validate};

pub const EVENT_NAME_MAX: usize = 200;
pub const PASSPHRASE_MAX: usize = 200;
/// A note left with a card; it becomes part of the contact's "how we met".
pub const CARD_NOTE_MAX: usize = 1000;

/// When the public card drop accepts cards: while enabled, from `opens_at`
/// to `closes_at` inclusive; a missing bound is open-ended. Unknown fields
/// are refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CardDrop {
    /// Whether the public page `/e/{slug}` accepts cards at all (default
    /// false). Enabling it needs a passphrase on the event.
    #[serde(default)]
    pub enabled: bool,
    /// From when cards are accepted: an RFC 3339 timestamp with an offset
    /// (`Z` or `±hh:mm`) whose UTC date falls between 1900-01-01 and
    /// 2200-12-31; null or left out: no start. (This document refuses the
    /// rare timestamps written on 1900-01-01 with a positive offset or on
    /// 2200-12-31 with a negative one, although the server takes those
    /// whose UTC date stays in range.)
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            value_type = Option<String>,
            pattern = r"^(?:(?:(?:19(?:0[1-9]|[1-9][0-9])|2[01][0-9]{2})-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:19(?:0[48]|[2468][048]|[13579][26])|20(?:[02468][048]|[13579][26])|21(?:0[48]|[2468][048]|[13579][26]))-02-29|1900-(?:01-(?:0[2-9]|[12][0-9]|3[01])|(?:0[3578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|2200-(?:(?:0[13578]|10)-(?:0[1-9]|[12][0-9]|3[01])|12-(?:0[1-9]|[12][0-9]|30)|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8])))[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,9})?(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])|1900-01-01[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,9})?(?:[Zz]|-(?:[01][0-9]|2[0-3]):[0-5][0-9]|\+00:00)|2200-12-31[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,9})?(?:[Zz]|\+(?:[01][0-9]|2[0-3]):[0-5][0-9]|-00:00))$",
            example = "2026-09-08T08:00:00Z"
        )
    )]
    pub opens_at: Option<DateTime<Utc>>,
    /// Until when cards are accepted, inclusive: an RFC 3339 timestamp like
    /// `opens_at`, and after it when both are set; null or left out: no
    /// end.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            value_type = Option<String>,
            pattern = r"^(?:(?:(?:19(?:0[1-9]|[1-9][0-9])|2[01][0-9]{2})-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:19(?:0[48]|[2468][048]|[13579][26])|20(?:[02468][048]|[13579][26])|21(?:0[48]|[2468][048]|[13579][26]))-02-29|1900-(?:01-(?:0[2-9]|[12][0-9]|3[01])|(?:0[3578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|2200-(?:(?:0[13578]|10)-(?:0[1-9]|[12][0-9]|3[01])|12-(?:0[1-9]|[12][0-9]|30)|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8])))[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,9})?(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])|1900-01-01[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,9})?(?:[Zz]|-(?:[01][0-9]|2[0-3]):[0-5][0-9]|\+00:00)|2200-12-31[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,9})?(?:[Zz]|\+(?:[01][0-9]|2[0-3]):[0-5][0-9]|-00:00))$",
            example = "2026-09-10T18:00:00Z"
        )
    )]
    pub closes_at: Option<DateTime<Utc>>,
}

impl CardDrop {
    /// Enabled, and `now` is inside `[opens_at, closes_at]`.
    pub fn is_open_at(&self, now: DateTime<Utc>) -> bool {
        self.enabled
            && self.opens_at.is_none_or(|opens| now >= opens)
            && self.closes_at.is_none_or(|closes| now <= closes)
    }
}

/// A new event. `name` and `starts_on` are required; unknown fields are
/// refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewEvent {
    /// The event's name: 1 to 200 characters once surrounding
    /// whitespace is trimmed, on one line, without control characters. Only
    /// whitespace is refused.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,198}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$",
            example = "RustConf 2026"
        )
    )]
    pub name: String,
    /// The (first) day, `YYYY-MM-DD`, from 1900-01-01 to 2200-12-31.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = String, pattern = r"^(?:(?:19[0-9]{2}|2[01][0-9]{2}|2200)-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:19(?:0[48]|[2468][048]|[13579][26])|20(?:[02468][048]|[13579][26])|21(?:0[48]|[2468][048]|[13579][26]))-02-29)$", example = "2026-09-08")
    )]
    pub starts_on: NaiveDate,
    /// The last day, for events of several days: `YYYY-MM-DD`, from
    /// 1900-01-01 to 2200-12-31 and not before `starts_on`.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<String>, pattern = r"^(?:(?:19[0-9]{2}|2[01][0-9]{2}|2200)-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:19(?:0[48]|[2468][048]|[13579][26])|20(?:[02468][048]|[13579][26])|21(?:0[48]|[2468][048]|[13579][26]))-02-29)$", example = "2026-09-10")
    )]
    pub ends_on: Option<NaiveDate>,
    /// Where it takes place: at most 500 characters, on one line, without
    /// control characters. Trimmed; a blank value is stored as null.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 500,
            pattern = r"^[^\x00-\x1f\x7f-\x9f]*$",
            example = "Portland, Oregon"
        )
    )]
    pub place: Option<String>,
    /// My notes: at most 20000 characters; line breaks and tabs are fine,
    /// other control characters are refused. Trimmed; a blank value is
    /// stored as null.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 20000,
            pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
            example = "Gave the talk on error handling; 200 people in the room."
        )
    )]
    pub notes: Option<String>,
    /// Given to the room: attendees quote it to leave a card, and it proves
    /// in an invitation that we were both there. At most 200 characters, on
    /// one line, without control characters; trimmed, and a blank value is
    /// stored as null. Required (not blank) while the card drop is enabled.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 200,
            pattern = r"^[^\x00-\x1f\x7f-\x9f]*$",
            example = "ferris the crab"
        )
    )]
    pub passphrase: Option<String>,
    /// The public card drop; left out: disabled, without bounds.
    #[serde(default, deserialize_with = "crate::contact::object")]
    pub card_drop: CardDrop,
}

/// Changes to the card drop: a field left out stays, `null` clears a bound
/// (and leaves `enabled` as it is). Unknown fields are refused.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CardDropPatch {
    /// Open (true) or close (false) the card drop; enabling it needs a
    /// passphrase on the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// From when cards are accepted: an RFC 3339 timestamp with an offset
    /// whose UTC date falls between 1900-01-01 and 2200-12-31 (as in
    /// `CardDrop`); `null`: no start.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(
            value_type = Option<String>,
            pattern = r"^(?:(?:(?:19(?:0[1-9]|[1-9][0-9])|2[01][0-9]{2})-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:19(?:0[48]|[2468][048]|[13579][26])|20(?:[02468][048]|[13579][26])|21(?:0[48]|[2468][048]|[13579][26]))-02-29|1900-(?:01-(?:0[2-9]|[12][0-9]|3[01])|(?:0[3578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|2200-(?:(?:0[13578]|10)-(?:0[1-9]|[12][0-9]|3[01])|12-(?:0[1-9]|[12][0-9]|30)|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8])))[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,9})?(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])|1900-01-01[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,9})?(?:[Zz]|-(?:[01][0-9]|2[0-3]):[0-5][0-9]|\+00:00)|2200-12-31[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,9})?(?:[Zz]|\+(?:[01][0-9]|2[0-3]):[0-5][0-9]|-00:00))$",
            example = "2026-09-08T08:00:00Z"
        )
    )]
    pub opens_at: Option<Option<DateTime<Utc>>>,
    /// Until when cards are accepted, inclusive: an RFC 3339 timestamp like
    /// `opens_at`, after it when both are set; `null`: no end.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(
            value_type = Option<String>,
            pattern = r"^(?:(?:(?:19(?:0[1-9]|[1-9][0-9])|2[01][0-9]{2})-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:19(?:0[48]|[2468][048]|[13579][26])|20(?:[02468][048]|[13579][26])|21(?:0[48]|[2468][048]|[13579][26]))-02-29|1900-(?:01-(?:0[2-9]|[12][0-9]|3[01])|(?:0[3578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|2200-(?:(?:0[13578]|10)-(?:0[1-9]|[12][0-9]|3[01])|12-(?:0[1-9]|[12][0-9]|30)|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8])))[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,9})?(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])|1900-01-01[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,9})?(?:[Zz]|-(?:[01][0-9]|2[0-3]):[0-5][0-9]|\+00:00)|2200-12-31[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,9})?(?:[Zz]|\+(?:[01][0-9]|2[0-3]):[0-5][0-9]|-00:00))$",
            example = "2026-09-10T18:00:00Z"
        )
    )]
    pub closes_at: Option<Option<DateTime<Utc>>>,
}

/// Changes to an event: a field left out stays as it is; for `ends_on`,
/// `place`, `notes` and `passphrase`, `null` clears it, for the other
/// fields `null` leaves it as it is. Each field follows the same rules as
/// in a new event, and the result must still be a valid event (`ends_on`
/// not before `starts_on`; a passphrase while the card drop is enabled;
/// `closes_at` after `opens_at`). Unknown fields are refused.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EventPatch {
    /// A new name: 1 to 200 characters once surrounding
    /// whitespace is trimmed, on one line, without control characters. Only
    /// whitespace is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,198}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$",
            example = "RustConf 2026"
        )
    )]
    pub name: Option<String>,
    /// A new (first) day, `YYYY-MM-DD`, from 1900-01-01 to 2200-12-31.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<String>, pattern = r"^(?:(?:19[0-9]{2}|2[01][0-9]{2}|2200)-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:19(?:0[48]|[2468][048]|[13579][26])|20(?:[02468][048]|[13579][26])|21(?:0[48]|[2468][048]|[13579][26]))-02-29)$", example = "2026-09-08")
    )]
    pub starts_on: Option<NaiveDate>,
    /// The last day, `YYYY-MM-DD`, from 1900-01-01 to 2200-12-31 and not
    /// before `starts_on`; `null` clears it.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<String>, pattern = r"^(?:(?:19[0-9]{2}|2[01][0-9]{2}|2200)-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:19(?:0[48]|[2468][048]|[13579][26])|20(?:[02468][048]|[13579][26])|21(?:0[48]|[2468][048]|[13579][26]))-02-29)$", example = "2026-09-10")
    )]
    pub ends_on: Option<Option<NaiveDate>>,
    /// Where it takes place: at most 500 characters, on one line, without
    /// control characters; `null` clears it.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(
            value_type = Option<String>,
            max_length = 500,
            pattern = r"^[^\x00-\x1f\x7f-\x9f]*$",
            example = "Portland, Oregon"
        )
    )]
    pub place: Option<Option<String>>,
    /// My notes: at most 20000 characters; line breaks and tabs are fine,
    /// other control characters are refused; `null` clears them.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(
            value_type = Option<String>,
            max_length = 20000,
            pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
            example = "Gave the talk on error handling."
        )
    )]
    pub notes: Option<Option<String>>,
    /// The passphrase given to the room: at most 200 characters, on one
    /// line, without control characters; `null` clears it (refused while
    /// the card drop is enabled).
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(
            value_type = Option<String>,
            max_length = 200,
            pattern = r"^[^\x00-\x1f\x7f-\x9f]*$",
            example = "ferris the crab"
        )
    )]
    pub passphrase: Option<Option<String>>,
    /// Changes to the card drop; left out or `null`: no change.
    #[serde(
        default,
        deserialize_with = "crate::contact::optional_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub card_drop: Option<CardDropPatch>,
}

impl EventPatch {
    pub fn apply(self, to: &mut NewEvent) {
        if let Some(v) = self.name {
            to.name = v;
        }
        if let Some(v) = self.starts_on {
            to.starts_on = v;
        }
        if let Some(v) = self.ends_on {
            to.ends_on = v;
        }
        if let Some(v) = self.place {
            to.place = v;
        }
        if let Some(v) = self.notes {
            to.notes = v;
        }
        if let Some(v) = self.passphrase {
            to.passphrase = v;
        }
        if let Some(drop) = self.card_drop {
            if let Some(v) = drop.enabled {
                to.card_drop.enabled = v;
            }
            if let Some(v) = drop.opens_at {
                to.card_drop.opens_at = v;
            }
            if let Some(v) = drop.closes_at {
                to.card_drop.closes_at = v;
            }
        }
    }
}

fn plausible_time(errors: &mut FieldErrors, field: &str, value: Option<DateTime<Utc>>) {
    if let Some(time) = value {
        errors.check(field, plausible_date(time.date_naive()));
    }
}

fn clean(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

impl Validate for NewEvent {
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        errors.check("name", validate::required_text(&self.name, EVENT_NAME_MAX));
        errors.check("starts_on", plausible_date(self.starts_on));
        if let Some(ends_on) = self.ends_on {
            if let Err(message) = plausible_date(ends_on) {
                errors.add("ends_on", message);
            } else if ends_on < self.starts_on {
                errors.add("ends_on", "must be on or after starts_on");
            }
        }
        optional_text(&mut errors, "place", &self.place, PLACE_MAX, false);
        optional_text(&mut errors, "notes", &self.notes, NOTES_MAX, true);
        optional_text(
            &mut errors,
            "passphrase",
            &self.passphrase,
            PASSPHRASE_MAX,
            false,
        );
        let has_passphrase = self
            .passphrase
            .as_deref()
            .is_some_and(|p| !p.trim().is_empty());
        if self.card_drop.enabled && !has_passphrase {
            errors.add(
                "passphrase",
                "is required while the card drop is enabled: attendees quote it to leave a card",
            );
        }
        plausible_time(&mut errors, "card_drop.opens_at", self.card_drop.opens_at);
        plausible_time(&mut errors, "card_drop.closes_at", self.card_drop.closes_at);
        if let (Some(opens), Some(closes)) = (self.card_drop.opens_at, self.card_drop.closes_at) {
            if closes <= opens {
                errors.add("card_drop.closes_at", "must be after card_drop.opens_at");
            }
        }
        errors.into_result()
    }
}

impl NewEvent {
    /// Trims text and drops blank optional text, so what is stored is canonical.
    pub fn normalize(mut self) -> Self {
        self.name = self.name.trim().to_owned();
        self.place = clean(self.place);
        self.notes = clean(self.notes);
        self.passphrase = clean(self.passphrase);
        self
    }
}

/// The form in which passphrases are compared: case, surrounding and
/// repeated spaces do not matter to a person reading one off a slide.
pub fn passphrase_key(passphrase: &str) -> String {
    passphrase
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// An event with its derived state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    /// The event's id.
    pub id: Uuid,
    /// The event's name, trimmed.
    #[cfg_attr(feature = "openapi", schema(example = "RustConf 2026"))]
    pub name: String,
    /// The (first) day, `YYYY-MM-DD`.
    pub starts_on: NaiveDate,
    /// The last day of an event of several days; null for one day.
    pub ends_on: Option<NaiveDate>,
    /// Where it takes place; null when not given.
    #[cfg_attr(feature = "openapi", schema(example = "Portland, Oregon"))]
    pub place: Option<String>,
    /// My notes; null when none.
    pub notes: Option<String>,
    /// The passphrase given to the room; null when none.
    #[cfg_attr(feature = "openapi", schema(example = "ferris the crab"))]
    pub passphrase: Option<String>,
    /// The public, unguessable part of the card drop's address: 10
    /// lower-case letters and digits.
    #[cfg_attr(feature = "openapi", schema(example = "k7mq2xw9ab"))]
    pub slug: String,
    /// When the card drop accepts cards.
    pub card_drop: CardDrop,
    /// The card drop accepts cards right now.
    pub card_drop_open: bool,
    /// The public page where attendees leave their card: `/e/{slug}`.
    #[cfg_attr(feature = "openapi", schema(example = "/e/k7mq2xw9ab"))]
    pub card_drop_url: String,
    /// How many of my contacts I met there.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, example = 12))]
    pub contact_count: i64,
    /// Changes with every write; sent as the `ETag` (send it back in
    /// `If-Match` to update).
    #[cfg_attr(feature = "openapi", schema(example = 2))]
    pub version: i64,
    /// When the event was added (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// When the event last changed (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
}

/// The path of an event's public card drop page.
pub fn card_drop_path(slug: &str) -> String {
    format!("/e/{slug}")
}

/// What an attendee leaves at a card drop (`POST /public/events/{slug}/cards`):
/// a name, an email address or a profile URL (or both), and the passphrase.
/// Unknown fields are refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CardDropRequest {
    /// Your name: 1 to 200 characters once surrounding
    /// whitespace is trimmed, on one line, without control characters. Only
    /// whitespace is refused.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,198}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$",
            example = "Grace Hopper"
        )
    )]
    pub name: String,
    /// Your email address: a local part, `@` and a domain with a dot inside
    /// it (not at either end), without spaces or control characters;
    /// surrounding whitespace is trimmed. Null, empty or only whitespace
    /// counts as not given, and then `url` is required. The server takes
    /// any such address of at most 254 characters; this document keeps
    /// within that by asking for a local part of at most 64 characters and
    /// a domain with a dot that has at most 94 characters on either side.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]{1,64}@[^@.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]{0,93}\.[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]{0,93}[^@.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$",
            example = "grace@example.com"
        )
    )]
    pub email: Option<String>,
    /// Your profile or web address, e.g. a LinkedIn profile: `https://` or
    /// `http://`, then a host (not `/`), without spaces or control
    /// characters, at most 2048 characters once surrounding whitespace is
    /// trimmed. Null, empty or only whitespace counts as not given; then
    /// `email` is required.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:https://[^/?#\[\]\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\[\]\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]{0,2039}|http://[^/?#\[\]\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\[\]\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]{0,2040})?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$",
            example = "https://www.linkedin.com/in/grace-hopper"
        )
    )]
    pub url: Option<String>,
    /// The passphrase given in the room (case and extra spaces do not
    /// matter): 1 to 200 characters once surrounding whitespace is trimmed,
    /// on one line, without control characters. A wrong one gets the same
    /// 403 as a closed card drop.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,198}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$",
            example = "ferris the crab"
        )
    )]
    pub passphrase: String,
    /// A note for the organiser, kept with how you met: at most 1000
    /// characters; line breaks and tabs are fine, other control characters
    /// are refused.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 1000,
            pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
            example = "Loved the talk on compilers."
        )
    )]
    pub note: Option<String>,
}

impl Validate for CardDropRequest {
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        errors.check(
            "name",
            validate::required_text(&self.name, crate::contact::NAME_MAX),
        );
        let email = self.email.as_deref().filter(|e| !e.trim().is_empty());
        let url = self.url.as_deref().filter(|u| !u.trim().is_empty());
        if let Some(email) = email {
            errors.check("email", validate::email(email));
        }
        if let Some(url) = url {
            errors.check("url", crate::contact::url(url));
        }
        if email.is_none() && url.is_none() {
            errors.add(
                "email",
                "is required unless you give a profile url: leave at least one way to reach you",
            );
        }
        errors.check(
            "passphrase",
            validate::required_text(&self.passphrase, PASSPHRASE_MAX),
        );
        optional_text(&mut errors, "note", &self.note, CARD_NOTE_MAX, true);
        errors.into_result()
    }
}

impl CardDropRequest {
    /// Trims text, lower-cases the email and drops blank optional fields.
    pub fn normalize(mut self) -> Self {
        self.name = self.name.trim().to_owned();
        self.email = clean(self.email).map(|e| validate::normalize_email(&e));
        self.url = clean(self.url);
        self.note = clean(self.note);
        self
    }
}

/// The "how we met" context of a contact who left a card.
pub fn card_drop_context(event_name: &str, note: Option<&str>) -> String {
    match note {
        Some(note) => format!("Left a card at {event_name}: {note}"),
        None => format!("Left a card at {event_name}"),
    }
}

/// The answer to a card drop; it tells the attendee nothing about the
/// organiser's network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CardDropReceipt {
    /// Always `received`, whether the card made a new contact or completed
    /// a known one.
    #[cfg_attr(feature = "openapi", schema(example = "received"))]
    pub status: String,
}

/// What the public card drop page shows about an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicEvent {
    /// The event's name.
    #[cfg_attr(feature = "openapi", schema(example = "RustConf 2026"))]
    pub name: String,
    /// The (first) day, `YYYY-MM-DD`.
    pub starts_on: NaiveDate,
    /// Where it takes place; null when not given.
    #[cfg_attr(feature = "openapi", schema(example = "Portland, Oregon"))]
    pub place: Option<String>,
    /// Cards are accepted right now.
    pub open: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn event() -> NewEvent {
        NewEvent {
            name: "RustConf".into(),
            starts_on: day(2026, 9, 8),
            ..NewEvent::default()
        }
    }

    fn failing_fields(value: &impl Validate) -> Vec<String> {
        value
            .validate()
            .map(|_| Vec::new())
            .unwrap_or_else(|e| e.into_vec().into_iter().map(|e| e.field).collect())
    }

    #[test]
    fn an_event_needs_a_name_and_a_plausible_date() {
        assert!(event().validate().is_ok());
        let bad = NewEvent {
            name: " ".into(),
            starts_on: day(1800, 1, 1),
            ..NewEvent::default()
        };
        assert_eq!(failing_fields(&bad), ["name", "starts_on"]);
    }

    #[test]
    fn every_field_is_bounded_and_named_when_wrong() {
        let now = Utc::now();
        let bad = NewEvent {
            name: "x".repeat(201),
            ends_on: Some(day(2026, 9, 7)),
            place: Some("p".repeat(501)),
            notes: Some("n".repeat(20_001)),
            passphrase: Some("two\nlines".into()),
            card_drop: CardDrop {
                enabled: true,
                opens_at: Some(now),
                closes_at: Some(now - Duration::hours(1)),
            },
            ..event()
        };
        assert_eq!(
            failing_fields(&bad),
            [
                "name",
                "ends_on",
                "place",
                "notes",
                "passphrase",
                "card_drop.closes_at"
            ]
        );
    }

    #[test]
    fn an_enabled_card_drop_needs_a_passphrase() {
        let mut open = event();
        open.card_drop.enabled = true;
        assert_eq!(failing_fields(&open), ["passphrase"]);
        open.passphrase = Some("  ".into());
        assert_eq!(failing_fields(&open), ["passphrase"]);
        open.passphrase = Some("ferris".into());
        assert!(open.validate().is_ok());
    }

    #[test]
    fn the_window_is_inclusive_and_open_ended_bounds_are_open() {
        let now = Utc::now();
        let mut drop = CardDrop {
            enabled: true,
            ..CardDrop::default()
        };
        assert!(drop.is_open_at(now));
        drop.opens_at = Some(now);
        drop.closes_at = Some(now);
        assert!(drop.is_open_at(now));
        assert!(!drop.is_open_at(now + Duration::seconds(1)));
        assert!(!drop.is_open_at(now - Duration::seconds(1)));
        drop.opens_at = None;
        assert!(drop.is_open_at(now - Duration::days(365)));
        drop.enabled = false;
        assert!(!drop.is_open_at(now));
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let patch: EventPatch = serde_json::from_str(
            r#"{"place": null, "card_drop": {"enabled": true, "closes_at": null}}"#,
        )
        .unwrap();
        let mut stored = NewEvent {
            place: Some("Portland".into()),
            notes: Some("keynote".into()),
            card_drop: CardDrop {
                enabled: false,
                opens_at: Some(Utc::now()),
                closes_at: Some(Utc::now()),
            },
            ..event()
        };
        let opens = stored.card_drop.opens_at;
        patch.apply(&mut stored);
        assert_eq!(stored.place, None);
        assert_eq!(stored.notes.as_deref(), Some("keynote"));
        assert!(stored.card_drop.enabled);
        assert_eq!(stored.card_drop.opens_at, opens);
        assert_eq!(stored.card_drop.closes_at, None);
    }

    #[test]
    fn passphrases_compare_without_case_or_extra_spaces() {
        assert_eq!(passphrase_key("  Ferris   the Crab "), "ferris the crab");
        assert_eq!(passphrase_key("FERRIS"), passphrase_key("ferris"));
    }

    #[test]
    fn a_card_needs_a_name_a_way_to_reach_and_the_passphrase() {
        let card = CardDropRequest {
            name: "Grace".into(),
            email: Some("grace@example.com".into()),
            passphrase: "ferris".into(),
            ..CardDropRequest::default()
        };
        assert!(card.validate().is_ok());
        let only_url = CardDropRequest {
            email: None,
            url: Some("https://www.linkedin.com/in/grace".into()),
            ..card.clone()
        };
        assert!(only_url.validate().is_ok());
        let bad = CardDropRequest {
            name: "".into(),
            email: Some("nope".into()),
            url: Some("linkedin.com/in/grace".into()),
            passphrase: " ".into(),
            note: Some("n".repeat(1001)),
        };
        assert_eq!(
            failing_fields(&bad),
            ["name", "email", "url", "passphrase", "note"]
        );
        let unreachable = CardDropRequest {
            email: Some(" ".into()),
            ..CardDropRequest::default()
        };
        assert_eq!(
            failing_fields(&unreachable),
            ["name", "email", "passphrase"]
        );
        let normalized = CardDropRequest {
            name: " Grace ".into(),
            email: Some(" Grace@Example.COM ".into()),
            note: Some("  ".into()),
            ..card
        }
        .normalize();
        assert_eq!(normalized.name, "Grace");
        assert_eq!(normalized.email.as_deref(), Some("grace@example.com"));
        assert_eq!(normalized.note, None);
    }
}
