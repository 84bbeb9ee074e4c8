//! Merchants' sites: the public key the widget names, the signing secret, and what
//! the site accepts; set up by owners in the admin (or `hark site add`).

use super::audit::Audit;
use super::{is_unique_violation, json_column, new_id, now_millis, Org, StaffRecord, Store};
use crate::auth;
use crate::error::{Error, FieldErrors, Result};
use crate::model::{rfc3339_from_millis, Kind, Sighting, SiteChange, SiteSettings, Sla, DEFAULT_CATEGORIES};
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Clone, Debug, PartialEq)]
pub struct Site {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub site_key: String,
    pub secret: String,
    /// The secret replaced last and until when (ms) it still verifies: the grace period
    /// in which the shop's server moves to the new one.
    pub previous_secret: Option<(String, i64)>,
    /// Exact origins (`scheme://host[:port]`) allowed to post from a browser.
    pub allowed_origins: Vec<String>,
    pub categories: Vec<String>,
    pub enabled_kinds: Vec<Kind>,
    /// `#rrggbb`; none: Hark's own.
    pub theme_color: Option<String>,
    pub require_email: bool,
    pub disabled: bool,
    pub sla: Sla,
    pub created_at: i64,
}

impl Site {
    /// A site with the defaults of a new one that lives only in memory: for decoding
    /// without a database (benchmarks, tests).
    pub fn detached(site_key: &str, secret: &str) -> Self {
        Site {
            id: format!("detached-{site_key}"),
            org_id: "detached".into(),
            name: site_key.to_owned(),
            site_key: site_key.to_owned(),
            secret: secret.to_owned(),
            previous_secret: None,
            allowed_origins: vec![],
            categories: DEFAULT_CATEGORIES.iter().map(|c| c.to_string()).collect(),
            enabled_kinds: Kind::ALL.to_vec(),
            theme_color: None,
            require_email: false,
            disabled: false,
            sla: Sla::DEFAULT,
            created_at: 0,
        }
    }

    pub fn allows_origin(&self, origin: &str) -> bool {
        self.allowed_origins.iter().any(|o| o == origin)
    }

    /// Whether `sig` signs the customer `id` and `tier` with this site's secret, or with
    /// the one it replaced while that one's grace period lasts.
    pub fn verifies_customer(&self, id: &str, tier: &str, sig: &str) -> bool {
        auth::verify_customer_signature(&self.secret, id, tier, sig)
            || self.previous_secret.as_ref().is_some_and(|(previous, until)| {
                now_millis() < *until && auth::verify_customer_signature(previous, id, tier, sig)
            })
    }
}

/// Whether `key` has the shape of the site keys Hark issues: `pk_` and 24 lower-case hex
/// digits. Anything else names no site and is refused without a lookup or a cache entry.
pub fn is_site_key(key: &str) -> bool {
    key.len() == 27
        && key.starts_with("pk_")
        && key.bytes().skip(3).all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[derive(Clone, Debug, Default)]
pub struct NewSite {
    pub name: String,
    pub allowed_origins: Vec<String>,
    /// Whether a complaint must come with an email address for the answer.
    pub require_email: bool,
}

/// The tag a merchant pastes; with the site's colour, so the launcher wears it at once.
pub fn snippet(public_url: &str, site_key: &str, color: Option<&str>) -> String {
    let color = color.map(|c| format!(r#" data-color="{c}""#)).unwrap_or_default();
    format!(r#"<script src="{public_url}/widget.js" data-site="{site_key}"{color} defer></script>"#)
}

/// What a shop with a Content-Security-Policy adds to it for the widget: its script and
/// WebAssembly from Hark, and its calls to Hark.
pub fn csp_line(public_url: &str) -> String {
    format!("script-src {public_url} 'wasm-unsafe-eval'; connect-src {public_url}")
}

/// The origin (`scheme://host[:port]`, default port left out) of an http(s) URL,
/// or why it is not one.
pub fn normalize_origin(input: &str) -> Result<String, String> {
    parse_origin(input).map(|(_, origin)| origin)
}

/// The http(s) URL `input` and its origin, or why it is not one.
fn parse_origin(input: &str) -> Result<(url::Url, String), String> {
    let url = url::Url::parse(input.trim()).map_err(|e| format!("{input}: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!("{input}: must be an http or https origin"));
    }
    let origin = url.origin().ascii_serialization();
    Ok((url, origin))
}

/// An origin as a merchant typed it, normalised (`https://Shop.Example:443` →
/// `https://shop.example`); anything more than an origin (a path, a trailing slash, a
/// query) is explained, not stored, since the browser's `Origin` never carries it.
pub fn check_origin(input: &str) -> Result<String, String> {
    let typed = input.trim();
    if !typed.contains("://") {
        return Err(format!("{typed}: write the whole origin with its scheme, such as https://{typed}"));
    }
    let (url, origin) = parse_origin(typed)?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("{typed}: an origin has no user name or password; use {origin}"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(format!("{typed}: an origin has no path, query or #; use {origin}"));
    }
    if typed.ends_with('/') {
        return Err(format!("{typed}: an origin has no trailing slash; use {origin}"));
    }
    Ok(origin)
}

const MAX_ORIGINS: usize = 20;
const MAX_CATEGORIES: usize = 30;
const MAX_CATEGORY_CHARS: usize = 40;
/// Response targets are at most a year.
const MAX_TARGET_MINUTES: i64 = 525_600;
/// How long a replaced secret may keep verifying: up to 30 days.
pub const MAX_GRACE_MINUTES: i64 = 43_200;

fn add(errors: &mut FieldErrors, field: &str, message: impl Into<String>) {
    errors.entry(field.to_owned()).or_default().push(message.into());
}

/// Applies `change` to `site`, checking every rule; all broken rules at once.
fn apply(site: &mut Site, change: &SiteChange) -> Result<()> {
    let mut errors = FieldErrors::new();
    if let Some(name) = &change.name {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            add(&mut errors, "name", "must be 1 to 100 characters");
        }
        site.name = name.to_owned();
    }
    if let Some(origins) = &change.allowed_origins {
        let mut kept = Vec::new();
        for typed in origins.iter().filter(|o| !o.trim().is_empty()) {
            match check_origin(typed) {
                Ok(origin) if !kept.contains(&origin) => kept.push(origin),
                Ok(_) => {}
                Err(message) => add(&mut errors, "allowed_origins", message),
            }
        }
        if kept.len() > MAX_ORIGINS {
            add(&mut errors, "allowed_origins", format!("at most {MAX_ORIGINS} origins"));
        }
        site.allowed_origins = kept;
    }
    if let Some(categories) = &change.categories {
        let mut kept: Vec<String> = Vec::new();
        for category in categories.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
            if category.chars().count() > MAX_CATEGORY_CHARS || category.chars().any(char::is_control) {
                add(
                    &mut errors,
                    "categories",
                    format!("{category}: at most {MAX_CATEGORY_CHARS} characters on one line"),
                );
            } else if !kept.iter().any(|k| k.to_lowercase() == category.to_lowercase()) {
                kept.push(category.to_owned());
            }
        }
        if kept.is_empty() || kept.len() > MAX_CATEGORIES {
            add(&mut errors, "categories", format!("1 to {MAX_CATEGORIES} categories"));
        }
        site.categories = kept;
    }
    if let Some(kinds) = &change.enabled_kinds {
        let kinds: Vec<Kind> = Kind::ALL.iter().copied().filter(|k| kinds.contains(k)).collect();
        if kinds.is_empty() {
            add(&mut errors, "enabled_kinds", "at least one kind");
        }
        site.enabled_kinds = kinds;
    }
    if let Some(color) = &change.theme_color {
        let color = color.trim().to_lowercase();
        let hex = color.strip_prefix('#').unwrap_or("");
        if color.is_empty() {
            site.theme_color = None;
        } else if hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            site.theme_color = Some(color);
        } else {
            add(&mut errors, "theme_color", "must be a colour as #rrggbb, or empty for Hark's own");
        }
    }
    if let Some(require_email) = change.require_email {
        site.require_email = require_email;
    }
    if let Some(disabled) = change.disabled {
        site.disabled = disabled;
    }
    if let Some(sla) = change.sla {
        let targets = [sla.first_response, sla.resolution, sla.key_first_response, sla.key_resolution];
        if targets.iter().any(|t| !(1..=MAX_TARGET_MINUTES).contains(t)) {
            add(&mut errors, "sla", format!("each target is 1 to {MAX_TARGET_MINUTES} minutes"));
        } else if sla.key_first_response > sla.first_response || sla.key_resolution > sla.resolution {
            add(&mut errors, "sla", "key customers' targets are no longer than everyone's");
        } else if sla.first_response > sla.resolution || sla.key_first_response > sla.key_resolution {
            add(&mut errors, "sla", "a first response is due no later than the resolution");
        }
        site.sla = sla;
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(errors))
    }
}

/// What changed between two versions of a site, for the audit log: `{field: [old, new]}`.
fn differences(old: &Site, new: &Site) -> serde_json::Value {
    use serde_json::{json, Map, Value};
    let mut changed = Map::new();
    let mut note = |field: &str, old: Value, new: Value| {
        if old != new {
            changed.insert(field.to_owned(), json!([old, new]));
        }
    };
    note("name", json!(old.name), json!(new.name));
    note("allowed_origins", json!(old.allowed_origins), json!(new.allowed_origins));
    note("categories", json!(old.categories), json!(new.categories));
    note("enabled_kinds", json!(old.enabled_kinds), json!(new.enabled_kinds));
    note("theme_color", json!(old.theme_color), json!(new.theme_color));
    note("require_email", json!(old.require_email), json!(new.require_email));
    note("disabled", json!(old.disabled), json!(new.disabled));
    note("sla", json!(old.sla), json!(new.sla));
    Value::Object(changed)
}

fn site_from_row(row: &AnyRow) -> Result<Site> {
    let require_email: i64 = row.try_get("require_email")?;
    let disabled: i64 = row.try_get("disabled")?;
    let previous: Option<String> = row.try_get("previous_secret")?;
    let until: Option<i64> = row.try_get("previous_secret_until")?;
    Ok(Site {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        name: row.try_get("name")?,
        site_key: row.try_get("site_key")?,
        secret: row.try_get("secret")?,
        previous_secret: previous.zip(until),
        allowed_origins: json_column(row, "allowed_origins")?,
        categories: json_column(row, "categories")?,
        enabled_kinds: json_column(row, "enabled_kinds")?,
        theme_color: row.try_get("theme_color")?,
        require_email: require_email != 0,
        disabled: disabled != 0,
        sla: Sla {
            first_response: row.try_get("sla_first_response")?,
            resolution: row.try_get("sla_resolution")?,
            key_first_response: row.try_get("sla_key_first_response")?,
            key_resolution: row.try_get("sla_key_resolution")?,
        },
        created_at: row.try_get("created_at")?,
    })
}

const SITE_COLUMNS: &str = "id, org_id, name, site_key, secret, allowed_origins, categories, \
                            enabled_kinds, require_email, disabled, sla_first_response, sla_resolution, \
                            sla_key_first_response, sla_key_resolution, created_at, theme_color, \
                            previous_secret, previous_secret_until";

impl Store {
    /// Adds a site to `org`: from the command line (`by` none) or an owner in the admin.
    pub async fn add_site(&self, org: &Org, new: NewSite) -> Result<Site> {
        self.create_site(org, None, new).await
    }

    /// Adds a site to `by`'s organisation, with an entry in the audit log.
    pub async fn add_site_by(&self, by: &StaffRecord, new: NewSite) -> Result<Site> {
        let org = Org { id: by.org_id.clone(), name: by.member.org_name.clone() };
        self.create_site(&org, Some(by), new).await
    }

    async fn create_site(&self, org: &Org, by: Option<&StaffRecord>, new: NewSite) -> Result<Site> {
        let mut site = Site {
            id: new_id(),
            org_id: org.id.clone(),
            site_key: format!("pk_{}", auth::random_hex(12)), // see `is_site_key`
            secret: format!("sk_{}", auth::random_hex(32)),
            require_email: new.require_email,
            created_at: now_millis(),
            ..Site::detached("", "")
        };
        let change =
            SiteChange { name: Some(new.name), allowed_origins: Some(new.allowed_origins), ..Default::default() };
        apply(&mut site, &change)?;
        let mut tx = self.write_tx().await?;
        sqlx::query(&format!(
            "INSERT INTO sites ({SITE_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, NULL, NULL)"
        ))
        .bind(&site.id)
        .bind(&site.org_id)
        .bind(&site.name)
        .bind(&site.site_key)
        .bind(&site.secret)
        .bind(serde_json::to_string(&site.allowed_origins).expect("strings serialize"))
        .bind(serde_json::to_string(&site.categories).expect("strings serialize"))
        .bind(serde_json::to_string(&site.enabled_kinds).expect("kinds serialize"))
        .bind(i64::from(site.require_email))
        .bind(i64::from(site.disabled))
        .bind(site.sla.first_response)
        .bind(site.sla.resolution)
        .bind(site.sla.key_first_response)
        .bind(site.sla.key_resolution)
        .bind(site.created_at)
        .bind(&site.theme_color)
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                Error::Conflict("site key clash, try again".into())
            } else {
                e.into()
            }
        })?;
        let detail = serde_json::json!({"allowed_origins": site.allowed_origins});
        Audit { org_id: &org.id, by, action: "site.create", target: &site.name, detail: Some(detail) }
            .write(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(site)
    }

    pub async fn site_by_key(&self, site_key: &str) -> Result<Option<Site>> {
        let row = sqlx::query(&format!("SELECT {SITE_COLUMNS} FROM sites WHERE site_key = $1"))
            .bind(site_key)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(site_from_row).transpose()
    }

    /// One of `org_id`'s sites; another organisation's is `NotFound`, as a missing one.
    pub async fn site(&self, org_id: &str, id: &str) -> Result<Site> {
        let row = sqlx::query(&format!("SELECT {SITE_COLUMNS} FROM sites WHERE id = $1 AND org_id = $2"))
            .bind(id)
            .bind(org_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(Error::NotFound)?;
        site_from_row(&row)
    }

    /// The organisation's sites, in the order they were added.
    pub async fn sites(&self, org_id: &str) -> Result<Vec<Site>> {
        let rows = sqlx::query(&format!("SELECT {SITE_COLUMNS} FROM sites WHERE org_id = $1 ORDER BY created_at, id"))
            .bind(org_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(site_from_row).collect()
    }

    /// Changes one of `by`'s organisation's sites; the audit log says what changed.
    pub async fn update_site(&self, by: &StaffRecord, id: &str, change: &SiteChange) -> Result<Site> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(&format!(
            "SELECT {SITE_COLUMNS} FROM sites WHERE id = $1 AND org_id = $2{}",
            self.lock_clause()
        ))
        .bind(id)
        .bind(&by.org_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(Error::NotFound)?;
        let old = site_from_row(&row)?;
        let mut site = old.clone();
        apply(&mut site, change)?;
        sqlx::query(
            "UPDATE sites SET name = $1, allowed_origins = $2, categories = $3, enabled_kinds = $4, \
             theme_color = $5, require_email = $6, disabled = $7, sla_first_response = $8, sla_resolution = $9, \
             sla_key_first_response = $10, sla_key_resolution = $11 WHERE id = $12 AND org_id = $13",
        )
        .bind(&site.name)
        .bind(serde_json::to_string(&site.allowed_origins).expect("strings serialize"))
        .bind(serde_json::to_string(&site.categories).expect("strings serialize"))
        .bind(serde_json::to_string(&site.enabled_kinds).expect("kinds serialize"))
        .bind(&site.theme_color)
        .bind(i64::from(site.require_email))
        .bind(i64::from(site.disabled))
        .bind(site.sla.first_response)
        .bind(site.sla.resolution)
        .bind(site.sla.key_first_response)
        .bind(site.sla.key_resolution)
        .bind(&site.id)
        .bind(&by.org_id)
        .execute(&mut *tx)
        .await?;
        let detail = differences(&old, &site);
        if detail.as_object().is_some_and(|d| !d.is_empty()) {
            Audit { org_id: &by.org_id, by: Some(by), action: "site.update", target: &site.name, detail: Some(detail) }
                .write(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(site)
    }

    /// Gives one of `by`'s organisation's sites a new signing secret. The one it replaces
    /// keeps verifying for `grace_minutes` (0 to 30 days), so that the shop's server can
    /// move to the new one without refusing key customers meanwhile.
    pub async fn rotate_secret(&self, by: &StaffRecord, id: &str, grace_minutes: i64) -> Result<Site> {
        if !(0..=MAX_GRACE_MINUTES).contains(&grace_minutes) {
            return Err(Error::field("grace_minutes", format!("must be 0 to {MAX_GRACE_MINUTES} minutes")));
        }
        let site = self.site(&by.org_id, id).await?;
        let secret = format!("sk_{}", auth::random_hex(32));
        let until = now_millis() + grace_minutes * 60_000;
        let mut tx = self.write_tx().await?;
        let rotated = sqlx::query(
            "UPDATE sites SET secret = $1, previous_secret = $2, previous_secret_until = $3 \
             WHERE id = $4 AND org_id = $5 AND secret = $2",
        )
        .bind(&secret)
        .bind(&site.secret)
        .bind(until)
        .bind(&site.id)
        .bind(&by.org_id)
        .execute(&mut *tx)
        .await?;
        if rotated.rows_affected() == 0 {
            return Err(Error::Conflict("the secret was just replaced; load the site again".into()));
        }
        let detail = serde_json::json!({"grace_minutes": grace_minutes});
        Audit { org_id: &by.org_id, by: Some(by), action: "site.secret", target: &site.name, detail: Some(detail) }
            .write(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Site { secret, previous_secret: Some((site.secret, until)), ..site })
    }

    /// Adds `origin` to the allowed origins of the site `site_key` unless it is there.
    pub async fn allow_origin(&self, site_key: &str, origin: &str) -> Result<()> {
        let site = self.site_by_key(site_key).await?.ok_or(Error::NotFound)?;
        if site.allows_origin(origin) {
            return Ok(());
        }
        let mut origins = site.allowed_origins;
        origins.push(origin.to_owned());
        sqlx::query("UPDATE sites SET allowed_origins = $1 WHERE id = $2")
            .bind(serde_json::to_string(&origins).expect("strings serialize"))
            .bind(&site.id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// A site as the admin shows it to `staff`: the secret to owners only; where it was
/// `seen` (origin, when in ms), allowed origins first, then the refused, newest first.
pub(super) fn settings(site: &Site, public_url: &str, owner: bool, seen: &[(String, i64)]) -> SiteSettings {
    let mut sightings: Vec<Sighting> = seen
        .iter()
        .map(|(origin, at)| Sighting {
            origin: origin.clone(),
            allowed: site.allows_origin(origin),
            last_seen_at: rfc3339_from_millis(*at),
        })
        .collect();
    sightings.sort_by(|a, b| b.allowed.cmp(&a.allowed).then_with(|| b.last_seen_at.cmp(&a.last_seen_at)));
    let refused_kept = sightings.iter().filter(|s| !s.allowed).count().min(super::SIGHTINGS_REFUSED_KEPT);
    sightings.truncate(sightings.iter().filter(|s| s.allowed).count() + refused_kept);
    let now = now_millis();
    SiteSettings {
        id: site.id.clone(),
        name: site.name.clone(),
        site_key: site.site_key.clone(),
        allowed_origins: site.allowed_origins.clone(),
        categories: site.categories.clone(),
        enabled_kinds: site.enabled_kinds.clone(),
        theme_color: site.theme_color.clone(),
        require_email: site.require_email,
        disabled: site.disabled,
        sla: site.sla,
        created_at: rfc3339_from_millis(site.created_at),
        secret: owner.then(|| site.secret.clone()),
        previous_secret_until: site
            .previous_secret
            .as_ref()
            .filter(|(_, until)| owner && *until > now)
            .map(|(_, until)| rfc3339_from_millis(*until)),
        snippet: snippet(public_url, &site.site_key, site.theme_color.as_deref()),
        csp: csp_line(public_url),
        seen: sightings,
    }
}

#[cfg(test)]
mod tests {
    use super::{apply, check_origin, is_site_key, normalize_origin, Site};
    use crate::model::{Kind, SiteChange, Sla};

    #[test]
    fn only_keys_of_the_issued_shape_can_name_a_site() {
        assert!(is_site_key(&format!("pk_{}", crate::auth::random_hex(12))));
        for key in [
            "",
            "pk_",
            "pk_nope",
            "pk_0123456789ABCDEF01234567",
            "sk_0123456789abcdef01234567",
            "pk_0123456789abcdef012345678",
        ] {
            assert!(!is_site_key(key), "{key}");
        }
        assert!(!is_site_key(&"a".repeat(60_000)));
    }

    #[test]
    fn origins_are_reduced_to_scheme_host_and_port() {
        assert_eq!(normalize_origin("https://Shop.Example/path?q=1").unwrap(), "https://shop.example");
        assert_eq!(normalize_origin("http://127.0.0.1:3000/").unwrap(), "http://127.0.0.1:3000");
        assert_eq!(normalize_origin("https://shop.example:443").unwrap(), "https://shop.example");
        assert!(normalize_origin("ftp://shop.example").is_err());
        assert!(normalize_origin("shop.example").is_err());
    }

    #[test]
    fn a_typed_origin_is_normalised_and_a_typo_explained_not_stored() {
        assert_eq!(check_origin(" https://Shop.Example:443 ").unwrap(), "https://shop.example");
        assert_eq!(check_origin("http://127.0.0.1:3000").unwrap(), "http://127.0.0.1:3000");
        let explained = [
            ("https://shop.example/", "no trailing slash; use https://shop.example"),
            ("https://shop.example/checkout", "no path, query or #; use https://shop.example"),
            ("https://shop.example?x=1", "no path, query or #"),
            ("shop.example", "such as https://shop.example"),
            ("https://me:pw@shop.example", "no user name or password"),
            ("ftp://shop.example", "http or https"),
        ];
        for (typed, why) in explained {
            let err = check_origin(typed).unwrap_err();
            assert!(err.contains(why), "{typed}: {err}");
        }
    }

    #[test]
    fn a_change_breaking_rules_says_each_and_changes_nothing_it_is_not_asked_to() {
        let mut site = Site::detached("pk", "sk");
        let change = SiteChange {
            name: Some(" ".into()),
            allowed_origins: Some(vec!["https://shop.example/".into()]),
            categories: Some(vec![]),
            enabled_kinds: Some(vec![]),
            theme_color: Some("red; background: url(x)".into()),
            sla: Some(Sla { key_first_response: 500, ..Sla::DEFAULT }),
            ..Default::default()
        };
        let crate::Error::Validation(fields) = apply(&mut site, &change).unwrap_err() else { panic!() };
        let broken: Vec<&str> = fields.keys().map(String::as_str).collect();
        assert_eq!(broken, ["allowed_origins", "categories", "enabled_kinds", "name", "sla", "theme_color"]);

        let mut site = Site::detached("pk", "sk");
        let change = SiteChange {
            categories: Some(vec!["delivery_delay".into(), "Gift wrapping".into(), "gift WRAPPING".into(), " ".into()]),
            enabled_kinds: Some(vec![Kind::Complaint, Kind::Csat, Kind::Csat]),
            theme_color: Some("#0A7C66".into()),
            ..Default::default()
        };
        apply(&mut site, &change).unwrap();
        assert_eq!(site.categories, ["delivery_delay", "Gift wrapping"]);
        assert_eq!(site.enabled_kinds, [Kind::Csat, Kind::Complaint]);
        assert_eq!(site.theme_color.as_deref(), Some("#0a7c66"));
        assert_eq!((site.name.as_str(), site.sla), ("pk", Sla::DEFAULT));
    }

    #[test]
    fn a_replaced_secret_verifies_only_during_its_grace_period() {
        let sig = crate::auth::customer_signature("old", "c_1", "key");
        let mut site = Site::detached("pk", "new");
        assert!(!site.verifies_customer("c_1", "key", &sig));
        site.previous_secret = Some(("old".into(), super::now_millis() + 60_000));
        assert!(site.verifies_customer("c_1", "key", &sig));
        assert!(!site.verifies_customer("c_1", "vip", &sig));
        site.previous_secret = Some(("old".into(), super::now_millis() - 1));
        assert!(!site.verifies_customer("c_1", "key", &sig));
    }
}
