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

#[tokio::test]
async fn concurrent_submissions_share_commits_and_every_one_lands() {
    use hark_core::store::{Destination, Insert, NewSite, SubmissionWriter};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    for db in backends().await {
        let store = hark_core::Store::open(&db.url).await.unwrap();
        let org = store.ensure_org("Batch").await.unwrap();
        let site = store
            .add_site(&org, NewSite { name: "Batch".into(), allowed_origins: vec![], require_email: false })
            .await
            .unwrap();
        let commits = Arc::new(AtomicUsize::new(0));
        let counted = commits.clone();
        let writer = SubmissionWriter::spawn(
            store.clone(),
            Some(Arc::new(move |_size| {
                counted.fetch_add(1, Ordering::Relaxed);
            })),
        );
        let mut tasks = tokio::task::JoinSet::new();
        let total = 400;
        for n in 0..total {
            let (writer, site) = (writer.clone(), site.clone());
            tasks.spawn(async move {
                let body = serde_json::json!({"id": uuid::Uuid::new_v4().to_string(), "kind": "feedback", "message": format!("m{n}")});
                let submission = hark_core::submission::parse(body.to_string().as_bytes(), &site).unwrap();
                writer.insert(Destination::from(&site), submission).await.unwrap()
            });
        }
        let mut created = 0;
        while let Some(outcome) = tasks.join_next().await {
            assert!(matches!(outcome.unwrap(), Insert::Created(_)));
            created += 1;
        }
        assert_eq!(created, total);
        let (stored, _) = store.queue(&org.id, &Default::default(), 100, None).await.unwrap();
        assert_eq!(stored.len(), 100);
        let mut all = 0;
        let mut cursor = None;
        loop {
            let (page, next) = store.queue(&org.id, &Default::default(), 100, cursor.as_ref()).await.unwrap();
            all += page.len();
            match next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(all, total, "{}: every acknowledged submission is stored", db.label);
        let commits = commits.load(Ordering::Relaxed);
        assert!(commits < total, "{}: {commits} commits for {total} submissions", db.label);
        store.close().await;
    }
}

#[tokio::test]
async fn the_table_itself_refuses_unknown_kinds_statuses_priorities_and_sites_of_other_organisations() {
    use hark_core::store::NewSite;
    use sqlx::Connection;

    for db in backends().await {
        let store = hark_core::Store::open(&db.url).await.unwrap();
        let org = store.ensure_org("Checks").await.unwrap();
        let site = store
            .add_site(&org, NewSite { name: "Checks".into(), allowed_origins: vec![], require_email: false })
            .await
            .unwrap();
        let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
        let (site_id, org_id) = (site.id.clone(), org.id.clone());
        let mut insert = async |n: usize, kind: &str, status: &str, priority: &str| {
            let sql = format!(
                "INSERT INTO submissions (id, site_id, org_id, kind, content_digest, track_token, received_at, status, \
                 priority) VALUES ('check-{n}', '{site_id}', '{org_id}', '{kind}', 'd', 'token-{n}', 0, '{status}', \
                 '{priority}')"
            );
            sqlx::query(&sql).execute(&mut conn).await.map(|_| ())
        };
        assert!(insert(1, "complaint", "resolved", "urgent").await.is_ok(), "{}: a valid row", db.label);
        assert!(insert(2, "review", "new", "normal").await.is_err(), "{}: unknown kind", db.label);
        assert!(insert(3, "csat", "closed", "normal").await.is_err(), "{}: unknown status", db.label);
        assert!(insert(4, "csat", "new", "critical").await.is_err(), "{}: unknown priority", db.label);
        // A submission belongs to its site's organisation, not merely to one that exists.
        let other = store.ensure_org("Someone else").await.unwrap();
        let foreign = format!(
            "INSERT INTO submissions (id, site_id, org_id, kind, content_digest, track_token, received_at) \
             VALUES ('check-5', '{site_id}', '{}', 'csat', 'd', 'token-5', 0)",
            other.id
        );
        assert!(sqlx::query(&foreign).execute(&mut conn).await.is_err(), "{}: another organisation", db.label);
        let missing = format!(
            "INSERT INTO submissions (id, site_id, org_id, kind, content_digest, track_token, received_at) \
             VALUES ('check-6', 'no-such-site', '{org_id}', 'csat', 'd', 'token-6', 0)"
        );
        assert!(sqlx::query(&missing).execute(&mut conn).await.is_err(), "{}: a site that does not exist", db.label);
        // What the rule guards stays guarded after the insert: neither the submission
        // nor its site can move to another organisation, and the site cannot go.
        let moved = format!("UPDATE submissions SET org_id = '{}' WHERE id = 'check-1'", other.id);
        assert!(sqlx::query(&moved).execute(&mut conn).await.is_err(), "{}: a submission moved", db.label);
        let site_moved = format!("UPDATE sites SET org_id = '{}' WHERE id = '{site_id}'", other.id);
        assert!(sqlx::query(&site_moved).execute(&mut conn).await.is_err(), "{}: its site moved", db.label);
        let deleted = format!("DELETE FROM sites WHERE id = '{site_id}'");
        assert!(sqlx::query(&deleted).execute(&mut conn).await.is_err(), "{}: its site deleted", db.label);
        let renamed = format!("UPDATE sites SET name = 'Renamed' WHERE id = '{site_id}'");
        assert!(sqlx::query(&renamed).execute(&mut conn).await.is_ok(), "{}: a site renamed", db.label);
        let count = "SELECT COUNT(*) FROM submissions WHERE id LIKE 'check-%'";
        let stored: i64 = sqlx::query_scalar(count).fetch_one(&mut conn).await.unwrap();
        assert_eq!(stored, 1, "{}: only the valid row", db.label);
        store.close().await;
    }
}

#[tokio::test]
async fn a_batch_mixing_new_ids_replays_and_conflicts_answers_each() {
    use hark_core::store::{Destination, Insert, NewSite, SubmissionWriter};

    for db in backends().await {
        let store = hark_core::Store::open(&db.url).await.unwrap();
        let org = store.ensure_org("Mixed").await.unwrap();
        let site = store
            .add_site(&org, NewSite { name: "Mixed".into(), allowed_origins: vec![], require_email: false })
            .await
            .unwrap();
        let writer = SubmissionWriter::spawn(store.clone(), None);
        let submit = |id: &'static str, message: &'static str| {
            let (writer, site) = (writer.clone(), site.clone());
            async move {
                let body = serde_json::json!({"id": id, "kind": "feedback", "message": message});
                let submission = hark_core::submission::parse(body.to_string().as_bytes(), &site).unwrap();
                writer.insert(Destination::from(&site), submission).await.unwrap()
            }
        };
        let (old, new) = ("00000000-0000-4000-8000-00000000000a", "00000000-0000-4000-8000-00000000000b");
        let Insert::Created(first) = submit(old, "first").await else { panic!("{}: a new id is created", db.label) };
        // Sent together, so the writer takes them as one batch (or a few).
        let (replay, conflict, created, twice) =
            tokio::join!(submit(old, "first"), submit(old, "other"), submit(new, "new"), submit(new, "new"));
        assert_eq!(replay, Insert::Replayed(first), "{}: the first answer again", db.label);
        assert_eq!(conflict, Insert::Conflict, "{}", db.label);
        let receipts = match (created, twice) {
            (Insert::Created(a), Insert::Replayed(b)) | (Insert::Replayed(b), Insert::Created(a)) => (a, b),
            other => panic!("{}: one of two equal new submissions is created: {other:?}", db.label),
        };
        assert_eq!(receipts.0, receipts.1, "{}: both hear the same receipt", db.label);
        let (stored, _) = store.queue(&org.id, &Default::default(), 10, None).await.unwrap();
        assert_eq!(stored.len(), 2, "{}", db.label);
        store.close().await;
    }
}
