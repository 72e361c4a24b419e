//! The audit log in SQLite (`audit_log`, migration 200): append an entry inside the write
//! transaction it records, list entries newest first.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};

use crate::audit::{AuditEntry, AuditFilter};
use crate::StoreError;

/// Append an entry; returns its id. Call it in the same transaction as the write it records.
pub(super) fn record(conn: &Connection, e: &AuditEntry) -> Result<i64, StoreError> {
    conn.prepare_cached(
        "INSERT INTO audit_log (at, token_id, who, role, action, target_kind, target_key, version,
                                previous, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        e.at.to_rfc3339(),
        e.token_id,
        e.who,
        e.role,
        e.action,
        e.target_kind,
        e.target_key,
        e.version,
        e.previous.as_ref().map(|v| v.to_string()),
        e.detail.as_ref().map(|v| v.to_string()),
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Entries matching the filter, newest first, and the total count matching it.
pub(super) fn list(
    conn: &Connection,
    f: &AuditFilter,
) -> Result<(Vec<AuditEntry>, u64), StoreError> {
    let filter = "(?1 IS NULL OR target_kind = ?1) AND (?2 IS NULL OR target_key = ?2)
                  AND (?3 IS NULL OR who = ?3)";
    let total: i64 = conn.query_row(
        &format!("SELECT count(*) FROM audit_log WHERE {filter}"),
        params![f.target_kind, f.target_key, f.who],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare(&format!(
        "SELECT id, at, token_id, who, role, action, target_kind, target_key, version, previous,
                detail
         FROM audit_log WHERE {filter} ORDER BY id DESC LIMIT ?4 OFFSET ?5"
    ))?;
    let rows = stmt.query_map(
        params![f.target_kind, f.target_key, f.who, f.limit, f.offset],
        |row| {
            let at: String = row.get(1)?;
            let json = |i: usize| -> rusqlite::Result<Option<serde_json::Value>> {
                Ok(row
                    .get::<_, Option<String>>(i)?
                    .and_then(|s| serde_json::from_str(&s).ok()))
            };
            Ok(AuditEntry {
                id: row.get(0)?,
                at: DateTime::parse_from_rfc3339(&at)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|e| {
                        rusqlite::Error::FromSqlConversionFailure(
                            1,
                            rusqlite::types::Type::Text,
                            e.into(),
                        )
                    })?,
                token_id: row.get(2)?,
                who: row.get(3)?,
                role: row.get(4)?,
                action: row.get(5)?,
                target_kind: row.get(6)?,
                target_key: row.get(7)?,
                version: row.get(8)?,
                previous: json(9)?,
                detail: json(10)?,
            })
        },
    )?;
    Ok((rows.collect::<Result<_, _>>()?, total as u64))
}
