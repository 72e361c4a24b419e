//! Watches and alerts (`frontline watch add|check`): the watches users set on areas of interest,
//! each check's state (what the next check compares against) and the alerts fired. An alert is
//! stored once per (watch, key): checking the same date twice, or a later date where nothing new
//! happened, fires nothing. Tables from `migrations/100_watch.sql`; all append-only.

use chrono::{DateTime, NaiveDate, Utc};
use frontline_core::analysis::watch::{AlertDraft, Trigger};
use rusqlite::{params, OptionalExtension};

use crate::{format_time, parse_time, Store, StoreError};

/// A watch on an area of interest.
#[derive(Debug, Clone, PartialEq)]
pub struct Watch {
    pub id: i64,
    /// The area's code or name as the user gave it.
    pub aoi: String,
    pub trigger: Trigger,
    /// The rule's parameters (JSON object).
    pub params: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// A past check of a watch.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchCheck {
    pub id: i64,
    pub watch_id: i64,
    pub date: NaiveDate,
    pub known_on: Option<DateTime<Utc>>,
    pub checked_at: DateTime<Utc>,
    pub state: serde_json::Value,
}

/// A fired alert.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAlert {
    pub id: i64,
    pub watch_id: i64,
    pub key: String,
    pub trigger: Trigger,
    pub date: NaiveDate,
    pub message: String,
    pub fired_at: DateTime<Utc>,
}

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

impl Store {
    /// Add a watch, or return the identical existing one. The flag is true if it is new.
    pub fn add_watch(
        &mut self,
        aoi: &str,
        trigger: Trigger,
        params: &serde_json::Value,
    ) -> Result<(Watch, bool), StoreError> {
        let p = serde_json::to_string(params).map_err(|e| StoreError::Encode("watch", e))?;
        let now = self.now();
        let n = self.conn.execute(
            "INSERT OR IGNORE INTO watches (aoi, trigger, params, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![aoi, trigger.as_str(), p, now],
        )?;
        let id: i64 = self.conn.query_row(
            "SELECT id FROM watches WHERE aoi = ?1 AND trigger = ?2 AND params = ?3",
            params![aoi, trigger.as_str(), p],
            |r| r.get(0),
        )?;
        let w = self
            .watches()?
            .into_iter()
            .find(|w| w.id == id)
            .expect("the watch was just found");
        Ok((w, n == 1))
    }

    /// Every watch, oldest first.
    pub fn watches(&self) -> Result<Vec<Watch>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, aoi, trigger, params, created_at FROM watches ORDER BY id")?;
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
    pub fn last_check(&self, watch_id: i64) -> Result<Option<WatchCheck>, StoreError> {
        let row = self
            .conn
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

    /// Record a check and its alerts in one transaction; returns the alerts that fired now
    /// (those whose key this watch had not fired before).
    pub fn record_check(
        &mut self,
        watch_id: i64,
        date: NaiveDate,
        known_on: Option<DateTime<Utc>>,
        state: &serde_json::Value,
        alerts: &[AlertDraft],
    ) -> Result<Vec<StoredAlert>, StoreError> {
        let now = self.now();
        let state =
            serde_json::to_string(state).map_err(|e| StoreError::Encode("watch check", e))?;
        let tx = self.conn.transaction()?;
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
        tx.commit()?;
        Ok(fired)
    }

    /// Alerts fired so far (of one watch, or all), oldest first.
    pub fn alerts(&self, watch_id: Option<i64>) -> Result<Vec<StoredAlert>, StoreError> {
        let mut stmt = self.conn.prepare(
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn watches_are_added_once_and_alerts_fire_once() {
        let mut s = Store::open_in_memory().unwrap();
        let (w, new) = s
            .add_watch(
                "Mosul",
                Trigger::ControlChange,
                &json!({"min_pct_points": 1.0}),
            )
            .unwrap();
        assert!(new);
        let (again, new) = s
            .add_watch(
                "Mosul",
                Trigger::ControlChange,
                &json!({"min_pct_points": 1.0}),
            )
            .unwrap();
        assert!(!new);
        assert_eq!(again.id, w.id);
        assert_eq!(s.watches().unwrap().len(), 1);
        assert!(s.last_check(w.id).unwrap().is_none());

        let alert = AlertDraft {
            trigger: Trigger::ControlChange,
            date: d(2017, 7, 20),
            key: "control-change:Mosul:2017-03-01:2017-07-20:x".into(),
            message: "Mosul changed".into(),
        };
        let state = json!({"rows": []});
        let fired = s
            .record_check(
                w.id,
                d(2017, 7, 20),
                None,
                &state,
                std::slice::from_ref(&alert),
            )
            .unwrap();
        assert_eq!(fired.len(), 1);
        let fired = s
            .record_check(w.id, d(2017, 7, 20), None, &state, &[alert])
            .unwrap();
        assert!(fired.is_empty(), "an alert fires once");
        assert_eq!(s.alerts(Some(w.id)).unwrap().len(), 1);
        assert_eq!(s.last_check(w.id).unwrap().unwrap().date, d(2017, 7, 20));
    }

    #[test]
    fn alerts_cannot_be_deleted() {
        let mut s = Store::open_in_memory().unwrap();
        let (w, _) = s
            .add_watch("Raqqa", Trigger::ActivitySpike, &json!({}))
            .unwrap();
        let alert = AlertDraft {
            trigger: Trigger::ActivitySpike,
            date: d(2015, 9, 30),
            key: "k".into(),
            message: "m".into(),
        };
        s.record_check(w.id, d(2015, 9, 30), None, &json!({}), &[alert])
            .unwrap();
        // Triggers only fire on existing rows: there is one of each now.
        assert!(s.conn.execute("DELETE FROM alerts", []).is_err());
        assert!(s.conn.execute("DELETE FROM watch_checks", []).is_err());
        assert!(s.conn.execute("UPDATE watches SET aoi = 'x'", []).is_err());
    }
}
