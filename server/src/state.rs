use crate::assets::Assets;
use crate::config::Config;
use crate::ratelimit::SubmissionLimiter;
use crate::sites::SiteCache;
use axum::extract::FromRef;
use hark_core::store::{SharedComposer, SubmissionWriter};
use hark_core::Store;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// Everything a handler may need. Cloned for every request (each extractor takes its
/// own copy), so it is one shared pointer.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub config: Arc<Config>,
    pub store: Store,
    pub assets: Arc<Assets>,
    pub leptos: LeptosOptions,
    pub limiter: SubmissionLimiter,
    /// Group-commits submissions; see `hark_core::store::SubmissionWriter`.
    pub writer: SubmissionWriter,
    pub sites: SiteCache,
    /// Makes a reply's email; none while no SMTP server is configured, and the tracking
    /// page is the channel.
    pub composer: SharedComposer,
    /// Makes an invitation's email; none while no SMTP server is configured.
    pub invitation_mail: Arc<hark_core::store::InvitationMail>,
}

impl AppState {
    pub fn new(config: Config, store: Store) -> Self {
        let store = store.with_session_policy(config.session_policy());
        let assets = Arc::new(Assets::load(&config.site_dir));
        let leptos = LeptosOptions::builder()
            .output_name("admin")
            .site_root(config.site_dir.to_string_lossy().into_owned())
            .site_pkg_dir("pkg")
            .build();
        let limiter = SubmissionLimiter::new(&config);
        crate::telemetry_metrics::handle();
        // The indexer cuts Chinese into words for the insights' phrases: the dictionary
        // loads now, at the start (once a process), not in the writer's first quiet
        // moment, and not while the server already runs (its memory would jump then).
        hark_core::phrases::warm_up();
        let indexer = crate::indexer::spawn(store.clone(), config.recount);
        store.relay_changes();
        let observe = move |size| {
            crate::telemetry_metrics::batch(size);
            indexer.committed(size);
        };
        let writer = SubmissionWriter::spawn(store.clone(), Some(Arc::new(observe)));
        let sites = SiteCache::new(store.clone());
        let composer = crate::mail::composer(&config.public_url, &config.smtp);
        let invitation_mail = crate::mail::invitation_mail(&config.public_url, &config.smtp);
        crate::sites::spawn_sightings_writer(store.clone());
        let config = Arc::new(config);
        AppState(Arc::new(Shared { config, store, assets, leptos, limiter, writer, sites, composer, invitation_mail }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}
