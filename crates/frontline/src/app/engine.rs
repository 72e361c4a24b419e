//! The engine: one path from a validated request to an estimate and what is derived from it,
//! shared by the CLI, the HTTP API, the web map and the GIS endpoints.
//!
//! It reads the store (observations as known on a time, region outlines, events), builds and
//! keeps the region grids, estimates maps and keeps them with their derived views, and removes
//! duplicate events once for every analysis. Its caches are bounded in bytes whatever the query
//! mix, grid builds and estimates are throttled, and a write generation makes a cached value
//! made before a write be recomputed on its next use.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use chrono::NaiveDate;
use frontline_core::analysis::dedup::{find_duplicates, DedupParams};
use frontline_core::control_map::{AreaTable, ControlMap};
use frontline_core::estimate::{Day, Params, Prepared, Scrub};
use frontline_core::grid::Grid;
use frontline_core::{ActorId, AoiKind, Event, EventType, Observation};
use frontline_store::{EventFilter, Store, StoredObservation};

use super::cache::{BoundedCache, Weigh};
use super::error::{AppError, AppResult};
use super::product::{MapKey, MapProduct};
use super::region::{resolve, ResolvedRegion};
use super::request::{KnownOn, MapRequest, Region, DEFAULT_REGION};

const MB: usize = 1024 * 1024;

/// What the engine may hold and do at once.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest region estimated, km² (Syria + Iraq is ~620,000).
    pub max_region_km2: f64,
    /// Finest grid resolution accepted.
    pub max_resolution: u8,
    pub map_budget: usize,
    pub observations_budget: usize,
    pub grid_budget: usize,
    /// Candidate voters per cell kept for fast dates (~60 MB for Syria + Iraq at resolution 7
    /// on the demo database).
    pub scrub_budget: usize,
    pub table_entries: usize,
    pub events_budget: usize,
    /// Estimates (and grid builds) running at once; more wait.
    pub concurrent_estimates: usize,
    /// How long a request waits for its turn before it is refused as busy.
    pub wait: Duration,
}

impl Limits {
    /// For one user's command line: large regions allowed, a few maps kept.
    pub fn command_line() -> Self {
        Self {
            max_region_km2: f64::INFINITY,
            max_resolution: 10,
            map_budget: 512 * MB,
            observations_budget: 256 * MB,
            grid_budget: 512 * MB,
            scrub_budget: 512 * MB,
            table_entries: 100_000,
            events_budget: 256 * MB,
            concurrent_estimates: 1,
            wait: Duration::from_secs(24 * 3600),
        }
    }

    /// For a server facing anonymous readers: everything capped so that the process stays
    /// under about 1 GB whatever is asked.
    pub fn server() -> Self {
        Self {
            max_region_km2: 2_500_000.0,
            max_resolution: 8,
            // About 500 MB of caches in all: what is being computed, stale values still held by
            // requests in flight and the allocator's slack come on top (measured: a load run
            // with budgets summing to 740 MB peaked at 1,008 MiB).
            map_budget: 192 * MB,
            observations_budget: 64 * MB,
            grid_budget: 64 * MB,
            scrub_budget: 128 * MB,
            table_entries: 4096,
            events_budget: 48 * MB,
            concurrent_estimates: 2,
            wait: Duration::from_secs(20),
        }
    }
}

/// How the engine estimates.
#[derive(Debug, Clone)]
pub struct Settings {
    /// H3 resolution of maps whose request names none.
    pub resolution: u8,
    pub params: Params,
    /// Region of requests that name none; `None`: Syria and Iraq if stored, else every stored
    /// country.
    pub default_region: Option<Region>,
    pub limits: Limits,
    /// Today, for refusing future dates (a function so tests can fix it).
    pub today: fn() -> NaiveDate,
    /// Where built grids are kept between processes (`None`: rebuilt by every process). A
    /// grid is named by the fingerprint of its outlines and resolution, so a changed outline
    /// names another file; at most [`GRID_FILES`] are kept.
    pub grid_cache_dir: Option<std::path::PathBuf>,
}

/// Most grid files kept in [`Settings::grid_cache_dir`] (the least recently written go).
pub const GRID_FILES: usize = 8;

impl Settings {
    pub fn new(limits: Limits) -> Self {
        Self {
            resolution: 7,
            params: Params::default(),
            default_region: None,
            limits,
            today: || chrono::Utc::now().date_naive(),
            grid_cache_dir: None,
        }
    }
}

/// Observations as known on a time, shared by the maps and point queries of that time.
pub struct Known {
    /// With their versions, ordered by key.
    pub stored: Vec<StoredObservation>,
    /// The same observations, as the estimator takes them (shared with the kept preparations).
    pub observations: Arc<Vec<Observation>>,
}

impl Weigh for Known {
    fn weight(&self) -> usize {
        // Measured order of magnitude: ~1.3 kB per observation held twice with its strings.
        self.observations.len() * 2600
    }
}

impl Weigh for Grid {
    fn weight(&self) -> usize {
        self.len() * 160
            + self
                .mask()
                .0
                .iter()
                .map(|p| p.exterior().0.len())
                .sum::<usize>()
                * 16
    }
}

impl Weigh for AreaTable {
    fn weight(&self) -> usize {
        64 + self.rows.len() * 64
    }
}

impl Weigh for ResolvedRegion {
    fn weight(&self) -> usize {
        self.parts
            .iter()
            .flat_map(|p| &p.shape.0)
            .map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>())
            .sum::<usize>()
            * 16
            + 64
    }
}

/// What does not depend on the date, for one set of known observations over one grid: the
/// observations grouped into places and every cell's candidate voters. Any date of the grid is
/// then estimated in a few milliseconds (docs/performance.md).
pub struct Scrubber(pub Scrub<'static>);

impl Weigh for Scrubber {
    fn weight(&self) -> usize {
        // The observations are shared with `Known` (counted there); timelines ~64 B a place.
        self.0.bytes() + self.0.prepared().timelines().len() * 64
    }
}

/// Which preparation: the observations known, the region and the resolution.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ScrubKey {
    pub known_on: KnownOn,
    pub region: String,
    pub resolution: u8,
}

/// Events of a window, duplicates removed.
pub struct EventWindow(pub Vec<Event>);

impl Weigh for EventWindow {
    fn weight(&self) -> usize {
        self.0.len() * 480
    }
}

/// Which events: the window's days, the optional actor and type, and what was known.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventWindowKey {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub actor: Option<ActorId>,
    pub event_type: Option<EventType>,
    pub known_on: KnownOn,
}

/// A counting gate: at most `n` holders, others wait up to a bound.
struct Gate {
    free: Mutex<usize>,
    turn: Condvar,
}

struct Pass<'a>(&'a Gate);

impl Drop for Pass<'_> {
    fn drop(&mut self) {
        *self
            .0
            .free
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) += 1;
        self.0.turn.notify_one();
    }
}

impl Gate {
    fn new(n: usize) -> Self {
        Self {
            free: Mutex::new(n.max(1)),
            turn: Condvar::new(),
        }
    }

    fn enter(&self, wait: Duration, what: &str) -> AppResult<Pass<'_>> {
        let guard = self
            .free
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (mut free, timeout) = self
            .turn
            .wait_timeout_while(guard, wait, |free| *free == 0)
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if timeout.timed_out() && *free == 0 {
            return Err(AppError::Busy(format!(
                "too many {what} are running: try again shortly"
            )));
        }
        *free -= 1;
        Ok(Pass(self))
    }
}

/// The application engine. Cheap to share (`Arc<Engine>`); every method may be called from any
/// thread.
pub struct Engine {
    store: Store,
    settings: Settings,
    generation: AtomicU64,
    area_generation: AtomicU64,
    default_region: Mutex<Option<(u64, Region)>>,
    regions: BoundedCache<Region, ResolvedRegion>,
    grids: BoundedCache<(String, u8), Grid>,
    known: BoundedCache<KnownOn, Known>,
    maps: BoundedCache<MapKey, MapProduct>,
    tables: BoundedCache<MapKey, AreaTable>,
    scrubs: BoundedCache<ScrubKey, Scrubber>,
    events: BoundedCache<EventWindowKey, EventWindow>,
    gate: Gate,
}

impl Engine {
    pub fn new(store: Store, settings: Settings) -> Self {
        let l = &settings.limits;
        Self {
            regions: BoundedCache::new(64 * MB, 64),
            grids: BoundedCache::new(l.grid_budget, 16),
            known: BoundedCache::new(l.observations_budget, 64),
            maps: BoundedCache::new(l.map_budget, 64),
            tables: BoundedCache::new(l.table_entries * 1024, l.table_entries),
            scrubs: BoundedCache::new(l.scrub_budget, 8),
            events: BoundedCache::new(l.events_budget, 256),
            gate: Gate::new(l.concurrent_estimates),
            store,
            settings,
            generation: AtomicU64::new(0),
            area_generation: AtomicU64::new(0),
            default_region: Mutex::new(None),
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The store, for what is not derived from a map (records, edits, tokens).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The write generation cached values are checked against.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Observations or events were written: maps and event windows are recomputed on next use.
    pub fn observations_changed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Areas were written: regions and grids too.
    pub fn areas_changed(&self) {
        self.area_generation.fetch_add(1, Ordering::AcqRel);
        self.observations_changed();
    }

    fn area_generation(&self) -> u64 {
        self.area_generation.load(Ordering::Acquire)
    }

    /// The region of requests that name none.
    pub fn default_region(&self) -> AppResult<Region> {
        if let Some(r) = &self.settings.default_region {
            return Ok(r.clone());
        }
        let gen = self.area_generation();
        let mut slot = self
            .default_region
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((g, r)) = &*slot {
            if *g == gen {
                return Ok(r.clone());
            }
        }
        let codes: Vec<String> = self
            .store()
            .areas(Some(AoiKind::Country))?
            .into_iter()
            .map(|a| a.code.to_ascii_uppercase())
            .collect();
        let preferred: Vec<&str> = DEFAULT_REGION
            .iter()
            .copied()
            .filter(|p| codes.iter().any(|c| c == p))
            .collect();
        let chosen: Vec<&str> = if preferred.is_empty() {
            codes.iter().map(String::as_str).collect()
        } else {
            preferred
        };
        if chosen.is_empty() {
            return Err(AppError::Unprocessable(
                "no region: the database has no countries; import boundaries (frontline import boundaries FILE --kind country) or name a region".into(),
            ));
        }
        let r = Region::from_parts("region", chosen)?;
        *slot = Some((gen, r.clone()));
        Ok(r)
    }

    /// A region resolved against the stored areas (default if `None`).
    pub fn region(&self, region: Option<&Region>) -> AppResult<Arc<ResolvedRegion>> {
        let r = match region {
            Some(r) => r.clone(),
            None => self.default_region()?,
        };
        self.regions
            .get_or_try_init(&r, self.area_generation(), || {
                resolve(self.store(), &r, self.settings.limits.max_region_km2)
            })
    }

    /// Check a request and name the map it asks for.
    pub fn key(&self, req: &MapRequest) -> AppResult<MapKey> {
        let today = (self.settings.today)();
        if req.date > today {
            return Err(AppError::Unprocessable(format!(
                "date {} is in the future (today is {today})",
                req.date
            )));
        }
        let resolution = req.resolution.unwrap_or(self.settings.resolution);
        if resolution > self.settings.limits.max_resolution {
            return Err(AppError::input(
                "resolution",
                format!(
                    "at most {} (7 ≈ 5.2 km² per cell), got {resolution}",
                    self.settings.limits.max_resolution
                ),
            ));
        }
        let region = self.region(req.region.as_ref())?;
        self.known(req.known_on)?;
        Ok(MapKey {
            date: req.date,
            known_on: req.known_on,
            region: region.key.clone(),
            resolution,
        })
    }

    /// The grid over a resolved region: kept in memory, and read from the grid cache directory
    /// when a process has built it before.
    pub fn grid(&self, region: &ResolvedRegion, resolution: u8) -> AppResult<Arc<Grid>> {
        self.grids.get_or_try_init(
            &(region.key.clone(), resolution),
            self.area_generation(),
            || {
                let _pass = self.gate.enter(self.settings.limits.wait, "grid builds")?;
                let dir = self.settings.grid_cache_dir.as_deref();
                let file = dir.map(|d| {
                    d.join(format!(
                        "{}.grid",
                        Grid::fingerprint(&region.parts, resolution)
                    ))
                });
                if let Some(file) = &file {
                    match std::fs::read(file) {
                        Ok(bytes) => match Grid::from_bytes(&region.parts, resolution, &bytes) {
                            Ok(g) => return Ok(g),
                            Err(e) => tracing::warn!(file = %file.display(), "{e}: rebuilding"),
                        },
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => tracing::warn!(file = %file.display(), "{e}: rebuilding"),
                    }
                }
                tracing::info!(region = %region.key, resolution, "building grid");
                let grid = Grid::build(&region.parts, resolution)
                    .map_err(|e| AppError::Grid(e.to_string()))?;
                if let (Some(dir), Some(file)) = (dir, &file) {
                    // A cache that cannot be written is no reason to fail the request.
                    if let Err(e) = store_grid(dir, file, &grid.to_bytes(&region.parts)) {
                        tracing::warn!(dir = %dir.display(), "grid not cached: {e}");
                    }
                }
                Ok(grid)
            },
        )
    }

    fn grid_of(&self, key: &MapKey) -> AppResult<Arc<Grid>> {
        let region = self.regions_by_key(&key.region)?;
        self.grid(&region, key.resolution)
    }

    fn regions_by_key(&self, key: &str) -> AppResult<Arc<ResolvedRegion>> {
        let r = Region::parse("region", key)?;
        self.region(Some(&r))
    }

    /// The observations as known on `known_on`.
    pub fn known(&self, known_on: KnownOn) -> AppResult<Arc<Known>> {
        let today = (self.settings.today)();
        if let Some(t) = known_on.cutoff() {
            if t.date_naive() > today {
                return Err(AppError::Unprocessable(format!(
                    "known_on {} is in the future (today is {today})",
                    known_on.label().unwrap_or_default()
                )));
            }
        }
        self.known
            .get_or_try_init(&known_on, self.generation(), || {
                let stored = self.store().observations(known_on.cutoff())?;
                let observations = stored.iter().map(|s| s.observation.clone()).collect();
                Ok(Known {
                    stored,
                    observations: Arc::new(observations),
                })
            })
    }

    /// The control map a request names, with its derived views.
    pub fn map(&self, req: &MapRequest) -> AppResult<Arc<MapProduct>> {
        let key = self.key(req)?;
        self.map_of(&key)
    }

    /// The map of a key made by [`Engine::key`].
    pub fn map_of(&self, key: &MapKey) -> AppResult<Arc<MapProduct>> {
        self.maps.get_or_try_init(key, self.generation(), || {
            let scrub = self.scrub_of(key)?;
            let _pass = self.gate.enter(self.settings.limits.wait, "estimates")?;
            MapProduct::new(key.clone(), scrub.0.estimate(key.date))
        })
    }

    /// The date-independent preparation of a key's observations, region and resolution, made
    /// once and kept (bounded) so that every further date of it is fast.
    pub fn scrub_of(&self, key: &MapKey) -> AppResult<Arc<Scrubber>> {
        let skey = ScrubKey {
            known_on: key.known_on,
            region: key.region.clone(),
            resolution: key.resolution,
        };
        self.scrubs.get_or_try_init(&skey, self.generation(), || {
            let known = self.known(key.known_on)?;
            let grid = self.grid_of(key)?;
            let _pass = self.gate.enter(self.settings.limits.wait, "estimates")?;
            let prepared = Prepared::shared(known.observations.clone(), &self.settings.params);
            Ok(Scrubber(Scrub::new(prepared, &grid)))
        })
    }

    /// Km² and share per actor: from the map if it is cached, else estimated (cells only: no
    /// polygons), and kept apart from the maps so that a chart of many dates does not push the
    /// maps being looked at out.
    pub fn areas(&self, req: &MapRequest) -> AppResult<Arc<AreaTable>> {
        let key = self.key(req)?;
        self.areas_of(&key)
    }

    fn areas_of(&self, key: &MapKey) -> AppResult<Arc<AreaTable>> {
        let gen = self.generation();
        self.tables.get_or_try_init(key, gen, || {
            if let Some(m) = self.maps.peek(key, gen) {
                return Ok(m.areas().clone());
            }
            let scrub = self.scrub_of(key)?;
            let _pass = self.gate.enter(self.settings.limits.wait, "estimates")?;
            Ok(scrub.0.estimate(key.date).areas())
        })
    }

    /// Maps of several dates of one request, estimated with one preparation of the
    /// observations and handed to `each` in date order (not cached: a series is read once).
    pub fn for_each_map(
        &self,
        req: &MapRequest,
        dates: &[NaiveDate],
        mut each: impl FnMut(ControlMap) -> AppResult<()>,
    ) -> AppResult<()> {
        let Some(last) = dates.iter().max() else {
            return Ok(());
        };
        let key = self.key(&req.with_date(*last))?;
        let scrub = self.scrub_of(&key)?;
        for &d in dates {
            let _pass = self.gate.enter(self.settings.limits.wait, "estimates")?;
            each(scrub.0.estimate(d))?;
        }
        Ok(())
    }

    /// Km² per actor on each date: the series the `area --from/--to` command, the chart, the
    /// server's `/api/chart` and the demo read. One preparation serves every date; dates whose
    /// table is cached are not estimated again.
    pub fn area_series(
        &self,
        req: &MapRequest,
        dates: &[NaiveDate],
    ) -> AppResult<Vec<(NaiveDate, Arc<AreaTable>)>> {
        let Some(last) = dates.iter().max() else {
            return Ok(Vec::new());
        };
        // Refuse a future date before any work, and prepare once for all dates.
        let key = self.key(&req.with_date(*last))?;
        self.scrub_of(&key)?;
        dates
            .iter()
            .map(|&d| {
                let k = MapKey {
                    date: d,
                    ..key.clone()
                };
                Ok((d, self.areas_of(&k)?))
            })
            .collect()
    }

    /// Run `f` on the estimator's day for a request (point queries and explanations: no grid).
    pub fn with_day<R>(
        &self,
        date: NaiveDate,
        known_on: KnownOn,
        f: impl FnOnce(&Day<'_, '_>, &Known) -> R,
    ) -> AppResult<R> {
        let known = self.known(known_on)?;
        let prepared = Prepared::new(&known.observations, &self.settings.params);
        let day = prepared.on(date);
        Ok(f(&day, &known))
    }

    /// The change between two dates of one request, through the core's diff.
    pub fn diff(&self, req: &MapRequest, to: NaiveDate) -> AppResult<Change> {
        let a = self.map(req)?;
        let b = self.map(&req.with_date(to))?;
        let diff = frontline_core::diff::diff(&a.map, &b.map)?;
        Ok(Change {
            from: a,
            to: b,
            diff,
        })
    }

    /// Events of the `window`-day window ending on `to`, known on `known_on`, store-linked
    /// duplicates hidden and cross-dataset reports of one event counted once: the events every
    /// analysis and layer counts.
    pub fn events(&self, key: &EventWindowKey) -> AppResult<Arc<EventWindow>> {
        self.events.get_or_try_init(key, self.generation(), || {
            let filter = EventFilter {
                from: Some(key.from),
                to: Some(key.to),
                actor: key.actor.clone(),
                event_type: key.event_type,
                ..EventFilter::default()
            };
            let cutoff = key.known_on.cutoff();
            let events: Vec<Event> = self
                .store()
                .stored_events(&filter)?
                .into_iter()
                .filter(|s| cutoff.is_none_or(|k| s.recorded_at <= k))
                .map(|s| s.event)
                .collect();
            let groups = find_duplicates(&events, &DedupParams::default());
            Ok(EventWindow(groups.deduplicated(&events)))
        })
    }
}

/// Where the grids of a database are kept between runs: `FILE.cache/grids` beside the database
/// `FILE` (removed with it; a grid is named by its outlines' fingerprint, so an edited outline
/// never reads a stale grid).
pub fn grid_cache_dir(db: &std::path::Path) -> std::path::PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".cache");
    db.with_file_name(name).join("grids")
}

/// Write a grid file atomically (a temporary file renamed: concurrent processes never read a
/// half-written grid), then keep only the [`GRID_FILES`] most recently written.
fn store_grid(dir: &std::path::Path, file: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let tmp = file.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, file)?;
    let mut grids: Vec<(std::time::SystemTime, std::path::PathBuf)> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "grid"))
        .filter_map(|p| Some((std::fs::metadata(&p).ok()?.modified().ok()?, p)))
        .collect();
    grids.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    for (_, old) in grids.into_iter().skip(GRID_FILES) {
        if old != file {
            std::fs::remove_file(old)?;
        }
    }
    Ok(())
}

/// Two maps and the change between them.
pub struct Change {
    pub from: Arc<MapProduct>,
    pub to: Arc<MapProduct>,
    pub diff: frontline_core::diff::MapDiff,
}
