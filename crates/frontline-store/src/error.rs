//! The store's one error type: every backend and every part of the store (records, tokens,
//! evidence, watches) fails with a [`StoreError`].

use frontline_core::ModelError;

use crate::auth::AuthError;
use crate::evidence::EvidenceError;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database stayed locked by other writers for longer than the store's busy bound. The
    /// operation wrote nothing and may be retried.
    #[error(
        "the database is busy: other writers held it for longer than the store waits; try again"
    )]
    Busy,
    #[error("database error")]
    Sqlite(#[source] rusqlite::Error),
    #[error("could not open database {path}")]
    Open {
        path: std::path::PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("migration {version} ({name}) failed")]
    Migration {
        version: u32,
        name: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    #[error("the database has schema version {found}, newer than this program knows ({known})")]
    SchemaTooNew { found: u32, known: u32 },
    #[error("stored {table} record {key:?} could not be decoded")]
    Decode {
        table: &'static str,
        key: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("could not encode a {0} record")]
    Encode(&'static str, #[source] serde_json::Error),
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
    /// An edit named a version that is no longer the current one (someone else edited first).
    #[error("{what} {key} was edited meanwhile: you edited version {expected}, the current version is {current}")]
    VersionConflict {
        /// `observation` or `area`.
        what: &'static str,
        key: String,
        expected: u32,
        current: u32,
    },
    #[error("{what} {key} does not exist")]
    NotFound { what: &'static str, key: String },
    #[error("{what} {key} is retired")]
    Retired { what: &'static str, key: String },
    #[error("{what} {key} already exists: correct it instead")]
    Exists { what: &'static str, key: String },
}

/// SQLite's "busy" and "locked" answers become [`StoreError::Busy`] wherever they surface (a
/// statement inside a transaction, a commit), so that callers can tell "try again" from a
/// broken database.
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy,
            _ => StoreError::Sqlite(e),
        }
    }
}
