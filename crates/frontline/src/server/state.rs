//! What every handler shares: the database pool for records, edits and the server's tables,
//! the serving options, and the application engine that computes and caches maps.

use chrono::NaiveDate;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use frontline_core::ObservationKey;
use frontline_store::{Store, StoredObservation};

use super::error::{ApiError, ApiResult};
use super::pool::Pool;
use crate::app::{AppResult, Engine, Limits, Region, Settings};

/// One database handle: a clone of the server's store, which also holds the server's own
/// tables (tokens, audit, evidence). The store is shared and pools its own connections; the
/// handles only bound how many blocking threads the database occupies.
pub struct Db {
    pub store: Store,
}

impl Db {
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        let store =
            Store::open(path).with_context(|| format!("opening database {}", path.display()))?;
        Ok(Self { store })
    }

    /// The current version of an observation, or a 404 (or 409 if it was retired).
    pub fn require_observation(&self, key: &str) -> Result<StoredObservation, ApiError> {
        let k = ObservationKey::new(key)?;
        let history = self.store.observation_history(&k).map_err(ApiError::from)?;
        match history.into_iter().next_back() {
            None => Err(ApiError::not_found(format!("no observation {key}"))),
            Some(s) if s.retired => Err(ApiError::conflict(format!(
                "observation {key} is retired (version {})",
                s.version
            ))),
            Some(s) => Ok(s),
        }
    }

    /// The current area whose code is `code` (any case; edits name areas by code, not by
    /// name), or a 404.
    pub fn require_area(&self, code: &str) -> Result<frontline_core::AreaOfInterest, ApiError> {
        self.store
            .area(code)?
            .filter(|a| a.code.eq_ignore_ascii_case(code))
            .ok_or_else(|| ApiError::not_found(format!("no area {code:?}")))
    }
}

/// Serving options.
#[derive(Debug, Clone)]
pub struct Options {
    pub db: PathBuf,
    /// Anonymous reads allowed.
    pub public: bool,
    /// Number of database handles.
    pub pool_size: usize,
    /// Largest JSON body accepted.
    pub max_body_bytes: usize,
    /// Default region (comma-separated area codes); `None`: Syria and Iraq if stored, else
    /// every stored country.
    pub region: Option<String>,
    /// H3 resolution of the maps.
    pub resolution: u8,
    /// The built web map (web/dist) served at `/`; `None`: `/` says how to build it.
    pub web_dir: Option<PathBuf>,
}

impl Options {
    /// Options for a database file with the defaults of `frontline serve`.
    pub fn new(db: impl Into<PathBuf>) -> Self {
        Self {
            db: db.into(),
            public: false,
            pool_size: 4,
            max_body_bytes: 2 * 1024 * 1024,
            region: None,
            resolution: 7,
            web_dir: None,
        }
    }
}

pub struct AppState {
    pub db: Arc<Pool<Db>>,
    pub public: bool,
    /// The application engine: maps, areas, analyses and their bounded caches, shared with the
    /// CLI's code path.
    pub engine: Arc<Engine>,
}

impl AppState {
    pub fn open(opts: &Options) -> anyhow::Result<Arc<Self>> {
        let first = Db::open(&opts.db)?;
        // One store, cloned: its connections are pooled inside it (a writer and readers).
        let handles: Vec<Db> = (0..opts.pool_size.max(1))
            .map(|_| Db {
                store: first.store.clone(),
            })
            .collect();
        let mut settings = Settings::new(Limits::server());
        settings.resolution = opts.resolution;
        settings.grid_cache_dir = Some(crate::app::engine::grid_cache_dir(&opts.db));
        settings.default_region = opts
            .region
            .as_deref()
            .map(|r| Region::parse("--region", r))
            .transpose()?;
        let engine = Engine::new(first.store.clone(), settings);
        // The default region is checked now, so that a bad --region fails at start, not on the
        // first request.
        if opts.region.is_some() {
            engine.region(None).context("--region")?;
        }
        Ok(Arc::new(Self {
            db: Pool::new(handles),
            public: opts.public,
            engine: Arc::new(engine),
        }))
    }

    /// Run `f` on the engine on a blocking thread (estimates take CPU time; the async runtime
    /// never waits on them).
    pub async fn app<R, F>(&self, f: F) -> ApiResult<R>
    where
        F: FnOnce(&Engine) -> AppResult<R> + Send + 'static,
        R: Send + 'static,
    {
        let engine = Arc::clone(&self.engine);
        tokio::task::spawn_blocking(move || f(&engine))
            .await
            .map_err(ApiError::internal)?
            .map_err(ApiError::from)
    }

    /// Today, for refusing future dates.
    pub fn today(&self) -> NaiveDate {
        (self.engine.settings().today)()
    }

    /// Observations were written: cached maps are recomputed on their next use.
    pub fn bump_generation(&self) {
        self.engine.observations_changed();
    }

    /// An area was written: regions, grids and maps are rebuilt on their next use.
    pub fn areas_changed(&self) {
        self.engine.areas_changed();
    }
}
