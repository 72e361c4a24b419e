//! The web map in a real browser: builds a database from the bundled Syria/Iraq data with the
//! CLI (actors, countries, gazetteers, both Wikipedia snapshots, the dated control changes, one
//! air-strike compilation), makes an analyst token, starts `frontline serve --web web/dist` on a
//! free port and runs `node web/tests/browser.mjs` (Playwright driving Debian's headless
//! Chromium; see that file for what it checks). Screenshots are kept in target/web-artefacts/.
//!
//! Needs node, chromium, a built web/dist and web/node_modules (`make web`). Without them the
//! test says why and passes, unless FRONTLINE_REQUIRE_BROWSER=1 (CI), where it fails.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// Why the browser test cannot run here, if it cannot.
fn missing() -> Option<String> {
    let web = repo().join("web");
    if Command::new("node").arg("--version").output().is_err() {
        return Some("node is not installed".into());
    }
    if !chromium().is_file() {
        return Some(format!(
            "{} is not installed (or set CHROMIUM)",
            chromium().display()
        ));
    }
    if !web.join("node_modules/playwright-core").is_dir() {
        return Some("web/node_modules is missing: run `make web`".into());
    }
    if !web.join("dist/index.html").is_file() {
        return Some("web/dist is not built: run `make web`".into());
    }
    None
}

/// The server process, killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn frontline(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_frontline"));
    c.arg("--db").arg(db);
    c
}

fn run(mut c: Command) -> String {
    let out = c.output().expect("run frontline");
    assert!(
        out.status.success(),
        "{c:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The bundled data the map is tested on.
fn database(dir: &Path) -> PathBuf {
    let db = dir.join("frontline.db");
    let data = repo().join("data");
    let rejects = dir.join("rejects.csv");
    let unresolved = dir.join("unresolved.csv");
    let steps: &[(&str, &str, &[&str])] = &[
        ("actors", "actors.csv", &[]),
        (
            "boundaries",
            "boundaries/ne_10m_admin_0_countries_mideast.geojson",
            &["--kind", "country"],
        ),
        ("gazetteer", "places/geonames_cities500_syr_irq.csv", &[]),
        (
            "gazetteer",
            "places/ne_10m_populated_places_syr_irq.csv",
            &[],
        ),
        ("wiki", "control/wiki_syria_2017.csv", &["--rejects"]),
        ("wiki", "control/wiki_iraq_2017.csv", &["--rejects"]),
        (
            "changes",
            "control/is_control_changes_2014_2017.csv",
            &["--rejects", "--unresolved"],
        ),
        (
            "airstrikes",
            "events/coalition_airstrikes_iraq_syria_2014_2015_informeren.csv",
            &["--rejects", "--unresolved"],
        ),
    ];
    for (kind, file, opts) in steps {
        let mut c = frontline(&db);
        c.args(["import", kind]).arg(data.join(file));
        for o in *opts {
            match *o {
                "--rejects" => c.arg(o).arg(&rejects),
                "--unresolved" => c.arg(o).arg(&unresolved),
                other => c.arg(other),
            };
        }
        run(c);
    }
    db
}

#[test]
fn the_web_map_works_in_headless_chromium() {
    if let Some(why) = missing() {
        assert!(
            std::env::var("FRONTLINE_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "FRONTLINE_REQUIRE_BROWSER=1 but the browser test cannot run: {why}"
        );
        eprintln!("skipping the browser test: {why}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let mut c = frontline(&db);
    c.args([
        "token",
        "create",
        "--role",
        "analyst",
        "--label",
        "browser-test",
    ]);
    let token = run(c).trim().to_owned();
    assert!(token.starts_with("fl_"), "{token:?}");

    // Reads need a token (no --public): the app must ask for one first.
    let mut child = frontline(&db)
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--resolution",
            "6",
            "--web",
        ])
        .arg(repo().join("web/dist"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start frontline serve");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let server = Server(child);
    let first = lines.next().unwrap().unwrap();
    let url = first
        .strip_prefix("frontline serving on ")
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
        .to_owned();
    let second = lines.next().unwrap().unwrap();
    assert_eq!(second, format!("web map: {url}/"));

    let artefacts = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../web-artefacts");
    let mut node = Command::new("node")
        .arg(repo().join("web/tests/browser.mjs"))
        .arg(format!("{url}/"))
        .arg(&token)
        .arg(&artefacts)
        .env("CHROMIUM", chromium())
        .current_dir(repo().join("web"))
        .spawn()
        .expect("start node");
    // The script takes about a minute on a debug build; a hung browser must not hang CI.
    let start = Instant::now();
    let status = loop {
        if let Some(s) = node.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(600) {
            let _ = node.kill();
            let _ = node.wait();
            panic!("the browser test took more than 10 minutes");
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    drop(server);
    assert!(
        status.success(),
        "web/tests/browser.mjs failed ({status}); screenshots in {}",
        artefacts.display()
    );
    for shot in ["laptop.png", "popup.png", "compare.png", "phone.png"] {
        assert!(artefacts.join(shot).is_file(), "{shot} was not saved");
    }
}
