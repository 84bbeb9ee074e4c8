//! Submissions: idempotent inserts and the admin queue.

use super::{now_millis, parse_column, Site, Store};
use crate::auth;
use crate::error::Result;
use crate::model::{rfc3339_from_millis, QueueItem, Status};
use crate::submission::NewSubmission;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;
use sqlx::Row;

/// What the collector answers for a stored submission.
#[derive(Clone, Debug, PartialEq)]
pub struct Receipt {
    pub id: String,
    pub received_at: String,
    pub track_token: String,
}

/// How an insert went: new, the same content again, or the same id with other content.
#[derive(Clone, Debug, PartialEq)]
pub enum Insert {
    Created(Receipt),
    Replayed(Receipt),
    Conflict,
}

/// Where the next page of the queue starts: keyset on (received_at, id), newest first.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueCursor {
    received_at: i64,
    id: String,
}

impl QueueCursor {
    pub fn encode(&self) -> String {
        format!("{}_{}", self.received_at, self.id)
    }

    pub fn decode(text: &str) -> Option<Self> {
        let (millis, id) = text.split_once('_')?;
        Some(QueueCursor { received_at: millis.parse().ok()?, id: id.to_owned() })
    }
}

fn optional_json<T: serde::Serialize>(value: &Option<T>) -> Option<String> {
    value.as_ref().map(|v| serde_json::to_string(v).expect("plain data serializes"))
}

fn queue_item(row: &AnyRow) -> Result<QueueItem> {
    let stage: Option<String> = row.try_get("stage")?;
    let received_at: i64 = row.try_get("received_at")?;
    Ok(QueueItem {
        id: row.try_get("id")?,
        site_name: row.try_get("site_name")?,
        kind: parse_column(row, "kind")?,
        rating: row.try_get("rating")?,
        category: row.try_get("category")?,
        stage: stage.and_then(|s| s.parse().ok()),
        message: row.try_get("message")?,
        email: row.try_get("email")?,
        customer_tier: row.try_get("customer_tier")?,
        status: parse_column(row, "status")?,
        priority: parse_column(row, "priority")?,
        received_at: rfc3339_from_millis(received_at),
    })
}

/// Where a submission goes: its site and that site's organisation.
#[derive(Clone, Debug, PartialEq)]
pub struct Destination {
    pub site_id: String,
    pub org_id: String,
}

impl From<&Site> for Destination {
    fn from(site: &Site) -> Self {
        Destination { site_id: site.id.clone(), org_id: site.org_id.clone() }
    }
}

/// Inserts one submission on `conn` (a pooled connection or an open transaction). The
/// primary key on the client's id decides, so concurrent duplicates cannot both be created.
pub(super) async fn insert_one(conn: &mut AnyConnection, to: &Destination, sub: &NewSubmission) -> Result<Insert> {
    let id = sub.id.to_string();
    let received_at = now_millis();
    let track_token = auth::random_hex(24);
    let result = sqlx::query(
        "INSERT INTO submissions (id, site_id, org_id, kind, rating, dimensions, category, stage, \
         message, email, name, order_ref, page_url, locale, customer_id, customer_tier, metadata, \
         content_digest, track_token, received_at, status) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(&id)
    .bind(&to.site_id)
    .bind(&to.org_id)
    .bind(sub.kind.as_str())
    .bind(sub.rating.map(|r| i64::from(r.get())))
    .bind(optional_json(&sub.dimensions))
    .bind(&sub.category)
    .bind(sub.stage.map(|s| s.as_str()))
    .bind(&sub.message)
    .bind(&sub.email)
    .bind(&sub.name)
    .bind(&sub.order_ref)
    .bind(&sub.page_url)
    .bind(&sub.locale)
    .bind(sub.customer.as_ref().map(|c| c.id.clone()))
    .bind(sub.customer.as_ref().and_then(|c| c.tier.clone()))
    .bind(optional_json(&sub.metadata))
    .bind(&sub.content_digest)
    .bind(&track_token)
    .bind(received_at)
    .bind(if sub.spam { Status::Spam } else { Status::New }.as_str())
    .execute(&mut *conn)
    .await?;
    if result.rows_affected() == 1 {
        return Ok(Insert::Created(Receipt { id, received_at: rfc3339_from_millis(received_at), track_token }));
    }
    let existing =
        sqlx::query("SELECT site_id, content_digest, received_at, track_token FROM submissions WHERE id = $1")
            .bind(&id)
            .fetch_one(&mut *conn)
            .await?;
    let same_site: String = existing.try_get("site_id")?;
    let same_digest: String = existing.try_get("content_digest")?;
    if same_site != to.site_id || same_digest != sub.content_digest {
        return Ok(Insert::Conflict);
    }
    let received_at: i64 = existing.try_get("received_at")?;
    Ok(Insert::Replayed(Receipt {
        id,
        received_at: rfc3339_from_millis(received_at),
        track_token: existing.try_get("track_token")?,
    }))
}

impl Store {
    /// Stores `sub` for `site` once, in a commit of its own. The collector goes through
    /// [`super::SubmissionWriter`] instead, which shares commits between requests.
    pub async fn insert_submission(&self, site: &Site, sub: &NewSubmission) -> Result<Insert> {
        let mut conn = self.pool.acquire().await?;
        insert_one(&mut conn, &Destination::from(site), sub).await
    }

    /// The organisation's submissions, newest first, `limit` at a time.
    pub async fn queue(
        &self,
        org_id: &str,
        limit: i64,
        after: Option<&QueueCursor>,
    ) -> Result<(Vec<QueueItem>, Option<QueueCursor>)> {
        let (before_millis, before_id) = match after {
            Some(c) => (c.received_at, c.id.clone()),
            None => (i64::MAX, String::new()),
        };
        let rows = sqlx::query(
            "SELECT s.id, t.name AS site_name, s.kind, s.rating, s.category, s.stage, s.message, s.email, \
             s.customer_tier, s.status, s.priority, s.received_at \
             FROM submissions s JOIN sites t ON t.id = s.site_id \
             WHERE s.org_id = $1 AND (s.received_at < $2 OR (s.received_at = $2 AND s.id < $3) OR $4 = 1) \
             ORDER BY s.received_at DESC, s.id DESC LIMIT $5",
        )
        .bind(org_id)
        .bind(before_millis)
        .bind(&before_id)
        .bind(i64::from(after.is_none()))
        .bind(limit + 1)
        .fetch_all(&self.pool)
        .await?;
        let mut items = rows.iter().map(queue_item).collect::<Result<Vec<_>>>()?;
        let next = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            let last = rows.get(limit as usize - 1).expect("limit rows were read");
            Some(QueueCursor { received_at: last.try_get("received_at")?, id: last.try_get("id")? })
        } else {
            None
        };
        Ok((items, next))
    }
}

/// What a shopper's tracking link shows: nothing but their own submission's state.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Tracked {
    pub id: String,
    pub kind: crate::model::Kind,
    pub status: crate::model::Status,
    pub received_at: String,
}

impl Store {
    pub async fn tracked(&self, track_token: &str) -> Result<Option<Tracked>> {
        let row = sqlx::query("SELECT id, kind, status, received_at FROM submissions WHERE track_token = $1")
            .bind(track_token)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            let received_at: i64 = row.try_get("received_at")?;
            Ok(Tracked {
                id: row.try_get("id")?,
                kind: parse_column(&row, "kind")?,
                status: parse_column(&row, "status")?,
                received_at: rfc3339_from_millis(received_at),
            })
        })
        .transpose()
    }
}
