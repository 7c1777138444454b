//! Reading files people bring in (no actix, no database): a file's bytes
//! become a [`Plan`] — the people, invitations and conversations it holds,
//! and the rows that could not be read — which [`resolve`] then matches
//! against the owner's network, for the preview and for the commit.
//!
//! - [`text`]: encodings, separators and the header of a spreadsheet;
//! - [`sheets`]: LinkedIn connections, Google, Outlook and any other
//!   spreadsheet, each read by column name, never by position;
//! - [`linkedin`]: LinkedIn's invitations and messages, and its archive;
//! - [`vcard`]: vCard 2.1, 3.0 and 4.0 (the `calcard` crate parses them);
//! - [`resolve`]: new, update, possible duplicate, and what a commit writes.

pub mod linkedin;
pub mod resolve;
pub mod sheets;
pub mod text;
pub mod vcard;

use chrono::NaiveDate;
use rapport_core::contact::{ConnectionStatus, NewContact};
use rapport_core::import::{ImportFormat, ImportRow, RowKind, RowOutcome};
use serde::{Deserialize, Serialize};

/// The largest file accepted (the 64 KiB limit of JSON bodies stays for
/// everything else).
pub const MAX_FILE_BYTES: usize = 50 * 1024 * 1024;

/// A file that cannot be imported at all, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub field: &'static str,
    pub message: String,
}

impl Unreadable {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Unreadable {
            field,
            message: message.into(),
        }
    }
}

/// What was read from a file, before it is matched with anyone.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Plan {
    pub people: Vec<Person>,
    pub invitations: Vec<Invitation>,
    pub conversations: Vec<Conversation>,
    /// Rows that are already `error` or `skipped` when read.
    pub problems: Vec<ImportRow>,
    /// A spreadsheet of no known kind, kept to apply another mapping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<text::Table>,
    /// A Rapport export: what it brings besides its contacts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<Box<rapport_core::export::AccountExport>>,
}

/// Where a row comes from: the file inside an archive, and the line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    pub line: u32,
}

impl Origin {
    /// A row report for this origin.
    pub fn row(&self, kind: RowKind, outcome: RowOutcome) -> ImportRow {
        ImportRow {
            file: self.file.clone(),
            line: self.line,
            kind,
            outcome,
            name: None,
            contact_id: None,
            candidate_name: None,
            field: None,
            reason: None,
        }
    }

    /// A row that cannot be read: the field at fault and why.
    pub fn error(&self, kind: RowKind, field: &str, reason: impl Into<String>) -> ImportRow {
        ImportRow {
            field: Some(field.to_owned()),
            reason: Some(reason.into()),
            ..self.row(kind, RowOutcome::Error)
        }
    }

    /// A row with nothing to import, and why.
    pub fn skipped(&self, kind: RowKind, reason: impl Into<String>) -> ImportRow {
        ImportRow {
            reason: Some(reason.into()),
            ..self.row(kind, RowOutcome::Skipped)
        }
    }
}

/// A person read from a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub origin: Origin,
    /// Normalised and valid.
    pub contact: NewContact,
    /// Where the file says the connection stands, and since which day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<(ConnectionStatus, NaiveDate)>,
    /// Company and title from this file replace mine (a LinkedIn export
    /// says where people work now); otherwise they only fill gaps.
    #[serde(default)]
    pub current_job: bool,
    /// The contact's id in a Rapport export.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<uuid::Uuid>,
}

/// Who sent a LinkedIn invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Incoming,
    Outgoing,
}

/// A LinkedIn invitation, to or from someone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invitation {
    pub origin: Origin,
    pub direction: Direction,
    /// The other person.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_url: Option<String>,
    pub sent_on: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Someone in a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_url: Option<String>,
}

/// One conversation's messages of one day: one interaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    pub origin: Origin,
    /// The conversation's id in the export.
    pub id: String,
    pub day: NaiveDate,
    /// Everyone in it but me.
    pub others: Vec<Participant>,
    /// I wrote the day's first message.
    pub i_started: bool,
    /// Both sides wrote that day.
    pub both_wrote: bool,
    /// The messages' text, kept only if the commit asks for it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contents: Vec<String>,
}

/// What was detected, and the plan read from the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub format: ImportFormat,
    pub encoding: String,
    pub separator: Option<&'static str>,
    pub detected: String,
    pub columns: Vec<String>,
    pub mapping: std::collections::BTreeMap<String, String>,
    pub plan: Plan,
}

/// How far a reader has got through its text: shared with whoever reports
/// it while it runs (see [`rapport_core::import::ImportProgress`]).
#[derive(Debug, Clone, Default)]
pub struct Progress {
    processed: std::sync::Arc<std::sync::atomic::AtomicU64>,
    total: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Where this part starts (a file inside an archive).
    base: u64,
}

impl Progress {
    pub fn set_total(&self, total: u64) {
        self.total
            .store(total, std::sync::atomic::Ordering::Relaxed);
    }

    /// This part has got to `offset`.
    pub fn at(&self, offset: u64) {
        self.processed
            .store(self.base + offset, std::sync::atomic::Ordering::Relaxed);
    }

    /// The same progress, for a part that starts at `base`.
    pub fn from(&self, base: u64) -> Progress {
        Progress {
            base,
            ..self.clone()
        }
    }

    /// The counter a writer moves on.
    pub fn counter(&self) -> std::sync::Arc<std::sync::atomic::AtomicU64> {
        self.processed.clone()
    }

    pub fn report(
        &self,
        unit: rapport_core::import::ProgressUnit,
    ) -> rapport_core::import::ImportProgress {
        let total = self.total.load(std::sync::atomic::Ordering::Relaxed);
        rapport_core::import::ImportProgress {
            processed: self
                .processed
                .load(std::sync::atomic::Ordering::Relaxed)
                .min(total),
            total,
            unit,
        }
    }
}

/// What a file is, from its name and its first bytes.
pub fn parse(
    filename: Option<&str>,
    bytes: &[u8],
    imported_on: NaiveDate,
) -> Result<Parsed, Unreadable> {
    parse_with(filename, bytes, imported_on, &Progress::default())
}

/// [`parse`], reporting how far it has got.
pub fn parse_with(
    filename: Option<&str>,
    bytes: &[u8],
    imported_on: NaiveDate,
    progress: &Progress,
) -> Result<Parsed, Unreadable> {
    if bytes.is_empty() {
        return Err(Unreadable::new("file", "The file is empty."));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Unreadable::new(
            "file",
            format!(
                "The file is larger than {} MB.",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        ));
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return linkedin::parse_archive(bytes, imported_on, progress);
    }
    let decoded = text::decode(bytes)?;
    progress.set_total(decoded.text.len() as u64);
    let start = decoded.text.trim_start_matches('\u{feff}').trim_start();
    let begins = |word: &str| {
        start
            .as_bytes()
            .get(..word.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(word.as_bytes()))
    };
    if begins("BEGIN:VCARD") {
        return vcard::parse(&decoded, imported_on, progress);
    }
    if begins("BEGIN:VCALENDAR") {
        return Err(Unreadable::new(
            "file",
            "This is a calendar (iCalendar), not contacts: export your contacts as vCard or CSV.",
        ));
    }
    if start.starts_with('{') {
        let parsed = rapport_json(&decoded);
        progress.at(decoded.text.len() as u64);
        return parsed;
    }
    let _ = filename;
    sheets::parse(&decoded, imported_on, progress)
}

/// Rapport's own full export (`GET /api/v1/export`): its contacts are
/// previewed like any file's; the rest (histories, interactions, events,
/// introductions, settings) is restored with them.
fn rapport_json(decoded: &text::Decoded) -> Result<Parsed, Unreadable> {
    let not_an_export = |e: serde_json::Error| {
        Unreadable::new("file", format!("This JSON is not a Rapport export: {e}."))
    };
    // Read as request bodies are: no NUL character anywhere.
    let mut value: serde_json::Value =
        serde_json::from_str(&decoded.text).map_err(not_an_export)?;
    if !crate::extract::tidy_json(&mut value) {
        return Err(Unreadable::new(
            "file",
            "This JSON holds the NUL character, which no text in Rapport may hold.",
        ));
    }
    let doc: rapport_core::export::AccountExport =
        serde_json::from_value(value).map_err(not_an_export)?;
    doc.check_format()
        .map_err(|e| Unreadable::new("file", format!("This JSON cannot be imported: {e}.")))?;
    check_restored(&doc)?;
    let mut plan = Plan::default();
    for (index, exported) in doc.contacts.iter().enumerate() {
        let origin = Origin {
            file: None,
            line: index as u32 + 1,
        };
        let mut how_met = exported.how_met.clone();
        if let Some(how) = how_met.as_mut() {
            // Restored once the contact it names exists.
            how.introduced_by = None;
        }
        let contact = NewContact {
            name: exported.name.clone(),
            emails: exported.emails.clone(),
            phones: exported.phones.clone(),
            company: exported.company.clone(),
            title: exported.title.clone(),
            location: exported.location.clone(),
            urls: exported.urls.clone(),
            tags: exported.tags.clone(),
            notes: exported.notes.clone(),
            how_met,
            cadence_days: exported.cadence_days,
            archived: exported.archived,
        };
        match checked(contact) {
            Ok(contact) => plan.people.push(Person {
                origin,
                contact,
                connection: None,
                current_job: false,
                source_id: Some(exported.id),
            }),
            Err((field, reason)) => {
                plan.problems
                    .push(origin.error(RowKind::Contact, &field, reason))
            }
        }
    }
    let detected = format!(
        "Rapport export (version {}) of {}: {} contacts, {} interactions, {} events, {} introductions",
        doc.version,
        doc.account.email,
        doc.contacts.len(),
        doc.interactions.len(),
        doc.events.len(),
        doc.introductions.len()
    );
    plan.account = Some(Box::new(doc));
    Ok(Parsed {
        format: ImportFormat::RapportJson,
        encoding: decoded.encoding.to_owned(),
        separator: None,
        detected,
        columns: Vec::new(),
        mapping: std::collections::BTreeMap::new(),
        plan,
    })
}

/// What a Rapport export restores besides its contacts (which are rows of
/// the preview) obeys the rules the API keeps for the same things; the
/// first part that does not makes the file unreadable, naming it.
fn check_restored(doc: &rapport_core::export::AccountExport) -> Result<(), Unreadable> {
    use rapport_core::network::{ComfortRequest, ConnectionRequest};
    use rapport_core::Validate;
    let refuse = |what: String, why: String| {
        Err(Unreadable::new(
            "file",
            format!("This export cannot be imported: {what} {why}."),
        ))
    };
    let first_error = |errors: rapport_core::FieldErrors| {
        errors
            .into_vec()
            .into_iter()
            .next()
            .map_or_else(String::new, |e| format!("{} {}", e.field, e.message))
    };
    for contact in &doc.contacts {
        // The comfort and connection steps, as the API takes them.
        let comforts = std::iter::once(ComfortRequest {
            rating: contact.comfort,
            reason: None,
        })
        .chain(contact.comfort_history.iter().map(|entry| ComfortRequest {
            rating: entry.rating,
            reason: entry.reason.clone(),
        }))
        .map(|request| request.validate());
        let connections = contact.connection_history.iter().map(|step| {
            ConnectionRequest {
                status: step.to_status,
                note: step.note.clone(),
            }
            .validate()
        });
        if let Some(Err(errors)) = comforts.chain(connections).find(Result::is_err) {
            return refuse(format!("contact {:?}:", contact.name), first_error(errors));
        }
    }
    for interaction in &doc.interactions {
        if let Err(errors) = interaction_of(interaction, interaction.contact_ids.clone()).validate()
        {
            return refuse(
                format!("interaction {}:", interaction.id),
                first_error(errors),
            );
        }
    }
    for event in &doc.events {
        if let Err(errors) = event_of(event).validate() {
            return refuse(format!("event {:?}:", event.name), first_error(errors));
        }
    }
    for intro in &doc.introductions {
        let data = rapport_core::introduction::NewIntroduction {
            contact_a: intro.contact_a,
            contact_b: intro.contact_b,
            reason: intro.reason.clone(),
            confirm_low_comfort: true,
        };
        if let Err(errors) = data.validate() {
            return refuse(format!("introduction {}:", intro.id), first_error(errors));
        }
    }
    if let Err(errors) = doc.settings.validate() {
        return refuse("the settings:".into(), first_error(errors));
    }
    Ok(())
}

/// An exported interaction, with `contact_ids` for it.
pub fn interaction_of(
    exported: &rapport_core::export::ExportedInteraction,
    contact_ids: Vec<uuid::Uuid>,
) -> rapport_core::network::NewInteraction {
    rapport_core::network::NewInteraction {
        contact_ids,
        kind: exported.kind,
        occurred_on: exported.occurred_on,
        depth: exported.depth,
        initiated_by: exported.initiated_by,
        notes: exported.notes.clone(),
        follow_up_on: exported.follow_up_on,
    }
}

/// An exported event, to be created again.
pub fn event_of(exported: &rapport_core::export::ExportedEvent) -> rapport_core::event::NewEvent {
    rapport_core::event::NewEvent {
        name: exported.name.clone(),
        starts_on: exported.starts_on,
        ends_on: exported.ends_on,
        place: exported.place.clone(),
        notes: exported.notes.clone(),
        passphrase: exported.passphrase.clone(),
        card_drop: exported.card_drop.clone(),
    }
}

/// The tag that marks what one import brought in, e.g. "linkedin import
/// 2026-11-28".
pub fn source_tag(format: ImportFormat, on: NaiveDate) -> String {
    let source = match format {
        ImportFormat::LinkedinConnections
        | ImportFormat::LinkedinInvitations
        | ImportFormat::LinkedinMessages
        | ImportFormat::LinkedinArchive => "linkedin",
        ImportFormat::GoogleCsv => "google",
        ImportFormat::OutlookCsv => "outlook",
        ImportFormat::Vcard => "vcard",
        ImportFormat::GenericCsv => "csv",
        ImportFormat::RapportJson => "rapport",
    };
    format!("{source} import {on}")
}

/// A contact read from a row, normalised and checked; the error names the
/// field at fault.
pub fn checked(contact: NewContact) -> Result<NewContact, (String, String)> {
    use rapport_core::Validate;
    let contact = contact.normalize();
    match contact.validate() {
        Ok(()) => Ok(contact),
        Err(errors) => {
            let first = errors.into_vec().into_iter().next();
            Err(first.map_or_else(
                || ("name".to_owned(), "cannot be read".to_owned()),
                |e| (e.field, e.message),
            ))
        }
    }
}

/// The readers never panic and never hang, whatever the bytes: random
/// bytes, and text shaped like each format with random damage.
#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;

    fn day() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    /// Lines a file of each kind is made of, to be shuffled and damaged.
    const PIECES: &[&str] = &[
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n",
        "Ada,Lovelace,https://www.linkedin.com/in/ada,,Engines,CEO,08 Feb 2026\n",
        "\"quoted, cell\",\"line\nbreak\",,,\n",
        "Notes:\n",
        "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\n",
        "A,B,\"1/29/26, 2:37 PM\",hi,INCOMING,https://linkedin.com/in/a,\n",
        "CONVERSATION ID,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,CONTENT\n",
        "c1,Ada,https://linkedin.com/in/ada,Me,https://linkedin.com/in/me,2025-03-04 17:22:10 UTC,x\n",
        "First Name;Last Name;E-mail Address;Company;Job Title\r\n",
        "E-mail 1 - Value\tOrganization Name\tLabels\n",
        "BEGIN:VCARD\n",
        "VERSION:2.1\n",
        "FN;ENCODING=QUOTED-PRINTABLE:J=C3=BC=\n",
        "N:Lovelace;Ada;;;\n",
        "item1.URL:https://example.org\n",
        "X-SOCIALPROFILE;type=linkedin:https://www.linkedin.com/in/x\n",
        "PHOTO;ENCODING=b:AAAA\n",
        " folded continuation\n",
        "END:VCARD\n",
        "{\"format\": \"rapport-account-export\", \"version\": 1}",
        "\u{feff}",
        "\"",
        ";;;;;;;;\n",
        "\n\n\n",
    ];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = super::parse(None, &bytes, day());
        }

        #[test]
        fn shaped_text_with_damage_never_panics(
            pieces in proptest::collection::vec(0..PIECES.len(), 1..40),
            cut in any::<proptest::sample::Index>(),
            noise in proptest::collection::vec(any::<char>(), 0..8),
        ) {
            let mut text: String = pieces.iter().map(|&i| PIECES[i]).collect();
            let at = cut.index(text.len() + 1);
            let at = (0..=at).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
            text.insert_str(at, &noise.into_iter().collect::<String>());
            if let Ok(parsed) = super::parse(None, text.as_bytes(), day()) {
                // Every person read is valid, as the commit requires.
                for person in &parsed.plan.people {
                    prop_assert!(rapport_core::Validate::validate(&person.contact).is_ok());
                }
            }
        }

        #[test]
        fn damaged_archives_never_panic(
            cut in 22usize..1200,
            flip in any::<proptest::sample::Index>(),
        ) {
            let archive = std::fs::read(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../tests/corpus/imports/linkedin-archive.zip"
            ))
            .unwrap();
            let mut bytes = archive[..cut.min(archive.len())].to_vec();
            let at = flip.index(bytes.len());
            bytes[at] ^= 0x5a;
            let _ = super::parse(None, &bytes, day());
        }
    }
}
