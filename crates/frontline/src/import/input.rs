//! Reading an input file: transparent gzip, SHA-256 of the bytes as stored, and a UTF-8 check
//! that names the line of the first bad byte (Latin-1, UTF-16, …).

use anyhow::Context;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// A file's content, decompressed, with its name and hash.
#[derive(Debug, Clone)]
pub struct Input {
    /// The name shown in messages and recorded in the `imports` table (the path as given).
    pub name: String,
    /// SHA-256 (hex) of the bytes as stored (compressed if the file is gzip).
    pub sha256: String,
    /// The decompressed bytes.
    pub bytes: Vec<u8>,
}

impl Input {
    /// Read `path`, decompressing gzip (by magic number, whatever the extension).
    pub fn read(path: &Path) -> anyhow::Result<Input> {
        let raw = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        Self::from_bytes(&path.display().to_string(), raw)
    }

    /// Wrap bytes already in memory (gzip is detected the same way).
    pub fn from_bytes(name: &str, raw: Vec<u8>) -> anyhow::Result<Input> {
        let sha256 = hex::encode(Sha256::digest(&raw));
        let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
            let mut out = Vec::new();
            flate2::read::MultiGzDecoder::new(&raw[..])
                .read_to_end(&mut out)
                .with_context(|| format!("{name}: not a complete gzip file (truncated?)"))?;
            out
        } else {
            raw
        };
        Ok(Input {
            name: name.to_owned(),
            sha256,
            bytes,
        })
    }

    /// The content as UTF-8 text (a UTF-8 byte-order mark is dropped), or why it is not.
    pub fn text(&self) -> Result<&str, String> {
        let b = &self.bytes[..];
        if b.starts_with(&[0xff, 0xfe]) || b.starts_with(&[0xfe, 0xff]) {
            return Err(
                "the file is UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8"
                    .into(),
            );
        }
        let b = b.strip_prefix(&[0xef, 0xbb, 0xbf]).unwrap_or(b);
        if b.iter().all(|c| c.is_ascii_whitespace()) {
            return Err("the file is empty".into());
        }
        match std::str::from_utf8(b) {
            Ok(s) => {
                if let Some(pos) = s.find('\0') {
                    let line = s[..pos].matches('\n').count() + 1;
                    return Err(format!(
                        "line {line}: NUL byte in text: the file looks like UTF-16 or binary, not UTF-8"
                    ));
                }
                Ok(s)
            }
            Err(e) => {
                let at = e.valid_up_to();
                let line = b[..at].iter().filter(|&&c| c == b'\n').count() + 1;
                let byte = b[at];
                Err(format!(
                    "line {line}: byte 0x{byte:02x} is not valid UTF-8 (the file is probably Latin-1 or Windows-1252): save it as UTF-8"
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_is_reported_with_its_line() {
        let input = Input::from_bytes("x.csv", b"a,b\n1,2\nHam\xe2m,3\n".to_vec()).unwrap();
        let err = input.text().unwrap_err();
        assert!(err.contains("line 3") && err.contains("Latin-1"), "{err}");
    }

    #[test]
    fn utf16_is_recognised() {
        let input = Input::from_bytes("x.csv", vec![0xff, 0xfe, b'a', 0]).unwrap();
        assert!(input.text().unwrap_err().contains("UTF-16"));
        let no_bom = Input::from_bytes("x.csv", vec![b'a', 0, b',', 0]).unwrap();
        assert!(no_bom.text().unwrap_err().contains("UTF-16"));
    }

    #[test]
    fn gzip_is_read_transparently() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"lat,long\n1,2\n").unwrap();
        let bytes = gz.finish().unwrap();
        let input = Input::from_bytes("x.csv.gz", bytes.clone()).unwrap();
        assert_eq!(input.text().unwrap(), "lat,long\n1,2\n");
        let truncated = Input::from_bytes("x.csv.gz", bytes[..bytes.len() / 2].to_vec());
        assert!(truncated.is_err());
    }

    #[test]
    fn empty_files_are_reported() {
        let input = Input::from_bytes("x.csv", b"\n  \n".to_vec()).unwrap();
        assert_eq!(input.text().unwrap_err(), "the file is empty");
    }
}
