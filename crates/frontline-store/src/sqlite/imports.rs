//! Imports in SQLite: a batch written in one transaction, and the import log (the `imports`
//! table) that records each import that changed something with its file's name, SHA-256 and
//! counts.

use rusqlite::{params, Connection};
use std::collections::{HashMap, HashSet};

use super::tables::{copy_version, latest_versions, latest_with_prefix, tally, write_row};
use super::tables::{Table, ACTORS, AREAS, EVENTS};
use super::tables::{OBSERVATIONS, PLACES};
use crate::codecs::{
    actor_row, area_row, decode, event_key_text, event_row, format_time, observation_row,
    parse_time, place_row, Row,
};
use crate::{ImportBatch, ImportRecord, ImportReport, StoreError};

/// A batch encoded to rows, in table order: done before the write lock is taken, so that a big
/// import holds the lock only while it writes.
pub(super) struct Encoded(Vec<(u8, Row)>);

pub(super) fn encode(batch: &ImportBatch) -> Result<Encoded, StoreError> {
    let mut rows: Vec<(u8, Row)> = Vec::new();
    for a in &batch.actors {
        rows.push((0, actor_row(a)?));
    }
    for o in &batch.observations {
        o.validate()?;
        rows.push((1, observation_row(o)?));
    }
    for p in &batch.places {
        rows.push((2, place_row(p)?));
    }
    for a in &batch.areas {
        rows.push((3, area_row(a)?));
    }
    for e in &batch.events {
        rows.push((4, event_row(e)?));
    }
    Ok(Encoded(rows))
}

/// Write an encoded batch inside the caller's write transaction. An import that changes nothing
/// (every row unchanged) leaves no trace, not even in the import log.
pub(super) fn write(
    tx: &Connection,
    batch: &ImportBatch,
    rows: Encoded,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<ImportReport, StoreError> {
    let now = format_time(now);
    let mut report = ImportReport::default();
    // The rows point at the import record, which is written last with its counts (the
    // foreign key is checked at commit).
    let import_id: i64 = tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM imports", [], |r| {
        r.get(0)
    })?;
    let mut latest: [Option<HashMap<String, (u32, String)>>; 5] = Default::default();
    for (table, row) in rows.0 {
        let (t, r): (&Table, _) = match table {
            0 => (&ACTORS, &mut report.actors),
            1 => (&OBSERVATIONS, &mut report.observations),
            2 => (&PLACES, &mut report.places),
            3 => (&AREAS, &mut report.areas),
            _ => (&EVENTS, &mut report.events),
        };
        let current = match &mut latest[table as usize] {
            Some(map) => map,
            slot => slot.insert(latest_versions(tx, t)?),
        };
        tally(r, write_row(tx, t, current, row, &now, Some(import_id))?);
    }
    sync(tx, batch, &mut report.events, &now, import_id)?;
    if !report.total().changed() {
        return Ok(report);
    }
    report.import_id = Some(import_id);
    let counts = serde_json::json!({
        "actors": report.actors,
        "observations": report.observations,
        "places": report.places,
        "areas": report.areas,
        "events": report.events,
        "skipped": batch.skipped,
        "rejected": batch.rejected,
        "unresolved": batch.unresolved,
        "repaired": batch.repaired,
    });
    tx.execute(
        "INSERT INTO imports (id, kind, file_name, sha256, imported_at, counts) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![import_id, batch.kind, batch.file_name, batch.sha256, now, counts.to_string()],
    )?;
    Ok(report)
}

/// For each dataset the batch holds whole: retire its events the batch does not have, and make
/// current again those it has back (identical to their retired content, so `write_row` left
/// them unchanged).
fn sync(
    tx: &Connection,
    batch: &ImportBatch,
    report: &mut crate::TableReport,
    now: &str,
    import_id: i64,
) -> Result<(), StoreError> {
    for dataset in &batch.sync_datasets {
        let in_batch: HashSet<String> = batch
            .events
            .iter()
            .filter(|e| &e.event.key.dataset == dataset)
            .map(|e| event_key_text(&e.event.key))
            .collect();
        for (key, version, retired) in latest_with_prefix(tx, &EVENTS, &format!("{dataset}/"))? {
            match (in_batch.contains(&key), retired) {
                (false, false) => {
                    copy_version(tx, &EVENTS, &key, version, true, now, Some(import_id))?;
                    report.retired += 1;
                }
                (true, true) => {
                    copy_version(tx, &EVENTS, &key, version, false, now, Some(import_id))?;
                    report.unchanged -= 1;
                    report.superseded += 1;
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Every import recorded, oldest first.
pub(super) fn imports(conn: &Connection) -> Result<Vec<ImportRecord>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, kind, file_name, sha256, imported_at, counts FROM imports ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, kind, file_name, sha256, at, counts) = row?;
        let key = id.to_string();
        out.push(ImportRecord {
            id,
            kind,
            file_name,
            sha256,
            imported_at: parse_time("imports", &key, &at)?,
            counts: decode("imports", &key, &counts)?,
        });
    }
    Ok(out)
}

/// The number of imports recorded.
pub(super) fn count(conn: &Connection) -> Result<u64, StoreError> {
    let n: i64 = conn.query_row("SELECT COUNT(*) FROM imports", [], |r| r.get(0))?;
    Ok(n as u64)
}
