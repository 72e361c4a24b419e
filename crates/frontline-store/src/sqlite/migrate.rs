//! Schema migrations: numbered SQL files in `migrations/`, applied in order, each in its own
//! transaction and recorded in `schema_migrations`.

use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use crate::StoreError;

/// (version, name, SQL). Append new migrations; never edit an applied one.
/// Versions need not be contiguous: the analyses' `100_watch.sql` sits apart from the store's
/// own sequence so that the two never collide, and every migration not yet recorded is applied.
const MIGRATIONS: &[(u32, &str, &str)] = &[
    (
        1,
        "initial",
        include_str!("../../migrations/001_initial.sql"),
    ),
    (100, "watch", include_str!("../../migrations/100_watch.sql")),
    (
        200,
        "server",
        include_str!("../../migrations/200_server.sql"),
    ),
];

/// The schema version this program writes (the highest migration it knows).
pub const SCHEMA_VERSION: u32 = 200;

/// Bring the database up to [`SCHEMA_VERSION`].
pub(super) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY,
             name TEXT NOT NULL,
             applied_at TEXT NOT NULL
         )",
    )?;
    let current: u32 = conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            found: current,
            known: SCHEMA_VERSION,
        });
    }
    let applied: std::collections::HashSet<u32> = conn
        .prepare("SELECT version FROM schema_migrations")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut pending: Vec<_> = MIGRATIONS
        .iter()
        .filter(|m| !applied.contains(&m.0))
        .collect();
    pending.sort_by_key(|m| m.0);
    for &&(version, name, sql) in &pending {
        let fail = |source| StoreError::Migration {
            version,
            name,
            source,
        };
        // Immediate: two processes opening a new file at once take turns, and the second finds
        // the migration applied instead of applying it twice.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        let done = tx
            .query_row(
                "SELECT 1 FROM schema_migrations WHERE version = ?1",
                [version],
                |_| Ok(()),
            )
            .optional()
            .map_err(fail)?;
        if done.is_some() {
            continue;
        }
        tx.execute_batch(sql).map_err(fail)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![version, name, Utc::now().to_rfc3339()],
        )
        .map_err(fail)?;
        tx.commit().map_err(fail)?;
        tracing::info!(version, name, "applied migration");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let n: u32 = conn
            .query_row("SELECT COUNT(*) FROM schema_migrations", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n as usize, MIGRATIONS.len());
    }

    #[test]
    fn stored_rows_cannot_be_updated_or_deleted() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        conn.execute(
            "INSERT INTO actors (key, version, recorded_at, hash, payload) VALUES ('a', 1, 't', 'h', '{}')",
            [],
        )
        .unwrap();
        assert!(conn.execute("UPDATE actors SET payload = 'x'", []).is_err());
        assert!(conn.execute("DELETE FROM actors", []).is_err());
    }
}
