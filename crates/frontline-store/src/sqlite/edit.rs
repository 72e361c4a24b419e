//! Analysts' edits in SQLite (see [`crate::edit`] for the rules): each runs inside the caller's
//! write transaction, checks the version the editor saw, writes the new version and its audit
//! entry together.

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::Connection;
use serde_json::json;

use super::audit;
use super::tables::{insert_version, latest, version, Table, AREAS, OBSERVATIONS};
use crate::codecs::{format_time, Cell, Row, Version};
use crate::edit::edit_entry;
use crate::{Editor, StoreError};

/// A versioned record kind that analysts edit.
pub(super) struct Kind {
    pub table: &'static Table,
    /// As the audit log and error messages name it.
    pub what: &'static str,
}

pub(super) const OBSERVATION: Kind = Kind {
    table: &OBSERVATIONS,
    what: "observation",
};
pub(super) const AREA: Kind = Kind {
    table: &AREAS,
    what: "area",
};

/// Add version 1 of a new key.
pub(super) fn add(
    tx: &Connection,
    kind: &Kind,
    row: Row,
    by: &Editor,
    now: DateTime<Utc>,
) -> Result<Version, StoreError> {
    if latest(tx, kind.table, &row.key)?.is_some() {
        return Err(StoreError::Exists {
            what: kind.what,
            key: row.key,
        });
    }
    let key = row.key.clone();
    insert_version(tx, kind.table, row, 1, false, &format_time(now), None)?;
    let written = version(tx, kind.table, &key, 1)?;
    let entry = edit_entry(
        kind.table.name,
        kind.what,
        &key,
        by,
        now,
        "create",
        &written,
        None,
        None,
    )?;
    audit::record(tx, &entry)?;
    Ok(written)
}

/// Write `row` as the version after `expected`; if it is identical to the current version,
/// nothing is written and the current version is returned.
pub(super) fn supersede(
    tx: &Connection,
    kind: &Kind,
    expected: u32,
    row: Row,
    by: &Editor,
    now: DateTime<Utc>,
) -> Result<Version, StoreError> {
    let (current, hash) = check(tx, kind, &row.key, expected)?;
    let previous = version(tx, kind.table, &row.key, current)?;
    if hash == row.hash {
        return Ok(previous);
    }
    let key = row.key.clone();
    insert_version(
        tx,
        kind.table,
        row,
        current + 1,
        false,
        &format_time(now),
        None,
    )?;
    let written = version(tx, kind.table, &key, current + 1)?;
    let entry = edit_entry(
        kind.table.name,
        kind.what,
        &key,
        by,
        now,
        "correct",
        &written,
        Some(&previous),
        None,
    )?;
    audit::record(tx, &entry)?;
    Ok(written)
}

/// Retire `key`: a new version marked retired, carrying the retired content.
pub(super) fn retire(
    tx: &Connection,
    kind: &Kind,
    key: &str,
    expected: u32,
    by: &Editor,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<u32, StoreError> {
    let (current, _) = check(tx, kind, key, expected)?;
    let previous = version(tx, kind.table, key, current)?;
    // The retirement carries the retired content and query columns, so that "as known on"
    // queries and the history show what was retired.
    let cols = std::iter::once("hash")
        .chain(kind.table.extra.iter().copied())
        .collect::<Vec<_>>()
        .join(", ");
    let values: Vec<Value> = tx.query_row(
        &format!(
            "SELECT {cols} FROM {} WHERE key = ?1 AND version = ?2",
            kind.table.name
        ),
        rusqlite::params![key, current],
        |r| (0..=kind.table.extra.len()).map(|i| r.get(i)).collect(),
    )?;
    let mut cells = values.into_iter().map(|v| match v {
        Value::Text(s) => Cell::Text(s),
        Value::Real(x) => Cell::Real(x),
        Value::Integer(i) => Cell::Real(i as f64),
        Value::Null | Value::Blob(_) => Cell::Null,
    });
    let hash = match cells.next() {
        Some(Cell::Text(h)) => h,
        other => format!("{other:?}"),
    };
    let row = Row {
        key: key.to_owned(),
        hash,
        extra: cells.collect(),
        payload: previous.payload.clone(),
    };
    insert_version(
        tx,
        kind.table,
        row,
        current + 1,
        true,
        &format_time(now),
        None,
    )?;
    let written = version(tx, kind.table, key, current + 1)?;
    let entry = edit_entry(
        kind.table.name,
        kind.what,
        key,
        by,
        now,
        "retire",
        &written,
        Some(&previous),
        Some(json!({ "reason": reason })),
    )?;
    audit::record(tx, &entry)?;
    Ok(current + 1)
}

/// The current version of `key` and its hash, if it is `expected` and not retired.
fn check(
    tx: &Connection,
    kind: &Kind,
    key: &str,
    expected: u32,
) -> Result<(u32, String), StoreError> {
    let what = kind.what;
    match latest(tx, kind.table, key)? {
        None => Err(StoreError::NotFound {
            what,
            key: key.to_owned(),
        }),
        Some((current, _, _)) if current != expected => Err(StoreError::VersionConflict {
            what,
            key: key.to_owned(),
            expected,
            current,
        }),
        Some((_, true, _)) => Err(StoreError::Retired {
            what,
            key: key.to_owned(),
        }),
        Some((current, false, hash)) => Ok((current, hash)),
    }
}
