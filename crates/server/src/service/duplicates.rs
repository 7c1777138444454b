//! Duplicate contacts: finding the groups of likely duplicates among the
//! owner's contacts, and merging two contacts into one. Free of HTTP.
//!
//! Finding them never compares every contact with every other: contacts
//! are indexed by email address, profile address, name at a company, and
//! email domain with the name's first letter; only the contacts that share
//! a key are linked, and close names are compared only within a domain's
//! bucket. Links are joined with union-find, so each contact is in at most
//! one group, which carries the strongest reason among its links.
//! Archived contacts are left out (bring one back to have it offered).

use std::collections::HashMap;

use chrono::NaiveDate;
use rapport_core::contact::{HowMet, NewContact, LIST_MAX, NOTES_MAX, TAGS_MAX};
use rapport_core::duplicates::{DuplicateGroup, DuplicateReason, Keep, MergeKeep, MergeRequest};
use rapport_core::{FieldErrors, Validate};
use rapport_storage::network::normalize_url;
use rapport_storage::{ContactMerge, ContactRecord, DuplicateCandidate, Store, StoreError};
use uuid::Uuid;

use crate::import::resolve::name_key;
use crate::service::contacts::view;

/// Names at least this close (Jaro–Winkler) are "close names".
pub const CLOSE_NAME: f64 = 0.92;

/// How many of the following names (in name order, within a domain and
/// first letter) each name is compared with.
pub const CLOSE_NAME_WINDOW: usize = 64;

/// Why a merge is refused.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// The request names the same contact twice, or the merged contact
    /// would not fit (too many emails, tags, or too long notes).
    #[error("the merge is not possible as asked")]
    Invalid(FieldErrors),
    /// Either contact is missing (or not the owner's): `NotFound`; either
    /// changed since the versions given: `Stale`.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Union-find over candidate indexes, keeping each set's strongest reason.
struct Links {
    parent: Vec<usize>,
    reason: Vec<Option<DuplicateReason>>,
}

impl Links {
    fn new(size: usize) -> Self {
        Links {
            parent: (0..size).collect(),
            reason: vec![None; size],
        }
    }

    fn root(&mut self, mut index: usize) -> usize {
        while self.parent[index] != index {
            self.parent[index] = self.parent[self.parent[index]];
            index = self.parent[index];
        }
        index
    }

    fn link(&mut self, a: usize, b: usize, reason: DuplicateReason) {
        let (ra, rb) = (self.root(a), self.root(b));
        let strongest = [self.reason[ra], self.reason[rb], Some(reason)]
            .into_iter()
            .flatten()
            .min();
        if ra != rb {
            self.parent[rb] = ra;
        }
        self.reason[ra] = strongest;
    }

    /// Links every member of each bucket with its first member.
    fn link_buckets(&mut self, buckets: HashMap<String, Vec<usize>>, reason: DuplicateReason) {
        for members in buckets.into_values() {
            for &member in members.iter().skip(1) {
                self.link(members[0], member, reason);
            }
        }
    }
}

/// A profile address as a key: only an address with a path counts (a
/// bare website such as `acme.com` is shared by colleagues).
fn profile_key(url: &str) -> Option<String> {
    let key = normalize_url(url);
    key.split_once('/')
        .is_some_and(|(_, path)| !path.is_empty())
        .then_some(key)
}

fn push(buckets: &mut HashMap<String, Vec<usize>>, key: String, index: usize) {
    let members = buckets.entry(key).or_default();
    if members.last() != Some(&index) {
        members.push(index);
    }
}

/// The groups of likely duplicates among `candidates`, as indexes into it:
/// strongest reason first, then by the first member's name; members by
/// name.
pub fn group(candidates: &[DuplicateCandidate]) -> Vec<(DuplicateReason, Vec<usize>)> {
    let names: Vec<String> = candidates.iter().map(|c| name_key(&c.name)).collect();
    let mut emails: HashMap<String, Vec<usize>> = HashMap::new();
    let mut profiles: HashMap<String, Vec<usize>> = HashMap::new();
    let mut named: HashMap<String, Vec<usize>> = HashMap::new();
    let mut domains: HashMap<String, Vec<usize>> = HashMap::new();
    for (index, candidate) in candidates.iter().enumerate() {
        for email in &candidate.emails {
            let email = email.trim().to_lowercase();
            if let Some((_, domain)) = email.rsplit_once('@') {
                if let Some(first) = names[index].chars().next() {
                    push(&mut domains, format!("{domain}\0{first}"), index);
                }
            }
            push(&mut emails, email, index);
        }
        for url in &candidate.urls {
            if let Some(key) = profile_key(url) {
                push(&mut profiles, key, index);
            }
        }
        let company = candidate.company.as_deref().map(name_key);
        if let Some(company) = company.filter(|c| !c.is_empty()) {
            if !names[index].is_empty() {
                push(&mut named, format!("{}\0{company}", names[index]), index);
            }
        }
    }
    let mut links = Links::new(candidates.len());
    links.link_buckets(emails, DuplicateReason::SameEmail);
    links.link_buckets(profiles, DuplicateReason::SameProfileUrl);
    links.link_buckets(named, DuplicateReason::SameNameAndCompany);
    // Close names are compared only within a domain and first letter, and
    // there, sorted by name, each with the next few (close names sort
    // near each other): never every pair of a large bucket.
    for mut members in domains.into_values() {
        members.sort_by(|&a, &b| names[a].cmp(&names[b]));
        for (at, &a) in members.iter().enumerate() {
            for &b in members.iter().skip(at + 1).take(CLOSE_NAME_WINDOW) {
                if links.root(a) != links.root(b)
                    && strsim::jaro_winkler(&names[a], &names[b]) >= CLOSE_NAME
                {
                    links.link(a, b, DuplicateReason::CloseNameSameEmailDomain);
                }
            }
        }
    }

    let mut sets: HashMap<usize, Vec<usize>> = HashMap::new();
    for index in 0..candidates.len() {
        let root = links.root(index);
        sets.entry(root).or_default().push(index);
    }
    let by_name = |&index: &usize| (candidates[index].name.to_lowercase(), candidates[index].id);
    let mut groups: Vec<(DuplicateReason, Vec<usize>)> = sets
        .into_iter()
        .filter(|(_, members)| members.len() > 1)
        .filter_map(|(root, mut members)| {
            members.sort_by_key(by_name);
            links.reason[root].map(|reason| (reason, members))
        })
        .collect();
    groups.sort_by_key(|(reason, members)| (*reason, by_name(&members[0])));
    groups
}

/// The owner's groups of likely duplicates, each contact as the API shows
/// it.
pub async fn duplicates(store: &dyn Store, owner: Uuid) -> Result<Vec<DuplicateGroup>, StoreError> {
    let candidates = store.duplicate_candidates(owner).await?;
    let groups = group(&candidates);
    let ids: Vec<Uuid> = groups
        .iter()
        .flat_map(|(_, members)| members.iter().map(|&index| candidates[index].id))
        .collect();
    let mut records: HashMap<Uuid, ContactRecord> = store
        .contacts_by_ids(owner, &ids)
        .await?
        .into_iter()
        .map(|record| (record.id, record))
        .collect();
    Ok(groups
        .into_iter()
        .filter_map(|(reason, members)| {
            // A contact deleted meanwhile is left out.
            let contacts: Vec<_> = members
                .iter()
                .filter_map(|&index| records.remove(&candidates[index].id))
                .map(view)
                .collect();
            (contacts.len() > 1).then_some(DuplicateGroup { reason, contacts })
        })
        .collect())
}

/// The chosen side's value and the other's.
fn chosen<'a, T>(keep: Keep, this: &'a T, other: &'a T) -> (&'a T, &'a T) {
    match keep {
        Keep::This => (this, other),
        Keep::Other => (other, this),
    }
}

/// The chosen side's value, or the other's when the chosen one has none.
fn filled<T: Clone>(keep: Keep, this: &Option<T>, other: &Option<T>) -> Option<T> {
    let (first, second) = chosen(keep, this, other);
    first.clone().or_else(|| second.clone())
}

/// Both lists, the survivor's first, without a second entry of the same
/// key; too many for one contact: an error naming the list.
fn union(
    errors: &mut FieldErrors,
    field: &str,
    what: &str,
    this: &[String],
    other: &[String],
    max: usize,
    key: impl Fn(&str) -> String,
) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let all: Vec<String> = this
        .iter()
        .chain(other)
        .filter(|value| seen.insert(key(value)))
        .cloned()
        .collect();
    if all.len() > max {
        errors.add(
            field,
            format!(
                "the two contacts have {} different {what} between them and one contact holds \
                 at most {max}: remove some from either contact first",
                all.len()
            ),
        );
    }
    all
}

/// The survivor's fields after merging `other` into `this` (the ids of
/// both given, so that neither is left as the survivor's introducer).
///
/// Every email, phone, profile address and tag of both is kept. `keep`
/// picks whose name, company, title, location, cadence and first-meeting
/// record win; a side with no value never wins over one that has it (and
/// a first meeting's blank parts are filled from the other's). Both notes
/// are kept, the chosen side's first. The survivor stays archived only if
/// both were.
pub fn merged(
    (this_id, this): (Uuid, &NewContact),
    (other_id, other): (Uuid, &NewContact),
    keep: &MergeKeep,
) -> Result<NewContact, FieldErrors> {
    let mut errors = FieldErrors::new();
    let emails = union(
        &mut errors,
        "emails",
        "email addresses",
        &this.emails,
        &other.emails,
        LIST_MAX,
        str::to_lowercase,
    );
    let phones = union(
        &mut errors,
        "phones",
        "phone numbers",
        &this.phones,
        &other.phones,
        LIST_MAX,
        |phone| {
            phone
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect()
        },
    );
    let urls = union(
        &mut errors,
        "urls",
        "web addresses",
        &this.urls,
        &other.urls,
        LIST_MAX,
        normalize_url,
    );
    let tags = union(
        &mut errors,
        "tags",
        "tags",
        &this.tags,
        &other.tags,
        TAGS_MAX,
        str::to_lowercase,
    );
    let (first, second) = chosen(keep.notes, &this.notes, &other.notes);
    let notes = match (first, second) {
        (Some(first), Some(second)) if first.trim() != second.trim() => {
            Some(format!("{}\n\n{}", first.trim_end(), second.trim_start()))
        }
        _ => first.clone().or_else(|| second.clone()),
    };
    if let Some(length) = notes.as_ref().map(|n| n.chars().count()) {
        if length > NOTES_MAX {
            errors.add(
                "notes",
                format!(
                    "the two contacts' notes together are {length} characters and one contact \
                     holds at most {NOTES_MAX}: shorten either first"
                ),
            );
        }
    }
    let neither = |how: &Option<HowMet>| {
        how.clone().map(|mut how| {
            if how.introduced_by == Some(this_id) || how.introduced_by == Some(other_id) {
                how.introduced_by = None;
            }
            how
        })
    };
    let (this_how, other_how) = (neither(&this.how_met), neither(&other.how_met));
    let (first, second) = chosen(keep.how_met, &this_how, &other_how);
    let how_met = match (first, second) {
        (Some(first), Some(second)) => Some(HowMet {
            met_on: first.met_on.or(second.met_on),
            event_id: first.event_id.or(second.event_id),
            place: first.place.clone().or_else(|| second.place.clone()),
            context: first.context.clone().or_else(|| second.context.clone()),
            introduced_by: first.introduced_by.or(second.introduced_by),
        }),
        _ => first.clone().or_else(|| second.clone()),
    };
    errors.into_result()?;
    let data = NewContact {
        name: chosen(keep.name, &this.name, &other.name).0.clone(),
        emails,
        phones,
        company: filled(keep.company, &this.company, &other.company),
        title: filled(keep.title, &this.title, &other.title),
        location: filled(keep.location, &this.location, &other.location),
        urls,
        tags,
        notes,
        how_met,
        cadence_days: filled(keep.cadence_days, &this.cadence_days, &other.cadence_days),
        archived: this.archived && other.archived,
    }
    .normalize();
    data.validate()?;
    Ok(data)
}

/// Merges `request.other_id` into contact `id` of `owner`, each at the
/// version given (`None`: as it is now). See [`merged`] for the fields and
/// [`rapport_storage::MergeStore::merge_contacts`] for everything else.
pub async fn merge(
    store: &dyn Store,
    owner: Uuid,
    id: Uuid,
    request: &MergeRequest,
    expected: (Option<i64>, Option<i64>),
    today: NaiveDate,
) -> Result<ContactRecord, MergeError> {
    if request.other_id == id {
        let mut errors = FieldErrors::new();
        errors.add(
            "other_id",
            "must be another contact than the one merged into",
        );
        return Err(MergeError::Invalid(errors));
    }
    let records = store
        .contacts_by_ids(owner, &[id, request.other_id])
        .await?;
    let find = |wanted: Uuid| records.iter().find(|r| r.id == wanted);
    let (Some(this), Some(other)) = (find(id), find(request.other_id)) else {
        return Err(StoreError::NotFound.into());
    };
    let stale =
        |given: Option<i64>, record: &ContactRecord| given.is_some_and(|v| v != record.version);
    if stale(expected.0, this) || stale(expected.1, other) {
        return Err(StoreError::Stale.into());
    }
    let data = merged(
        (this.id, &this.data),
        (other.id, &other.data),
        &request.keep,
    )
    .map_err(MergeError::Invalid)?;
    let comfort = *chosen(request.keep.comfort, &this.comfort, &other.comfort).0;
    let merge = ContactMerge {
        survivor: this.id,
        survivor_version: this.version,
        other: other.id,
        other_version: other.version,
        data,
        comfort,
        comfort_reason: format!("Merged with {}", other.data.name),
    };
    Ok(store.merge_contacts(owner, &merge, today).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(
        name: &str,
        company: Option<&str>,
        emails: &[&str],
        urls: &[&str],
    ) -> DuplicateCandidate {
        DuplicateCandidate {
            id: Uuid::new_v4(),
            name: name.to_owned(),
            company: company.map(str::to_owned),
            emails: emails.iter().map(|e| e.to_string()).collect(),
            urls: urls.iter().map(|u| u.to_string()).collect(),
        }
    }

    fn names(
        candidates: &[DuplicateCandidate],
        groups: &[(DuplicateReason, Vec<usize>)],
    ) -> Vec<(DuplicateReason, Vec<String>)> {
        groups
            .iter()
            .map(|(reason, members)| {
                (
                    *reason,
                    members
                        .iter()
                        .map(|&i| candidates[i].name.clone())
                        .collect(),
                )
            })
            .collect()
    }

    #[test]
    fn each_reason_groups_its_contacts_and_unrelated_people_stay_apart() {
        let candidates = vec![
            candidate("Ada Lovelace", None, &["ada@engines.example"], &[]),
            candidate("A. Lovelace", None, &["ADA@engines.example"], &[]),
            candidate(
                "Grace Hopper",
                None,
                &[],
                &["https://www.linkedin.com/in/grace"],
            ),
            candidate(
                "G. Hopper",
                None,
                &[],
                &["http://uk.linkedin.com/in/grace/?trk=x"],
            ),
            candidate("Alan Turing", Some("Bletchley Park"), &[], &[]),
            candidate("alan  turing", Some("bletchley park."), &[], &[]),
            candidate("Jonathan Smith", None, &["jon@acme.example"], &[]),
            candidate("Jonathon Smith", None, &["j.smith@acme.example"], &[]),
            // Unrelated: the same website, the same domain with another
            // name, the same name at another company.
            candidate(
                "Barbara Liskov",
                None,
                &["barbara@acme.example"],
                &["https://acme.example/"],
            ),
            candidate("Ken Thompson", None, &[], &["https://acme.example"]),
            candidate("Alan Turing", Some("Princeton"), &[], &[]),
        ];
        let groups = group(&candidates);
        assert_eq!(
            names(&candidates, &groups),
            [
                (
                    DuplicateReason::SameEmail,
                    vec!["A. Lovelace".to_owned(), "Ada Lovelace".to_owned()]
                ),
                (
                    DuplicateReason::SameProfileUrl,
                    vec!["G. Hopper".to_owned(), "Grace Hopper".to_owned()]
                ),
                (
                    DuplicateReason::SameNameAndCompany,
                    vec!["alan  turing".to_owned(), "Alan Turing".to_owned()]
                ),
                (
                    DuplicateReason::CloseNameSameEmailDomain,
                    vec!["Jonathan Smith".to_owned(), "Jonathon Smith".to_owned()]
                ),
            ]
        );
    }

    #[test]
    fn a_contact_is_in_one_group_with_its_strongest_reason() {
        let candidates = vec![
            candidate(
                "Ada Lovelace",
                Some("Engines"),
                &["ada@engines.example"],
                &[],
            ),
            candidate(
                "Ada Lovelace",
                Some("Engines"),
                &[],
                &["https://linkedin.com/in/ada"],
            ),
            candidate(
                "Ada",
                None,
                &["ada@engines.example"],
                &["https://linkedin.com/in/ada"],
            ),
        ];
        let groups = group(&candidates);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].0, DuplicateReason::SameEmail);
        assert_eq!(groups[0].1.len(), 3);
    }

    #[test]
    fn ten_thousand_contacts_at_one_domain_are_grouped_in_bounded_work() {
        // Everyone shares a domain and a first letter: one bucket of
        // 10,000, compared by window rather than pair by pair.
        let candidates: Vec<_> = (0..10_000)
            .map(|n| {
                let email = format!("p{n}@acme.example");
                candidate(&format!("P {:x}", n * 7919), None, &[&email], &[])
            })
            .chain([
                candidate("Pat Smithson", None, &["pat@acme.example"], &[]),
                candidate("Pat Smithsen", None, &["psmithsen@acme.example"], &[]),
            ])
            .collect();
        let started = std::time::Instant::now();
        let groups = group(&candidates);
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        let pat = names(&candidates, &groups)
            .into_iter()
            .find(|(_, names)| names.iter().any(|n| n.starts_with("Pat")))
            .expect("the close names are found");
        assert_eq!(pat.0, DuplicateReason::CloseNameSameEmailDomain);
        assert_eq!(pat.1.len(), 2);
    }

    fn contact(name: &str) -> NewContact {
        NewContact {
            name: name.to_owned(),
            ..NewContact::default()
        }
    }

    #[test]
    fn a_merge_keeps_every_list_entry_and_both_notes() {
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let this = NewContact {
            emails: vec!["ada@example.com".into()],
            phones: vec!["+44 20 7946 0958".into()],
            urls: vec!["https://www.linkedin.com/in/ada".into()],
            tags: vec!["Rust".into()],
            notes: Some("Met at RustConf.".into()),
            company: None,
            title: Some("Mathematician".into()),
            how_met: Some(HowMet {
                introduced_by: Some(b),
                place: Some("London".into()),
                ..HowMet::default()
            }),
            ..contact("Ada")
        };
        let event = Uuid::new_v4();
        let other = NewContact {
            emails: vec!["ADA@example.com".into(), "ada@work.example".into()],
            phones: vec!["+442079460958".into()],
            urls: vec!["https://uk.linkedin.com/in/ada/".into()],
            tags: vec!["rust".into(), "speaker".into()],
            notes: Some("Wants an intro to Grace.".into()),
            company: Some("Engines".into()),
            title: Some("Countess".into()),
            how_met: Some(HowMet {
                event_id: Some(event),
                place: Some("Paris".into()),
                ..HowMet::default()
            }),
            ..contact("Ada Lovelace")
        };
        let keep = MergeKeep {
            name: Keep::Other,
            ..MergeKeep::default()
        };
        let data = merged((a, &this), (b, &other), &keep).unwrap();
        assert_eq!(data.name, "Ada Lovelace");
        assert_eq!(data.emails, ["ada@example.com", "ada@work.example"]);
        assert_eq!(data.phones, ["+44 20 7946 0958"]);
        assert_eq!(data.urls, ["https://www.linkedin.com/in/ada"]);
        assert_eq!(data.tags, ["Rust", "speaker"]);
        assert_eq!(
            data.company.as_deref(),
            Some("Engines"),
            "a blank never wins"
        );
        assert_eq!(data.title.as_deref(), Some("Mathematician"));
        assert_eq!(
            data.notes.as_deref(),
            Some("Met at RustConf.\n\nWants an intro to Grace.")
        );
        let how = data.how_met.unwrap();
        assert_eq!(
            how.introduced_by, None,
            "the other cannot introduce the survivor"
        );
        assert_eq!(how.event_id, Some(event));
        assert_eq!(how.place.as_deref(), Some("London"));
    }

    #[test]
    fn a_merge_that_does_not_fit_names_the_list() {
        let many =
            |domain: &str| -> Vec<String> { (0..6).map(|n| format!("p{n}@{domain}")).collect() };
        let this = NewContact {
            emails: many("a.example"),
            ..contact("A")
        };
        let other = NewContact {
            emails: many("b.example"),
            notes: Some("x".repeat(NOTES_MAX)),
            ..contact("A")
        };
        let this = NewContact {
            notes: Some("y".into()),
            ..this
        };
        let errors = merged(
            (Uuid::new_v4(), &this),
            (Uuid::new_v4(), &other),
            &MergeKeep::default(),
        )
        .unwrap_err();
        let fields: Vec<_> = errors.into_vec().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["emails", "notes"]);
    }
}
