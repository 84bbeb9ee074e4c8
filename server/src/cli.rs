//! `hark` and its subcommands.

use crate::config::{Cli, Command, Config, Output, ServeArgs, SiteCommand, TokenCommand, UserCommand};
use crate::{bootstrap, router, AppState};
use anyhow::Context;
use hark_core::store::{snippet, NewSite, Org};
use hark_core::Store;
use serde_json::json;
use std::io::{Read, Write};

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        None => serve(cli.serve).await,
        Some(Command::Serve(args)) => serve(args).await,
        Some(Command::User(UserCommand::Add { email, role, org, database, output })) => {
            let store = open(&database.database_url).await?;
            let org = org_named(&store, org.as_deref()).await?;
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password).context("reading the password from stdin")?;
            let staff =
                store.add_user(&org, &email, password.trim_end_matches(['\r', '\n']), role).await.map_err(explain)?;
            print(&output, json!({ "user_id": staff.user_id, "org": org.name }), || {
                format!("Added {} ({}) to {}.", staff.member.email, staff.member.role, org.name)
            });
            Ok(())
        }
        Some(Command::Token(TokenCommand::Create { email, name, database, output })) => {
            let store = open(&database.database_url).await?;
            let staff =
                store.staff_by_email(&email).await.map_err(|_| anyhow::anyhow!("no user with email {email}"))?;
            let (_, token) = store.create_api_token(&staff, &name).await.map_err(explain)?;
            print(&output, json!({ "token": token }), || {
                format!("{token}\n(shown once; send it as `Authorization: Bearer …`)")
            });
            Ok(())
        }
        Some(Command::Site(SiteCommand::Add { name, origins, require_email, org, public_url, database, output })) => {
            let store = open(&database.database_url).await?;
            let org = org_named(&store, org.as_deref()).await?;
            let site = store
                .add_site(&org, NewSite { name, allowed_origins: origins, require_email })
                .await
                .map_err(explain)?;
            let snippet = snippet(public_url.trim_end_matches('/'), &site.site_key, None);
            print(
                &output,
                json!({ "site_id": site.id, "site_key": site.site_key, "secret": site.secret, "snippet": snippet }),
                || {
                    format!(
                        "Site {} added.\n  key:    {}\n  secret: {}\nPaste this before </head>:\n  {snippet}",
                        site.name, site.site_key, site.secret
                    )
                },
            );
            Ok(())
        }
        Some(Command::Seed { submissions, sites, org, days, database, output }) => {
            let store = open(&database.database_url).await?;
            let org = org_named(&store, org.as_deref()).await?;
            let started = std::time::Instant::now();
            let seeded = store.seed(&org, submissions, sites, days).await.map_err(explain)?;
            let sites: Vec<_> = seeded
                .sites
                .iter()
                .map(|s| json!({ "site_id": s.id, "site_key": s.site_key, "name": s.name }))
                .collect();
            print(&output, json!({ "org": org.name, "sites": sites, "submissions": seeded.submissions }), || {
                format!(
                    "Seeded {} submissions across {} new sites of {} in {:.1} s.",
                    seeded.submissions,
                    sites.len(),
                    org.name,
                    started.elapsed().as_secs_f64()
                )
            });
            Ok(())
        }
    }
}

async fn open(url: &str) -> anyhow::Result<Store> {
    Store::open(url).await.with_context(|| format!("opening the database {}", redact(url)))
}

/// The named organisation (created if new), or the first one.
async fn org_named(store: &Store, name: Option<&str>) -> anyhow::Result<Org> {
    match name {
        Some(name) => Ok(store.ensure_org(name).await?),
        None => match store.first_org().await? {
            Some(org) => Ok(org),
            None => Ok(store.ensure_org("My shop").await?),
        },
    }
}

fn explain(err: hark_core::Error) -> anyhow::Error {
    match err {
        hark_core::Error::Validation(fields) => {
            let details: Vec<String> =
                fields.iter().map(|(field, messages)| format!("{field} {}", messages.join(", "))).collect();
            anyhow::anyhow!("{}", details.join("; "))
        }
        other => other.into(),
    }
}

fn print(output: &Output, value: serde_json::Value, text: impl FnOnce() -> String) {
    if output.json {
        println!("{value}");
    } else {
        println!("{}", text());
    }
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}://…{}", &url[..scheme_end], &url[at..])
        }
        _ => url.to_owned(),
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let store = open(&args.database.database_url).await?;
    let listener =
        tokio::net::TcpListener::bind(args.addr).await.with_context(|| format!("listening on {}", args.addr))?;
    let config = Config::from_args(&args, listener.local_addr()?);
    let first_run = bootstrap::prepare(&store, &config).await?;
    let state = AppState::new(config.clone(), store.clone());
    crate::mail::spawn_sender(store.clone(), &config.smtp).context("setting up SMTP")?;
    crate::telemetry_metrics::spawn_upkeep();
    let signal = shutdown_signal()?;
    let changes = store.changes().clone();
    // Open event streams would hold the graceful shutdown up: they end first.
    let shutdown = async move {
        signal.await;
        changes.close();
    };
    if !state.assets.built() {
        eprintln!("warning: browser assets are missing in {}: run `cargo xtask build`", config.site_dir.display());
    }
    // A closed stdout (a supervisor, a pipe to `head`) must not stop the server.
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{}", bootstrap::banner(&config, first_run.as_ref())).and_then(|()| stdout.flush());
    drop(stdout);
    if let Some(addr) = args.metrics_addr {
        let metrics = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("listening on {addr}"))?;
        tracing::info!(addr = %metrics.local_addr()?, "metrics at /metrics");
        tokio::spawn(async move {
            if let Err(err) = axum::serve(metrics, crate::telemetry_metrics::router()).await {
                tracing::error!(%err, "metrics listener stopped");
            }
        });
    }
    let durability = store.durability().await?;
    tracing::info!(addr = %listener.local_addr()?, backend = ?store.backend(), %durability, "listening");
    crate::listen::serve(listener, router(state), crate::listen::Limits::from_args(&args), shutdown).await;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM; in-flight requests then finish before exit. The
/// handlers are installed here, before the banner is printed, so a signal sent as soon
/// as Hark says it is up is never lost to the default action.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut terminate = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        Ok(async move {
            tokio::select! {
                _ = terminate.recv() => {},
                _ = interrupt.recv() => {},
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}
