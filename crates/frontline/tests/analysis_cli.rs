//! The analysis commands end to end on the bundled real data: import it, then run `share`,
//! `sieges`, `events`, `hotspots`, `trend` and `watch` as a user would.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn data(p: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(p)
        .display()
        .to_string()
}

fn frontline(db: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "frontline {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// A database with the bundled data, imported once for all tests of this file.
fn db() -> &'static Path {
    static DB: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.db");
        let rejects = |n: &str| dir.path().join(n).display().to_string();
        let imports: Vec<Vec<String>> = vec![
            vec!["actors".into(), data("actors.csv")],
            vec![
                "boundaries".into(),
                data("boundaries/ne_10m_admin_0_countries_mideast.geojson"),
                "--kind".into(),
                "country".into(),
            ],
            vec![
                "boundaries".into(),
                data("boundaries/geoBoundaries-IRQ-ADM1.geojson"),
                "--kind".into(),
                "province".into(),
            ],
            vec![
                "gazetteer".into(),
                data("places/geonames_cities500_syr_irq.csv"),
            ],
            vec![
                "gazetteer".into(),
                data("places/ne_10m_populated_places_syr_irq.csv"),
            ],
            vec![
                "wiki".into(),
                data("control/wiki_syria_2017.csv"),
                "--rejects".into(),
                rejects("r1.csv"),
            ],
            vec![
                "wiki".into(),
                data("control/wiki_iraq_2017.csv"),
                "--rejects".into(),
                rejects("r2.csv"),
            ],
            vec![
                "airstrikes".into(),
                data("events/coalition_airstrikes_guardian_2014_2016.csv"),
                "--rejects".into(),
                rejects("r3.csv"),
            ],
            vec![
                "airstrikes".into(),
                data("events/coalition_airstrikes_iraq_syria_2014_2015_informeren.csv"),
                "--rejects".into(),
                rejects("r4.csv"),
            ],
        ];
        for args in imports {
            let mut a = vec!["import"];
            a.extend(args.iter().map(String::as_str));
            frontline(&db, &a);
        }
        (dir, db)
    })
    .1
}

#[test]
fn share_of_mosul_is_mostly_government_and_sums_to_100() {
    let out = frontline(
        db(),
        &[
            "share",
            "--date",
            "2017-07-20",
            "--aoi",
            "Mosul",
            "--format",
            "csv",
            "--population",
        ],
    );
    let rows: Vec<Vec<&str>> = out
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert!(!rows.is_empty(), "{out}");
    assert_eq!(rows[0][2], "iraqi-government", "{out}");
    let first: f64 = rows[0][4].parse().unwrap();
    assert!(first > 90.0, "{out}");
    let sum: f64 = rows.iter().map(|r| r[4].parse::<f64>().unwrap()).sum();
    assert!((sum - 100.0).abs() < 0.01, "{out}");
    let people: u64 = rows.iter().map(|r| r[6].parse::<u64>().unwrap()).sum();
    assert!(people > 1_000_000, "{out}");
}

#[test]
fn sieges_report_the_deir_ez_zor_pockets() {
    let out = frontline(
        db(),
        &[
            "sieges",
            "--date",
            "2017-07-20",
            "--format",
            "csv",
            "--actor",
            "syrian-government",
            "--min-km2",
            "5",
        ],
    );
    // Pockets whose centre lies within ~15 km of Deir ez-Zor, bordered mostly by IS.
    let deir: Vec<&str> = out
        .lines()
        .skip(1)
        .filter(|l| {
            let c: Vec<&str> = l.split(',').collect();
            let (lat, lon): (f64, f64) = (c[2].parse().unwrap(), c[3].parse().unwrap());
            (lat - 35.31).abs() < 0.15 && (lon - 40.12).abs() < 0.15
        })
        .collect();
    assert_eq!(deir.len(), 2, "{out}");
    for l in deir {
        assert!(l.contains(",true,"), "{l}");
        let per = l.rsplit(',').next().unwrap();
        assert!(per.starts_with("islamic-state="), "{l}");
    }
}

#[test]
fn events_show_duplicates_and_write_geojson() {
    let out = frontline(
        db(),
        &[
            "events",
            "--from",
            "2015-06-01",
            "--to",
            "2015-06-30",
            "--type",
            "air_strike",
        ],
    );
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].ends_with("duplicate_of,dup_group,dup_primary"));
    assert!(lines.len() > 100);
    let marked = lines[1..].iter().filter(|l| {
        let c: Vec<&str> = l.rsplitn(4, ',').collect();
        !c[1].is_empty() || !c[2].is_empty()
    });
    assert!(
        marked.count() > 0,
        "no duplicate marked in the overlap of the two compilations"
    );
    let gj = frontline(
        db(),
        &[
            "events",
            "--from",
            "2015-06-01",
            "--to",
            "2015-06-02",
            "--format",
            "geojson",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&gj).unwrap();
    assert_eq!(v["type"], "FeatureCollection");
    assert!(!v["features"].as_array().unwrap().is_empty());
}

#[test]
fn kobani_is_a_hotspot_in_october_2014() {
    let out = frontline(
        db(),
        &[
            "hotspots",
            "--date",
            "2014-10-20",
            "--window",
            "14d",
            "--format",
            "csv",
        ],
    );
    let first = out.lines().nth(1).expect("a hotspot");
    let c: Vec<&str> = first.split(',').collect();
    let (lat, lon): (f64, f64) = (c[1].parse().unwrap(), c[2].parse().unwrap());
    assert!(
        (lat - 36.89).abs() < 0.2 && (lon - 38.35).abs() < 0.2,
        "{first}"
    );
    assert_eq!(c[10], "true");
}

#[test]
fn trend_counts_strikes_per_month() {
    let out = frontline(
        db(),
        &[
            "trend",
            "--actor",
            "us-led-coalition",
            "--from",
            "2015-01-01",
            "--to",
            "2015-03-31",
            "--step",
            "1mo",
            "--no-control",
            "--format",
            "csv",
        ],
    );
    let rows: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(rows.len(), 3, "{out}");
    for r in rows {
        let events: u32 = r.split(',').nth(2).unwrap().parse().unwrap();
        assert!(events > 50, "{r}");
    }
}

#[test]
fn a_watch_fires_once() {
    // Kobani ('Ayn al 'Arab in GeoNames): the coalition's strikes peaked there in October 2014.
    frontline(
        db(),
        &[
            "watch",
            "add",
            "--aoi",
            "Ayn al Arab",
            "--on",
            "activity-spike",
        ],
    );
    let first = frontline(db(), &["watch", "check", "--date", "2014-10-20"]);
    assert!(first.contains("ALERT"), "{first}");
    let again = frontline(db(), &["watch", "check", "--date", "2014-10-20"]);
    assert!(!again.contains("ALERT"), "{again}");
    assert!(frontline(db(), &["watch", "list"]).contains("activity-spike"));
}
