//! Submissions: idempotent inserts and the admin queue.

use super::{now_millis, parse_column, Backend, Site, Store};
use crate::auth;
use crate::error::Result;
use crate::model::{rfc3339_from_millis, QueueItem, Status};
use crate::submission::NewSubmission;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;
use sqlx::Row;
use std::collections::{HashMap, HashSet};

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

/// The row an id already has, to tell a replay from a conflict.
struct Stored {
    site_id: String,
    content_digest: String,
    receipt: Receipt,
}

impl Stored {
    /// How a submission with this id compares with what is stored under it.
    fn answer(&self, to: &Destination, sub: &NewSubmission) -> Insert {
        if self.site_id == to.site_id && self.content_digest == sub.content_digest {
            Insert::Replayed(self.receipt.clone())
        } else {
            Insert::Conflict
        }
    }
}

const COLUMNS: &str = "id, site_id, org_id, kind, rating, dimensions, category, stage, message, email, name, \
                       order_ref, page_url, locale, customer_id, customer_tier, metadata, content_digest, \
                       track_token, received_at, status";
const COLUMN_COUNT: usize = 21;

/// Inserts `items` on `conn` (a pooled connection or an open transaction) in one
/// statement and answers each. The primary key on the client's id decides, so concurrent
/// duplicates cannot both be created; within `items` the first of an id is the one tried.
pub(super) async fn insert_batch(
    backend: Backend,
    conn: &mut AnyConnection,
    items: &[(&Destination, &NewSubmission)],
) -> Result<Vec<Insert>> {
    let received_at = now_millis();
    let ids: Vec<String> = items.iter().map(|(_, sub)| sub.id.to_string()).collect();
    let mut leaders: HashMap<&str, usize> = HashMap::new();
    for (index, id) in ids.iter().enumerate() {
        leaders.entry(id.as_str()).or_insert(index);
    }
    let tried: Vec<usize> = (0..items.len()).filter(|i| leaders[ids[*i].as_str()] == *i).collect();
    let receipts: HashMap<usize, Receipt> = tried
        .iter()
        .map(|&i| {
            (
                i,
                Receipt {
                    id: ids[i].clone(),
                    received_at: rfc3339_from_millis(received_at),
                    track_token: auth::random_hex(24),
                },
            )
        })
        .collect();

    let placeholders: Vec<String> = (0..tried.len())
        .map(|row| {
            let params: Vec<String> = (1..=COLUMN_COUNT).map(|c| backend.placeholder(row * COLUMN_COUNT + c)).collect();
            format!("({})", params.join(", "))
        })
        .collect();
    let sql = format!(
        "INSERT INTO submissions ({COLUMNS}) VALUES {} ON CONFLICT (id) DO NOTHING RETURNING id",
        placeholders.join(", ")
    );
    // Statements differ by batch size: SQLite would cache hundreds of large ones.
    let mut query = sqlx::query(&sql).persistent(backend == Backend::Postgres);
    for &i in &tried {
        let (to, sub) = items[i];
        query = query
            .bind(ids[i].clone())
            .bind(to.site_id.clone())
            .bind(to.org_id.clone())
            .bind(sub.kind.as_str())
            .bind(sub.rating.map(|r| i64::from(r.get())))
            .bind(optional_json(&sub.dimensions))
            .bind(sub.category.clone())
            .bind(sub.stage.map(|s| s.as_str()))
            .bind(sub.message.clone())
            .bind(sub.email.clone())
            .bind(sub.name.clone())
            .bind(sub.order_ref.clone())
            .bind(sub.page_url.clone())
            .bind(sub.locale.clone())
            .bind(sub.customer.as_ref().map(|c| c.id.clone()))
            .bind(sub.customer.as_ref().and_then(|c| c.tier.clone()))
            .bind(optional_json(&sub.metadata))
            .bind(sub.content_digest.clone())
            .bind(receipts[&i].track_token.clone())
            .bind(received_at)
            .bind(if sub.spam { Status::Spam } else { Status::New }.as_str());
    }
    let created: HashSet<String> =
        query.fetch_all(&mut *conn).await?.iter().map(|row| row.try_get("id")).collect::<Result<_, _>>()?;

    // Ids that were there before this statement: what is stored decides.
    let taken: Vec<&str> = tried.iter().map(|&i| ids[i].as_str()).filter(|id| !created.contains(*id)).collect();
    let mut stored: HashMap<String, Stored> = HashMap::new();
    if !taken.is_empty() {
        let params: Vec<String> = (1..=taken.len()).map(|n| backend.placeholder(n)).collect();
        let sql = format!(
            "SELECT id, site_id, content_digest, received_at, track_token FROM submissions WHERE id IN ({})",
            params.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for id in &taken {
            query = query.bind(*id);
        }
        for row in query.fetch_all(&mut *conn).await? {
            let id: String = row.try_get("id")?;
            let millis: i64 = row.try_get("received_at")?;
            let receipt = Receipt {
                id: id.clone(),
                received_at: rfc3339_from_millis(millis),
                track_token: row.try_get("track_token")?,
            };
            stored.insert(
                id,
                Stored { site_id: row.try_get("site_id")?, content_digest: row.try_get("content_digest")?, receipt },
            );
        }
    }

    let answers = items
        .iter()
        .enumerate()
        .map(|(i, (to, sub))| {
            let leader = leaders[ids[i].as_str()];
            if created.contains(&ids[i]) {
                if leader == i {
                    return Insert::Created(receipts[&leader].clone());
                }
                let (leader_to, leader_sub) = items[leader];
                let first = Stored {
                    site_id: leader_to.site_id.clone(),
                    content_digest: leader_sub.content_digest.clone(),
                    receipt: receipts[&leader].clone(),
                };
                return first.answer(to, sub);
            }
            match stored.get(&ids[i]) {
                Some(existing) => existing.answer(to, sub),
                // Deleted between the two statements: rare enough to call a conflict.
                None => Insert::Conflict,
            }
        })
        .collect();
    Ok(answers)
}

impl Store {
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
