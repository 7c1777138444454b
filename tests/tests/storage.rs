//! The storage conformance suite, on SQLite and on PostgreSQL.

use rapport_storage::conformance;
use rapport_tests::{Backend, TestDb};

macro_rules! run_cases {
    ($($case:ident),* $(,)?) => {
        $(
            async fn $case(backend: Backend) {
                let Some(db) = TestDb::new(backend).await else { return };
                conformance::$case(db.store().await).await;
            }
        )*
        rapport_tests::on_both_backends!($($case),*);
    };
}

rapport_storage::conformance_cases!(run_cases);

/// Registers ada@example.com: her id.
async fn ada(store: &dyn rapport_storage::Store) -> uuid::Uuid {
    store
        .register_user(
            rapport_storage::NewUser {
                email: "ada@example.com".into(),
                display_name: "Ada".into(),
                password_hash: "x".into(),
            },
            rapport_storage::RegistrationGate::Open,
        )
        .await
        .unwrap()
        .id
}

#[tokio::test]
async fn a_sqlite_backup_taken_while_open_holds_the_data() {
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let store = db.store().await;
    ada(&*store).await;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("backup.db");
    store.backup_to(copy.to_str().unwrap()).await.unwrap();
    let restored = rapport_storage::connect(&format!("sqlite://{}", copy.display()))
        .await
        .unwrap();
    assert!(restored
        .user_by_email("ada@example.com")
        .await
        .unwrap()
        .is_some());
}

#[tokio::test]
async fn postgres_has_no_file_backup() {
    let Some(db) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let result = db.store().await.backup_to("/tmp/never-written.db").await;
    assert!(matches!(
        result,
        Err(rapport_storage::StoreError::Unsupported(_))
    ));
}

/// A deleted contact's search words go with it, and no one else's do
/// (PostgreSQL removes them by a trigger, SQLite by its reference).
async fn search_words_go_with_their_contact(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let store = db.store().await;
    let owner = ada(&*store).await;
    let today = chrono::Utc::now().date_naive();
    let mut ids = Vec::new();
    for name in ["Grace Hopper", "Katherine Johnson"] {
        let contact = rapport_core::contact::NewContact {
            name: name.into(),
            company: Some("Navy Computation Lab".into()),
            ..Default::default()
        };
        ids.push(store.create_contact(owner, contact, today).await.unwrap());
    }
    store
        .delete_contact(owner, ids[0].id, ids[0].version)
        .await
        .unwrap();
    let words_of = |id: uuid::Uuid| {
        let url = db.url.clone();
        async move {
            use sqlx::Connection;
            let sql = "SELECT count(*) FROM contact_words WHERE contact_id = $1";
            if url.starts_with("sqlite:") {
                let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
                sqlx::query_scalar::<_, i64>(sql)
                    .bind(id)
                    .fetch_one(&mut conn)
                    .await
                    .unwrap()
            } else {
                let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
                sqlx::query_scalar::<_, i64>(sql)
                    .bind(id)
                    .fetch_one(&mut conn)
                    .await
                    .unwrap()
            }
        }
    };
    assert_eq!(words_of(ids[0].id).await, 0, "the deleted contact's words");
    assert!(
        words_of(ids[1].id).await >= 4,
        "the other contact keeps hers"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_words_go_with_their_contact_on_sqlite() {
    search_words_go_with_their_contact(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_words_go_with_their_contact_on_postgres() {
    search_words_go_with_their_contact(Backend::Postgres).await
}
