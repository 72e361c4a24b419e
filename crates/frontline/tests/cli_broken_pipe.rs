//! A closed stdout (`frontline … | head -1`) ends every command quietly: no panic (exit 101),
//! no error message, the exit status a Unix tool killed by SIGPIPE has (141).

mod common;

use common::*;
use std::process::{Command, Stdio};

/// Run `frontline --db db args…` with its stdout a pipe whose reading end is already closed;
/// returns the exit code and stderr.
fn with_closed_stdout(db: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    // A pipe whose only reader, `true`, has exited: the command's first write fails.
    let mut reader = Command::new("true").stdin(Stdio::piped()).spawn().unwrap();
    let write_end = reader.stdin.take().unwrap();
    reader.wait().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .arg("--db")
        .arg(db)
        .args(args)
        .stdout(Stdio::from(write_end))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn printing_to_a_closed_pipe_ends_each_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("frontline.db");
    let actors = data("actors.csv");
    let actors = actors.to_str().unwrap();
    // `import` returns the write error; `token` still prints with println!.
    ok(
        &db,
        &["token", "create", "--role", "viewer", "--label", "first"],
    );
    for args in [
        vec!["import", "actors", actors],
        vec!["import", "actors", actors],
        vec!["token", "create", "--role", "viewer", "--label", "reader"],
        vec!["token", "list"],
    ] {
        let (code, stderr) = with_closed_stdout(&db, &args);
        assert_eq!(code, Some(141), "frontline {args:?}: stderr {stderr}");
        assert!(!stderr.contains("panicked"), "frontline {args:?}: {stderr}");
        assert!(!stderr.contains("error"), "frontline {args:?}: {stderr}");
    }
    // The import itself went through before the summary could not be printed.
    let store = frontline_store::Store::open(&db).unwrap();
    assert!(!store.actors().unwrap().is_empty());
}

#[test]
fn other_failures_still_report_their_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("frontline.db");
    let missing = dir.path().join("missing.csv");
    let (code, stderr) = with_closed_stdout(&db, &["import", "actors", missing.to_str().unwrap()]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("error: "), "{stderr}");
}
