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
}
