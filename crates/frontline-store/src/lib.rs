//! Frontline's store: the records (actors, observations, places, areas of interest, events),
//! the server's tables (API tokens, the audit log, evidence files) and the watches, behind one
//! façade, [`Store`], over a [`Backend`]. The backend today is SQLite ([`sqlite`]: one file in
//! WAL mode, created and migrated on open); the façade is what the rest of Frontline uses, so
//! that another backend can plug in without touching its callers.
//!
//! Nothing is ever deleted or overwritten. Every record type is kept as versions `(key,
//! version, recorded_at, retired, payload)`:
//! - importing a row whose key is new inserts version 1;
//! - importing a row identical to its key's current version changes nothing ("unchanged"), so
//!   re-importing a file is a no-op (not even the import log records it);
//! - importing a changed row with an existing key (a corrected event, a re-drawn border) inserts
//!   a new version that supersedes the previous one ("superseded");
//! - an analyst's edit ([`Store::supersede_observation`], [`Store::supersede_area`]) or
//!   retirement ([`Store::retire_observation`], [`Store::retire_area`]) inserts a new version
//!   after checking that the analyst saw the current one, and records it in the audit log in
//!   the same transaction (module [`edit`]); an edit identical to the current version writes
//!   nothing.
//!
//! "What did we know at time T" ([`Store::observations`] with `Some(T)`) is, for each key, the
//! latest version recorded at or before T, unless that version is a retirement. The recording
//! time comes from the store's clock, which tests replace ([`Store::set_clock`]).
//!
//! Every [`Store::import`] runs in one transaction and, if it changed anything, is recorded in
//! the import log with the file's name, SHA-256 and counts.
//!
//! A `Store` is cheap to clone and can be used from any number of threads at once. Writers
//! wait for each other (up to a bound, then [`StoreError::Busy`]) rather than fail.

pub mod audit;
pub mod auth;
pub mod backend;
mod codecs;
pub mod edit;
mod error;
pub mod evidence;
pub mod places;
pub mod sqlite;
mod types;
pub mod watch;

pub use backend::Backend;
pub use codecs::event_key_text;
pub use edit::Editor;
pub use error::StoreError;
pub use sqlite::{SqliteBackend, SqliteOptions, SCHEMA_VERSION};
pub use types::{
    EventFilter, EventVersion, ImportBatch, ImportRecord, ImportReport, NewEvent, StoredArea,
    StoredEvent, StoredObservation, TableCounts, TableReport,
};

use chrono::{DateTime, NaiveDate, Utc};
use frontline_core::analysis::watch::{AlertDraft, Trigger};
use frontline_core::{
    Actor, AoiKind, AreaOfInterest, Event, EventKey, Observation, ObservationKey, Place,
};
use std::path::Path;
use std::sync::Arc;

use audit::{AuditEntry, AuditFilter};
use auth::{Role, Token};
use evidence::{Attachment, MediaType};
use watch::{StoredAlert, Watch, WatchCheck};

/// The source of recording times.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The store: a cheap-to-clone handle on a shared backend. Every method takes `&self`.
#[derive(Clone, Debug)]
pub struct Store {
    backend: Arc<dyn Backend>,
}

impl Store {
    /// A store over `backend`.
    pub fn new(backend: Arc<dyn Backend>) -> Store {
        Store { backend }
    }

    /// Open (creating if needed) the SQLite database at `path` with the default options.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Self::open_with(path, &SqliteOptions::default())
    }

    /// Open the SQLite database at `path`.
    pub fn open_with(path: &Path, opts: &SqliteOptions) -> Result<Store, StoreError> {
        Ok(Self::new(Arc::new(SqliteBackend::open(path, opts)?)))
    }

    /// A private, empty in-memory store (for tests and one-off runs).
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Ok(Self::new(Arc::new(SqliteBackend::open_in_memory()?)))
    }

    /// Replace the clock that stamps `recorded_at` (tests use a fixed or stepping clock). Every
    /// clone of this store uses the new clock.
    pub fn set_clock(&self, clock: Clock) {
        self.backend.set_clock(clock);
    }

    /// Succeeds if the database answers.
    pub fn check_health(&self) -> Result<(), StoreError> {
        self.backend.check_health()
    }

    /// A value that changes whenever another connection or process commits, so a long-running
    /// reader (the server) can notice writes made elsewhere. Compare values for equality only.
    pub fn data_version(&self) -> Result<u64, StoreError> {
        self.backend.data_version()
    }

    // ------------------------------------------------------------ imports and records

    /// Write a batch in one transaction: all of it or nothing. Each row is inserted, found
    /// unchanged, or written as a new version of its key (see the crate docs).
    pub fn import(&self, batch: ImportBatch) -> Result<ImportReport, StoreError> {
        self.backend.import(&batch)
    }

    /// Every recorded import, oldest first.
    pub fn imports(&self) -> Result<Vec<ImportRecord>, StoreError> {
        self.backend.imports()
    }

    /// The current actors (not retired), ordered by id.
    pub fn actors(&self) -> Result<Vec<Actor>, StoreError> {
        self.backend.actors()
    }

    /// The observations as known on `known_on` (None = now): for each key the latest version
    /// recorded at or before then, without the retired ones. Ordered by key.
    pub fn observations(
        &self,
        known_on: Option<DateTime<Utc>>,
    ) -> Result<Vec<StoredObservation>, StoreError> {
        self.backend.observations(known_on)
    }

    /// The current gazetteer, every entry (including entries that duplicate another: see
    /// [`places::settlements`] to count each settlement once).
    pub fn places(&self) -> Result<Vec<Place>, StoreError> {
        self.backend.places()
    }

    /// The current areas of interest, optionally of one kind, ordered by code.
    pub fn areas(&self, kind: Option<AoiKind>) -> Result<Vec<AreaOfInterest>, StoreError> {
        self.backend.areas(kind)
    }

    /// The area whose code (case-insensitive, e.g. `syr`) or name (compared with
    /// [`frontline_core::names::normalize`]) is `code_or_name`. A code match wins.
    pub fn area(&self, code_or_name: &str) -> Result<Option<AreaOfInterest>, StoreError> {
        let wanted = code_or_name.trim();
        let areas = self.areas(None)?;
        if let Some(a) = areas.iter().find(|a| a.code.eq_ignore_ascii_case(wanted)) {
            return Ok(Some(a.clone()));
        }
        let n = frontline_core::names::normalize(wanted);
        Ok(areas
            .into_iter()
            .find(|a| frontline_core::names::normalize(&a.name) == n))
    }

    /// Current events matching `filter`, ordered by date then key. Rows kept as duplicates of
    /// another compilation's row are left out unless `filter.include_duplicates`.
    pub fn events(&self, filter: &EventFilter) -> Result<Vec<Event>, StoreError> {
        Ok(self
            .stored_events(filter)?
            .into_iter()
            .map(|e| e.event)
            .collect())
    }

    /// Like [`Store::events`], with each event's version, recording time and duplicate link.
    pub fn stored_events(&self, filter: &EventFilter) -> Result<Vec<StoredEvent>, StoreError> {
        self.backend.stored_events(filter)
    }

    /// Current records per table, for summaries.
    pub fn counts(&self) -> Result<TableCounts, StoreError> {
        self.backend.counts()
    }

    /// The latest recorded day of any event, handy for defaults. `None` if empty.
    pub fn latest_event_date(&self) -> Result<Option<NaiveDate>, StoreError> {
        self.backend.latest_event_date()
    }

    /// Every version of one observation, oldest first (retirements included).
    pub fn observation_history(
        &self,
        key: &ObservationKey,
    ) -> Result<Vec<StoredObservation>, StoreError> {
        self.backend.observation_history(key)
    }

    /// Every version of one event, oldest first (retirements included).
    pub fn event_history(&self, key: &EventKey) -> Result<Vec<EventVersion>, StoreError> {
        self.backend.event_history(key)
    }

    /// Every version of one area, oldest first (retirements included).
    pub fn area_history(&self, code: &str) -> Result<Vec<StoredArea>, StoreError> {
        self.backend.area_history(code)
    }

    // ------------------------------------------------------------ edits

    /// Add a new observation (version 1). Its key must not exist yet.
    pub fn add_observation(
        &self,
        observation: &Observation,
        by: &Editor,
    ) -> Result<StoredObservation, StoreError> {
        observation.validate()?;
        self.backend.add_observation(observation, by)
    }

    /// Record a correction: `observation` (same key) becomes version `expected_version + 1`.
    /// Refused with [`StoreError::VersionConflict`] if `expected_version` is no longer the
    /// current one. A correction identical to the current version writes nothing (no version,
    /// no audit entry) and returns the current version.
    pub fn supersede_observation(
        &self,
        expected_version: u32,
        observation: &Observation,
        by: &Editor,
    ) -> Result<StoredObservation, StoreError> {
        observation.validate()?;
        self.backend
            .supersede_observation(expected_version, observation, by)
    }

    /// Retire an observation: a new version marked retired (carrying the retired content). The
    /// same version check as [`Store::supersede_observation`]; `reason` goes to the audit log.
    pub fn retire_observation(
        &self,
        key: &ObservationKey,
        expected_version: u32,
        by: &Editor,
        reason: Option<&str>,
    ) -> Result<u32, StoreError> {
        self.backend
            .retire_observation(key, expected_version, by, reason)
    }

    /// Add a new area of interest (version 1). Its code must not exist yet.
    pub fn add_area(&self, area: &AreaOfInterest, by: &Editor) -> Result<StoredArea, StoreError> {
        self.backend.add_area(area, by)
    }

    /// Record a corrected area (a re-drawn boundary, a new name): version-checked like
    /// [`Store::supersede_observation`], and likewise a no-op when nothing changed.
    pub fn supersede_area(
        &self,
        expected_version: u32,
        area: &AreaOfInterest,
        by: &Editor,
    ) -> Result<StoredArea, StoreError> {
        self.backend.supersede_area(expected_version, area, by)
    }

    /// Retire an area of interest (a new version marked retired).
    pub fn retire_area(
        &self,
        code: &str,
        expected_version: u32,
        by: &Editor,
        reason: Option<&str>,
    ) -> Result<u32, StoreError> {
        self.backend.retire_area(code, expected_version, by, reason)
    }

    // ------------------------------------------------------------ tokens and audit

    /// Create an API token with a fresh random secret, audited as made `by`; returns the
    /// stored token and the secret, which is not kept anywhere and must be shown now.
    pub fn create_token(
        &self,
        role: Role,
        label: &str,
        by: &Editor,
    ) -> Result<(Token, String), StoreError> {
        let label = auth::check_label(label)?;
        let (secret, prefix) = auth::new_secret();
        let token =
            self.backend
                .create_token(role, label, &auth::hash_secret(&secret), &prefix, by)?;
        Ok((token, secret))
    }

    /// The live (not revoked) token whose secret this is, if any.
    pub fn authenticate(&self, secret: &str) -> Result<Option<Token>, StoreError> {
        self.backend.authenticate(&auth::hash_secret(secret.trim()))
    }

    /// Every token (without secrets), newest first.
    pub fn tokens(&self) -> Result<Vec<Token>, StoreError> {
        self.backend.tokens()
    }

    /// Revoke a live token (the row is kept, with the time of revocation), audited as made
    /// `by`. [`auth::AuthError::NoSuchToken`] if there is no live token with this id.
    pub fn revoke_token(&self, id: i64, by: &Editor) -> Result<Token, StoreError> {
        self.backend.revoke_token(id, by)
    }

    /// Append an entry to the audit log; returns its id.
    pub fn record_audit(&self, entry: &AuditEntry) -> Result<i64, StoreError> {
        self.backend.record_audit(entry)
    }

    /// Audit entries matching the filter, newest first, and the total count matching it.
    pub fn audit(&self, filter: &AuditFilter) -> Result<(Vec<AuditEntry>, u64), StoreError> {
        self.backend.audit(filter)
    }

    // ------------------------------------------------------------ evidence

    /// Check a file, store it (once per content) and attach it to an observation (once per
    /// pair), with its audit entry. The caller checks that the observation exists.
    pub fn attach_evidence(
        &self,
        observation_key: &str,
        name: &str,
        bytes: &[u8],
        by: &Editor,
    ) -> Result<Attachment, StoreError> {
        let file = evidence::check(bytes)?;
        let name = evidence::check_name(name)?;
        self.backend
            .attach_evidence(observation_key, name, &file, bytes, by)
    }

    /// The files attached to an observation, oldest first.
    pub fn attachments(&self, observation_key: &str) -> Result<Vec<Attachment>, StoreError> {
        self.backend.attachments(observation_key)
    }

    /// A stored file's type (sniffed from its bytes) and bytes, by its SHA-256 (hex).
    pub fn evidence_file(&self, sha256: &str) -> Result<Option<(MediaType, Vec<u8>)>, StoreError> {
        self.backend.evidence_file(sha256)
    }

    // ------------------------------------------------------------ watches

    /// Add a watch, or return the identical existing one. The flag is true if it is new.
    pub fn add_watch(
        &self,
        aoi: &str,
        trigger: Trigger,
        params: &serde_json::Value,
    ) -> Result<(Watch, bool), StoreError> {
        self.backend.add_watch(aoi, trigger, params)
    }

    /// Every watch, oldest first.
    pub fn watches(&self) -> Result<Vec<Watch>, StoreError> {
        self.backend.watches()
    }

    /// The latest check of a watch, if it was ever checked.
    pub fn last_check(&self, watch_id: i64) -> Result<Option<WatchCheck>, StoreError> {
        self.backend.last_check(watch_id)
    }

    /// Record a check and its alerts in one transaction; returns the alerts that fired now
    /// (those whose key this watch had not fired before).
    pub fn record_check(
        &self,
        watch_id: i64,
        date: NaiveDate,
        known_on: Option<DateTime<Utc>>,
        state: &serde_json::Value,
        alerts: &[AlertDraft],
    ) -> Result<Vec<StoredAlert>, StoreError> {
        self.backend
            .record_check(watch_id, date, known_on, state, alerts)
    }

    /// Alerts fired so far (of one watch, or all), oldest first.
    pub fn alerts(&self, watch_id: Option<i64>) -> Result<Vec<StoredAlert>, StoreError> {
        self.backend.alerts(watch_id)
    }
}
