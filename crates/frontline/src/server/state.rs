//! What every handler shares: the database pool, the serving options, the generation counter
//! that invalidates cached maps, and the cache itself.

use chrono::NaiveDate;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use anyhow::Context;
use frontline_core::estimate::Params;
use frontline_core::{AoiKind, ObservationKey};
use frontline_store::{Store, StoredObservation};

use super::error::ApiError;
use super::maps::{default_region, normalise_region, MapCache};
use super::pool::Pool;

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
    /// Bumped on every write through the API; cached maps carry the generation they were
    /// computed at and are recomputed when it has moved.
    generation: AtomicU64,
    /// Bumped when areas change (grids are rebuilt then, not on every observation write).
    area_generation: AtomicU64,
    /// Today's date, for refusing future dates (a function so tests can fix it).
    pub today: fn() -> NaiveDate,
    pub cache: MapCache,
    pub resolution: u8,
    pub params: Params,
    /// Region used when a request names none.
    pub default_region: String,
}

impl AppState {
    pub fn open(opts: &Options) -> anyhow::Result<Arc<Self>> {
        let first = Db::open(&opts.db)?;
        let handles: Vec<Db> = (0..opts.pool_size.max(1))
            .map(|_| Db {
                store: first.store.clone(),
            })
            .collect();
        let countries: Vec<(String, AoiKind)> = handles[0]
            .store
            .areas(Some(AoiKind::Country))
            .context("listing the stored countries")?
            .into_iter()
            .map(|a| (a.code, a.kind))
            .collect();
        let default_region = match &opts.region {
            Some(r) => {
                normalise_region(r).map_err(|e| anyhow::anyhow!("--region: {}", e.message))?
            }
            None => default_region(&countries, &["SYR", "IRQ"]),
        };
        Ok(Arc::new(Self {
            db: Pool::new(handles),
            public: opts.public,
            generation: AtomicU64::new(0),
            area_generation: AtomicU64::new(0),
            today: || chrono::Utc::now().date_naive(),
            cache: MapCache::default(),
            resolution: opts.resolution,
            params: Params::default(),
            default_region,
        }))
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Mark every cached map stale.
    pub fn bump_generation(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// The generation of the stored areas, which the grids are built from.
    pub fn area_generation(&self) -> u64 {
        self.area_generation.load(Ordering::Acquire)
    }

    /// An area was written: grids and maps are rebuilt on their next use.
    pub fn areas_changed(&self) {
        self.area_generation.fetch_add(1, Ordering::AcqRel);
        self.bump_generation();
    }
}
