//! API tokens in SQLite (`api_token`, migration 200). Creating and revoking a token writes its
//! audit entry in the same transaction.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use super::audit;
use crate::auth::{AuthError, Role, Token};
use crate::{Editor, StoreError};

const COLUMNS: &str = "id, prefix, role, label, created_at, revoked_at";

/// Store a token by the hash of its secret and audit it.
#[allow(clippy::too_many_arguments)]
pub(super) fn create(
    tx: &Connection,
    role: Role,
    label: &str,
    secret_hash: &str,
    prefix: &str,
    by: &Editor,
    now: DateTime<Utc>,
) -> Result<Token, StoreError> {
    tx.execute(
        "INSERT INTO api_token (hash, prefix, role, label, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![secret_hash, prefix, role.as_str(), label, now.to_rfc3339()],
    )?;
    let token = by_id(tx, tx.last_insert_rowid())?;
    let entry = crate::audit::AuditEntry {
        detail: serde_json::to_value(&token).ok(),
        ..by.entry(now, "create", "token", &token.id.to_string())
    };
    audit::record(tx, &entry)?;
    Ok(token)
}

/// The live (not revoked) token whose secret has this hash, if any.
pub(super) fn authenticate(
    conn: &Connection,
    secret_hash: &str,
) -> Result<Option<Token>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM api_token WHERE hash = ?1 AND revoked_at IS NULL"
        ))?
        .query_row([secret_hash], row_to_token)
        .optional()?)
}

fn by_id(conn: &Connection, id: i64) -> Result<Token, StoreError> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM api_token WHERE id = ?1"),
        [id],
        row_to_token,
    )
    .optional()?
    .ok_or_else(|| AuthError::NoSuchToken(id).into())
}

/// Every token, newest first.
pub(super) fn list(conn: &Connection) -> Result<Vec<Token>, StoreError> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM api_token ORDER BY id DESC"))?;
    let rows = stmt.query_map([], row_to_token)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Revoke a live token (the row is kept, with the time of revocation) and audit it.
pub(super) fn revoke(
    tx: &Connection,
    id: i64,
    by: &Editor,
    now: DateTime<Utc>,
) -> Result<Token, StoreError> {
    let n = tx.execute(
        "UPDATE api_token SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        params![id, now.to_rfc3339()],
    )?;
    if n == 0 {
        return Err(AuthError::NoSuchToken(id).into());
    }
    let token = by_id(tx, id)?;
    let entry = crate::audit::AuditEntry {
        detail: serde_json::to_value(&token).ok(),
        ..by.entry(now, "revoke", "token", &id.to_string())
    };
    audit::record(tx, &entry)?;
    Ok(token)
}

fn row_to_token(row: &rusqlite::Row<'_>) -> rusqlite::Result<Token> {
    let role: String = row.get(2)?;
    let parse_time = |i: usize, s: String| {
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
            })
    };
    Ok(Token {
        id: row.get(0)?,
        prefix: row.get(1)?,
        role: role.parse().map_err(|e: AuthError| {
            rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, e.into())
        })?,
        label: row.get(3)?,
        created_at: parse_time(4, row.get(4)?)?,
        revoked_at: row
            .get::<_, Option<String>>(5)?
            .map(|s| parse_time(5, s))
            .transpose()?,
    })
}
