//! API tokens and roles for the HTTP server.
//!
//! A token is a random secret shown once when it is created; the store keeps only its SHA-256,
//! so a copy of the database cannot be used to call the API. Roles are ordered: an admin can do
//! what an analyst can, an analyst what a viewer can. Creating and revoking a token is recorded
//! in the audit log ([`crate::Store::create_token`], [`crate::Store::revoke_token`]).

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Read everything.
    Viewer,
    /// Read, and add, correct and retire observations and areas, attach evidence.
    Analyst,
    /// Everything, plus reading the audit log.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Analyst => "analyst",
            Self::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = AuthError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "viewer" => Ok(Self::Viewer),
            "analyst" => Ok(Self::Analyst),
            "admin" => Ok(Self::Admin),
            _ => Err(AuthError::Role(s.to_owned())),
        }
    }
}

/// Why a token operation was refused (database failures are [`crate::StoreError`]s).
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("unknown role {0:?}: expected viewer, analyst or admin")]
    Role(String),
    #[error("token label must not be empty")]
    EmptyLabel,
    #[error("no token with id {0}")]
    NoSuchToken(i64),
}

/// A token as stored (never with its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Token {
    pub id: i64,
    /// The first characters of the secret, to tell tokens apart in a list.
    pub prefix: String,
    pub role: Role,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The prefix every secret starts with, so that leaked tokens are easy to grep for.
pub const SECRET_PREFIX: &str = "fl_";

/// Hex SHA-256 of a secret: the only form in which the store keeps it.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A fresh token secret and its displayable prefix.
pub(crate) fn new_secret() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    let secret = format!("{SECRET_PREFIX}{}", hex::encode(bytes));
    let prefix: String = secret.chars().take(SECRET_PREFIX.len() + 6).collect();
    (secret, prefix)
}

/// The label as stored, or why it is refused.
pub(crate) fn check_label(label: &str) -> Result<&str, AuthError> {
    let label = label.trim();
    if label.is_empty() {
        return Err(AuthError::EmptyLabel);
    }
    Ok(label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_and_parsed() {
        assert!(Role::Viewer < Role::Analyst && Role::Analyst < Role::Admin);
        assert_eq!("Analyst".parse::<Role>().unwrap(), Role::Analyst);
        assert!("editor".parse::<Role>().is_err());
        assert!(check_label("  ").is_err());
    }

    #[test]
    fn secrets_are_fresh_and_carry_the_prefix() {
        let (a, pa) = new_secret();
        let (b, _) = new_secret();
        assert_ne!(a, b);
        assert!(a.starts_with(SECRET_PREFIX) && a.starts_with(&pa));
        assert_eq!(hash_secret(&a).len(), 64);
    }
}
