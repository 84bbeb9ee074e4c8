//! "Is it installed?": where each site's widget was last seen, by the browser's
//! `Origin`. The collector notes each sighting in memory (a lock and two lookups, no
//! I/O); `flush_sightings`, run now and then by the server, writes what changed, and the
//! admin reads the table merged with what this instance has not written yet.

use super::{now_millis, Site, Store};
use crate::error::Result;
use crate::model::SiteSettings;
use sqlx::Row;
use std::collections::HashMap;
use std::sync::Mutex;

/// Refused origins kept per site (newest): the merchant needs the last few, and a
/// stream of made-up `Origin`s must fill neither memory nor the table.
pub const SIGHTINGS_REFUSED_KEPT: usize = 10;

#[derive(Clone, Copy, Debug)]
struct Seen {
    allowed: bool,
    at: i64,
    written: bool,
}

/// Sightings not yet written, and the last of each since this instance started: site
/// id → origin → when.
#[derive(Debug, Default)]
pub(crate) struct Sightings(Mutex<HashMap<String, HashMap<String, Seen>>>);

impl Sightings {
    fn note(&self, site: &Site, origin: &str) {
        let allowed = site.allows_origin(origin);
        let at = now_millis();
        let mut sites = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let origins = match sites.get_mut(site.id.as_str()) {
            Some(origins) => origins,
            None => sites.entry(site.id.clone()).or_default(),
        };
        if let Some(seen) = origins.get_mut(origin) {
            *seen = Seen { allowed, at, written: false };
            return;
        }
        if !allowed && origins.values().filter(|s| !s.allowed).count() >= SIGHTINGS_REFUSED_KEPT {
            return;
        }
        origins.insert(origin.to_owned(), Seen { allowed, at, written: false });
    }

    /// What is not written yet, marked as written.
    fn take(&self) -> Vec<(String, String, bool, i64)> {
        let mut sites = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut taken = Vec::new();
        for (site_id, origins) in sites.iter_mut() {
            for (origin, seen) in origins.iter_mut().filter(|(_, s)| !s.written) {
                seen.written = true;
                taken.push((site_id.clone(), origin.clone(), seen.allowed, seen.at));
            }
        }
        taken
    }

    /// Puts back what could not be written, unless seen again meanwhile.
    fn restore(&self, failed: &[(String, String, bool, i64)]) {
        let mut sites = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        for (site_id, origin, _, at) in failed {
            if let Some(seen) = sites.get_mut(site_id).and_then(|o| o.get_mut(origin)).filter(|s| s.at == *at) {
                seen.written = false;
            }
        }
    }

    fn of_site(&self, site_id: &str) -> Vec<(String, i64)> {
        let sites = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        sites.get(site_id).map(|o| o.iter().map(|(origin, s)| (origin.clone(), s.at)).collect()).unwrap_or_default()
    }
}

impl Store {
    /// Notes that `site`'s widget was just asked for from `origin` (allowed or not).
    pub fn note_sighting(&self, site: &Site, origin: &str) {
        self.sightings.note(site, origin);
    }

    /// Writes the sightings noted since the last call; on failure they are kept for the
    /// next. Refused origins beyond the newest few of a site are forgotten.
    pub async fn flush_sightings(&self) -> Result<()> {
        let seen = self.sightings.take();
        if seen.is_empty() {
            return Ok(());
        }
        let written = self.write_sightings(&seen).await;
        if written.is_err() {
            self.sightings.restore(&seen);
        }
        written
    }

    async fn write_sightings(&self, seen: &[(String, String, bool, i64)]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for (site_id, origin, allowed, at) in seen {
            sqlx::query(
                "INSERT INTO site_origins (site_id, origin, allowed, last_seen_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (site_id, origin) DO UPDATE SET allowed = excluded.allowed, \
                 last_seen_at = CASE WHEN excluded.last_seen_at > site_origins.last_seen_at \
                 THEN excluded.last_seen_at ELSE site_origins.last_seen_at END",
            )
            .bind(site_id)
            .bind(origin)
            .bind(i64::from(*allowed))
            .bind(*at)
            .execute(&mut *tx)
            .await?;
        }
        let mut refused: Vec<&String> = seen.iter().filter(|s| !s.2).map(|s| &s.0).collect();
        refused.sort();
        refused.dedup();
        for site_id in refused {
            sqlx::query(
                "DELETE FROM site_origins WHERE site_id = $1 AND allowed = 0 AND origin NOT IN \
                 (SELECT origin FROM site_origins WHERE site_id = $1 AND allowed = 0 \
                  ORDER BY last_seen_at DESC LIMIT $2)",
            )
            .bind(site_id)
            .bind(SIGHTINGS_REFUSED_KEPT as i64)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Where each of `sites` (all of one organisation) was seen, by site id: each origin
    /// with the latest time known here, the table's or this instance's. One read.
    async fn sightings(&self, sites: &[Site]) -> Result<HashMap<String, HashMap<String, i64>>> {
        let mut seen: HashMap<String, HashMap<String, i64>> =
            sites.iter().map(|site| (site.id.clone(), HashMap::new())).collect();
        let Some(org_id) = sites.first().map(|s| &s.org_id) else { return Ok(seen) };
        let rows = sqlx::query(
            "SELECT so.site_id, so.origin, so.last_seen_at FROM site_origins so JOIN sites s ON s.id = so.site_id \
             WHERE s.org_id = $1",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        for row in &rows {
            if let Some(origins) = seen.get_mut(&row.try_get::<String, _>("site_id")?) {
                origins.insert(row.try_get("origin")?, row.try_get("last_seen_at")?);
            }
        }
        for (site, origins) in seen.iter_mut() {
            for (origin, at) in self.sightings.of_site(site) {
                let latest = origins.entry(origin).or_insert(at);
                *latest = (*latest).max(at);
            }
        }
        Ok(seen)
    }

    /// `sites` as the admin shows them (see [`super::sites::settings`]), with where each
    /// was seen; the secret only when `owner`.
    pub async fn site_settings(&self, sites: &[Site], public_url: &str, owner: bool) -> Result<Vec<SiteSettings>> {
        let mut seen = self.sightings(sites).await?;
        Ok(sites
            .iter()
            .map(|site| {
                let origins: Vec<(String, i64)> = seen.remove(&site.id).unwrap_or_default().into_iter().collect();
                super::sites::settings(site, public_url, owner, &origins)
            })
            .collect())
    }
}
