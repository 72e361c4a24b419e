//! The web map: the built single-page app (web/dist, made by `make web`) served at `/`, and
//! `/api/extent`, what the app needs to open: the span of the observations, the default region
//! and its bounding box; `/api/session`: whether reads are public and the token's role.
//!
//! Files are read from disk on each request (the folder is small and the OS caches it), so a
//! rebuilt app shows without restarting the server. Vite names every asset after a hash of its
//! content, so `/assets/*` may be cached for a year; `index.html` names the current assets and
//! is revalidated on every load.

use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use geo::BoundingRect;
use serde_json::{json, Value};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::app::KnownOn;
use crate::server::auth::Reader;
use crate::server::error::{ApiError, ApiResult};
use crate::server::state::AppState;

/// Where the built app is looked for when `--web` is not given: `web/dist` under the current
/// directory, then beside the executable's build folder (`target/release/../../web/dist`).
pub fn find_web_dir(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(dir) = explicit {
        return Some(dir.to_path_buf());
    }
    let mut candidates = vec![PathBuf::from("web/dist")];
    if let Ok(exe) = std::env::current_exe() {
        if let Some(bin_dir) = exe.parent() {
            candidates.push(bin_dir.join("../../web/dist"));
        }
    }
    candidates
        .into_iter()
        .find(|d| d.join("index.html").is_file())
        .map(|d| d.canonicalize().unwrap_or(d))
}

/// The page answered at `/` when there is no built app.
const NOT_BUILT: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Frontline</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 3em auto; line-height: 1.5">
<h1>Frontline</h1>
<p>The API is running, but the web map has not been built.</p>
<p>Build it from the repository root with <code>make web</code> (it runs <code>npm ci</code> and
<code>npm run build</code> in <code>web/</code>), then reload this page; or start the server with
<code>frontline serve --web DIR</code> pointing at a built <code>web/dist</code>.</p>
<p>The API itself: <a href="/api">/api</a>, <a href="/api/openapi.json">/api/openapi.json</a>.</p>
</body></html>
"#;

/// `GET /` (and `/index.html`): the app's page, or how to build it.
pub async fn index(dir: Option<Arc<PathBuf>>) -> Response {
    let Some(dir) = dir else {
        return (
            [(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))],
            Html(NOT_BUILT),
        )
            .into_response();
    };
    match read(dir.join("index.html")).await {
        Ok(bytes) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(dir = %dir.display(), error = %e, "cannot read the web map's index.html");
            (StatusCode::SERVICE_UNAVAILABLE, Html(NOT_BUILT)).into_response()
        }
    }
}

/// `GET /assets/{*file}`: a built asset, cached for a year (its name changes with its content).
pub async fn asset(
    dir: Option<Arc<PathBuf>>,
    UrlPath(file): UrlPath<String>,
) -> ApiResult<Response> {
    let missing = || ApiError::not_found(format!("no asset {file}"));
    let dir = dir.ok_or_else(missing)?;
    let rel = safe_relative(&file).ok_or_else(missing)?;
    let bytes = read(dir.join("assets").join(rel))
        .await
        .map_err(|_| missing())?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(media_type(&file)),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Reads a file on a blocking thread.
async fn read(path: PathBuf) -> std::io::Result<Vec<u8>> {
    tokio::task::spawn_blocking(move || std::fs::read(path))
        .await
        .map_err(std::io::Error::other)?
}

/// A URL path as a relative file path, refusing anything that could leave the folder.
fn safe_relative(path: &str) -> Option<PathBuf> {
    let p = Path::new(path);
    let ok = !path.is_empty()
        && !path.contains('\\')
        && p.components().all(|c| matches!(c, Component::Normal(_)));
    ok.then(|| p.to_path_buf())
}

fn media_type(file: &str) -> &'static str {
    match file.rsplit('.').next().unwrap_or("") {
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "woff2" => "font/woff2",
        "wasm" => "application/wasm",
        "pbf" => "application/x-protobuf",
        _ => "application/octet-stream",
    }
}

/// `GET /api/session`: whether reads are public and who the bearer token (if any) is, with its
/// role, so the app knows whether to ask for a token before reading and what to offer. Open to
/// everyone; an unknown token is a 401 like everywhere else.
pub async fn session(
    State(state): State<Arc<AppState>>,
    parts: axum::http::request::Parts,
) -> ApiResult<Json<Value>> {
    let caller = crate::server::auth::caller(&parts, &state).await?;
    Ok(Json(json!({
        "public": state.public,
        "who": caller.as_ref().map(|c| c.who.clone()),
        "role": caller.as_ref().map(|c| c.role_name()),
    })))
}

/// `GET /api/extent`: the first and last day any observation speaks for (the web map's slider
/// range), the latest day events are recorded for, today, the default region and its bounding
/// box `[west, south, east, north]`.
pub async fn extent(
    State(state): State<Arc<AppState>>,
    Reader(_): Reader,
) -> ApiResult<Json<Value>> {
    let (known, region) = state
        .app(|e| Ok((e.known(KnownOn::NOW)?, e.region(None)?)))
        .await?;
    let first = known
        .observations
        .iter()
        .map(|o| o.observed.first_day())
        .min();
    let last = known
        .observations
        .iter()
        .map(|o| o.observed.last_day())
        .max();
    let today = state.today();
    let bbox = {
        let mut b: Option<[f64; 4]> = None;
        for part in &region.parts {
            if let Some(r) = part.shape.bounding_rect() {
                let (lo, hi) = (r.min(), r.max());
                b = Some(match b {
                    None => [lo.x, lo.y, hi.x, hi.y],
                    Some(o) => [
                        o[0].min(lo.x),
                        o[1].min(lo.y),
                        o[2].max(hi.x),
                        o[3].max(hi.y),
                    ],
                });
            }
        }
        b
    };
    Ok(Json(json!({
        "first": first.map(|d| d.to_string()),
        "last": last.map(|d| d.min(today).to_string()),
        "today": today.to_string(),
        "observations": known.observations.len(),
        "region": region.key,
        "bbox": bbox,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asset_paths_cannot_leave_the_folder() {
        assert!(safe_relative("index-abc.js").is_some());
        assert!(safe_relative("img/a.png").is_some());
        for bad in [
            "",
            "../secret",
            "a/../../b",
            "/etc/passwd",
            "a\\..\\b",
            "./a",
        ] {
            assert!(safe_relative(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn assets_get_their_media_types() {
        assert_eq!(media_type("index-1.js"), "text/javascript; charset=utf-8");
        assert_eq!(media_type("index-1.css"), "text/css; charset=utf-8");
        assert_eq!(media_type("x.bin"), "application/octet-stream");
    }
}
