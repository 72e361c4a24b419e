//! API tokens and roles for the HTTP server.
//!
//! A token is a random secret shown once when it is created; the store keeps only its SHA-256,
//! so a copy of the database cannot be used to call the API. Roles are ordered: an admin can do
//! what an analyst can, an analyst what a viewer can.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

impl crate::Store {
    /// The connection, for the server's own tables (tokens, audit log, evidence), which live in
    /// the same file and are migrated with the rest (migration 200).
    pub fn server_tables(&self) -> &Connection {
        &self.conn
    }

    /// SQLite's `data_version`: changes whenever another connection commits to the file, so a
    /// long-running reader (the server) can notice writes made by other processes.
    pub fn data_version(&self) -> rusqlite::Result<i64> {
        self.conn.query_row("PRAGMA data_version", [], |r| r.get(0))
    }
}

/// Apply only the server-side schema to a bare connection (unit tests of this module and its
/// siblings; a [`crate::Store`] applies it on open).
#[cfg(test)]
pub(crate) fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(include_str!("../migrations/200_server.sql"))
}

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

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("unknown role {0:?}: expected viewer, analyst or admin")]
    Role(String),
    #[error("token label must not be empty")]
    EmptyLabel,
    #[error("no token with id {0}")]
    NoSuchToken(i64),
    #[error("token database error")]
    Sqlite(#[from] rusqlite::Error),
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

/// Create a token with a fresh random secret; returns the stored token and the secret, which
/// is not kept anywhere and must be shown to the user now.
pub fn create_token(
    conn: &Connection,
    role: Role,
    label: &str,
    now: DateTime<Utc>,
) -> Result<(Token, String), AuthError> {
    let label = label.trim();
    if label.is_empty() {
        return Err(AuthError::EmptyLabel);
    }
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    let secret = format!("{SECRET_PREFIX}{}", hex::encode(bytes));
    let prefix: String = secret.chars().take(SECRET_PREFIX.len() + 6).collect();
    conn.execute(
        "INSERT INTO api_token (hash, prefix, role, label, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            hash_secret(&secret),
            prefix,
            role.as_str(),
            label,
            now.to_rfc3339()
        ],
    )?;
    let token = Token {
        id: conn.last_insert_rowid(),
        prefix,
        role,
        label: label.to_owned(),
        created_at: now,
        revoked_at: None,
    };
    Ok((token, secret))
}

/// The live (not revoked) token whose secret this is, if any.
pub fn authenticate(conn: &Connection, secret: &str) -> Result<Option<Token>, AuthError> {
    let hash = hash_secret(secret.trim());
    let token = conn
        .query_row(
            "SELECT id, prefix, role, label, created_at, revoked_at FROM api_token
             WHERE hash = ?1 AND revoked_at IS NULL",
            [hash],
            row_to_token,
        )
        .optional()?;
    Ok(token)
}

/// Every token, newest first.
pub fn list_tokens(conn: &Connection) -> Result<Vec<Token>, AuthError> {
    let mut stmt = conn.prepare(
        "SELECT id, prefix, role, label, created_at, revoked_at FROM api_token ORDER BY id DESC",
    )?;
    let rows = stmt.query_map([], row_to_token)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Revoke a token (the row is kept, with the time of revocation).
pub fn revoke_token(conn: &Connection, id: i64, now: DateTime<Utc>) -> Result<(), AuthError> {
    let n = conn.execute(
        "UPDATE api_token SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        params![id, now.to_rfc3339()],
    )?;
    if n == 0 {
        return Err(AuthError::NoSuchToken(id));
    }
    Ok(())
}

fn row_to_token(row: &rusqlite::Row<'_>) -> rusqlite::Result<Token> {
    let role: String = row.get(2)?;
    let parse_time = |i: usize, s: String| {
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
            })
    };
    Ok(Token {
        id: row.get(0)?,
        prefix: row.get(1)?,
        role: role.parse().map_err(|e: AuthError| {
            rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, e.into())
        })?,
        label: row.get(3)?,
        created_at: parse_time(4, row.get(4)?)?,
        revoked_at: row
            .get::<_, Option<String>>(5)?
            .map(|s| parse_time(5, s))
            .transpose()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        migrate(&conn).unwrap();
        conn
    }

    #[test]
    fn a_token_authenticates_by_its_secret_and_only_its_hash_is_stored() {
        let conn = db();
        let (token, secret) = create_token(&conn, Role::Analyst, "amira", Utc::now()).unwrap();
        assert!(secret.starts_with(SECRET_PREFIX));
        let found = authenticate(&conn, &secret).unwrap().unwrap();
        assert_eq!(found.id, token.id);
        assert_eq!(found.role, Role::Analyst);
        let stored: String = conn
            .query_row("SELECT hash FROM api_token", [], |r| r.get(0))
            .unwrap();
        assert_eq!(stored, hash_secret(&secret));
        let dump: i64 = conn
            .query_row(
                "SELECT count(*) FROM api_token WHERE hash = ?1 OR prefix = ?1 OR label = ?1",
                [&secret],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(dump, 0, "the secret itself must not be stored");
    }

    #[test]
    fn wrong_and_revoked_tokens_do_not_authenticate() {
        let conn = db();
        let (token, secret) = create_token(&conn, Role::Admin, "root", Utc::now()).unwrap();
        assert!(authenticate(&conn, "fl_0000").unwrap().is_none());
        revoke_token(&conn, token.id, Utc::now()).unwrap();
        assert!(authenticate(&conn, &secret).unwrap().is_none());
        assert!(matches!(
            revoke_token(&conn, token.id, Utc::now()),
            Err(AuthError::NoSuchToken(_))
        ));
        assert_eq!(list_tokens(&conn).unwrap().len(), 1);
    }

    #[test]
    fn roles_are_ordered_and_parsed() {
        assert!(Role::Viewer < Role::Analyst && Role::Analyst < Role::Admin);
        assert_eq!("Analyst".parse::<Role>().unwrap(), Role::Analyst);
        assert!("editor".parse::<Role>().is_err());
        assert!(create_token(&db(), Role::Viewer, "  ", Utc::now()).is_err());
    }
}
