//! The versioned tables in SQLite: every record type is kept as versions `(key, version,
//! recorded_at, retired, hash, import_id, <query columns>, payload)`, only ever appended. Here
//! are the tables' shapes and the statements every record type shares: write a version, read
//! the current versions ("as known on"), read one key's history.

use chrono::{DateTime, Utc};
use rusqlite::types::{ToSql, ToSqlOutput, Value, ValueRef};
use rusqlite::{Connection, OptionalExtension};
use std::collections::HashMap;

use crate::codecs::{format_time, Cell, Row, Version, END_OF_TIME};
use crate::{StoreError, TableReport};

impl ToSql for Cell {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Cell::Null => ToSqlOutput::Owned(Value::Null),
            Cell::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Cell::Real(x) => ToSqlOutput::Owned(Value::Real(*x)),
        })
    }
}

/// A versioned table: its name and the query columns it keeps beside the payload.
pub(super) struct Table {
    pub name: &'static str,
    pub extra: &'static [&'static str],
}

pub(super) const ACTORS: Table = Table {
    name: "actors",
    extra: &[],
};
pub(super) const OBSERVATIONS: Table = Table {
    name: "observations",
    extra: &["actor", "observed_first", "observed_last"],
};
pub(super) const PLACES: Table = Table {
    name: "places",
    extra: &["name", "country"],
};
pub(super) const AREAS: Table = Table {
    name: "areas",
    extra: &["name", "kind"],
};
pub(super) const EVENTS: Table = Table {
    name: "events",
    extra: &[
        "dataset",
        "event_id",
        "date_first",
        "date_last",
        "lat",
        "lon",
        "event_type",
        "actors",
        "duplicate_of",
    ],
};

impl Table {
    fn insert_sql(&self) -> String {
        let mut cols = vec![
            "key",
            "version",
            "recorded_at",
            "retired",
            "hash",
            "import_id",
        ];
        cols.extend_from_slice(self.extra);
        cols.push("payload");
        let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
        format!(
            "INSERT INTO {} ({}) VALUES ({})",
            self.name,
            cols.join(", "),
            marks.join(", ")
        )
    }

    /// Rows that are the latest version of their key as known at `?1`, retired or not; `alias`
    /// names the table in the query.
    pub fn as_of_condition(&self, alias: &str) -> String {
        format!(
            "{alias}.recorded_at <= ?1 AND {alias}.version = (SELECT MAX(v.version) FROM {t} v \
             WHERE v.key = {alias}.key AND v.recorded_at <= ?1)",
            t = self.name
        )
    }
}

/// What writing a row did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    Inserted,
    Unchanged,
    Superseded,
}

pub(super) fn tally(report: &mut TableReport, outcome: Outcome) {
    match outcome {
        Outcome::Inserted => report.inserted += 1,
        Outcome::Unchanged => report.unchanged += 1,
        Outcome::Superseded => report.superseded += 1,
    }
}

/// The current version and hash of every key of `table`, read in one scan. (A per-row lookup
/// would be re-prepared by SQLite at each new key binding, which made large imports slow.)
pub(super) fn latest_versions(
    conn: &Connection,
    table: &Table,
) -> Result<HashMap<String, (u32, String)>, StoreError> {
    let sql = format!(
        "SELECT key, version, hash FROM {t} WHERE version = (SELECT MAX(v.version) FROM {t} v WHERE v.key = {t}.key)",
        t = table.name
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?))))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Write `row` unless it equals its key's current version; `latest` holds the current
/// versions and is kept up to date.
pub(super) fn write_row(
    conn: &Connection,
    table: &Table,
    latest: &mut HashMap<String, (u32, String)>,
    row: Row,
    recorded_at: &str,
    import_id: Option<i64>,
) -> Result<Outcome, StoreError> {
    let (version, outcome) = match latest.get(&row.key) {
        None => (1, Outcome::Inserted),
        // An identical row is unchanged even if its key was retired: re-importing a file does
        // not resurrect what an analyst retired.
        Some((_, hash)) if *hash == row.hash => return Ok(Outcome::Unchanged),
        Some((v, _)) => (v + 1, Outcome::Superseded),
    };
    latest.insert(row.key.clone(), (version, row.hash.clone()));
    insert_version(conn, table, row, version, false, recorded_at, import_id)?;
    Ok(outcome)
}

pub(super) fn insert_version(
    conn: &Connection,
    table: &Table,
    row: Row,
    version: u32,
    retired: bool,
    recorded_at: &str,
    import_id: Option<i64>,
) -> Result<(), StoreError> {
    let mut params: Vec<Box<dyn ToSql>> = vec![
        Box::new(row.key),
        Box::new(version),
        Box::new(recorded_at.to_owned()),
        Box::new(retired),
        Box::new(row.hash),
        Box::new(import_id),
    ];
    params.extend(row.extra.into_iter().map(|c| Box::new(c) as Box<dyn ToSql>));
    params.push(Box::new(row.payload));
    conn.prepare_cached(&table.insert_sql())?
        .execute(rusqlite::params_from_iter(params))?;
    Ok(())
}

/// Write version `version + 1` of `key` as a copy of version `version` (content, query columns
/// and hash) marked `retired` or not: a retirement that keeps what it retires, or a retired key
/// made current again.
pub(super) fn copy_version(
    conn: &Connection,
    table: &Table,
    key: &str,
    version: u32,
    retired: bool,
    recorded_at: &str,
    import_id: Option<i64>,
) -> Result<(), StoreError> {
    let cols = table
        .extra
        .iter()
        .map(|c| format!(", {c}"))
        .collect::<String>();
    let sql = format!(
        "INSERT INTO {t} (key, version, recorded_at, retired, hash, import_id{cols}, payload) \
         SELECT key, version + 1, ?3, ?4, hash, ?5{cols}, payload FROM {t} WHERE key = ?1 AND version = ?2",
        t = table.name
    );
    conn.prepare_cached(&sql)?.execute(rusqlite::params![
        key,
        version,
        recorded_at,
        retired,
        import_id
    ])?;
    Ok(())
}

/// The latest version of every key of `table` whose key starts with `prefix`, with whether it
/// is a retirement.
pub(super) fn latest_with_prefix(
    conn: &Connection,
    table: &Table,
    prefix: &str,
) -> Result<Vec<(String, u32, bool)>, StoreError> {
    let sql = format!(
        "SELECT key, version, retired FROM {t} WHERE substr(key, 1, length(?1)) = ?1 \
         AND version = (SELECT MAX(v.version) FROM {t} v WHERE v.key = {t}.key)",
        t = table.name
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([prefix], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The latest version of `key`: its number, whether it is a retirement, and its hash.
pub(super) fn latest(
    conn: &Connection,
    table: &Table,
    key: &str,
) -> Result<Option<(u32, bool, String)>, StoreError> {
    let sql = format!(
        "SELECT version, retired, hash FROM {} WHERE key = ?1 ORDER BY version DESC LIMIT 1",
        table.name
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

/// Rows of `table` current as of `known_on` (None = now), not retired, satisfying `filter`
/// (an SQL condition on alias `t`, starting with `AND`; its parameters start at ?2). Returns
/// (key, version, recorded_at, payload) ordered by key.
pub(super) fn current(
    conn: &Connection,
    table: &Table,
    known_on: Option<DateTime<Utc>>,
    filter: &str,
    filter_params: &[Value],
) -> Result<Vec<(String, u32, String, String)>, StoreError> {
    let t = known_on.map_or_else(|| END_OF_TIME.to_owned(), format_time);
    let sql = format!(
        "SELECT t.key, t.version, t.recorded_at, t.payload FROM {} t WHERE {} AND t.retired = 0 {} ORDER BY t.key",
        table.name,
        table.as_of_condition("t"),
        filter
    );
    let mut values = vec![Value::Text(t)];
    values.extend_from_slice(filter_params);
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(values), |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The number of current (not retired) rows of `table` satisfying `filter` (as in
/// [`current`], without parameters).
pub(super) fn count_current(
    conn: &Connection,
    table: &Table,
    filter: &str,
) -> Result<u64, StoreError> {
    let sql = format!(
        "SELECT COUNT(*) FROM {} t WHERE {} AND t.retired = 0 {filter}",
        table.name,
        table.as_of_condition("t")
    );
    let n: i64 = conn.query_row(&sql, [END_OF_TIME], |r| r.get(0))?;
    Ok(n as u64)
}

fn version_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<Version> {
    Ok(Version {
        version: r.get(0)?,
        recorded_at: r.get(1)?,
        retired: r.get(2)?,
        payload: r.get(3)?,
    })
}

/// One version of `key`.
pub(super) fn version(
    conn: &Connection,
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
        version_of,
    )?)
}

/// Every version of `key`, oldest first.
pub(super) fn versions(
    conn: &Connection,
    table: &Table,
    key: &str,
) -> Result<Vec<Version>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT version, recorded_at, retired, payload FROM {} WHERE key = ?1 ORDER BY version",
        table.name
    ))?;
    let rows = stmt.query_map([key], version_of)?;
    Ok(rows.collect::<Result<_, _>>()?)
}
