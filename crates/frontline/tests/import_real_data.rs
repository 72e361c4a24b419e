//! Every bundled file imports, with counts that match the files themselves, and importing
//! everything a second time changes nothing.

mod common;

use common::*;
use frontline_store::{places, EventFilter, Store};

/// Data rows of a CSV (after the header), counted with the csv crate.
fn csv_rows(path: &std::path::Path) -> Vec<csv::StringRecord> {
    let mut r = csv::Reader::from_path(path).unwrap();
    r.records().map(Result::unwrap).collect()
}

/// The wiki file's rows that are not control marks, and its identical repeats.
fn wiki_expectations(path: &std::path::Path) -> (usize, usize, usize) {
    let rows = csv_rows(path);
    let decorations = rows
        .iter()
        .filter(|r| r[2].starts_with("m.pass") || r[2].ends_with(".svg"))
        .count();
    let mut seen = std::collections::HashSet::new();
    let repeats = rows
        .iter()
        .filter(|r| !(r[2].starts_with("m.pass") || r[2].ends_with(".svg")))
        .filter(|r| {
            let key = (
                r[0].parse::<f64>().unwrap_or(f64::NAN).to_string(),
                r[1].parse::<f64>().unwrap_or(f64::NAN).to_string(),
                r[2].to_owned(),
                r[3].to_owned(),
            );
            !seen.insert(key)
        })
        .count();
    (rows.len(), decorations, repeats)
}

fn number_after(text: &str, label: &str) -> u64 {
    let at = text
        .find(label)
        .unwrap_or_else(|| panic!("{label:?} not in {text}"));
    let before = text[..at].trim_end();
    before.rsplit([' ', ',']).next().unwrap().parse().unwrap()
}

/// Import every bundled file; returns each import's stdout.
fn import_everything(db: &std::path::Path, dir: &tempfile::TempDir) -> Vec<String> {
    let rejects = dir.path().join("rejects.csv");
    let unresolved = dir.path().join("unresolved.csv");
    let steps: Vec<Vec<String>> = vec![
        vec!["actors".into(), p(&data("actors.csv")).into()],
        vec![
            "gazetteer".into(),
            p(&data("places/geonames_cities500_syr_irq.csv")).into(),
        ],
        vec![
            "gazetteer".into(),
            p(&data("places/ne_10m_populated_places_syr_irq.csv")).into(),
        ],
        vec![
            "boundaries".into(),
            p(&data("boundaries/ne_10m_admin_0_countries_mideast.geojson")).into(),
            "--kind".into(),
            "country".into(),
        ],
        vec![
            "boundaries".into(),
            p(&data("boundaries/geoBoundaries-IRQ-ADM1.geojson")).into(),
            "--kind".into(),
            "province".into(),
        ],
        vec![
            "wiki".into(),
            p(&data("control/wiki_syria_2017.csv")).into(),
            "--rejects".into(),
            p(&rejects).into(),
        ],
        vec![
            "wiki".into(),
            p(&data("control/wiki_iraq_2017.csv")).into(),
            "--rejects".into(),
            p(&rejects).into(),
        ],
        vec![
            "changes".into(),
            p(&data("control/is_control_changes_2014_2017.csv")).into(),
            "--unresolved".into(),
            p(&unresolved).into(),
        ],
        vec![
            "ucdp".into(),
            p(&data(
                "events/ucdp_ged_syria_iraq_2003_2019_yearonly.csv.gz",
            ))
            .into(),
        ],
        vec![
            "airstrikes".into(),
            p(&data("events/coalition_airstrikes_guardian_2014_2016.csv")).into(),
        ],
        vec![
            "airstrikes".into(),
            p(&data(
                "events/coalition_airstrikes_iraq_syria_2014_2015_informeren.csv",
            ))
            .into(),
        ],
    ];
    steps
        .iter()
        .map(|args| {
            let mut a = vec!["import"];
            a.extend(args.iter().map(String::as_str));
            ok(db, &a)
        })
        .collect()
}

#[test]
fn every_bundled_file_imports_with_counts_that_match_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("all.db");
    let out = import_everything(&db, &dir);

    assert!(
        out[0].starts_with("actors") && out[0].contains("9 inserted"),
        "{}",
        out[0]
    );
    assert!(out[1].contains("477 inserted"), "{}", out[1]);
    assert!(out[2].contains("48 inserted"), "{}", out[2]);
    // Natural Earth 10m: Jordan, Saudi Arabia and Palestine are invalid as given.
    assert!(
        out[3].contains("15 inserted") && out[3].contains("3 geometries repaired"),
        "{}",
        out[3]
    );
    assert!(out[4].contains("18 inserted"), "{}", out[4]);

    // Wiki: rows = inserted + skipped (not control marks, identical repeats) + rejected (the
    // out-of-range Kharab Suluq in Syria; the undocumented m.SDF_rural4 mark in Iraq).
    for (i, file) in [
        (5, "control/wiki_syria_2017.csv"),
        (6, "control/wiki_iraq_2017.csv"),
    ] {
        let (rows, decorations, repeats) = wiki_expectations(&data(file));
        let inserted = number_after(&out[i], " inserted");
        let skipped = number_after(&out[i], " skipped");
        let rejected = number_after(&out[i], " rejected");
        assert_eq!(rejected, 1, "{}", out[i]);
        assert_eq!(skipped as usize, decorations + repeats, "{}", out[i]);
        assert_eq!(inserted as usize + skipped as usize + 1, rows, "{}", out[i]);
    }
    assert_eq!(
        wiki_expectations(&data("control/wiki_syria_2017.csv")).0,
        5526
    );

    // Changes: every row is imported or listed as unresolved, none guessed or lost.
    let changes_rows = csv_rows(&data("control/is_control_changes_2014_2017.csv")).len() as u64;
    assert_eq!(changes_rows, 765);
    let inserted = number_after(&out[7], " inserted");
    let unresolved = number_after(&out[7], " unresolved");
    // A located capture naming its previous controller also gives an observation of that
    // previous holder on the day before the change.
    let captures_with_previous = csv_rows(&data("control/is_control_changes_2014_2017.csv"))
        .iter()
        .filter(|r| matches!(&r[8], "captured" | "recaptured") && !r[7].is_empty())
        .count() as u64;
    let previous_holders = Store::open(&db)
        .unwrap()
        .observations(None)
        .unwrap()
        .iter()
        .filter(|s| {
            s.observation
                .note
                .as_deref()
                .is_some_and(|n| n.starts_with("held until the change of"))
        })
        .count() as u64;
    assert!(previous_holders > 0 && previous_holders <= captures_with_previous);
    assert_eq!(
        inserted,
        changes_rows - unresolved + previous_holders,
        "{}",
        out[7]
    );
    let listed = std::fs::read_to_string(dir.path().join("unresolved.csv")).unwrap();
    assert_eq!(listed.lines().count() as u64, unresolved + 1);

    assert!(out[8].contains("57320 inserted"), "{}", out[8]);

    // Air strikes: Guardian 4,773 rows, 7 without coordinates and unresolvable; Information
    // 1,860 rows, one reporting zero strikes.
    assert!(
        out[9].contains("4766 inserted") && out[9].contains("7 unresolved"),
        "{}",
        out[9]
    );
    assert!(
        out[10].contains("1859 inserted") && out[10].contains("1 skipped"),
        "{}",
        out[10]
    );

    let store = Store::open(&db).unwrap();
    let c = store.counts().unwrap();
    assert_eq!(c.actors, 9);
    assert_eq!(c.places, 525);
    assert_eq!(c.areas, 33);
    assert_eq!(c.events + c.event_duplicates, 57_320 + 4_766 + 1_859);
    assert!(c.event_duplicates > 0);
    assert_eq!(c.imports, 11);

    // UCDP keeps year precision: every event spans its whole year.
    let ucdp = store
        .events(&EventFilter {
            dataset: Some("ucdp-ged".into()),
            from: Some("2014-06-01".parse().unwrap()),
            to: Some("2014-06-30".parse().unwrap()),
            ..Default::default()
        })
        .unwrap();
    assert!(!ucdp.is_empty());
    assert!(ucdp
        .iter()
        .all(|e| e.date.precision() == frontline_core::DatePrecision::Year));

    // Every counted air strike has at most one duplicate per other source.
    let strikes = store
        .stored_events(&EventFilter {
            event_type: Some(frontline_core::EventType::AirStrike),
            include_duplicates: true,
            ..Default::default()
        })
        .unwrap();
    for s in strikes.iter().filter(|s| s.duplicate_of.is_some()) {
        let target = s.duplicate_of.as_ref().unwrap();
        let t = strikes.iter().find(|e| &e.event.key == target).unwrap();
        assert_eq!(t.event.date, s.event.date);
        assert!(t.duplicate_of.is_none());
    }

    // The two Mosuls (and Natural Earth's Mosul) are one settlement, counted once.
    let all = store.places().unwrap();
    let groups = places::settlements(&all);
    let mosul = groups
        .iter()
        .find(|g| {
            g.members
                .iter()
                .any(|&i| all[i].id.as_str() == "geonames:99072")
        })
        .unwrap();
    let ids: Vec<&str> = mosul.members.iter().map(|&i| all[i].id.as_str()).collect();
    assert!(
        ids.contains(&"geonames:99071") && ids.contains(&"ne:IRQ/Mosul"),
        "{ids:?}"
    );
    // Natural Earth entries that name a GeoNames id fall in that entry's settlement.
    let ne = csv_rows(&data("places/ne_10m_populated_places_syr_irq.csv"));
    for r in &ne {
        let gid = r[11].trim_end_matches(".0");
        let ne_id = format!("ne:{}/{}", &r[2], &r[1]);
        let gn_id = format!("geonames:{gid}");
        if !all.iter().any(|p| p.id.as_str() == gn_id) {
            continue;
        }
        let together = groups.iter().any(|g| {
            let ids: Vec<&str> = g.members.iter().map(|&i| all[i].id.as_str()).collect();
            ids.contains(&ne_id.as_str()) && ids.contains(&gn_id.as_str())
        });
        assert!(together, "{ne_id} and {gn_id} are not one settlement");
    }

    // Importing everything again changes nothing.
    let again = import_everything(&db, &dir);
    for o in &again {
        assert!(
            o.contains(" 0 inserted, ") && o.contains(" 0 superseded"),
            "{o}"
        );
    }
    let c2 = Store::open(&db).unwrap().counts().unwrap();
    assert_eq!(
        (
            c2.actors,
            c2.places,
            c2.areas,
            c2.observations,
            c2.events,
            c2.event_duplicates
        ),
        (
            c.actors,
            c.places,
            c.areas,
            c.observations,
            c.events,
            c.event_duplicates
        )
    );
}

/// `--presence islamic-state`: every counted strike also becomes a low-graded observation
/// inferred from it, pointing at its event; duplicates of another compilation add none;
/// re-importing changes nothing; an unknown actor is refused before anything is written.
#[test]
fn strikes_imported_with_presence_become_inferred_observations_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("strikes.db");
    let guardian = data("events/coalition_airstrikes_guardian_2014_2016.csv");
    ok(&db, &["import", "actors", p(&data("actors.csv"))]);
    let refused = fails(
        &db,
        &[
            "import",
            "airstrikes",
            p(&guardian),
            "--presence",
            "daesh-typo",
        ],
    );
    assert!(refused.contains("--presence \"daesh-typo\""), "{refused}");
    assert_eq!(counts(&db).events, 0);

    let args = [
        "import",
        "airstrikes",
        p(&guardian),
        "--presence",
        "islamic-state",
    ];
    let first = ok(&db, &args);
    let store = Store::open(&db).unwrap();
    let events = store
        .events(&EventFilter {
            dataset: Some("airstrikes-guardian".into()),
            ..Default::default()
        })
        .unwrap();
    let obs: Vec<_> = store
        .observations(None)
        .unwrap()
        .into_iter()
        .map(|s| s.observation)
        .collect();
    // One per counted (non-duplicate) strike row.
    assert_eq!(obs.len(), events.len(), "{first}");
    let ids: std::collections::HashSet<&str> = events.iter().map(|e| e.key.id.as_str()).collect();
    for o in &obs {
        assert!(o.is_inferred());
        assert_eq!(o.actor.as_str(), "islamic-state");
        assert_eq!(o.grading.unwrap().to_string(), "D4");
        let Some(frontline_core::Evidence::Events {
            dataset, ids: from, ..
        }) = o.evidence.first()
        else {
            panic!("no event evidence on {}", o.key);
        };
        assert_eq!(dataset, "airstrikes-guardian");
        assert!(from.iter().all(|id| ids.contains(id.as_str())));
    }
    drop(store);
    let again = ok(&db, &args);
    assert!(again.contains(" 0 inserted"), "{again}");
}
