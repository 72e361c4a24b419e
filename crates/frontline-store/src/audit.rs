//! The audit log: one row for every write made through the API — who, when, what, and the
//! version it replaced — so that any number on a published map can be traced to the analyst
//! who entered it. Rows are only ever appended.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};
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
    /// `create`, `correct`, `retire`, `attach`.
    pub action: String,
    /// `observation`, `area`, `evidence`.
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

/// Append an entry; returns its id. Call it in the same transaction as the write it records.
pub fn record(conn: &Connection, e: &AuditEntry) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO audit_log (at, token_id, who, role, action, target_kind, target_key, version,
                                previous, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
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
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Entries matching the filter, newest first, and the total count matching it.
pub fn list(conn: &Connection, f: &AuditFilter) -> rusqlite::Result<(Vec<AuditEntry>, u64)> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_appended_and_listed_newest_first_with_filters() {
        let conn = Connection::open_in_memory().unwrap();
        crate::auth::migrate(&conn).unwrap();
        let entry = |key: &str, version| AuditEntry {
            id: 0,
            at: Utc::now(),
            token_id: None,
            who: "amira".into(),
            role: "analyst".into(),
            action: "correct".into(),
            target_kind: "observation".into(),
            target_key: key.into(),
            version: Some(version),
            previous: Some(serde_json::json!({"actor": "islamic-state"})),
            detail: Some(serde_json::json!({"actor": "sdf"})),
        };
        record(&conn, &entry("a", 2)).unwrap();
        record(&conn, &entry("b", 1)).unwrap();
        record(&conn, &entry("a", 3)).unwrap();
        let (all, total) = list(
            &conn,
            &AuditFilter {
                limit: 10,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(total, 3);
        assert_eq!(all[0].version, Some(3));
        assert_eq!(all[0].previous.as_ref().unwrap()["actor"], "islamic-state");
        let only_a = AuditFilter {
            target_key: Some("a".into()),
            limit: 1,
            ..Default::default()
        };
        let (page, total) = list(&conn, &only_a).unwrap();
        assert_eq!((page.len(), total), (1, 2));
    }
}
