//! The store's contract: append-only versions, "known on" queries, the concurrent-edit rule,
//! idempotent imports, all-or-nothing batches, tokens, evidence, watches and concurrent writers.
//!
//! The contract is written once, in `suite`, as functions of a fresh, empty [`Store`]; each
//! backend runs the whole suite (`backend_suite!`). SQLite runs it twice, in memory (one
//! connection) and on a file (a writer and pooled readers). Tests that look beneath the façade
//! (the file's journal mode, what the tables hold, locks held by another process) are in
//! `sqlite_only`.

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

/// Give `store` a clock that reads whatever the returned handle is set to (day 1 at first).
fn with_clock(store: &Store) -> Arc<Mutex<DateTime<Utc>>> {
    let now = Arc::new(Mutex::new(at(1)));
    let handle = now.clone();
    store.set_clock(Arc::new(move || *handle.lock().unwrap()));
    now
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
    store.audit(&filter).unwrap().0
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

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

/// The contract every backend keeps: each function takes a fresh, empty store.
mod suite {
    use super::*;

    pub fn an_earlier_known_on_date_sees_the_superseded_version(store: Store) {
        let now = with_clock(&store);
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

    pub fn a_stale_expected_version_is_refused(store: Store) {
        with_clock(&store);
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

    pub fn a_retired_observation_disappears_now_but_not_from_the_past(store: Store) {
        let now = with_clock(&store);
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

    pub fn reimporting_the_same_rows_changes_nothing_and_a_changed_row_is_a_new_version(
        store: Store,
    ) {
        let now = with_clock(&store);
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
        // The import that changed nothing is not in the import log.
        assert_eq!(r2.import_id, None);
        assert_eq!(store.imports().unwrap().len(), 2);
        assert_eq!(
            store.imports().unwrap()[1].counts["observations"]["superseded"],
            1
        );
    }

    pub fn a_failing_batch_writes_nothing(store: Store) {
        with_clock(&store);
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

    pub fn events_filter_by_date_bbox_actor_and_hide_duplicates(store: Store) {
        with_clock(&store);
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

    /// A living dataset (UCDP, ACLED) revises and deletes rows between releases: importing the
    /// new release whole (`sync_datasets`) records the edits as new versions and the deletions as
    /// retirements, loses no earlier version, and is a no-op when imported again.
    pub fn a_synced_dataset_records_edits_and_deletions_upstream_as_versions(store: Store) {
        let clock = with_clock(&store);
        let release = |events: Vec<Event>| ImportBatch {
            kind: "ucdp".into(),
            events: events
                .into_iter()
                .map(|event| NewEvent {
                    event,
                    duplicate_of: None,
                })
                .collect(),
            sync_datasets: vec!["ucdp".into()],
            ..Default::default()
        };
        let a = strike("ucdp", "1", "2015-06-02", 36.89, 38.35);
        let b = strike("ucdp", "2", "2015-06-03", 36.0, 38.0);
        let c = strike("ucdp", "3", "2015-06-04", 35.0, 39.0);
        // Another dataset is not touched by a sync of this one.
        let other = strike("guardian", "3", "2015-06-04", 35.0, 39.0);
        store
            .import(ImportBatch {
                kind: "airstrikes".into(),
                events: vec![NewEvent {
                    event: other.clone(),
                    duplicate_of: None,
                }],
                ..Default::default()
            })
            .unwrap();
        store
            .import(release(vec![a.clone(), b.clone(), c.clone()]))
            .unwrap();
        let first = at(2);
        *clock.lock().unwrap() = at(3);
        // The next release revises row 2 and drops row 3.
        let mut b2 = b.clone();
        b2.count = 5;
        let r = store.import(release(vec![a.clone(), b2.clone()])).unwrap();
        assert_eq!(
            (r.events.unchanged, r.events.superseded, r.events.retired),
            (1, 1, 1)
        );
        let all = EventFilter::default();
        let mut now = store.events(&all).unwrap();
        now.sort_by(|x, y| x.key.id.cmp(&y.key.id));
        assert_eq!(now, vec![a.clone(), b2.clone(), other.clone()]);
        // The release before is still there, as known then.
        let before = store.stored_events(&all).unwrap();
        assert!(before.iter().all(|s| s.version >= 1));
        let history = store.event_history(&c.key).unwrap();
        assert_eq!(history.len(), 2, "the row and its retirement");
        assert!(!history[0].retired && history[1].retired);
        assert_eq!(history[1].event, c, "the retirement keeps what it retires");
        assert!(history[0].recorded_at <= first);
        // Importing the same release again changes nothing and logs nothing.
        let imports = store.counts().unwrap().imports;
        *clock.lock().unwrap() = at(4);
        let r = store.import(release(vec![a.clone(), b2.clone()])).unwrap();
        assert_eq!(
            (r.events.superseded, r.events.retired, r.events.inserted),
            (0, 0, 0)
        );
        assert_eq!(store.counts().unwrap().imports, imports);
        // A row restored upstream is current again.
        let r = store.import(release(vec![a, b2, c.clone()])).unwrap();
        assert_eq!((r.events.superseded, r.events.retired), (1, 0));
        assert!(store.events(&all).unwrap().contains(&c));
        assert_eq!(store.event_history(&c.key).unwrap().len(), 3);
    }

    pub fn areas_are_found_by_code_or_name_and_filtered_by_kind(store: Store) {
        use frontline_core::{AoiKind, AreaOfInterest};
        use geo::wkt;
        with_clock(&store);
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

    pub fn every_edit_is_audited_in_its_own_transaction_and_a_refused_edit_leaves_no_entry(
        store: Store,
    ) {
        let now = with_clock(&store);
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

    pub fn areas_are_added_corrected_and_retired_with_their_history(store: Store) {
        use frontline_core::{AoiKind, AreaOfInterest};
        use geo::wkt;
        let now = with_clock(&store);
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

    pub fn a_reimport_that_changes_nothing_adds_no_import_record(store: Store) {
        let now = with_clock(&store);
        let first = store.import(batch(vec![obs("a", "sdf")])).unwrap();
        assert!(first.import_id.is_some());
        *now.lock().unwrap() = at(2);
        let again = store.import(batch(vec![obs("a", "sdf")])).unwrap();
        assert_eq!((again.observations.unchanged, again.import_id), (1, None));
        assert_eq!(store.imports().unwrap().len(), 1);
        assert_eq!(store.counts().unwrap().imports, 1);
        // An import that changes something is recorded again.
        let changed = store.import(batch(vec![obs("a", "turkey")])).unwrap();
        assert_eq!(changed.observations.superseded, 1);
        assert_eq!(store.imports().unwrap().len(), 2);
    }

    pub fn an_identical_correction_writes_no_version_and_no_audit_entry(store: Store) {
        use frontline_core::{AoiKind, AreaOfInterest};
        use geo::wkt;
        let now = with_clock(&store);
        store.add_observation(&obs("k1", "sdf"), &editor()).unwrap();
        *now.lock().unwrap() = at(2);
        // The same content (the recording time in the input does not count).
        let mut same = obs("k1", "sdf");
        same.recorded_at = at(20);
        let back = store.supersede_observation(1, &same, &editor()).unwrap();
        assert_eq!((back.version, back.observation.recorded_at), (1, at(1)));
        let key = ObservationKey::new("k1").unwrap();
        assert_eq!(store.observation_history(&key).unwrap().len(), 1);
        // A stale version is still refused, identical content or not.
        store
            .supersede_observation(1, &obs("k1", "turkey"), &editor())
            .unwrap();
        assert!(matches!(
            store.supersede_observation(1, &obs("k1", "turkey"), &editor()),
            Err(StoreError::VersionConflict { current: 2, .. })
        ));

        let square = wkt!(MULTIPOLYGON(((38. 35., 39. 35., 39. 36., 38. 36., 38. 35.))));
        let area = AreaOfInterest::new("tabqa", "Tabqa", AoiKind::Custom, None, square, "analyst")
            .unwrap();
        store.add_area(&area, &editor()).unwrap();
        let back = store.supersede_area(1, &area, &editor()).unwrap();
        assert_eq!(back.version, 1);
        assert_eq!(store.area_history("tabqa").unwrap().len(), 1);
        let actions: Vec<String> = audit_log(&store).into_iter().map(|e| e.action).collect();
        assert_eq!(actions, ["create", "correct", "create"]);
    }

    pub fn tokens_authenticate_by_their_secret_until_revoked_and_both_are_audited(store: Store) {
        use frontline_store::auth::{AuthError, Role, SECRET_PREFIX};
        let now = with_clock(&store);
        let admin = Editor {
            token_id: None,
            who: "ops".into(),
            role: "admin".into(),
        };
        let (token, secret) = store
            .create_token(Role::Analyst, " amira ", &admin)
            .unwrap();
        assert!(secret.starts_with(SECRET_PREFIX) && secret.starts_with(&token.prefix));
        assert_eq!((token.label.as_str(), token.created_at), ("amira", at(1)));
        let found = store.authenticate(&secret).unwrap().unwrap();
        assert_eq!((found.id, found.role), (token.id, Role::Analyst));
        assert!(store.authenticate("fl_0000").unwrap().is_none());
        assert!(matches!(
            store.create_token(Role::Viewer, "  ", &admin),
            Err(StoreError::Auth(AuthError::EmptyLabel))
        ));

        *now.lock().unwrap() = at(2);
        let revoked = store.revoke_token(token.id, &admin).unwrap();
        assert_eq!(revoked.revoked_at, Some(at(2)));
        assert!(store.authenticate(&secret).unwrap().is_none());
        assert!(matches!(
            store.revoke_token(token.id, &admin),
            Err(StoreError::Auth(AuthError::NoSuchToken(_)))
        ));
        assert_eq!(store.tokens().unwrap().len(), 1);

        let log = audit_log(&store);
        let seen: Vec<(&str, &str, &str, &str)> = log
            .iter()
            .map(|e| {
                (
                    e.action.as_str(),
                    e.target_kind.as_str(),
                    e.who.as_str(),
                    e.target_key.as_str(),
                )
            })
            .collect();
        let id = token.id.to_string();
        assert_eq!(
            seen,
            [
                ("revoke", "token", "ops", id.as_str()),
                ("create", "token", "ops", id.as_str())
            ]
        );
        assert_eq!(log[1].detail.as_ref().unwrap()["label"], "amira");
        let logged = serde_json::to_string(&log).unwrap();
        assert!(!logged.contains(&secret), "the secret must not be audited");
    }

    pub fn evidence_is_stored_once_by_content_listed_per_observation_and_audited(store: Store) {
        use frontline_store::evidence::{EvidenceError, MediaType};
        with_clock(&store);
        let a = store
            .attach_evidence("obs:1", "chip.png", PNG, &editor())
            .unwrap();
        let b = store
            .attach_evidence("obs:2", "same.png", PNG, &editor())
            .unwrap();
        assert_eq!(a.sha256, b.sha256);
        assert_eq!(store.attachments("obs:1").unwrap().len(), 1);
        let (media, bytes) = store.evidence_file(&a.sha256).unwrap().unwrap();
        assert_eq!((media, bytes.as_slice()), (MediaType::Png, PNG));
        assert!(store.evidence_file(&"0".repeat(64)).unwrap().is_none());
        assert!(matches!(
            store.attach_evidence("o", "x.png", b"<html><script>", &editor()),
            Err(StoreError::Evidence(EvidenceError::UnsupportedType))
        ));
        assert!(matches!(
            store.attach_evidence("o", "../etc/passwd", PNG, &editor()),
            Err(StoreError::Evidence(EvidenceError::Name))
        ));
        let attached = audit_log(&store)
            .iter()
            .filter(|e| e.action == "attach")
            .count();
        assert_eq!(attached, 2);
    }

    pub fn watches_are_added_once_and_alerts_fire_once(store: Store) {
        use chrono::NaiveDate;
        use frontline_core::analysis::watch::{AlertDraft, Trigger};
        use serde_json::json;
        with_clock(&store);
        let params = json!({"min_pct_points": 1.0});
        let (w, new) = store
            .add_watch("Mosul", Trigger::ControlChange, &params)
            .unwrap();
        assert!(new);
        let (again, new) = store
            .add_watch("Mosul", Trigger::ControlChange, &params)
            .unwrap();
        assert!(!new);
        assert_eq!(again.id, w.id);
        assert_eq!(store.watches().unwrap().len(), 1);
        assert!(store.last_check(w.id).unwrap().is_none());
        let day = NaiveDate::from_ymd_opt(2017, 7, 20).unwrap();
        let alert = AlertDraft {
            trigger: Trigger::ControlChange,
            date: day,
            key: "control-change:Mosul:2017-03-01:2017-07-20:x".into(),
            message: "Mosul changed".into(),
        };
        let state = json!({"rows": []});
        let fired = store
            .record_check(w.id, day, None, &state, std::slice::from_ref(&alert))
            .unwrap();
        assert_eq!(fired.len(), 1);
        assert_eq!(fired[0].fired_at, at(1));
        let fired = store
            .record_check(w.id, day, None, &state, &[alert])
            .unwrap();
        assert!(fired.is_empty(), "an alert fires once");
        assert_eq!(store.alerts(Some(w.id)).unwrap().len(), 1);
        assert_eq!(store.last_check(w.id).unwrap().unwrap().date, day);
    }

    /// Eight threads write at once through clones of one store: every write succeeds and is
    /// there afterwards, with its audit entry.
    pub fn concurrent_writers_all_succeed(store: Store) {
        const THREADS: usize = 8;
        const EACH: usize = 15;
        std::thread::scope(|s| {
            for t in 0..THREADS {
                let store = store.clone();
                s.spawn(move || {
                    for i in 0..EACH {
                        let key = format!("t{t}:{i}");
                        store.add_observation(&obs(&key, "sdf"), &editor()).unwrap();
                        store
                            .supersede_observation(1, &obs(&key, "turkey"), &editor())
                            .unwrap();
                        // Reads interleave with the writes.
                        assert!(store.counts().unwrap().observations >= 1);
                    }
                });
            }
        });
        let all = store.observations(None).unwrap();
        assert_eq!(all.len(), THREADS * EACH);
        assert!(all
            .iter()
            .all(|s| s.version == 2 && s.observation.actor.as_str() == "turkey"));
        let (_, total) = store
            .audit(&AuditFilter {
                limit: 1,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(total as usize, 2 * THREADS * EACH);
    }

    pub fn a_store_is_shared_by_cloning(store: Store) {
        fn shareable<T: Clone + Send + Sync + 'static>(_: &T) {}
        shareable(&store);
        let now = with_clock(&store);
        let other = store.clone();
        *now.lock().unwrap() = at(7);
        other.add_observation(&obs("k", "sdf"), &editor()).unwrap();
        let seen = store.observations(None).unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].observation.recorded_at, at(7));
        store.check_health().unwrap();
    }
}

/// Run every test of `suite` against the store made by `$open` (an expression evaluated in a
/// scope where `dir` is a fresh temporary folder).
macro_rules! backend_suite {
    ($backend:ident, |$dir:ident| $open:expr) => {
        mod $backend {
            backend_suite!(@tests |$dir| $open;
                an_earlier_known_on_date_sees_the_superseded_version,
                a_stale_expected_version_is_refused,
                a_retired_observation_disappears_now_but_not_from_the_past,
                reimporting_the_same_rows_changes_nothing_and_a_changed_row_is_a_new_version,
                a_failing_batch_writes_nothing,
                events_filter_by_date_bbox_actor_and_hide_duplicates,
                a_synced_dataset_records_edits_and_deletions_upstream_as_versions,
                areas_are_found_by_code_or_name_and_filtered_by_kind,
                every_edit_is_audited_in_its_own_transaction_and_a_refused_edit_leaves_no_entry,
                areas_are_added_corrected_and_retired_with_their_history,
                a_reimport_that_changes_nothing_adds_no_import_record,
                an_identical_correction_writes_no_version_and_no_audit_entry,
                tokens_authenticate_by_their_secret_until_revoked_and_both_are_audited,
                evidence_is_stored_once_by_content_listed_per_observation_and_audited,
                watches_are_added_once_and_alerts_fire_once,
                concurrent_writers_all_succeed,
                a_store_is_shared_by_cloning,
            );
        }
    };
    (@tests |$dir:ident| $open:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let $dir = tempfile::tempdir().unwrap();
                let store: frontline_store::Store = $open;
                super::suite::$name(store);
            }
        )*
    };
}

backend_suite!(sqlite_in_memory, |_dir| {
    frontline_store::Store::open_in_memory().unwrap()
});
backend_suite!(sqlite_file, |dir| frontline_store::Store::open(
    &dir.path().join("f.db")
)
.unwrap());

/// What only SQLite has: the file, its tables as stored, and locks held by other processes.
mod sqlite_only {
    use super::*;
    use frontline_store::SqliteOptions;
    use std::time::{Duration, Instant};

    #[test]
    fn a_file_store_is_created_in_wal_mode_and_reopened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("frontline.db");
        {
            let store = Store::open(&path).unwrap();
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
    fn only_the_hash_of_a_token_secret_is_stored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("frontline.db");
        let store = Store::open(&path).unwrap();
        let (_, secret) = store
            .create_token(frontline_store::auth::Role::Admin, "root", &editor())
            .unwrap();
        let conn = rusqlite::Connection::open(&path).unwrap();
        let stored: String = conn
            .query_row("SELECT hash FROM api_token", [], |r| r.get(0))
            .unwrap();
        assert_eq!(stored, frontline_store::auth::hash_secret(&secret));
        let dump: i64 = conn
            .query_row(
                "SELECT count(*) FROM api_token WHERE hash = ?1 OR prefix = ?1 OR label = ?1",
                [&secret],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(dump, 0, "the secret itself must not be stored");
    }

    #[test]
    fn evidence_bytes_are_stored_once_and_alerts_cannot_be_deleted() {
        use frontline_core::analysis::watch::{AlertDraft, Trigger};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("frontline.db");
        let store = Store::open(&path).unwrap();
        store.attach_evidence("a", "x.png", PNG, &editor()).unwrap();
        store.attach_evidence("b", "y.png", PNG, &editor()).unwrap();
        let (w, _) = store
            .add_watch("Raqqa", Trigger::ActivitySpike, &serde_json::json!({}))
            .unwrap();
        let day = chrono::NaiveDate::from_ymd_opt(2015, 9, 30).unwrap();
        let alert = AlertDraft {
            trigger: Trigger::ActivitySpike,
            date: day,
            key: "k".into(),
            message: "m".into(),
        };
        store
            .record_check(w.id, day, None, &serde_json::json!({}), &[alert])
            .unwrap();
        let conn = rusqlite::Connection::open(&path).unwrap();
        let files: i64 = conn
            .query_row("SELECT count(*) FROM evidence_file", [], |r| r.get(0))
            .unwrap();
        assert_eq!(files, 1);
        // Triggers only fire on existing rows: there is one of each now.
        assert!(conn.execute("DELETE FROM alerts", []).is_err());
        assert!(conn.execute("DELETE FROM watch_checks", []).is_err());
        assert!(conn.execute("UPDATE watches SET aoi = 'x'", []).is_err());
    }

    /// Another process holds the write lock: a write waits for it, and succeeds once it is
    /// released within the bound.
    #[test]
    fn a_write_waits_for_another_process_to_release_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("frontline.db");
        let store = Store::open(&path).unwrap();
        let other = rusqlite::Connection::open(&path).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        let release = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            other.execute_batch("COMMIT").unwrap();
        });
        let t0 = Instant::now();
        store.import(batch(vec![obs("a", "sdf")])).unwrap();
        assert!(
            t0.elapsed() >= Duration::from_millis(250),
            "{:?}",
            t0.elapsed()
        );
        release.join().unwrap();
        assert_eq!(store.counts().unwrap().observations, 1);
    }

    /// Past the bound a write gives up with `Busy`, having written nothing, and reads go on.
    #[test]
    fn a_write_locked_out_past_the_bound_is_busy_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("frontline.db");
        let opts = SqliteOptions {
            busy_timeout: Duration::from_millis(200),
            ..SqliteOptions::default()
        };
        let store = Store::open_with(&path, &opts).unwrap();
        let other = rusqlite::Connection::open(&path).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        let t0 = Instant::now();
        let err = store
            .add_observation(&obs("a", "sdf"), &editor())
            .unwrap_err();
        assert!(matches!(err, StoreError::Busy), "{err:?}");
        assert!(
            t0.elapsed() >= Duration::from_millis(150),
            "{:?}",
            t0.elapsed()
        );
        assert_eq!(store.counts().unwrap().observations, 0);
        other.execute_batch("ROLLBACK").unwrap();
        store.add_observation(&obs("a", "sdf"), &editor()).unwrap();
    }

    /// The server notices writes made through other connections by this marker.
    #[test]
    fn the_data_version_moves_when_another_connection_commits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("frontline.db");
        let watcher = Store::open(&path).unwrap();
        let v0 = watcher.data_version().unwrap();
        assert_eq!(watcher.data_version().unwrap(), v0);
        Store::open(&path)
            .unwrap()
            .import(batch(vec![obs("a", "sdf")]))
            .unwrap();
        let v1 = watcher.data_version().unwrap();
        assert_ne!(v1, v0);
        // Its own writes count too.
        watcher
            .add_observation(&obs("b", "sdf"), &editor())
            .unwrap();
        assert_ne!(watcher.data_version().unwrap(), v1);
    }
}
