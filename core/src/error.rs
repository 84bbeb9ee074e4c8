use std::collections::BTreeMap;

/// Per-field messages of a failed validation, keyed by the request's field name.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// What the storage layer and the domain rules can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken; the message names what clashed.
    #[error("{0}")]
    Conflict(String),
    #[error("wrong email or password")]
    BadCredentials,
    #[error("invalid input")]
    Validation(FieldErrors),
    #[error("password hashing failed: {0}")]
    PasswordHash(String),
    /// Too many failed sign-ins for this account or from this client address: the next
    /// try is in this many seconds.
    #[error("too many failed sign-ins; try again in {0} s")]
    Throttled(u64),
    /// Every password check slot is taken: try again in a moment.
    #[error("too many password checks at once")]
    Busy,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// From the SQLite submission writer's own connection; shared by every request of a
    /// batch that failed.
    #[error(transparent)]
    Sqlite(std::sync::Arc<rusqlite::Error>),
}

impl From<rusqlite::Error> for Error {
    fn from(err: rusqlite::Error) -> Self {
        Error::Sqlite(std::sync::Arc::new(err))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Whether the storage was briefly out of reach (busy, locked, a lost or exhausted
    /// connection) rather than wrong: the same request can succeed a moment later.
    pub fn is_transient(&self) -> bool {
        use rusqlite::ErrorCode::{DatabaseBusy, DatabaseLocked, SystemIoFailure};
        match self {
            Error::Database(err) => match err {
                sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
                sqlx::Error::Database(db) => {
                    // SQLite's busy (5) and locked (6), extended codes included; PostgreSQL's
                    // classes 08 (connection) and 53 (insufficient resources), and
                    // 40001/40P01 (serialization failure, deadlock).
                    db.code().is_some_and(|code| {
                        code.parse::<i32>().is_ok_and(|n| matches!(n & 0xff, 5 | 6))
                            || matches!(code.as_ref(), "40001" | "40P01")
                            || code.starts_with("08")
                            || code.starts_with("53")
                    })
                }
                _ => false,
            },
            Error::Sqlite(err) => {
                matches!(err.sqlite_error_code(), Some(DatabaseBusy | DatabaseLocked | SystemIoFailure))
            }
            _ => false,
        }
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut fields = FieldErrors::new();
        fields.insert(field.to_owned(), vec![message.into()]);
        Error::Validation(fields)
    }
}
