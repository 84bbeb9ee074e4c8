//! API tokens for integrations: named, made by a person and acting as them (their
//! organisation, their role at the time of each use), shown once, stored as a digest,
//! marked when used, revocable.

use super::audit::Audit;
use super::orgs::{staff_from_row, STAFF_COLUMNS};
use super::{new_id, now_millis, StaffRecord, Store, TOUCH_EVERY_MILLIS};
use crate::auth;
use crate::error::{Error, Result};
use crate::model::{rfc3339_from_millis, ApiToken, Person, Role};
use sqlx::Row;

const NAME_MAX_CHARS: usize = 100;

impl Store {
    /// Makes a token acting as `staff`, called `name`; returns it with the token itself,
    /// which is not kept (only its digest is).
    pub async fn create_api_token(&self, staff: &StaffRecord, name: &str) -> Result<(ApiToken, String)> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > NAME_MAX_CHARS {
            return Err(Error::field("name", format!("must be 1 to {NAME_MAX_CHARS} characters")));
        }
        let token = format!("hark_{}", auth::random_hex(32));
        let (id, now) = (new_id(), now_millis());
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO api_tokens (id, token_digest, user_id, name, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&id)
            .bind(auth::token_digest(&token))
            .bind(&staff.user_id)
            .bind(name)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        Audit { org_id: &staff.org_id, by: Some(staff), action: "token.create", target: name, detail: None }
            .write(&mut *tx)
            .await?;
        tx.commit().await?;
        let person = Person { id: staff.user_id.clone(), email: staff.member.email.clone() };
        let made =
            ApiToken { id, name: name.to_owned(), person, created_at: rfc3339_from_millis(now), last_used_at: None };
        Ok((made, token))
    }

    /// Who a bearer token acts as, marking it used.
    pub async fn staff_by_api_token(&self, token: &str) -> Result<Option<StaffRecord>> {
        let digest = auth::token_digest(token);
        let row = sqlx::query(&format!(
            "SELECT {STAFF_COLUMNS}, t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id \
             JOIN orgs o ON o.id = u.org_id WHERE t.token_digest = $1 AND u.removed_at IS NULL"
        ))
        .bind(&digest)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let now = now_millis();
        let last_used: Option<i64> = row.try_get("last_used_at")?;
        if last_used.is_none_or(|at| at < now - TOUCH_EVERY_MILLIS) {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_digest = $2")
                .bind(now)
                .bind(&digest)
                .execute(&self.pool)
                .await?;
        }
        staff_from_row(&row).map(Some)
    }

    /// The tokens `staff` may see: their own, and for an owner every token of the
    /// organisation; newest first.
    pub async fn api_tokens(&self, staff: &StaffRecord) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query(
            "SELECT t.id, t.name, t.created_at, t.last_used_at, u.id AS user_id, u.email FROM api_tokens t \
             JOIN users u ON u.id = t.user_id WHERE u.org_id = $1 AND (u.id = $2 OR $3 = 1) \
             ORDER BY t.created_at DESC, t.id",
        )
        .bind(&staff.org_id)
        .bind(&staff.user_id)
        .bind(i64::from(staff.member.role == Role::Owner))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ApiToken {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    person: Person { id: row.try_get("user_id")?, email: row.try_get("email")? },
                    created_at: rfc3339_from_millis(row.try_get("created_at")?),
                    last_used_at: row.try_get::<Option<i64>, _>("last_used_at")?.map(rfc3339_from_millis),
                })
            })
            .collect()
    }

    /// Revokes one of the tokens `staff` may see; any other is `NotFound`.
    pub async fn revoke_api_token(&self, staff: &StaffRecord, id: &str) -> Result<()> {
        let token = self.api_tokens(staff).await?.into_iter().find(|t| t.id == id).ok_or(Error::NotFound)?;
        let mut tx = self.pool.begin().await?;
        let revoked = sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(&token.person.id)
            .execute(&mut *tx)
            .await?;
        if revoked.rows_affected() == 0 {
            return Err(Error::NotFound);
        }
        let detail = serde_json::json!({"of": token.person.email});
        Audit {
            org_id: &staff.org_id,
            by: Some(staff),
            action: "token.revoke",
            target: &token.name,
            detail: Some(detail),
        }
        .write(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
