//! The SQLite backend: one database file in WAL mode, created and migrated on open, used
//! through a small pool of connections so that any thread can call the store at once.
//!
//! - One writer connection: every write takes it, then opens a `BEGIN IMMEDIATE` transaction,
//!   which takes SQLite's write lock before anything is read. Writers in this process queue for
//!   the connection, writers in other processes (`frontline import` beside the server) for the
//!   lock, both bounded by the busy timeout; past it the write fails with
//!   [`StoreError::Busy`] having written nothing. (Deferred transactions that read and then
//!   write cannot wait for the lock: SQLite refuses them at once with "database is locked".)
//! - A few read-only connections: reads run beside the writer on WAL snapshots, each read in
//!   one snapshot.
//! - An in-memory database is private to its connection, so it has only the writer, which
//!   then serves reads too.

mod audit;
mod auth;
mod edit;
mod events;
mod evidence;
mod imports;
mod migrate;
mod pool;
mod tables;
mod watch;

pub use migrate::SCHEMA_VERSION;

use chrono::{DateTime, NaiveDate, Utc};
use frontline_core::analysis::watch::{AlertDraft, Trigger};
use frontline_core::{
    Actor, AoiKind, AreaOfInterest, EventKey, Observation, ObservationKey, Place,
};
use rusqlite::types::Value;
use rusqlite::{Connection, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::audit::{AuditEntry, AuditFilter};
use crate::auth::{Role, Token};
use crate::backend::{Backend, ClockCell};
use crate::codecs::{area_of, area_row, decode, decode_area, observation_of, observation_row};
use crate::evidence::{Attachment, EvidenceFile, MediaType};
use crate::types::EventVersion;
use crate::watch::{StoredAlert, Watch, WatchCheck};
use crate::{
    Clock, Editor, EventFilter, ImportBatch, ImportRecord, ImportReport, StoreError, StoredArea,
    StoredEvent, StoredObservation, TableCounts,
};
use pool::Conns;
use tables::{ACTORS, AREAS, EVENTS, OBSERVATIONS, PLACES};

/// How the SQLite backend is set up.
#[derive(Debug, Clone)]
pub struct SqliteOptions {
    /// Read-only connections beside the writer (file databases only).
    pub readers: usize,
    /// How long an operation waits for a connection and for other writers before it fails
    /// with [`StoreError::Busy`].
    pub busy_timeout: Duration,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        Self {
            readers: 4,
            busy_timeout: Duration::from_secs(5),
        }
    }
}

/// The SQLite backend (see the module docs).
pub struct SqliteBackend {
    /// `None` for an in-memory database.
    path: Option<PathBuf>,
    writer: Conns,
    /// `None`: reads use the writer.
    readers: Option<Conns>,
    /// A connection that never writes, for `data_version` (which only moves for commits made
    /// by *other* connections); opened on first use.
    watcher: Mutex<Option<Connection>>,
    /// Commits made through this backend, the change marker of an in-memory database.
    commits: AtomicU64,
    clock: ClockCell,
    busy: Duration,
}

impl std::fmt::Debug for SqliteBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteBackend")
            .field("path", &self.path)
            .field("busy", &self.busy)
            .finish_non_exhaustive()
    }
}

fn open_file(path: &Path) -> Result<Connection, StoreError> {
    Connection::open(path).map_err(|source| StoreError::Open {
        path: path.to_owned(),
        source,
    })
}

impl SqliteBackend {
    /// Open (creating if needed) the database at `path`, switch it to WAL mode and migrate it.
    pub fn open(path: &Path, opts: &SqliteOptions) -> Result<Self, StoreError> {
        let mut writer = open_file(path)?;
        writer.busy_timeout(opts.busy_timeout)?;
        let mode: String = writer.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        tracing::debug!(path = %path.display(), mode, "opened store");
        writer.execute_batch("PRAGMA synchronous = NORMAL;")?;
        setup_writer(&mut writer)?;
        let readers = (0..opts.readers)
            .map(|_| {
                let conn = open_file(path)?;
                conn.busy_timeout(opts.busy_timeout)?;
                // A reader can never take the write lock, even by mistake.
                conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA query_only = ON;")?;
                Ok(conn)
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Self {
            path: Some(path.to_owned()),
            writer: Conns::new(vec![writer]),
            readers: (!readers.is_empty()).then(|| Conns::new(readers)),
            watcher: Mutex::new(None),
            commits: AtomicU64::new(0),
            clock: ClockCell::default(),
            busy: opts.busy_timeout,
        })
    }

    /// A private, empty in-memory database (for tests and one-off runs).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let mut conn = Connection::open_in_memory()?;
        let busy = SqliteOptions::default().busy_timeout;
        conn.busy_timeout(busy)?;
        setup_writer(&mut conn)?;
        Ok(Self {
            path: None,
            writer: Conns::new(vec![conn]),
            readers: None,
            watcher: Mutex::new(None),
            commits: AtomicU64::new(0),
            clock: ClockCell::default(),
            busy,
        })
    }

    /// Run `f` in a write transaction (`BEGIN IMMEDIATE`) stamped with the clock's time, read
    /// once the write lock is held so that recording times follow commit order.
    fn write<T>(
        &self,
        f: impl FnOnce(&Connection, DateTime<Utc>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let deadline = Instant::now() + self.busy;
        let mut conn = self.writer.take(deadline)?;
        // What is left of the bound is how long SQLite may wait for other processes' writers.
        let left = deadline.saturating_duration_since(Instant::now());
        conn.busy_timeout(left.max(Duration::from_millis(1)))?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx, self.clock.now())?;
        tx.commit()?;
        self.commits.fetch_add(1, Ordering::Relaxed);
        Ok(out)
    }

    /// Run `f` on a reader (or the writer of an in-memory database) in one read snapshot.
    fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let deadline = Instant::now() + self.busy;
        let mut conn = self
            .readers
            .as_ref()
            .unwrap_or(&self.writer)
            .take(deadline)?;
        let tx = conn.transaction()?;
        let out = f(&tx)?;
        tx.finish()?;
        Ok(out)
    }
}

/// Settings of the writer connection, then the migrations.
fn setup_writer(conn: &mut Connection) -> Result<(), StoreError> {
    // A large page cache keeps a big import's transaction in memory instead of spilling
    // pages to the WAL mid-transaction (a 57,000-event import is about 40 MB).
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA cache_size = -131072;")?;
    migrate::migrate(conn)
}

impl Backend for SqliteBackend {
    fn set_clock(&self, clock: Clock) {
        self.clock.set(clock);
    }

    fn check_health(&self) -> Result<(), StoreError> {
        self.read(|c| Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?))
            .map(drop)
    }

    fn data_version(&self) -> Result<u64, StoreError> {
        let Some(path) = &self.path else {
            return Ok(self.commits.load(Ordering::Relaxed));
        };
        let mut watcher = self.watcher.lock().unwrap_or_else(PoisonError::into_inner);
        let conn = match &mut *watcher {
            Some(c) => c,
            slot => {
                let c = open_file(path)?;
                c.busy_timeout(self.busy)?;
                slot.insert(c)
            }
        };
        let v: i64 = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        Ok(v as u64)
    }

    fn import(&self, batch: &ImportBatch) -> Result<ImportReport, StoreError> {
        let rows = imports::encode(batch)?;
        self.write(|tx, now| imports::write(tx, batch, rows, now))
    }

    fn imports(&self) -> Result<Vec<ImportRecord>, StoreError> {
        self.read(imports::imports)
    }

    fn actors(&self) -> Result<Vec<Actor>, StoreError> {
        self.read(|c| {
            tables::current(c, &ACTORS, None, "", &[])?
                .into_iter()
                .map(|(key, _, _, payload)| decode("actors", &key, &payload))
                .collect()
        })
    }

    fn observations(
        &self,
        known_on: Option<DateTime<Utc>>,
    ) -> Result<Vec<StoredObservation>, StoreError> {
        self.read(|c| {
            tables::current(c, &OBSERVATIONS, known_on, "", &[])?
                .into_iter()
                .map(|(key, version, recorded_at, payload)| {
                    let v = crate::codecs::Version {
                        version,
                        recorded_at,
                        retired: false,
                        payload,
                    };
                    observation_of(&key, &v)
                })
                .collect()
        })
    }

    fn places(&self) -> Result<Vec<Place>, StoreError> {
        self.read(|c| {
            tables::current(c, &PLACES, None, "", &[])?
                .into_iter()
                .map(|(key, _, _, payload)| decode("places", &key, &payload))
                .collect()
        })
    }

    fn areas(&self, kind: Option<AoiKind>) -> Result<Vec<AreaOfInterest>, StoreError> {
        let (filter, values) = match kind {
            Some(k) => ("AND t.kind = ?2", vec![Value::Text(k.as_str().to_owned())]),
            None => ("", vec![]),
        };
        self.read(|c| {
            tables::current(c, &AREAS, None, filter, &values)?
                .into_iter()
                .map(|(key, _, _, payload)| decode_area(&key, &payload))
                .collect()
        })
    }

    fn stored_events(&self, filter: &EventFilter) -> Result<Vec<StoredEvent>, StoreError> {
        self.read(|c| events::stored_events(c, filter))
    }

    fn counts(&self) -> Result<TableCounts, StoreError> {
        self.read(|c| {
            Ok(TableCounts {
                actors: tables::count_current(c, &ACTORS, "")?,
                observations: tables::count_current(c, &OBSERVATIONS, "")?,
                places: tables::count_current(c, &PLACES, "")?,
                areas: tables::count_current(c, &AREAS, "")?,
                events: tables::count_current(c, &EVENTS, "AND t.duplicate_of IS NULL")?,
                event_duplicates: tables::count_current(
                    c,
                    &EVENTS,
                    "AND t.duplicate_of IS NOT NULL",
                )?,
                imports: imports::count(c)?,
            })
        })
    }

    fn latest_event_date(&self) -> Result<Option<NaiveDate>, StoreError> {
        self.read(events::latest_event_date)
    }

    fn observation_history(
        &self,
        key: &ObservationKey,
    ) -> Result<Vec<StoredObservation>, StoreError> {
        self.read(|c| {
            tables::versions(c, &OBSERVATIONS, key.as_str())?
                .iter()
                .map(|v| observation_of(key.as_str(), v))
                .collect()
        })
    }

    fn event_history(&self, key: &EventKey) -> Result<Vec<EventVersion>, StoreError> {
        let k = crate::codecs::event_key_text(key);
        self.read(|c| {
            tables::versions(c, &EVENTS, &k)?
                .into_iter()
                .map(|v| {
                    Ok(EventVersion {
                        event: decode("events", &k, &v.payload)?,
                        version: v.version,
                        recorded_at: crate::codecs::parse_time("events", &k, &v.recorded_at)?,
                        retired: v.retired,
                    })
                })
                .collect()
        })
    }

    fn area_history(&self, code: &str) -> Result<Vec<StoredArea>, StoreError> {
        self.read(|c| {
            tables::versions(c, &AREAS, code)?
                .iter()
                .map(|v| area_of(code, v))
                .collect()
        })
    }

    fn add_observation(
        &self,
        observation: &Observation,
        by: &Editor,
    ) -> Result<StoredObservation, StoreError> {
        let row = observation_row(observation)?;
        let v = self.write(|tx, now| edit::add(tx, &edit::OBSERVATION, row, by, now))?;
        observation_of(observation.key.as_str(), &v)
    }

    fn supersede_observation(
        &self,
        expected_version: u32,
        observation: &Observation,
        by: &Editor,
    ) -> Result<StoredObservation, StoreError> {
        let row = observation_row(observation)?;
        let v = self.write(|tx, now| {
            edit::supersede(tx, &edit::OBSERVATION, expected_version, row, by, now)
        })?;
        observation_of(observation.key.as_str(), &v)
    }

    fn retire_observation(
        &self,
        key: &ObservationKey,
        expected_version: u32,
        by: &Editor,
        reason: Option<&str>,
    ) -> Result<u32, StoreError> {
        self.write(|tx, now| {
            edit::retire(
                tx,
                &edit::OBSERVATION,
                key.as_str(),
                expected_version,
                by,
                reason,
                now,
            )
        })
    }

    fn add_area(&self, area: &AreaOfInterest, by: &Editor) -> Result<StoredArea, StoreError> {
        let row = area_row(area)?;
        let v = self.write(|tx, now| edit::add(tx, &edit::AREA, row, by, now))?;
        area_of(&area.code, &v)
    }

    fn supersede_area(
        &self,
        expected_version: u32,
        area: &AreaOfInterest,
        by: &Editor,
    ) -> Result<StoredArea, StoreError> {
        let row = area_row(area)?;
        let v =
            self.write(|tx, now| edit::supersede(tx, &edit::AREA, expected_version, row, by, now))?;
        area_of(&area.code, &v)
    }

    fn retire_area(
        &self,
        code: &str,
        expected_version: u32,
        by: &Editor,
        reason: Option<&str>,
    ) -> Result<u32, StoreError> {
        self.write(|tx, now| edit::retire(tx, &edit::AREA, code, expected_version, by, reason, now))
    }

    fn create_token(
        &self,
        role: Role,
        label: &str,
        secret_hash: &str,
        prefix: &str,
        by: &Editor,
    ) -> Result<Token, StoreError> {
        self.write(|tx, now| auth::create(tx, role, label, secret_hash, prefix, by, now))
    }

    fn authenticate(&self, secret_hash: &str) -> Result<Option<Token>, StoreError> {
        self.read(|c| auth::authenticate(c, secret_hash))
    }

    fn tokens(&self) -> Result<Vec<Token>, StoreError> {
        self.read(auth::list)
    }

    fn revoke_token(&self, id: i64, by: &Editor) -> Result<Token, StoreError> {
        self.write(|tx, now| auth::revoke(tx, id, by, now))
    }

    fn record_audit(&self, entry: &AuditEntry) -> Result<i64, StoreError> {
        self.write(|tx, _| audit::record(tx, entry))
    }

    fn audit(&self, filter: &AuditFilter) -> Result<(Vec<AuditEntry>, u64), StoreError> {
        self.read(|c| audit::list(c, filter))
    }

    fn attach_evidence(
        &self,
        observation_key: &str,
        name: &str,
        file: &EvidenceFile,
        bytes: &[u8],
        by: &Editor,
    ) -> Result<Attachment, StoreError> {
        self.write(|tx, now| evidence::attach(tx, observation_key, name, file, bytes, by, now))
    }

    fn attachments(&self, observation_key: &str) -> Result<Vec<Attachment>, StoreError> {
        self.read(|c| evidence::attachments(c, observation_key))
    }

    fn evidence_file(&self, sha256: &str) -> Result<Option<(MediaType, Vec<u8>)>, StoreError> {
        self.read(|c| evidence::fetch(c, sha256))
    }

    fn add_watch(
        &self,
        aoi: &str,
        trigger: Trigger,
        params: &serde_json::Value,
    ) -> Result<(Watch, bool), StoreError> {
        self.write(|tx, now| watch::add(tx, aoi, trigger, params, now))
    }

    fn watches(&self) -> Result<Vec<Watch>, StoreError> {
        self.read(watch::list)
    }

    fn last_check(&self, watch_id: i64) -> Result<Option<WatchCheck>, StoreError> {
        self.read(|c| watch::last_check(c, watch_id))
    }

    fn record_check(
        &self,
        watch_id: i64,
        date: NaiveDate,
        known_on: Option<DateTime<Utc>>,
        state: &serde_json::Value,
        alerts: &[AlertDraft],
    ) -> Result<Vec<StoredAlert>, StoreError> {
        let state =
            serde_json::to_string(state).map_err(|e| StoreError::Encode("watch check", e))?;
        self.write(|tx, now| watch::record_check(tx, watch_id, date, known_on, &state, alerts, now))
    }

    fn alerts(&self, watch_id: Option<i64>) -> Result<Vec<StoredAlert>, StoreError> {
        self.read(|c| watch::alerts(c, watch_id))
    }
}
