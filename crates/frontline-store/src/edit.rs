//! Interactive edits — what analysts do one record at a time through the API: add, correct and
//! retire an observation or an area of interest.
//!
//! Every edit is version-checked (the editor says which version they saw; if someone else
//! changed the record meanwhile the edit is refused, never silently lost) and is written in the
//! same transaction as its audit entry: who, when, what was written and the version it
//! replaced. Either both land or neither does, so the audit log cannot miss a write.

use chrono::{DateTime, Utc};
use frontline_core::{AreaOfInterest, Observation, ObservationKey};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Transaction};
use serde_json::json;

use crate::audit::{self, AuditEntry};
use crate::{
    area_row, decode_area, format_time, observation_row, parse_time, Row, Store, StoreError,
    StoredArea, StoredObservation, Table, AREAS, OBSERVATIONS,
};

/// Who makes an edit, as the audit log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Editor {
    /// The API token used, if any.
    pub token_id: Option<i64>,
    /// The analyst's name (the token's label).
    pub who: String,
    /// `analyst` or `admin`.
    pub role: String,
}

/// A versioned record kind that analysts edit.
struct Kind {
    table: &'static Table,
    /// As the audit log and error messages name it.
    what: &'static str,
}

const OBSERVATION: Kind = Kind {
    table: &OBSERVATIONS,
    what: "observation",
};
const AREA: Kind = Kind {
    table: &AREAS,
    what: "area",
};

/// One stored version, as read back inside an edit's transaction.
struct Version {
    version: u32,
    recorded_at: String,
    retired: bool,
    payload: String,
}

impl Store {
    /// Add a new observation (version 1). Its key must not exist yet.
    pub fn add_observation(
        &mut self,
        observation: &Observation,
        by: &Editor,
    ) -> Result<StoredObservation, StoreError> {
        observation.validate()?;
        let v = self.add(&OBSERVATION, observation_row(observation)?, by)?;
        observation_of(observation.key.as_str(), &v)
    }

    /// Record a correction: `observation` (same key) becomes version `expected_version + 1`.
    /// Refused with [`StoreError::VersionConflict`] if `expected_version` is no longer the
    /// current one.
    pub fn supersede_observation(
        &mut self,
        expected_version: u32,
        observation: &Observation,
        by: &Editor,
    ) -> Result<StoredObservation, StoreError> {
        observation.validate()?;
        let v = self.supersede(
            &OBSERVATION,
            expected_version,
            observation_row(observation)?,
            by,
        )?;
        observation_of(observation.key.as_str(), &v)
    }

    /// Retire an observation: a new version marked retired (carrying the retired content). The
    /// same version check as [`Store::supersede_observation`]; `reason` goes to the audit log.
    pub fn retire_observation(
        &mut self,
        key: &ObservationKey,
        expected_version: u32,
        by: &Editor,
        reason: Option<&str>,
    ) -> Result<u32, StoreError> {
        self.retire(&OBSERVATION, key.as_str(), expected_version, by, reason)
    }

    /// Add a new area of interest (version 1). Its code must not exist yet.
    pub fn add_area(
        &mut self,
        area: &AreaOfInterest,
        by: &Editor,
    ) -> Result<StoredArea, StoreError> {
        let v = self.add(&AREA, area_row(area)?, by)?;
        area_of(&area.code, &v)
    }

    /// Record a corrected area (a re-drawn boundary, a new name): version-checked like
    /// [`Store::supersede_observation`].
    pub fn supersede_area(
        &mut self,
        expected_version: u32,
        area: &AreaOfInterest,
        by: &Editor,
    ) -> Result<StoredArea, StoreError> {
        let v = self.supersede(&AREA, expected_version, area_row(area)?, by)?;
        area_of(&area.code, &v)
    }

    /// Retire an area of interest (a new version marked retired).
    pub fn retire_area(
        &mut self,
        code: &str,
        expected_version: u32,
        by: &Editor,
        reason: Option<&str>,
    ) -> Result<u32, StoreError> {
        self.retire(&AREA, code, expected_version, by, reason)
    }

    /// Every version of one area, oldest first (retirements included).
    pub fn area_history(&self, code: &str) -> Result<Vec<StoredArea>, StoreError> {
        versions(&self.conn, AREA.table, code)?
            .iter()
            .map(|v| area_of(code, v))
            .collect()
    }

    /// Every version of one observation, oldest first (retirements included).
    pub fn observation_history(
        &self,
        key: &ObservationKey,
    ) -> Result<Vec<StoredObservation>, StoreError> {
        versions(&self.conn, OBSERVATION.table, key.as_str())?
            .iter()
            .map(|v| observation_of(key.as_str(), v))
            .collect()
    }

    fn add(&mut self, kind: &Kind, row: Row, by: &Editor) -> Result<Version, StoreError> {
        let now = (self.clock)();
        let tx = self.conn.transaction()?;
        if latest(&tx, kind.table, &row.key)?.is_some() {
            return Err(StoreError::Exists {
                what: kind.what,
                key: row.key,
            });
        }
        let key = row.key.clone();
        crate::insert_version(&tx, kind.table, row, 1, false, &format_time(now), None)?;
        let written = version(&tx, kind.table, &key, 1)?;
        let entry = entry(kind, &key, by, now, "create", &written, None, None)?;
        audit::record(&tx, &entry)?;
        tx.commit()?;
        Ok(written)
    }

    fn supersede(
        &mut self,
        kind: &Kind,
        expected: u32,
        row: Row,
        by: &Editor,
    ) -> Result<Version, StoreError> {
        let now = (self.clock)();
        let tx = self.conn.transaction()?;
        let current = check(&tx, kind, &row.key, expected)?;
        let previous = version(&tx, kind.table, &row.key, current)?;
        let key = row.key.clone();
        crate::insert_version(
            &tx,
            kind.table,
            row,
            current + 1,
            false,
            &format_time(now),
            None,
        )?;
        let written = version(&tx, kind.table, &key, current + 1)?;
        let entry = entry(
            kind,
            &key,
            by,
            now,
            "correct",
            &written,
            Some(&previous),
            None,
        )?;
        audit::record(&tx, &entry)?;
        tx.commit()?;
        Ok(written)
    }

    fn retire(
        &mut self,
        kind: &Kind,
        key: &str,
        expected: u32,
        by: &Editor,
        reason: Option<&str>,
    ) -> Result<u32, StoreError> {
        let now = (self.clock)();
        let tx = self.conn.transaction()?;
        let current = check(&tx, kind, key, expected)?;
        let previous = version(&tx, kind.table, key, current)?;
        // The retirement carries the retired content and query columns, so that "as known on"
        // queries and the history show what was retired.
        let cols = std::iter::once("hash")
            .chain(kind.table.extra.iter().copied())
            .collect::<Vec<_>>()
            .join(", ");
        let mut values: Vec<Value> = tx.query_row(
            &format!(
                "SELECT {cols} FROM {} WHERE key = ?1 AND version = ?2",
                kind.table.name
            ),
            rusqlite::params![key, current],
            |r| (0..=kind.table.extra.len()).map(|i| r.get(i)).collect(),
        )?;
        let hash = match values.remove(0) {
            Value::Text(h) => h,
            other => format!("{other:?}"),
        };
        let row = Row {
            key: key.to_owned(),
            hash,
            extra: values,
            payload: previous.payload.clone(),
        };
        crate::insert_version(
            &tx,
            kind.table,
            row,
            current + 1,
            true,
            &format_time(now),
            None,
        )?;
        let written = version(&tx, kind.table, key, current + 1)?;
        let entry = entry(
            kind,
            key,
            by,
            now,
            "retire",
            &written,
            Some(&previous),
            Some(json!({ "reason": reason })),
        )?;
        audit::record(&tx, &entry)?;
        tx.commit()?;
        Ok(current + 1)
    }
}

/// The audit entry of an edit: `detail` is the record written (or, for a retirement, the
/// reason) and `previous` the version it replaced, both as the store keeps them.
#[allow(clippy::too_many_arguments)]
fn entry(
    kind: &Kind,
    key: &str,
    by: &Editor,
    at: DateTime<Utc>,
    action: &str,
    written: &Version,
    previous: Option<&Version>,
    detail: Option<serde_json::Value>,
) -> Result<AuditEntry, StoreError> {
    let json_of = |v: &Version| -> Result<serde_json::Value, StoreError> {
        serde_json::from_str(&v.payload).map_err(|e| StoreError::Decode {
            table: kind.table.name,
            key: key.to_owned(),
            source: Box::new(e),
        })
    };
    Ok(AuditEntry {
        id: 0,
        at,
        token_id: by.token_id,
        who: by.who.clone(),
        role: by.role.clone(),
        action: action.to_owned(),
        target_kind: kind.what.to_owned(),
        target_key: key.to_owned(),
        version: Some(i64::from(written.version)),
        previous: previous.map(json_of).transpose()?,
        detail: match detail {
            Some(d) => Some(d),
            None => Some(json_of(written)?),
        },
    })
}

/// The latest version of `key` and whether it is a retirement.
fn latest(
    tx: &Transaction<'_>,
    table: &Table,
    key: &str,
) -> Result<Option<(u32, bool)>, StoreError> {
    Ok(tx
        .prepare_cached(&table.latest_sql())?
        .query_row([key], |r| Ok((r.get(0)?, r.get(2)?)))
        .optional()?)
}

/// The current version of `key`, if it is `expected` and not retired.
fn check(tx: &Transaction<'_>, kind: &Kind, key: &str, expected: u32) -> Result<u32, StoreError> {
    let what = kind.what;
    match latest(tx, kind.table, key)? {
        None => Err(StoreError::NotFound {
            what,
            key: key.to_owned(),
        }),
        Some((current, _)) if current != expected => Err(StoreError::VersionConflict {
            what,
            key: key.to_owned(),
            expected,
            current,
        }),
        Some((_, true)) => Err(StoreError::Retired {
            what,
            key: key.to_owned(),
        }),
        Some((current, false)) => Ok(current),
    }
}

fn version(
    conn: &rusqlite::Connection,
    table: &Table,
    key: &str,
    version: u32,
) -> Result<Version, StoreError> {
    Ok(conn.query_row(
        &format!(
            "SELECT version, recorded_at, retired, payload FROM {} WHERE key = ?1 AND version = ?2",
            table.name
        ),
        rusqlite::params![key, version],
        |r| {
            Ok(Version {
                version: r.get(0)?,
                recorded_at: r.get(1)?,
                retired: r.get(2)?,
                payload: r.get(3)?,
            })
        },
    )?)
}

fn versions(
    conn: &rusqlite::Connection,
    table: &Table,
    key: &str,
) -> Result<Vec<Version>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT version, recorded_at, retired, payload FROM {} WHERE key = ?1 ORDER BY version",
        table.name
    ))?;
    let rows = stmt.query_map([key], |r| {
        Ok(Version {
            version: r.get(0)?,
            recorded_at: r.get(1)?,
            retired: r.get(2)?,
            payload: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn observation_of(key: &str, v: &Version) -> Result<StoredObservation, StoreError> {
    Store::decode_observation(key, v.version, &v.recorded_at, v.retired, &v.payload)
}

fn area_of(key: &str, v: &Version) -> Result<StoredArea, StoreError> {
    Ok(StoredArea {
        area: decode_area(key, &v.payload)?,
        version: v.version,
        recorded_at: parse_time("areas", key, &v.recorded_at)?,
        retired: v.retired,
    })
}
