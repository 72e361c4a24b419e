//! Responses from ready bodies (`crate::app::encoded::Encoded`: a map's GeoJSON, its vector
//! tiles, the base map), made once when the map is computed. A cached request then costs a
//! header check and a reference-count increment: no serialisation, no compression, and nothing
//! at all (`304 Not Modified`) for a client that already has it.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

pub use crate::app::encoded::Encoded;

/// The response for a request with `headers`: 304 if the client's `If-None-Match` has this
/// version, else the body, gzip-encoded if the client accepts it.
pub fn respond(
    body: &Encoded,
    headers: &HeaderMap,
    content_type: &'static str,
    cache_control: &'static str,
) -> Response {
    let etag = HeaderValue::from_str(&body.etag).expect("hex is a valid header value");
    let common = [
        (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache_control),
        ),
        (header::ETAG, etag.clone()),
        (header::VARY, HeaderValue::from_static("accept-encoding")),
    ];
    if matches(headers, &etag) {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    match &body.gzip {
        Some(z) if accepts_gzip(headers) => (
            common,
            [(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"))],
            z.clone(),
        )
            .into_response(),
        _ => (common, body.plain.clone()).into_response(),
    }
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
        let p = Encoded::new(text.clone().into_bytes());
        let plain = respond(&p, &HeaderMap::new(), "application/geo+json", "no-cache");
        assert_eq!(plain.status(), StatusCode::OK);
        assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
        let etag = plain.headers()[header::ETAG].clone();
        assert_eq!(body(plain).await, text.as_bytes());

        let z = respond(
            &p,
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

        let refused = respond(
            &p,
            &headers(&[("accept-encoding", "gzip;q=0")]),
            "application/geo+json",
            "no-cache",
        );
        assert!(refused.headers().get(header::CONTENT_ENCODING).is_none());

        let mut known = HeaderMap::new();
        known.insert(header::IF_NONE_MATCH, etag);
        let r = respond(&p, &known, "application/geo+json", "no-cache");
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
        assert!(body(r).await.is_empty());
        let other = respond(
            &p,
            &headers(&[("if-none-match", "\"0000\"")]),
            "application/geo+json",
            "no-cache",
        );
        assert_eq!(other.status(), StatusCode::OK);
    }
}
