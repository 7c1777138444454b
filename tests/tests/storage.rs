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

#[tokio::test]
async fn a_sqlite_backup_taken_while_open_holds_the_data() {
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let store = db.store().await;
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
        .unwrap();
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
