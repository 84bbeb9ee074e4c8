//! Signing in, the one way for the sign-in page and `POST /api/v1/auth/login`, and a
//! person changing their password.
//!
//! Failed sign-ins are counted per account and per client address, in the database
//! (every instance, and a restart, sees the same counts). Past a few free failures each
//! further one makes the next try wait, twice as long each time. The count is looked at
//! before the password is: a waiting account costs no password check. Any fault of that
//! bookkeeping refuses the sign-in: the throttle fails closed.
//!
//! An unknown email and a wrong password get the same answer after the same work (one
//! Argon2 check, the same statements).

use super::audit::Audit;
use super::orgs::{staff_from_row, STAFF_COLUMNS};
use super::{now_millis, StaffRecord, Store};
use crate::auth;
use crate::error::{Error, Result};
use sqlx::Row;
use std::net::IpAddr;

/// Failed sign-ins an account may have before each further one makes the next wait.
pub const SIGN_IN_FREE_FAILURES: i64 = 5;
/// The same for one client address, which a whole office may share.
const CLIENT_FREE_FAILURES: i64 = 20;
/// The longest wait, which the doubling from one second reaches after ten more.
const MAX_WAIT_SECS: i64 = 15 * 60;
/// Failures this old are forgotten.
const FORGET_AFTER_MILLIS: i64 = 24 * 3600 * 1000;

/// What a client's failures are counted under: its address, or for IPv6 its /64 (one
/// subscriber's whole network). An IPv4 client seen through a dual-stack socket
/// (`::ffff:a.b.c.d`) is its IPv4 address, not the /64 every such client shares.
fn client_key(client: IpAddr) -> String {
    match client {
        IpAddr::V4(v4) => format!("client {v4}"),
        IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some() => format!("client {}", v6.to_canonical()),
        IpAddr::V6(v6) => {
            let [a, b, c, d, ..] = v6.segments();
            format!("client {a:x}:{b:x}:{c:x}:{d:x}::/64")
        }
    }
}

fn account_key(email: &str) -> String {
    format!("account {email}")
}

/// The wait after `failures` failures of which `free` cost nothing, in seconds.
fn wait_after(failures: i64, free: i64) -> i64 {
    if failures < free {
        return 0;
    }
    let doublings = u32::try_from(failures - free).unwrap_or(u32::MAX).min(20);
    (1i64 << doublings).min(MAX_WAIT_SECS)
}

impl Store {
    /// Checks a sign-in from `client` and returns whom it signs in. The same
    /// `BadCredentials` for an unknown email and a wrong password; `Throttled` while this
    /// account or this address must wait. A stored hash made with less than today's
    /// costs is replaced by one made with them.
    pub async fn sign_in(&self, email: &str, password: &str, client: IpAddr) -> Result<StaffRecord> {
        let staff = StaffRecord { client: Some(client), ..self.verify_sign_in(email, password, client).await? };
        Audit { org_id: &staff.org_id, by: Some(&staff), action: "sign_in", target: &staff.member.email, detail: None }
            .write(&self.pool)
            .await?;
        Ok(staff)
    }

    /// A sign-in's checks and throttle, without its entry in the audit log.
    async fn verify_sign_in(&self, email: &str, password: &str, client: IpAddr) -> Result<StaffRecord> {
        let email = email.trim().to_lowercase();
        let account = account_key(&email);
        let client = client_key(client);
        let now = now_millis();
        let until: Option<i64> =
            sqlx::query("SELECT MAX(blocked_until) AS until FROM sign_in_failures WHERE key IN ($1, $2)")
                .bind(&account)
                .bind(&client)
                .fetch_one(&self.pool)
                .await?
                .try_get("until")?;
        if let Some(until) = until.filter(|until| *until > now) {
            return Err(Error::Throttled(u64::try_from((until - now + 999) / 1000).unwrap_or(1)));
        }
        match self.check_password(&email, password).await {
            Ok(staff) => {
                sqlx::query("DELETE FROM sign_in_failures WHERE key = $1").bind(&account).execute(&self.pool).await?;
                Ok(staff)
            }
            Err(Error::BadCredentials) => {
                self.count_failure(&account, SIGN_IN_FREE_FAILURES, now).await?;
                self.count_failure(&client, CLIENT_FREE_FAILURES, now).await?;
                Err(Error::BadCredentials)
            }
            Err(other) => Err(other),
        }
    }

    /// Changes `staff`'s password after checking their current one (throttled as a
    /// sign-in is) and ends every other session of theirs; `keep` is the session the
    /// change was made in, if any.
    pub async fn change_password(
        &self,
        staff: &StaffRecord,
        current: &str,
        new: &str,
        client: IpAddr,
        keep: Option<&str>,
    ) -> Result<()> {
        auth::check_new_password("new", new, &staff.member.email)?;
        match self.verify_sign_in(&staff.member.email, current, client).await {
            Ok(_) => {}
            Err(Error::BadCredentials) => return Err(Error::field("current", "is not your password")),
            Err(other) => return Err(other),
        }
        let hash = auth::hash_password_gated(new).await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(&staff.user_id)
            .execute(&self.pool)
            .await?;
        self.end_sessions_of(&staff.user_id, keep).await?;
        let by = StaffRecord { client: Some(client), ..staff.clone() };
        let target = &staff.member.email;
        Audit { org_id: &staff.org_id, by: Some(&by), action: "password.change", target, detail: None }
            .write(&self.pool)
            .await?;
        Ok(())
    }

    /// Whom `email` and `password` sign in, after one Argon2 check either way.
    async fn check_password(&self, email: &str, password: &str) -> Result<StaffRecord> {
        let row = sqlx::query(&format!(
            "SELECT {STAFF_COLUMNS}, u.password_hash FROM users u JOIN orgs o ON o.id = u.org_id \
             WHERE u.email = $1 AND u.removed_at IS NULL"
        ))
        .bind(email)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            // The same work as a real check, so that the time taken does not reveal
            // which emails have accounts.
            let _ = auth::verify_password_gated(password, dummy_hash().await?).await?;
            return Err(Error::BadCredentials);
        };
        let hash: String = row.try_get("password_hash")?;
        if !auth::verify_password_gated(password, &hash).await? {
            return Err(Error::BadCredentials);
        }
        let staff = staff_from_row(&row)?;
        if auth::needs_rehash(&hash) {
            let upgraded = auth::hash_password_gated(password).await?;
            sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3")
                .bind(upgraded)
                .bind(&staff.user_id)
                .bind(&hash)
                .execute(&self.pool)
                .await?;
        }
        Ok(staff)
    }

    /// Counts one failure under `key` and sets how long its next try waits.
    async fn count_failure(&self, key: &str, free: i64, now: i64) -> Result<()> {
        let failures: i64 = sqlx::query(
            "INSERT INTO sign_in_failures (key, failures, last_failed_at, blocked_until) VALUES ($1, 1, $2, 0) \
             ON CONFLICT (key) DO UPDATE SET last_failed_at = $2, failures = CASE \
             WHEN sign_in_failures.last_failed_at < $3 THEN 1 ELSE sign_in_failures.failures + 1 END \
             RETURNING failures",
        )
        .bind(key)
        .bind(now)
        .bind(now - FORGET_AFTER_MILLIS)
        .fetch_one(&self.pool)
        .await?
        .try_get("failures")?;
        let wait = wait_after(failures, free);
        if wait > 0 {
            sqlx::query("UPDATE sign_in_failures SET blocked_until = $1 WHERE key = $2")
                .bind(now + wait * 1000)
                .bind(key)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }
}

/// A real Argon2 hash of a random password, checked against when the email is unknown;
/// made once, off the async workers like every hash.
async fn dummy_hash() -> Result<&'static str> {
    static HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    HASH.get_or_try_init(|| async { auth::hash_password_gated(&auth::generate_password()).await })
        .await
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_past_the_free_ones_doubles_the_wait_up_to_fifteen_minutes() {
        assert_eq!(wait_after(4, 5), 0);
        assert_eq!(wait_after(5, 5), 1);
        assert_eq!(wait_after(6, 5), 2);
        assert_eq!(wait_after(8, 5), 8);
        assert_eq!(wait_after(15, 5), 900);
        assert_eq!(wait_after(i64::MAX, 5), 900);
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_slash_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key(other));
        assert_eq!(client_key("203.0.113.7".parse().unwrap()), "client 203.0.113.7");
        let mapped: IpAddr = "::ffff:203.0.113.7".parse().unwrap();
        assert_eq!(client_key(mapped), "client 203.0.113.7", "an IPv4 client on a dual-stack socket");
        assert_ne!(client_key(mapped), client_key("::ffff:198.51.100.1".parse().unwrap()));
    }
}
