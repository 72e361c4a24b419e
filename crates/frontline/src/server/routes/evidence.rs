//! Evidence files: analysts attach image chips, photos and PDF reports to an observation; anyone
//! who may read gets them back by their SHA-256 with headers that stop a browser from running
//! them (the type comes from the magic bytes, `nosniff`, a locked-down CSP, and non-images as
//! downloads).

use crate::server::extract::Path;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use frontline_store::evidence;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

use crate::server::auth::{Analyst, Reader};
use crate::server::error::{ApiError, ApiResult};
use crate::server::extract::Query;
use crate::server::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachQuery {
    /// The file's name as the analyst knows it (kept for display; the address is the hash).
    name: String,
}

/// `POST /api/observations/{key}/evidence?name=chip.png` with the file as the raw body
/// (analyst). 201 with the stored file's address and type.
pub async fn attach(
    State(state): State<Arc<AppState>>,
    Analyst(caller): Analyst,
    Path(key): Path<String>,
    Query(q): Query<AttachQuery>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let body = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!(
                    "evidence files are limited to {} bytes",
                    evidence::MAX_EVIDENCE_BYTES
                ),
            )
        } else {
            ApiError::bad_request(r.body_text())
        }
    })?;
    // Check before touching the database, so a bad file costs nothing.
    evidence::check(&body)?;
    let attachment = state
        .db
        .run(move |db| -> ApiResult<_> {
            db.require_observation(&key)?;
            let a =
                db.store
                    .attach_evidence(&key, &q.name, &body, &super::editing::editor(&caller))?;
            Ok(a)
        })
        .await??;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "attachment": attachment,
            "href": format!("/api/evidence/{}", attachment.sha256),
        })),
    ))
}

/// `GET /api/observations/{key}/evidence`: the files attached to an observation.
pub async fn list(
    State(state): State<Arc<AppState>>,
    Reader(_): Reader,
    Path(key): Path<String>,
) -> ApiResult<Json<Value>> {
    let files = state
        .db
        .run(move |db| -> ApiResult<_> {
            db.require_observation(&key)?;
            Ok(db.store.attachments(&key)?)
        })
        .await??;
    Ok(Json(json!({ "evidence": files })))
}

/// `GET /api/evidence/{sha256}`: the file's bytes with safe headers.
pub async fn fetch(
    State(state): State<Arc<AppState>>,
    Reader(_): Reader,
    Path(sha): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::bad_request(
            "evidence address must be 64 hex digits (SHA-256)",
        ));
    }
    let sha = sha.to_ascii_lowercase();
    let etag = format!("\"{sha}\"");
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return Ok(StatusCode::NOT_MODIFIED.into_response());
    }
    let lookup = sha.clone();
    let (media, bytes) = state
        .db
        .run(move |db| db.store.evidence_file(&lookup))
        .await??
        .ok_or_else(|| ApiError::not_found(format!("no evidence file {sha}")))?;
    let disposition = if media.is_inline_image() {
        format!("inline; filename=\"{}\"", &sha[..16])
    } else {
        format!("attachment; filename=\"{}\"", &sha[..16])
    };
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media.mime()));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; img-src 'self'; sandbox"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).map_err(ApiError::internal)?,
    );
    // Content-addressed: the bytes at this address never change.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    h.insert(
        header::ETAG,
        HeaderValue::from_str(&etag).map_err(ApiError::internal)?,
    );
    Ok(res)
}
