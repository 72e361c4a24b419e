//! The audit log: one row for every write made through the API and every token created or
//! revoked — who, when, what, and the version it replaced — so that any number on a published
//! map can be traced to the analyst who entered it. Rows are only ever appended
//! ([`crate::Store::record_audit`], [`crate::Store::audit`]).

use chrono::{DateTime, Utc};
use serde::Serialize;

/// One audited write.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    /// Set by the store when the entry is recorded.
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The token used, if the write came through a token.
    pub token_id: Option<i64>,
    /// The token's label (the analyst's name).
    pub who: String,
    pub role: String,
    /// `create`, `correct`, `retire`, `attach`, `revoke`.
    pub action: String,
    /// `observation`, `area`, `evidence`, `token`.
    pub target_kind: String,
    pub target_key: String,
    /// The version written, when the target is versioned.
    pub version: Option<i64>,
    /// The version replaced (as JSON), if any.
    pub previous: Option<serde_json::Value>,
    /// What was written (as JSON).
    pub detail: Option<serde_json::Value>,
}

/// Which entries to list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub target_kind: Option<String>,
    pub target_key: Option<String>,
    pub who: Option<String>,
    pub limit: u32,
    pub offset: u32,
}
