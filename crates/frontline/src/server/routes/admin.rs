//! Admin endpoints: the audit log and the list of tokens (tokens are created with
//! `frontline token create`, so that the first admin does not need an admin to exist).

use axum::extract::State;
use axum::Json;
use frontline_store::audit::AuditFilter;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

use crate::server::auth::Admin;
use crate::server::error::{ApiError, ApiResult};
use crate::server::extract::Query;
use crate::server::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    kind: Option<String>,
    key: Option<String>,
    who: Option<String>,
    limit: Option<u32>,
    offset: Option<u32>,
}

/// `GET /api/audit?kind=&key=&who=&limit=&offset=`: audit entries, newest first (admin).
pub async fn audit(
    State(state): State<Arc<AppState>>,
    Admin(_): Admin,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<Value>> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::bad_request("limit must be between 1 and 1000"));
    }
    let filter = AuditFilter {
        target_kind: q.kind,
        target_key: q.key,
        who: q.who,
        limit,
        offset: q.offset.unwrap_or(0),
    };
    let (entries, total) = state.db.run(move |db| db.store.audit(&filter)).await??;
    Ok(Json(json!({"total": total, "entries": entries})))
}

/// `GET /api/tokens`: every token without its secret (admin).
pub async fn tokens(State(state): State<Arc<AppState>>, Admin(_): Admin) -> ApiResult<Json<Value>> {
    let tokens = state.db.run(|db| db.store.tokens()).await??;
    Ok(Json(json!({"tokens": tokens})))
}
