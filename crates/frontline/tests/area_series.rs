//! The area series (`frontline area --from D1 --to D2 --step S --format csv`): one preparation
//! for every date, and the same figures as asking `frontline area --date D` date by date, each
//! process reading the grid the first one stored.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Run `frontline --db <db> args…` and require success.
fn cli(db: &Path, args: &[&str]) -> String {
    common::ok(db, args)
}

/// The demo database, as `frontline demo --load-only` makes it.
fn demo_db(dir: &Path) -> PathBuf {
    let db = dir.join("frontline.db");
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data");
    cli(
        &db,
        &[
            "demo",
            "--load-only",
            "--data",
            data.to_str().unwrap(),
            "--out",
            dir.join("out").to_str().unwrap(),
        ],
    );
    db
}

/// CSV text to rows of (header → value).
fn rows(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

#[test]
fn the_area_series_equals_the_area_of_each_sampled_date() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let series = rows(&cli(
        &db,
        &[
            "area",
            "--from",
            "2016-01-01",
            "--to",
            "2016-03-04",
            "--step",
            "1w",
            "--format",
            "csv",
        ],
    ));
    let dates: Vec<String> = {
        let mut d: Vec<String> = series.iter().map(|r| r["date"].clone()).collect();
        d.dedup();
        d
    };
    assert_eq!(dates.len(), 10, "{dates:?}");
    assert_eq!(dates[0], "2016-01-01");
    assert_eq!(dates[9], "2016-03-04");
    // The first command stored the grid beside the database; the later ones read it back (and
    // their figures must still be the series').
    let grids: Vec<_> = std::fs::read_dir(dir.path().join("frontline.db.cache/grids"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(grids.len(), 1, "{grids:?}");
    assert!(grids[0].extension().is_some_and(|x| x == "grid"));
    for date in ["2016-01-01", "2016-02-05", "2016-03-04"] {
        let single = rows(&cli(&db, &["area", "--date", date, "--format", "csv"]));
        let of_date: Vec<BTreeMap<String, String>> = series
            .iter()
            .filter(|r| r["date"] == date)
            .map(|r| {
                let mut r = r.clone();
                r.remove("date");
                r
            })
            .collect();
        assert!(single.len() > 3, "{date}: {single:?}");
        assert_eq!(of_date, single, "{date}");
    }
    // A monthly step keeps the day of the month, and its figures are the daily series' figures.
    let monthly = rows(&cli(
        &db,
        &[
            "area",
            "--from",
            "2016-01-01",
            "--to",
            "2016-03-01",
            "--step",
            "1mo",
            "--format",
            "csv",
        ],
    ));
    let mut months: Vec<&str> = monthly.iter().map(|r| r["date"].as_str()).collect();
    months.dedup();
    assert_eq!(months, ["2016-01-01", "2016-02-01", "2016-03-01"]);
    let first_of_series: Vec<_> = series
        .iter()
        .filter(|r| r["date"] == "2016-01-01")
        .collect();
    let first_of_monthly: Vec<_> = monthly
        .iter()
        .filter(|r| r["date"] == "2016-01-01")
        .collect();
    assert_eq!(first_of_series, first_of_monthly);
}

#[test]
fn a_series_and_a_single_date_are_asked_for_one_way_or_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("empty.db");
    for args in [
        &["area", "--from", "2016-01-01"][..],
        &[
            "area",
            "--date",
            "2016-01-01",
            "--from",
            "2016-01-01",
            "--to",
            "2016-02-01",
        ],
        &["area"],
    ] {
        common::fails(&db, args);
    }
}
