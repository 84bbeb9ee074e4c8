//! First run: an empty database gets an organisation, an owner and a demo site, so
//! Hark is usable the moment it starts.

use crate::config::Config;
use hark_core::model::Role;
use hark_core::store::NewSite;
use hark_core::{Error, Store};

pub const DEMO_SITE_SETTING: &str = "demo_site_key";
pub const OWNER_EMAIL: &str = "owner@hark.local";
const ORG_NAME: &str = "My shop";

/// The owner created on first run; the password exists only here, printed once.
#[derive(Debug, Clone)]
pub struct FirstRun {
    pub email: String,
    pub password: String,
}

/// Creates the starting data if the database has no staff yet, and keeps the demo
/// site's allowed origins in step with the address Hark is served at.
pub async fn prepare(store: &Store, config: &Config) -> Result<Option<FirstRun>, Error> {
    let mut first_run = None;
    if store.count_users().await? == 0 {
        let org = store.ensure_org(ORG_NAME).await?;
        let password = hark_core::auth::generate_password();
        match store.add_user(&org, OWNER_EMAIL, &password, Role::Owner).await {
            Ok(_) => {
                let site = store
                    .add_site(
                        &org,
                        NewSite {
                            name: "Demo shop".into(),
                            allowed_origins: vec![config.public_url.clone()],
                            require_email: false,
                        },
                    )
                    .await?;
                store.set_setting(DEMO_SITE_SETTING, &site.site_key).await?;
                first_run = Some(FirstRun { email: OWNER_EMAIL.into(), password });
            }
            // Another instance on the same database got there first.
            Err(Error::Conflict(_)) => {}
            Err(other) => return Err(other),
        }
    }
    if let Some(key) = store.setting(DEMO_SITE_SETTING).await? {
        for origin in own_origins(&config.public_url) {
            store.allow_origin(&key, &origin).await?;
        }
    }
    Ok(first_run)
}

/// Hark's own origin, plus its `localhost` twin when served on a loopback address, so
/// the demo works whichever of the two a person types.
fn own_origins(public_url: &str) -> Vec<String> {
    let Ok(origin) = hark_core::store::normalize_origin(public_url) else {
        return vec![];
    };
    let twin = if origin.contains("://127.0.0.1") {
        Some(origin.replacen("://127.0.0.1", "://localhost", 1))
    } else if origin.contains("://localhost") {
        Some(origin.replacen("://localhost", "://127.0.0.1", 1))
    } else {
        None
    };
    std::iter::once(origin).chain(twin).collect()
}

/// What `hark serve` prints when it is up.
pub fn banner(config: &Config, first_run: Option<&FirstRun>) -> String {
    let url = &config.public_url;
    let login = match first_run {
        Some(FirstRun { email, password }) => {
            format!("  Login:      {email}\n  Password:   {password}   (shown this once: keep it)\n")
        }
        None => format!("  Login:      {OWNER_EMAIL} (password printed at first run)\n"),
    };
    format!("\nHark is running.\n  Admin:      {url}/admin\n{login}  Demo shop:  {url}/demo\n")
}
