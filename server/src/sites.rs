//! Sites by public key, cached: every public request names one, and a database round
//! trip per request would cost more than the rest of the request. An instance sees a
//! change made elsewhere (a site disabled, an origin added) within `TTL`.

use hark_core::store::Site;
use hark_core::Store;
use std::sync::Arc;
use std::time::Duration;

pub const TTL: Duration = Duration::from_secs(10);
/// Unknown keys of the issued shape are cached too (so a flood of made-up keys cannot
/// reach the database), which is why the cache is bounded: keys of any other shape are
/// never looked up nor kept, so every entry's key is 27 bytes and the cache holds a few
/// MB at most.
const CAPACITY: u64 = 50_000;

#[derive(Clone)]
pub struct SiteCache {
    store: Store,
    cache: moka::future::Cache<String, Option<Arc<Site>>>,
}

impl SiteCache {
    pub fn new(store: Store) -> Self {
        SiteCache { store, cache: moka::future::Cache::builder().max_capacity(CAPACITY).time_to_live(TTL).build() }
    }

    /// The site with this key, enabled or not, or `None`. Shared, not copied: every
    /// public request reads one.
    pub async fn get(&self, site_key: &str) -> Result<Option<Arc<Site>>, hark_core::Error> {
        if !hark_core::store::is_site_key(site_key) {
            return Ok(None);
        }
        if let Some(site) = self.cache.get(site_key).await {
            return Ok(site);
        }
        let site = self.store.site_by_key(site_key).await?.map(Arc::new);
        self.cache.insert(site_key.to_owned(), site.clone()).await;
        Ok(site)
    }

    /// The site with this key if it exists and is not disabled: the one a public request
    /// may use.
    pub async fn active(&self, site_key: &str) -> Result<Option<Arc<Site>>, hark_core::Error> {
        Ok(self.get(site_key).await?.filter(|site| !site.disabled))
    }

    /// Forgets what this instance holds of `site_key`, after a change made here: its
    /// next request reads the change at once (other instances within `TTL`).
    pub async fn forget(&self, site_key: &str) {
        self.cache.invalidate(site_key).await;
    }
}

/// How often the widget's sightings are written out (see `Store::note_sighting`).
pub const SIGHTINGS_EVERY: Duration = Duration::from_secs(10);

/// Writes the collector's sightings now and then, off every request's path.
pub fn spawn_sightings_writer(store: Store) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SIGHTINGS_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(err) = store.flush_sightings().await {
                tracing::warn!(error = %err, "writing where widgets were seen failed; kept for the next try");
            }
        }
    });
}

/// `/api/v1/admin/sites`: every role reads the organisation's sites (the secret is
/// shown to owners only); owners add and change them and rotate their secrets.
pub mod admin {
    use crate::admin::{Owner, Staff};
    use crate::error::{ApiError, ErrorBody};
    use crate::json::ApiJson;
    use crate::state::AppState;
    use axum::extract::{Path, State};
    use axum::http::StatusCode;
    use axum::Json;
    use hark_core::model::{SiteChange, SiteSettings};
    use hark_core::store::{NewSite, Site, StaffRecord};
    use serde::Deserialize;

    /// The sites as `staff` may see them, with where each was seen.
    async fn views(state: &AppState, staff: &StaffRecord, sites: &[Site]) -> Result<Vec<SiteSettings>, ApiError> {
        let owner = hark_core::store::may_configure(staff);
        Ok(state.store.site_settings(sites, &state.config.public_url, owner).await?)
    }

    async fn view(state: &AppState, staff: &StaffRecord, site: Site) -> Result<SiteSettings, ApiError> {
        Ok(views(state, staff, &[site]).await?.remove(0))
    }

    #[utoipa::path(
        get, path = "/api/v1/admin/sites", tag = "admin",
        responses(
            (status = 200, description = "The organisation's sites, in the order they were added", body = [SiteSettings]),
            (status = 401, description = "`unauthorized`", body = ErrorBody),
        ),
        security(("bearer" = []), ("session" = []))
    )]
    pub async fn list_sites(
        State(state): State<AppState>,
        Staff(staff): Staff,
    ) -> Result<Json<Vec<SiteSettings>>, ApiError> {
        let sites = state.store.sites(&staff.org_id).await?;
        Ok(Json(views(&state, &staff, &sites).await?))
    }

    /// A new site: its name and the origins of the shop's pages.
    #[derive(Debug, Deserialize, utoipa::ToSchema)]
    #[serde(deny_unknown_fields)]
    pub struct NewSiteRequest {
        name: String,
        #[serde(default)]
        allowed_origins: Vec<String>,
        #[serde(default)]
        require_email: bool,
    }

    #[utoipa::path(
        post, path = "/api/v1/admin/sites", tag = "admin",
        request_body = NewSiteRequest,
        responses(
            (status = 201, description = "Added, with the default categories, every kind and the default targets; the snippet to paste", body = SiteSettings),
            (status = 400, description = "`bad_json`", body = ErrorBody),
            (status = 415, description = "`unsupported_media_type`: send application/json", body = ErrorBody),
            (status = 401, description = "`unauthorized`", body = ErrorBody),
            (status = 403, description = "`forbidden`: owners only", body = ErrorBody),
            (status = 422, description = "`validation`: a name of 1 to 100 characters; each origin a full origin (its fix is said)", body = ErrorBody),
        ),
        security(("bearer" = []), ("session" = []))
    )]
    pub async fn create_site(
        State(state): State<AppState>,
        Owner(owner): Owner,
        ApiJson(body): ApiJson<NewSiteRequest>,
    ) -> Result<(StatusCode, Json<SiteSettings>), ApiError> {
        let new = NewSite { name: body.name, allowed_origins: body.allowed_origins, require_email: body.require_email };
        let site = state.store.add_site_by(&owner, new).await?;
        Ok((StatusCode::CREATED, Json(view(&state, &owner, site).await?)))
    }

    #[utoipa::path(
        get, path = "/api/v1/admin/sites/{id}", tag = "admin",
        params(("id" = String, Path)),
        responses(
            (status = 200, description = "The site, the snippet, and where its widget was seen", body = SiteSettings),
            (status = 401, description = "`unauthorized`", body = ErrorBody),
            (status = 404, description = "`not_found`", body = ErrorBody),
        ),
        security(("bearer" = []), ("session" = []))
    )]
    pub async fn get_site(
        State(state): State<AppState>,
        Staff(staff): Staff,
        Path(id): Path<String>,
    ) -> Result<Json<SiteSettings>, ApiError> {
        let site = state.store.site(&staff.org_id, &id).await?;
        Ok(Json(view(&state, &staff, site).await?))
    }

    #[utoipa::path(
        patch, path = "/api/v1/admin/sites/{id}", tag = "admin",
        params(("id" = String, Path)),
        request_body = SiteChange,
        responses(
            (status = 200, description = "Changed; this instance serves the change at once, others within 10 s", body = SiteSettings),
            (status = 400, description = "`bad_json`: not JSON of this shape (an unknown field, a kind that is none)", body = ErrorBody),
            (status = 415, description = "`unsupported_media_type`: send application/json", body = ErrorBody),
            (status = 401, description = "`unauthorized`", body = ErrorBody),
            (status = 403, description = "`forbidden`: owners only", body = ErrorBody),
            (status = 404, description = "`not_found`", body = ErrorBody),
            (status = 422, description = "`validation`: `fields` says which rules broke; nothing was changed", body = ErrorBody),
        ),
        security(("bearer" = []), ("session" = []))
    )]
    pub async fn update_site(
        State(state): State<AppState>,
        Owner(owner): Owner,
        Path(id): Path<String>,
        ApiJson(change): ApiJson<SiteChange>,
    ) -> Result<Json<SiteSettings>, ApiError> {
        let site = state.store.update_site(&owner, &id, &change).await?;
        state.sites.forget(&site.site_key).await;
        Ok(Json(view(&state, &owner, site).await?))
    }

    /// How long the secret being replaced keeps verifying.
    #[derive(Debug, Deserialize, utoipa::ToSchema)]
    #[serde(deny_unknown_fields)]
    pub struct Rotation {
        /// 0 (at once) to 43,200 (30 days).
        grace_minutes: i64,
    }

    #[utoipa::path(
        post, path = "/api/v1/admin/sites/{id}/secret", tag = "admin",
        params(("id" = String, Path)),
        request_body = Rotation,
        responses(
            (status = 200, description = "A new secret (in `secret`); the old one verifies until `previous_secret_until`", body = SiteSettings),
            (status = 400, description = "`bad_json`", body = ErrorBody),
            (status = 415, description = "`unsupported_media_type`: send application/json", body = ErrorBody),
            (status = 401, description = "`unauthorized`", body = ErrorBody),
            (status = 403, description = "`forbidden`: owners only", body = ErrorBody),
            (status = 404, description = "`not_found`", body = ErrorBody),
            (status = 409, description = "`conflict`: replaced by someone else at the same moment", body = ErrorBody),
            (status = 422, description = "`validation`: `grace_minutes` out of range", body = ErrorBody),
        ),
        security(("bearer" = []), ("session" = []))
    )]
    pub async fn rotate_secret(
        State(state): State<AppState>,
        Owner(owner): Owner,
        Path(id): Path<String>,
        ApiJson(body): ApiJson<Rotation>,
    ) -> Result<Json<SiteSettings>, ApiError> {
        let site = state.store.rotate_secret(&owner, &id, body.grace_minutes).await?;
        state.sites.forget(&site.site_key).await;
        Ok(Json(view(&state, &owner, site).await?))
    }
}
