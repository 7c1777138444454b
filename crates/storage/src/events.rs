//! Events and their public card drop.
//!
//! A card drop finds the person again by the keys of `contact_keys` (a
//! lower-cased email or a normalised profile URL), so the same attendee
//! dropping twice, or someone already in my network, updates one contact
//! instead of adding another.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rapport_core::event::NewEvent;
use uuid::Uuid;

use crate::Result;

/// A stored event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    pub id: Uuid,
    pub owner_id: Uuid,
    pub data: NewEvent,
    pub slug: String,
    /// Contacts whose first meeting was at this event.
    pub contact_count: i64,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `GET /events`: newest (latest `starts_on`) first.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    /// Matched in the name, place and notes (case-insensitive).
    pub q: Option<String>,
    /// (starts_on, id) of the last row of the previous page.
    pub after: Option<(NaiveDate, Uuid)>,
    pub limit: u32,
}

/// A card left at an event, normalised and valid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DroppedCard {
    pub name: String,
    pub email: Option<String>,
    pub url: Option<String>,
    pub note: Option<String>,
}

/// What a card drop did to the organiser's network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardDropOutcome {
    /// A new contact, met at the event.
    Created(Uuid),
    /// The card matched this contact, which was completed.
    Updated(Uuid),
}

#[async_trait]
pub trait EventStore: Send + Sync {
    /// `data` must be normalised and valid; the slug is chosen here.
    async fn create_event(&self, owner: Uuid, data: NewEvent) -> Result<EventRecord>;
    async fn event(&self, owner: Uuid, id: Uuid) -> Result<Option<EventRecord>>;
    /// Replaces the editable fields if the version still matches.
    async fn update_event(
        &self,
        owner: Uuid,
        id: Uuid,
        expected_version: i64,
        data: NewEvent,
    ) -> Result<EventRecord>;
    /// Deletes the event; the contacts met there stay, without the link.
    async fn delete_event(&self, owner: Uuid, id: Uuid, expected_version: i64) -> Result<()>;
    async fn list_events(&self, owner: Uuid, query: &EventQuery) -> Result<Vec<EventRecord>>;
    /// Anyone's event by its public slug: only for the card drop, which
    /// decides what (little) an anonymous visitor may learn.
    async fn event_by_slug(&self, slug: &str) -> Result<Option<EventRecord>>;
    /// Records a card left at `event`: completes the owner's contact with
    /// the same email or profile URL, or creates one "met at" the event.
    /// Concurrent drops of the same card make one contact.
    async fn drop_card(
        &self,
        owner: Uuid,
        event: Uuid,
        card: DroppedCard,
        today: NaiveDate,
    ) -> Result<CardDropOutcome>;
}

/// Characters of a slug: lower-case letters and digits, without the ones
/// easily confused when read off a slide (0/o, 1/l/i).
const SLUG_ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
pub const SLUG_LEN: usize = 10;

/// A random slug of [`SLUG_LEN`] characters (about 49 bits).
pub fn new_slug() -> String {
    // A v4 UUID holds 122 random bits; skip its fixed version and variant
    // bytes and use the 112 bits of the other fourteen bytes.
    let bytes = Uuid::new_v4().into_bytes();
    let mut n = bytes
        .iter()
        .enumerate()
        .filter(|(index, _)| *index != 6 && *index != 8)
        .fold(0u128, |n, (_, byte)| (n << 8) | u128::from(*byte));
    let base = SLUG_ALPHABET.len() as u128;
    (0..SLUG_LEN)
        .map(|_| {
            let digit = (n % base) as usize;
            n /= base;
            char::from(SLUG_ALPHABET[digit])
        })
        .collect()
}

/// The form slugs are stored and looked up in.
pub fn normalize_slug(slug: &str) -> String {
    slug.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_short_url_safe_and_distinct() {
        let slugs: std::collections::HashSet<String> = (0..1000).map(|_| new_slug()).collect();
        assert_eq!(slugs.len(), 1000);
        for slug in &slugs {
            assert_eq!(slug.len(), SLUG_LEN);
            assert!(slug.bytes().all(|b| SLUG_ALPHABET.contains(&b)), "{slug}");
            assert_eq!(normalize_slug(&slug.to_uppercase()), *slug);
        }
    }
}
