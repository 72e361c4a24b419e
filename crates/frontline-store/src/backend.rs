//! What a storage backend implements. [`crate::Store`] is a cheap, cloneable façade over an
//! `Arc<dyn Backend>`: it checks inputs (observations validate, evidence files are sniffed,
//! token labels are not empty, secrets are generated and hashed) and derives what needs no
//! database (an area by name, events without their versions); the backend stores and reads.
//!
//! A backend must
//! - be callable from any number of threads at once (`Send + Sync`, `&self` everywhere);
//! - keep every record type append-only and versioned as the crate docs describe, with the
//!   recording time taken from its clock ([`ClockCell`]) *inside* the write transaction;
//! - run every write in one transaction that takes the write lock before it reads (so that
//!   concurrent writers wait for each other instead of failing), waiting at most its busy bound
//!   and then failing with [`StoreError::Busy`], having written nothing;
//! - write an edit, a token change or an evidence attachment together with its audit entry.
//!
//! The SQLite backend is [`crate::sqlite::SqliteBackend`]; the store's test suite
//! (`tests/store.rs`) is written against [`crate::Store`] so that any backend can run it.

use chrono::{DateTime, NaiveDate, Utc};
use frontline_core::analysis::watch::{AlertDraft, Trigger};
use frontline_core::{
    Actor, AoiKind, AreaOfInterest, EventKey, Observation, ObservationKey, Place,
};
use std::sync::{PoisonError, RwLock};

use crate::audit::{AuditEntry, AuditFilter};
use crate::auth::{Role, Token};
use crate::evidence::{Attachment, EvidenceFile, MediaType};
use crate::types::EventVersion;
use crate::watch::{StoredAlert, Watch, WatchCheck};
use crate::{
    Clock, Editor, EventFilter, ImportBatch, ImportRecord, ImportReport, StoreError, StoredArea,
    StoredEvent, StoredObservation, TableCounts,
};

/// A backend's clock, replaceable while the backend is shared (tests fix or step it).
pub struct ClockCell(RwLock<Clock>);

impl Default for ClockCell {
    fn default() -> Self {
        Self(RwLock::new(std::sync::Arc::new(Utc::now)))
    }
}

impl ClockCell {
    pub fn now(&self) -> DateTime<Utc> {
        let clock = self
            .0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        clock()
    }

    pub fn set(&self, clock: Clock) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = clock;
    }
}

impl std::fmt::Debug for ClockCell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClockCell")
    }
}

/// A storage backend (see the module docs for the contract). The methods mirror
/// [`crate::Store`]'s, whose docs say what each returns.
pub trait Backend: Send + Sync + std::fmt::Debug {
    /// Replace the clock that stamps recording times.
    fn set_clock(&self, clock: Clock);

    /// Succeeds if the database answers a trivial query.
    fn check_health(&self) -> Result<(), StoreError>;
    /// A value that changes whenever data is committed by another connection or process.
    fn data_version(&self) -> Result<u64, StoreError>;

    // Imports and reads of the versioned records.
    fn import(&self, batch: &ImportBatch) -> Result<ImportReport, StoreError>;
    fn imports(&self) -> Result<Vec<ImportRecord>, StoreError>;
    fn actors(&self) -> Result<Vec<Actor>, StoreError>;
    fn observations(
        &self,
        known_on: Option<DateTime<Utc>>,
    ) -> Result<Vec<StoredObservation>, StoreError>;
    fn places(&self) -> Result<Vec<Place>, StoreError>;
    fn areas(&self, kind: Option<AoiKind>) -> Result<Vec<AreaOfInterest>, StoreError>;
    fn stored_events(&self, filter: &EventFilter) -> Result<Vec<StoredEvent>, StoreError>;
    fn counts(&self) -> Result<TableCounts, StoreError>;
    fn latest_event_date(&self) -> Result<Option<NaiveDate>, StoreError>;
    fn observation_history(
        &self,
        key: &ObservationKey,
    ) -> Result<Vec<StoredObservation>, StoreError>;
    fn area_history(&self, code: &str) -> Result<Vec<StoredArea>, StoreError>;
    fn event_history(&self, key: &EventKey) -> Result<Vec<EventVersion>, StoreError>;

    // Analysts' edits (inputs already validated by the façade).
    fn add_observation(
        &self,
        observation: &Observation,
        by: &Editor,
    ) -> Result<StoredObservation, StoreError>;
    fn supersede_observation(
        &self,
        expected_version: u32,
        observation: &Observation,
        by: &Editor,
    ) -> Result<StoredObservation, StoreError>;
    fn retire_observation(
        &self,
        key: &ObservationKey,
        expected_version: u32,
        by: &Editor,
        reason: Option<&str>,
    ) -> Result<u32, StoreError>;
    fn add_area(&self, area: &AreaOfInterest, by: &Editor) -> Result<StoredArea, StoreError>;
    fn supersede_area(
        &self,
        expected_version: u32,
        area: &AreaOfInterest,
        by: &Editor,
    ) -> Result<StoredArea, StoreError>;
    fn retire_area(
        &self,
        code: &str,
        expected_version: u32,
        by: &Editor,
        reason: Option<&str>,
    ) -> Result<u32, StoreError>;

    // API tokens (the backend sees only the secret's hash) and the audit log.
    fn create_token(
        &self,
        role: Role,
        label: &str,
        secret_hash: &str,
        prefix: &str,
        by: &Editor,
    ) -> Result<Token, StoreError>;
    fn authenticate(&self, secret_hash: &str) -> Result<Option<Token>, StoreError>;
    fn tokens(&self) -> Result<Vec<Token>, StoreError>;
    fn revoke_token(&self, id: i64, by: &Editor) -> Result<Token, StoreError>;
    fn record_audit(&self, entry: &AuditEntry) -> Result<i64, StoreError>;
    fn audit(&self, filter: &AuditFilter) -> Result<(Vec<AuditEntry>, u64), StoreError>;

    // Evidence files (checked by the façade).
    fn attach_evidence(
        &self,
        observation_key: &str,
        name: &str,
        file: &EvidenceFile,
        bytes: &[u8],
        by: &Editor,
    ) -> Result<Attachment, StoreError>;
    fn attachments(&self, observation_key: &str) -> Result<Vec<Attachment>, StoreError>;
    fn evidence_file(&self, sha256: &str) -> Result<Option<(MediaType, Vec<u8>)>, StoreError>;

    // Watches and alerts.
    fn add_watch(
        &self,
        aoi: &str,
        trigger: Trigger,
        params: &serde_json::Value,
    ) -> Result<(Watch, bool), StoreError>;
    fn watches(&self) -> Result<Vec<Watch>, StoreError>;
    fn last_check(&self, watch_id: i64) -> Result<Option<WatchCheck>, StoreError>;
    fn record_check(
        &self,
        watch_id: i64,
        date: NaiveDate,
        known_on: Option<DateTime<Utc>>,
        state: &serde_json::Value,
        alerts: &[AlertDraft],
    ) -> Result<Vec<StoredAlert>, StoreError>;
    fn alerts(&self, watch_id: Option<i64>) -> Result<Vec<StoredAlert>, StoreError>;
}
