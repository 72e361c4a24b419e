//! What every editing endpoint (observations, areas) shares: who the editor is for the audit
//! log, the version an edit names (`If-Match` or `expected_version`), and retirements.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use frontline_store::Editor;
use serde::Deserialize;

use crate::server::auth::Caller;
use crate::server::error::{ApiError, ApiResult};

/// The analyst as the store's audit log records them.
pub fn editor(caller: &Caller) -> Editor {
    Editor {
        token_id: caller.token_id,
        who: caller.who.clone(),
        role: caller.role_name().to_owned(),
    }
}

/// A version as an `ETag` (`"3"`).
pub fn etag(version: u32) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).expect("digits are a valid header")
}

/// The version the client says it is editing: `If-Match: "3"` (412 when stale) or
/// `expected_version` in the body (409 when stale). One of them is required.
pub fn expected_version(headers: &HeaderMap, body: Option<u32>) -> ApiResult<(u32, bool)> {
    if let Some(v) = headers.get(header::IF_MATCH) {
        let s = v
            .to_str()
            .unwrap_or_default()
            .trim()
            .trim_start_matches("W/")
            .trim_matches('"');
        let n = s.parse::<u32>().map_err(|_| {
            ApiError::bad_request(format!(
                "If-Match must be the version's ETag, e.g. \"3\"; got {v:?}"
            ))
        })?;
        return Ok((n, true));
    }
    body.map(|v| (v, false)).ok_or_else(|| {
        ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "precondition_required",
            "say which version you are editing: send If-Match with the ETag from GET, or expected_version in the body",
        )
    })
}

/// A stale version named in the body is a 409 (the body was the precondition), in
/// `If-Match` a 412.
pub fn stale(e: ApiError, via_header: bool) -> ApiError {
    if e.status == StatusCode::PRECONDITION_FAILED && !via_header {
        ApiError::conflict(e.message)
    } else {
        e
    }
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RetireBody {
    expected_version: Option<u32>,
    /// Why it is retired (kept in the audit log).
    reason: Option<String>,
}

/// A retirement request: the version retired and why.
pub struct Retirement {
    pub expected: u32,
    via_header: bool,
    pub reason: Option<String>,
}

impl Retirement {
    /// From the `If-Match` header and the optional JSON body `{"expected_version", "reason"}`
    /// (the body may be empty when `If-Match` says everything, so it is parsed by hand).
    pub fn parse(headers: &HeaderMap, body: &[u8]) -> ApiResult<Self> {
        let input: RetireBody = if body.iter().all(u8::is_ascii_whitespace) {
            RetireBody::default()
        } else {
            serde_json::from_slice(body)
                .map_err(|e| ApiError::unprocessable(format!("retire body: {e}")))?
        };
        let (expected, via_header) = expected_version(headers, input.expected_version)?;
        Ok(Self {
            expected,
            via_header,
            reason: input.reason,
        })
    }

    pub fn stale(&self, e: ApiError) -> ApiError {
        stale(e, self.via_header)
    }
}
