//! The store's contract: append-only versions, "known on" queries, the concurrent-edit rule,
//! idempotent imports and all-or-nothing batches.

use chrono::{DateTime, TimeZone, Utc};
use frontline_core::{
    ActorId, ControlStatus, Event, EventKey, EventParty, EventType, FeatureType, Footprint, LatLon,
    LocationPrecision, Observation, ObservationKey, ObservedDate, Source,
};
use frontline_store::audit::{self, AuditFilter};
use frontline_store::{Editor, EventFilter, ImportBatch, NewEvent, Store, StoreError};
use std::sync::{Arc, Mutex};

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, day, 12, 0, 0).unwrap()
}

/// A store whose clock reads whatever the returned handle is set to.
fn store_with_clock() -> (Store, Arc<Mutex<DateTime<Utc>>>) {
    let mut store = Store::open_in_memory().unwrap();
    let now = Arc::new(Mutex::new(at(1)));
    let handle = now.clone();
    store.set_clock(Arc::new(move || *handle.lock().unwrap()));
    (store, now)
}

fn editor() -> Editor {
    Editor {
        token_id: None,
        who: "amira".into(),
        role: "analyst".into(),
    }
}

fn audit_log(store: &Store) -> Vec<audit::AuditEntry> {
    let filter = AuditFilter {
        limit: 100,
        ..Default::default()
    };
    audit::list(store.server_tables(), &filter).unwrap().0
}

fn obs(key: &str, actor: &str) -> Observation {
    Observation {
        key: ObservationKey::new(key).unwrap(),
        label: Some("Mosul".into()),
        footprint: Footprint::Point(LatLon::new(36.35, 43.155).unwrap()),
        feature: FeatureType::Town,
        actor: ActorId::new(actor).unwrap(),
        actor2: None,
        status: ControlStatus::Held,
        observed: ObservedDate::parse("2017-07").unwrap(),
        source: Source::default(),
        evidence: vec![],
        grading: None,
        analyst: None,
        note: None,
        recorded_at: Utc::now(),
    }
}

fn batch(observations: Vec<Observation>) -> ImportBatch {
    ImportBatch {
        kind: "test".into(),
        file_name: "test.csv".into(),
        sha256: "00".into(),
        observations,
        ..Default::default()
    }
}

#[test]
fn an_earlier_known_on_date_sees_the_superseded_version() {
    let (mut store, now) = store_with_clock();
    store
        .import(batch(vec![obs("k1", "islamic-state")]))
        .unwrap();
    *now.lock().unwrap() = at(10);
    let edited = obs("k1", "iraqi-government");
    let v2 = store.supersede_observation(1, &edited, &editor()).unwrap();
    assert_eq!(v2.version, 2);
    assert_eq!(v2.observation.recorded_at, at(10));

    let before = store.observations(Some(at(5))).unwrap();
    assert_eq!(before.len(), 1);
    assert_eq!(before[0].observation.actor.as_str(), "islamic-state");
    assert_eq!(before[0].version, 1);
    assert_eq!(before[0].observation.recorded_at, at(1));

    let current = store.observations(None).unwrap();
    assert_eq!(current[0].observation.actor.as_str(), "iraqi-government");
    // Before anything was recorded, nothing was known.
    assert!(store
        .observations(Some(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap()))
        .unwrap()
        .is_empty());
    let history = store
        .observation_history(&ObservationKey::new("k1").unwrap())
        .unwrap();
    assert_eq!(history.len(), 2);
}

#[test]
fn a_stale_expected_version_is_refused() {
    let (mut store, _) = store_with_clock();
    store
        .import(batch(vec![obs("k1", "islamic-state")]))
        .unwrap();
    store
        .supersede_observation(1, &obs("k1", "iraqi-government"), &editor())
        .unwrap();
    let err = store
        .supersede_observation(1, &obs("k1", "kurdistan-region"), &editor())
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::VersionConflict {
                expected: 1,
                current: 2,
                ..
            }
        ),
        "{err}"
    );
    let missing = store
        .supersede_observation(1, &obs("nope", "sdf"), &editor())
        .unwrap_err();
    assert!(matches!(missing, StoreError::NotFound { .. }));
}

#[test]
fn a_retired_observation_disappears_now_but_not_from_the_past() {
    let (mut store, now) = store_with_clock();
    store
        .import(batch(vec![obs("k1", "islamic-state")]))
        .unwrap();
    *now.lock().unwrap() = at(10);
    let key = ObservationKey::new("k1").unwrap();
    assert_eq!(
        store.retire_observation(&key, 1, &editor(), None).unwrap(),
        2
    );
    assert!(store.observations(None).unwrap().is_empty());
    assert_eq!(store.observations(Some(at(5))).unwrap().len(), 1);
    assert!(matches!(
        store.retire_observation(&key, 2, &editor(), None),
        Err(StoreError::Retired { .. })
    ));
    // Re-importing the same content does not resurrect it.
    let r = store
        .import(batch(vec![obs("k1", "islamic-state")]))
        .unwrap();
    assert_eq!(r.observations.unchanged, 1);
    assert!(store.observations(None).unwrap().is_empty());
    assert_eq!(store.counts().unwrap().observations, 0);
}

#[test]
fn reimporting_the_same_rows_changes_nothing_and_a_changed_row_is_a_new_version() {
    let (mut store, now) = store_with_clock();
    let r1 = store
        .import(batch(vec![obs("a", "sdf"), obs("b", "sdf")]))
        .unwrap();
    assert_eq!(r1.observations.inserted, 2);
    *now.lock().unwrap() = at(2);
    let r2 = store
        .import(batch(vec![obs("a", "sdf"), obs("b", "sdf")]))
        .unwrap();
    assert_eq!(
        (r2.observations.inserted, r2.observations.unchanged),
        (0, 2)
    );
    let r3 = store
        .import(batch(vec![obs("a", "sdf"), obs("b", "turkey")]))
        .unwrap();
    assert_eq!(r3.observations.superseded, 1);
    assert_eq!(store.observations(None).unwrap().len(), 2);
    assert_eq!(store.imports().unwrap().len(), 3);
    assert_eq!(
        store.imports().unwrap()[2].counts["observations"]["superseded"],
        1
    );
}

#[test]
fn a_failing_batch_writes_nothing() {
    let (mut store, _) = store_with_clock();
    let mut bad = obs("b", "sdf");
    bad.status = ControlStatus::Contested; // contested without a second actor: invalid
    let err = store.import(batch(vec![obs("a", "sdf"), bad]));
    assert!(err.is_err());
    assert_eq!(store.counts().unwrap().observations, 0);
    assert_eq!(store.counts().unwrap().imports, 0);
}

fn strike(dataset: &str, id: &str, day: &str, lat: f64, lon: f64) -> Event {
    Event {
        key: EventKey {
            dataset: dataset.into(),
            id: id.into(),
        },
        date: ObservedDate::parse(day).unwrap(),
        location: LatLon::new(lat, lon).unwrap(),
        location_precision: LocationPrecision::Exact,
        place: Some("Kobani".into()),
        country: Some("SYR".into()),
        event_type: EventType::AirStrike,
        side_a: vec![EventParty {
            name: "US-led coalition".into(),
            actor: Some(ActorId::new("us-led-coalition").unwrap()),
        }],
        side_b: vec![],
        fatalities: None,
        count: 3,
        source: Source::default(),
    }
}

#[test]
fn events_filter_by_date_bbox_actor_and_hide_duplicates() {
    let (mut store, _) = store_with_clock();
    let a = strike("guardian", "1", "2015-06-02", 36.89, 38.35);
    let b = strike("informeren", "9", "2015-06-02", 36.89, 38.36);
    let c = strike("guardian", "2", "2014-10-02", 33.0, 44.0);
    store
        .import(ImportBatch {
            kind: "airstrikes".into(),
            events: vec![
                NewEvent {
                    event: a.clone(),
                    duplicate_of: None,
                },
                NewEvent {
                    event: b,
                    duplicate_of: Some(a.key.clone()),
                },
                NewEvent {
                    event: c,
                    duplicate_of: None,
                },
            ],
            ..Default::default()
        })
        .unwrap();
    let counts = store.counts().unwrap();
    assert_eq!((counts.events, counts.event_duplicates), (2, 1));
    let june = EventFilter {
        from: Some("2015-06-01".parse().unwrap()),
        to: Some("2015-06-30".parse().unwrap()),
        ..Default::default()
    };
    assert_eq!(store.events(&june).unwrap(), vec![a.clone()]);
    let with_dups = EventFilter {
        include_duplicates: true,
        ..june.clone()
    };
    let stored = store.stored_events(&with_dups).unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[1].duplicate_of.as_ref(), Some(&a.key));
    let bbox = EventFilter {
        bbox: Some([43.0, 32.0, 45.0, 34.0]),
        ..Default::default()
    };
    assert_eq!(store.events(&bbox).unwrap().len(), 1);
    let by_actor = EventFilter {
        actor: Some(ActorId::new("us-led-coalition").unwrap()),
        ..Default::default()
    };
    assert_eq!(store.events(&by_actor).unwrap().len(), 2);
    let other_actor = EventFilter {
        actor: Some(ActorId::new("sdf").unwrap()),
        ..Default::default()
    };
    assert!(store.events(&other_actor).unwrap().is_empty());
}

#[test]
fn a_file_store_is_created_in_wal_mode_and_reopened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("frontline.db");
    {
        let mut store = Store::open(&path).unwrap();
        store.import(batch(vec![obs("a", "sdf")])).unwrap();
    }
    assert!(dir.path().join("frontline.db").exists());
    let store = Store::open(&path).unwrap();
    assert_eq!(store.counts().unwrap().observations, 1);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn areas_are_found_by_code_or_name_and_filtered_by_kind() {
    use frontline_core::{AoiKind, AreaOfInterest};
    use geo::wkt;
    let (mut store, _) = store_with_clock();
    let square = wkt!(MULTIPOLYGON(((38. 35., 39. 35., 39. 36., 38. 36., 38. 35.))));
    let syria = AreaOfInterest::new(
        "SYR",
        "Syria",
        AoiKind::Country,
        Some("SYR".into()),
        square.clone(),
        "test",
    )
    .unwrap();
    let raqqa = AreaOfInterest::new(
        "SY-RA",
        "Ar-Raqqah",
        AoiKind::Province,
        Some("SYR".into()),
        square,
        "test",
    )
    .unwrap();
    store
        .import(ImportBatch {
            kind: "boundaries".into(),
            areas: vec![syria.clone(), raqqa.clone()],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(store.area("syr").unwrap().as_ref(), Some(&syria));
    assert_eq!(store.area("Raqqah").unwrap().as_ref(), Some(&raqqa));
    assert_eq!(store.area("Damascus").unwrap(), None);
    assert_eq!(store.areas(Some(AoiKind::Province)).unwrap(), vec![raqqa]);
    assert_eq!(store.areas(None).unwrap().len(), 2);
}

#[test]
fn every_edit_is_audited_in_its_own_transaction_and_a_refused_edit_leaves_no_entry() {
    let (mut store, now) = store_with_clock();
    let created = store.add_observation(&obs("k1", "sdf"), &editor()).unwrap();
    assert_eq!(created.version, 1);
    *now.lock().unwrap() = at(3);
    store
        .supersede_observation(1, &obs("k1", "islamic-state"), &editor())
        .unwrap();
    // Refused edits (stale version, existing key) write neither the record nor an entry.
    assert!(store
        .supersede_observation(1, &obs("k1", "kurdistan-region"), &editor())
        .is_err());
    assert!(matches!(
        store.add_observation(&obs("k1", "sdf"), &editor()),
        Err(StoreError::Exists { .. })
    ));
    *now.lock().unwrap() = at(4);
    let key = ObservationKey::new("k1").unwrap();
    store
        .retire_observation(&key, 2, &editor(), Some("duplicate"))
        .unwrap();

    let log = audit_log(&store);
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["retire", "correct", "create"]);
    assert!(log
        .iter()
        .all(|e| e.who == "amira" && e.role == "analyst" && e.target_key == "k1"));
    assert_eq!(log[2].at, at(1));
    assert_eq!(log[1].at, at(3));
    assert_eq!(log[1].version, Some(2));
    assert_eq!(log[1].previous.as_ref().unwrap()["actor"], "sdf");
    assert_eq!(log[1].detail.as_ref().unwrap()["actor"], "islamic-state");
    assert_eq!(log[0].detail.as_ref().unwrap()["reason"], "duplicate");
    assert_eq!(log[0].previous.as_ref().unwrap()["actor"], "islamic-state");
    assert_eq!(store.observation_history(&key).unwrap().len(), 3);
}

#[test]
fn areas_are_added_corrected_and_retired_with_their_history() {
    use frontline_core::{AoiKind, AreaOfInterest};
    use geo::wkt;
    let (mut store, now) = store_with_clock();
    let area = |name: &str, east: f64| {
        let mut mp = wkt!(MULTIPOLYGON(((38. 35., 39. 35., 39. 36., 38. 36., 38. 35.))));
        for p in &mut mp.0 {
            p.exterior_mut(|r| {
                for c in r.0.iter_mut().filter(|c| c.x > 38.5) {
                    c.x = east;
                }
            });
        }
        AreaOfInterest::new("tabqa", name, AoiKind::Custom, None, mp, "analyst").unwrap()
    };
    let v1 = store.add_area(&area("Tabqa", 39.0), &editor()).unwrap();
    assert_eq!(v1.version, 1);
    assert_eq!(store.area("tabqa").unwrap().unwrap().name, "Tabqa");
    *now.lock().unwrap() = at(2);
    let v2 = store
        .supersede_area(1, &area("Tabqa dam and town", 38.8), &editor())
        .unwrap();
    assert_eq!((v2.version, v2.recorded_at), (2, at(2)));
    assert_eq!(
        store.area("tabqa").unwrap().unwrap().name,
        "Tabqa dam and town"
    );
    let stale = store
        .supersede_area(1, &area("Tabqa", 39.0), &editor())
        .unwrap_err();
    assert!(
        matches!(
            stale,
            StoreError::VersionConflict {
                what: "area",
                expected: 1,
                current: 2,
                ..
            }
        ),
        "{stale}"
    );
    assert_eq!(store.retire_area("tabqa", 2, &editor(), None).unwrap(), 3);
    assert_eq!(store.area("tabqa").unwrap(), None);
    let history = store.area_history("tabqa").unwrap();
    assert_eq!(
        history
            .iter()
            .map(|h| (h.version, h.retired))
            .collect::<Vec<_>>(),
        [(1, false), (2, false), (3, true)]
    );
    // The retirement keeps the retired boundary.
    assert_eq!(history[2].area, history[1].area);
    let log = audit_log(&store);
    assert!(log.iter().all(|e| e.target_kind == "area"));
    assert_eq!(log.len(), 3);
}
