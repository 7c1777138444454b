//! The storage conformance suite: what every backend must do, written once.
//! The tests package runs each case on SQLite and on PostgreSQL.

use std::sync::Arc;

use chrono::Duration;
use rapport_core::account::{Role, TokenScope};
use uuid::Uuid;

mod events;
mod export;
mod introductions;
mod merge;
pub use events::*;
pub use export::*;
pub use introductions::*;
pub use merge::*;

use crate::{
    now, Cursor, NewApiToken, NewInvite, NewSession, NewUser, RefreshOutcome, RegistrationGate,
    RegistrationRefusal, Store, StoreError, UserRecord,
};

fn new_user(email: &str) -> NewUser {
    NewUser {
        email: email.to_owned(),
        display_name: format!("Person {email}"),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo".to_owned(),
    }
}

async fn user(store: &dyn Store, email: &str) -> UserRecord {
    store
        .register_user(new_user(email), RegistrationGate::Open)
        .await
        .expect("registration")
}

fn hash(seed: &str) -> Vec<u8> {
    let mut bytes = seed.as_bytes().to_vec();
    bytes.resize(32, 0);
    bytes
}

async fn session(store: &dyn Store, user: Uuid, refresh: &str) -> Uuid {
    store
        .create_session(NewSession {
            user_id: user,
            refresh_hash: hash(refresh),
            expires_at: now() + Duration::days(30),
            user_agent: Some("conformance".into()),
        })
        .await
        .expect("session")
}

pub async fn first_account_is_admin_and_later_ones_pass_the_gate(store: Arc<dyn Store>) {
    let store = &*store;
    let first = store
        .register_user(new_user("first@example.com"), RegistrationGate::Closed)
        .await
        .expect("the first account may always register");
    assert_eq!(first.role, Role::Admin);
    let refused = store
        .register_user(new_user("second@example.com"), RegistrationGate::Closed)
        .await;
    assert!(matches!(
        refused,
        Err(StoreError::Registration(RegistrationRefusal::Closed))
    ));
    let refused = store
        .register_user(
            new_user("second@example.com"),
            RegistrationGate::Invite(None),
        )
        .await;
    assert!(matches!(
        refused,
        Err(StoreError::Registration(
            RegistrationRefusal::InviteRequired
        ))
    ));
    let second = store
        .register_user(new_user("second@example.com"), RegistrationGate::Open)
        .await
        .unwrap();
    assert_eq!(second.role, Role::User);
    assert!(store
        .user_by_email("second@example.com")
        .await
        .unwrap()
        .is_some());
    assert!(store
        .user_by_email("third@example.com")
        .await
        .unwrap()
        .is_none());
}

pub async fn concurrent_first_registrations_make_one_admin(store: Arc<dyn Store>) {
    let attempts: Vec<_> = (0..6)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .register_user(
                        new_user(&format!("racer{n}@example.com")),
                        RegistrationGate::Open,
                    )
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut admins = 0;
    for attempt in attempts {
        if attempt.await.unwrap().role == Role::Admin {
            admins += 1;
        }
    }
    assert_eq!(admins, 1);
}

pub async fn emails_are_unique(store: Arc<dyn Store>) {
    user(&*store, "ada@example.com").await;
    let again = store
        .register_user(new_user("ada@example.com"), RegistrationGate::Open)
        .await;
    assert!(matches!(again, Err(StoreError::Duplicate)));
    let other = user(&*store, "grace@example.com").await;
    let clash = store
        .update_profile(other.id, None, Some("ada@example.com".into()), None)
        .await;
    assert!(matches!(clash, Err(StoreError::Duplicate)));
    let renamed = store
        .update_profile(
            other.id,
            Some("Grace H.".into()),
            None,
            Some("Europe/Berlin".into()),
        )
        .await
        .unwrap();
    assert_eq!(
        (renamed.display_name.as_str(), renamed.email.as_str()),
        ("Grace H.", "grace@example.com")
    );
    assert_eq!(renamed.time_zone.as_deref(), Some("Europe/Berlin"));
    // Absent fields stay as they are, the time zone too.
    let again = store
        .update_profile(other.id, None, None, None)
        .await
        .unwrap();
    assert_eq!(again.time_zone.as_deref(), Some("Europe/Berlin"));
    let read = store.user_by_id(other.id).await.unwrap().unwrap();
    assert_eq!(read.time_zone.as_deref(), Some("Europe/Berlin"));
}

pub async fn invites_are_single_use_and_expire(store: Arc<dyn Store>) {
    let admin = user(&*store, "admin@example.com").await;
    let invite = store
        .create_invite(NewInvite {
            created_by: admin.id,
            code_hash: hash("code-1"),
            prefix: "code".into(),
            expires_at: now() + Duration::days(1),
        })
        .await
        .unwrap();
    assert!(invite.used_at.is_none());
    let invited = store
        .register_user(
            new_user("invited@example.com"),
            RegistrationGate::Invite(Some(hash("code-1"))),
        )
        .await
        .unwrap();
    let reuse = store
        .register_user(
            new_user("again@example.com"),
            RegistrationGate::Invite(Some(hash("code-1"))),
        )
        .await;
    assert!(matches!(
        reuse,
        Err(StoreError::Registration(RegistrationRefusal::InviteInvalid))
    ));
    store
        .create_invite(NewInvite {
            created_by: admin.id,
            code_hash: hash("code-old"),
            prefix: "old".into(),
            expires_at: now() - Duration::seconds(1),
        })
        .await
        .unwrap();
    let expired = store
        .register_user(
            new_user("late@example.com"),
            RegistrationGate::Invite(Some(hash("code-old"))),
        )
        .await;
    assert!(matches!(
        expired,
        Err(StoreError::Registration(RegistrationRefusal::InviteInvalid))
    ));
    // A refused registration writes nothing.
    assert!(store
        .user_by_email("late@example.com")
        .await
        .unwrap()
        .is_none());
    let listed = store.list_invites(None, 10).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].used_by, Some(invited.id));
}

pub async fn refresh_tokens_rotate_and_a_replay_revokes_the_session(store: Arc<dyn Store>) {
    let ada = user(&*store, "ada@example.com").await;
    let sid = session(&*store, ada.id, "r1").await;
    assert!(store.session_user(sid, ada.id).await.unwrap().is_some());
    let expires = now() + Duration::days(30);
    let rotated = store
        .rotate_refresh_token(&hash("r1"), &hash("r2"), expires)
        .await
        .unwrap();
    assert!(matches!(rotated, RefreshOutcome::Rotated { session_id, .. } if session_id == sid));
    let unknown = store
        .rotate_refresh_token(&hash("nope"), &hash("r3"), expires)
        .await
        .unwrap();
    assert_eq!(unknown, RefreshOutcome::Invalid);
    let replay = store
        .rotate_refresh_token(&hash("r1"), &hash("r3"), expires)
        .await
        .unwrap();
    assert_eq!(replay, RefreshOutcome::Replayed);
    // The whole family is gone: the current token and the session itself.
    let current = store
        .rotate_refresh_token(&hash("r2"), &hash("r4"), expires)
        .await
        .unwrap();
    assert_eq!(current, RefreshOutcome::Invalid);
    assert!(store.session_user(sid, ada.id).await.unwrap().is_none());
}

pub async fn concurrent_use_of_one_refresh_token_rotates_once(store: Arc<dyn Store>) {
    let ada = user(&*store, "ada@example.com").await;
    let sid = session(&*store, ada.id, "shared").await;
    let racers: Vec<_> = (0..4)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .rotate_refresh_token(
                        &hash("shared"),
                        &hash(&format!("next{n}")),
                        now() + Duration::days(1),
                    )
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut rotated = 0;
    for racer in racers {
        if matches!(racer.await.unwrap(), RefreshOutcome::Rotated { .. }) {
            rotated += 1;
        }
    }
    assert_eq!(rotated, 1);
    // The losers were replays, so the session is revoked.
    assert!(store.session_user(sid, ada.id).await.unwrap().is_none());
}

pub async fn sessions_belong_to_their_owner(store: Arc<dyn Store>) {
    let ada = user(&*store, "ada@example.com").await;
    let eve = user(&*store, "eve@example.com").await;
    let first = session(&*store, ada.id, "a1").await;
    let second = session(&*store, ada.id, "a2").await;
    assert!(store.session_user(first, eve.id).await.unwrap().is_none());
    assert!(!store.revoke_session(eve.id, first).await.unwrap());
    assert!(store.list_sessions(eve.id, None).await.unwrap().is_empty());
    let listed = store.list_sessions(ada.id, Some(second)).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().any(|s| s.id == second && s.current));
    assert!(store.revoke_session(ada.id, first).await.unwrap());
    assert!(!store.revoke_session(ada.id, first).await.unwrap());
    assert_eq!(store.list_sessions(ada.id, None).await.unwrap().len(), 1);
    assert_eq!(
        store.revoke_session_by_refresh(&hash("a2")).await.unwrap(),
        Some(ada.id)
    );
    assert!(store.list_sessions(ada.id, None).await.unwrap().is_empty());
}

pub async fn a_password_change_revokes_the_other_sessions(store: Arc<dyn Store>) {
    let ada = user(&*store, "ada@example.com").await;
    let keep = session(&*store, ada.id, "keep").await;
    let other = session(&*store, ada.id, "other").await;
    store
        .change_password(ada.id, "$argon2id$new", Some(keep))
        .await
        .unwrap();
    assert!(store.session_user(keep, ada.id).await.unwrap().is_some());
    assert!(store.session_user(other, ada.id).await.unwrap().is_none());
    let stored = store.user_by_id(ada.id).await.unwrap().unwrap();
    assert_eq!(stored.password_hash, "$argon2id$new");
    store
        .change_password(ada.id, "$argon2id$newer", None)
        .await
        .unwrap();
    assert!(store.session_user(keep, ada.id).await.unwrap().is_none());
}

async fn token(store: &dyn Store, user: Uuid, seed: &str, expires_in: Option<Duration>) -> Uuid {
    store
        .create_api_token(NewApiToken {
            user_id: user,
            name: format!("token {seed}"),
            scope: TokenScope::Read,
            prefix: "rpt_abc".into(),
            token_hash: hash(seed),
            expires_at: expires_in.map(|d| now() + d),
        })
        .await
        .unwrap()
        .id
}

pub async fn api_tokens_authenticate_expire_and_belong_to_their_owner(store: Arc<dyn Store>) {
    let ada = user(&*store, "ada@example.com").await;
    let eve = user(&*store, "eve@example.com").await;
    let live = token(&*store, ada.id, "live", None).await;
    token(&*store, ada.id, "expired", Some(Duration::seconds(-1))).await;
    let (found, owner) = store
        .authenticate_api_token(&hash("live"))
        .await
        .unwrap()
        .expect("a live token authenticates");
    assert_eq!((found.id, owner.user.id), (live, ada.id));
    assert_eq!(owner.user, ada, "the owner as stored");
    assert!(found.last_used_at.is_some(), "use is recorded");
    assert!(store
        .authenticate_api_token(&hash("expired"))
        .await
        .unwrap()
        .is_none());
    assert!(store
        .authenticate_api_token(&hash("unknown"))
        .await
        .unwrap()
        .is_none());
    assert!(store.list_api_tokens(eve.id).await.unwrap().is_empty());
    assert_eq!(store.count_api_tokens(ada.id).await.unwrap(), 2);
    assert!(!store.delete_api_token(eve.id, live).await.unwrap());
    assert!(store.delete_api_token(ada.id, live).await.unwrap());
    assert!(store
        .authenticate_api_token(&hash("live"))
        .await
        .unwrap()
        .is_none());
}

pub async fn disabling_ends_sessions_and_tokens_at_once(store: Arc<dyn Store>) {
    let ada = user(&*store, "ada@example.com").await;
    let sid = session(&*store, ada.id, "s").await;
    token(&*store, ada.id, "t", None).await;
    let disabled = store.set_user_disabled(ada.id, true).await.unwrap();
    assert!(disabled.disabled);
    assert!(store.session_user(sid, ada.id).await.unwrap().is_none());
    assert!(store
        .authenticate_api_token(&hash("t"))
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        store
            .rotate_refresh_token(&hash("s"), &hash("s2"), now() + Duration::days(1))
            .await
            .unwrap(),
        RefreshOutcome::Invalid
    );
    let enabled = store.set_user_disabled(ada.id, false).await.unwrap();
    assert!(!enabled.disabled);
    assert!(matches!(
        store.set_user_disabled(Uuid::new_v4(), true).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn users_are_listed_in_pages(store: Arc<dyn Store>) {
    for n in 0..5 {
        user(&*store, &format!("user{n}@example.com")).await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<Cursor> = None;
    loop {
        let page = store.list_users(cursor.as_ref(), 2).await.unwrap();
        if page.is_empty() {
            break;
        }
        let last = page.last().unwrap();
        cursor = Some(Cursor {
            created_at: last.created_at,
            id: last.id,
        });
        seen.extend(page.into_iter().map(|u| u.email));
    }
    assert_eq!(seen.len(), 5);
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(unique.len(), 5, "no row appears on two pages");
}

pub async fn timestamps_read_back_as_written(store: Arc<dyn Store>) {
    let ada = user(&*store, "ada@example.com").await;
    let again = store.user_by_id(ada.id).await.unwrap().unwrap();
    assert_eq!(again.created_at, ada.created_at);
    assert_eq!(again, ada);
    assert!((now() - ada.created_at).num_seconds().abs() < 60);
}

pub async fn the_data_version_moves_with_every_change_to_contacts_and_settings(
    store: Arc<dyn Store>,
) {
    use rapport_core::contact::{ConnectionStatus, NewContact};
    use rapport_core::interaction::{Depth, Initiator, InteractionKind};
    use rapport_core::network::{ConnectionPolicy, NewInteraction, Settings};
    let ada = user(&*store, "ada@example.com").await;
    let eve = user(&*store, "eve@example.com").await;
    let today = now().date_naive();
    let mut seen = store.data_version(ada.id).await.unwrap();
    let eve_before = store.data_version(eve.id).await.unwrap();
    // Each step must move Ada's version, and only hers.
    fn moved(seen: &mut i64, version: i64, what: &str) {
        assert!(version > *seen, "{what}: {version} after {seen}");
        *seen = version;
    }

    let bob = store
        .create_contact(
            ada.id,
            NewContact {
                name: "Bob".into(),
                ..NewContact::default()
            },
            today,
        )
        .await
        .unwrap();
    moved(
        &mut seen,
        store.data_version(ada.id).await.unwrap(),
        "create",
    );
    let bob = store
        .update_contact(
            ada.id,
            bob.id,
            bob.version,
            NewContact {
                name: "Bob Byte".into(),
                ..NewContact::default()
            },
            today,
        )
        .await
        .unwrap();
    moved(
        &mut seen,
        store.data_version(ada.id).await.unwrap(),
        "update",
    );
    store
        .set_comfort(ada.id, bob.id, Some(3), None)
        .await
        .unwrap();
    moved(
        &mut seen,
        store.data_version(ada.id).await.unwrap(),
        "comfort",
    );
    store
        .change_connection(ada.id, bob.id, ConnectionStatus::Asked, None)
        .await
        .unwrap();
    moved(
        &mut seen,
        store.data_version(ada.id).await.unwrap(),
        "connection",
    );
    let call = store
        .create_interaction(
            ada.id,
            NewInteraction {
                contact_ids: vec![bob.id],
                kind: InteractionKind::Call,
                occurred_on: today,
                depth: Depth::Conversation,
                initiated_by: Initiator::Mutual,
                notes: None,
                follow_up_on: None,
            },
            today,
        )
        .await
        .unwrap();
    moved(
        &mut seen,
        store.data_version(ada.id).await.unwrap(),
        "interaction",
    );
    store
        .delete_interaction(ada.id, call.id, call.version, today)
        .await
        .unwrap();
    moved(
        &mut seen,
        store.data_version(ada.id).await.unwrap(),
        "interaction deleted",
    );
    let settings = Settings {
        connection_policy: ConnectionPolicy::Open,
        ..Settings::default()
    };
    store.put_settings(ada.id, settings, today).await.unwrap();
    moved(
        &mut seen,
        store.data_version(ada.id).await.unwrap(),
        "settings",
    );
    // Reading changes nothing.
    store.network_json(ada.id).await.unwrap();
    store.contact(ada.id, bob.id).await.unwrap();
    assert_eq!(store.data_version(ada.id).await.unwrap(), seen, "reads");
    let bob = store.contact(ada.id, bob.id).await.unwrap().unwrap();
    store
        .delete_contact(ada.id, bob.id, bob.version)
        .await
        .unwrap();
    moved(
        &mut seen,
        store.data_version(ada.id).await.unwrap(),
        "delete",
    );
    assert_eq!(
        store.data_version(eve.id).await.unwrap(),
        eve_before,
        "another user"
    );
    // Signing in reads the same version, for sessions and tokens alike.
    let sid = session(&*store, ada.id, "s").await;
    token(&*store, ada.id, "t", None).await;
    let by_session = store.session_user(sid, ada.id).await.unwrap().unwrap();
    let (_, by_token) = store
        .authenticate_api_token(&hash("t"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_session.data_version, seen);
    assert_eq!(
        (by_token.user, by_token.data_version),
        (by_session.user, by_session.data_version)
    );
    assert_eq!(by_token.expires_at, None, "the token does not expire");
    assert!(by_session.expires_at.is_some_and(|end| end > now()));
    let eve_sid = session(&*store, eve.id, "e").await;
    let eve_seen = store.session_user(eve_sid, eve.id).await.unwrap().unwrap();
    assert_eq!(eve_seen.data_version, eve_before, "her own version");
}

pub async fn the_network_view_is_the_same_json_on_every_backend(store: Arc<dyn Store>) {
    use rapport_core::contact::NewContact;
    use rapport_core::interaction::{Depth, Initiator, InteractionKind};
    use rapport_core::network::NewInteraction;
    let ada = user(&*store, "ada@example.com").await;
    let eve = user(&*store, "eve@example.com").await;
    let today = now().date_naive();
    let contact = |name: &str, company: Option<&str>, tags: &[&str], archived: bool| NewContact {
        name: name.into(),
        company: company.map(Into::into),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        archived,
        ..NewContact::default()
    };
    let grace = store
        .create_contact(
            ada.id,
            contact("Grace", Some("Navy"), &["mentor", "cs"], false),
            today,
        )
        .await
        .unwrap();
    let alan = store
        .create_contact(ada.id, contact("alan", None, &[], false), today)
        .await
        .unwrap();
    store
        .create_contact(ada.id, contact("Archived", None, &[], true), today)
        .await
        .unwrap();
    store
        .set_comfort(ada.id, alan.id, Some(4), None)
        .await
        .unwrap();
    let met_on = today - Duration::days(3);
    store
        .create_interaction(
            ada.id,
            NewInteraction {
                contact_ids: vec![grace.id],
                kind: InteractionKind::CoffeeOrLunch,
                occurred_on: met_on,
                depth: Depth::InDepth,
                initiated_by: Initiator::Mutual,
                notes: None,
                follow_up_on: None,
            },
            today,
        )
        .await
        .unwrap();
    let grace_now = store.contact(ada.id, grace.id).await.unwrap().unwrap();
    let text = store.network_json(ada.id).await.unwrap();
    // Byte for byte what serde writes: compact, fields in the API's order.
    let entries: Vec<rapport_core::network::NetworkEntry> = serde_json::from_str(&text).unwrap();
    assert_eq!(serde_json::to_string(&entries).unwrap(), text);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        json,
        serde_json::json!([
            {"id": alan.id, "name": "alan", "company": null, "comfort": 4, "familiarity": 0,
             "connection_status": "not_connected", "tags": [], "last_interaction_on": null},
            {"id": grace.id, "name": "Grace", "company": "Navy", "comfort": null,
             "familiarity": grace_now.familiarity, "connection_status": "not_connected",
             "tags": ["mentor", "cs"], "last_interaction_on": met_on},
        ])
    );
    assert!(grace_now.familiarity > 0);
    assert_eq!(store.network_json(eve.id).await.unwrap(), "[]");
}

pub async fn the_database_answers_pings(store: Arc<dyn Store>) {
    store.ping().await.unwrap();
}

/// The daily familiarity refresh changes many contacts in one transaction:
/// the version moves (on PostgreSQL exactly once: thousands of updates of
/// one row in one transaction are quadratic there).
pub async fn a_transaction_changing_many_contacts_moves_the_version(store: Arc<dyn Store>) {
    use rapport_core::contact::NewContact;
    use rapport_core::network::Settings;
    let ada = user(&*store, "ada@example.com").await;
    let today = now().date_naive();
    for i in 0..30 {
        let contact = NewContact {
            name: format!("Person {i}"),
            ..NewContact::default()
        };
        store.create_contact(ada.id, contact, today).await.unwrap();
    }
    let before = store.data_version(ada.id).await.unwrap();
    let tomorrow = today.succ_opt().unwrap();
    let refreshed = store
        .refresh_familiarity(ada.id, tomorrow, 100)
        .await
        .unwrap();
    assert_eq!(refreshed, 30);
    let after = store.data_version(ada.id).await.unwrap();
    assert!(after > before, "{after} after {before}");
    if store.backend() == crate::Backend::Postgres {
        assert_eq!(after, before + 1, "once per transaction");
    }
    // The next transaction moves it again.
    store
        .put_settings(ada.id, Settings::default(), today)
        .await
        .unwrap();
    assert!(store.data_version(ada.id).await.unwrap() > after);
}

/// The daily upkeep: familiarity computed on an earlier day is brought up
/// to the given day in batches of the given size, each contact exactly as
/// the core computes it from its own interactions; other owners' contacts
/// and contacts already computed that day are left alone.
pub async fn familiarity_upkeep_refreshes_stale_contacts_in_batches(store: Arc<dyn Store>) {
    use rapport_core::contact::NewContact;
    use rapport_core::interaction::{Depth, Initiator, InteractionKind};
    use rapport_core::network::NewInteraction;
    let ada = user(&*store, "ada@example.com").await;
    let bob = user(&*store, "bob@example.com").await;
    let today = now().date_naive();
    let mut ids = Vec::new();
    for i in 0..7 {
        let contact = NewContact {
            name: format!("Person {i}"),
            ..NewContact::default()
        };
        ids.push(
            store
                .create_contact(ada.id, contact, today)
                .await
                .unwrap()
                .id,
        );
    }
    let bobs = store
        .create_contact(
            bob.id,
            NewContact {
                name: "Bob's".into(),
                ..NewContact::default()
            },
            today,
        )
        .await
        .unwrap()
        .id;
    // Contacts 0..5 had an in-depth mutual coffee 10 days ago; 0 also a
    // brief email from them today.
    let mut facts = Vec::new();
    for (n, id) in ids.iter().take(5).enumerate() {
        let coffee = NewInteraction {
            contact_ids: vec![*id],
            kind: InteractionKind::CoffeeOrLunch,
            occurred_on: today - Duration::days(10),
            depth: Depth::InDepth,
            initiated_by: Initiator::Mutual,
            notes: None,
            follow_up_on: None,
        };
        store
            .create_interaction(ada.id, coffee, today)
            .await
            .unwrap();
        let mut mine = vec![rapport_core::familiarity::InteractionFacts {
            kind: InteractionKind::CoffeeOrLunch,
            depth: Depth::InDepth,
            initiated_by: Initiator::Mutual,
            occurred_on: today - Duration::days(10),
        }];
        if n == 0 {
            let email = NewInteraction {
                contact_ids: vec![*id],
                kind: InteractionKind::Email,
                occurred_on: today,
                depth: Depth::Brief,
                initiated_by: Initiator::Them,
                notes: None,
                follow_up_on: None,
            };
            store
                .create_interaction(ada.id, email, today)
                .await
                .unwrap();
            mine.push(rapport_core::familiarity::InteractionFacts {
                kind: InteractionKind::Email,
                depth: Depth::Brief,
                initiated_by: Initiator::Them,
                occurred_on: today,
            });
        }
        facts.push(mine);
    }
    let later = today + Duration::days(400);
    let score_on = |id: Uuid, day| {
        let n = ids.iter().position(|i| *i == id).unwrap();
        rapport_core::familiarity::familiarity(facts.get(n).map_or(&[][..], |f| &f[..]), day, None)
    };
    let stale = store.owners_with_stale_familiarity(later).await.unwrap();
    assert!(
        stale.contains(&(ada.id, None)) && stale.contains(&(bob.id, None)),
        "{stale:?}"
    );
    assert!(store
        .owners_with_stale_familiarity(today)
        .await
        .unwrap()
        .is_empty());

    // Nothing is stale as of today: everything was computed when written.
    assert_eq!(
        store.refresh_familiarity(ada.id, today, 3).await.unwrap(),
        0
    );
    // Three, three, one, then none.
    let mut batches = Vec::new();
    loop {
        let n = store.refresh_familiarity(ada.id, later, 3).await.unwrap();
        if n == 0 {
            break;
        }
        batches.push(n);
    }
    assert_eq!(batches, vec![3, 3, 1]);
    for id in &ids {
        let record = store.contact(ada.id, *id).await.unwrap().unwrap();
        let expected = score_on(*id, later);
        assert_eq!(record.familiarity, expected.score, "{}", record.data.name);
        assert_eq!(record.suggested_comfort, expected.suggested_comfort);
        assert_eq!(record.familiarity_as_of, Some(later));
    }
    let first = store.contact(ada.id, ids[0]).await.unwrap().unwrap();
    assert!(
        first.familiarity < score_on(ids[0], today).score,
        "it decayed"
    );
    assert!(first.familiarity > 0);
    // Bob's contact was not touched.
    let bobs = store.contact(bob.id, bobs).await.unwrap().unwrap();
    assert_eq!(bobs.familiarity_as_of, Some(today));
    assert_eq!(
        store.owners_with_stale_familiarity(later).await.unwrap(),
        vec![(bob.id, None)]
    );
}

/// A lease is held by one holder at a time until it expires; its holder
/// renews it.
pub async fn a_lease_has_one_holder_until_it_expires(store: Arc<dyn Store>) {
    let (one, two) = (Uuid::new_v4(), Uuid::new_v4());
    let t = now();
    assert!(store.take_lease("job", one, t, 60).await.unwrap());
    assert!(!store.take_lease("job", two, t, 60).await.unwrap());
    assert!(store.take_lease("other job", two, t, 60).await.unwrap());
    let later = t + Duration::seconds(59);
    assert!(
        store.take_lease("job", one, later, 60).await.unwrap(),
        "renewed"
    );
    assert!(!store
        .take_lease("job", two, t + Duration::seconds(100), 60)
        .await
        .unwrap());
    let expired = t + Duration::seconds(120);
    assert!(
        store.take_lease("job", two, expired, 60).await.unwrap(),
        "taken over"
    );
    assert!(!store.take_lease("job", one, expired, 60).await.unwrap());
}

/// SQLite's change stamp (`PRAGMA data_version`) moves with every commit
/// and stays put while only reads happen; PostgreSQL has a feed instead.
pub async fn the_change_stamp_moves_with_every_commit_and_only_then(store: Arc<dyn Store>) {
    if store.backend() != crate::Backend::Sqlite {
        assert!(store.change_stamp().await.is_none());
        return;
    }
    let ada = user(&*store, "ada@example.com").await;
    let before = store.change_stamp().await.expect("a readable stamp");
    store.ping().await.unwrap();
    store.user_by_email("ada@example.com").await.unwrap();
    store.network_json(ada.id).await.unwrap();
    assert_eq!(
        store.change_stamp().await,
        Some(before),
        "reads change nothing"
    );
    let sid = session(&*store, ada.id, "s").await;
    let after_session = store.change_stamp().await.unwrap();
    assert_ne!(after_session, before, "a new session");
    store.revoke_session(ada.id, sid).await.unwrap();
    assert_ne!(
        store.change_stamp().await.unwrap(),
        after_session,
        "a revocation"
    );
}

/// Every case, by name, for the per-backend test generator.
#[macro_export]
macro_rules! conformance_cases {
    ($run:ident) => {
        $run!(
            first_account_is_admin_and_later_ones_pass_the_gate,
            concurrent_first_registrations_make_one_admin,
            emails_are_unique,
            invites_are_single_use_and_expire,
            refresh_tokens_rotate_and_a_replay_revokes_the_session,
            concurrent_use_of_one_refresh_token_rotates_once,
            sessions_belong_to_their_owner,
            a_password_change_revokes_the_other_sessions,
            api_tokens_authenticate_expire_and_belong_to_their_owner,
            disabling_ends_sessions_and_tokens_at_once,
            users_are_listed_in_pages,
            timestamps_read_back_as_written,
            the_network_view_is_the_same_json_on_every_backend,
            the_data_version_moves_with_every_change_to_contacts_and_settings,
            the_change_stamp_moves_with_every_commit_and_only_then,
            a_transaction_changing_many_contacts_moves_the_version,
            familiarity_upkeep_refreshes_stale_contacts_in_batches,
            a_lease_has_one_holder_until_it_expires,
            the_database_answers_pings,
            introductions_belong_to_their_owner_and_go_with_their_contacts,
            events_belong_to_their_owner_and_keep_their_contacts,
            a_card_drop_finds_the_same_person_again,
            concurrent_drops_of_one_card_make_one_contact,
            exports_read_all_of_the_owners_rows_and_nothing_else,
            a_calendar_feed_is_found_by_its_secret_until_rotated_or_revoked,
            a_merge_moves_everything_to_the_survivor_and_deletes_the_other,
            duplicate_candidates_are_the_owners_active_contacts,
        );
    };
}
