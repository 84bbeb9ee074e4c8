//! Admin UI sessions: a random id in an HttpOnly cookie, its digest in the database,
//! so every instance behind a load balancer sees the same sessions.

use super::orgs::{staff_from_row, STAFF_COLUMNS};
use super::{now_millis, StaffRecord, Store};
use crate::auth;
use crate::error::Result;

/// How long a session lasts without signing in again.
pub const SESSION_TTL_MILLIS: i64 = 12 * 60 * 60 * 1000;

impl Store {
    /// Starts a session for `staff` and returns the id to put in the cookie.
    pub async fn create_session(&self, staff: &StaffRecord) -> Result<String> {
        let session_id = auth::random_hex(32);
        let now = now_millis();
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(now).execute(&self.pool).await?;
        sqlx::query("INSERT INTO sessions (token_digest, user_id, expires_at, created_at) VALUES ($1, $2, $3, $4)")
            .bind(auth::token_digest(&session_id))
            .bind(&staff.user_id)
            .bind(now + SESSION_TTL_MILLIS)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(session_id)
    }

    pub async fn staff_by_session(&self, session_id: &str) -> Result<Option<StaffRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {STAFF_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id \
             JOIN orgs o ON o.id = u.org_id WHERE s.token_digest = $1 AND s.expires_at > $2"
        ))
        .bind(auth::token_digest(session_id))
        .bind(now_millis())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(staff_from_row).transpose()
    }

    pub async fn end_session(&self, session_id: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_digest = $1")
            .bind(auth::token_digest(session_id))
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
