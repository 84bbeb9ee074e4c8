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
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut fields = FieldErrors::new();
        fields.insert(field.to_owned(), vec![message.into()]);
        Error::Validation(fields)
    }
}
