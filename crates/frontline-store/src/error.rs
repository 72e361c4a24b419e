//! The store's error type.

use frontline_core::ModelError;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error")]
    Sqlite(#[from] rusqlite::Error),
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
