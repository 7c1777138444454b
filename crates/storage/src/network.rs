//! The network's storage: contacts with their derived state, referral
//! comfort and connection histories, interactions and settings.
//!
//! Derived state (familiarity, last interaction, next due date) is kept on
//! the contact row and recomputed in the same transaction as every write
//! that changes it, so lists can filter and sort on it. Familiarity also
//! decays with time: [`ContactStore::refresh_familiarity`] brings rows
//! computed on an earlier day up to date, in batches, off the request path
//! (the server's daily upkeep).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rapport_core::contact::{ConnectionStatus, HowMet, NewContact};
use rapport_core::network::{
    ComfortRating, ConnectionChange, Interaction, NewInteraction, Settings,
};
use uuid::Uuid;

use crate::Result;

/// A stored contact: the editable fields and the derived state.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactRecord {
    pub id: Uuid,
    pub data: NewContact,
    pub comfort: Option<u8>,
    pub connection_status: ConnectionStatus,
    pub last_interaction_on: Option<NaiveDate>,
    pub next_due_on: Option<NaiveDate>,
    pub familiarity: u8,
    pub suggested_comfort: u8,
    pub familiarity_as_of: Option<NaiveDate>,
    /// Ready to ask to connect under the owner's settings, read with the
    /// contact.
    pub ready_to_ask: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ContactRecord {
    /// A first meeting is recorded or an interaction is logged.
    pub fn have_met(&self) -> bool {
        self.last_interaction_on.is_some()
            || self
                .data
                .how_met
                .as_ref()
                .is_some_and(|h| h.met_on.is_some() || h.event_id.is_some())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ContactSort {
    #[default]
    Name,
    Comfort,
    Familiarity,
    LastInteraction,
    NextDue,
}

/// The sort key of the last row of a page, and its id.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SortKey {
    Text(String),
    Int(i64),
    Date(NaiveDate),
}

pub const DATE_MIN: NaiveDate = NaiveDate::MIN;
pub const DATE_MAX: NaiveDate = NaiveDate::MAX;

impl ContactSort {
    /// The key of a record under this sort; nulls sort last.
    pub fn key_of(self, record: &ContactRecord) -> SortKey {
        match self {
            ContactSort::Name => SortKey::Text(sort_name(&record.data.name)),
            ContactSort::Comfort => SortKey::Int(i64::from(record.comfort.unwrap_or(0))),
            ContactSort::Familiarity => SortKey::Int(i64::from(record.familiarity)),
            ContactSort::LastInteraction => {
                SortKey::Date(record.last_interaction_on.unwrap_or(sentinel_low()))
            }
            ContactSort::NextDue => SortKey::Date(record.next_due_on.unwrap_or(sentinel_high())),
        }
    }
}

/// Stand-ins for null dates in sort keys (both backends store them).
/// The day a contact never met sorts as (the contact list's SQL writes it
/// as the literal `'0001-01-01'`).
pub fn sentinel_low() -> NaiveDate {
    NaiveDate::from_ymd_opt(1, 1, 1).expect("a valid date")
}

/// The due day of a contact never due (`'9999-12-31'` in the SQL).
pub fn sentinel_high() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).expect("a valid date")
}

pub fn sort_name(name: &str) -> String {
    name.to_lowercase()
}

/// Filters, sort and page of `GET /contacts`.
#[derive(Debug, Clone, Default)]
pub struct ContactQuery {
    /// Each word must begin a word of the name, company, title, emails or
    /// notes (case-insensitive): "ada lov" finds "Ada Lovelace".
    pub q: Option<String>,
    pub tag: Option<String>,
    pub comfort_min: Option<u8>,
    pub comfort_max: Option<u8>,
    pub familiarity_min: Option<u8>,
    pub familiarity_max: Option<u8>,
    pub connection_status: Option<ConnectionStatus>,
    pub event_id: Option<Uuid>,
    pub company: Option<String>,
    /// Keep-in-touch date on or before this day.
    pub due_by: Option<NaiveDate>,
    /// Ready (or not) to ask to connect, under the owner's settings.
    pub ready_to_ask: Option<bool>,
    pub archived: bool,
    pub sort: ContactSort,
    pub after: Option<(SortKey, Uuid)>,
    pub limit: u32,
}

#[derive(Debug, Clone, Default)]
pub struct InteractionQuery {
    pub contact_id: Option<Uuid>,
    pub kind: Option<rapport_core::interaction::InteractionKind>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// (occurred_on, id) of the last row of the previous page.
    pub after: Option<(NaiveDate, Uuid)>,
    pub limit: u32,
}

/// Contacts with their comfort and connection histories, the owner's
/// settings, the network view and the daily familiarity upkeep.
#[async_trait]
pub trait ContactStore: Send + Sync {
    async fn settings(&self, owner: Uuid) -> Result<Settings>;

    /// Saves the settings and recomputes due dates that follow the default cadence.
    async fn put_settings(
        &self,
        owner: Uuid,
        settings: Settings,
        today: NaiveDate,
    ) -> Result<Settings>;

    /// `data` must be normalised and valid. Unknown `how_met` references
    /// are [`crate::StoreError::InvalidReference`].
    async fn create_contact(
        &self,
        owner: Uuid,
        data: NewContact,
        today: NaiveDate,
    ) -> Result<ContactRecord>;

    async fn contact(&self, owner: Uuid, id: Uuid) -> Result<Option<ContactRecord>>;

    /// Replaces the editable fields if the version still matches.
    async fn update_contact(
        &self,
        owner: Uuid,
        id: Uuid,
        expected_version: i64,
        data: NewContact,
        today: NaiveDate,
    ) -> Result<ContactRecord>;

    /// Deletes the contact, its histories, its introductions and the
    /// interactions that involved nobody else.
    async fn delete_contact(&self, owner: Uuid, id: Uuid, expected_version: i64) -> Result<()>;

    /// A page of contacts.
    async fn list_contacts(&self, owner: Uuid, query: &ContactQuery) -> Result<Vec<ContactRecord>>;

    /// The network view as a JSON array, built by the database (one row
    /// instead of thousands): `[{id, name, company, comfort, familiarity,
    /// connection_status, tags, last_interaction_on}, …]` by name, archived
    /// contacts left out.
    async fn network_json(&self, owner: Uuid) -> Result<String>;

    /// A number that changes whenever the owner's contacts or settings do
    /// (kept by database triggers): the validator of answers built from them.
    async fn data_version(&self, owner: Uuid) -> Result<i64>;

    async fn set_comfort(
        &self,
        owner: Uuid,
        id: Uuid,
        rating: Option<u8>,
        reason: Option<String>,
    ) -> Result<ContactRecord>;

    async fn comfort_history(&self, owner: Uuid, id: Uuid) -> Result<Option<Vec<ComfortRating>>>;

    /// Puts the keep-in-touch date off until `until` at the earliest
    /// (`None` ends the snooze); bumps the version.
    async fn snooze(
        &self,
        owner: Uuid,
        id: Uuid,
        until: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<ContactRecord>;

    /// Moves the connection flow on, if the step is allowed.
    async fn change_connection(
        &self,
        owner: Uuid,
        id: Uuid,
        to: ConnectionStatus,
        note: Option<String>,
    ) -> Result<ContactRecord>;

    async fn connection_history(
        &self,
        owner: Uuid,
        id: Uuid,
    ) -> Result<Option<Vec<ConnectionChange>>>;

    /// Creates many contacts in one transaction (demo data, imports).
    async fn create_contacts(
        &self,
        owner: Uuid,
        contacts: Vec<NewContact>,
        today: NaiveDate,
    ) -> Result<Vec<Uuid>>;

    /// Brings up to `limit` of the owner's contacts whose familiarity was
    /// computed before `today` up to that day, in one short write; returns
    /// how many changed. A contact written meanwhile (and so computed
    /// today) is left as it is.
    async fn refresh_familiarity(&self, owner: Uuid, today: NaiveDate, limit: u32) -> Result<u64>;

    /// The owners, with their time zones, who have a contact whose
    /// familiarity was computed before `before` (or never).
    async fn owners_with_stale_familiarity(
        &self,
        before: NaiveDate,
    ) -> Result<Vec<(Uuid, Option<String>)>>;
}

/// Interactions (a call, a coffee, an email…) with one or more contacts;
/// each write recomputes the derived state of the contacts it touches.
#[async_trait]
pub trait InteractionStore: Send + Sync {
    /// The interactions familiarity is computed from, for one contact.
    async fn interaction_facts(
        &self,
        owner: Uuid,
        contact: Uuid,
    ) -> Result<Vec<rapport_core::familiarity::InteractionFacts>>;

    async fn create_interaction(
        &self,
        owner: Uuid,
        data: NewInteraction,
        today: NaiveDate,
    ) -> Result<Interaction>;

    async fn interaction(&self, owner: Uuid, id: Uuid) -> Result<Option<Interaction>>;

    async fn update_interaction(
        &self,
        owner: Uuid,
        id: Uuid,
        expected_version: i64,
        data: NewInteraction,
        today: NaiveDate,
    ) -> Result<Interaction>;

    async fn delete_interaction(
        &self,
        owner: Uuid,
        id: Uuid,
        expected_version: i64,
        today: NaiveDate,
    ) -> Result<()>;

    async fn list_interactions(
        &self,
        owner: Uuid,
        query: &InteractionQuery,
    ) -> Result<Vec<Interaction>>;

    /// Logs many interactions in one transaction, recomputing each
    /// contact involved once at the end.
    async fn create_interactions(
        &self,
        owner: Uuid,
        interactions: Vec<NewInteraction>,
        today: NaiveDate,
    ) -> Result<u64>;
}

/// Lower-case keys that identify a person across imports and card drops.
pub fn contact_keys(data: &NewContact) -> Vec<String> {
    let mut keys: Vec<String> = data
        .emails
        .iter()
        .map(|e| format!("email:{}", e.to_lowercase()))
        .chain(
            data.urls
                .iter()
                .map(|u| format!("url:{}", normalize_url(u))),
        )
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// `https://www.LinkedIn.com/in/ada/` → `linkedin.com/in/ada`. A LinkedIn
/// profile is the same whatever the host (`uk.linkedin.com`), scheme,
/// trailing slash, query or fragment.
pub fn normalize_url(url: &str) -> String {
    let lower = url.trim().to_lowercase();
    let without_scheme = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower);
    let without_www = without_scheme
        .strip_prefix("www.")
        .unwrap_or(without_scheme);
    let (host, path) = without_www.split_once('/').unwrap_or((without_www, ""));
    if host == "linkedin.com" || host.ends_with(".linkedin.com") {
        let path = path.split(['?', '#']).next().unwrap_or_default();
        return format!("linkedin.com/{}", path.trim_end_matches('/'));
    }
    without_www.trim_end_matches('/').to_owned()
}

/// What text search looks at, lower-cased.
pub fn search_text(data: &NewContact) -> String {
    let mut parts = vec![data.name.as_str()];
    parts.extend(data.company.as_deref());
    parts.extend(data.title.as_deref());
    parts.extend(data.emails.iter().map(String::as_str));
    parts.extend(data.notes.as_deref());
    parts.join("\n").to_lowercase()
}

/// Longest word kept in the search index.
pub const WORD_MAX_CHARS: usize = 40;
/// Most words indexed per contact (long notes are cut off).
pub const WORDS_MAX: usize = 300;

/// Splits text into lower-case words for the search index: letters and
/// digits, with emails also split at `@` and `.` (and kept whole).
pub fn words(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut words: Vec<String> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().take(WORD_MAX_CHARS).collect())
        .collect();
    words.extend(
        lower
            .split_whitespace()
            .filter(|w| w.contains('@'))
            .map(|w| w.chars().take(WORD_MAX_CHARS).collect()),
    );
    words
}

/// The distinct words a contact can be found by.
pub fn contact_words(data: &NewContact) -> Vec<String> {
    let mut all = Vec::new();
    for text in [Some(&data.name), data.company.as_ref(), data.title.as_ref()]
        .into_iter()
        .flatten()
        .chain(data.emails.iter())
        .chain(data.notes.iter())
    {
        all.extend(words(text));
    }
    let mut seen = std::collections::HashSet::new();
    all.retain(|w| seen.insert(w.clone()));
    all.truncate(WORDS_MAX);
    all
}

/// The search terms of a query: each must begin a word of the contact.
pub fn search_terms(q: &str) -> Vec<String> {
    let mut terms = words(q);
    terms.sort();
    terms.dedup();
    terms.truncate(5);
    terms
}

/// The first string after every string that starts with `prefix`.
pub fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

/// A `LIKE` pattern matching `text` anywhere, with `\` escaping (short
/// lists such as events search by substring).
pub fn like_pattern(text: &str) -> String {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

pub(crate) fn how_met_of(
    met_on: Option<NaiveDate>,
    event_id: Option<Uuid>,
    place: Option<String>,
    context: Option<String>,
    introduced_by: Option<Uuid>,
) -> Option<HowMet> {
    let how_met = HowMet {
        met_on,
        event_id,
        place,
        context,
        introduced_by,
    };
    (!how_met.is_empty()).then_some(how_met)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sentinel_days_are_the_literals_the_list_sql_writes() {
        assert_eq!(sentinel_low().to_string(), "0001-01-01");
        assert_eq!(sentinel_high().to_string(), "9999-12-31");
    }

    #[test]
    fn linkedin_profiles_are_one_key_whatever_the_host_or_query() {
        for url in [
            "https://www.linkedin.com/in/ada-lovelace",
            "http://uk.linkedin.com/in/ada-lovelace/",
            "https://linkedin.com/in/ada-lovelace?trk=public_profile#about",
            "LinkedIn.com/in/Ada-Lovelace/",
        ] {
            assert_eq!(normalize_url(url), "linkedin.com/in/ada-lovelace", "{url}");
        }
        assert_eq!(
            normalize_url("https://example.org/a?b=1"),
            "example.org/a?b=1"
        );
    }

    #[test]
    fn urls_and_emails_make_stable_keys() {
        let data = NewContact {
            name: "Ada".into(),
            emails: vec!["Ada@Example.com".into()],
            urls: vec!["https://www.LinkedIn.com/in/ada/".into()],
            ..NewContact::default()
        };
        assert_eq!(
            contact_keys(&data),
            ["email:ada@example.com", "url:linkedin.com/in/ada"]
        );
    }

    #[test]
    fn contacts_are_found_by_the_start_of_any_word() {
        let data = NewContact {
            name: "Ada Lovelace-Byron".into(),
            company: Some("Analytical Engines".into()),
            emails: vec!["ada@engines.example".into()],
            ..NewContact::default()
        };
        let words = contact_words(&data);
        for expected in [
            "ada",
            "lovelace",
            "byron",
            "analytical",
            "engines",
            "example",
            "ada@engines.example",
        ] {
            assert!(
                words.contains(&expected.to_owned()),
                "{expected} in {words:?}"
            );
        }
        assert_eq!(search_terms("  LOV  ada ada "), ["ada", "lov"]);
        assert!(prefix_end("lov").as_str() > "lovelace");
        assert!(prefix_end("lov").as_str() < "lox");
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("50%_A\\"), "%50\\%\\_a\\\\%");
    }
}
