//! Who is calling: bearer tokens checked against the store's hashes, and the role each route
//! needs. Reads need a viewer token unless the server runs with `--public`; writes always need
//! an analyst token, the audit log an admin token.
//!
//! A missing or unknown token is 401 (with `WWW-Authenticate: Bearer`); a valid token with too
//! small a role is 403.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use frontline_store::auth::Role;
use std::sync::Arc;

use super::error::ApiError;
use super::state::AppState;

/// The caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub token_id: Option<i64>,
    /// The token's label, or `anonymous` in public mode.
    pub who: String,
    /// `None` for an anonymous reader in public mode.
    pub role: Option<Role>,
}

impl Caller {
    fn anonymous() -> Self {
        Self {
            token_id: None,
            who: "anonymous".into(),
            role: None,
        }
    }

    pub fn role_name(&self) -> &'static str {
        self.role.map_or("anonymous", Role::as_str)
    }
}

/// The token of a `Bearer` credential. The scheme name is case-insensitive (RFC 7235 §2.1:
/// `BEARER x` and `bearer x` are the same credential) and is followed by one or more spaces.
fn bearer_secret(value: &str) -> Option<&str> {
    let (scheme, rest) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| rest.trim_matches(' '))
}

pub(crate) async fn caller(
    parts: &Parts,
    state: &Arc<AppState>,
) -> Result<Option<Caller>, ApiError> {
    let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| ApiError::unauthorized("Authorization header is not valid text"))?;
    let secret = bearer_secret(value)
        .ok_or_else(|| ApiError::unauthorized("Authorization header must be `Bearer <token>`"))?
        .to_owned();
    if secret.is_empty() || secret.len() > 200 {
        return Err(ApiError::unauthorized("invalid token"));
    }
    let token = state
        .db
        .run(move |db| db.store.authenticate(&secret))
        .await??
        .ok_or_else(|| ApiError::unauthorized("invalid or revoked token"))?;
    Ok(Some(Caller {
        token_id: Some(token.id),
        who: token.label,
        role: Some(token.role),
    }))
}

async fn require(parts: &Parts, state: &Arc<AppState>, role: Role) -> Result<Caller, ApiError> {
    match caller(parts, state).await? {
        Some(c) if c.role >= Some(role) => Ok(c),
        Some(c) => Err(ApiError::forbidden(format!(
            "this needs the {role} role; the token has the {} role",
            c.role_name()
        ))),
        None if role == Role::Viewer && state.public => Ok(Caller::anonymous()),
        None => Err(ApiError::unauthorized(format!(
            "this needs a bearer token with the {role} role (Authorization: Bearer <token>)"
        ))),
    }
}

/// A caller allowed to read (anyone in public mode).
pub struct Reader(pub Caller);
/// A caller allowed to write observations, areas and evidence.
pub struct Analyst(pub Caller);
/// A caller allowed to read the audit log and manage tokens.
pub struct Admin(pub Caller);

impl FromRequestParts<Arc<AppState>> for Reader {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, ApiError> {
        require(parts, state, Role::Viewer).await.map(Self)
    }
}

impl FromRequestParts<Arc<AppState>> for Analyst {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, ApiError> {
        require(parts, state, Role::Analyst).await.map(Self)
    }
}

impl FromRequestParts<Arc<AppState>> for Admin {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, ApiError> {
        require(parts, state, Role::Admin).await.map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::bearer_secret;

    #[test]
    fn the_bearer_scheme_is_matched_in_any_case() {
        for value in ["Bearer abc", "bearer abc", "BEARER abc", "bEaReR   abc"] {
            assert_eq!(bearer_secret(value), Some("abc"), "{value:?}");
        }
    }

    #[test]
    fn other_schemes_and_glued_tokens_are_not_bearer_credentials() {
        for value in ["Basic abc", "Bearerabc", "Bearer", "Token abc", ""] {
            assert_eq!(bearer_secret(value), None, "{value:?}");
        }
        assert_eq!(bearer_secret("Bearer "), Some(""));
    }
}
