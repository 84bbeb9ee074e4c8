//! The one storage layer. Every query is written once, in SQL both SQLite and
//! PostgreSQL accept (`$1` placeholders, `ON CONFLICT`, TEXT and BIGINT columns), and
//! runs through sqlx's `Any` driver; each backend has its own migrations. The one
//! exception is the hot path, storing submissions: each backend's writer is built for
//! how that database commits (see `writer`).

mod changes;
pub use changes::{Changed, Changes, Watch};
mod metrics;
pub use metrics::MAX_DAYS;
mod orgs;
mod people;
pub use people::{InvitationMail, INVITATION_DAYS};
mod sessions;
mod sign_in;
pub use sessions::SessionPolicy;
pub use sign_in::SIGN_IN_FREE_FAILURES;
mod seed;
pub use seed::{PastSubmission, Seeded};
mod audit;
pub use audit::AUDIT_PAGE;
mod settings;
mod sightings;
mod sites;
mod submissions;
mod tokens;
mod triage;
mod writer;

pub use crate::model::Sla;
pub use orgs::{Org, StaffRecord};
pub use sightings::SIGHTINGS_REFUSED_KEPT;
pub use sites::{check_origin, csp_line, is_site_key, normalize_origin, snippet, NewSite, Site, MAX_GRACE_MINUTES};
pub use submissions::{Destination, Insert, Receipt};
pub use triage::{
    may_configure, may_write, AssigneeFilter, Change, Composer, DueFilter, Mail, OutboxMail, QueueCursor, QueueFilter,
    Rated, Recovery, ReplyContext, SharedComposer, Sort, StatusCounts, Tracked, TrackedMessage, DUE_SOON_MILLIS,
    MAIL_ATTEMPTS, MAX_BODY_CHARS, MAX_PAGE,
};
pub use writer::{BatchObserver, SubmissionWriter, MAX_BATCH};

use crate::error::Result;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A session's or an API token's last use is written at most this often, not on every
/// request.
const TOUCH_EVERY_MILLIS: i64 = 60_000;

#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The SQLite file or the PostgreSQL URL: where the submission writer opens its own
    /// connection.
    location: std::sync::Arc<str>,
    changes: Changes,
    sessions: SessionPolicy,
    sightings: std::sync::Arc<sightings::Sightings>,
}

/// Every SQLite connection's settings. WAL lets readers run beside the writer; FULL makes
/// every commit durable before it is acknowledged. Checkpoints never run inside a commit:
/// the submission writer runs them between batches (see `writer`).
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
                              PRAGMA busy_timeout = 5000; PRAGMA wal_autocheckpoint = 0;";

impl Store {
    /// Opens the database named by `url` (`sqlite:…` or `postgres://…`), creating a
    /// SQLite file and its folder if they are missing, and brings the schema up to date.
    pub async fn open(url: &str) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        let location = match backend {
            Backend::Sqlite => sqlite_file(url)?,
            Backend::Postgres => url.into(),
        };
        let pool = match backend {
            Backend::Sqlite => {
                let url = format!("sqlite://{location}?mode=rwc");
                AnyPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(10))
                    // A local file does not drop connections; a ping per checkout would
                    // double the round trips of every query.
                    .test_before_acquire(false)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute(SQLITE_PRAGMAS).await?;
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await?
            }
            Backend::Postgres => {
                AnyPoolOptions::new().max_connections(16).acquire_timeout(Duration::from_secs(10)).connect(url).await?
            }
        };
        let store = Store {
            pool,
            backend,
            location,
            changes: Changes::default(),
            sessions: SessionPolicy::default(),
            sightings: Default::default(),
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Whether the database answers; for `/readyz`.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// How durable a commit is, for the startup log and tests: SQLite's journal mode
    /// and synchronous level, or PostgreSQL's `fsync` and `synchronous_commit`.
    pub async fn durability(&self) -> Result<String> {
        use sqlx::Row;
        let mut conn = self.pool.acquire().await?;
        let setting = |sql: &'static str| sqlx::query(sql);
        Ok(match self.backend {
            Backend::Sqlite => {
                let journal: String = setting("PRAGMA journal_mode").fetch_one(&mut *conn).await?.try_get(0)?;
                let synchronous: i64 = setting("PRAGMA synchronous").fetch_one(&mut *conn).await?.try_get(0)?;
                format!("journal_mode={journal} synchronous={synchronous}")
            }
            Backend::Postgres => {
                let fsync: String = setting("SHOW fsync").fetch_one(&mut *conn).await?.try_get(0)?;
                let commit: String = setting("SHOW synchronous_commit").fetch_one(&mut *conn).await?.try_get(0)?;
                format!("fsync={fsync} synchronous_commit={commit}")
            }
        })
    }

    /// Copies committed WAL pages into the SQLite file without blocking writers, so the
    /// WAL stays small while commits never pay for a checkpoint. No-op on PostgreSQL.
    pub async fn checkpoint(&self) -> Result<()> {
        if self.backend == Backend::Sqlite {
            sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&self.pool).await?;
        }
        Ok(())
    }

    /// A connection of its own for the SQLite submission writer (a thread that must not
    /// wait on the async pool).
    pub(crate) fn open_sqlite_writer(&self) -> rusqlite::Result<rusqlite::Connection> {
        debug_assert_eq!(self.backend, Backend::Sqlite);
        let conn = rusqlite::Connection::open(&*self.location)?;
        conn.execute_batch(SQLITE_PRAGMAS)?;
        // The writer's two statements, and room for a few more.
        conn.set_prepared_statement_cache_capacity(8);
        Ok(conn)
    }

    /// A read-only connection of its own, for long reads on SQLite (the export) that
    /// should neither wait on the async pool nor hold one of its connections.
    pub(crate) fn open_sqlite_reader(&self) -> rusqlite::Result<rusqlite::Connection> {
        debug_assert_eq!(self.backend, Backend::Sqlite);
        let conn = rusqlite::Connection::open_with_flags(&*self.location, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(conn)
    }

    /// A connection of its own for a PostgreSQL submission writer: native, because its
    /// statement binds arrays, which the `Any` driver cannot.
    pub(crate) async fn open_postgres_writer(&self) -> Result<sqlx::PgConnection> {
        use sqlx::Connection;
        debug_assert_eq!(self.backend, Backend::Postgres);
        Ok(sqlx::PgConnection::connect(&self.location).await?)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The file a `sqlite:path` / `sqlite://path` URL names, with its folder created (a
/// fresh checkout has no `./data/`). Every connection must reach the same database, so an
/// in-memory one is refused.
fn sqlite_file(url: &str) -> Result<std::sync::Arc<str>> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    let path = rest.split_once('?').map_or(rest, |(path, _)| path);
    if path.is_empty() || path == ":memory:" || rest.contains("mode=memory") {
        return Err(sqlx::Error::Configuration("DATABASE_URL must name a SQLite file, not memory".into()).into());
    }
    if let Some(dir) = std::path::Path::new(path).parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
        }
    }
    Ok(path.into())
}

/// Now, in milliseconds since the Unix epoch: how times are stored.
pub fn now_millis() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// A new random id (UUIDv4).
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A row's columns by name: from sqlx, or from rusqlite (the SQLite export, which reads a
/// million rows without sqlx's hand-off between threads for each).
pub(crate) trait Columns {
    fn text(&self, column: &str) -> Result<Option<String>>;
    fn int(&self, column: &str) -> Result<Option<i64>>;

    fn required<T>(&self, column: &str, value: Option<T>) -> Result<T> {
        value.ok_or_else(|| sqlx::Error::ColumnDecode { index: column.into(), source: "NULL".into() }.into())
    }
}

impl Columns for AnyRow {
    fn text(&self, column: &str) -> Result<Option<String>> {
        use sqlx::Row;
        Ok(self.try_get(column)?)
    }

    fn int(&self, column: &str) -> Result<Option<i64>> {
        use sqlx::Row;
        Ok(self.try_get(column)?)
    }
}

/// A rusqlite row with its statement's column names, looked up here: rusqlite asks
/// SQLite for every name (under a lock) each time a column is read by name.
pub(crate) struct Named<'a> {
    pub(crate) row: &'a rusqlite::Row<'a>,
    pub(crate) names: &'a [String],
}

impl Named<'_> {
    fn index(&self, column: &str) -> Result<usize> {
        Ok(self
            .names
            .iter()
            .position(|n| n == column)
            .ok_or_else(|| rusqlite::Error::InvalidColumnName(column.to_owned()))?)
    }
}

impl Columns for Named<'_> {
    fn text(&self, column: &str) -> Result<Option<String>> {
        Ok(self.row.get(self.index(column)?)?)
    }

    fn int(&self, column: &str) -> Result<Option<i64>> {
        Ok(self.row.get(self.index(column)?)?)
    }
}

/// Reads a TEXT column holding one of the closed string sets of [`crate::model`].
pub(crate) fn parse_column<T: FromStr>(row: &impl Columns, column: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    let text = row.required(column, row.text(column)?)?;
    text.parse().map_err(|e: T::Err| {
        sqlx::Error::ColumnDecode { index: column.to_owned(), source: e.to_string().into() }.into()
    })
}

/// Reads a TEXT column holding a JSON value.
pub(crate) fn json_column<T: serde::de::DeserializeOwned>(row: &impl Columns, column: &str) -> Result<T> {
    let text = row.required(column, row.text(column)?)?;
    serde_json::from_str(&text)
        .map_err(|e| sqlx::Error::ColumnDecode { index: column.to_owned(), source: Box::new(e) }.into())
}

/// Whether an error is a unique-constraint violation, on either backend.
pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// A bind value of a query built at run time.
#[derive(Clone, Debug)]
pub(crate) enum Arg {
    Text(String),
    Int(i64),
}

/// SQL with its numbered arguments.
#[derive(Default)]
pub(crate) struct Sql {
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    /// Adds `arg` and returns its placeholder.
    pub(crate) fn arg(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }

    pub(crate) fn push(&mut self, text: &str) {
        self.text.push_str(text);
    }

    pub(crate) fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
        let mut query = sqlx::query(&self.text);
        for arg in &self.args {
            query = match arg {
                Arg::Text(text) => query.bind(text.as_str()),
                Arg::Int(n) => query.bind(*n),
            };
        }
        query
    }
}
