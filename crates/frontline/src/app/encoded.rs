//! Ready bodies for what is computed once and sent many times (a map's GeoJSON, its vector
//! tiles): the bytes, their gzip form and a content tag, made once. The HTTP adapter turns them
//! into responses (ETag, 304, Content-Encoding); nothing here knows HTTP.

use bytes::Bytes;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};
use std::io::Write;

/// A body in plain and gzip form with its entity tag.
#[derive(Debug, Clone)]
pub struct Encoded {
    pub plain: Bytes,
    /// `None` when compressing does not pay (tiny or incompressible bodies).
    pub gzip: Option<Bytes>,
    /// A strong entity tag, quoted (`"…"`), from the plain bytes' SHA-256.
    pub etag: String,
}

impl Encoded {
    /// Compressed at the best level: such a body is compressed once and sent many times (a
    /// 500 kB map takes tens of milliseconds beside the second or so of estimating it).
    pub fn new(plain: Vec<u8>) -> Self {
        let etag = etag_of(&plain);
        let gzip = (plain.len() > 1024)
            .then(|| {
                let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::best());
                enc.write_all(&plain).ok()?;
                enc.finish().ok()
            })
            .flatten()
            .filter(|z| z.len() < plain.len() * 9 / 10)
            .map(Bytes::from);
        Self {
            plain: Bytes::from(plain),
            gzip,
            etag,
        }
    }

    /// A body sent once (a per-request selection): tagged, not worth compressing at the best
    /// level on the request's path.
    pub fn once(plain: Vec<u8>) -> Self {
        Self {
            etag: etag_of(&plain),
            gzip: None,
            plain: Bytes::from(plain),
        }
    }

    /// Bytes held (both forms).
    pub fn weight(&self) -> usize {
        self.plain.len() + self.gzip.as_ref().map_or(0, Bytes::len) + 64
    }
}

fn etag_of(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!("\"{}\"", hex::encode(&digest[..12]))
}
