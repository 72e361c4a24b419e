//! Each format's mapping, on small fixtures written in the real layouts: the Lua text gives
//! the same observations as the CSV, UCDP and ACLED dates keep their precision, air-strike
//! overlaps are linked rather than counted twice, and every importer is idempotent.

mod common;

use common::*;
use frontline_core::{ControlStatus, DatePrecision, EventType, FeatureType, Footprint};
use frontline_store::{EventFilter, Store};

#[test]
fn the_lua_text_gives_the_same_observations_as_the_csv_rows() {
    let dir = tempfile::tempdir().unwrap();
    let csv_db = db_with_actors(&dir);
    let lua_db = dir.path().join("lua.db");
    ok(&lua_db, &["import", "actors", p(&data("actors.csv"))]);
    let a = ok(
        &csv_db,
        &["import", "wiki", p(&fixture("wiki_iraq_sample.csv"))],
    );
    let b = ok(
        &lua_db,
        &["import", "wiki-lua", p(&fixture("wiki_iraq_sample.lua"))],
    );
    assert!(a.contains("6 inserted") && a.contains("3 skipped"), "{a}");
    assert!(b.contains("6 inserted") && b.contains("3 skipped"), "{b}");
    let strip = |db: &std::path::Path| {
        let mut v: Vec<_> = Store::open(db)
            .unwrap()
            .observations(None)
            .unwrap()
            .into_iter()
            .map(|mut s| {
                s.observation.recorded_at = chrono::DateTime::UNIX_EPOCH;
                s.observation
            })
            .collect();
        v.sort_by(|x, y| x.key.cmp(&y.key));
        v
    };
    let (from_csv, from_lua) = (strip(&csv_db), strip(&lua_db));
    assert_eq!(from_csv, from_lua);
    let mosul = from_csv
        .iter()
        .find(|o| o.label.as_deref() == Some("Mosul"))
        .unwrap();
    assert_eq!(mosul.actor.as_str(), "iraqi-government");
    assert_eq!(mosul.observed.to_string(), "2017-07");
    assert_eq!(mosul.observed.precision(), DatePrecision::Month);
    let contested = from_csv
        .iter()
        .find(|o| o.label.as_deref() == Some("Qaryat ash Shuwayrat"))
        .unwrap();
    assert_eq!(contested.status, ControlStatus::Contested);
    assert_eq!(contested.actor2.as_ref().unwrap().as_str(), "islamic-state");
    let base = from_csv
        .iter()
        .find(|o| o.label.as_deref() == Some("Test base"))
        .unwrap();
    assert_eq!(base.feature, FeatureType::Base);
    // In the Iraq module m.SDF means Iraqi Kurdish forces.
    let bashiqa = from_csv
        .iter()
        .find(|o| o.label.as_deref() == Some("Bashiqa"))
        .unwrap();
    assert_eq!(bashiqa.actor.as_str(), "kurdistan-region");
}

#[test]
fn the_snapshot_date_can_be_given_and_the_module_must_be_known() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_with_actors(&dir);
    let copy = write(
        &dir,
        "snapshot.csv",
        std::fs::read(fixture("wiki_iraq_sample.csv")).unwrap(),
    );
    let err = fails(&db, &["import", "wiki", p(&copy)]);
    assert!(err.contains("--module"), "{err}");
    ok(
        &db,
        &[
            "import",
            "wiki",
            p(&copy),
            "--module",
            "iraq",
            "--date",
            "2016-10-17",
        ],
    );
    let obs = Store::open(&db).unwrap().observations(None).unwrap();
    assert!(obs
        .iter()
        .all(|s| s.observation.observed.to_string() == "2016-10"));
}

#[test]
fn own_schema_csv_and_geojson_import_with_keys_grading_evidence_and_repaired_polygons() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_with_actors(&dir);
    let a = ok(
        &db,
        &["import", "observations", p(&fixture("observations.csv"))],
    );
    assert!(a.contains("3 inserted"), "{a}");
    let b = ok(
        &db,
        &[
            "import",
            "observations",
            p(&fixture("observations.geojson")),
        ],
    );
    assert!(
        b.contains("3 inserted") && b.contains("1 geometries repaired"),
        "{b}"
    );
    let store = Store::open(&db).unwrap();
    let obs = store.observations(None).unwrap();
    let dam = obs
        .iter()
        .find(|s| s.observation.key.as_str() == "dam-tabqa")
        .unwrap();
    assert_eq!(dam.observation.grading.unwrap().to_string(), "A1");
    assert!(matches!(
        dam.observation.evidence[0],
        frontline_core::Evidence::SatelliteScene { .. }
    ));
    assert_eq!(dam.observation.observed.precision(), DatePrecision::Month);
    let bowtie = obs
        .iter()
        .find(|s| s.observation.label.as_deref() == Some("bowtie"))
        .unwrap();
    let Footprint::Area(mp) = &bowtie.observation.footprint else {
        panic!("not an area")
    };
    assert_eq!(mp.0.len(), 2, "both lobes of the bowtie are kept");
    assert_eq!(bowtie.observation.feature, FeatureType::Area);
    // Editing a keyed row in the file makes a new version; the old one stays in the history.
    let edited = std::fs::read_to_string(fixture("observations.csv"))
        .unwrap()
        .replace("verified on imagery", "re-checked");
    let path = write(&dir, "edited.csv", edited);
    let c = ok(&db, &["import", "observations", p(&path)]);
    assert!(
        c.contains("1 superseded") && c.contains("2 unchanged"),
        "{c}"
    );
    let history = store
        .observation_history(&frontline_core::ObservationKey::new("dam-tabqa").unwrap())
        .unwrap();
    assert_eq!(history.len(), 2);
}

#[test]
fn ucdp_full_layout_keeps_each_rows_date_precision() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_with_actors(&dir);
    let out = ok(
        &db,
        &["import", "ucdp", p(&fixture("ucdp_full_sample.csv"))],
    );
    assert!(
        out.contains("3 inserted") && out.contains("full public layout"),
        "{out}"
    );
    let events = Store::open(&db)
        .unwrap()
        .events(&EventFilter::default())
        .unwrap();
    let by_id = |id: &str| events.iter().find(|e| e.key.id == id).unwrap();
    let palmyra = by_id("900001");
    assert_eq!(palmyra.date.to_string(), "2017-03-02");
    assert_eq!(palmyra.event_type, EventType::Battle);
    let f = palmyra.fatalities.unwrap();
    assert_eq!((f.low(), f.best(), f.high()), (12, 14, 20));
    assert_eq!(
        palmyra.side_a[0].actor.as_ref().unwrap().as_str(),
        "syrian-government"
    );
    assert_eq!(
        palmyra.side_b[0].actor.as_ref().unwrap().as_str(),
        "islamic-state"
    );
    let raqqa = by_id("900002");
    assert_eq!(raqqa.date.precision(), DatePrecision::Month);
    assert_eq!(raqqa.event_type, EventType::ViolenceAgainstCivilians);
    assert_eq!(by_id("900003").date.precision(), DatePrecision::Year);
    assert_eq!(by_id("900003").country.as_deref(), Some("IRQ"));
}

#[test]
fn acled_export_maps_types_precision_and_associated_actors() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_with_actors(&dir);
    let out = ok(&db, &["import", "acled", p(&fixture("acled_sample.csv"))]);
    assert!(out.contains("3 inserted"), "{out}");
    let events = Store::open(&db)
        .unwrap()
        .events(&EventFilter::default())
        .unwrap();
    let by_id = |id: &str| events.iter().find(|e| e.key.id == id).unwrap();
    let battle = by_id("SYR1001");
    assert_eq!(battle.event_type, EventType::Battle);
    assert_eq!(battle.side_a.len(), 2);
    assert_eq!(battle.fatalities.unwrap().best(), 12);
    let strike = by_id("SYR1002");
    assert_eq!(strike.event_type, EventType::AirStrike);
    assert_eq!(strike.date.precision(), DatePrecision::Month);
    assert_eq!(
        strike.side_a[1].actor.as_ref().unwrap().as_str(),
        "us-led-coalition"
    );
    assert_eq!(
        by_id("IRQ2001").event_type,
        EventType::ViolenceAgainstCivilians
    );
}

#[test]
fn overlapping_strike_compilations_are_linked_not_counted_twice() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_with_actors(&dir);
    ok(
        &db,
        &["import", "airstrikes", p(&fixture("airstrikes_a.csv"))],
    );
    ok(
        &db,
        &["import", "airstrikes", p(&fixture("airstrikes_b.csv"))],
    );
    let store = Store::open(&db).unwrap();
    let c = store.counts().unwrap();
    // A: Kobani (ir), Raqqa (ir), Raqqa #2 (ir, a second entry of the same release) counted;
    // Kobani (dashboard) linked. B: Kobane 06-10 linked; Hasakah and Kobane 06-11 counted.
    assert_eq!((c.events, c.event_duplicates), (5, 2));
    let strikes: u32 = store
        .events(&EventFilter::default())
        .unwrap()
        .iter()
        .map(|e| e.count)
        .sum();
    assert_eq!(strikes, 3 + 1 + 2 + 2 + 1);
    for f in ["airstrikes_a.csv", "airstrikes_b.csv"] {
        let again = ok(&db, &["import", "airstrikes", p(&fixture(f))]);
        assert!(
            again.contains(" 0 inserted") && again.contains(" 0 superseded"),
            "{again}"
        );
    }
}

#[test]
fn control_changes_map_to_statuses_and_joint_captures_to_shared() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_with_actors(&dir);
    let path = write(
        &dir,
        "changes.csv",
        "date,precision,place,country,lat,lon,new_controller,previous_controller,change,source_url,quote\n\
         2014-06-01,month,Amerli,IRQ,34.72,44.59,Islamic State,Iraqi government,besieged,http://a,\"encircled since June\"\n\
         2014-08-31,day,Amerli,IRQ,34.72,44.59,Kurdish Peshmerga and Iraqi government,Islamic State,siege_broken,http://b,q\n\
         2016-08-27,day,al-Rai,SYR,36.6,37.3,Islamic State,Turkish-backed opposition,contested,http://c,q\n\
         2016-10-10,day,Nowhere-on-any-map,SYR,,,SDF,Islamic State,captured,http://d,q\n",
    );
    let unresolved = dir.path().join("unresolved.txt");
    let out = ok(
        &db,
        &[
            "import",
            "changes",
            p(&path),
            "--unresolved",
            p(&unresolved),
        ],
    );
    assert!(
        out.contains("3 inserted") && out.contains("1 unresolved"),
        "{out}"
    );
    assert!(std::fs::read_to_string(&unresolved)
        .unwrap()
        .contains("Nowhere-on-any-map"));
    let obs = Store::open(&db).unwrap().observations(None).unwrap();
    let find = |status| {
        obs.iter()
            .map(|s| &s.observation)
            .find(|o| o.status == status)
            .unwrap()
    };
    let besieged = find(ControlStatus::Besieged);
    assert_eq!(besieged.actor.as_str(), "iraqi-government");
    assert_eq!(besieged.actor2.as_ref().unwrap().as_str(), "islamic-state");
    assert_eq!(besieged.observed.precision(), DatePrecision::Month);
    let shared = find(ControlStatus::Shared);
    assert_eq!(
        (
            shared.actor.as_str(),
            shared.actor2.as_ref().unwrap().as_str()
        ),
        ("kurdistan-region", "iraqi-government")
    );
    let contested = find(ControlStatus::Contested);
    assert_eq!(
        contested.actor2.as_ref().unwrap().as_str(),
        "syrian-opposition"
    );
    assert_eq!(contested.source.url.as_deref(), Some("http://c"));
}

#[test]
fn geonames_dump_layout_reads_alternate_names() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_with_actors(&dir);
    let out = ok(
        &db,
        &[
            "import",
            "gazetteer",
            p(&fixture("geonames_dump_sample.txt")),
        ],
    );
    assert!(out.contains("2 inserted"), "{out}");
    let places = Store::open(&db).unwrap().places().unwrap();
    let aleppo = places.iter().find(|p| p.name == "Aleppo").unwrap();
    assert_eq!(aleppo.country, "SYR");
    assert!(aleppo.alternate_names.iter().any(|a| a == "Halab"));
    assert_eq!(aleppo.population.as_ref().unwrap().count, 1_602_264);
}

#[test]
fn every_importer_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_with_actors(&dir);
    let runs: &[&[&str]] = &[
        &["actors", "ACTORS"],
        &["observations", "observations.csv"],
        &["observations", "observations.geojson"],
        &["wiki", "wiki_iraq_sample.csv"],
        &["wiki-lua", "wiki_iraq_sample.lua"],
        &["gazetteer", "geonames_dump_sample.txt"],
        &["ucdp", "ucdp_full_sample.csv"],
        &["acled", "acled_sample.csv"],
        &["airstrikes", "airstrikes_b.csv"],
        &["boundaries", "BOUNDARIES"],
        &["changes", "CHANGES"],
    ];
    for run in runs {
        let file = match run[1] {
            "ACTORS" => data("actors.csv"),
            "BOUNDARIES" => data("boundaries/geoBoundaries-IRQ-ADM1.geojson"),
            "CHANGES" => data("control/is_control_changes_2014_2017.csv"),
            f => fixture(f),
        };
        ok(&db, &["import", run[0], p(&file)]);
        let before = counts(&db);
        let again = ok(&db, &["import", run[0], p(&file)]);
        assert!(
            again.contains(" 0 inserted, ") && again.contains(" 0 superseded"),
            "{again}"
        );
        let after = counts(&db);
        // A re-import that changes nothing is not recorded in the import log either.
        assert_eq!(after.imports, before.imports);
        assert_eq!(
            (
                after.observations,
                after.events,
                after.places,
                after.areas,
                after.actors
            ),
            (
                before.observations,
                before.events,
                before.places,
                before.areas,
                before.actors
            )
        );
    }
}

/// UCDP and ACLED revise and delete rows between releases: `--sync` imports a release whole,
/// recording edits as new versions and deletions as retirements, and a second import of the same
/// release changes nothing.
#[test]
fn a_synced_release_records_revised_and_deleted_rows_and_reimports_as_a_no_op() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_with_actors(&dir);
    let text = std::fs::read_to_string(fixture("ucdp_full_sample.csv")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "a header and three events");
    let first = write(&dir, "ged_v1.csv", format!("{}\n", lines.join("\n")));
    // The next release revises the first row's place and drops the third row.
    let revised = lines[1].replacen(",Palmyra town,", ",Tadmur town,", 1);
    assert_ne!(revised, lines[1]);
    let second = write(
        &dir,
        "ged_v2.csv",
        format!("{}\n{revised}\n{}\n", lines[0], lines[2]),
    );
    let out = ok(&db, &["import", "ucdp", p(&first), "--sync"]);
    assert!(out.contains("3 inserted"), "{out}");
    assert_eq!(counts(&db).events, 3);
    let out = ok(&db, &["import", "ucdp", p(&second), "--sync"]);
    assert!(
        out.contains("1 unchanged, 1 superseded") && out.contains("1 retired"),
        "{out}"
    );
    assert_eq!(counts(&db).events, 2);
    // Nothing was lost: the dropped row's versions are all there.
    let store = Store::open(&db).unwrap();
    let dropped = lines[3].split(',').next().unwrap();
    let key = frontline_core::EventKey {
        dataset: "ucdp-ged".into(),
        id: dropped.into(),
    };
    let history = store.event_history(&key).unwrap();
    assert_eq!(history.len(), 2, "{history:?}");
    assert!(history[1].retired && history[1].event == history[0].event);
    drop(store);
    let imports = counts(&db).imports;
    let out = ok(&db, &["import", "ucdp", p(&second), "--sync"]);
    assert!(
        out.contains("0 inserted, 2 unchanged, 0 superseded"),
        "{out}"
    );
    assert!(!out.contains("retired"), "{out}");
    assert_eq!(counts(&db).imports, imports);
    // Without --sync, a partial file retires nothing.
    let out = ok(&db, &["import", "ucdp", p(&first)]);
    assert!(!out.contains("retired"), "{out}");
    // Sync cannot set rows aside: a rejected row would look deleted upstream.
    let err = fails(
        &db,
        &[
            "import",
            "ucdp",
            p(&second),
            "--sync",
            "--rejects",
            p(&dir.path().join("r.csv")),
        ],
    );
    assert!(err.contains("--rejects"), "{err}");
}
