//! The public card drop: an attendee leaves their card with an event's
//! passphrase, and it becomes (or completes) a contact of the organiser,
//! met at the event on the organiser's own day.

use chrono::{DateTime, Utc};
use rapport_core::event::{passphrase_key, CardDropRequest};
use rapport_storage::{CardDropOutcome, DroppedCard, EventRecord, Result, Store, StoreError};
use uuid::Uuid;

use crate::auth::sha256;

/// Slugs are ten characters; anything much longer is not one.
const SLUG_MAX_CHARS: usize = 64;

/// Why a card was not taken.
#[derive(Debug)]
pub enum Error {
    /// Unknown address, card drop off or closed, or a wrong passphrase: one
    /// refusal for all, so that a visitor learns nothing.
    Refused,
    Store(StoreError),
}

impl From<StoreError> for Error {
    fn from(error: StoreError) -> Self {
        Error::Store(error)
    }
}

/// Compares passphrases without case or extra spaces, in constant time
/// (fixed-length digests, every byte examined).
pub fn same_passphrase(given: &str, expected: &str) -> bool {
    let given = sha256(&passphrase_key(given));
    let expected = sha256(&passphrase_key(expected));
    let difference = given
        .iter()
        .zip(expected.iter())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    std::hint::black_box(difference) == 0
}

/// The event behind a slug, if its card drop is enabled.
pub async fn open_event(store: &dyn Store, slug: &str) -> Result<Option<EventRecord>> {
    if slug.chars().count() > SLUG_MAX_CHARS {
        return Ok(None);
    }
    let event = store.event_by_slug(slug).await?;
    Ok(event.filter(|e| e.data.card_drop.enabled))
}

/// Takes a checked, normalised card for the event behind `slug` if its
/// drop is open at `at` and the passphrase matches; the card counts as met
/// on the organiser's day at `clock_now`. Returns the event and what became
/// of the card.
pub async fn drop_card(
    store: &dyn Store,
    slug: &str,
    card: CardDropRequest,
    at: DateTime<Utc>,
    clock_now: DateTime<Utc>,
) -> std::result::Result<(Uuid, CardDropOutcome), Error> {
    let event = open_event(store, slug).await?;
    // Compare even when there is no event, so that every refusal costs the same.
    let expected = event
        .as_ref()
        .and_then(|e| e.data.passphrase.as_deref())
        .unwrap_or_default();
    let passphrase_ok = same_passphrase(&card.passphrase, expected) && !expected.is_empty();
    let event = match event {
        Some(event) if passphrase_ok && event.data.card_drop.is_open_at(at) => event,
        _ => return Err(Error::Refused),
    };
    let owner_zone = store
        .user_by_id(event.owner_id)
        .await?
        .and_then(|owner| owner.time_zone);
    let today = super::today_in(owner_zone.as_deref(), clock_now);
    let outcome = store
        .drop_card(
            event.owner_id,
            event.id,
            DroppedCard {
                name: card.name,
                email: card.email,
                url: card.url,
                note: card.note,
            },
            today,
        )
        .await
        .map_err(|error| match error {
            // Deleted a moment ago.
            StoreError::NotFound => Error::Refused,
            other => Error::Store(other),
        })?;
    Ok((event.id, outcome))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passphrases_match_without_case_or_extra_spaces() {
        assert!(same_passphrase("  Ferris  ", "ferris"));
        assert!(same_passphrase("ferris the  crab", "Ferris The Crab"));
        assert!(!same_passphrase("ferri", "ferris"));
        assert!(!same_passphrase("", "ferris"));
    }
}
