//! The nurture service's queue, on SQLite and on PostgreSQL: every kind of
//! to-do in its order, each item once, whatever the page size.

use chrono::{Duration, NaiveDate};
use rapport_core::contact::{ConnectionStatus, NewContact};
use rapport_core::interaction::{Depth, Initiator, InteractionKind};
use rapport_core::introduction::{IntroductionStatus, IntroductionUpdate};
use rapport_core::network::{ConnectionPolicy, NewInteraction, Settings};
use rapport_core::nurture::{NurtureKind, NurturePosition};
use rapport_server::service::nurture::{queue, NurtureQuery};
use rapport_storage::conformance::{contact, introduce, owner, today};
use rapport_tests::{Backend, TestDb};
use uuid::Uuid;

/// Every kind of to-do, several of each and most of them due on the same
/// day, so that pages of any size split ties within and across kinds.
async fn the_nurture_queue_pages_through_every_item_once_in_order(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let store = db.store().await;
    let store = &*store;
    let ada = owner(store, "ada@example.com").await;
    let eve = owner(store, "eve@example.com").await;
    let settings = Settings {
        connection_policy: ConnectionPolicy::WhenIWouldRefer,
        comfort_threshold: 3,
        default_cadence_days: None,
        ..Settings::default()
    };
    store.put_settings(ada, settings, today()).await.unwrap();
    let day = |offset: i64| today() + Duration::days(offset);

    // Overdue: due in 14 days, three on that day.
    for name in ["Olga", "Oscar", "Otto"] {
        contact(store, ada, name, Some(14)).await;
    }
    // Follow-ups: one interaction with two people due in 14 days, one due
    // in 25 days, one too far ahead and one answered since.
    let fay = contact(store, ada, "Fay", None).await;
    let finn = contact(store, ada, "Finn", None).await;
    let fred = contact(store, ada, "Fred", None).await;
    let far = contact(store, ada, "Far", None).await;
    let answered = contact(store, ada, "Answered", None).await;
    let log = |contacts: Vec<Uuid>, on: NaiveDate, follow_up: Option<NaiveDate>| NewInteraction {
        contact_ids: contacts,
        kind: InteractionKind::Call,
        occurred_on: on,
        depth: Depth::Brief,
        initiated_by: Initiator::Me,
        notes: None,
        follow_up_on: follow_up,
    };
    for interaction in [
        log(vec![finn, fay], day(0), Some(day(14))),
        log(vec![fred], day(0), Some(day(25))),
        log(vec![far], day(0), Some(day(40))),
        log(vec![answered], day(-5), Some(day(14))),
        log(vec![answered], day(-1), None),
    ] {
        store
            .create_interaction(ada, interaction, today())
            .await
            .unwrap();
    }
    // Asked now: 20 days later they wait for an answer since day 14.
    for name in ["Asa", "Abe"] {
        let id = contact(store, ada, name, None).await;
        store
            .change_connection(ada, id, ConnectionStatus::Asked, None)
            .await
            .unwrap();
    }
    // Introductions waiting, and one declined.
    let ivy = contact(store, ada, "Ivy", None).await;
    let ian = contact(store, ada, "Ian", None).await;
    let first = store
        .create_introduction(ada, &introduce(ivy, ian))
        .await
        .unwrap();
    let second = store
        .create_introduction(ada, &introduce(ian, ivy))
        .await
        .unwrap();
    let declined = store
        .create_introduction(ada, &introduce(ivy, fay))
        .await
        .unwrap();
    store
        .update_introduction(
            ada,
            declined.id,
            1,
            &IntroductionUpdate {
                status: IntroductionStatus::Declined,
                outcome: None,
                reason: declined.reason.clone(),
            },
        )
        .await
        .unwrap();
    // Ready to ask (comfort 3), and mismatches (5 for strangers, already invited).
    for (name, rating, invited) in [
        ("Rita", 3, false),
        ("Rob", 3, false),
        ("Mona", 5, true),
        ("Max", 4, true),
    ] {
        let id = contact(store, ada, name, None).await;
        store
            .set_comfort(ada, id, Some(rating), None)
            .await
            .unwrap();
        if invited {
            store
                .change_connection(ada, id, ConnectionStatus::Invited, None)
                .await
                .unwrap();
        }
    }
    // Archived people are not on the list.
    let archived = store
        .create_contact(
            ada,
            NewContact {
                name: "Archie".into(),
                cadence_days: Some(1),
                archived: true,
                ..NewContact::default()
            },
            today(),
        )
        .await
        .unwrap();
    store
        .set_comfort(ada, archived.id, Some(5), None)
        .await
        .unwrap();

    let query = |after: Option<NurturePosition>, limit: u32| NurtureQuery {
        today: day(20),
        after,
        limit,
    };
    let everything = queue(store, ada, &query(None, 100)).await.unwrap();
    let kinds: Vec<NurtureKind> = everything.iter().map(|c| c.position.kind()).collect();
    use NurtureKind::*;
    assert_eq!(
        kinds,
        [
            Overdue,
            Overdue,
            Overdue,
            FollowUp,
            FollowUp,
            AwaitingAnswer,
            AwaitingAnswer,
            FollowUp,
            IntroductionWaiting,
            IntroductionWaiting,
            ReadyToAsk,
            ReadyToAsk,
            Mismatch,
            Mismatch,
        ]
    );
    let names: Vec<&str> = everything.iter().map(|c| c.contact.name.as_str()).collect();
    assert_eq!(&names[3..5], ["Fay", "Finn"]);
    assert_eq!(&names[5..8], ["Asa", "Abe", "Fred"], "asked in that order");
    assert_eq!(&names[10..], ["Rita", "Rob", "Max", "Mona"]);
    let introductions: Vec<_> = everything[8..10]
        .iter()
        .map(|c| c.position.clone())
        .collect();
    assert_eq!(
        introductions,
        [
            NurturePosition::IntroductionWaiting {
                at: first.status_changed_at,
                id: first.id
            },
            NurturePosition::IntroductionWaiting {
                at: second.status_changed_at,
                id: second.id
            },
        ]
    );
    for pair in everything.windows(2) {
        assert!(pair[0].position.urgency() <= pair[1].position.urgency());
    }

    for limit in 1..=5 {
        let mut walked = Vec::new();
        let mut after = None;
        loop {
            let mut rows = queue(store, ada, &query(after, limit + 1)).await.unwrap();
            let more = rows.len() > limit as usize;
            rows.truncate(limit as usize);
            after = rows.last().map(|c| c.position.clone());
            walked.extend(rows);
            if !more {
                break;
            }
        }
        assert_eq!(walked, everything, "pages of {limit}");
    }

    // Nothing is due yet today but the near follow-ups of the future.
    let now = queue(
        store,
        ada,
        &NurtureQuery {
            today: today(),
            ..query(None, 100)
        },
    )
    .await
    .unwrap();
    let kinds: Vec<NurtureKind> = now.iter().map(|c| c.position.kind()).collect();
    assert_eq!(
        kinds,
        [
            IntroductionWaiting,
            IntroductionWaiting,
            ReadyToAsk,
            ReadyToAsk,
            Mismatch,
            Mismatch
        ]
    );
    assert!(queue(store, eve, &query(None, 100))
        .await
        .unwrap()
        .is_empty());
}

rapport_tests::on_both_backends!(the_nurture_queue_pages_through_every_item_once_in_order);
