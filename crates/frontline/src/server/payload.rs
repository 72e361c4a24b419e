//! Ready-to-send bodies for what the server caches (a map's GeoJSON, its vector tiles): the
//! bytes, their gzip form and an `ETag`, made once when the map is computed. A cached request
//! then costs a header check and a reference-count increment: no serialisation, no compression,
//! and nothing at all (`304 Not Modified`) for a client that already has it.

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};
use std::io::Write;

/// A body in plain and gzip form with its entity tag.
#[derive(Debug, Clone)]
pub struct Payload {
    plain: Bytes,
    /// `None` when compressing does not pay (tiny or incompressible bodies).
    gzip: Option<Bytes>,
    etag: HeaderValue,
}

impl Payload {
    pub fn new(plain: Vec<u8>) -> Self {
        let etag = etag_of(&plain);
        // The best compression: a body is compressed once and sent many times (a 500 kB map
        // takes tens of milliseconds beside the second or so of estimating it).
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

    /// A body sent once (a per-request selection): the same headers and 304 handling, but
    /// not worth compressing at the best level on the request's path.
    pub fn once(plain: Vec<u8>) -> Self {
        Self {
            etag: etag_of(&plain),
            gzip: None,
            plain: Bytes::from(plain),
        }
    }

    /// The response for a request with `headers`: 304 if the client's `If-None-Match` has this
    /// version, else the body, gzip-encoded if the client accepts it.
    pub fn respond(
        &self,
        headers: &HeaderMap,
        content_type: &'static str,
        cache_control: &'static str,
    ) -> Response {
        let common = [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(cache_control),
            ),
            (header::ETAG, self.etag.clone()),
            (header::VARY, HeaderValue::from_static("accept-encoding")),
        ];
        if matches(headers, &self.etag) {
            return (StatusCode::NOT_MODIFIED, common).into_response();
        }
        match &self.gzip {
            Some(z) if accepts_gzip(headers) => (
                common,
                [(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"))],
                z.clone(),
            )
                .into_response(),
            _ => (common, self.plain.clone()).into_response(),
        }
    }
}

fn etag_of(body: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(body);
    HeaderValue::from_str(&format!("\"{}\"", hex::encode(&digest[..12])))
        .expect("hex is a valid header value")
}

fn matches(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let want = etag.as_bytes();
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t.as_bytes() == want)
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|e| {
            let mut parts = e.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    == Some(0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::GzDecoder;
    use std::io::Read;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    async fn body(r: Response) -> Vec<u8> {
        axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec()
    }

    #[tokio::test]
    async fn gzip_when_accepted_plain_otherwise_and_304_for_a_known_version() {
        let text = "{\"type\":\"FeatureCollection\",\"features\":[]} ".repeat(200);
        let p = Payload::new(text.clone().into_bytes());
        let plain = p.respond(&HeaderMap::new(), "application/geo+json", "no-cache");
        assert_eq!(plain.status(), StatusCode::OK);
        assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
        let etag = plain.headers()[header::ETAG].clone();
        assert_eq!(body(plain).await, text.as_bytes());

        let z = p.respond(
            &headers(&[("accept-encoding", "br, gzip;q=0.8")]),
            "application/geo+json",
            "no-cache",
        );
        assert_eq!(z.headers()[header::CONTENT_ENCODING], "gzip");
        let compressed = body(z).await;
        assert!(compressed.len() < text.len() / 5);
        let mut back = String::new();
        GzDecoder::new(&compressed[..])
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, text);

        let refused = p.respond(
            &headers(&[("accept-encoding", "gzip;q=0")]),
            "application/geo+json",
            "no-cache",
        );
        assert!(refused.headers().get(header::CONTENT_ENCODING).is_none());

        let mut known = HeaderMap::new();
        known.insert(header::IF_NONE_MATCH, etag);
        let r = p.respond(&known, "application/geo+json", "no-cache");
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
        assert!(body(r).await.is_empty());
        let other = p.respond(
            &headers(&[("if-none-match", "\"0000\"")]),
            "application/geo+json",
            "no-cache",
        );
        assert_eq!(other.status(), StatusCode::OK);
    }
}
