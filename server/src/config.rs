//! Command line and environment: one typed description of how Hark runs.

use crate::telemetry::LogFormat;
use clap::{Args, Parser, Subcommand};
use hark_core::model::Role;
use std::net::SocketAddr;
use std::path::PathBuf;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/hark.db";

#[derive(Debug, Parser)]
#[command(name = "hark", version, about = "Hark: hear your shop's customers.", args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// With no command, `hark` serves.
    #[command(flatten)]
    pub serve: ServeArgs,
}

impl Cli {
    pub fn log_format(&self) -> LogFormat {
        match &self.command {
            Some(Command::Serve(args)) => args.log_format,
            _ => self.serve.log_format,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (the default).
    Serve(ServeArgs),
    /// Manage staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens for integrations.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage merchants' sites.
    #[command(subcommand)]
    Site(SiteCommand),
    /// Fill the database with realistic submissions across new sites, for demos and
    /// benchmarks.
    Seed {
        #[arg(long)]
        submissions: usize,
        #[arg(long, default_value_t = 1)]
        sites: usize,
        /// Organisation name; created if missing (default: the first one).
        #[arg(long)]
        org: Option<String>,
        /// Spread over this many days before now.
        #[arg(long, default_value_t = 365)]
        days: i64,
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        output: Output,
    },
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// `sqlite://path` (created if missing) or `postgres://…`.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Address to listen on.
    #[arg(long, env = "HARK_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// The URL shoppers and staff reach Hark at (default: `http://ADDR`). Used in the
    /// snippet, tracking links and the demo site's allowed origin.
    #[arg(long, env = "HARK_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Folder holding the built browser assets (`cargo xtask build` writes them to
    /// `target/site` in the checkout); relative to the working directory.
    #[arg(long, env = "HARK_SITE_DIR", default_value = "target/site")]
    pub site_dir: PathBuf,
    #[arg(long, env = "HARK_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,
    /// Submissions per minute per client per site; 0 turns the limit off.
    #[arg(long, env = "HARK_RATE_LIMIT", default_value_t = 60)]
    pub rate_limit: u32,
    /// Proxies (IPs or CIDR ranges) whose `X-Forwarded-For` is believed; without one,
    /// the client is the socket's peer.
    #[arg(long = "trusted-proxy", env = "HARK_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Where to serve Prometheus `/metrics` (e.g. `127.0.0.1:9100`); unset: not served.
    /// Keep it off the public address.
    #[arg(long, env = "HARK_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// Seconds a request may take to be answered, body upload included (then 408).
    #[arg(long, env = "HARK_REQUEST_TIMEOUT", default_value_t = 15)]
    pub request_timeout: u64,
    /// Seconds a connection has to send a request's head, from its start or its previous
    /// response (so also how long it may idle); then it is closed.
    #[arg(long, env = "HARK_HEADER_TIMEOUT", default_value_t = 10)]
    pub header_timeout: u64,
    /// Connections one client address may hold open at once (trusted proxies exempt).
    #[arg(long, env = "HARK_CONNECTIONS_PER_CLIENT", default_value_t = 256)]
    pub connections_per_client: usize,
    /// Minutes a staff session may go unused before it ends.
    #[arg(long, env = "HARK_SESSION_IDLE_MINUTES", default_value_t = 12 * 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub session_idle_minutes: u64,
    /// Hours after sign-in at which a staff session ends, however much it is used.
    #[arg(long, env = "HARK_SESSION_MAX_HOURS", default_value_t = 7 * 24, value_parser = clap::value_parser!(u64).range(1..))]
    pub session_max_hours: u64,
    #[command(flatten)]
    pub smtp: SmtpArgs,
}

/// Where replies' emails go. Without a host no email is sent: the shopper reads replies
/// on their tracking page.
#[derive(Debug, Clone, Args)]
pub struct SmtpArgs {
    /// The SMTP server's host name.
    #[arg(long = "smtp-host", env = "HARK_SMTP_HOST")]
    pub host: Option<String>,
    #[arg(long = "smtp-port", env = "HARK_SMTP_PORT", default_value_t = 587)]
    pub port: u16,
    /// `starttls` (port 587), `tls` (port 465) or `none` (a relay on this machine only).
    #[arg(long = "smtp-tls", env = "HARK_SMTP_TLS", value_enum, default_value = "starttls")]
    pub tls: SmtpTls,
    #[arg(long = "smtp-username", env = "HARK_SMTP_USERNAME")]
    pub username: Option<String>,
    /// Better given in the environment than on the command line.
    #[arg(long = "smtp-password", env = "HARK_SMTP_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// The sender, e.g. `Northwind support <support@northwind.example>`.
    #[arg(long = "mail-from", env = "HARK_MAIL_FROM", default_value = "Hark <hark@localhost>")]
    pub from: String,
}

impl Default for SmtpArgs {
    fn default() -> Self {
        SmtpArgs {
            host: None,
            port: 587,
            tls: SmtpTls::Starttls,
            username: None,
            password: None,
            from: "Hark <hark@localhost>".into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SmtpTls {
    None,
    Starttls,
    Tls,
}

#[derive(Debug, Clone, Args)]
pub struct Output {
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a staff member; the password is read from standard input.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Organisation name; created if missing (default: the first one).
        #[arg(long)]
        org: Option<String>,
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        output: Output,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token acting as a staff member.
    Create {
        #[arg(long)]
        email: String,
        /// What it is for, as the admin's token list shows it.
        #[arg(long, default_value = "command line")]
        name: String,
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        output: Output,
    },
}

#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    /// Add a site and print the snippet to paste.
    Add {
        #[arg(long)]
        name: String,
        /// An origin allowed to post (`https://shop.example`); repeatable.
        #[arg(long = "origin", required = true)]
        origins: Vec<String>,
        /// Complaints must give an email address for the answer.
        #[arg(long)]
        require_email: bool,
        #[arg(long)]
        org: Option<String>,
        /// Where Hark is reached, for the snippet.
        #[arg(long, env = "HARK_PUBLIC_URL", default_value = "http://127.0.0.1:3000")]
        public_url: String,
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        output: Output,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    text.parse()
}

/// What the running server needs to know about itself.
#[derive(Debug, Clone)]
pub struct Config {
    /// Without a trailing slash.
    pub public_url: String,
    pub site_dir: PathBuf,
    /// Submissions per minute per client per site; 0: no limit.
    pub rate_limit: u32,
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub request_timeout: std::time::Duration,
    pub smtp: SmtpArgs,
    /// How often an open event stream checks that its session or token still signs
    /// someone in (a minute; the tests shorten it).
    pub credential_recheck: std::time::Duration,
    pub session_idle: std::time::Duration,
    pub session_absolute: std::time::Duration,
    /// Whether this instance does the recount a change of time zone leaves, in the
    /// background (every instance does; a test steps it by hand instead).
    pub recount: bool,
}

impl Config {
    pub fn from_args(args: &ServeArgs, bound: SocketAddr) -> Self {
        let public_url = args.public_url.clone().unwrap_or_else(|| format!("http://{bound}"));
        Config {
            public_url: public_url.trim_end_matches('/').to_owned(),
            site_dir: args.site_dir.clone(),
            rate_limit: args.rate_limit,
            trusted_proxies: args.trusted_proxies.clone(),
            request_timeout: std::time::Duration::from_secs(args.request_timeout.max(1)),
            smtp: args.smtp.clone(),
            credential_recheck: std::time::Duration::from_secs(60),
            session_idle: std::time::Duration::from_secs(args.session_idle_minutes.saturating_mul(60)),
            session_absolute: std::time::Duration::from_secs(args.session_max_hours.saturating_mul(3600)),
            recount: true,
        }
    }

    /// Cookies are `Secure` unless Hark is reached over plain http (local development).
    /// Schemes are case-insensitive: `HTTPS://` is https too.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.get(..8).is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
    }

    /// How staff sessions last, and how their cookie is sent.
    pub fn session_policy(&self) -> hark_core::store::SessionPolicy {
        hark_core::store::SessionPolicy {
            idle: self.session_idle,
            absolute: self.session_absolute,
            secure: self.secure_cookies(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(public_url: &str) -> Config {
        let args = Cli::parse_from(["hark", "--public-url", public_url]).serve;
        Config::from_args(&args, "127.0.0.1:3000".parse().unwrap())
    }

    #[test]
    fn any_https_public_url_makes_cookies_secure_whatever_its_case() {
        for url in ["https://hark.example", "HTTPS://hark.example", "Https://hark.example/"] {
            assert!(config(url).secure_cookies(), "{url}");
        }
        for url in ["http://127.0.0.1:3000", "HTTP://localhost", "httpsx://odd"] {
            assert!(!config(url).secure_cookies(), "{url}");
        }
    }
}
