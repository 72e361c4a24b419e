//! The README's tour runs as written: every `frontline …` line of README.md's shell blocks, run
//! in a folder like the one `make demo` leaves (the demo database and the bundled `data/`), must
//! succeed. `serve` is left out: it runs until stopped (the server tests start it).

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every command line of the README's `sh` blocks that starts with `frontline`, split at `&&`,
/// without trailing comments.
fn readme_lines() -> Vec<String> {
    let text = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let mut out = Vec::new();
    let mut in_sh = false;
    for line in text.lines() {
        if line.starts_with("```") {
            in_sh = line.trim() == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        let code = line.split(" #").next().unwrap_or("").trim();
        for part in code.split("&&") {
            let part = part.trim();
            if part.starts_with("frontline ") {
                out.push(part.to_owned());
            }
        }
    }
    out
}

fn frontline(cwd: &Path, db: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_frontline"))
        .current_dir(cwd)
        .env("FRONTLINE_DB", db)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn every_frontline_line_of_the_readme_runs_after_the_demo() {
    let lines = readme_lines();
    assert!(lines.len() > 20, "the tour was found: {lines:?}");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("frontline.db");
    let load = frontline(
        dir.path(),
        &db,
        &[
            "demo",
            "--load-only",
            "--data",
            repo().join("data").to_str().unwrap(),
        ],
    );
    assert!(
        load.status.success(),
        "{}",
        String::from_utf8_lossy(&load.stderr)
    );
    // The folder the demo leaves holds the bundled data the tour's lines name.
    #[cfg(unix)]
    std::os::unix::fs::symlink(repo().join("data"), dir.path().join("data")).unwrap();
    let mut ran = 0;
    for line in &lines {
        assert!(
            !line.contains(['"', '\'']),
            "{line}: quoted arguments are not split here"
        );
        let args: Vec<&str> = line.split_whitespace().skip(1).collect();
        if args.first() == Some(&"serve") {
            continue;
        }
        let out = frontline(dir.path(), &db, &args);
        assert!(
            out.status.success(),
            "`{line}` failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        ran += 1;
    }
    assert!(ran > 20);
}
