//! Spreadsheets of people: LinkedIn's `Connections.csv`, Google Contacts
//! (current and older header), Outlook (Outlook.com and desktop) and any
//! other spreadsheet with a column mapping. Each is read by column *name*:
//! a header is turned into a [`Role`] per column, and one function makes a
//! contact of a row whatever the source.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rapport_core::contact::{ConnectionStatus, HowMet, NewContact};
use rapport_core::import::{ImportFormat, RowKind};

use super::text::{Decoded, Table};
use super::{checked, source_tag, Origin, Parsed, Person, Plan, Unreadable};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Name,
    FirstName,
    MiddleName,
    LastName,
    Email,
    Phone,
    Company,
    Title,
    Location,
    Url,
    /// Several values in one cell (Google's ` ::: `, Outlook's `;`).
    Tags,
    Notes,
    /// LinkedIn's `Connected On`.
    ConnectedOn,
}

impl Role {
    /// The field name a mapping uses.
    pub fn field(self) -> &'static str {
        match self {
            Role::Name => "name",
            Role::FirstName => "first_name",
            Role::MiddleName => "middle_name",
            Role::LastName => "last_name",
            Role::Email => "email",
            Role::Phone => "phone",
            Role::Company => "company",
            Role::Title => "title",
            Role::Location => "location",
            Role::Url => "url",
            Role::Tags => "tags",
            Role::Notes => "notes",
            Role::ConnectedOn => "connected_on",
        }
    }

    pub fn of_field(field: &str) -> Option<Role> {
        rapport_core::import::MAPPABLE_FIELDS
            .iter()
            .chain(&["middle_name", "connected_on"])
            .find(|f| **f == field)
            .and_then(|_| {
                [
                    Role::Name,
                    Role::FirstName,
                    Role::MiddleName,
                    Role::LastName,
                    Role::Email,
                    Role::Phone,
                    Role::Company,
                    Role::Title,
                    Role::Location,
                    Role::Url,
                    Role::Tags,
                    Role::Notes,
                    Role::ConnectedOn,
                ]
                .into_iter()
                .find(|r| r.field() == field)
            })
    }
}

/// The columns of each known export, lower-case.
const LINKEDIN: &[(&str, Role)] = &[
    ("first name", Role::FirstName),
    ("last name", Role::LastName),
    ("url", Role::Url),
    ("email address", Role::Email),
    ("company", Role::Company),
    ("position", Role::Title),
    ("connected on", Role::ConnectedOn),
];

/// Google Contacts: the current header and the older one.
fn google_role(header: &str) -> Option<Role> {
    let h = header.as_str_lower();
    Some(match h.as_str() {
        "first name" | "given name" => Role::FirstName,
        "middle name" | "additional name" => Role::MiddleName,
        "last name" | "family name" => Role::LastName,
        "name" => Role::Name,
        "organization name" | "organization 1 - name" => Role::Company,
        "organization title" | "organization 1 - title" => Role::Title,
        "notes" => Role::Notes,
        "labels" | "group membership" => Role::Tags,
        _ if h.starts_with("e-mail ") && h.ends_with(" - value") => Role::Email,
        _ if h.starts_with("phone ") && h.ends_with(" - value") => Role::Phone,
        _ if h.starts_with("website ") && h.ends_with(" - value") => Role::Url,
        _ if h.starts_with("address 1 - ") && h.ends_with("city") => Role::Location,
        _ => return None,
    })
}

/// Outlook.com and desktop Outlook.
fn outlook_role(header: &str) -> Option<Role> {
    let h = header.as_str_lower();
    Some(match h.as_str() {
        "first name" => Role::FirstName,
        "middle name" => Role::MiddleName,
        "last name" => Role::LastName,
        "company" => Role::Company,
        "job title" => Role::Title,
        "notes" => Role::Notes,
        "categories" => Role::Tags,
        "web page" | "personal web page" => Role::Url,
        "business city" => Role::Location,
        "e-mail address" | "e-mail 2 address" | "e-mail 3 address" => Role::Email,
        "mobile phone" | "business phone" | "home phone" | "primary phone" | "other phone" => {
            Role::Phone
        }
        _ => return None,
    })
}

/// A guess for a spreadsheet of no known kind.
fn generic_role(header: &str) -> Option<Role> {
    let h = header.as_str_lower().replace(['_', '-'], " ");
    Some(match h.trim() {
        "name" | "full name" | "display name" | "contact" | "contact name" | "person" => Role::Name,
        "first name" | "firstname" | "given name" | "first" | "forename" => Role::FirstName,
        "last name" | "lastname" | "surname" | "family name" | "last" => Role::LastName,
        "email" | "emails" | "e mail" | "email address" | "e mail address" | "mail" => Role::Email,
        "phone" | "phones" | "mobile" | "telephone" | "phone number" | "cell" | "tel" => {
            Role::Phone
        }
        "company" | "organization" | "organisation" | "employer" | "org" => Role::Company,
        "title" | "job title" | "position" | "role" | "job" => Role::Title,
        "location" | "city" | "place" => Role::Location,
        "url" | "urls" | "website" | "web" | "linkedin" | "linkedin url" | "profile"
        | "profile url" => Role::Url,
        "tags" | "labels" | "categories" | "groups" | "tag" => Role::Tags,
        "notes" | "note" | "comments" | "comment" => Role::Notes,
        _ => return None,
    })
}

trait Lower {
    fn as_str_lower(&self) -> String;
}

impl Lower for str {
    fn as_str_lower(&self) -> String {
        self.trim().to_lowercase()
    }
}

/// Every column name of a known export, for finding the header.
pub fn known_column(cell: &str) -> bool {
    let lower = cell.as_str_lower();
    LINKEDIN.iter().any(|(name, _)| *name == lower)
        || google_role(cell).is_some()
        || outlook_role(cell).is_some()
        || generic_role(cell).is_some()
        || super::linkedin::known_column(&lower)
}

/// Which export a header is.
pub fn detect(table: &Table) -> ImportFormat {
    let has = |name: &str| table.column(&[name]).is_some();
    if has("Connected On") && has("First Name") && has("Last Name") {
        ImportFormat::LinkedinConnections
    } else if has("Sent At") && has("Direction") && has("From") && has("To") {
        ImportFormat::LinkedinInvitations
    } else if has("CONVERSATION ID") && has("FROM") && has("DATE") {
        ImportFormat::LinkedinMessages
    } else if has("E-mail 1 - Value")
        || has("Organization Name")
        || has("Organization 1 - Name")
        || has("Group Membership")
        || (has("Labels") && has("First Name"))
    {
        ImportFormat::GoogleCsv
    } else if has("E-mail Address") && (has("Job Title") || has("Company")) {
        ImportFormat::OutlookCsv
    } else {
        ImportFormat::GenericCsv
    }
}

/// Reads a spreadsheet of any kind.
pub fn parse(
    decoded: &Decoded,
    imported_on: NaiveDate,
    progress: &super::Progress,
) -> Result<Parsed, Unreadable> {
    let table = super::text::read_table_with(&decoded.text, &known_column, progress)?;
    let format = detect(&table);
    let detected = format!(
        "{}, {}, {}-separated, header on line {}",
        format.label(),
        decoded.encoding,
        table.separator_name(),
        table.header_line
    );
    let mut parsed = match format {
        ImportFormat::LinkedinInvitations | ImportFormat::LinkedinMessages => {
            let mut plan = Plan::default();
            let separator = table.separator_name();
            super::linkedin::read(format, table, None, &mut plan)?;
            parsed_of(format, separator, plan, BTreeMap::new())
        }
        _ => {
            let mapping = guess_mapping(format, &table);
            let plan = people(format, &table, &mapping, None, imported_on);
            let mut parsed = parsed_of(format, table.separator_name(), plan, mapping);
            if format == ImportFormat::GenericCsv {
                parsed.columns = table.headers.clone();
                parsed.plan.sheet = Some(table);
            }
            parsed
        }
    };
    parsed.encoding = decoded.encoding.to_owned();
    parsed.detected = detected;
    Ok(parsed)
}

fn parsed_of(
    format: ImportFormat,
    separator: &'static str,
    plan: Plan,
    mapping: BTreeMap<String, String>,
) -> Parsed {
    Parsed {
        format,
        encoding: String::new(),
        separator: Some(separator),
        detected: String::new(),
        columns: Vec::new(),
        mapping,
        plan,
    }
}

/// The mapping from column to field that a format implies (or that is
/// guessed for a spreadsheet of no known kind).
pub fn guess_mapping(format: ImportFormat, table: &Table) -> BTreeMap<String, String> {
    let role = |header: &str| match format {
        ImportFormat::LinkedinConnections => {
            let lower = header.as_str_lower();
            LINKEDIN
                .iter()
                .find(|(name, _)| *name == lower)
                .map(|(_, role)| *role)
        }
        ImportFormat::GoogleCsv => google_role(header),
        ImportFormat::OutlookCsv => outlook_role(header),
        _ => generic_role(header),
    };
    table
        .headers
        .iter()
        .filter_map(|h| role(h).map(|r| (h.clone(), r.field().to_owned())))
        .collect()
}

/// The people of a spreadsheet under a mapping (column → field).
pub fn people(
    format: ImportFormat,
    table: &Table,
    mapping: &BTreeMap<String, String>,
    file: Option<&str>,
    imported_on: NaiveDate,
) -> Plan {
    let roles: Vec<Option<Role>> = table
        .headers
        .iter()
        .map(|h| mapping.get(h).and_then(|f| Role::of_field(f)))
        .collect();
    let mut plan = Plan::default();
    let tag = source_tag(format, imported_on);
    for record in &table.records {
        let origin = Origin {
            file: file.map(str::to_owned),
            line: record.line,
        };
        match person(format, &roles, &record.cells, &tag) {
            Ok(Some((contact, connected_on))) => match checked(contact) {
                Ok(contact) => plan.people.push(Person {
                    origin,
                    contact,
                    connection: connected_on.map(|day| (ConnectionStatus::Connected, day)),
                    current_job: format == ImportFormat::LinkedinConnections,
                    source_id: None,
                }),
                Err((field, reason)) => {
                    plan.problems
                        .push(origin.error(RowKind::Contact, &field, reason))
                }
            },
            Ok(None) => plan.problems.push(origin.skipped(
                RowKind::Contact,
                if roles.contains(&Some(Role::Name))
                    || roles.contains(&Some(Role::FirstName))
                    || roles.contains(&Some(Role::LastName))
                {
                    "no name in this row"
                } else {
                    "no column is mapped to the name: choose a mapping"
                },
            )),
            Err((field, reason)) => {
                plan.problems
                    .push(origin.error(RowKind::Contact, &field, reason))
            }
        }
    }
    plan
}

type RowError = (String, String);

/// A contact from one row; `None` when the row names nobody.
fn person(
    format: ImportFormat,
    roles: &[Option<Role>],
    cells: &[String],
    tag: &str,
) -> Result<Option<(NewContact, Option<NaiveDate>)>, RowError> {
    let mut contact = NewContact::default();
    let (mut first, mut middle, mut last, mut full) = (None, None, None, None);
    let mut connected_on = None;
    let mut location = Vec::new();
    for (role, cell) in roles.iter().zip(cells) {
        let Some(role) = role else { continue };
        let value = unquoted(cell.trim());
        if value.is_empty() {
            continue;
        }
        let values = || split_values(value);
        match role {
            Role::Name => full = Some(value.to_owned()),
            Role::FirstName => first = Some(value.to_owned()),
            Role::MiddleName => middle = Some(value.to_owned()),
            Role::LastName => last = Some(value.to_owned()),
            Role::Email => contact.emails.extend(values()),
            Role::Phone => contact.phones.extend(values()),
            Role::Company => contact.company = Some(value.to_owned()),
            Role::Title => contact.title = Some(value.to_owned()),
            Role::Location => location.push(value.to_owned()),
            Role::Url => contact.urls.extend(values().into_iter().map(web_address)),
            Role::Tags => contact.tags.extend(
                values()
                    .into_iter()
                    .flat_map(|v| {
                        v.split([';', ','])
                            .map(|t| t.trim().trim_start_matches("* ").to_owned())
                            .collect::<Vec<_>>()
                    })
                    .filter(|t| !t.is_empty() && !is_system_label(t)),
            ),
            Role::Notes => contact.notes = Some(value.to_owned()),
            Role::ConnectedOn => {
                connected_on = Some(linkedin_day(value).ok_or_else(|| {
                    (
                        "Connected On".to_owned(),
                        format!("{value:?} is not a date like 08 Feb 2026"),
                    )
                })?)
            }
        }
    }
    let name = full.or_else(|| {
        let parts: Vec<String> = [first, middle, last].into_iter().flatten().collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    });
    let Some(name) = name else {
        return Ok(None);
    };
    contact.name = name;
    if !location.is_empty() {
        contact.location = Some(location.join(", "));
    }
    contact.tags.push(tag.to_owned());
    if let Some(day) = connected_on {
        contact.how_met = Some(HowMet {
            met_on: Some(day),
            context: Some("Connected on LinkedIn".to_owned()),
            ..HowMet::default()
        });
    } else if format != ImportFormat::GenericCsv {
        contact.how_met = Some(HowMet {
            context: Some(format!("Imported from {}", format.label())),
            ..HowMet::default()
        });
    }
    Ok(Some((contact, connected_on)))
}

/// A cell that a spreadsheet export guarded against formula injection
/// (`'=1+1`, as Rapport's CSV export writes it) reads as it was.
fn unquoted(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

/// Google joins several values of one cell with ` ::: `.
fn split_values(cell: &str) -> Vec<String> {
    cell.split(":::")
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect()
}

/// Google's own labels, which say nothing about the person.
fn is_system_label(label: &str) -> bool {
    matches!(
        label.to_lowercase().as_str(),
        "mycontacts" | "mycontacts " | "starred" | "other contacts"
    ) || label.eq_ignore_ascii_case("myContacts")
}

/// `www.example.org` → `https://www.example.org`: spreadsheets often leave
/// out the scheme.
pub fn web_address(value: String) -> String {
    let lower = value.to_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || value.contains(' ') {
        value
    } else {
        format!("https://{value}")
    }
}

/// LinkedIn's `Connected On`: `08 Feb 2026` (also `8 Feb 2026`, and ISO
/// days).
pub fn linkedin_day(value: &str) -> Option<NaiveDate> {
    let value = value.trim();
    [
        "%d %b %Y", "%e %b %Y", "%d %B %Y", "%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y",
    ]
    .iter()
    .find_map(|f| NaiveDate::parse_from_str(value, f).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Parsed {
        let decoded = Decoded {
            text: text.into(),
            encoding: "UTF-8",
        };
        parse(
            &decoded,
            NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
            &super::super::Progress::default(),
        )
        .unwrap()
    }

    #[test]
    fn linkedin_connections_with_their_preamble() {
        let parsed = read(
            "Notes:\n\"When exporting your connection data, you may notice that some of the email addresses are missing.\"\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\nAda,Lovelace,https://www.linkedin.com/in/ada-lovelace,,Analytical Engines,Founder,08 Feb 2026\nGrace,Hopper,https://www.linkedin.com/in/ghopper,grace@navy.example,US Navy,\"Rear Admiral, retired\",1 Jan 2020\n",
        );
        assert_eq!(parsed.format, ImportFormat::LinkedinConnections);
        assert_eq!(
            parsed.detected,
            "LinkedIn connections, UTF-8, comma-separated, header on line 4"
        );
        let people = &parsed.plan.people;
        assert_eq!(people.len(), 2);
        assert_eq!(people[0].origin.line, 5);
        assert_eq!(people[0].contact.name, "Ada Lovelace");
        assert_eq!(
            people[0].contact.urls,
            ["https://www.linkedin.com/in/ada-lovelace"]
        );
        assert_eq!(people[0].contact.title.as_deref(), Some("Founder"));
        let day = NaiveDate::from_ymd_opt(2026, 2, 8).unwrap();
        assert_eq!(
            people[0].connection,
            Some((ConnectionStatus::Connected, day))
        );
        let how = people[0].contact.how_met.as_ref().unwrap();
        assert_eq!(
            (how.met_on, how.context.as_deref()),
            (Some(day), Some("Connected on LinkedIn"))
        );
        assert!(people[0]
            .contact
            .tags
            .contains(&"linkedin import 2026-11-28".to_owned()));
        assert_eq!(people[1].contact.emails, ["grace@navy.example"]);
        assert_eq!(
            people[1].contact.title.as_deref(),
            Some("Rear Admiral, retired")
        );
    }

    #[test]
    fn an_older_linkedin_export_without_url_or_preamble() {
        let parsed = read("First Name,Last Name,Email Address,Company,Position,Connected On\r\nAda,Lovelace,,Engines,CEO,08 Feb 2016\r\n");
        assert_eq!(parsed.format, ImportFormat::LinkedinConnections);
        assert_eq!(
            parsed.plan.people[0].contact.company.as_deref(),
            Some("Engines")
        );
    }

    #[test]
    fn a_bad_date_is_an_error_row_naming_the_column() {
        let parsed = read(
            "First Name,Last Name,Company,Position,Connected On\nAda,Lovelace,E,CEO,yesterday\n",
        );
        let problem = &parsed.plan.problems[0];
        assert_eq!(problem.line, 2);
        assert_eq!(problem.field.as_deref(), Some("Connected On"));
    }

    #[test]
    fn google_contacts_current_header() {
        let parsed = read("First Name,Middle Name,Last Name,Phonetic First Name,Organization Name,Organization Title,Organization Department,Labels,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,Phone 1 - Value,Website 1 - Label,Website 1 - Value\nAda,,Lovelace,,Engines,CEO,,* myContacts ::: Mentors ::: London,* Work,ada@engines.example ::: ada@home.example,,,Mobile,+44 20 7946 0000,Profile,linkedin.com/in/ada\n");
        assert_eq!(parsed.format, ImportFormat::GoogleCsv);
        let c = &parsed.plan.people[0].contact;
        assert_eq!(c.name, "Ada Lovelace");
        assert_eq!(c.emails, ["ada@engines.example", "ada@home.example"]);
        assert_eq!(c.phones, ["+44 20 7946 0000"]);
        assert_eq!(c.urls, ["https://linkedin.com/in/ada"]);
        assert_eq!(c.tags, ["Mentors", "London", "google import 2026-11-28"]);
    }

    #[test]
    fn google_contacts_older_header() {
        let parsed = read("Name,Given Name,Additional Name,Family Name,Group Membership,E-mail 1 - Type,E-mail 1 - Value,Organization 1 - Name,Organization 1 - Title\nAda Lovelace,Ada,,Lovelace,* My Contacts ::: Friends,* Work,ada@engines.example,Engines,CEO\n");
        assert_eq!(parsed.format, ImportFormat::GoogleCsv);
        let c = &parsed.plan.people[0].contact;
        assert_eq!(c.name, "Ada Lovelace");
        assert_eq!(c.company.as_deref(), Some("Engines"));
        assert!(c.tags.contains(&"Friends".to_owned()));
    }

    #[test]
    fn outlook_both_headers() {
        let web = read("First Name,Middle Name,Last Name,Title,Suffix,Nickname,E-mail Address,E-mail 2 Address,Mobile Phone,Job Title,Department,Company,Notes\nAda,,Lovelace,,,,ada@engines.example,ada@home.example,+44 1,CEO,,Engines,\"met at the\nRoyal Society\"\n");
        assert_eq!(web.format, ImportFormat::OutlookCsv);
        let c = &web.plan.people[0].contact;
        assert_eq!(c.emails.len(), 2);
        assert_eq!(c.notes.as_deref(), Some("met at the\nRoyal Society"));
        let desktop = read("\"Title\",\"First Name\",\"Middle Name\",\"Last Name\",\"Suffix\",\"Company\",\"Department\",\"Job Title\",\"Categories\",\"E-mail Address\",\"E-mail Type\"\r\n\"\",\"Grace\",\"\",\"Hopper\",\"\",\"Navy\",\"\",\"Admiral\",\"Mentors;Navy\",\"grace@navy.example\",\"SMTP\"\r\n");
        assert_eq!(desktop.format, ImportFormat::OutlookCsv);
        let c = &desktop.plan.people[0].contact;
        assert_eq!(c.tags, ["Mentors", "Navy", "outlook import 2026-11-28"]);
    }

    #[test]
    fn a_generic_sheet_is_guessed_and_kept_for_another_mapping() {
        let parsed = read(
            "Full name;E-mail;Employer;Whatever\nAda Lovelace;ada@engines.example;Engines;x\n",
        );
        assert_eq!(parsed.format, ImportFormat::GenericCsv);
        assert_eq!(
            parsed.mapping.get("Full name").map(String::as_str),
            Some("name")
        );
        assert_eq!(
            parsed.mapping.get("E-mail").map(String::as_str),
            Some("email")
        );
        assert_eq!(
            parsed.columns,
            ["Full name", "E-mail", "Employer", "Whatever"]
        );
        assert!(parsed.plan.sheet.is_some());
        assert_eq!(
            parsed.plan.people[0].contact.company.as_deref(),
            Some("Engines")
        );
    }

    #[test]
    fn a_sheet_with_no_known_column_asks_for_a_mapping() {
        let parsed = read("a,b\n1,2\n");
        assert_eq!(parsed.plan.people.len(), 0);
        assert_eq!(
            parsed.plan.problems[0].reason.as_deref(),
            Some("no column is mapped to the name: choose a mapping")
        );
    }
}
