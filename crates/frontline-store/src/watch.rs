//! Watches and alerts (`frontline watch add|check`): the watches users set on areas of interest,
//! each check's state (what the next check compares against) and the alerts fired. An alert is
//! stored once per (watch, key): checking the same date twice, or a later date where nothing new
//! happened, fires nothing. Tables from `migrations/100_watch.sql`; all append-only. The
//! operations are [`crate::Store`] methods (`add_watch`, `watches`, `last_check`,
//! `record_check`, `alerts`).

use chrono::{DateTime, NaiveDate, Utc};
use frontline_core::analysis::watch::Trigger;

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
