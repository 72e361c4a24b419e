//! The application layer's one error type. Each variant says whose mistake it is, so the CLI can
//! print it with context and the HTTP API can map it to a status without inspecting messages.

use frontline_core::analysis::AnalysisError;
use frontline_core::control_map::MapError;
use frontline_store::StoreError;

/// Why a request could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A parameter is malformed (e.g. `known_on=yesterday`): the caller's mistake, said with the
    /// parameter's name.
    #[error("{field}: {message}")]
    Input {
        field: &'static str,
        message: String,
    },
    /// Well-formed but not answerable (a future date, an unknown region part, a region above
    /// the size limit).
    #[error("{0}")]
    Unprocessable(String),
    /// Something named does not exist (an area of interest, an actor).
    #[error("{0}")]
    NotFound(String),
    /// Too much work is already running: try again shortly.
    #[error("{0}")]
    Busy(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    #[error(transparent)]
    Map(#[from] MapError),
    #[error("building the region's grid: {0}")]
    Grid(String),
}

impl AppError {
    pub fn input(field: &'static str, message: impl Into<String>) -> Self {
        Self::Input {
            field,
            message: message.into(),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
