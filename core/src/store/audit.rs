//! The audit log: who changed an organisation's setup (sites, people, tokens, roles),
//! who signed in, when and from where. Written in the same transaction as the change
//! where there is one, so a change is never without its entry.

use super::{now_millis, StaffRecord, Store};
use crate::error::{Error, Result};
use crate::model::{rfc3339_from_millis, AuditEntry, Person};
use sqlx::Row;

/// Entries a page of the audit log holds at most.
pub const AUDIT_PAGE: i64 = 100;

/// What one entry says, before it is written.
pub(crate) struct Audit<'a> {
    pub org_id: &'a str,
    /// Who did it (and from where); none for the command line.
    pub by: Option<&'a StaffRecord>,
    pub action: &'static str,
    pub target: &'a str,
    pub detail: Option<serde_json::Value>,
}

impl Audit<'_> {
    pub(crate) async fn write<'e, E>(self, executor: E) -> Result<()>
    where
        E: sqlx::Executor<'e, Database = sqlx::Any>,
    {
        sqlx::query(
            "INSERT INTO audit_log (id, org_id, at, actor_id, client, action, target, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        // Time-ordered, so that entries of one millisecond keep their order too.
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(self.org_id)
        .bind(now_millis())
        .bind(self.by.map(|b| b.user_id.clone()))
        .bind(self.by.and_then(|b| b.client).map(|c| c.to_string()))
        .bind(self.action)
        .bind(self.target)
        .bind(self.detail.map(|d| d.to_string()))
        .execute(executor)
        .await?;
        Ok(())
    }
}

impl Store {
    /// A page of `org_id`'s audit log, newest first, from after `cursor` (the last
    /// page's), and the cursor of the next page if there is one.
    pub async fn audit_log(
        &self,
        org_id: &str,
        cursor: Option<&str>,
        limit: i64,
    ) -> Result<(Vec<AuditEntry>, Option<String>)> {
        let limit = limit.clamp(1, AUDIT_PAGE);
        let (at, id) = match cursor.filter(|c| !c.is_empty()) {
            None => (i64::MAX, String::new()),
            Some(cursor) => cursor
                .split_once('.')
                .and_then(|(at, id)| Some((at.parse::<i64>().ok()?, id.to_owned())))
                .ok_or_else(|| Error::field("cursor", "not one this log gave"))?,
        };
        let rows = sqlx::query(
            "SELECT a.id, a.at, a.actor_id, u.email AS actor_email, a.client, a.action, a.target, a.detail \
             FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id \
             WHERE a.org_id = $1 AND (a.at < $2 OR (a.at = $2 AND a.id < $3)) \
             ORDER BY a.at DESC, a.id DESC LIMIT $4",
        )
        .bind(org_id)
        .bind(at)
        .bind(if id.is_empty() { "\u{10FFFF}".to_owned() } else { id })
        .bind(limit + 1)
        .fetch_all(&self.pool)
        .await?;
        let mut entries = Vec::with_capacity(rows.len());
        let mut last = None;
        for row in rows.iter().take(limit as usize) {
            let at: i64 = row.try_get("at")?;
            let id: String = row.try_get("id")?;
            let actor =
                match (row.try_get::<Option<String>, _>("actor_id")?, row.try_get::<Option<String>, _>("actor_email")?)
                {
                    (Some(id), Some(email)) => Some(Person { id, email }),
                    _ => None,
                };
            let detail: Option<String> = row.try_get("detail")?;
            last = Some(format!("{at}.{id}"));
            entries.push(AuditEntry {
                id,
                at: rfc3339_from_millis(at),
                actor,
                client: row.try_get("client")?,
                action: row.try_get("action")?,
                target: row.try_get("target")?,
                detail: detail.and_then(|d| serde_json::from_str(&d).ok()),
            });
        }
        let next = if rows.len() as i64 > limit { last } else { None };
        Ok((entries, next))
    }
}
