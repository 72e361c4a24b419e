//! Evidence files attached to observations (satellite image chips, photos, PDF reports).
//!
//! Files are content-addressed by SHA-256: the same bytes are stored once, and the address a
//! citation gives can be checked by anyone holding the file. The bytes live in the database
//! itself (a BLOB) rather than in a folder beside it, so that a backup, a copy or a WAL
//! transaction covers the record and its evidence together. The media type is decided from the
//! file's magic bytes, never from its name or from what the uploader claims, and only types
//! that browsers and GIS tools show without executing anything are accepted.

use chrono::{DateTime, Utc};
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

/// Why a file is refused (database failures are [`crate::StoreError`]s).
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

/// The file name as stored, or why it is refused.
pub(crate) fn check_name(name: &str) -> Result<&str, EvidenceError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

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

    #[test]
    fn bad_files_and_names_are_refused_with_the_reason() {
        assert!(matches!(
            check(b"<html><script>"),
            Err(EvidenceError::UnsupportedType)
        ));
        let big = vec![0xFFu8; MAX_EVIDENCE_BYTES + 1];
        assert!(matches!(check(&big), Err(EvidenceError::TooLarge { .. })));
        assert!(matches!(check(b""), Err(EvidenceError::Empty)));
        for bad in ["../etc/passwd", "", "..", "a\u{7}b"] {
            assert!(
                matches!(check_name(bad), Err(EvidenceError::Name)),
                "{bad:?}"
            );
        }
        assert_eq!(check_name(" chip.png ").unwrap(), "chip.png");
    }
}
