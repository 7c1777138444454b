//! Conformance cases for the exports' reads and the calendar feed.

use std::sync::Arc;

use chrono::Duration;
use rapport_core::contact::{ConnectionStatus, NewContact};
use rapport_core::interaction::{Depth, Initiator, InteractionKind};
use rapport_core::network::NewInteraction;
use uuid::Uuid;

use super::{contact, owner, today};
use crate::Store;

fn call(contacts: Vec<Uuid>, days_ago: i64, follow_up_in: Option<i64>) -> NewInteraction {
    NewInteraction {
        contact_ids: contacts,
        kind: InteractionKind::Call,
        occurred_on: today() - Duration::days(days_ago),
        depth: Depth::Conversation,
        initiated_by: Initiator::Them,
        notes: Some("talked shop".into()),
        follow_up_on: follow_up_in.map(|days| today() + Duration::days(days)),
    }
}

pub async fn exports_read_all_of_the_owners_rows_and_nothing_else(store: Arc<dyn Store>) {
    let store = &*store;
    let ada = owner(store, "ada-export@example.com").await;
    let eve = owner(store, "eve-export@example.com").await;
    let bob = contact(store, ada, "Bob", Some(30)).await;
    let carol = contact(store, ada, "Carol", None).await;
    let archived = store
        .create_contact(
            ada,
            NewContact {
                name: "Archie".into(),
                archived: true,
                ..NewContact::default()
            },
            today(),
        )
        .await
        .unwrap()
        .id;
    let eves = contact(store, eve, "Mallory", Some(30)).await;

    store
        .set_comfort(ada, bob, Some(3), Some("worked together".into()))
        .await
        .unwrap();
    store.set_comfort(ada, bob, Some(4), None).await.unwrap();
    store
        .change_connection(ada, carol, ConnectionStatus::Asked, Some("at lunch".into()))
        .await
        .unwrap();
    let snoozed_until = today() + Duration::days(60);
    store
        .snooze(ada, bob, Some(snoozed_until), today())
        .await
        .unwrap();
    let both = store
        .create_interaction(ada, call(vec![carol, bob], 10, Some(3)), today())
        .await
        .unwrap();
    let plain = store
        .create_interaction(ada, call(vec![bob], 2, None), today())
        .await
        .unwrap();
    store.set_comfort(eve, eves, Some(5), None).await.unwrap();
    store
        .change_connection(eve, eves, ConnectionStatus::Asked, None)
        .await
        .unwrap();
    store
        .create_interaction(eve, call(vec![eves], 1, Some(1)), today())
        .await
        .unwrap();

    let contacts = store.export_contacts(ada).await.unwrap();
    let names: Vec<&str> = contacts
        .iter()
        .map(|c| c.record.data.name.as_str())
        .collect();
    assert_eq!(names, ["Archie", "Bob", "Carol"], "every contact, by name");
    assert!(contacts[0].record.data.archived);
    assert_eq!(contacts[0].record.id, archived);
    assert_eq!(contacts[1].snoozed_until, Some(snoozed_until));
    assert_eq!(contacts[1].record.comfort, Some(4));
    assert_eq!(contacts[2].snoozed_until, None);
    assert_eq!(
        contacts[2].record.connection_status,
        ConnectionStatus::Asked
    );

    let interactions = store.export_interactions(ada).await.unwrap();
    assert_eq!(interactions.len(), 2);
    assert_eq!(interactions[0].id, both.id, "oldest first");
    let mut expected = vec![bob, carol];
    expected.sort();
    assert_eq!(interactions[0].contact_ids, expected);
    assert_eq!(interactions[1].id, plain.id);
    assert_eq!(interactions[1].contact_ids, vec![bob]);

    let follow_ups = store.follow_ups(ada).await.unwrap();
    assert_eq!(follow_ups.len(), 1);
    assert_eq!(follow_ups[0].id, both.id);
    assert_eq!(follow_ups[0].contact_ids, expected);

    let comfort = store.export_comfort_history(ada).await.unwrap();
    let ratings: Vec<(Uuid, Option<u8>)> = comfort.iter().map(|(c, r)| (*c, r.rating)).collect();
    assert_eq!(ratings, [(bob, Some(3)), (bob, Some(4))]);
    assert_eq!(comfort[0].1.reason.as_deref(), Some("worked together"));

    let steps = store.export_connection_history(ada).await.unwrap();
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0].0, carol);
    assert_eq!(steps[0].1.to_status, ConnectionStatus::Asked);
    assert_eq!(steps[0].1.note.as_deref(), Some("at lunch"));

    // Eve's reads hold only Eve's rows.
    let theirs = store.export_contacts(eve).await.unwrap();
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].record.id, eves);
    let their_interactions = store.export_interactions(eve).await.unwrap();
    assert_eq!(their_interactions.len(), 1);
    assert_eq!(their_interactions[0].contact_ids, vec![eves]);
    assert_eq!(store.follow_ups(eve).await.unwrap().len(), 1);
    assert!(store
        .export_comfort_history(eve)
        .await
        .unwrap()
        .iter()
        .all(|(c, _)| *c == eves));
    assert!(store
        .export_connection_history(eve)
        .await
        .unwrap()
        .iter()
        .all(|(c, _)| *c == eves));

    // An account with nothing reads empty lists.
    let empty = owner(store, "empty-export@example.com").await;
    assert!(store.export_contacts(empty).await.unwrap().is_empty());
    assert!(store.export_interactions(empty).await.unwrap().is_empty());
}

pub async fn a_calendar_feed_is_found_by_its_secret_until_rotated_or_revoked(
    store: Arc<dyn Store>,
) {
    let store = &*store;
    let ada = owner(store, "ada-feed@example.com").await;
    let eve = owner(store, "eve-feed@example.com").await;
    let (first, second, eves) = ([1u8; 32], [2u8; 32], [3u8; 32]);
    assert!(store.calendar_feed_owner(&first).await.unwrap().is_none());
    store
        .put_calendar_feed(ada, &first, crate::now())
        .await
        .unwrap();
    store
        .put_calendar_feed(eve, &eves, crate::now())
        .await
        .unwrap();
    let found = store.calendar_feed_owner(&first).await.unwrap().unwrap();
    assert_eq!(found.id, ada);

    // Rotating replaces the secret: the old one names nobody.
    store
        .put_calendar_feed(ada, &second, crate::now())
        .await
        .unwrap();
    assert!(store.calendar_feed_owner(&first).await.unwrap().is_none());
    assert_eq!(
        store
            .calendar_feed_owner(&second)
            .await
            .unwrap()
            .unwrap()
            .id,
        ada
    );
    assert_eq!(
        store.calendar_feed_owner(&eves).await.unwrap().unwrap().id,
        eve
    );

    // Revoking is Ada's alone, and only once.
    assert!(store.delete_calendar_feed(ada).await.unwrap());
    assert!(!store.delete_calendar_feed(ada).await.unwrap());
    assert!(store.calendar_feed_owner(&second).await.unwrap().is_none());
    assert!(store.calendar_feed_owner(&eves).await.unwrap().is_some());

    // A disabled account's feed stops answering.
    store.set_user_disabled(eve, true).await.unwrap();
    assert!(store.calendar_feed_owner(&eves).await.unwrap().is_none());
}
