//! What the storage layer promises about durability, on every backend reachable here.

mod support;

use support::backends;

#[tokio::test]
async fn a_commit_is_durable_before_it_is_acknowledged() {
    for db in backends().await {
        let store = hark_core::Store::open(&db.url).await.unwrap();
        let durability = store.durability().await.unwrap();
        match db.label {
            // WAL, and synchronous=FULL (2): the WAL is fsynced at every commit.
            "sqlite" => assert_eq!(durability, "journal_mode=wal synchronous=2"),
            _ => assert_eq!(durability, "fsync=on synchronous_commit=on"),
        }
        store.close().await;
    }
}

#[tokio::test]
async fn migrations_run_once_and_reopening_keeps_the_data() {
    for db in backends().await {
        let store = hark_core::Store::open(&db.url).await.unwrap();
        let org = store.ensure_org("Persist").await.unwrap();
        store.close().await;
        let reopened = hark_core::Store::open(&db.url).await.unwrap();
        assert_eq!(reopened.first_org().await.unwrap(), Some(org), "{}", db.label);
        reopened.close().await;
    }
}
