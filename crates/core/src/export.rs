//! Taking my data out: the full JSON export of an account
//! (`GET /api/v1/export`, `rapport export --format json`), which the
//! importer reads back into an empty account, and the answer that shows a
//! calendar feed's secret address.
//!
//! The document is self-describing: [`AccountExport::format`] is always
//! [`EXPORT_FORMAT`] and [`AccountExport::version`] the
//! [`EXPORT_VERSION`] it was written in. A reader checks both with
//! [`AccountExport::check_format`] before it trusts anything else. Ids in
//! the document are the exporting instance's: they tie its parts together
//! (an interaction's `contact_ids`, `how_met.event_id`,
//! `how_met.introduced_by`, an introduction's two contacts) and an importer
//! maps them to new ones. Derived values (familiarity, due dates) are
//! written for people reading the file; an importer recomputes them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::contact::{ConnectionStatus, HowMet};
use crate::event::CardDrop;
use crate::interaction::{Depth, Initiator, InteractionKind};
use crate::introduction::{IntroductionOutcome, IntroductionStatus};
use crate::network::{ComfortRating, ConnectionChange, Settings};

/// The `format` of every Rapport account export.
pub const EXPORT_FORMAT: &str = "rapport-account-export";

/// The version of the document this build writes. A change that an older
/// reader would misread (a field renamed, removed or changed in meaning)
/// takes a new version; a new optional field does not.
pub const EXPORT_VERSION: u32 = 1;

/// Everything of one account: contacts with their comfort and connection
/// histories, interactions, events, introductions and settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountExport {
    /// Always `rapport-account-export`.
    #[cfg_attr(feature = "openapi", schema(example = "rapport-account-export"))]
    pub format: String,
    /// The version of this document's layout (now 1).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, example = 1))]
    pub version: u32,
    /// When the export was written (RFC 3339, UTC).
    pub exported_at: DateTime<Utc>,
    /// Whose account this is.
    pub account: ExportedAccount,
    /// The account's settings (connection policy, default cadence).
    pub settings: Settings,
    /// Every contact, archived ones included, by name.
    pub contacts: Vec<ExportedContact>,
    /// Every interaction, oldest first.
    pub interactions: Vec<ExportedInteraction>,
    /// Every event, oldest first.
    pub events: Vec<ExportedEvent>,
    /// Every introduction, oldest first.
    pub introductions: Vec<ExportedIntroduction>,
}

/// Why a document cannot be read as an account export.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportFormatError {
    #[error("this is not a Rapport account export (its format is {0:?})")]
    NotAnExport(String),
    #[error("this export was written in version {0}, newer than this Rapport reads ({EXPORT_VERSION}); update Rapport first")]
    TooNew(u32),
    #[error("version 0 is not a version of the export")]
    NoVersion,
}

impl AccountExport {
    /// A document of the current format and version.
    pub fn new(exported_at: DateTime<Utc>, account: ExportedAccount, settings: Settings) -> Self {
        AccountExport {
            format: EXPORT_FORMAT.to_owned(),
            version: EXPORT_VERSION,
            exported_at,
            account,
            settings,
            contacts: Vec::new(),
            interactions: Vec::new(),
            events: Vec::new(),
            introductions: Vec::new(),
        }
    }

    /// Is this a document this build can read?
    pub fn check_format(&self) -> Result<(), ExportFormatError> {
        if self.format != EXPORT_FORMAT {
            return Err(ExportFormatError::NotAnExport(self.format.clone()));
        }
        match self.version {
            0 => Err(ExportFormatError::NoVersion),
            v if v > EXPORT_VERSION => Err(ExportFormatError::TooNew(v)),
            _ => Ok(()),
        }
    }
}

/// The account the export was taken from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedAccount {
    #[cfg_attr(feature = "openapi", schema(example = "ada@example.com"))]
    pub email: String,
    #[cfg_attr(feature = "openapi", schema(example = "Ada"))]
    pub display_name: String,
    /// The IANA time zone the account's days follow; null: UTC.
    pub time_zone: Option<String>,
}

/// A contact with everything kept about them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedContact {
    /// The contact's id on the exporting instance.
    pub id: Uuid,
    #[cfg_attr(feature = "openapi", schema(example = "Ada Lovelace"))]
    pub name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub company: Option<String>,
    pub title: Option<String>,
    pub location: Option<String>,
    pub urls: Vec<String>,
    pub tags: Vec<String>,
    pub notes: Option<String>,
    /// How we met; `event_id` and `introduced_by` are ids in this document.
    pub how_met: Option<HowMet>,
    /// Keep in touch this often (days); null: the account's default.
    pub cadence_days: Option<u16>,
    pub archived: bool,
    /// The current referral comfort, 1 to 5, or null when unrated.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub comfort: Option<u8>,
    /// Every comfort rating given, oldest first.
    pub comfort_history: Vec<ComfortRating>,
    /// Where the ask-first connection flow stands.
    pub connection_status: ConnectionStatus,
    /// Every step of the connection flow, oldest first.
    pub connection_history: Vec<ConnectionChange>,
    /// The keep-in-touch date is put off until this day; null: not snoozed.
    pub snoozed_until: Option<NaiveDate>,
    /// Derived from the interactions when exported (an importer recomputes it).
    pub derived: ExportedDerived,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What was derived for a contact when the export was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedDerived {
    /// Familiarity, 0 to 100.
    #[cfg_attr(feature = "openapi", schema(maximum = 100))]
    pub familiarity: u8,
    /// The comfort the history supports, 1 to 5.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub suggested_comfort: u8,
    pub last_interaction_on: Option<NaiveDate>,
    /// The keep-in-touch due date; null: none.
    pub next_due_on: Option<NaiveDate>,
}

/// A touchpoint with one or more contacts of this document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedInteraction {
    pub id: Uuid,
    /// Ids of contacts in this document.
    pub contact_ids: Vec<Uuid>,
    pub kind: InteractionKind,
    pub occurred_on: NaiveDate,
    pub depth: Depth,
    pub initiated_by: Initiator,
    pub notes: Option<String>,
    pub follow_up_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An event, with its passphrase and card drop (the owner's own data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedEvent {
    pub id: Uuid,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub place: Option<String>,
    pub notes: Option<String>,
    pub passphrase: Option<String>,
    /// The card drop's public address was `/e/{slug}` on the exporting instance.
    pub slug: String,
    pub card_drop: CardDrop,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Contact A introduced to contact B (ids in this document).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedIntroduction {
    pub id: Uuid,
    pub contact_a: Uuid,
    pub contact_b: Uuid,
    pub reason: String,
    pub status: IntroductionStatus,
    pub outcome: Option<IntroductionOutcome>,
    pub status_changed_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /me/calendar-feed`: the feed's secret address, shown in this
/// answer only (it is stored hashed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarFeed {
    /// Subscribe to this address in a calendar app; anyone who has it can
    /// read the feed, so rotate it if it leaks.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "https://rapport.example.com/calendar/rcf_3q2kVx….ics")
    )]
    pub url: String,
    /// When this address was made (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document() -> AccountExport {
        AccountExport::new(
            "2026-03-12T10:00:00Z".parse().unwrap(),
            ExportedAccount {
                email: "ada@example.com".into(),
                display_name: "Ada".into(),
                time_zone: None,
            },
            Settings::default(),
        )
    }

    #[test]
    fn a_new_document_names_its_format_and_version() {
        let json = serde_json::to_value(document()).unwrap();
        assert_eq!(json["format"], EXPORT_FORMAT);
        assert_eq!(json["version"], EXPORT_VERSION);
        assert!(document().check_format().is_ok());
    }

    #[test]
    fn another_format_or_a_newer_version_is_refused() {
        let mut other = document();
        other.format = "vcard".into();
        assert!(matches!(
            other.check_format(),
            Err(ExportFormatError::NotAnExport(_))
        ));
        let mut newer = document();
        newer.version = EXPORT_VERSION + 1;
        assert_eq!(
            newer.check_format(),
            Err(ExportFormatError::TooNew(EXPORT_VERSION + 1))
        );
    }

    #[test]
    fn the_document_reads_back_as_it_was_written() {
        let mut doc = document();
        doc.contacts.push(ExportedContact {
            id: Uuid::nil(),
            name: "Bob, \"the builder\"; Jr.".into(),
            emails: vec!["bob@example.com".into()],
            phones: vec![],
            company: Some("Acme".into()),
            title: None,
            location: None,
            urls: vec![],
            tags: vec!["rust".into()],
            notes: Some("line one\nline two".into()),
            how_met: None,
            cadence_days: Some(30),
            archived: false,
            comfort: Some(4),
            comfort_history: vec![],
            connection_status: ConnectionStatus::Asked,
            connection_history: vec![],
            snoozed_until: None,
            derived: ExportedDerived {
                familiarity: 12,
                suggested_comfort: 2,
                last_interaction_on: None,
                next_due_on: None,
            },
            created_at: doc.exported_at,
            updated_at: doc.exported_at,
        });
        let text = serde_json::to_string(&doc).unwrap();
        let back: AccountExport = serde_json::from_str(&text).unwrap();
        assert_eq!(back, doc);
    }
}
