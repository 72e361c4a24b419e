//! Events in SQLite: the SQL condition an [`EventFilter`] becomes, and the query that returns
//! the current events with their duplicate links.

use chrono::NaiveDate;
use frontline_core::Event;
use rusqlite::types::Value;
use rusqlite::Connection;

use super::tables::EVENTS;
use crate::codecs::{decode, parse_event_key, parse_time, END_OF_TIME};
use crate::{EventFilter, StoreError, StoredEvent};

/// An SQL condition on alias `t` (starting with ` AND`) and its parameters, numbered from ?2
/// on (?1 is the "as known on" time).
#[derive(Debug, Default, PartialEq)]
struct Conditions {
    sql: String,
    values: Vec<Value>,
}

impl Conditions {
    /// Add `cond`, whose `$` marks take `vals` in order.
    fn push(&mut self, cond: &str, vals: Vec<Value>) {
        let mut c = cond.to_owned();
        for v in vals {
            self.values.push(v);
            c = c.replacen('$', &format!("?{}", self.values.len() + 1), 1);
        }
        self.sql.push_str(" AND ");
        self.sql.push_str(&c);
    }
}

fn conditions(filter: &EventFilter) -> Conditions {
    let mut c = Conditions::default();
    if let Some(from) = filter.from {
        c.push("t.date_last >= $", vec![Value::Text(from.to_string())]);
    }
    if let Some(to) = filter.to {
        c.push("t.date_first <= $", vec![Value::Text(to.to_string())]);
    }
    if let Some([x0, y0, x1, y1]) = filter.bbox {
        c.push(
            "t.lon BETWEEN $ AND $ AND t.lat BETWEEN $ AND $",
            vec![
                Value::Real(x0),
                Value::Real(x1),
                Value::Real(y0),
                Value::Real(y1),
            ],
        );
    }
    if let Some(actor) = &filter.actor {
        c.push(
            "instr(t.actors, $) > 0",
            vec![Value::Text(format!(",{actor},"))],
        );
    }
    if let Some(kind) = filter.event_type {
        c.push(
            "t.event_type = $",
            vec![Value::Text(kind.as_str().to_owned())],
        );
    }
    if let Some(ds) = &filter.dataset {
        c.push("t.dataset = $", vec![Value::Text(ds.clone())]);
    }
    if !filter.include_duplicates {
        c.sql.push_str(" AND t.duplicate_of IS NULL");
    }
    c
}

/// Current events matching `filter`, ordered by date then key.
pub(super) fn stored_events(
    conn: &Connection,
    filter: &EventFilter,
) -> Result<Vec<StoredEvent>, StoreError> {
    let conds = conditions(filter);
    let sql = format!(
        "SELECT t.key, t.version, t.recorded_at, t.duplicate_of, t.payload FROM events t \
         WHERE {} AND t.retired = 0 {} ORDER BY t.date_first, t.key",
        EVENTS.as_of_condition("t"),
        conds.sql
    );
    let mut params = vec![Value::Text(END_OF_TIME.to_owned())];
    params.extend(conds.values);
    let mut stmt = conn.prepare(&sql)?;
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
        out.push(StoredEvent {
            event,
            version,
            recorded_at: parse_time("events", &key, &at)?,
            duplicate_of: dup.as_deref().and_then(parse_event_key),
        });
    }
    Ok(out)
}

/// The latest first day of any stored event. `None` if there are none.
pub(super) fn latest_event_date(conn: &Connection) -> Result<Option<NaiveDate>, StoreError> {
    let s: Option<String> =
        conn.query_row("SELECT MAX(date_first) FROM events", [], |r| r.get(0))?;
    Ok(s.and_then(|s| s.parse().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_number_their_parameters_after_the_known_on_time() {
        let c = conditions(&EventFilter {
            from: NaiveDate::from_ymd_opt(2015, 6, 1),
            bbox: Some([43.0, 32.0, 45.0, 34.0]),
            include_duplicates: true,
            ..Default::default()
        });
        assert_eq!(
            c.sql,
            " AND t.date_last >= ?2 AND t.lon BETWEEN ?3 AND ?4 AND t.lat BETWEEN ?5 AND ?6"
        );
        assert_eq!(c.values.len(), 5);
        assert_eq!(c.values[1], Value::Real(43.0));
        assert_eq!(c.values[2], Value::Real(45.0));
        let plain = conditions(&EventFilter::default());
        assert_eq!(plain.sql, " AND t.duplicate_of IS NULL");
    }
}
