//! The contact use cases that are more than one store call: a page of my
//! contacts as the API shows them, and a contact's familiarity explained.
//! Free of HTTP: the routes and the command line call them alike.

use chrono::NaiveDate;
use rapport_core::contact::{Contact, FamiliaritySummary};
use rapport_core::familiarity::{self, Familiarity};
use rapport_storage::{ContactQuery, ContactRecord, Result, SortKey, Store};
use uuid::Uuid;

/// One page of contacts, and where the next one starts (when more follow).
pub struct Page {
    pub items: Vec<Contact>,
    pub next: Option<(SortKey, Uuid)>,
}

/// Up to `query.limit` of the owner's contacts that match the query, in its
/// order, after `query.after`.
pub async fn page(store: &dyn Store, owner: Uuid, query: &ContactQuery) -> Result<Page> {
    let limit = query.limit as usize;
    let mut records = store
        .list_contacts(
            owner,
            &ContactQuery {
                limit: query.limit + 1,
                ..query.clone()
            },
        )
        .await?;
    let more = records.len() > limit;
    records.truncate(limit);
    let next = more
        .then(|| {
            records
                .last()
                .map(|last| (query.sort.key_of(last), last.id))
        })
        .flatten();
    Ok(Page {
        items: records.into_iter().map(view).collect(),
        next,
    })
}

/// A contact's familiarity on `today`, with the reasons for it; `None`
/// when the owner has no such contact.
pub async fn familiarity(
    store: &dyn Store,
    owner: Uuid,
    id: Uuid,
    today: NaiveDate,
) -> Result<Option<Familiarity>> {
    let Some(record) = store.contact(owner, id).await? else {
        return Ok(None);
    };
    let facts = store.interaction_facts(owner, id).await?;
    Ok(Some(familiarity::familiarity(
        &facts,
        today,
        record.comfort,
    )))
}

/// The API view of a stored contact.
pub fn view(record: ContactRecord) -> Contact {
    let mismatch =
        familiarity::is_mismatch(record.comfort, record.familiarity, record.suggested_comfort);
    let ready = record.ready_to_ask;
    let data = record.data;
    Contact {
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
        familiarity: FamiliaritySummary {
            score: record.familiarity,
            suggested_comfort: record.suggested_comfort,
            mismatch,
        },
        connection_status: record.connection_status,
        last_interaction_on: record.last_interaction_on,
        next_due_on: record.next_due_on,
        ready_to_ask: ready,
        version: record.version,
        created_at: record.created_at,
        updated_at: record.updated_at,
    }
}
