//! Frontline's embedded store: one SQLite file (WAL mode), created and migrated on open.
//!
//! Nothing is ever deleted or overwritten. Every record type — actors, observations, places,
//! areas of interest and events — is kept as versions `(key, version, recorded_at, retired,
//! payload)`:
//! - importing a row whose key is new inserts version 1;
//! - importing a row identical to its key's current version changes nothing ("unchanged"), so
//!   re-importing a file is a no-op;
//! - importing a changed row with an existing key (a corrected event, a re-drawn border) inserts
//!   a new version that supersedes the previous one ("superseded");
//! - an analyst's edit ([`Store::supersede_observation`], [`Store::supersede_area`]) or
//!   retirement ([`Store::retire_observation`], [`Store::retire_area`]) inserts a new version
//!   after checking that the analyst saw the current one, and records it in the audit log in
//!   the same transaction (module `edit`).
//!
//! "What did we know at time T" ([`Store::observations`] with `Some(T)`) is, for each key, the
//! latest version recorded at or before T, unless that version is a retirement. The recording
//! time comes from the store's clock, which tests replace ([`Store::set_clock`]).
//!
//! Every [`Store::import`] runs in one transaction and is recorded in the `imports` table with
//! the file's name, SHA-256 and counts.

pub mod audit;
pub mod auth;
mod edit;
mod error;
pub mod evidence;
mod migrate;
pub mod places;
mod types;
pub mod watch;

pub use edit::Editor;
pub use error::StoreError;
pub use migrate::SCHEMA_VERSION;
pub use types::{
    EventFilter, ImportBatch, ImportRecord, ImportReport, NewEvent, StoredArea, StoredEvent,
    StoredObservation, TableCounts, TableReport,
};

use chrono::{DateTime, NaiveDate, Utc};
use frontline_core::{Actor, AoiKind, AreaOfInterest, Event, EventKey, Observation, Place};
use rusqlite::types::Value;
use rusqlite::{params, Connection, Transaction};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// The source of recording times.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Recording times are stored as fixed-width UTC text so that text order is time order.
const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";
/// Later than any recording time: "as known now".
const END_OF_TIME: &str = "9999-12-31T23:59:59.999999Z";

fn format_time(t: DateTime<Utc>) -> String {
    t.format(TIME_FORMAT).to_string()
}

fn parse_time(table: &'static str, key: &str, s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Decode {
            table,
            key: key.to_owned(),
            source: Box::new(e),
        })
}

/// A versioned table: its name and the query columns it keeps beside the payload.
struct Table {
    name: &'static str,
    extra: &'static [&'static str],
}

const ACTORS: Table = Table {
    name: "actors",
    extra: &[],
};
const OBSERVATIONS: Table = Table {
    name: "observations",
    extra: &["actor", "observed_first", "observed_last"],
};
const PLACES: Table = Table {
    name: "places",
    extra: &["name", "country"],
};
const AREAS: Table = Table {
    name: "areas",
    extra: &["name", "kind"],
};
const EVENTS: Table = Table {
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

    fn latest_sql(&self) -> String {
        format!(
            "SELECT version, hash, retired FROM {} WHERE key = ?1 ORDER BY version DESC LIMIT 1",
            self.name
        )
    }

    /// Rows that are the latest version of their key as known at `?1`, retired or not; `alias`
    /// names the table in the query.
    fn as_of_condition(&self, alias: &str) -> String {
        format!(
            "{alias}.recorded_at <= ?1 AND {alias}.version = (SELECT MAX(v.version) FROM {t} v \
             WHERE v.key = {alias}.key AND v.recorded_at <= ?1)",
            t = self.name
        )
    }
}

/// A row to write: its key, content hash, query columns and payload.
struct Row {
    key: String,
    hash: String,
    extra: Vec<Value>,
    payload: String,
}

/// What writing a row did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Inserted,
    Unchanged,
    Superseded,
}

fn sha256_hex(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}

/// The current version and hash of every key of `table`, read in one scan. (A per-row lookup
/// would be re-prepared by SQLite at each new key binding, which made large imports slow.)
fn latest_versions(
    tx: &Transaction<'_>,
    table: &Table,
) -> Result<HashMap<String, (u32, String)>, StoreError> {
    let sql = format!(
        "SELECT key, version, hash FROM {t} WHERE version = (SELECT MAX(v.version) FROM {t} v WHERE v.key = {t}.key)",
        t = table.name
    );
    let mut stmt = tx.prepare(&sql)?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?))))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Write `row` unless it equals its key's current version; `latest` holds the current
/// versions and is kept up to date.
fn write_row(
    tx: &Transaction<'_>,
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
    insert_version(tx, table, row, version, false, recorded_at, import_id)?;
    Ok(outcome)
}

fn insert_version(
    tx: &Transaction<'_>,
    table: &Table,
    row: Row,
    version: u32,
    retired: bool,
    recorded_at: &str,
    import_id: Option<i64>,
) -> Result<(), StoreError> {
    let mut values: Vec<Value> = vec![
        Value::Text(row.key),
        Value::Integer(version.into()),
        Value::Text(recorded_at.to_owned()),
        Value::Integer(retired.into()),
        Value::Text(row.hash),
        import_id.map_or(Value::Null, Value::Integer),
    ];
    values.extend(row.extra);
    values.push(Value::Text(row.payload));
    tx.prepare_cached(&table.insert_sql())?
        .execute(rusqlite::params_from_iter(values))?;
    Ok(())
}

fn tally(report: &mut TableReport, outcome: Outcome) {
    match outcome {
        Outcome::Inserted => report.inserted += 1,
        Outcome::Unchanged => report.unchanged += 1,
        Outcome::Superseded => report.superseded += 1,
    }
}

fn encode<T: Serialize>(what: &'static str, value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Encode(what, e))
}

fn decode<T: for<'de> Deserialize<'de>>(
    table: &'static str,
    key: &str,
    payload: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(payload).map_err(|e| StoreError::Decode {
        table,
        key: key.to_owned(),
        source: Box::new(e),
    })
}

fn actor_row(actor: &Actor) -> Result<Row, StoreError> {
    let payload = encode("actor", actor)?;
    Ok(Row {
        key: actor.id.to_string(),
        hash: sha256_hex(&[&payload]),
        extra: vec![],
        payload,
    })
}

/// Observations are stored with `recorded_at` zeroed in the payload (the column holds it), so
/// that the content hash does not depend on when a row was recorded.
fn observation_row(obs: &Observation) -> Result<Row, StoreError> {
    let mut content = obs.clone();
    content.recorded_at = DateTime::<Utc>::UNIX_EPOCH;
    let payload = encode("observation", &content)?;
    Ok(Row {
        key: obs.key.to_string(),
        hash: sha256_hex(&[&payload]),
        extra: vec![
            Value::Text(obs.actor.to_string()),
            Value::Text(obs.observed.first_day().to_string()),
            Value::Text(obs.observed.last_day().to_string()),
        ],
        payload,
    })
}

fn place_row(place: &Place) -> Result<Row, StoreError> {
    let payload = encode("place", place)?;
    Ok(Row {
        key: place.id.to_string(),
        hash: sha256_hex(&[&payload]),
        extra: vec![
            Value::Text(place.name.clone()),
            Value::Text(place.country.clone()),
        ],
        payload,
    })
}

/// The stored form of an area of interest (the model type keeps its geometry private).
#[derive(Serialize, Deserialize)]
struct AreaPayload {
    code: String,
    name: String,
    kind: AoiKind,
    country: Option<String>,
    source: String,
    geometry: geojson::Geometry,
}

fn area_row(area: &AreaOfInterest) -> Result<Row, StoreError> {
    let p = AreaPayload {
        code: area.code.clone(),
        name: area.name.clone(),
        kind: area.kind,
        country: area.country.clone(),
        source: area.source.clone(),
        geometry: geojson::Geometry::new(geojson::GeometryValue::from(area.geometry())),
    };
    let payload = encode("area", &p)?;
    Ok(Row {
        key: area.code.clone(),
        hash: sha256_hex(&[&payload]),
        extra: vec![
            Value::Text(area.name.clone()),
            Value::Text(area.kind.as_str().to_owned()),
        ],
        payload,
    })
}

fn decode_area(key: &str, payload: &str) -> Result<AreaOfInterest, StoreError> {
    let p: AreaPayload = decode("areas", key, payload)?;
    let bad = |e: Box<dyn std::error::Error + Send + Sync>| StoreError::Decode {
        table: "areas",
        key: key.to_owned(),
        source: e,
    };
    let geometry: geo::Geometry<f64> = p.geometry.try_into().map_err(|e| bad(Box::new(e)))?;
    let mp = match geometry {
        geo::Geometry::MultiPolygon(mp) => mp,
        geo::Geometry::Polygon(p) => geo::MultiPolygon(vec![p]),
        _ => return Err(bad("area geometry is not a polygon".into())),
    };
    AreaOfInterest::new(&p.code, &p.name, p.kind, p.country, mp, &p.source)
        .map_err(|e| bad(Box::new(e)))
}

/// The key of an event in the `events` table.
pub fn event_key_text(key: &EventKey) -> String {
    format!("{}/{}", key.dataset, key.id)
}

fn event_row(new: &NewEvent) -> Result<Row, StoreError> {
    let e = &new.event;
    let payload = encode("event", e)?;
    let dup = new.duplicate_of.as_ref().map(event_key_text);
    let mut actors: Vec<&str> = e
        .side_a
        .iter()
        .chain(&e.side_b)
        .filter_map(|p| p.actor.as_ref().map(|a| a.as_str()))
        .collect();
    actors.sort_unstable();
    actors.dedup();
    let actors = if actors.is_empty() {
        String::new()
    } else {
        format!(",{},", actors.join(","))
    };
    Ok(Row {
        key: event_key_text(&e.key),
        hash: sha256_hex(&[&payload, dup.as_deref().unwrap_or("")]),
        extra: vec![
            Value::Text(e.key.dataset.clone()),
            Value::Text(e.key.id.clone()),
            Value::Text(e.date.first_day().to_string()),
            Value::Text(e.date.last_day().to_string()),
            Value::Real(e.location.lat()),
            Value::Real(e.location.lon()),
            Value::Text(e.event_type.as_str().to_owned()),
            Value::Text(actors),
            dup.map_or(Value::Null, Value::Text),
        ],
        payload,
    })
}

/// The embedded store. Not `Sync`: give each thread (or each request) its own `Store` on the
/// same file; SQLite's WAL mode lets readers run beside one writer.
pub struct Store {
    conn: Connection,
    clock: Clock,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.conn.path())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Open (creating if needed) the database at `path`, switch it to WAL mode and migrate it.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_owned(),
            source,
        })?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        tracing::debug!(path = %path.display(), mode, "opened store");
        conn.execute_batch("PRAGMA synchronous = NORMAL;")?;
        Self::setup(conn)
    }

    /// A private, empty in-memory store (for tests and one-off runs).
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Self::setup(Connection::open_in_memory()?)
    }

    fn setup(mut conn: Connection) -> Result<Store, StoreError> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // A large page cache keeps a big import's transaction in memory instead of spilling
        // pages to the WAL mid-transaction (a 57,000-event import is about 40 MB).
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA cache_size = -131072;")?;
        migrate::migrate(&mut conn)?;
        Ok(Store {
            conn,
            clock: Arc::new(Utc::now),
        })
    }

    /// Replace the clock that stamps `recorded_at` (tests use a fixed or stepping clock).
    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    fn now(&self) -> String {
        format_time((self.clock)())
    }

    /// Write a batch in one transaction: all of it or nothing. Each row is inserted, found
    /// unchanged, or written as a new version of its key (see the crate docs).
    pub fn import(&mut self, batch: ImportBatch) -> Result<ImportReport, StoreError> {
        let now = self.now();
        let tx = self.conn.transaction()?;
        let mut report = ImportReport::default();
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
        // The rows point at the import record, which is written last with its counts (the
        // foreign key is checked at commit).
        let import_id: i64 =
            tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM imports", [], |r| {
                r.get(0)
            })?;
        let mut latest: [Option<HashMap<String, (u32, String)>>; 5] = Default::default();
        for (table, row) in rows {
            let (t, r) = match table {
                0 => (&ACTORS, &mut report.actors),
                1 => (&OBSERVATIONS, &mut report.observations),
                2 => (&PLACES, &mut report.places),
                3 => (&AREAS, &mut report.areas),
                _ => (&EVENTS, &mut report.events),
            };
            let current = match &mut latest[table as usize] {
                Some(map) => map,
                slot => slot.insert(latest_versions(&tx, t)?),
            };
            tally(r, write_row(&tx, t, current, row, &now, Some(import_id))?);
        }
        report.import_id = import_id;
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
        tx.commit()?;
        Ok(report)
    }

    /// The current actors (not retired), ordered by id.
    pub fn actors(&self) -> Result<Vec<Actor>, StoreError> {
        self.current(&ACTORS, None, "")?
            .into_iter()
            .map(|(key, _, _, payload)| decode("actors", &key, &payload))
            .collect()
    }

    /// Rows of `table` current as of `known_on` (None = now), not retired, satisfying `filter`
    /// (an SQL condition on alias `t`; its parameters start at ?2). Returns (key, version,
    /// recorded_at, payload) ordered by key.
    fn current(
        &self,
        table: &Table,
        known_on: Option<DateTime<Utc>>,
        filter: &str,
    ) -> Result<Vec<(String, u32, String, String)>, StoreError> {
        self.current_with(table, known_on, filter, &[])
    }

    fn current_with(
        &self,
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
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(values), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn decode_observation(
        key: &str,
        version: u32,
        recorded_at: &str,
        retired: bool,
        payload: &str,
    ) -> Result<StoredObservation, StoreError> {
        let mut observation: Observation = decode("observations", key, payload)?;
        observation.recorded_at = parse_time("observations", key, recorded_at)?;
        Ok(StoredObservation {
            observation,
            version,
            retired,
        })
    }

    /// The observations as known on `known_on` (None = now): for each key the latest version
    /// recorded at or before then, without the retired ones. Ordered by key.
    pub fn observations(
        &self,
        known_on: Option<DateTime<Utc>>,
    ) -> Result<Vec<StoredObservation>, StoreError> {
        self.current(&OBSERVATIONS, known_on, "")?
            .into_iter()
            .map(|(key, version, at, payload)| {
                Self::decode_observation(&key, version, &at, false, &payload)
            })
            .collect()
    }

    /// The current gazetteer, every entry (including entries that duplicate another: see
    /// [`places::settlements`] to count each settlement once).
    pub fn places(&self) -> Result<Vec<Place>, StoreError> {
        self.current(&PLACES, None, "")?
            .into_iter()
            .map(|(key, _, _, payload)| decode("places", &key, &payload))
            .collect()
    }

    /// The current areas of interest, optionally of one kind, ordered by code.
    pub fn areas(&self, kind: Option<AoiKind>) -> Result<Vec<AreaOfInterest>, StoreError> {
        let (filter, values) = match kind {
            Some(k) => ("AND t.kind = ?2", vec![Value::Text(k.as_str().to_owned())]),
            None => ("", vec![]),
        };
        self.current_with(&AREAS, None, filter, &values)?
            .into_iter()
            .map(|(key, _, _, payload)| decode_area(&key, &payload))
            .collect()
    }

    /// The area whose code (case-insensitive, e.g. `syr`) or name (compared with
    /// [`frontline_core::names::normalize`]) is `code_or_name`. A code match wins.
    pub fn area(&self, code_or_name: &str) -> Result<Option<AreaOfInterest>, StoreError> {
        let wanted = code_or_name.trim();
        let rows = self.current(&AREAS, None, "")?;
        let by_code = rows.iter().find(|r| r.0.eq_ignore_ascii_case(wanted));
        if let Some((key, _, _, payload)) = by_code {
            return decode_area(key, payload).map(Some);
        }
        let n = frontline_core::names::normalize(wanted);
        for (key, _, _, payload) in &rows {
            let area = decode_area(key, payload)?;
            if frontline_core::names::normalize(&area.name) == n {
                return Ok(Some(area));
            }
        }
        Ok(None)
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
        let mut conds = String::new();
        let mut values: Vec<Value> = vec![];
        // Conditions use `$` for their parameters, numbered from ?2 on.
        let mut push = |cond: &str, vals: Vec<Value>, conds: &mut String| {
            let mut c = cond.to_owned();
            for v in vals {
                values.push(v);
                c = c.replacen('$', &format!("?{}", values.len() + 1), 1);
            }
            conds.push_str(" AND ");
            conds.push_str(&c);
        };
        if let Some(from) = filter.from {
            push(
                "t.date_last >= $",
                vec![Value::Text(from.to_string())],
                &mut conds,
            );
        }
        if let Some(to) = filter.to {
            push(
                "t.date_first <= $",
                vec![Value::Text(to.to_string())],
                &mut conds,
            );
        }
        if let Some([x0, y0, x1, y1]) = filter.bbox {
            push(
                "t.lon BETWEEN $ AND $ AND t.lat BETWEEN $ AND $",
                vec![
                    Value::Real(x0),
                    Value::Real(x1),
                    Value::Real(y0),
                    Value::Real(y1),
                ],
                &mut conds,
            );
        }
        if let Some(actor) = &filter.actor {
            push(
                "instr(t.actors, $) > 0",
                vec![Value::Text(format!(",{actor},"))],
                &mut conds,
            );
        }
        if let Some(kind) = filter.event_type {
            push(
                "t.event_type = $",
                vec![Value::Text(kind.as_str().to_owned())],
                &mut conds,
            );
        }
        if let Some(ds) = &filter.dataset {
            push("t.dataset = $", vec![Value::Text(ds.clone())], &mut conds);
        }
        if !filter.include_duplicates {
            conds.push_str(" AND t.duplicate_of IS NULL");
        }
        let sql = format!(
            "SELECT t.key, t.version, t.recorded_at, t.duplicate_of, t.payload FROM events t \
             WHERE {} AND t.retired = 0 {conds} ORDER BY t.date_first, t.key",
            EVENTS.as_of_condition("t")
        );
        let mut params = vec![Value::Text(END_OF_TIME.to_owned())];
        params.extend(values);
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, u32>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (key, version, at, dup, payload) = row?;
            let event: Event = decode("events", &key, &payload)?;
            let duplicate_of = dup.and_then(|d| {
                d.split_once('/').map(|(dataset, id)| EventKey {
                    dataset: dataset.to_owned(),
                    id: id.to_owned(),
                })
            });
            out.push(StoredEvent {
                event,
                version,
                recorded_at: parse_time("events", &key, &at)?,
                duplicate_of,
            });
        }
        Ok(out)
    }

    /// Current records per table, for summaries.
    pub fn counts(&self) -> Result<TableCounts, StoreError> {
        let count = |table: &Table, extra: &str| -> Result<u64, StoreError> {
            let sql = format!(
                "SELECT COUNT(*) FROM {} t WHERE {} AND t.retired = 0 {extra}",
                table.name,
                table.as_of_condition("t")
            );
            let n: i64 = self.conn.query_row(&sql, [END_OF_TIME], |r| r.get(0))?;
            Ok(n as u64)
        };
        Ok(TableCounts {
            actors: count(&ACTORS, "")?,
            observations: count(&OBSERVATIONS, "")?,
            places: count(&PLACES, "")?,
            areas: count(&AREAS, "")?,
            events: count(&EVENTS, "AND t.duplicate_of IS NULL")?,
            event_duplicates: count(&EVENTS, "AND t.duplicate_of IS NOT NULL")?,
            imports: self
                .conn
                .query_row("SELECT COUNT(*) FROM imports", [], |r| r.get::<_, i64>(0))?
                as u64,
        })
    }

    /// Every import so far, oldest first.
    pub fn imports(&self) -> Result<Vec<ImportRecord>, StoreError> {
        let mut stmt = self.conn.prepare(
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

    /// The latest recorded day of any event or observation, handy for defaults. `None` if empty.
    pub fn latest_event_date(&self) -> Result<Option<NaiveDate>, StoreError> {
        let s: Option<String> =
            self.conn
                .query_row("SELECT MAX(date_first) FROM events", [], |r| r.get(0))?;
        Ok(s.and_then(|s| s.parse().ok()))
    }
}
