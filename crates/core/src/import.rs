//! Imports: bringing a network in from LinkedIn, Google, Outlook, vCard or a
//! spreadsheet. An import is first *previewed* (nothing written: every row
//! says what would happen to it), then *committed* in one transaction, and
//! can be *undone* while nobody has touched what it wrote.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a file was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportFormat {
    /// LinkedIn's `Connections.csv`.
    LinkedinConnections,
    /// LinkedIn's `Invitations.csv`.
    LinkedinInvitations,
    /// LinkedIn's `messages.csv`.
    LinkedinMessages,
    /// LinkedIn's whole "Get a copy of your data" archive (`.zip`).
    LinkedinArchive,
    /// Google Contacts CSV (current or older header).
    GoogleCsv,
    /// Outlook.com or desktop Outlook CSV.
    OutlookCsv,
    /// vCard 2.1, 3.0 or 4.0, one or many cards.
    Vcard,
    /// Any other spreadsheet, read with a column mapping.
    GenericCsv,
    /// Rapport's own full export (`GET /api/v1/export`).
    RapportJson,
}

impl ImportFormat {
    /// How the app names the format.
    pub fn label(self) -> &'static str {
        match self {
            ImportFormat::LinkedinConnections => "LinkedIn connections",
            ImportFormat::LinkedinInvitations => "LinkedIn invitations",
            ImportFormat::LinkedinMessages => "LinkedIn messages",
            ImportFormat::LinkedinArchive => "LinkedIn data archive",
            ImportFormat::GoogleCsv => "Google Contacts CSV",
            ImportFormat::OutlookCsv => "Outlook CSV",
            ImportFormat::Vcard => "vCard",
            ImportFormat::GenericCsv => "spreadsheet (CSV)",
            ImportFormat::RapportJson => "Rapport export",
        }
    }
}

/// Where an import stands: `parsing` (reading the file), `previewed`
/// (nothing written yet), `committing`, `committed`, `undone`, or `failed`
/// (a step run in the background stopped; `error` says why — a failed
/// commit wrote nothing, and the preview can be committed again).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    Parsing,
    Previewed,
    Committing,
    Committed,
    Undone,
    Failed,
}

impl ImportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportStatus::Parsing => "parsing",
            ImportStatus::Previewed => "previewed",
            ImportStatus::Committing => "committing",
            ImportStatus::Committed => "committed",
            ImportStatus::Undone => "undone",
            ImportStatus::Failed => "failed",
        }
    }

    pub fn parse(value: &str) -> Option<ImportStatus> {
        [
            ImportStatus::Parsing,
            ImportStatus::Previewed,
            ImportStatus::Committing,
            ImportStatus::Committed,
            ImportStatus::Undone,
            ImportStatus::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == value)
    }
}

/// What happens (or happened) to one row: `new` (a contact is created),
/// `update` (it matches one of my contacts, which is brought up to date),
/// `possible_duplicate` (it resembles one of my contacts; the commit's
/// `duplicates` option decides), `error` (it cannot be read; the reason
/// names the field), `skipped` (nothing to do, and why).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RowOutcome {
    New,
    Update,
    PossibleDuplicate,
    Error,
    Skipped,
}

impl RowOutcome {
    pub const ALL: [RowOutcome; 5] = [
        RowOutcome::New,
        RowOutcome::Update,
        RowOutcome::PossibleDuplicate,
        RowOutcome::Error,
        RowOutcome::Skipped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RowOutcome::New => "new",
            RowOutcome::Update => "update",
            RowOutcome::PossibleDuplicate => "possible_duplicate",
            RowOutcome::Error => "error",
            RowOutcome::Skipped => "skipped",
        }
    }
}

/// What a row holds: a person, an invitation (connection history) or a
/// conversation's messages of one day (an interaction).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    Contact,
    Invitation,
    Message,
}

/// One row of an import's preview or report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportRow {
    /// The file inside an archive the row comes from, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The row's line in its file (1 = the first line), or the card's
    /// first line in a vCard file.
    pub line: u32,
    pub kind: RowKind,
    pub outcome: RowOutcome,
    /// The person the row is about, as the file names them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The contact it updates (`update`), resembles
    /// (`possible_duplicate`) or created (`new`, once committed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<Uuid>,
    /// The name of that contact, when it is one of mine already.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidate_name: Option<String>,
    /// The column or property at fault (`error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Why: the error, the reason for skipping, the match or the
    /// resemblance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// How many rows have each outcome, and what the import brings besides.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportTotals {
    pub rows: u32,
    pub new: u32,
    pub update: u32,
    pub possible_duplicate: u32,
    pub error: u32,
    pub skipped: u32,
    /// Interactions the import logs (LinkedIn messages; Rapport exports).
    pub interactions: u32,
    /// Connection-history entries it records (LinkedIn invitations and
    /// connections).
    pub connection_changes: u32,
}

impl ImportTotals {
    pub fn count(&mut self, outcome: RowOutcome) {
        self.rows += 1;
        match outcome {
            RowOutcome::New => self.new += 1,
            RowOutcome::Update => self.update += 1,
            RowOutcome::PossibleDuplicate => self.possible_duplicate += 1,
            RowOutcome::Error => self.error += 1,
            RowOutcome::Skipped => self.skipped += 1,
        }
    }
}

/// What a step's progress counts: the file's `bytes` read while parsing,
/// the `rows` written while committing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProgressUnit {
    Bytes,
    Rows,
}

/// How far a step running in the background has got: `processed` of
/// `total` (in `unit`s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportProgress {
    pub processed: u64,
    pub total: u64,
    pub unit: ProgressUnit,
}

/// What the commit did, kept with the import.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportResult {
    /// The contacts it created.
    pub created: Vec<Uuid>,
    /// The contacts it brought up to date (or merged a row into).
    pub updated: Vec<Uuid>,
    /// How many interactions it logged.
    pub interactions: u32,
    /// How many connection-history entries it recorded.
    pub connection_changes: u32,
}

/// An import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Import {
    pub id: Uuid,
    pub status: ImportStatus,
    pub format: ImportFormat,
    /// The file's name as uploaded, when it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// The text encoding that was detected (`UTF-8`, `UTF-8 with BOM`,
    /// `UTF-16LE`, `windows-1252`…).
    pub encoding: String,
    /// The separator of a CSV file (`comma`, `semicolon`, `tab`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub separator: Option<String>,
    /// What was detected, in words, e.g. "LinkedIn connections, UTF-8,
    /// comma-separated, header on line 4".
    pub detected: String,
    /// A spreadsheet's columns, in order (for choosing a mapping).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// A spreadsheet's mapping from column to contact field (`name`,
    /// `first_name`, `last_name`, `email`, `phone`, `company`, `title`,
    /// `location`, `url`, `tags`, `notes`), as guessed or chosen.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub mapping: std::collections::BTreeMap<String, String>,
    pub totals: ImportTotals,
    /// Present while parsing or committing in the background.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<ImportProgress>,
    /// Why a step run in the background failed (`failed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// What the commit did (once committed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<ImportResult>,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committed_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undone_at: Option<DateTime<Utc>>,
}

/// What to do with rows that resemble one of my contacts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DuplicateChoice {
    /// Create a new contact anyway.
    Create,
    /// Bring the resembling contact up to date instead.
    Merge,
    /// Leave the row out (the default).
    #[default]
    Skip,
}

/// Options of `POST /api/v1/imports/{id}/commit`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CommitOptions {
    /// What to do with `possible_duplicate` rows (default `skip`).
    #[serde(default)]
    pub duplicates: DuplicateChoice,
    /// Keep the text of imported messages in the interactions' notes
    /// (default false: only that a conversation happened is kept).
    #[serde(default)]
    pub store_message_contents: bool,
}

/// The contact fields a spreadsheet column can be mapped to.
pub const MAPPABLE_FIELDS: [&str; 11] = [
    "name",
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "title",
    "location",
    "url",
    "tags",
    "notes",
];

/// Body of `PUT /api/v1/imports/{id}/mapping`: column name → field (one of
/// `name`, `first_name`, `last_name`, `email`, `phone`, `company`, `title`,
/// `location`, `url`, `tags`, `notes`); columns left out are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ColumnMapping {
    pub mapping: std::collections::BTreeMap<String, String>,
}

impl crate::Validate for CommitOptions {
    fn validate(&self) -> Result<(), crate::FieldErrors> {
        Ok(())
    }
}

impl crate::Validate for ColumnMapping {
    fn validate(&self) -> Result<(), crate::FieldErrors> {
        let mut errors = crate::FieldErrors::new();
        if self.mapping.len() > 200 {
            errors.add("mapping", "must map at most 200 columns");
        }
        for (column, field) in &self.mapping {
            if !MAPPABLE_FIELDS.contains(&field.as_str()) {
                errors.add(
                    &format!("mapping.{column}"),
                    format!("must be one of: {}", MAPPABLE_FIELDS.join(", ")),
                );
            }
        }
        errors.into_result()
    }
}
