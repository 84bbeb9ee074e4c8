//! Organisations and their staff.

use super::{is_unique_violation, new_id, now_millis, parse_column, Store};
use crate::auth;
use crate::error::{Error, Result};
use crate::model::{Role, StaffMember};
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Clone, Debug, PartialEq)]
pub struct Org {
    pub id: String,
    pub name: String,
}

/// A staff member with the ids the server needs to scope their requests.
#[derive(Clone, Debug, PartialEq)]
pub struct StaffRecord {
    pub user_id: String,
    pub org_id: String,
    pub member: StaffMember,
    /// The address the request acting as them came from, where there is one: the audit
    /// log's "from where".
    pub client: Option<std::net::IpAddr>,
}

pub(super) const STAFF_COLUMNS: &str =
    "u.id AS user_id, u.org_id, u.email, u.role, u.locale, o.name AS org_name, o.time_zone";

pub(super) fn staff_from_row(row: &AnyRow) -> Result<StaffRecord> {
    Ok(StaffRecord {
        user_id: row.try_get("user_id")?,
        org_id: row.try_get("org_id")?,
        member: StaffMember {
            email: row.try_get("email")?,
            role: parse_column(row, "role")?,
            org_name: row.try_get("org_name")?,
            locale: row.try_get("locale")?,
            time_zone: row.try_get("time_zone")?,
        },
        client: None,
    })
}

impl Store {
    /// The organisation called `name`, created if it does not exist yet.
    pub async fn ensure_org(&self, name: &str) -> Result<Org> {
        sqlx::query("INSERT INTO orgs (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
            .bind(new_id())
            .bind(name)
            .bind(now_millis())
            .execute(&self.pool)
            .await?;
        let row = sqlx::query("SELECT id, name FROM orgs WHERE name = $1").bind(name).fetch_one(&self.pool).await?;
        Ok(Org { id: row.try_get("id")?, name: row.try_get("name")? })
    }

    /// The oldest organisation: the default for commands that name none.
    pub async fn first_org(&self) -> Result<Option<Org>> {
        let row =
            sqlx::query("SELECT id, name FROM orgs ORDER BY created_at, id LIMIT 1").fetch_optional(&self.pool).await?;
        row.map(|r| Ok(Org { id: r.try_get("id")?, name: r.try_get("name")? })).transpose()
    }

    /// The admin's language `staff` chose (`en` or `zh-CN`); `None` follows their browser.
    /// Returns what is stored.
    pub async fn set_locale(&self, staff: &StaffRecord, locale: Option<&str>) -> Result<Option<String>> {
        let locale = locale.map(str::trim).filter(|l| !l.is_empty());
        if locale.is_some_and(|l| !crate::words::ADMIN_LOCALES.contains(&l)) {
            return Err(Error::field("locale", "must be en, zh-CN or null (the browser's language)"));
        }
        sqlx::query("UPDATE users SET locale = $1 WHERE id = $2 AND org_id = $3")
            .bind(locale)
            .bind(&staff.user_id)
            .bind(&staff.org_id)
            .execute(&self.pool)
            .await?;
        Ok(locale.map(str::to_owned))
    }

    /// The time zone every date of `org_id`'s admin is shown in: an IANA name
    /// (`Asia/Shanghai`), stored as the zone database spells it. Returns that name.
    pub async fn set_time_zone(&self, org_id: &str, zone: &str) -> Result<String> {
        let zone = jiff::tz::TimeZone::get(zone.trim())
            .ok()
            .and_then(|tz| tz.iana_name().map(str::to_owned))
            .ok_or_else(|| Error::field("time_zone", "must be a time zone name such as Asia/Shanghai or UTC"))?;
        let mut tx = self.write_tx().await?;
        self.change_time_zone(&mut tx, org_id, &zone).await?;
        tx.commit().await?;
        Ok(zone)
    }

    pub async fn count_users(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(&self.pool).await?;
        Ok(row.try_get("n")?)
    }

    /// Adds a staff member; the email is unique across Hark, compared case-insensitively.
    pub async fn add_user(&self, org: &Org, email: &str, password: &str, role: Role) -> Result<StaffRecord> {
        let email = email.trim().to_lowercase();
        if !validator::ValidateEmail::validate_email(&email) {
            return Err(Error::field("email", "must be a valid email address"));
        }
        auth::check_new_password("password", password, &email)?;
        let password_hash = auth::hash_password_gated(password).await?;
        let user_id = new_id();
        sqlx::query(
            "INSERT INTO users (id, org_id, email, password_hash, role, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&user_id)
        .bind(&org.id)
        .bind(&email)
        .bind(password_hash)
        .bind(role.as_str())
        .bind(now_millis())
        .execute(&self.pool)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                Error::Conflict(format!("a user with email {email} already exists"))
            } else {
                e.into()
            }
        })?;
        Ok(StaffRecord {
            user_id,
            org_id: org.id.clone(),
            member: StaffMember { email, role, org_name: org.name.clone(), locale: None, time_zone: "UTC".into() },
            client: None,
        })
    }

    pub async fn staff_by_email(&self, email: &str) -> Result<StaffRecord> {
        let row = sqlx::query(&format!(
            "SELECT {STAFF_COLUMNS} FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.email = $1 \
             AND u.removed_at IS NULL"
        ))
        .bind(email.trim().to_lowercase())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(Error::NotFound)?;
        staff_from_row(&row)
    }
}
