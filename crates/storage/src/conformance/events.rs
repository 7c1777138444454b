//! Conformance cases for events and card drops.

use std::sync::Arc;

use chrono::NaiveDate;
use rapport_core::contact::{HowMet, NewContact};
use rapport_core::event::{CardDrop, NewEvent};
use uuid::Uuid;

use crate::{
    CardDropOutcome, ContactQuery, DroppedCard, EventQuery, NewUser, RegistrationGate, Store,
    StoreError,
};

async fn owner(store: &dyn Store, email: &str) -> Uuid {
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

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 9, 8).expect("a valid date")
}

fn rustconf() -> NewEvent {
    NewEvent {
        name: "RustConf".into(),
        starts_on: day(),
        place: Some("Portland".into()),
        passphrase: Some("ferris".into()),
        card_drop: CardDrop {
            enabled: true,
            ..CardDrop::default()
        },
        ..NewEvent::default()
    }
}

fn card(email: Option<&str>, url: Option<&str>) -> DroppedCard {
    DroppedCard {
        name: "Grace Hopper".into(),
        email: email.map(str::to_owned),
        url: url.map(str::to_owned),
        note: None,
    }
}

async fn contacts(store: &dyn Store, owner: Uuid) -> Vec<crate::ContactRecord> {
    store
        .list_contacts(
            owner,
            &ContactQuery {
                limit: 100,
                ..ContactQuery::default()
            },
        )
        .await
        .unwrap()
}

pub async fn events_belong_to_their_owner_and_keep_their_contacts(store: Arc<dyn Store>) {
    let store = &*store;
    let ada = owner(store, "ada@example.com").await;
    let eve = owner(store, "eve@example.com").await;
    let event = store.create_event(ada, rustconf()).await.unwrap();
    assert_eq!(event.version, 1);
    assert_eq!(event.owner_id, ada);
    assert_eq!(event.data, rustconf());
    let other = store.create_event(ada, rustconf()).await.unwrap();
    assert_ne!(event.slug, other.slug);

    assert!(store.event(eve, event.id).await.unwrap().is_none());
    assert!(matches!(
        store.update_event(eve, event.id, 1, rustconf()).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_event(eve, event.id, 1).await,
        Err(StoreError::NotFound)
    ));
    let query = EventQuery {
        limit: 10,
        ..EventQuery::default()
    };
    assert!(store.list_events(eve, &query).await.unwrap().is_empty());
    assert_eq!(store.list_events(ada, &query).await.unwrap().len(), 2);
    let by_slug = store
        .event_by_slug(&event.slug.to_uppercase())
        .await
        .unwrap()
        .expect("found by its slug in any case");
    assert_eq!(by_slug.id, event.id);

    let renamed = NewEvent {
        name: "RustConf 2026".into(),
        ..rustconf()
    };
    let updated = store
        .update_event(ada, event.id, 1, renamed.clone())
        .await
        .unwrap();
    assert_eq!(
        (updated.version, updated.data.name.as_str()),
        (2, "RustConf 2026")
    );
    assert_eq!(updated.slug, event.slug, "the public address stays");
    assert!(matches!(
        store.update_event(ada, event.id, 1, renamed).await,
        Err(StoreError::Stale)
    ));

    let met_there = store
        .create_contact(
            ada,
            NewContact {
                name: "Grace".into(),
                how_met: Some(HowMet {
                    met_on: Some(day()),
                    event_id: Some(event.id),
                    ..HowMet::default()
                }),
                ..NewContact::default()
            },
            day(),
        )
        .await
        .unwrap();
    let counted = store.event(ada, event.id).await.unwrap().unwrap();
    assert_eq!(counted.contact_count, 1);
    assert!(matches!(
        store.delete_event(ada, event.id, 1).await,
        Err(StoreError::Stale)
    ));
    store.delete_event(ada, event.id, 2).await.unwrap();
    assert!(store.event(ada, event.id).await.unwrap().is_none());
    let kept = store.contact(ada, met_there.id).await.unwrap().unwrap();
    let how_met = kept.data.how_met.expect("the first meeting stays");
    assert_eq!((how_met.event_id, how_met.met_on), (None, Some(day())));
    assert!(kept.version > met_there.version, "the contact changed");
}

pub async fn a_card_drop_finds_the_same_person_again(store: Arc<dyn Store>) {
    let store = &*store;
    let ada = owner(store, "ada@example.com").await;
    let event = store.create_event(ada, rustconf()).await.unwrap();
    let first = store
        .drop_card(
            ada,
            event.id,
            DroppedCard {
                note: Some("loved the talk".into()),
                ..card(Some("grace@example.com"), None)
            },
            day(),
        )
        .await
        .unwrap();
    let CardDropOutcome::Created(grace) = first else {
        panic!("a new contact: {first:?}");
    };
    let stored = store.contact(ada, grace).await.unwrap().unwrap();
    let how_met = stored.data.how_met.unwrap();
    assert_eq!(how_met.event_id, Some(event.id));
    assert_eq!(how_met.met_on, Some(day()));
    assert_eq!(
        how_met.context.as_deref(),
        Some("Left a card at RustConf: loved the talk")
    );

    let again = store
        .drop_card(
            ada,
            event.id,
            card(
                Some("Grace@Example.com"),
                Some("https://www.linkedin.com/in/grace"),
            ),
            day(),
        )
        .await
        .unwrap();
    assert_eq!(again, CardDropOutcome::Updated(grace));
    // Found again by the URL alone, now that it is known.
    let by_url = store
        .drop_card(
            ada,
            event.id,
            card(None, Some("http://linkedin.com/in/grace/")),
            day(),
        )
        .await
        .unwrap();
    assert_eq!(by_url, CardDropOutcome::Updated(grace));
    let all = contacts(store, ada).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].data.emails, ["grace@example.com"]);
    assert_eq!(all[0].data.urls, ["https://www.linkedin.com/in/grace"]);

    // Someone already in my network, met elsewhere: completed, not moved.
    let linus = store
        .create_contact(
            ada,
            NewContact {
                name: "Linus".into(),
                emails: vec!["linus@example.com".into()],
                how_met: Some(HowMet {
                    place: Some("Helsinki".into()),
                    ..HowMet::default()
                }),
                ..NewContact::default()
            },
            day(),
        )
        .await
        .unwrap();
    let known = store
        .drop_card(
            ada,
            event.id,
            card(
                Some("linus@example.com"),
                Some("https://git.example.com/linus"),
            ),
            day(),
        )
        .await
        .unwrap();
    assert_eq!(known, CardDropOutcome::Updated(linus.id));
    let linus = store.contact(ada, linus.id).await.unwrap().unwrap();
    assert_eq!(linus.data.name, "Linus");
    assert_eq!(linus.data.urls, ["https://git.example.com/linus"]);
    assert_eq!(
        linus.data.how_met.unwrap().place.as_deref(),
        Some("Helsinki")
    );
    assert_eq!(contacts(store, ada).await.len(), 2);

    let eve = owner(store, "eve@example.com").await;
    assert!(matches!(
        store
            .drop_card(eve, event.id, card(Some("x@example.com"), None), day())
            .await,
        Err(StoreError::NotFound)
    ));
}

pub async fn concurrent_drops_of_one_card_make_one_contact(store: Arc<dyn Store>) {
    let ada = owner(&*store, "ada@example.com").await;
    let event = store.create_event(ada, rustconf()).await.unwrap();
    for round in 0..3 {
        let email = format!("grace{round}@example.com");
        // Spawn every racer before awaiting any (a lazy iterator would run
        // them one after another).
        let racers: Vec<_> = (0..12)
            .map(|_| {
                let (store, email) = (store.clone(), email.clone());
                tokio::spawn(async move {
                    store
                        .drop_card(ada, event.id, card(Some(&email), None), day())
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut created = 0;
        for racer in racers {
            if matches!(racer.await.unwrap(), CardDropOutcome::Created(_)) {
                created += 1;
            }
        }
        assert_eq!(created, 1, "round {round}: one contact per person");
    }
    assert_eq!(contacts(&*store, ada).await.len(), 3);
}
