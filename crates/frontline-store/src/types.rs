//! The values the store takes and gives: import batches and reports, stored versions, filters
//! and counts.

use chrono::{DateTime, NaiveDate, Utc};
use frontline_core::{
    Actor, ActorId, AreaOfInterest, Event, EventKey, EventType, Observation, Place,
};
use serde::Serialize;
use std::fmt;

/// Everything one import writes, applied by [`crate::Store::import`] in one transaction.
#[derive(Debug, Default)]
pub struct ImportBatch {
    /// The importer's kind (`wiki`, `ucdp`, …).
    pub kind: String,
    /// The file's name as given by the user.
    pub file_name: String,
    /// SHA-256 (hex) of the file's bytes as read (before decompression).
    pub sha256: String,
    pub actors: Vec<Actor>,
    pub observations: Vec<Observation>,
    pub places: Vec<Place>,
    pub areas: Vec<AreaOfInterest>,
    pub events: Vec<NewEvent>,
    /// Datasets this batch holds whole (`frontline import … --sync`): their events missing from
    /// the batch were deleted upstream and are retired (a retired version; the earlier versions
    /// stay), and a retired event that comes back is current again.
    pub sync_datasets: Vec<String>,
    /// The importer's own tallies, recorded in the `imports` table.
    pub skipped: u64,
    pub rejected: u64,
    pub unresolved: u64,
    pub repaired: u64,
}

/// An event to import, and the event of another compilation that already reports the same
/// occurrence, if any (kept, visible, but not counted twice).
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub event: Event,
    pub duplicate_of: Option<EventKey>,
}

/// What an import did to one table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TableReport {
    /// New keys.
    pub inserted: u64,
    /// Rows identical to the current version of their key: nothing written.
    pub unchanged: u64,
    /// Rows that differ from the current version of their key: a new version was written.
    pub superseded: u64,
    /// Keys of a synced dataset that its new version no longer has: a retired version was
    /// written (the earlier versions stay).
    pub retired: u64,
}

impl TableReport {
    /// Rows of the file (retirements are of keys the file does not have).
    pub fn total(&self) -> u64 {
        self.inserted + self.unchanged + self.superseded
    }

    /// Whether anything was written.
    pub fn changed(&self) -> bool {
        self.inserted + self.superseded + self.retired > 0
    }
}

/// What an import did, per table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// The row id in the `imports` table; `None` when the import changed nothing (and so was
    /// not recorded).
    pub import_id: Option<i64>,
    pub actors: TableReport,
    pub observations: TableReport,
    pub places: TableReport,
    pub areas: TableReport,
    pub events: TableReport,
}

impl ImportReport {
    /// The sum over all tables.
    pub fn total(&self) -> TableReport {
        let all = [
            self.actors,
            self.observations,
            self.places,
            self.areas,
            self.events,
        ];
        all.iter().fold(TableReport::default(), |a, t| TableReport {
            inserted: a.inserted + t.inserted,
            unchanged: a.unchanged + t.unchanged,
            superseded: a.superseded + t.superseded,
            retired: a.retired + t.retired,
        })
    }
}

/// One version of an observation.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredObservation {
    /// `observation.recorded_at` is the time this version was written.
    pub observation: Observation,
    /// 1 for the first version, +1 per edit or retirement.
    pub version: u32,
    /// True if this version retires the observation.
    pub retired: bool,
}

/// One version of an area of interest.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredArea {
    pub area: AreaOfInterest,
    /// 1 for the first version, +1 per edit or retirement.
    pub version: u32,
    pub recorded_at: DateTime<Utc>,
    /// True if this version retires the area.
    pub retired: bool,
}

/// One version of an event, with its duplicate link.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub event: Event,
    pub version: u32,
    pub recorded_at: DateTime<Utc>,
    pub duplicate_of: Option<EventKey>,
}

/// One version of an event in its history (a synced dataset's edits and deletions upstream).
#[derive(Debug, Clone, PartialEq)]
pub struct EventVersion {
    /// The content (a retirement carries the content it retires).
    pub event: Event,
    pub version: u32,
    pub recorded_at: DateTime<Utc>,
    /// True if this version retires the event (deleted upstream).
    pub retired: bool,
}

/// Which events to return. All conditions must hold; `None` means no condition.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Events whose date period ends on or after this day.
    pub from: Option<NaiveDate>,
    /// Events whose date period starts on or before this day.
    pub to: Option<NaiveDate>,
    /// `[min_lon, min_lat, max_lon, max_lat]`, inclusive.
    pub bbox: Option<[f64; 4]>,
    /// Events with this actor (mapped through aliases) on either side.
    pub actor: Option<ActorId>,
    pub event_type: Option<EventType>,
    pub dataset: Option<String>,
    /// Also return rows marked as duplicates of another compilation's row.
    pub include_duplicates: bool,
}

/// Current records per table (not retired), for summaries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TableCounts {
    pub actors: u64,
    pub observations: u64,
    pub places: u64,
    pub areas: u64,
    /// Events not marked as duplicates.
    pub events: u64,
    /// Events kept as duplicates of another compilation's row.
    pub event_duplicates: u64,
    pub imports: u64,
}

impl fmt::Display for TableCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "actors        {:>8}", self.actors)?;
        writeln!(f, "observations  {:>8}", self.observations)?;
        writeln!(f, "places        {:>8}", self.places)?;
        writeln!(f, "areas         {:>8}", self.areas)?;
        writeln!(
            f,
            "events        {:>8} (+{} duplicates kept, not counted)",
            self.events, self.event_duplicates
        )?;
        write!(f, "imports       {:>8}", self.imports)
    }
}

/// A row of the `imports` table.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRecord {
    pub id: i64,
    pub kind: String,
    pub file_name: String,
    pub sha256: String,
    pub imported_at: DateTime<Utc>,
    /// JSON counts.
    pub counts: serde_json::Value,
}
