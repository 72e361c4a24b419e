//! Workflow tests of the control commands on the bundled real data, through the binary: import
//! the Syria + Iraq snapshot, the dated changes, boundaries and gazetteer, then check the exact
//! output formats that are read from outside (`area` CSV, `whois` CSV), the GeoPackage, and
//! "as known on".

use std::path::{Path, PathBuf};
use std::process::Command;

fn data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

fn run(db: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn loaded() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let d = data();
    let p = |s: &str| d.join(s).to_str().unwrap().to_owned();
    let rej = dir.path().join("rejects.csv");
    let unres = dir.path().join("unresolved.csv");
    run(&db, &["import", "actors", &p("actors.csv")]);
    run(
        &db,
        &[
            "import",
            "boundaries",
            &p("boundaries/ne_10m_admin_0_countries_mideast.geojson"),
            "--kind",
            "country",
        ],
    );
    run(
        &db,
        &[
            "import",
            "gazetteer",
            &p("places/geonames_cities500_syr_irq.csv"),
        ],
    );
    for m in ["syria", "iraq"] {
        run(
            &db,
            &[
                "import",
                "wiki",
                &p(&format!("control/wiki_{m}_2017.csv")),
                "--rejects",
                rej.to_str().unwrap(),
            ],
        );
    }
    run(
        &db,
        &[
            "import",
            "changes",
            &p("control/is_control_changes_2014_2017.csv"),
            "--unresolved",
            unres.to_str().unwrap(),
        ],
    );
    (dir, db)
}

#[test]
fn control_commands_work_on_the_real_snapshot() {
    let (dir, db) = loaded();

    // area CSV: exactly actor,area_km2,share_pct; rows sum to Syria + Iraq.
    let csv = run(&db, &["area", "--date", "2017-07-20", "--format", "csv"]);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("actor,area_km2,share_pct"));
    let rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    let total: f64 = rows.iter().map(|r| r[1].parse::<f64>().unwrap()).sum();
    assert!(
        (total - (185_941.4 + 437_381.3)).abs() < 5.0,
        "total {total}"
    );
    assert!(rows.iter().any(|r| r[0] == "unassessed"));
    assert!(rows
        .iter()
        .any(|r| r[0] == "islamic-state" && r[1].parse::<f64>().unwrap() > 10_000.0));
    let by = run(
        &db,
        &[
            "area",
            "--date",
            "2017-07-20",
            "--by",
            "country",
            "--format",
            "csv",
        ],
    );
    assert!(by.starts_with("country,actor,area_km2,share_pct\n"));
    assert!(by.contains("\nIRQ,iraqi-government,"));

    // whois: exactly id,lat,lon,actor,status,confidence.
    let pts = dir.path().join("pts.csv");
    std::fs::write(&pts, "id,lat,lon\nmosul,36.34,43.13\ndesert,30.0,45.0\n").unwrap();
    let who = run(
        &db,
        &[
            "whois",
            "--date",
            "2017-07-20",
            "--points",
            pts.to_str().unwrap(),
        ],
    );
    let mut w = who.lines();
    assert_eq!(w.next(), Some("id,lat,lon,actor,status,confidence"));
    assert!(w
        .next()
        .unwrap()
        .starts_with("mosul,36.34,43.13,iraqi-government,held,"));
    assert!(w
        .next()
        .unwrap()
        .starts_with("desert,30.0,45.0,unassessed,"));

    // As known on a day before anything was recorded: nothing is known, all unassessed.
    let before = run(
        &db,
        &[
            "area",
            "--date",
            "2017-07-20",
            "--known-on",
            "2000-01-01",
            "--format",
            "csv",
        ],
    );
    assert_eq!(before.lines().count(), 2, "{before}");
    assert!(before.contains("unassessed,") && before.contains(",100.00"));

    // GeoPackage: the metadata tables GDAL needs, one row per feature.
    let gpkg = dir.path().join("c.gpkg");
    run(
        &db,
        &[
            "control",
            "--date",
            "2017-07-20",
            "--format",
            "gpkg",
            "--out",
            gpkg.to_str().unwrap(),
        ],
    );
    let conn = rusqlite::Connection::open(&gpkg).unwrap();
    let app: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(app, 0x4750_4B47);
    let n: i64 = conn
        .query_row("SELECT count(*) FROM control", [], |r| r.get(0))
        .unwrap();
    assert!(n >= 8);
    let geom: String = conn
        .query_row(
            "SELECT geometry_type_name FROM gpkg_geometry_columns WHERE table_name='control'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(geom, "MULTIPOLYGON");

    // diff and explain run and name what they should.
    let d = run(&db, &["diff", "2016-02-01", "2017-07-20"]);
    assert!(d.contains("islamic-state"));
    let e = run(
        &db,
        &["explain", "--date", "2016-02-01", "--at", "36.34,43.13"],
    );
    assert!(e.contains("islamic-state"), "{e}");
    assert!(e.contains("observed 2014-06-10"), "{e}");

    // People per actor: every settlement counted once, the shares sum to 100 %, and the two
    // governments (Damascus, Aleppo, Baghdad) hold far more people than Islamic State.
    let pop = run(&db, &["population", "--date", "2017-07-20"]);
    let people = |actor: &str| -> u64 {
        pop.lines()
            .find(|l| l.split_whitespace().next() == Some(actor))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    let pct: f64 = pop
        .lines()
        .skip(2)
        .filter_map(|l| l.split_whitespace().nth(2))
        .filter_map(|p| p.trim_end_matches('%').parse::<f64>().ok())
        .sum();
    assert!((pct - 100.0).abs() < 0.1, "{pop}");
    assert!(
        people("syrian-government") > 5 * people("islamic-state")
            && people("iraqi-government") > 5 * people("islamic-state")
            && people("islamic-state") > 100_000,
        "{pop}"
    );
}
