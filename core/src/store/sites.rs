//! Merchants' sites: the public key the widget names, the signing secret, and what
//! the site accepts.

use super::{is_unique_violation, json_column, new_id, now_millis, Org, Store};
use crate::auth;
use crate::error::{Error, Result};
use crate::model::{Kind, DEFAULT_CATEGORIES};
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Clone, Debug, PartialEq)]
pub struct Site {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub site_key: String,
    pub secret: String,
    /// Exact origins (`scheme://host[:port]`) allowed to post from a browser.
    pub allowed_origins: Vec<String>,
    pub categories: Vec<String>,
    pub enabled_kinds: Vec<Kind>,
    pub require_email: bool,
    pub disabled: bool,
    pub sla: Sla,
}

/// A site's response targets, in minutes: how soon a submission that needs an answer
/// gets its first reply and its resolution; tighter for key customers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sla {
    pub first_response: i64,
    pub resolution: i64,
    pub key_first_response: i64,
    pub key_resolution: i64,
}

impl Sla {
    /// A new site's targets (the columns' defaults): four hours to a first answer and two
    /// days to a resolution; one hour and one day for key customers.
    pub const DEFAULT: Sla =
        Sla { first_response: 240, resolution: 2880, key_first_response: 60, key_resolution: 1440 };
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
            allowed_origins: vec![],
            categories: DEFAULT_CATEGORIES.iter().map(|c| c.to_string()).collect(),
            enabled_kinds: Kind::ALL.to_vec(),
            require_email: false,
            disabled: false,
            sla: Sla::DEFAULT,
        }
    }

    pub fn allows_origin(&self, origin: &str) -> bool {
        self.allowed_origins.iter().any(|o| o == origin)
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

/// The origin (`scheme://host[:port]`, default port left out) of an http(s) URL,
/// or why it is not one.
pub fn normalize_origin(input: &str) -> Result<String, String> {
    let url = url::Url::parse(input.trim()).map_err(|e| format!("{input}: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!("{input}: must be an http or https origin"));
    }
    Ok(url.origin().ascii_serialization())
}

fn site_from_row(row: &AnyRow) -> Result<Site> {
    let require_email: i64 = row.try_get("require_email")?;
    let disabled: i64 = row.try_get("disabled")?;
    Ok(Site {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        name: row.try_get("name")?,
        site_key: row.try_get("site_key")?,
        secret: row.try_get("secret")?,
        allowed_origins: json_column(row, "allowed_origins")?,
        categories: json_column(row, "categories")?,
        enabled_kinds: json_column(row, "enabled_kinds")?,
        require_email: require_email != 0,
        disabled: disabled != 0,
        sla: Sla {
            first_response: row.try_get("sla_first_response")?,
            resolution: row.try_get("sla_resolution")?,
            key_first_response: row.try_get("sla_key_first_response")?,
            key_resolution: row.try_get("sla_key_resolution")?,
        },
    })
}

const SITE_COLUMNS: &str = "id, org_id, name, site_key, secret, allowed_origins, categories, \
                            enabled_kinds, require_email, disabled, sla_first_response, sla_resolution, \
                            sla_key_first_response, sla_key_resolution";

impl Store {
    pub async fn add_site(&self, org: &Org, new: NewSite) -> Result<Site> {
        let name = new.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(Error::field("name", "must be 1 to 100 characters"));
        }
        let origins = new
            .allowed_origins
            .iter()
            .map(|o| normalize_origin(o))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Error::field("origin", e))?;
        let site = Site {
            id: new_id(),
            org_id: org.id.clone(),
            name,
            site_key: format!("pk_{}", auth::random_hex(12)), // see `is_site_key`
            secret: format!("sk_{}", auth::random_hex(32)),
            allowed_origins: origins,
            categories: DEFAULT_CATEGORIES.iter().map(|c| c.to_string()).collect(),
            enabled_kinds: Kind::ALL.to_vec(),
            require_email: new.require_email,
            disabled: false,
            sla: Sla::DEFAULT,
        };
        sqlx::query(&format!(
            "INSERT INTO sites ({SITE_COLUMNS}, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
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
        .bind(now_millis())
        .execute(&self.pool)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                Error::Conflict("site key clash, try again".into())
            } else {
                e.into()
            }
        })?;
        Ok(site)
    }

    pub async fn site_by_key(&self, site_key: &str) -> Result<Option<Site>> {
        let row = sqlx::query(&format!("SELECT {SITE_COLUMNS} FROM sites WHERE site_key = $1"))
            .bind(site_key)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(site_from_row).transpose()
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

#[cfg(test)]
mod tests {
    use super::{is_site_key, normalize_origin};

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
}
