//! Helpers shared by the import tests: run the binary on a temporary database, locate the
//! bundled data and the fixtures, read counts back through the store.

#![allow(dead_code)]

use frontline_store::{Store, TableCounts};
use std::path::{Path, PathBuf};
use std::process::Output;

pub fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(rel)
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Run `frontline --db <db> args…`.
pub fn frontline(db: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_frontline"))
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("the frontline binary runs")
}

/// Run and require success; returns stdout.
pub fn ok(db: &Path, args: &[&str]) -> String {
    let out = frontline(db, args);
    assert!(
        out.status.success(),
        "frontline {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Run and require failure; returns stderr.
pub fn fails(db: &Path, args: &[&str]) -> String {
    let out = frontline(db, args);
    assert!(
        !out.status.success(),
        "frontline {args:?} succeeded:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stderr).unwrap()
}

pub fn counts(db: &Path) -> TableCounts {
    Store::open(db).unwrap().counts().unwrap()
}

/// A fresh database holding the bundled actors.
pub fn db_with_actors(dir: &tempfile::TempDir) -> PathBuf {
    let db = dir.path().join("test.db");
    ok(
        &db,
        &["import", "actors", data("actors.csv").to_str().unwrap()],
    );
    db
}

pub fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Write `content` to `name` in `dir`.
pub fn write(dir: &tempfile::TempDir, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    path
}
