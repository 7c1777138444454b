//! Matching what a file holds with the owner's network. The same function
//! makes the preview and, with the commit's options and the network as it
//! is at that moment, what the commit writes — so the preview shows what
//! will happen.
//!
//! A person *is* one of my contacts when they share an email address or a
//! profile URL (`linkedin.com/in/<slug>` whatever the host, scheme, slash
//! or query), or when an earlier import from the same source created a
//! contact of the same name at the same company (re-importing an export
//! whose people have no email). They *resemble* one when the name is the
//! same, or close at the same company: a possible duplicate, which the
//! commit creates, merges or skips as asked.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use rapport_core::contact::{ConnectionStatus, HowMet, NewContact, LIST_MAX, NOTES_MAX, TAGS_MAX};
use rapport_core::import::{
    CommitOptions, DuplicateChoice, ImportRow, ImportTotals, RowKind, RowOutcome,
};
use rapport_core::interaction::{Depth, Initiator, InteractionKind};
use rapport_core::network::NewInteraction;
use rapport_storage::imports::{
    ImportedContact, ImportedInteraction, ImportedUpdate, KnownContact, RestoreWrite,
    RestoredIntroduction, RestoredState,
};
use uuid::Uuid;

use super::{Direction, Plan};

/// A profile URL or web address as a lookup key (see
/// `rapport_storage::network::normalize_url`).
pub fn profile_key(url: &str) -> String {
    format!("url:{}", rapport_storage::network::normalize_url(url))
}

/// A name compared loosely: lower case, letters and digits only.
pub fn name_key(name: &str) -> String {
    name.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn company_key(company: Option<&str>) -> String {
    company.map(name_key).unwrap_or_default()
}

fn keys_of(data: &NewContact) -> Vec<String> {
    data.emails
        .iter()
        .map(|e| format!("email:{}", e.to_lowercase()))
        .chain(data.urls.iter().map(|u| profile_key(u)))
        .collect()
}

/// An event of mine: an invitation may quote its passphrase, a restored
/// export may name the same event.
#[derive(Debug, Clone)]
pub struct KnownEvent {
    pub id: Uuid,
    pub name: String,
    pub starts_on: NaiveDate,
    pub passphrase: Option<String>,
}

/// The preview's rows and totals, and what a commit writes.
#[derive(Debug, Default)]
pub struct Resolution {
    pub rows: Vec<ImportRow>,
    pub totals: ImportTotals,
    pub create: Vec<ImportedContact>,
    pub update: Vec<ImportedUpdate>,
    pub interactions: Vec<ImportedInteraction>,
    pub restore: RestoreWrite,
}

/// What matching is for: a preview needs each row's outcome and the
/// totals; a commit also what to write. A preview leaves out the
/// interactions to log (50,000 messages' worth is the largest part of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Preview,
    Commit,
}

/// The key of an interaction of a Rapport export, so that importing the
/// export again logs it once.
pub fn exported_interaction_key(id: Uuid) -> String {
    format!("rapport:interaction:{id}")
}

/// A contact the import may write: one of mine (its version and data as
/// read) or a new one.
struct Target<'c> {
    id: Uuid,
    existing: Option<(i64, &'c NewContact)>,
    /// One of mine stays borrowed until a row changes it.
    data: Cow<'c, NewContact>,
    status: ConnectionStatus,
    new_status: Option<(ConnectionStatus, DateTime<Utc>)>,
}

impl Target<'_> {
    fn changed(&self) -> bool {
        self.new_status.is_some()
            || self
                .existing
                .as_ref()
                .is_none_or(|(_, before)| **before != *self.data)
    }
}

struct Network<'c> {
    targets: Vec<Target<'c>>,
    by_key: HashMap<String, usize>,
    by_name: HashMap<String, Vec<usize>>,
    by_company: HashMap<String, Vec<usize>>,
}

impl<'c> Network<'c> {
    fn add(&mut self, target: Target<'c>) -> usize {
        let index = self.targets.len();
        self.index(index, &target.data);
        self.targets.push(target);
        index
    }

    fn index(&mut self, index: usize, data: &NewContact) {
        for key in keys_of(data) {
            self.by_key.entry(key).or_insert(index);
        }
        let name = name_key(&data.name);
        let list = self.by_name.entry(name).or_default();
        if !list.contains(&index) {
            list.push(index);
        }
        let company = company_key(data.company.as_deref());
        if !company.is_empty() {
            let list = self.by_company.entry(company).or_default();
            if !list.contains(&index) {
                list.push(index);
            }
        }
    }

    fn by_keys(&self, data: &NewContact) -> Option<usize> {
        keys_of(data)
            .iter()
            .find_map(|k| self.by_key.get(k).copied())
    }

    /// The one contact with this name (none when there are several).
    fn by_unique_name(&self, name: &str) -> Option<usize> {
        match self.by_name.get(&name_key(name)).map(Vec::as_slice) {
            Some([one]) => Some(*one),
            _ => None,
        }
    }

    /// A contact this person resembles, and why; or one that an earlier
    /// import from the same source created (`true`). Two people with
    /// different LinkedIn profiles are two people, however alike their names.
    fn resembling(&self, data: &NewContact, source: &str) -> Option<(usize, bool, String)> {
        let name = name_key(&data.name);
        let company = company_key(data.company.as_deref());
        let profiles = linkedin_profiles(data);
        let other_person = |index: usize| {
            let theirs = linkedin_profiles(&self.targets[index].data);
            !profiles.is_empty() && !theirs.is_empty() && profiles.is_disjoint(&theirs)
        };
        if let Some(same) = self.by_name.get(&name) {
            let same: Vec<usize> = same.iter().copied().filter(|&i| !other_person(i)).collect();
            for &index in &same {
                let target = &self.targets[index];
                if company_key(target.data.company.as_deref()) == company {
                    let earlier = target
                        .data
                        .tags
                        .iter()
                        .any(|t| t.to_lowercase().starts_with(source));
                    let why = if company.is_empty() {
                        "the same name".to_owned()
                    } else {
                        "the same name at the same company".to_owned()
                    };
                    return Some((index, earlier, why));
                }
            }
            if let Some(&index) = same.first() {
                return Some((index, false, "the same name".to_owned()));
            }
        }
        if !company.is_empty() {
            if let Some(colleagues) = self.by_company.get(&company) {
                for &index in colleagues.iter().filter(|&&i| !other_person(i)) {
                    let other = name_key(&self.targets[index].data.name);
                    if strsim::jaro_winkler(&name, &other) >= 0.92 {
                        return Some((index, false, "a close name at the same company".to_owned()));
                    }
                }
            }
        }
        None
    }
}

/// The LinkedIn profiles among a contact's addresses, as keys.
fn linkedin_profiles(data: &NewContact) -> HashSet<String> {
    data.urls
        .iter()
        .map(|u| profile_key(u))
        .filter(|k| k.starts_with("url:linkedin.com/in/"))
        .collect()
}

fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

fn union(into: &mut Vec<String>, more: &[String], max: usize) {
    for value in more {
        if into.len() >= max {
            break;
        }
        if !into.iter().any(|v| v.eq_ignore_ascii_case(value)) {
            into.push(value.clone());
        }
    }
}

/// What a row adds to a contact.
fn merge(into: &mut NewContact, from: &NewContact, current_job: bool) {
    union(&mut into.emails, &from.emails, LIST_MAX);
    union(&mut into.phones, &from.phones, LIST_MAX);
    union(&mut into.urls, &from.urls, LIST_MAX);
    union(&mut into.tags, &from.tags, TAGS_MAX);
    if current_job {
        if from.company.is_some() {
            into.company.clone_from(&from.company);
        }
        if from.title.is_some() {
            into.title.clone_from(&from.title);
        }
    } else {
        into.company = into.company.take().or_else(|| from.company.clone());
        into.title = into.title.take().or_else(|| from.title.clone());
    }
    into.location = into.location.take().or_else(|| from.location.clone());
    into.notes = into.notes.take().or_else(|| from.notes.clone());
    into.how_met = into.how_met.take().or_else(|| from.how_met.clone());
}

/// Matches a plan with my contacts (and my events' passphrases); `known`
/// holds the interaction keys earlier imports logged.
pub fn resolve(
    plan: &Plan,
    contacts: &[KnownContact],
    events: &[KnownEvent],
    known: &HashSet<String>,
    options: &CommitOptions,
    tag: &str,
    purpose: Purpose,
) -> Resolution {
    // "linkedin import 2026-11-28" → contacts of earlier LinkedIn imports.
    let source = tag
        .rsplit_once(' ')
        .map_or(tag, |(source, _)| source)
        .to_lowercase();
    let source = source.as_str();
    let mut network = Network {
        targets: Vec::with_capacity(contacts.len() + plan.people.len()),
        by_key: HashMap::new(),
        by_name: HashMap::new(),
        by_company: HashMap::new(),
    };
    for contact in contacts {
        network.add(Target {
            id: contact.id,
            existing: Some((contact.version, &contact.data)),
            data: Cow::Borrowed(&contact.data),
            status: contact.connection_status,
            new_status: None,
        });
    }
    let mut resolution = Resolution::default();
    // A Rapport export's events: the same (name, day) as one of mine is
    // that one; the others are created.
    let mut event_ids: HashMap<Uuid, Uuid> = HashMap::new();
    if let Some(doc) = &plan.account {
        for event in &doc.events {
            let same = events
                .iter()
                .find(|e| e.name == event.name && e.starts_on == event.starts_on);
            let id = match same {
                Some(mine) => mine.id,
                None => {
                    let id = rapport_storage::new_row_id();
                    resolution.restore.events.push((id, super::event_of(event)));
                    id
                }
            };
            event_ids.insert(event.id, id);
        }
    }
    let mut by_source: HashMap<Uuid, usize> = HashMap::new();
    // Row index → target, to name the contact once everything is known.
    let mut row_targets: Vec<(usize, usize)> = Vec::new();

    for person in &plan.people {
        let mut remapped;
        let person = if person
            .contact
            .how_met
            .as_ref()
            .is_some_and(|h| h.event_id.is_some())
            && plan.account.is_some()
        {
            remapped = person.clone();
            if let Some(how) = remapped.contact.how_met.as_mut() {
                how.event_id = how.event_id.and_then(|old| event_ids.get(&old).copied());
            }
            &remapped
        } else {
            person
        };
        let mut row = person.origin.row(RowKind::Contact, RowOutcome::New);
        row.name = Some(person.contact.name.clone());
        let mut target = network.by_keys(&person.contact);
        if target.is_some() {
            row.outcome = RowOutcome::Update;
            row.reason = Some("the same email address or profile URL".to_owned());
        } else if let Some((index, earlier, why)) = network.resembling(&person.contact, source) {
            if earlier {
                row.outcome = RowOutcome::Update;
                row.reason = Some(format!("{why}, from an earlier import"));
                target = Some(index);
            } else {
                row.reason = Some(why);
                match options.duplicates {
                    DuplicateChoice::Create => row.outcome = RowOutcome::New,
                    DuplicateChoice::Merge => {
                        row.outcome = RowOutcome::Update;
                        target = Some(index);
                    }
                    DuplicateChoice::Skip => {
                        row.outcome = RowOutcome::PossibleDuplicate;
                        row.candidate_name = Some(network.targets[index].data.name.clone());
                        row.contact_id = Some(network.targets[index].id);
                    }
                }
            }
        }
        let connection = person
            .connection
            .map(|(status, day)| (status, midnight(day)));
        match (row.outcome, target) {
            (RowOutcome::Update, Some(index)) => {
                let t = &mut network.targets[index];
                let before = t.data.clone();
                merge(t.data.to_mut(), &person.contact, person.current_job);
                if let Some((status, at)) = connection {
                    if t.new_status.map_or(t.status, |s| s.0) != status {
                        t.new_status = Some((status, at));
                    }
                }
                if t.existing.is_some() && !t.changed() && before == t.data {
                    row.outcome = RowOutcome::Skipped;
                    row.reason = Some("already up to date".to_owned());
                }
                let data = network.targets[index].data.clone();
                network.index(index, &data);
                row_targets.push((resolution.rows.len(), index));
                if let Some(source) = person.source_id {
                    by_source.insert(source, index);
                }
            }
            (RowOutcome::New, _) => {
                let index = network.add(Target {
                    id: rapport_storage::new_row_id(),
                    existing: None,
                    data: Cow::Owned(person.contact.clone()),
                    status: ConnectionStatus::NotConnected,
                    new_status: connection,
                });
                row_targets.push((resolution.rows.len(), index));
                if let Some(source) = person.source_id {
                    by_source.insert(source, index);
                }
            }
            _ => {}
        }
        resolution.rows.push(row);
    }

    for invitation in &plan.invitations {
        let mut row = invitation
            .origin
            .row(RowKind::Invitation, RowOutcome::Update);
        row.name = Some(invitation.name.clone());
        let status = match invitation.direction {
            Direction::Incoming => ConnectionStatus::TheyInvitedMe,
            Direction::Outgoing => ConnectionStatus::Invited,
        };
        let quoted = match (invitation.direction, &invitation.message) {
            (Direction::Incoming, Some(message)) => {
                let message = message.to_lowercase();
                events.iter().find(|e| {
                    let phrase = e
                        .passphrase
                        .as_deref()
                        .unwrap_or_default()
                        .trim()
                        .to_lowercase();
                    !phrase.is_empty() && message.contains(&phrase)
                })
            }
            _ => None,
        };
        let found = invitation
            .profile_url
            .as_deref()
            .and_then(|url| network.by_key.get(&profile_key(url)).copied())
            .or_else(|| network.by_unique_name(&invitation.name));
        let index = match found {
            Some(index) => index,
            None => {
                let data = NewContact {
                    name: invitation.name.clone(),
                    urls: invitation.profile_url.iter().cloned().collect(),
                    tags: vec![tag.to_owned()],
                    how_met: Some(HowMet {
                        context: Some(match invitation.direction {
                            Direction::Incoming => "Invited me on LinkedIn".to_owned(),
                            Direction::Outgoing => "I invited them on LinkedIn".to_owned(),
                        }),
                        ..HowMet::default()
                    }),
                    ..NewContact::default()
                };
                match super::checked(data) {
                    Ok(data) => {
                        row.outcome = RowOutcome::New;
                        network.add(Target {
                            id: rapport_storage::new_row_id(),
                            existing: None,
                            data: Cow::Owned(data),
                            status: ConnectionStatus::NotConnected,
                            new_status: None,
                        })
                    }
                    Err((field, reason)) => {
                        resolution.rows.push(invitation.origin.error(
                            RowKind::Invitation,
                            &field,
                            reason,
                        ));
                        continue;
                    }
                }
            }
        };
        let t = &mut network.targets[index];
        let mut changed = false;
        if t.new_status.map_or(t.status, |s| s.0) == ConnectionStatus::NotConnected {
            t.new_status = Some((status, midnight(invitation.sent_on)));
            changed = true;
        }
        if let Some(event) = quoted {
            let how = t.data.to_mut().how_met.get_or_insert_with(HowMet::default);
            if how.event_id.is_none() {
                how.event_id = Some(event.id);
                how.met_on = how.met_on.or(Some(event.starts_on));
                changed = true;
                row.reason =
                    Some("quotes the passphrase of one of your events: was in the room".to_owned());
            }
        }
        if !changed && row.outcome == RowOutcome::Update {
            row.outcome = RowOutcome::Skipped;
            row.reason = Some("nothing new: the connection is further along".to_owned());
        }
        row_targets.push((resolution.rows.len(), index));
        resolution.rows.push(row);
    }

    // Interactions to log (a preview counts them only).
    let mut logged = 0;
    for conversation in &plan.conversations {
        let mut row = conversation.origin.row(RowKind::Message, RowOutcome::New);
        row.name = Some(
            conversation
                .others
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        );
        let key = format!("linkedin:message:{}:{}", conversation.id, conversation.day);
        let mut ids = Vec::new();
        for person in &conversation.others {
            let found = person
                .profile_url
                .as_deref()
                .and_then(|url| network.by_key.get(&profile_key(url)).copied())
                .or_else(|| network.by_unique_name(&person.name));
            if let Some(index) = found {
                let id = network.targets[index].id;
                if !ids.contains(&id) && ids.len() < rapport_core::network::INTERACTION_CONTACTS_MAX
                {
                    ids.push(id);
                }
                if ids.len() == 1 {
                    row_targets.push((resolution.rows.len(), index));
                }
            }
        }
        if ids.is_empty() {
            row.outcome = RowOutcome::Skipped;
            row.reason = Some("not among your contacts or this import's".to_owned());
        } else if known.contains(&key) {
            row.outcome = RowOutcome::Skipped;
            row.reason = Some("already imported".to_owned());
        } else {
            logged += 1;
            if purpose == Purpose::Preview {
                resolution.rows.push(row);
                continue;
            }
            let notes = options.store_message_contents.then(|| {
                let text = conversation.contents.join("\n");
                text.chars().take(NOTES_MAX).collect::<String>()
            });
            resolution.interactions.push(ImportedInteraction {
                import_key: key,
                data: NewInteraction {
                    contact_ids: ids,
                    kind: InteractionKind::Message,
                    occurred_on: conversation.day,
                    depth: if conversation.both_wrote {
                        Depth::Conversation
                    } else {
                        Depth::Brief
                    },
                    initiated_by: if conversation.i_started {
                        Initiator::Me
                    } else {
                        Initiator::Them
                    },
                    notes: notes.filter(|n| !n.trim().is_empty()),
                    follow_up_on: None,
                },
            });
        }
        resolution.rows.push(row);
    }

    if let Some(doc) = &plan.account {
        restore(
            doc,
            &network,
            &by_source,
            known,
            contacts.is_empty(),
            &mut resolution,
        );
        logged += resolution.interactions.len();
        if purpose == Purpose::Preview {
            resolution.interactions = Vec::new();
        }
    }

    for (row, index) in row_targets {
        let target = &network.targets[index];
        let row = &mut resolution.rows[row];
        row.contact_id = Some(target.id);
        if let (Some((_, before)), RowKind::Contact) = (&target.existing, row.kind) {
            row.candidate_name = Some(before.name.clone());
        }
    }
    for target in network.targets {
        if !target.changed() {
            continue;
        }
        match target.existing {
            None => resolution.create.push(ImportedContact {
                id: target.id,
                data: target.data.into_owned(),
                connection: target.new_status,
            }),
            Some((version, before)) => resolution.update.push(ImportedUpdate {
                id: target.id,
                expected_version: version,
                before: before.clone(),
                data: target.data.into_owned(),
                connection: target.new_status,
            }),
        }
    }
    resolution.totals.connection_changes = resolution
        .create
        .iter()
        .filter(|c| c.connection.is_some())
        .count() as u32
        + resolution
            .update
            .iter()
            .filter(|u| u.connection.is_some())
            .count() as u32;
    resolution.rows.extend(plan.problems.iter().cloned());
    resolution
        .rows
        .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    let mut totals = ImportTotals {
        interactions: logged as u32,
        connection_changes: resolution.totals.connection_changes
            + resolution.restore.connection_history.len() as u32,
        ..ImportTotals::default()
    };
    for row in &resolution.rows {
        totals.count(row.outcome);
    }
    resolution.totals = totals;
    resolution
}

/// What a Rapport export brings besides its contacts: for the contacts it
/// creates, their comfort and connection histories and state; the
/// interactions of its contacts; introductions between contacts it
/// creates; and its settings when my network was empty.
fn restore(
    doc: &rapport_core::export::AccountExport,
    network: &Network<'_>,
    by_source: &HashMap<Uuid, usize>,
    known: &HashSet<String>,
    empty_before: bool,
    resolution: &mut Resolution,
) {
    let id_of = |old: &Uuid| by_source.get(old).map(|&i| network.targets[i].id);
    let is_new = |old: &Uuid| {
        by_source
            .get(old)
            .is_some_and(|&i| network.targets[i].existing.is_none())
    };
    for contact in doc.contacts.iter().filter(|c| is_new(&c.id)) {
        let Some(id) = id_of(&contact.id) else {
            continue;
        };
        resolution.restore.states.push(RestoredState {
            id,
            comfort: contact.comfort,
            connection_status: contact.connection_status,
            connection_changed_at: contact.connection_history.last().map(|c| c.created_at),
            snoozed_until: contact.snoozed_until,
            introduced_by: contact
                .how_met
                .as_ref()
                .and_then(|h| h.introduced_by.as_ref())
                .and_then(id_of),
        });
        resolution
            .restore
            .comfort_history
            .extend(contact.comfort_history.iter().map(|r| (id, r.clone())));
        resolution
            .restore
            .connection_history
            .extend(contact.connection_history.iter().map(|c| (id, c.clone())));
    }
    for interaction in &doc.interactions {
        let key = exported_interaction_key(interaction.id);
        let mut ids: Vec<Uuid> = interaction.contact_ids.iter().filter_map(id_of).collect();
        ids.dedup();
        if ids.is_empty() || known.contains(&key) {
            continue;
        }
        resolution.interactions.push(ImportedInteraction {
            import_key: key,
            data: super::interaction_of(interaction, ids),
        });
    }
    for intro in &doc.introductions {
        if let (true, true, Some(a), Some(b)) = (
            is_new(&intro.contact_a),
            is_new(&intro.contact_b),
            id_of(&intro.contact_a),
            id_of(&intro.contact_b),
        ) {
            resolution.restore.introductions.push(RestoredIntroduction {
                contact_a: a,
                contact_b: b,
                reason: intro.reason.clone(),
                status: intro.status.as_str().to_owned(),
                outcome: intro.outcome.map(|o| o.as_str().to_owned()),
                status_changed_at: intro.status_changed_at,
                created_at: intro.created_at,
            });
        }
    }
    if empty_before {
        resolution.restore.settings = Some(doc.settings);
    }
}
