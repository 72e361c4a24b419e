//! What every handler shares: the database pool, the serving options, the generation counter
//! that invalidates cached maps, and the cache itself.

use chrono::NaiveDate;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::pool::Pool;

/// One database handle: the store plus direct access for the server's own tables (tokens,
/// audit, evidence).
pub struct Db {
    conn: rusqlite::Connection,
}

impl Db {
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        use anyhow::Context;
        let conn = rusqlite::Connection::open(path)
            .with_context(|| format!("opening database {}", path.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        frontline_store::auth::migrate(&conn).context("migrating the server tables")?;
        Ok(Self { conn })
    }

    pub fn conn(&self) -> &rusqlite::Connection {
        &self.conn
    }
}

/// Serving options.
#[derive(Debug, Clone)]
pub struct Options {
    pub db: PathBuf,
    /// Anonymous reads allowed.
    pub public: bool,
    /// Number of database handles.
    pub pool_size: usize,
    /// Largest JSON body accepted.
    pub max_body_bytes: usize,
}

pub struct AppState {
    pub db: Arc<Pool<Db>>,
    pub public: bool,
    /// Bumped on every write through the API; cached maps carry the generation they were
    /// computed at and are recomputed when it has moved.
    generation: AtomicU64,
    /// Today's date, for refusing future dates (a function so tests can fix it).
    pub today: fn() -> NaiveDate,
}

impl AppState {
    pub fn open(opts: &Options) -> anyhow::Result<Arc<Self>> {
        let handles = (0..opts.pool_size.max(1))
            .map(|_| Db::open(&opts.db))
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Arc::new(Self {
            db: Pool::new(handles),
            public: opts.public,
            generation: AtomicU64::new(0),
            today: || chrono::Utc::now().date_naive(),
        }))
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Mark every cached map stale.
    pub fn bump_generation(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}
