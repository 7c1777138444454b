//! Conformance cases for introductions.

use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use rapport_core::contact::NewContact;
use rapport_core::introduction::{IntroductionStatus, IntroductionUpdate, NewIntroduction};
use uuid::Uuid;

use crate::{IntroductionOrder, IntroductionQuery, NewUser, RegistrationGate, Store, StoreError};

/// A new account (for other suites too).
pub async fn owner(store: &dyn Store, email: &str) -> Uuid {
    store
        .register_user(
            NewUser {
                email: email.to_owned(),
                display_name: email.to_owned(),
                password_hash: "$argon2id$unused".to_owned(),
            },
            RegistrationGate::Open,
        )
        .await
        .expect("registration")
        .id
}

/// Today in UTC.
pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// A new contact of `owner` with only a name and a cadence.
pub async fn contact(
    store: &dyn Store,
    owner: Uuid,
    name: &str,
    cadence_days: Option<u16>,
) -> Uuid {
    store
        .create_contact(
            owner,
            NewContact {
                name: name.to_owned(),
                cadence_days,
                ..NewContact::default()
            },
            today(),
        )
        .await
        .expect("a contact")
        .id
}

/// A proposal to introduce `a` to `b`.
pub fn introduce(a: Uuid, b: Uuid) -> NewIntroduction {
    NewIntroduction {
        contact_a: a,
        contact_b: b,
        reason: "both love compilers".into(),
        confirm_low_comfort: true,
    }
}

fn page(limit: u32) -> IntroductionQuery {
    IntroductionQuery {
        limit,
        ..IntroductionQuery::default()
    }
}

pub async fn introductions_belong_to_their_owner_and_go_with_their_contacts(store: Arc<dyn Store>) {
    let store = &*store;
    let ada = owner(store, "ada@example.com").await;
    let eve = owner(store, "eve@example.com").await;
    let bob = contact(store, ada, "Bob", None).await;
    let carol = contact(store, ada, "Carol", None).await;
    let dan = contact(store, ada, "Dan", None).await;
    let mallory = contact(store, eve, "Mallory", None).await;

    let foreign = store
        .create_introduction(ada, &introduce(bob, mallory))
        .await;
    assert!(
        matches!(foreign, Err(StoreError::InvalidReference { ref field }) if field == "contact_b"),
        "{foreign:?}"
    );
    let first = store
        .create_introduction(ada, &introduce(bob, carol))
        .await
        .unwrap();
    assert_eq!(first.status, IntroductionStatus::Proposed);
    assert_eq!(first.version, 1);
    assert_eq!(
        (first.contact_a.name.as_str(), first.contact_b.name.as_str()),
        ("Bob", "Carol")
    );
    assert_eq!(
        store.introduction(ada, first.id).await.unwrap(),
        Some(first.clone())
    );

    // Someone else's introduction is nowhere to be found.
    assert_eq!(store.introduction(eve, first.id).await.unwrap(), None);
    assert!(store
        .list_introductions(eve, &page(10))
        .await
        .unwrap()
        .is_empty());
    let update = IntroductionUpdate {
        status: IntroductionStatus::Asked,
        outcome: None,
        reason: first.reason.clone(),
    };
    assert!(matches!(
        store.update_introduction(eve, first.id, 1, &update).await,
        Err(StoreError::NotFound)
    ));

    // Versions guard every write; the status date moves with the status only.
    assert!(matches!(
        store.update_introduction(ada, first.id, 7, &update).await,
        Err(StoreError::Stale)
    ));
    let reworded = store
        .update_introduction(
            ada,
            first.id,
            1,
            &IntroductionUpdate {
                status: IntroductionStatus::Proposed,
                outcome: None,
                reason: "they should talk about parsers".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(reworded.version, 2);
    assert_eq!(reworded.status_changed_at, first.status_changed_at);
    let asked = store
        .update_introduction(ada, first.id, 2, &update)
        .await
        .unwrap();
    assert_eq!(asked.status, IntroductionStatus::Asked);
    assert_eq!(asked.reason, "both love compilers");
    assert!(asked.status_changed_at > first.status_changed_at);

    let second = store
        .create_introduction(ada, &introduce(carol, dan))
        .await
        .unwrap();
    let newest: Vec<Uuid> = store
        .list_introductions(ada, &page(10))
        .await
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(newest, [second.id, first.id]);
    let waiting_longest = store
        .list_introductions(
            ada,
            &IntroductionQuery {
                order: IntroductionOrder::LongestWaiting,
                limit: 1,
                ..IntroductionQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        waiting_longest[0].id, first.id,
        "asked before the second was made"
    );
    let after = store
        .list_introductions(
            ada,
            &IntroductionQuery {
                order: IntroductionOrder::LongestWaiting,
                after: Some((asked.status_changed_at, first.id)),
                limit: 10,
                ..IntroductionQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].id, second.id);
    let asked_only = store
        .list_introductions(
            ada,
            &IntroductionQuery {
                statuses: vec![IntroductionStatus::Asked],
                limit: 10,
                ..IntroductionQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(asked_only.len(), 1);
    let with_dan = store
        .list_introductions(
            ada,
            &IntroductionQuery {
                contact_id: Some(dan),
                limit: 10,
                ..IntroductionQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(with_dan.len(), 1);
    assert_eq!(with_dan[0].id, second.id);

    // Deleting a contact deletes the introductions that name them.
    let carol_version = store.contact(ada, carol).await.unwrap().unwrap().version;
    store
        .delete_contact(ada, carol, carol_version)
        .await
        .unwrap();
    assert!(store
        .list_introductions(ada, &page(10))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.introduction(ada, first.id).await.unwrap(), None);
}
