//! Taking my data out: the full JSON export of an account, my contacts as
//! CSV and as vCard 4.0, and the iCalendar feed of my follow-ups,
//! keep-in-touch dates and events. Shared by the HTTP handlers and the
//! `rapport export` command; every read is set-based (see
//! [`rapport_storage::ExportStore`]).
//!
//! Writing is left to well-kept crates: `csv` (quoting), `calcard` (vCard
//! escaping and folding at 75 octets, CRLF) and `icalendar` (the same for
//! RFC 5545).

use std::collections::HashMap;

use calcard::vcard::{VCard, VCardEntry, VCardParameter, VCardProperty, VCardValue, VCardVersion};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use icalendar::{Calendar, Component, Event, EventLike};
use rapport_core::export::{
    AccountExport, ExportedAccount, ExportedContact, ExportedDerived, ExportedEvent,
    ExportedInteraction, ExportedIntroduction,
};
use rapport_core::network::Interaction;
use rapport_storage::{
    EventQuery, EventRecord, ExportedContactRecord, IntroductionQuery, Store, StoreError,
    UserRecord,
};
use uuid::Uuid;

/// What the export cannot do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A writer failed (it writes to memory, so this is a bug).
    #[error("cannot write the export: {0}")]
    Write(String),
}

/// The formats of `rapport export --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The full account as JSON (`GET /api/v1/export`).
    Json,
    /// Contacts as CSV (`GET /api/v1/export/contacts.csv`).
    Csv,
    /// Contacts as vCard 4.0 (`GET /api/v1/export/contacts.vcf`).
    Vcf,
}

/// One export in `format`, as bytes.
pub async fn render(
    store: &dyn Store,
    user: &UserRecord,
    format: Format,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, Error> {
    Ok(match format {
        Format::Json => {
            let document = account(store, user, now).await?;
            serde_json::to_vec_pretty(&document).map_err(|e| Error::Write(e.to_string()))?
        }
        Format::Csv => contacts_csv(store, user.id).await?,
        Format::Vcf => contacts_vcard(store, user.id).await?.into_bytes(),
    })
}

/// A file name for an export taken on `day`: `rapport-contacts-2026-03-12.csv`.
pub fn file_name(format: Format, day: NaiveDate) -> String {
    match format {
        Format::Json => format!("rapport-export-{day}.json"),
        Format::Csv => format!("rapport-contacts-{day}.csv"),
        Format::Vcf => format!("rapport-contacts-{day}.vcf"),
    }
}

/// Every event and introduction of the owner, in one page each.
async fn all_events(store: &dyn Store, owner: Uuid) -> Result<Vec<EventRecord>, StoreError> {
    store
        .list_events(
            owner,
            &EventQuery {
                limit: u32::MAX,
                ..EventQuery::default()
            },
        )
        .await
}

/// The full JSON export of `user`'s account.
pub async fn account(
    store: &dyn Store,
    user: &UserRecord,
    now: DateTime<Utc>,
) -> Result<AccountExport, Error> {
    let owner = user.id;
    let introductions_query = IntroductionQuery {
        limit: u32::MAX,
        ..IntroductionQuery::default()
    };
    let (settings, contacts, comfort, connections, interactions, events, introductions) = tokio::try_join!(
        store.settings(owner),
        store.export_contacts(owner),
        store.export_comfort_history(owner),
        store.export_connection_history(owner),
        store.export_interactions(owner),
        all_events(store, owner),
        store.list_introductions(owner, &introductions_query),
    )?;
    let mut document = AccountExport::new(
        now,
        ExportedAccount {
            email: user.email.clone(),
            display_name: user.display_name.clone(),
            time_zone: user.time_zone.clone(),
        },
        settings,
    );
    let mut comfort_of: HashMap<Uuid, Vec<_>> = HashMap::new();
    for (contact, rating) in comfort {
        comfort_of.entry(contact).or_default().push(rating);
    }
    let mut steps_of: HashMap<Uuid, Vec<_>> = HashMap::new();
    for (contact, step) in connections {
        steps_of.entry(contact).or_default().push(step);
    }
    document.contacts = contacts
        .into_iter()
        .map(
            |ExportedContactRecord {
                 record,
                 snoozed_until,
             }| {
                let data = record.data;
                ExportedContact {
                    id: record.id,
                    name: data.name,
                    emails: data.emails,
                    phones: data.phones,
                    company: data.company,
                    title: data.title,
                    location: data.location,
                    urls: data.urls,
                    tags: data.tags,
                    notes: data.notes,
                    how_met: data.how_met,
                    cadence_days: data.cadence_days,
                    archived: data.archived,
                    comfort: record.comfort,
                    comfort_history: comfort_of.remove(&record.id).unwrap_or_default(),
                    connection_status: record.connection_status,
                    connection_history: steps_of.remove(&record.id).unwrap_or_default(),
                    snoozed_until,
                    derived: ExportedDerived {
                        familiarity: record.familiarity,
                        suggested_comfort: record.suggested_comfort,
                        last_interaction_on: record.last_interaction_on,
                        next_due_on: record.next_due_on,
                    },
                    created_at: record.created_at,
                    updated_at: record.updated_at,
                }
            },
        )
        .collect();
    document.interactions = interactions
        .into_iter()
        .map(|i| ExportedInteraction {
            id: i.id,
            contact_ids: i.contact_ids,
            kind: i.kind,
            occurred_on: i.occurred_on,
            depth: i.depth,
            initiated_by: i.initiated_by,
            notes: i.notes,
            follow_up_on: i.follow_up_on,
            created_at: i.created_at,
            updated_at: i.updated_at,
        })
        .collect();
    let mut events: Vec<ExportedEvent> = events
        .into_iter()
        .map(|e| ExportedEvent {
            id: e.id,
            name: e.data.name,
            starts_on: e.data.starts_on,
            ends_on: e.data.ends_on,
            place: e.data.place,
            notes: e.data.notes,
            passphrase: e.data.passphrase,
            slug: e.slug,
            card_drop: e.data.card_drop,
            created_at: e.created_at,
            updated_at: e.updated_at,
        })
        .collect();
    events.sort_by_key(|e| (e.starts_on, e.id));
    document.events = events;
    let mut introductions: Vec<ExportedIntroduction> = introductions
        .into_iter()
        .map(|i| ExportedIntroduction {
            id: i.id,
            contact_a: i.contact_a.id,
            contact_b: i.contact_b.id,
            reason: i.reason,
            status: i.status,
            outcome: i.outcome,
            status_changed_at: i.status_changed_at,
            created_at: i.created_at,
            updated_at: i.updated_at,
        })
        .collect();
    introductions.sort_by_key(|i| (i.created_at, i.id));
    document.introductions = introductions;
    Ok(document)
}

/// The columns of the contacts CSV, in order. They are part of the API:
/// new columns are added at the end, none is renamed or removed.
///
/// `id`; `name`; `emails`, `phones`, `urls` and `tags` (several values
/// joined by [`CSV_LIST_SEPARATOR`]); `company`; `title`; `location`;
/// `notes` (line breaks kept, inside quotes); `comfort` (1–5, empty when
/// unrated); `familiarity` (0–100); `suggested_comfort` (1–5);
/// `connection_status` (`not_connected`, `asked`, …); `met_on`
/// (`YYYY-MM-DD`); `met_event` (the event's name); `met_place`;
/// `met_context`; `introduced_by` (the introducer's name); `cadence_days`;
/// `last_interaction_on`; `next_due_on`; `archived` (`true`/`false`);
/// `created_at` and `updated_at` (RFC 3339, UTC).
pub const CSV_COLUMNS: [&str; 25] = [
    "id",
    "name",
    "emails",
    "phones",
    "company",
    "title",
    "location",
    "urls",
    "tags",
    "notes",
    "comfort",
    "familiarity",
    "suggested_comfort",
    "connection_status",
    "met_on",
    "met_event",
    "met_place",
    "met_context",
    "introduced_by",
    "cadence_days",
    "last_interaction_on",
    "next_due_on",
    "archived",
    "created_at",
    "updated_at",
];

/// Joins the values of a multi-valued CSV cell (as Google Contacts does).
pub const CSV_LIST_SEPARATOR: &str = " ::: ";

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab or
/// carriage return first) gets a leading single quote, as OWASP advises
/// against CSV injection; every other cell is written as it is.
pub fn neutralise_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// My contacts as CSV, one row per contact (archived ones included), with
/// the header of [`CSV_COLUMNS`].
pub async fn contacts_csv(store: &dyn Store, owner: Uuid) -> Result<Vec<u8>, Error> {
    let (contacts, events) =
        tokio::try_join!(store.export_contacts(owner), all_events(store, owner))?;
    let event_names: HashMap<Uuid, &str> = events
        .iter()
        .map(|e| (e.id, e.data.name.as_str()))
        .collect();
    let contact_names: HashMap<Uuid, &str> = contacts
        .iter()
        .map(|c| (c.record.id, c.record.data.name.as_str()))
        .collect();
    let mut writer = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Error::Write(e.to_string());
    writer.write_record(CSV_COLUMNS).map_err(fail)?;
    let text = |value: Option<&str>| value.unwrap_or_default().to_owned();
    let shown = |value: Option<String>| value.unwrap_or_default();
    for ExportedContactRecord { record, .. } in &contacts {
        let data = &record.data;
        let how_met = data.how_met.clone().unwrap_or_default();
        let row: [String; CSV_COLUMNS.len()] = [
            record.id.to_string(),
            data.name.clone(),
            data.emails.join(CSV_LIST_SEPARATOR),
            data.phones.join(CSV_LIST_SEPARATOR),
            text(data.company.as_deref()),
            text(data.title.as_deref()),
            text(data.location.as_deref()),
            data.urls.join(CSV_LIST_SEPARATOR),
            data.tags.join(CSV_LIST_SEPARATOR),
            text(data.notes.as_deref()),
            shown(record.comfort.map(|c| c.to_string())),
            record.familiarity.to_string(),
            record.suggested_comfort.to_string(),
            record.connection_status.as_str().to_owned(),
            shown(how_met.met_on.map(|d| d.to_string())),
            text(
                how_met
                    .event_id
                    .and_then(|id| event_names.get(&id).copied()),
            ),
            text(how_met.place.as_deref()),
            text(how_met.context.as_deref()),
            text(
                how_met
                    .introduced_by
                    .and_then(|id| contact_names.get(&id).copied()),
            ),
            shown(data.cadence_days.map(|d| d.to_string())),
            shown(record.last_interaction_on.map(|d| d.to_string())),
            shown(record.next_due_on.map(|d| d.to_string())),
            data.archived.to_string(),
            record.created_at.to_rfc3339(),
            record.updated_at.to_rfc3339(),
        ];
        writer
            .write_record(row.iter().map(|cell| neutralise_formula(cell).into_owned()))
            .map_err(fail)?;
    }
    writer.into_inner().map_err(|e| Error::Write(e.to_string()))
}

/// The `N` of a vCard from a one-line name: the last word is the family
/// name, the words before it the given names ("Ada King Lovelace" →
/// family `Lovelace`, given `Ada King`); a single word is a given name.
fn structured_name(name: &str) -> [String; 5] {
    let name = name.trim();
    let (given, family) = match name.rsplit_once(char::is_whitespace) {
        Some((given, family)) => (given.trim().to_owned(), family.to_owned()),
        None => (name.to_owned(), String::new()),
    };
    [family, given, String::new(), String::new(), String::new()]
}

fn is_linkedin(url: &str) -> bool {
    rapport_storage::network::normalize_url(url).starts_with("linkedin.com/")
}

/// One contact as a vCard 4.0.
fn vcard_of(contact: &ExportedContactRecord) -> VCard {
    let record = &contact.record;
    let data = &record.data;
    let mut entries = vec![
        VCardEntry::new(VCardProperty::Uid).with_value(format!("urn:uuid:{}", record.id)),
        VCardEntry::new(VCardProperty::Fn).with_value(data.name.clone()),
        VCardEntry::new(VCardProperty::N).with_values(
            structured_name(&data.name)
                .into_iter()
                .map(VCardValue::Text)
                .collect(),
        ),
    ];
    entries.extend(
        data.emails
            .iter()
            .map(|email| VCardEntry::new(VCardProperty::Email).with_value(email.clone())),
    );
    entries.extend(
        data.phones
            .iter()
            .map(|phone| VCardEntry::new(VCardProperty::Tel).with_value(phone.clone())),
    );
    if let Some(company) = &data.company {
        entries.push(VCardEntry::new(VCardProperty::Org).with_value(company.clone()));
    }
    if let Some(title) = &data.title {
        entries.push(VCardEntry::new(VCardProperty::Title).with_value(title.clone()));
    }
    if let Some(location) = &data.location {
        // Free text such as "Portland, OR": the locality of an address,
        // and its label for programs that show addresses whole.
        let components = ["", "", "", location.as_str(), "", "", ""];
        entries.push(
            VCardEntry::new(VCardProperty::Adr)
                .with_param(VCardParameter::label(location.clone()))
                .with_values(
                    components
                        .into_iter()
                        .map(|c| VCardValue::Text(c.to_owned()))
                        .collect(),
                ),
        );
    }
    for url in &data.urls {
        entries.push(VCardEntry::new(VCardProperty::Url).with_value(url.clone()));
        if is_linkedin(url) {
            entries.push(
                VCardEntry::new(VCardProperty::Other("X-SOCIALPROFILE".into()))
                    .with_param(VCardParameter::typ("linkedin".to_owned()))
                    .with_value(url.clone()),
            );
        }
    }
    if let Some(notes) = &data.notes {
        entries.push(VCardEntry::new(VCardProperty::Note).with_value(notes.clone()));
    }
    if !data.tags.is_empty() {
        entries.push(
            VCardEntry::new(VCardProperty::Categories)
                .with_values(data.tags.iter().cloned().map(VCardValue::Text).collect()),
        );
    }
    if let Some(comfort) = record.comfort {
        entries.push(
            VCardEntry::new(VCardProperty::Other("X-RAPPORT-COMFORT".into()))
                .with_value(comfort.to_string()),
        );
    }
    entries.push(
        VCardEntry::new(VCardProperty::Other("X-RAPPORT-FAMILIARITY".into()))
            .with_value(record.familiarity.to_string()),
    );
    entries.push(
        VCardEntry::new(VCardProperty::Other("X-RAPPORT-CONNECTION-STATUS".into()))
            .with_value(record.connection_status.as_str().to_owned()),
    );
    entries.push(
        VCardEntry::new(VCardProperty::Rev)
            .with_value(record.updated_at.format("%Y%m%dT%H%M%SZ").to_string()),
    );
    VCard { entries }
}

/// My contacts as vCard 4.0, one card per contact (archived ones
/// included): `FN`, `N`, `EMAIL`, `TEL`, `ORG`, `TITLE`, `ADR` (the
/// location), `URL` (and `X-SOCIALPROFILE;TYPE=linkedin` for LinkedIn),
/// `NOTE`, `CATEGORIES` (the tags), `UID` (`urn:uuid:` and the contact's
/// id), `REV`, and `X-RAPPORT-COMFORT` (1–5, left out when unrated),
/// `X-RAPPORT-FAMILIARITY` (0–100) and `X-RAPPORT-CONNECTION-STATUS`.
pub async fn contacts_vcard(store: &dyn Store, owner: Uuid) -> Result<String, Error> {
    let contacts = store.export_contacts(owner).await?;
    let mut out = String::new();
    for contact in &contacts {
        vcard_of(contact)
            .write_to(&mut out, VCardVersion::V4_0)
            .map_err(|e| Error::Write(e.to_string()))?;
    }
    Ok(out)
}

/// The name calendar apps show for the feed.
pub const CALENDAR_NAME: &str = "Rapport";

/// Names of the contacts of an interaction, in the order of its ids.
fn names_of(interaction: &Interaction, names: &HashMap<Uuid, &str>) -> String {
    interaction
        .contact_ids
        .iter()
        .filter_map(|id| names.get(id).copied())
        .collect::<Vec<_>>()
        .join(", ")
}

/// An all-day event from `first` to `last` inclusive (`DTEND` is the day
/// after, as RFC 5545 counts it). Its `DTSTAMP` is when the object behind
/// it last changed, so the feed is the same until something does.
fn all_day(
    uid: String,
    summary: &str,
    first: NaiveDate,
    last: NaiveDate,
    changed: DateTime<Utc>,
) -> Event {
    Event::new()
        .uid(&uid)
        .summary(summary)
        .starts(first)
        .ends(last + Duration::days(1))
        .timestamp(changed)
        .done()
}

/// The iCalendar (RFC 5545) feed of `owner`: a follow-up for each
/// interaction with a follow-up date (`UID` `follow-up-<interaction id>`),
/// a keep-in-touch day for each contact that is due (`keep-in-touch-<contact
/// id>`, which moves with the due date) and each event
/// (`event-<event id>`), all day long, all ending in `@rapport`. Notes and
/// passphrases stay out: the feed's address is a secret that calendar apps
/// keep and share less carefully than a password.
pub async fn calendar(store: &dyn Store, owner: Uuid) -> Result<String, Error> {
    let (contacts, follow_ups, events) = tokio::try_join!(
        store.export_contacts(owner),
        store.follow_ups(owner),
        all_events(store, owner),
    )?;
    let names: HashMap<Uuid, &str> = contacts
        .iter()
        .map(|c| (c.record.id, c.record.data.name.as_str()))
        .collect();
    let mut calendar = Calendar::empty();
    calendar
        .append_property(("VERSION", "2.0"))
        .append_property(("PRODID", "-//Rapport//Rapport calendar feed//EN"))
        .append_property(("CALSCALE", "GREGORIAN"))
        .name(CALENDAR_NAME)
        .description("Follow-ups, keep-in-touch dates and events from Rapport");
    for interaction in &follow_ups {
        let Some(day) = interaction.follow_up_on else {
            continue;
        };
        let who = names_of(interaction, &names);
        let mut event = all_day(
            format!("follow-up-{}@rapport", interaction.id),
            &format!("Follow up with {who}"),
            day,
            day,
            interaction.updated_at,
        );
        event.description(&format!(
            "After the {} on {}.",
            interaction.kind.as_str().replace('_', " "),
            interaction.occurred_on
        ));
        calendar.push(event);
    }
    for ExportedContactRecord { record, .. } in &contacts {
        let Some(day) = record.next_due_on.filter(|_| !record.data.archived) else {
            continue;
        };
        calendar.push(all_day(
            format!("keep-in-touch-{}@rapport", record.id),
            &format!("Keep in touch with {}", record.data.name),
            day,
            day,
            record.updated_at,
        ));
    }
    for event in &events {
        let data = &event.data;
        let mut entry = all_day(
            format!("event-{}@rapport", event.id),
            &data.name,
            data.starts_on,
            data.ends_on.unwrap_or(data.starts_on).max(data.starts_on),
            event.updated_at,
        );
        if let Some(place) = &data.place {
            entry.location(place);
        }
        calendar.push(entry);
    }
    Ok(calendar.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_run_get_a_quote() {
        for cell in ["=1+1", "+44 20 7946 0958", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise_formula(cell), format!("'{cell}"));
        }
        for cell in ["Ada", "", "1+1", "a=b", " =x"] {
            assert_eq!(neutralise_formula(cell), cell);
        }
    }

    #[test]
    fn the_last_word_of_a_name_is_the_family_name() {
        assert_eq!(
            structured_name("Ada King Lovelace")[..2],
            ["Lovelace", "Ada King"]
        );
        assert_eq!(structured_name("Cher")[..2], ["", "Cher"]);
    }

    #[test]
    fn linkedin_addresses_are_recognised_whatever_their_host_spelling() {
        assert!(is_linkedin("https://www.LinkedIn.com/in/ada/"));
        assert!(is_linkedin("http://linkedin.com/in/ada"));
        assert!(!is_linkedin("https://example.com/linkedin.com/"));
    }

    #[test]
    fn a_feed_event_lasts_whole_days_and_ends_the_day_after() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 12).unwrap();
        let changed = "2026-03-01T09:30:00Z".parse().unwrap();
        let text = all_day("x@rapport".into(), "Lunch", day, day, changed).to_string();
        assert!(text.contains("DTSTART;VALUE=DATE:20260312\r\n"), "{text}");
        assert!(text.contains("DTEND;VALUE=DATE:20260313\r\n"), "{text}");
        assert!(text.contains("DTSTAMP:20260301T093000Z\r\n"), "{text}");
    }
}
