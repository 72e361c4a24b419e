//! Evidence files attached to observations (satellite image chips, photos, PDF reports).
//!
//! Files are content-addressed by SHA-256: the same bytes are stored once, and the address a
//! citation gives can be checked by anyone holding the file. The bytes live in the database
//! itself (a BLOB) rather than in a folder beside it, so that a backup, a copy or a WAL
//! transaction covers the record and its evidence together. The media type is decided from the
//! file's magic bytes, never from its name or from what the uploader claims, and only types
//! that browsers and GIS tools show without executing anything are accepted.

use crate::Editor;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Largest file accepted: 10 MiB (a satellite chip or a report, not a whole scene).
pub const MAX_EVIDENCE_BYTES: usize = 10 * 1024 * 1024;

/// The media types accepted, recognised by their magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum MediaType {
    Png,
    Jpeg,
    Pdf,
    Tiff,
    Webp,
}

impl MediaType {
    pub const ALL: [MediaType; 5] = [Self::Png, Self::Jpeg, Self::Pdf, Self::Tiff, Self::Webp];

    /// The IANA media type.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Pdf => "application/pdf",
            Self::Tiff => "image/tiff",
            Self::Webp => "image/webp",
        }
    }

    /// Whether a browser shows it inline as an image (PDF and TIFF are downloaded instead).
    pub fn is_inline_image(self) -> bool {
        matches!(self, Self::Png | Self::Jpeg | Self::Webp)
    }

    pub fn from_mime(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.mime() == s)
    }

    /// Recognise a file by its first bytes.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
            Some(Self::Tiff)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else {
            None
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error("file is {size} bytes; the limit is {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("file is empty")]
    Empty,
    #[error("unsupported file type: only PNG, JPEG, PDF, TIFF and WebP are accepted")]
    UnsupportedType,
    #[error("file name must be 1-200 characters without path separators or control characters")]
    Name,
    #[error("evidence database error")]
    Sqlite(#[from] rusqlite::Error),
}

/// A stored file's description (without its bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceFile {
    pub sha256: String,
    pub media_type: &'static str,
    pub size: u64,
}

/// A file attached to an observation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attachment {
    pub observation_key: String,
    pub sha256: String,
    pub media_type: &'static str,
    pub size: u64,
    pub name: String,
    pub added_at: DateTime<Utc>,
    pub added_by: String,
}

/// Check a file and work out its address and type without storing it.
pub fn check(bytes: &[u8]) -> Result<EvidenceFile, EvidenceError> {
    if bytes.is_empty() {
        return Err(EvidenceError::Empty);
    }
    if bytes.len() > MAX_EVIDENCE_BYTES {
        return Err(EvidenceError::TooLarge {
            size: bytes.len(),
            limit: MAX_EVIDENCE_BYTES,
        });
    }
    let media = MediaType::sniff(bytes).ok_or(EvidenceError::UnsupportedType)?;
    Ok(EvidenceFile {
        sha256: hex::encode(Sha256::digest(bytes)),
        media_type: media.mime(),
        size: bytes.len() as u64,
    })
}

fn check_name(name: &str) -> Result<&str, EvidenceError> {
    let name = name.trim();
    let ok = !name.is_empty()
        && name.chars().count() <= 200
        && !name
            .chars()
            .any(|c| c.is_control() || c == '/' || c == '\\')
        && name != "."
        && name != "..";
    ok.then_some(name).ok_or(EvidenceError::Name)
}

/// Store a file (once per content) and attach it to an observation (once per pair). The
/// caller checks that the observation exists and records the audit entry in the same
/// transaction.
pub fn attach(
    conn: &Connection,
    observation_key: &str,
    name: &str,
    bytes: &[u8],
    by: &Editor,
    now: DateTime<Utc>,
) -> Result<Attachment, EvidenceError> {
    let file = check(bytes)?;
    let name = check_name(name)?;
    // The file, its link and the audit entry land together or not at all.
    let tx = conn.unchecked_transaction()?;
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
    let mut found = attachments(&tx, observation_key)?;
    found.retain(|a| a.sha256 == file.sha256);
    let attachment = found.pop().expect("the attachment was just written");
    crate::audit::record(
        &tx,
        &crate::audit::AuditEntry {
            id: 0,
            at: now,
            token_id: by.token_id,
            who: by.who.clone(),
            role: by.role.clone(),
            action: "attach".into(),
            target_kind: "evidence".into(),
            target_key: observation_key.to_owned(),
            version: None,
            previous: None,
            detail: serde_json::to_value(&attachment).ok(),
        },
    )?;
    tx.commit()?;
    Ok(attachment)
}

/// The files attached to an observation, oldest first.
pub fn attachments(
    conn: &Connection,
    observation_key: &str,
) -> Result<Vec<Attachment>, EvidenceError> {
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
pub fn fetch(
    conn: &Connection,
    sha256: &str,
) -> Result<Option<(MediaType, Vec<u8>)>, EvidenceError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    fn db() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        crate::auth::migrate(&conn).unwrap();
        conn
    }

    #[test]
    fn media_types_are_recognised_by_magic_bytes() {
        assert_eq!(MediaType::sniff(PNG), Some(MediaType::Png));
        assert_eq!(
            MediaType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(MediaType::Jpeg)
        );
        assert_eq!(MediaType::sniff(b"%PDF-1.7\n"), Some(MediaType::Pdf));
        assert_eq!(MediaType::sniff(b"II*\0\x08\0"), Some(MediaType::Tiff));
        assert_eq!(
            MediaType::sniff(b"RIFF\0\0\0\0WEBPVP8 "),
            Some(MediaType::Webp)
        );
        for bad in [&b"<svg xmlns"[..], b"<html>", b"GIF89a", b"PK\x03\x04", b""] {
            assert_eq!(MediaType::sniff(bad), None);
        }
    }

    fn editor(who: &str) -> Editor {
        Editor {
            token_id: None,
            who: who.into(),
            role: "analyst".into(),
        }
    }

    #[test]
    fn files_are_stored_once_by_content_and_listed_per_observation() {
        let conn = db();
        let a = attach(
            &conn,
            "obs:1",
            "chip.png",
            PNG,
            &editor("amira"),
            Utc::now(),
        )
        .unwrap();
        let b = attach(
            &conn,
            "obs:2",
            "same.png",
            PNG,
            &editor("amira"),
            Utc::now(),
        )
        .unwrap();
        assert_eq!(a.sha256, b.sha256);
        assert_eq!(a.sha256, hex::encode(Sha256::digest(PNG)));
        let files: i64 = conn
            .query_row("SELECT count(*) FROM evidence_file", [], |r| r.get(0))
            .unwrap();
        assert_eq!(files, 1);
        assert_eq!(attachments(&conn, "obs:1").unwrap().len(), 1);
        let (media, bytes) = fetch(&conn, &a.sha256).unwrap().unwrap();
        assert_eq!((media, bytes.as_slice()), (MediaType::Png, PNG));
        assert!(fetch(&conn, "00").unwrap().is_none());
        let audited: i64 = conn
            .query_row(
                "SELECT count(*) FROM audit_log WHERE action = 'attach'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(audited, 2);
    }

    #[test]
    fn bad_files_are_refused_with_the_reason() {
        let conn = db();
        let html = attach(
            &conn,
            "o",
            "x.png",
            b"<html><script>",
            &editor("a"),
            Utc::now(),
        );
        assert!(matches!(html, Err(EvidenceError::UnsupportedType)));
        let big = vec![0xFFu8; MAX_EVIDENCE_BYTES + 1];
        assert!(matches!(check(&big), Err(EvidenceError::TooLarge { .. })));
        assert!(matches!(check(b""), Err(EvidenceError::Empty)));
        let path = attach(&conn, "o", "../etc/passwd", PNG, &editor("a"), Utc::now());
        assert!(matches!(path, Err(EvidenceError::Name)));
    }
}
