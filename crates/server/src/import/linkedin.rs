//! LinkedIn's "Get a copy of your data" export: `Invitations.csv` (the
//! connection history), `messages.csv` (conversations, which become
//! interactions so that familiarity reflects real history from the first
//! day) and the whole archive (`.zip`) with `Connections.csv`.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use chrono::{NaiveDate, NaiveDateTime};
use rapport_core::import::{ImportFormat, RowKind};

use super::text::Table;
use super::{Conversation, Direction, Invitation, Origin, Parsed, Participant, Plan, Unreadable};

/// Column names of invitations and messages, lower-case.
pub fn known_column(lower: &str) -> bool {
    matches!(
        lower,
        "from"
            | "to"
            | "sent at"
            | "message"
            | "direction"
            | "inviterprofileurl"
            | "inviteeprofileurl"
            | "conversation id"
            | "conversation title"
            | "sender profile url"
            | "recipient profile urls"
            | "date"
            | "subject"
            | "content"
            | "folder"
    )
}

/// Reads invitations or messages into the plan.
pub fn read(
    format: ImportFormat,
    table: Table,
    file: Option<&str>,
    plan: &mut Plan,
) -> Result<(), Unreadable> {
    match format {
        ImportFormat::LinkedinInvitations => invitations(&table, file, plan),
        ImportFormat::LinkedinMessages => messages(table, file, plan),
        _ => {}
    }
    Ok(())
}

fn cell<'t>(table: &Table, cells: &'t [String], names: &[&str]) -> Option<&'t str> {
    table
        .column(names)
        .and_then(|i| cells.get(i))
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
}

/// `1/29/26, 2:37 PM` (and a few other ways LinkedIn has written it).
pub fn sent_at(value: &str) -> Option<NaiveDate> {
    let value = value.trim();
    [
        "%m/%d/%y, %I:%M %p",
        "%m/%d/%Y, %I:%M %p",
        "%m/%d/%y, %H:%M",
        "%Y-%m-%d %H:%M:%S UTC",
        "%Y-%m-%d %H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(value, f).ok())
    .map(|t| t.date())
    .or_else(|| super::sheets::linkedin_day(value))
}

fn invitations(table: &Table, file: Option<&str>, plan: &mut Plan) {
    for record in &table.records {
        let origin = Origin {
            file: file.map(str::to_owned),
            line: record.line,
        };
        let cells = &record.cells;
        let direction = match cell(table, cells, &["Direction"]).map(str::to_uppercase) {
            Some(d) if d == "INCOMING" => Direction::Incoming,
            Some(d) if d == "OUTGOING" => Direction::Outgoing,
            other => {
                plan.problems.push(origin.error(
                    RowKind::Invitation,
                    "Direction",
                    format!(
                        "must be INCOMING or OUTGOING, not {:?}",
                        other.unwrap_or_default()
                    ),
                ));
                continue;
            }
        };
        let (name_column, url_column) = match direction {
            Direction::Incoming => ("From", "inviterProfileUrl"),
            Direction::Outgoing => ("To", "inviteeProfileUrl"),
        };
        let Some(name) = cell(table, cells, &[name_column]) else {
            plan.problems
                .push(origin.error(RowKind::Invitation, name_column, "names nobody"));
            continue;
        };
        let Some(sent_on) = cell(table, cells, &["Sent At"]).and_then(sent_at) else {
            plan.problems.push(origin.error(
                RowKind::Invitation,
                "Sent At",
                "must be a time like 1/29/26, 2:37 PM",
            ));
            continue;
        };
        plan.invitations.push(Invitation {
            origin,
            direction,
            name: name.to_owned(),
            profile_url: cell(table, cells, &[url_column])
                .map(|u| super::sheets::web_address(u.to_owned())),
            sent_on,
            message: cell(table, cells, &["Message"]).map(str::to_owned),
        });
    }
}

/// One message, as read.
struct Message {
    line: u32,
    conversation: String,
    from: Participant,
    to: Vec<Participant>,
    day: NaiveDate,
    at: NaiveDateTime,
    content: Option<String>,
}

/// A cell taken out of its row (the rows are not needed again), trimmed;
/// `None` when empty.
fn take(cells: &mut [String], column: Option<usize>) -> Option<String> {
    let cell = std::mem::take(cells.get_mut(column?)?);
    match cell.trim() {
        "" => None,
        trimmed if trimmed.len() == cell.len() => Some(cell),
        trimmed => Some(trimmed.to_owned()),
    }
}

/// Takes the table: a cell's text moves into what is read instead of being
/// copied, and each row is freed once read (an export holds tens of
/// thousands of messages).
fn messages(table: Table, file: Option<&str>, plan: &mut Plan) {
    let column = |name: &str| table.column(&[name]);
    let drafts = [column("IS MESSAGE DRAFT"), column("IS CONVERSATION DRAFT")];
    let (conversation_at, date_at, from_at) =
        (column("CONVERSATION ID"), column("DATE"), column("FROM"));
    let (sender_url_at, to_at, to_urls_at, content_at) = (
        column("SENDER PROFILE URL"),
        column("TO"),
        column("RECIPIENT PROFILE URLS"),
        column("CONTENT"),
    );
    let mut read = Vec::new();
    for record in table.records {
        let origin = Origin {
            file: file.map(str::to_owned),
            line: record.line,
        };
        let mut cells = record.cells;
        let yes = |at: Option<usize>| {
            at.and_then(|i| cells.get(i))
                .map(|v| v.trim())
                .is_some_and(|v| v.eq_ignore_ascii_case("yes") || v.eq_ignore_ascii_case("true"))
        };
        if drafts.into_iter().any(yes) {
            plan.problems
                .push(origin.skipped(RowKind::Message, "a draft, never sent"));
            continue;
        }
        let Some(conversation) = take(&mut cells, conversation_at) else {
            plan.problems
                .push(origin.error(RowKind::Message, "CONVERSATION ID", "is empty"));
            continue;
        };
        let Some(at) = take(&mut cells, date_at).and_then(|d| {
            [
                "%Y-%m-%d %H:%M:%S UTC",
                "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%dT%H:%M:%SZ",
            ]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(&d, f).ok())
        }) else {
            plan.problems.push(origin.error(
                RowKind::Message,
                "DATE",
                "must be a time like 2025-03-04 17:22:10 UTC",
            ));
            continue;
        };
        let Some(from) = take(&mut cells, from_at) else {
            plan.problems
                .push(origin.error(RowKind::Message, "FROM", "names nobody"));
            continue;
        };
        let list = |cell: Option<String>| -> Vec<String> {
            cell.map(|t| {
                t.split(',')
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
        };
        let to_names = list(take(&mut cells, to_at));
        let mut to_urls = list(take(&mut cells, to_urls_at));
        let urls_match = to_names.len() == to_urls.len();
        let to = to_names
            .into_iter()
            .enumerate()
            .map(|(i, name)| Participant {
                name,
                profile_url: urls_match.then(|| std::mem::take(&mut to_urls[i])),
            })
            .collect();
        read.push(Message {
            line: record.line,
            conversation,
            from: Participant {
                name: from,
                profile_url: take(&mut cells, sender_url_at),
            },
            to,
            day: at.date(),
            at,
            content: take(&mut cells, content_at),
        });
    }
    let me = owner_of(&read);
    let mut days: BTreeMap<(String, NaiveDate), Vec<Message>> = BTreeMap::new();
    for message in read {
        days.entry((message.conversation.clone(), message.day))
            .or_default()
            .push(message);
    }
    for ((id, day), mut messages) in days {
        messages.sort_by_key(|m| m.at);
        let is_me = |p: &Participant| identity(p) == me;
        let mut others: Vec<Participant> = Vec::new();
        for p in messages
            .iter()
            .flat_map(|m| std::iter::once(&m.from).chain(&m.to))
        {
            if !is_me(p) && !others.iter().any(|o| identity(o) == identity(p)) {
                others.push(p.clone());
            }
        }
        let first = &messages[0];
        let origin = Origin {
            file: file.map(str::to_owned),
            line: messages.iter().map(|m| m.line).min().unwrap_or(first.line),
        };
        if others.is_empty() {
            plan.problems
                .push(origin.skipped(RowKind::Message, "a conversation with nobody else"));
            continue;
        }
        let i_wrote = messages.iter().any(|m| is_me(&m.from));
        let they_wrote = messages.iter().any(|m| !is_me(&m.from));
        plan.conversations.push(Conversation {
            origin,
            id,
            day,
            others,
            i_started: is_me(&first.from),
            both_wrote: i_wrote && they_wrote,
            contents: messages
                .iter()
                .filter_map(|m| {
                    m.content
                        .as_ref()
                        .map(|c| format!("{}: {}", m.from.name, c))
                })
                .collect(),
        });
    }
}

/// Who someone is across rows: their profile URL, else their name.
fn identity(p: &Participant) -> String {
    match &p.profile_url {
        Some(url) => crate::import::resolve::profile_key(url),
        None => format!("name:{}", p.name.to_lowercase()),
    }
}

/// The export's owner: the one person in the most conversations.
fn owner_of(messages: &[Message]) -> String {
    let mut seen: HashMap<String, std::collections::HashSet<&str>> = HashMap::new();
    for m in messages {
        for p in std::iter::once(&m.from).chain(&m.to) {
            seen.entry(identity(p)).or_default().insert(&m.conversation);
        }
    }
    seen.into_iter()
        .max_by(|a, b| a.1.len().cmp(&b.1.len()).then_with(|| b.0.cmp(&a.0)))
        .map(|(who, _)| who)
        .unwrap_or_default()
}

/// The largest file read out of an archive, and all of them together.
const MAX_ENTRY_BYTES: u64 = 50 * 1024 * 1024;
const MAX_ARCHIVE_BYTES: u64 = 150 * 1024 * 1024;

/// The whole archive: `Connections.csv`, `Invitations.csv` and
/// `messages.csv`, wherever they are in it; everything else is left alone.
pub fn parse_archive(
    bytes: &[u8],
    imported_on: NaiveDate,
    progress: &super::Progress,
) -> Result<Parsed, Unreadable> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| Unreadable::new("file", format!("The .zip archive cannot be read: {e}.")))?;
    let mut wanted: Vec<(usize, String, ImportFormat)> = Vec::new();
    let mut declared = 0u64;
    for index in 0..archive.len() {
        let entry = archive.by_index(index).map_err(|e| {
            Unreadable::new("file", format!("The .zip archive cannot be read: {e}."))
        })?;
        let name = entry
            .name()
            .map_err(|e| Unreadable::new("file", format!("The .zip archive cannot be read: {e}.")))?
            .to_string();
        let base = name.rsplit('/').next().unwrap_or(&name).to_lowercase();
        let format = match base.as_str() {
            "connections.csv" => ImportFormat::LinkedinConnections,
            "invitations.csv" => ImportFormat::LinkedinInvitations,
            "messages.csv" => ImportFormat::LinkedinMessages,
            _ => continue,
        };
        declared = declared.saturating_add(entry.size());
        wanted.push((index, name, format));
    }
    if wanted.is_empty() {
        return Err(Unreadable::new(
            "file",
            "The archive holds none of Connections.csv, Invitations.csv or messages.csv: is it LinkedIn's export?",
        ));
    }
    // Connections first, so that invitations and messages find the people.
    wanted.sort_by_key(|(_, _, format)| *format as u8);
    progress.set_total(declared);
    let mut plan = Plan::default();
    let mut total = 0u64;
    let mut encodings = Vec::new();
    for (index, name, format) in wanted {
        let entry = archive
            .by_index(index)
            .map_err(|e| Unreadable::new("file", format!("{name} cannot be read: {e}.")))?;
        if entry.size() > MAX_ENTRY_BYTES {
            return Err(Unreadable::new(
                "file",
                format!(
                    "{name} is larger than {} MB once unpacked.",
                    MAX_ENTRY_BYTES / (1024 * 1024)
                ),
            ));
        }
        let mut data = Vec::new();
        // Read at most the limit, whatever the archive claims (zip bombs).
        entry
            .take(MAX_ENTRY_BYTES + 1)
            .read_to_end(&mut data)
            .map_err(|e| Unreadable::new("file", format!("{name} cannot be read: {e}.")))?;
        total += data.len() as u64;
        if data.len() as u64 > MAX_ENTRY_BYTES || total > MAX_ARCHIVE_BYTES {
            return Err(Unreadable::new(
                "file",
                format!(
                    "{name} is larger than {} MB once unpacked.",
                    MAX_ENTRY_BYTES / (1024 * 1024)
                ),
            ));
        }
        let decoded = super::text::decode(&data)?;
        let part = progress.from(total - data.len() as u64);
        let table =
            super::text::read_table_with(&decoded.text, &super::sheets::known_column, &part)?;
        encodings.push(decoded.encoding);
        match format {
            ImportFormat::LinkedinConnections => {
                let mapping = super::sheets::guess_mapping(format, &table);
                let people =
                    super::sheets::people(format, &table, &mapping, Some(&name), imported_on);
                plan.people.extend(people.people);
                plan.problems.extend(people.problems);
            }
            _ => read(format, table, Some(&name), &mut plan)?,
        }
    }
    encodings.dedup();
    let encoding = encodings.join(", ");
    Ok(Parsed {
        format: ImportFormat::LinkedinArchive,
        detected: format!(
            "LinkedIn data archive: {} people, {} invitations, {} conversation days; {encoding}",
            plan.people.len(),
            plan.invitations.len(),
            plan.conversations.len()
        ),
        encoding,
        separator: Some("comma"),
        columns: Vec::new(),
        mapping: BTreeMap::new(),
        plan,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> Table {
        super::super::text::read_table(text, &super::super::sheets::known_column).unwrap()
    }

    #[test]
    fn invitations_both_ways() {
        let t = table("From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\nAda Lovelace,Me Myself,\"1/29/26, 2:37 PM\",\"Great talk! The passphrase was blue falcon\",INCOMING,https://www.linkedin.com/in/ada,https://www.linkedin.com/in/me\nMe Myself,Grace Hopper,\"12/3/25, 9:05 AM\",,OUTGOING,https://www.linkedin.com/in/me,https://www.linkedin.com/in/grace\nX,Y,whenever,,INCOMING,,\n");
        let mut plan = Plan::default();
        read(ImportFormat::LinkedinInvitations, t, None, &mut plan).unwrap();
        assert_eq!(plan.invitations.len(), 2);
        let ada = &plan.invitations[0];
        assert_eq!(
            (ada.direction, ada.name.as_str()),
            (Direction::Incoming, "Ada Lovelace")
        );
        assert_eq!(ada.sent_on, NaiveDate::from_ymd_opt(2026, 1, 29).unwrap());
        assert_eq!(
            ada.profile_url.as_deref(),
            Some("https://www.linkedin.com/in/ada")
        );
        assert_eq!(plan.invitations[1].name, "Grace Hopper");
        assert_eq!(plan.problems[0].field.as_deref(), Some("Sent At"));
    }

    #[test]
    fn messages_become_one_interaction_per_conversation_and_day() {
        let t = table("CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER,IS MESSAGE DRAFT\n\
c1,,Ada Lovelace,https://www.linkedin.com/in/ada,Me Myself,https://www.linkedin.com/in/me,2025-03-04 17:22:10 UTC,,Hello!,INBOX,No\n\
c1,,Me Myself,https://www.linkedin.com/in/me,Ada Lovelace,https://www.linkedin.com/in/ada,2025-03-04 18:00:00 UTC,,Hi Ada,INBOX,No\n\
c1,,Me Myself,https://www.linkedin.com/in/me,Ada Lovelace,https://www.linkedin.com/in/ada,2025-03-06 08:00:00 UTC,,Following up,INBOX,No\n\
c2,,Me Myself,https://www.linkedin.com/in/me,Grace Hopper,https://www.linkedin.com/in/grace,2025-04-01 10:00:00 UTC,,draft,INBOX,Yes\n\
c3,,Me Myself,https://www.linkedin.com/in/me,Grace Hopper,https://www.linkedin.com/in/grace,2025-04-02 10:00:00 UTC,,Sent,SENT,No\n");
        let mut plan = Plan::default();
        read(ImportFormat::LinkedinMessages, t, None, &mut plan).unwrap();
        let days: Vec<(&str, NaiveDate, bool, bool)> = plan
            .conversations
            .iter()
            .map(|c| (c.id.as_str(), c.day, c.i_started, c.both_wrote))
            .collect();
        let d = |m, d| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
        assert_eq!(
            days,
            [
                ("c1", d(3, 4), false, true),
                ("c1", d(3, 6), true, false),
                ("c3", d(4, 2), true, false)
            ]
        );
        assert_eq!(plan.conversations[0].others[0].name, "Ada Lovelace");
        assert_eq!(plan.conversations[0].origin.line, 2);
        assert_eq!(
            plan.problems[0].reason.as_deref(),
            Some("a draft, never sent")
        );
    }
}
