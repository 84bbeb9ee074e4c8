//! Admin UI sessions: a random id in an HttpOnly cookie, its digest in the database,
//! so every instance behind a load balancer sees the same sessions. A session ends when
//! it has been idle too long or at its absolute expiry, whichever comes first.

use super::orgs::{staff_from_row, STAFF_COLUMNS};
use super::{now_millis, StaffRecord, Store, TOUCH_EVERY_MILLIS};
use crate::auth;
use crate::error::Result;
use std::time::Duration;

/// How long sessions last, and how their cookie is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionPolicy {
    /// A session not used for this long ends.
    pub idle: Duration,
    /// A session ends this long after sign-in, however much it is used.
    pub absolute: Duration,
    /// Served over https: the cookie is `Secure` and named with the `__Host-` prefix.
    pub secure: bool,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle: Duration::from_secs(12 * 3600),
            absolute: Duration::from_secs(7 * 24 * 3600),
            secure: false,
        }
    }
}

impl SessionPolicy {
    /// The session cookie's name.
    pub fn cookie(&self) -> &'static str {
        auth::session_cookie(self.secure)
    }
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

impl Store {
    pub fn session_policy(&self) -> SessionPolicy {
        self.sessions
    }

    /// This store with sessions lasting as `policy` says.
    pub fn with_session_policy(mut self, policy: SessionPolicy) -> Self {
        self.sessions = policy;
        self
    }

    /// Starts a session for `staff` and returns the id to put in the cookie: always a
    /// new one (256 random bits), and the session of `replacing` (the cookie the browser
    /// came with, if any) ends, so no id chosen before sign-in survives it.
    pub async fn create_session(&self, staff: &StaffRecord, replacing: Option<&str>) -> Result<String> {
        let session_id = auth::random_hex(32);
        let now = now_millis();
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2")
            .bind(now)
            .bind(now.saturating_sub(millis(self.sessions.idle)))
            .execute(&self.pool)
            .await?;
        if let Some(old) = replacing {
            self.end_session(old).await?;
        }
        sqlx::query(
            "INSERT INTO sessions (token_digest, user_id, expires_at, created_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(auth::token_digest(&session_id))
        .bind(&staff.user_id)
        .bind(now.saturating_add(millis(self.sessions.absolute)))
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(session_id)
    }

    /// The staff member of a live session, marking it used.
    pub async fn staff_by_session(&self, session_id: &str) -> Result<Option<StaffRecord>> {
        use sqlx::Row;
        let now = now_millis();
        let digest = auth::token_digest(session_id);
        let row = sqlx::query(&format!(
            "SELECT {STAFF_COLUMNS}, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id \
             JOIN orgs o ON o.id = u.org_id WHERE s.token_digest = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 \
             AND u.removed_at IS NULL"
        ))
        .bind(&digest)
        .bind(now)
        .bind(now.saturating_sub(millis(self.sessions.idle)))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let last_seen: i64 = row.try_get("last_seen_at")?;
        if last_seen < now - TOUCH_EVERY_MILLIS {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_digest = $2")
                .bind(now)
                .bind(&digest)
                .execute(&self.pool)
                .await?;
        }
        staff_from_row(&row).map(Some)
    }

    pub async fn end_session(&self, session_id: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_digest = $1")
            .bind(auth::token_digest(session_id))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends every session of `user_id` but `keep` (a session id), if given; returns how
    /// many ended.
    pub async fn end_sessions_of(&self, user_id: &str, keep: Option<&str>) -> Result<u64> {
        let kept = keep.map(auth::token_digest).unwrap_or_default();
        let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_digest <> $2")
            .bind(user_id)
            .bind(kept)
            .execute(&self.pool)
            .await?;
        Ok(ended.rows_affected())
    }
}
