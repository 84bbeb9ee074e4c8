//! An organisation's people: invitations (one use, until they expire), roles, removal.
//! A removed person keeps their row, so the timeline still says who did what, but their
//! sessions and tokens end at once and they can no longer sign in.

use super::audit::Audit;
use super::{new_id, now_millis, Mail, Org, StaffRecord, Store};
use crate::auth;
use crate::error::{Error, Result};
use crate::model::{rfc3339_from_millis, Invitation, Member, Person, Role};
use sqlx::Row;

/// Makes an invitation's email from the organisation's name, the invitee's address and
/// the link's token; none when email is not sent.
pub type InvitationMail = dyn Fn(&str, &str, &str) -> Option<Mail> + Send + Sync;

/// How long an invitation can be accepted.
pub const INVITATION_DAYS: i64 = 7;

impl Store {
    /// The organisation's people (the removed left out), in the order they joined.
    pub async fn people(&self, org_id: &str) -> Result<Vec<Member>> {
        let rows = sqlx::query(
            "SELECT id, email, role, created_at FROM users WHERE org_id = $1 AND removed_at IS NULL \
             ORDER BY created_at, email",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Member {
                    id: row.try_get("id")?,
                    email: row.try_get("email")?,
                    role: super::parse_column(row, "role")?,
                    created_at: rfc3339_from_millis(row.try_get("created_at")?),
                })
            })
            .collect()
    }

    /// The organisation's invitations still open, newest first.
    pub async fn invitations(&self, org_id: &str) -> Result<Vec<Invitation>> {
        let rows = sqlx::query(
            "SELECT i.id, i.email, i.role, i.created_at, i.expires_at, u.id AS by_id, u.email AS by_email \
             FROM invitations i JOIN users u ON u.id = i.invited_by \
             WHERE i.org_id = $1 AND i.accepted_at IS NULL AND i.expires_at > $2 ORDER BY i.created_at DESC",
        )
        .bind(org_id)
        .bind(now_millis())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Invitation {
                    id: row.try_get("id")?,
                    email: row.try_get("email")?,
                    role: super::parse_column(row, "role")?,
                    invited_by: Person { id: row.try_get("by_id")?, email: row.try_get("by_email")? },
                    created_at: rfc3339_from_millis(row.try_get("created_at")?),
                    expires_at: rfc3339_from_millis(row.try_get("expires_at")?),
                })
            })
            .collect()
    }

    /// Invites `email` into `by`'s organisation as `role`; returns the invitation and
    /// the token of its one-use link (only its digest is kept). `mail` makes the email
    /// that carries the link, when email is sent (else the link is only shown): it goes
    /// to the outbox in the invitation's own transaction.
    pub async fn invite(
        &self,
        by: &StaffRecord,
        email: &str,
        role: Role,
        mail: &InvitationMail,
    ) -> Result<(Invitation, String)> {
        let email = email.trim().to_lowercase();
        if !validator::ValidateEmail::validate_email(&email) {
            return Err(Error::field("email", "must be a valid email address"));
        }
        let taken = sqlx::query("SELECT 1 AS one FROM users WHERE email = $1").bind(&email).fetch_optional(&self.pool);
        if taken.await?.is_some() {
            return Err(Error::Conflict(format!("{email} already has a Hark account")));
        }
        let token = auth::random_hex(32);
        let (id, now) = (new_id(), now_millis());
        let expires = now + INVITATION_DAYS * 24 * 3600 * 1000;
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO invitations (id, org_id, email, role, token_digest, invited_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(&by.org_id)
        .bind(&email)
        .bind(role.as_str())
        .bind(auth::token_digest(&token))
        .bind(&by.user_id)
        .bind(now)
        .bind(expires)
        .execute(&mut *tx)
        .await?;
        if let Some(mail) = mail(&by.member.org_name, &email, &token) {
            mail.enqueue(&mut *tx, &by.org_id, None).await?;
        }
        let detail = serde_json::json!({"role": role});
        Audit { org_id: &by.org_id, by: Some(by), action: "person.invite", target: &email, detail: Some(detail) }
            .write(&mut *tx)
            .await?;
        tx.commit().await?;
        let invitation = Invitation {
            id,
            email,
            role,
            invited_by: Person { id: by.user_id.clone(), email: by.member.email.clone() },
            created_at: rfc3339_from_millis(now),
            expires_at: rfc3339_from_millis(expires),
        };
        Ok((invitation, token))
    }

    /// Withdraws one of `by`'s organisation's open invitations.
    pub async fn revoke_invitation(&self, by: &StaffRecord, id: &str) -> Result<()> {
        let invitation = self.invitations(&by.org_id).await?.into_iter().find(|i| i.id == id);
        let invitation = invitation.ok_or(Error::NotFound)?;
        let mut tx = self.write_tx().await?;
        let revoked = sqlx::query("DELETE FROM invitations WHERE id = $1 AND org_id = $2 AND accepted_at IS NULL")
            .bind(id)
            .bind(&by.org_id)
            .execute(&mut *tx)
            .await?;
        if revoked.rows_affected() == 0 {
            return Err(Error::NotFound);
        }
        let target = &invitation.email;
        Audit { org_id: &by.org_id, by: Some(by), action: "invitation.withdraw", target, detail: None }
            .write(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The open invitation of `token`: its organisation, email and role. A used, expired
    /// or unknown one is `NotFound`.
    pub async fn invitation_by_token(&self, token: &str) -> Result<(Org, String, Role)> {
        let row = sqlx::query(
            "SELECT o.id, o.name, i.email, i.role FROM invitations i JOIN orgs o ON o.id = i.org_id \
             WHERE i.token_digest = $1 AND i.accepted_at IS NULL AND i.expires_at > $2",
        )
        .bind(auth::token_digest(token))
        .bind(now_millis())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(Error::NotFound)?;
        let org = Org { id: row.try_get("id")?, name: row.try_get("name")? };
        Ok((org, row.try_get("email")?, super::parse_column(&row, "role")?))
    }

    /// Accepts the invitation of `token` with the invited person's chosen `password`:
    /// they join the organisation with the invitation's role. It cannot be used again.
    pub async fn accept_invitation(&self, token: &str, password: &str) -> Result<StaffRecord> {
        let (org, email, role) = self.invitation_by_token(token).await?;
        auth::check_new_password("password", password, &email)?;
        // Taken first, so that two tries at once make one account.
        let taken =
            sqlx::query("UPDATE invitations SET accepted_at = $1 WHERE token_digest = $2 AND accepted_at IS NULL")
                .bind(now_millis())
                .bind(auth::token_digest(token))
                .execute(&self.pool)
                .await?;
        if taken.rows_affected() == 0 {
            return Err(Error::NotFound);
        }
        let added = self.add_user(&org, &email, password, role).await;
        if let Ok(staff) = &added {
            let detail = serde_json::json!({"role": role});
            Audit { org_id: &org.id, by: Some(staff), action: "person.join", target: &email, detail: Some(detail) }
                .write(&self.pool)
                .await?;
        }
        if added.is_err() {
            // Still open: nothing was made of it.
            sqlx::query("UPDATE invitations SET accepted_at = NULL WHERE token_digest = $1")
                .bind(auth::token_digest(token))
                .execute(&self.pool)
                .await?;
        }
        added
    }

    /// Gives one of `by`'s colleagues another role; their sessions end, so that they
    /// sign in again to the rights they now have. The organisation keeps an owner.
    pub async fn change_role(&self, by: &StaffRecord, id: &str, role: Role) -> Result<Member> {
        let member = self.member(&by.org_id, id).await?;
        if member.role == Role::Owner && role != Role::Owner {
            self.keep_an_owner(&by.org_id).await?;
        }
        sqlx::query("UPDATE users SET role = $1 WHERE id = $2 AND org_id = $3")
            .bind(role.as_str())
            .bind(id)
            .bind(&by.org_id)
            .execute(&self.pool)
            .await?;
        if member.role != role {
            self.end_sessions_of(id, None).await?;
            let detail = serde_json::json!({"role": [member.role, role]});
            Audit {
                org_id: &by.org_id,
                by: Some(by),
                action: "person.role",
                target: &member.email,
                detail: Some(detail),
            }
            .write(&self.pool)
            .await?;
        }
        Ok(Member { role, ..member })
    }

    /// Removes one of `by`'s colleagues (or `by`): every session and token of theirs
    /// ends now, and what was assigned to them is unassigned. The organisation keeps an
    /// owner.
    pub async fn remove_person(&self, by: &StaffRecord, id: &str) -> Result<()> {
        let member = self.member(&by.org_id, id).await?;
        if member.role == Role::Owner {
            self.keep_an_owner(&by.org_id).await?;
        }
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE users SET removed_at = $1, password_hash = '!' WHERE id = $2 AND org_id = $3")
            .bind(now_millis())
            .bind(id)
            .bind(&by.org_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM api_tokens WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
        sqlx::query("UPDATE submissions SET assignee_id = NULL WHERE org_id = $1 AND assignee_id = $2")
            .bind(&by.org_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let detail = serde_json::json!({"role": member.role});
        Audit {
            org_id: &by.org_id,
            by: Some(by),
            action: "person.remove",
            target: &member.email,
            detail: Some(detail),
        }
        .write(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One of the organisation's people; anyone else (or removed) is `NotFound`.
    async fn member(&self, org_id: &str, id: &str) -> Result<Member> {
        self.people(org_id).await?.into_iter().find(|m| m.id == id).ok_or(Error::NotFound)
    }

    /// Refuses a change that would leave the organisation without an owner.
    async fn keep_an_owner(&self, org_id: &str) -> Result<()> {
        let owners: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM users WHERE org_id = $1 AND role = 'owner' AND removed_at IS NULL")
                .bind(org_id)
                .fetch_one(&self.pool)
                .await?
                .try_get("n")?;
        if owners <= 1 {
            return Err(Error::Conflict("the organisation needs at least one owner".into()));
        }
        Ok(())
    }
}
