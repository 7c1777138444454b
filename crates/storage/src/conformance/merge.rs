//! Conformance cases for finding and merging duplicate contacts.

use std::sync::Arc;

use chrono::Duration;
use rapport_core::contact::{ConnectionStatus, HowMet, NewContact};
use rapport_core::interaction::{Depth, Initiator, InteractionKind};
use rapport_core::network::NewInteraction;
use uuid::Uuid;

use super::{contact, introduce, owner, today};
use crate::{ContactMerge, ContactQuery, IntroductionQuery, Store, StoreError};

fn coffee(contacts: Vec<Uuid>, days_ago: i64) -> NewInteraction {
    NewInteraction {
        contact_ids: contacts,
        kind: InteractionKind::CoffeeOrLunch,
        occurred_on: today() - Duration::days(days_ago),
        depth: Depth::InDepth,
        initiated_by: Initiator::Mutual,
        notes: None,
        follow_up_on: None,
    }
}

/// A merge of `other` into `survivor` at their current versions, keeping
/// the survivor's fields with the other's emails added.
async fn merge_of(store: &dyn Store, owner: Uuid, survivor: Uuid, other: Uuid) -> ContactMerge {
    let found = store
        .contacts_by_ids(owner, &[survivor, other])
        .await
        .unwrap();
    let kept = found.iter().find(|c| c.id == survivor).unwrap();
    let gone = found.iter().find(|c| c.id == other).unwrap();
    let mut data = kept.data.clone();
    data.emails.extend(gone.data.emails.clone());
    ContactMerge {
        survivor,
        survivor_version: kept.version,
        other,
        other_version: gone.version,
        data,
        comfort: gone.comfort,
        comfort_reason: "merged".into(),
    }
}

pub async fn a_merge_moves_everything_to_the_survivor_and_deletes_the_other(store: Arc<dyn Store>) {
    let store = &*store;
    let ada = owner(store, "ada-merge@example.com").await;
    let eve = owner(store, "eve-merge@example.com").await;
    let bob = contact(store, ada, "Bob", None).await;
    let robert = store
        .create_contact(
            ada,
            NewContact {
                name: "Robert".into(),
                emails: vec!["robert@works.example".into()],
                ..NewContact::default()
            },
            today(),
        )
        .await
        .unwrap()
        .id;
    let carol = contact(store, ada, "Carol", None).await;
    let dan = store
        .create_contact(
            ada,
            NewContact {
                name: "Dan".into(),
                how_met: Some(HowMet {
                    introduced_by: Some(robert),
                    ..HowMet::default()
                }),
                ..NewContact::default()
            },
            today(),
        )
        .await
        .unwrap()
        .id;
    let mallory = contact(store, eve, "Mallory", None).await;

    store.set_comfort(ada, bob, Some(2), None).await.unwrap();
    store.set_comfort(ada, robert, Some(4), None).await.unwrap();
    store
        .change_connection(ada, robert, ConnectionStatus::Asked, None)
        .await
        .unwrap();
    let both = store
        .create_interaction(ada, coffee(vec![bob, robert, carol], 20), today())
        .await
        .unwrap();
    let roberts = store
        .create_interaction(ada, coffee(vec![robert], 3), today())
        .await
        .unwrap();
    let between = store
        .create_introduction(ada, &introduce(bob, robert))
        .await
        .unwrap();
    let to_carol = store
        .create_introduction(ada, &introduce(carol, robert))
        .await
        .unwrap();
    let before = store.contact(ada, bob).await.unwrap().unwrap();

    // Another owner's contact, on either side, is not found; a stale
    // version writes nothing.
    let mut foreign = merge_of(store, ada, bob, robert).await;
    foreign.other = mallory;
    assert!(matches!(
        store.merge_contacts(ada, &foreign, today()).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .merge_contacts(eve, &merge_of(store, ada, bob, robert).await, today())
            .await,
        Err(StoreError::NotFound)
    ));
    let mut stale = merge_of(store, ada, bob, robert).await;
    stale.other_version -= 1;
    assert!(matches!(
        store.merge_contacts(ada, &stale, today()).await,
        Err(StoreError::Stale)
    ));
    assert_eq!(store.contact(ada, bob).await.unwrap().unwrap(), before);
    assert!(store.contact(ada, robert).await.unwrap().is_some());

    let merged = store
        .merge_contacts(ada, &merge_of(store, ada, bob, robert).await, today())
        .await
        .unwrap();
    assert_eq!(merged.id, bob);
    assert_eq!(merged.version, before.version + 1);
    assert_eq!(merged.data.emails, ["robert@works.example"]);
    assert_eq!(merged.comfort, Some(4), "the rating chosen");
    assert_eq!(merged.connection_status, ConnectionStatus::Asked);
    assert_eq!(
        merged.last_interaction_on,
        Some(today() - Duration::days(3))
    );
    assert!(merged.familiarity > before.familiarity, "recomputed");
    assert!(store.contact(ada, robert).await.unwrap().is_none());

    let shared = store.interaction(ada, both.id).await.unwrap().unwrap();
    let mut expected = vec![bob, carol];
    expected.sort();
    assert_eq!(shared.contact_ids, expected, "the survivor once");
    assert!(shared.version > both.version);
    let moved = store.interaction(ada, roberts.id).await.unwrap().unwrap();
    assert_eq!(moved.contact_ids, vec![bob]);

    let ratings: Vec<Option<u8>> = store
        .comfort_history(ada, bob)
        .await
        .unwrap()
        .unwrap()
        .iter()
        .map(|r| r.rating)
        .collect();
    assert_eq!(ratings, [Some(2), Some(4)], "both histories by date");
    let steps = store.connection_history(ada, bob).await.unwrap().unwrap();
    assert_eq!(steps.len(), 1);

    assert!(store.introduction(ada, between.id).await.unwrap().is_none());
    let to_carol = store.introduction(ada, to_carol.id).await.unwrap().unwrap();
    assert_eq!((to_carol.contact_a.id, to_carol.contact_b.id), (carol, bob));
    let listed = store
        .list_introductions(
            ada,
            &IntroductionQuery {
                contact_id: Some(bob),
                limit: 10,
                ..IntroductionQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    let dan = store.contact(ada, dan).await.unwrap().unwrap();
    assert_eq!(dan.data.how_met.unwrap().introduced_by, Some(bob));

    // The search index follows: the other's email finds the survivor.
    let found = store
        .list_contacts(
            ada,
            &ContactQuery {
                q: Some("robert@works.example".into()),
                limit: 10,
                ..ContactQuery::default()
            },
        )
        .await
        .unwrap();
    let ids: Vec<Uuid> = found.iter().map(|c| c.id).collect();
    assert_eq!(ids, [bob]);
    // Eve's contact is untouched.
    assert!(store.contact(eve, mallory).await.unwrap().is_some());
}

pub async fn duplicate_candidates_are_the_owners_active_contacts(store: Arc<dyn Store>) {
    let store = &*store;
    let ada = owner(store, "ada-dups@example.com").await;
    let eve = owner(store, "eve-dups@example.com").await;
    let bob = store
        .create_contact(
            ada,
            NewContact {
                name: "Bob".into(),
                company: Some("Acme".into()),
                emails: vec!["bob@acme.example".into()],
                urls: vec!["https://linkedin.com/in/bob".into()],
                ..NewContact::default()
            },
            today(),
        )
        .await
        .unwrap();
    store
        .create_contact(
            ada,
            NewContact {
                name: "Archived Bob".into(),
                archived: true,
                ..NewContact::default()
            },
            today(),
        )
        .await
        .unwrap();
    let mallory = contact(store, eve, "Mallory", None).await;
    let candidates = store.duplicate_candidates(ada).await.unwrap();
    assert_eq!(candidates.len(), 1);
    assert_eq!(candidates[0].id, bob.id);
    assert_eq!(candidates[0].company.as_deref(), Some("Acme"));
    assert_eq!(candidates[0].emails, ["bob@acme.example"]);
    assert_eq!(candidates[0].urls, ["https://linkedin.com/in/bob"]);
    let read = store
        .contacts_by_ids(ada, &[bob.id, mallory, Uuid::new_v4()])
        .await
        .unwrap();
    assert_eq!(read, vec![bob], "others' and unknown ids are left out");
}
