//! Evidence files in SQLite (`evidence_file`, `evidence_link`, migration 200): the bytes are a
//! BLOB stored once per content, linked once per (observation, file).

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use super::audit;
use crate::evidence::{Attachment, EvidenceFile, MediaType};
use crate::{Editor, StoreError};

/// Store a checked file (once per content), attach it to an observation (once per pair) and
/// audit it, inside the caller's write transaction.
pub(super) fn attach(
    tx: &Connection,
    observation_key: &str,
    name: &str,
    file: &EvidenceFile,
    bytes: &[u8],
    by: &Editor,
    now: DateTime<Utc>,
) -> Result<Attachment, StoreError> {
    tx.execute(
        "INSERT OR IGNORE INTO evidence_file (sha256, media_type, size, bytes, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            file.sha256,
            file.media_type,
            file.size as i64,
            bytes,
            now.to_rfc3339()
        ],
    )?;
    tx.execute(
        "INSERT OR IGNORE INTO evidence_link (observation_key, sha256, name, added_at, added_by)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![observation_key, file.sha256, name, now.to_rfc3339(), by.who],
    )?;
    let mut found = attachments(tx, observation_key)?;
    found.retain(|a| a.sha256 == file.sha256);
    let attachment = found.pop().expect("the attachment was just written");
    let entry = crate::audit::AuditEntry {
        detail: serde_json::to_value(&attachment).ok(),
        ..by.entry(now, "attach", "evidence", observation_key)
    };
    audit::record(tx, &entry)?;
    Ok(attachment)
}

/// The files attached to an observation, oldest first.
pub(super) fn attachments(
    conn: &Connection,
    observation_key: &str,
) -> Result<Vec<Attachment>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.observation_key, l.sha256, f.media_type, f.size, l.name, l.added_at, l.added_by
         FROM evidence_link l JOIN evidence_file f ON f.sha256 = l.sha256
         WHERE l.observation_key = ?1 ORDER BY l.id",
    )?;
    let rows = stmt.query_map([observation_key], |row| {
        let media: String = row.get(2)?;
        let added_at: String = row.get(5)?;
        Ok(Attachment {
            observation_key: row.get(0)?,
            sha256: row.get(1)?,
            media_type: MediaType::from_mime(&media)
                .map_or("application/octet-stream", |m| m.mime()),
            size: row.get::<_, i64>(3)? as u64,
            name: row.get(4)?,
            added_at: DateTime::parse_from_rfc3339(&added_at)
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_default(),
            added_by: row.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A stored file's type and bytes, by its SHA-256 (lowercase hex).
pub(super) fn fetch(
    conn: &Connection,
    sha256: &str,
) -> Result<Option<(MediaType, Vec<u8>)>, StoreError> {
    let row: Option<(String, Vec<u8>)> = conn
        .query_row(
            "SELECT media_type, bytes FROM evidence_file WHERE sha256 = ?1",
            [sha256.to_ascii_lowercase()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    // Re-sniff the bytes rather than trusting the stored column: what is served is what the
    // bytes are.
    Ok(row.and_then(|(_, bytes)| MediaType::sniff(&bytes).map(|m| (m, bytes))))
}
