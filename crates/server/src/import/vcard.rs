//! vCard 2.1, 3.0 and 4.0 as Apple Contacts, Google and Android write them
//! (folded lines, quoted-printable, `itemN.` groups, `X-SOCIALPROFILE`,
//! `CATEGORIES`; photos are left out). The `calcard` crate parses them.

use std::collections::BTreeMap;

use calcard::vcard::{VCard, VCardEntry, VCardParameterName, VCardProperty, VCardValue};
use calcard::{Entry, Parser};
use chrono::NaiveDate;
use rapport_core::contact::{HowMet, NewContact};
use rapport_core::import::{ImportFormat, RowKind};

use super::text::Decoded;
use super::{checked, source_tag, Origin, Parsed, Person, Plan, Unreadable};

/// The most cards one file may hold.
const MAX_CARDS: usize = super::text::MAX_RECORDS;

pub fn parse(
    decoded: &Decoded,
    imported_on: NaiveDate,
    progress: &super::Progress,
) -> Result<Parsed, Unreadable> {
    // The line each card starts on, for the report (calcard does not say),
    // and whether an END:VCARD closes it before the next card: calcard
    // forgives a missing END, but a card cut short may have lost fields.
    let mut starts: Vec<u32> = Vec::new();
    let mut offsets: Vec<u64> = Vec::new();
    let mut closed: Vec<bool> = Vec::new();
    let mut offset = 0u64;
    for (index, raw) in decoded.text.split_inclusive('\n').enumerate() {
        let line = raw.trim_start_matches('\u{feff}').trim();
        offset += raw.len() as u64;
        if line.eq_ignore_ascii_case("BEGIN:VCARD") {
            starts.push(index as u32 + 1);
            offsets.push(offset);
            closed.push(false);
        } else if line.eq_ignore_ascii_case("END:VCARD") {
            if let Some(last) = closed.last_mut() {
                *last = true;
            }
        }
    }
    let tag = source_tag(ImportFormat::Vcard, imported_on);
    let mut plan = Plan::default();
    let mut parser = Parser::new(&decoded.text);
    let mut card = 0usize;
    loop {
        if let Some(at) = offsets.get(card) {
            progress.at(*at);
        }
        let origin = Origin {
            file: None,
            line: starts.get(card).copied().unwrap_or(0),
        };
        match parser.entry() {
            Entry::Eof => break,
            Entry::VCard(_) if !closed.get(card).copied().unwrap_or(true) => {
                card += 1;
                plan.problems.push(origin.error(
                    RowKind::Contact,
                    "END",
                    "the card has no END:VCARD: the file may be cut short",
                ));
            }
            Entry::VCard(vcard) => {
                card += 1;
                if card > MAX_CARDS {
                    return Err(Unreadable::new(
                        "file",
                        format!("The file holds more than {MAX_CARDS} cards: split it and import each part."),
                    ));
                }
                match contact_of(&vcard, &tag) {
                    None => plan
                        .problems
                        .push(origin.skipped(RowKind::Contact, "a card with no name")),
                    Some(contact) => match checked(contact) {
                        Ok(contact) => plan.people.push(Person {
                            origin,
                            contact,
                            connection: None,
                            current_job: false,
                            source_id: None,
                        }),
                        Err((field, reason)) => {
                            plan.problems
                                .push(origin.error(RowKind::Contact, &field, reason))
                        }
                    },
                }
            }
            Entry::UnterminatedComponent(_) => {
                card += 1;
                plan.problems.push(origin.error(
                    RowKind::Contact,
                    "END",
                    "the card has no END:VCARD: the file may be cut short",
                ));
                break;
            }
            Entry::ICalendar(_) => {
                return Err(Unreadable::new(
                    "file",
                    "This is a calendar (iCalendar), not contacts.",
                ))
            }
            // Lines outside any card, and other oddities, carry no person.
            _ => {}
        }
    }
    if card == 0 {
        return Err(Unreadable::new("file", "The file holds no vCard."));
    }
    progress.at(decoded.text.len() as u64);
    let version = "vCard";
    Ok(Parsed {
        format: ImportFormat::Vcard,
        detected: format!("{version}, {card} cards, {}", decoded.encoding),
        encoding: decoded.encoding.to_owned(),
        separator: None,
        columns: Vec::new(),
        mapping: BTreeMap::new(),
        plan,
    })
}

fn texts(entry: &VCardEntry) -> Vec<String> {
    entry
        .values
        .iter()
        .map(|v| match v {
            VCardValue::Component(parts) => parts.join(", "),
            other => other.as_text().unwrap_or_default().to_owned(),
        })
        .collect()
}

fn first_text(entry: &VCardEntry) -> Option<String> {
    texts(entry)
        .into_iter()
        .map(|t| t.trim().to_owned())
        .find(|t| !t.is_empty())
}

fn is_linkedin(entry: &VCardEntry) -> bool {
    entry.params.iter().any(|p| {
        matches!(p.name, VCardParameterName::Type)
            && p.value
                .as_text()
                .is_some_and(|t| t.eq_ignore_ascii_case("linkedin"))
    })
}

/// A contact of one card; `None` when it names nobody.
fn contact_of(card: &VCard, tag: &str) -> Option<NewContact> {
    let mut contact = NewContact::default();
    let mut structured_name = None;
    for entry in &card.entries {
        match &entry.name {
            VCardProperty::Fn if contact.name.is_empty() => {
                contact.name = first_text(entry).unwrap_or_default();
            }
            VCardProperty::N => {
                let parts = texts(entry);
                let get = |i: usize| parts.get(i).map(|s| s.trim()).filter(|s| !s.is_empty());
                let name: Vec<&str> = [get(3), get(1), get(2), get(0), get(4)]
                    .into_iter()
                    .flatten()
                    .collect();
                if !name.is_empty() {
                    structured_name = Some(name.join(" "));
                }
            }
            VCardProperty::Email => contact.emails.extend(first_text(entry)),
            VCardProperty::Tel => contact
                .phones
                .extend(first_text(entry).map(|t| t.trim_start_matches("tel:").to_owned())),
            VCardProperty::Org => {
                let parts = texts(entry);
                contact.company = parts
                    .first()
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty());
            }
            VCardProperty::Title => contact.title = first_text(entry),
            VCardProperty::Adr => {
                let parts = texts(entry);
                let place: Vec<&str> = [3, 4, 6]
                    .iter()
                    .filter_map(|i| parts.get(*i).map(|s| s.trim()).filter(|s| !s.is_empty()))
                    .collect();
                if contact.location.is_none() && !place.is_empty() {
                    contact.location = Some(place.join(", "));
                }
            }
            VCardProperty::Url => contact.urls.extend(first_text(entry)),
            VCardProperty::Categories => contact.tags.extend(
                texts(entry)
                    .iter()
                    .flat_map(|t| {
                        t.split(',')
                            .map(|s| s.trim().to_owned())
                            .collect::<Vec<_>>()
                    })
                    .filter(|t| !t.is_empty()),
            ),
            VCardProperty::Note => {
                contact.notes = first_text(entry).map(|n| match contact.notes.take() {
                    Some(before) => format!("{before}\n{n}"),
                    None => n,
                })
            }
            VCardProperty::Other(name) if name.eq_ignore_ascii_case("X-SOCIALPROFILE") => {
                if let Some(url) = first_text(entry) {
                    if is_linkedin(entry) || url.to_lowercase().contains("linkedin.com/") {
                        contact.urls.push(url);
                    }
                }
            }
            _ => {}
        }
    }
    if contact.name.trim().is_empty() {
        contact.name = structured_name?;
    }
    contact.urls = contact
        .urls
        .into_iter()
        .map(super::sheets::web_address)
        .collect();
    contact.tags.push(tag.to_owned());
    contact.how_met = Some(HowMet {
        context: Some("Imported from a vCard".to_owned()),
        ..HowMet::default()
    });
    Some(contact)
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
    fn apple_contacts_card_with_groups_and_social_profile() {
        let parsed = read("BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS 17.0//EN\r\nN:Lovelace;Ada;;Lady;\r\nFN:Ada Lovelace\r\nORG:Analytical Engines;Research\r\nTITLE:Founder\r\nEMAIL;type=INTERNET;type=WORK;type=pref:ada@engines.example\r\nTEL;type=CELL;type=VOICE;type=pref:+44 20 7946 0000\r\nitem1.URL;type=pref:https://engines.example\r\nitem1.X-ABLabel:_$!<HomePage>!$_\r\nX-SOCIALPROFILE;type=linkedin:https://www.linkedin.com/in/ada\r\nitem2.ADR;type=WORK:;;12 St James's Sq;London;;SW1Y 4JH;United Kingdom\r\nCATEGORIES:Mentors,London\r\nNOTE:Met at the Royal Society\\, 1843.\\nLoves numbers.\r\nPHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/\r\n  2wBDAQkJCQwLDBgNDRgyIRwhMjIyMjIyMjIy\r\nEND:VCARD\r\n");
        let c = &parsed.plan.people[0].contact;
        assert_eq!(c.name, "Ada Lovelace");
        assert_eq!(c.company.as_deref(), Some("Analytical Engines"));
        assert_eq!(c.emails, ["ada@engines.example"]);
        assert_eq!(c.phones, ["+44 20 7946 0000"]);
        assert_eq!(
            c.urls,
            ["https://engines.example", "https://www.linkedin.com/in/ada"]
        );
        assert_eq!(c.location.as_deref(), Some("London, United Kingdom"));
        assert_eq!(c.tags, ["Mentors", "London", "vcard import 2026-11-28"]);
        assert_eq!(
            c.notes.as_deref(),
            Some("Met at the Royal Society, 1843.\nLoves numbers.")
        );
    }

    #[test]
    fn vcard_21_quoted_printable_and_folding() {
        let parsed = read("BEGIN:VCARD\nVERSION:2.1\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen;;;\nFN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen M=C3=BCller\nTEL;CELL:+49 30 1234567\nEND:VCARD\nBEGIN:VCARD\nVERSION:4.0\nFN:Grace\n  Hopper\nEMAIL:grace@navy.example\nEND:VCARD\n");
        let people = &parsed.plan.people;
        assert_eq!(people[0].contact.name, "Jürgen Müller");
        assert_eq!(people[0].origin.line, 1);
        assert_eq!(people[1].contact.name, "Grace Hopper");
        assert_eq!(people[1].origin.line, 7);
    }

    #[test]
    fn a_card_without_end_is_an_error_row() {
        let parsed = read(
            "BEGIN:VCARD\nVERSION:3.0\nFN:Ada\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nFN:Cut short\n",
        );
        assert_eq!(parsed.plan.people.len(), 1);
        assert_eq!(parsed.plan.problems[0].line, 5);
        assert_eq!(parsed.plan.problems[0].field.as_deref(), Some("END"));
    }
}
