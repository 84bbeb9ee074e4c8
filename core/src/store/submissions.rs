//! Submissions: idempotent inserts and the admin queue.

use super::{Site, Sla};
use crate::auth;
use crate::error::Result;
use crate::model::{rfc3339_from_millis, Priority, Status};
use crate::submission::NewSubmission;
use crate::triage;
use rusqlite::OptionalExtension;
use sqlx::Row;
use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};

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

fn optional_json<T: serde::Serialize>(value: &Option<T>) -> Option<String> {
    value.as_ref().map(|v| serde_json::to_string(v).expect("plain data serializes"))
}

/// Where a submission goes: its site, that site's organisation and response targets.
#[derive(Clone, Debug, PartialEq)]
pub struct Destination {
    pub site_id: String,
    pub org_id: String,
    pub sla: Sla,
}

impl From<&Site> for Destination {
    fn from(site: &Site) -> Self {
        Destination { site_id: site.id.clone(), org_id: site.org_id.clone(), sla: site.sla }
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
                       track_token, received_at, status, priority, first_response_due, resolution_due, due_at";
const COLUMN_COUNT: usize = 25;
const SELECT_STORED: &str = "SELECT id, site_id, content_digest, received_at, track_token FROM submissions";

/// One value of a submission row; both drivers bind it.
#[derive(Clone, Copy, Debug)]
pub(super) enum Value<'a> {
    Text(Option<&'a str>),
    Integer(Option<i64>),
}

/// A submission about to be stored: its receipt and the values of its row.
pub(super) struct NewRow<'a> {
    to: &'a Destination,
    sub: &'a NewSubmission,
    receipt: Receipt,
    received_at: i64,
    dimensions: Option<String>,
    metadata: Option<String>,
    priority: Priority,
    due: Option<(i64, i64)>,
}

impl<'a> NewRow<'a> {
    pub(super) fn new(to: &'a Destination, sub: &'a NewSubmission, received_at: i64) -> Self {
        let key_customer = sub.customer.as_ref().is_some_and(|c| c.tier.is_some());
        let priority = triage::default_priority(sub.kind, sub.rating.map(|r| r.get()), key_customer);
        NewRow {
            priority,
            due: triage::due_times(priority, sub.spam, key_customer, &to.sla, received_at),
            to,
            sub,
            receipt: Receipt {
                id: sub.id.to_string(),
                received_at: rfc3339_from_millis(received_at),
                track_token: track_token(received_at),
            },
            received_at,
            dimensions: optional_json(&sub.dimensions),
            metadata: optional_json(&sub.metadata),
        }
    }

    /// The values in `COLUMNS` order.
    fn values(&self) -> [Value<'_>; COLUMN_COUNT] {
        use Value::{Integer, Text};
        let (sub, customer) = (self.sub, self.sub.customer.as_ref());
        [
            Text(Some(&self.receipt.id)),
            Text(Some(&self.to.site_id)),
            Text(Some(&self.to.org_id)),
            Text(Some(sub.kind.as_str())),
            Integer(sub.rating.map(|r| i64::from(r.get()))),
            Text(self.dimensions.as_deref()),
            Text(sub.category.as_deref()),
            Text(sub.stage.map(|s| s.as_str())),
            Text(sub.message.as_deref()),
            Text(sub.email.as_deref()),
            Text(sub.name.as_deref()),
            Text(sub.order_ref.as_deref()),
            Text(sub.page_url.as_deref()),
            Text(sub.locale.as_deref()),
            Text(customer.map(|c| c.id.as_str())),
            Text(customer.and_then(|c| c.tier.as_deref())),
            Text(self.metadata.as_deref()),
            Text(Some(&sub.content_digest)),
            Text(Some(&self.receipt.track_token)),
            Integer(Some(self.received_at)),
            Text(Some(if sub.spam { Status::Spam } else { Status::New }.as_str())),
            Text(Some(self.priority.as_str())),
            Integer(self.due.map(|(first, _)| first)),
            Integer(self.due.map(|(_, resolution)| resolution)),
            // The first promise is the next one.
            Integer(self.due.map(|(first, _)| first)),
        ]
    }
}

/// A tracking token: the time in milliseconds (12 hex digits) then 128 random bits. The
/// prefix keeps the unique index's inserts at its end instead of scattered over every
/// page, which is most of what a commit writes; the random part is what makes the token
/// unguessable.
fn track_token(received_at: i64) -> String {
    format!("{received_at:012x}{}", auth::random_hex(16))
}

impl rusqlite::ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match *self {
            Value::Text(Some(text)) => ValueRef::Text(text.as_bytes()),
            Value::Integer(Some(n)) => ValueRef::Integer(n),
            Value::Text(None) | Value::Integer(None) => ValueRef::Null,
        }))
    }
}

/// Stores one submission inside the SQLite writer's open transaction. The primary key
/// on the client's id decides: a second row with an id (in this batch or before) is
/// answered from the first.
pub(super) fn insert_sqlite(tx: &rusqlite::Transaction<'_>, row: NewRow<'_>) -> rusqlite::Result<Insert> {
    static INSERT: LazyLock<String> = LazyLock::new(|| {
        format!(
            "INSERT INTO submissions ({COLUMNS}) VALUES ({}) ON CONFLICT (id) DO NOTHING",
            ["?"; COLUMN_COUNT].join(", ")
        )
    });
    static FIND: LazyLock<String> = LazyLock::new(|| format!("{SELECT_STORED} WHERE id = ?1"));
    let mut insert = tx.prepare_cached(&INSERT)?;
    if insert.execute(rusqlite::params_from_iter(row.values()))? == 1 {
        return Ok(Insert::Created(row.receipt));
    }
    let mut find = tx.prepare_cached(&FIND)?;
    let stored = find
        .query_row([&row.receipt.id], |r| {
            Ok(Stored {
                site_id: r.get(1)?,
                content_digest: r.get(2)?,
                receipt: Receipt { id: r.get(0)?, received_at: rfc3339_from_millis(r.get(3)?), track_token: r.get(4)? },
            })
        })
        .optional()?;
    // Deleted between the two statements: rare enough to call a conflict.
    Ok(stored.map_or(Insert::Conflict, |stored| stored.answer(row.to, row.sub)))
}

/// Stores `rows` on PostgreSQL in one statement (one atomic commit by itself, no BEGIN
/// and COMMIT round trips) and answers each. The statement takes each column as an array,
/// so it is the same for every batch size and stays prepared. The primary key on the
/// client's id decides, so concurrent duplicates cannot both be created; within `rows`
/// the first of an id is the one tried.
pub(super) async fn insert_batch_postgres(conn: &mut sqlx::PgConnection, rows: Vec<NewRow<'_>>) -> Result<Vec<Insert>> {
    static INSERT: OnceLock<String> = OnceLock::new();
    static FIND: LazyLock<String> = LazyLock::new(|| format!("{SELECT_STORED} WHERE id = ANY($1)"));

    let mut leaders: HashMap<&str, usize> = HashMap::new();
    for (index, row) in rows.iter().enumerate() {
        leaders.entry(row.receipt.id.as_str()).or_insert(index);
    }
    let tried: Vec<&NewRow> =
        rows.iter().enumerate().filter(|(i, r)| leaders[r.receipt.id.as_str()] == *i).map(|(_, r)| r).collect();
    let values: Vec<[Value; COLUMN_COUNT]> = tried.iter().map(|row| row.values()).collect();
    // A column's kind of value is the same in every row.
    let kinds = values[0];
    let sql = INSERT.get_or_init(|| {
        let arrays: Vec<String> = kinds
            .iter()
            .enumerate()
            .map(|(i, kind)| format!("${}::{}[]", i + 1, if let Value::Integer(_) = kind { "bigint" } else { "text" }))
            .collect();
        format!(
            "INSERT INTO submissions ({COLUMNS}) SELECT * FROM UNNEST({}) ON CONFLICT (id) DO NOTHING",
            arrays.join(", ")
        )
    });
    let mut query = sqlx::query(sql);
    for (column, kind) in kinds.iter().enumerate() {
        query = match kind {
            Value::Integer(_) => query.bind(
                values.iter().map(|v| if let Value::Integer(n) = v[column] { n } else { None }).collect::<Vec<_>>(),
            ),
            Value::Text(_) => query
                .bind(values.iter().map(|v| if let Value::Text(t) = v[column] { t } else { None }).collect::<Vec<_>>()),
        };
    }
    let inserted = query.execute(&mut *conn).await?.rows_affected();

    // Usually every row is new and nothing more needs asking. Otherwise what is stored
    // under each id decides, and a row holding the token given here is one this statement
    // created.
    let all_new = inserted == tried.len() as u64;
    let mut stored: HashMap<String, Stored> = HashMap::new();
    if !all_new {
        let ids: Vec<&str> = tried.iter().map(|r| r.receipt.id.as_str()).collect();
        for row in sqlx::query(&FIND).bind(&ids).fetch_all(&mut *conn).await? {
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

    let answers = rows
        .iter()
        .map(|row| {
            let leader = &rows[leaders[row.receipt.id.as_str()]];
            let existing = stored.get(&row.receipt.id);
            let created =
                all_new || existing.is_some_and(|stored| stored.receipt.track_token == leader.receipt.track_token);
            if created {
                if std::ptr::eq(leader, row) {
                    return Insert::Created(row.receipt.clone());
                }
                let first = Stored {
                    site_id: leader.to.site_id.clone(),
                    content_digest: leader.sub.content_digest.clone(),
                    receipt: leader.receipt.clone(),
                };
                return first.answer(row.to, row.sub);
            }
            match existing {
                Some(existing) => existing.answer(row.to, row.sub),
                // Deleted between the two statements: rare enough to call a conflict.
                None => Insert::Conflict,
            }
        })
        .collect();
    Ok(answers)
}
