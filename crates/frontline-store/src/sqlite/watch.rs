//! Watches, checks and alerts in SQLite (migration 100; see [`crate::watch`]).

use chrono::{DateTime, NaiveDate, Utc};
use frontline_core::analysis::watch::{AlertDraft, Trigger};
use rusqlite::{params, Connection, OptionalExtension};

use crate::codecs::{format_time, parse_time};
use crate::watch::{StoredAlert, Watch, WatchCheck};
use crate::StoreError;

fn decode<T, E: std::error::Error + Send + Sync + 'static>(
    table: &'static str,
    key: &str,
    r: Result<T, E>,
) -> Result<T, StoreError> {
    r.map_err(|e| StoreError::Decode {
        table,
        key: key.to_owned(),
        source: Box::new(e),
    })
}

/// Add a watch, or find the identical existing one. The flag is true if it is new.
pub(super) fn add(
    tx: &Connection,
    aoi: &str,
    trigger: Trigger,
    params: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(Watch, bool), StoreError> {
    let p = serde_json::to_string(params).map_err(|e| StoreError::Encode("watch", e))?;
    let n = tx.execute(
        "INSERT OR IGNORE INTO watches (aoi, trigger, params, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![aoi, trigger.as_str(), p, format_time(now)],
    )?;
    let id: i64 = tx.query_row(
        "SELECT id FROM watches WHERE aoi = ?1 AND trigger = ?2 AND params = ?3",
        params![aoi, trigger.as_str(), p],
        |r| r.get(0),
    )?;
    let w = list(tx)?
        .into_iter()
        .find(|w| w.id == id)
        .expect("the watch was just found");
    Ok((w, n == 1))
}

/// Every watch, oldest first.
pub(super) fn list(conn: &Connection) -> Result<Vec<Watch>, StoreError> {
    let mut stmt =
        conn.prepare("SELECT id, aoi, trigger, params, created_at FROM watches ORDER BY id")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, aoi, trigger, p, at) = row?;
        let key = id.to_string();
        out.push(Watch {
            id,
            aoi,
            trigger: decode("watches", &key, trigger.parse::<Trigger>())?,
            params: decode("watches", &key, serde_json::from_str(&p))?,
            created_at: parse_time("watches", &key, &at)?,
        });
    }
    Ok(out)
}

/// The latest check of a watch, if it was ever checked.
pub(super) fn last_check(
    conn: &Connection,
    watch_id: i64,
) -> Result<Option<WatchCheck>, StoreError> {
    let row = conn
        .query_row(
            "SELECT id, date, known_on, checked_at, state FROM watch_checks \
             WHERE watch_id = ?1 ORDER BY id DESC LIMIT 1",
            [watch_id],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            },
        )
        .optional()?;
    let Some((id, date, known_on, at, state)) = row else {
        return Ok(None);
    };
    let key = id.to_string();
    Ok(Some(WatchCheck {
        id,
        watch_id,
        date: decode("watch_checks", &key, date.parse::<NaiveDate>())?,
        known_on: known_on
            .map(|k| parse_time("watch_checks", &key, &k))
            .transpose()?,
        checked_at: parse_time("watch_checks", &key, &at)?,
        state: decode("watch_checks", &key, serde_json::from_str(&state))?,
    }))
}

/// Record a check and its alerts inside the caller's write transaction; returns the alerts
/// that fired now (those whose key this watch had not fired before).
pub(super) fn record_check(
    tx: &Connection,
    watch_id: i64,
    date: NaiveDate,
    known_on: Option<DateTime<Utc>>,
    state: &str,
    alerts: &[AlertDraft],
    now: DateTime<Utc>,
) -> Result<Vec<StoredAlert>, StoreError> {
    let now = format_time(now);
    tx.execute(
        "INSERT INTO watch_checks (watch_id, date, known_on, checked_at, state) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![watch_id, date.to_string(), known_on.map(format_time), now, state],
    )?;
    let check_id = tx.last_insert_rowid();
    let mut fired = Vec::new();
    for a in alerts {
        let n = tx.execute(
            "INSERT OR IGNORE INTO alerts (watch_id, key, trigger, date, message, fired_at, check_id) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![watch_id, a.key, a.trigger.as_str(), a.date.to_string(), a.message, now, check_id],
        )?;
        if n == 1 {
            fired.push(StoredAlert {
                id: tx.last_insert_rowid(),
                watch_id,
                key: a.key.clone(),
                trigger: a.trigger,
                date: a.date,
                message: a.message.clone(),
                fired_at: parse_time("alerts", &a.key, &now)?,
            });
        }
    }
    Ok(fired)
}

/// Alerts fired so far (of one watch, or all), oldest first.
pub(super) fn alerts(
    conn: &Connection,
    watch_id: Option<i64>,
) -> Result<Vec<StoredAlert>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, watch_id, key, trigger, date, message, fired_at FROM alerts \
         WHERE ?1 IS NULL OR watch_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([watch_id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, watch_id, key, trigger, date, message, at) = row?;
        out.push(StoredAlert {
            id,
            watch_id,
            trigger: decode("alerts", &key, trigger.parse::<Trigger>())?,
            date: decode("alerts", &key, date.parse::<NaiveDate>())?,
            message,
            fired_at: parse_time("alerts", &key, &at)?,
            key,
        });
    }
    Ok(out)
}
