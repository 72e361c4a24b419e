//! Interactive edits — what analysts do one record at a time through the API: add, correct and
//! retire an observation or an area of interest.
//!
//! Every edit is version-checked (the editor says which version they saw; if someone else
//! changed the record meanwhile the edit is refused, never silently lost) and is written in the
//! same transaction as its audit entry: who, when, what was written and the version it
//! replaced. Either both land or neither does, so the audit log cannot miss a write. A
//! correction identical to the current version writes nothing and returns the current version.
//!
//! This module holds what every backend shares: who edits, and the audit entry an edit makes.

use chrono::{DateTime, Utc};

use crate::audit::AuditEntry;
use crate::codecs::Version;
use crate::StoreError;

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

impl Editor {
    /// An entry of the audit log made by this editor at `at`.
    pub(crate) fn entry(
        &self,
        at: DateTime<Utc>,
        action: &str,
        target_kind: &str,
        target_key: &str,
    ) -> AuditEntry {
        AuditEntry {
            id: 0,
            at,
            token_id: self.token_id,
            who: self.who.clone(),
            role: self.role.clone(),
            action: action.to_owned(),
            target_kind: target_kind.to_owned(),
            target_key: target_key.to_owned(),
            version: None,
            previous: None,
            detail: None,
        }
    }
}

/// The audit entry of an edit of a versioned record: `detail` is the record written (or, for a
/// retirement, `detail` as given) and `previous` the version it replaced, both as the store
/// keeps them.
#[allow(clippy::too_many_arguments)]
pub(crate) fn edit_entry(
    table: &'static str,
    what: &str,
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
            table,
            key: key.to_owned(),
            source: Box::new(e),
        })
    };
    Ok(AuditEntry {
        version: Some(i64::from(written.version)),
        previous: previous.map(json_of).transpose()?,
        detail: match detail {
            Some(d) => Some(d),
            None => Some(json_of(written)?),
        },
        ..by.entry(at, action, what, key)
    })
}
