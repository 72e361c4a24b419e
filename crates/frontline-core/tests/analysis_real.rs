//! The analyses on the real Syria and Iraq data: the Wikipedia control snapshot (dated 2017-07-20
//! per data/control/MARKS.md) through the engine's estimator, and the coalition air strikes.
//! The expectations were checked by hand against the history of the places.

mod analysis_support;

use std::sync::OnceLock;

use analysis_support as support;
use chrono::NaiveDate;
use frontline_core::analysis::city::{city_area, CityMethod};
use frontline_core::analysis::dedup::{find_duplicates, DedupParams};
use frontline_core::analysis::enclave::{enclaves, EnclaveParams, Neighbour};
use frontline_core::analysis::hotspot::{cell_zone, hotspots, HotspotParams};
use frontline_core::analysis::share::{share, Holder};
use frontline_core::analysis::Territory;
use frontline_core::control_map::ControlMap;
use frontline_core::estimate::{estimate, Params};
use frontline_core::grid::Grid;
use frontline_core::{ActorId, ControlStatus, LatLon};
use geo::Contains;
use h3o::Resolution;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn actor(s: &str) -> ActorId {
    ActorId::new(s).unwrap()
}

/// Syria and Iraq on the snapshot's date, estimated once for all tests.
fn snapshot_territory() -> &'static Territory {
    static T: OnceLock<Territory> = OnceLock::new();
    T.get_or_init(|| Territory::from_control_map(snapshot_map()))
}

/// The control map behind [`snapshot_territory`].
fn snapshot_map() -> &'static ControlMap {
    static M: OnceLock<ControlMap> = OnceLock::new();
    M.get_or_init(|| {
        let grid = Grid::build(&support::countries(&["SYR", "IRQ"]), 7).unwrap();
        estimate(
            &support::snapshot(),
            &grid,
            &Params::default(),
            d("2017-07-20"),
        )
    })
}

#[test]
fn deir_ez_zor_city_and_airport_are_encircled_by_islamic_state() {
    // Since January 2017 IS had split the government's Deir ez-Zor enclave in two: the city
    // districts and the airport, each surrounded, until the siege was broken in September.
    let t = snapshot_territory();
    let all = enclaves(t, &EnclaveParams::default());
    let containing = |lat: f64, lon: f64| {
        let cell = t.at(LatLon::new(lat, lon).unwrap()).unwrap().cell;
        all.iter().find(|e| e.contains(cell)).unwrap()
    };
    let airport = containing(35.284, 40.1757);
    let city = containing(35.312, 40.087); // Camel Corps base, in the city pocket
    assert_ne!(airport.cells, city.cells, "two separate pockets");
    for e in [airport, city] {
        assert_eq!(e.actor, actor("syrian-government"));
        assert!(e.encircled, "{}", e.reason);
        assert_eq!(e.surrounding(), vec![&actor("islamic-state")]);
        assert_eq!(
            e.perimeter[0].neighbour,
            Neighbour::Actor(actor("islamic-state"))
        );
        let sum: f64 = e.perimeter.iter().map(|p| p.pct).sum();
        assert!((sum - 100.0).abs() < 1e-9);
        // Pockets of a few to a few hundred km², not the whole east.
        assert!(e.km2 > 5.0 && e.km2 < 400.0, "{} km²", e.km2);
    }
    assert!(airport.hostile_pct > 99.0, "{:?}", airport.perimeter);
}

#[test]
fn mosul_is_government_held_after_its_fall_in_july_2017() {
    let t = snapshot_territory();
    let mosul = city_area(
        "Mosul",
        LatLon::new(36.345, 43.145).unwrap(),
        Some(1_316_000),
        &support::urban_areas(),
    );
    assert!(
        matches!(mosul.method, CityMethod::UrbanArea { .. }),
        "{:?}",
        mosul.method
    );
    let r = share(t, "Mosul", &mosul.geometry).unwrap();
    let sum: f64 = r.rows.iter().map(|x| x.pct).sum();
    assert!((sum - 100.0).abs() < 1e-9);
    let leader = r.leader().unwrap();
    assert_eq!(leader.holder, Holder::Actor(actor("iraqi-government")));
    assert!(leader.pct > 90.0, "{r:?}");
    assert!(
        r.row(&actor("islamic-state")).is_none_or(|x| x.pct < 5.0),
        "{r:?}"
    );
}

#[test]
fn raqqa_is_attacked_from_several_sides() {
    // July 2017: the SDF had entered Raqqa from east and west and was fighting IS inside it.
    // The snapshot marks the city's districts SDF-held or SDF/IS-contested (ar-Rafiqah, Bitani,
    // Rawdah) and IS holds marks on its edges (the electric substation, Kesra).
    let t = snapshot_territory();
    let raqqa = city_area(
        "Raqqa",
        LatLon::new(35.95, 39.01).unwrap(),
        Some(220_000),
        &support::urban_areas(),
    );
    let r = share(t, "Raqqa", &raqqa.geometry).unwrap();
    let sdf = r.row(&actor("sdf")).map_or(0.0, |x| x.pct);
    assert!(sdf > 50.0, "{r:?}");
    // Contested cells count to their holder in shares, so the fighting shows in the map's
    // statuses: part of the city is contested with Islamic State.
    let map = snapshot_map();
    let is = map.actor_index(&actor("islamic-state")).unwrap();
    let contested_with_is = (0..map.cells().len())
        .filter(|&i| {
            let c = &map.cells()[i];
            c.status == ControlStatus::Contested
                && c.actor2 == is
                && raqqa.geometry.contains(&map.grid().center(i).point())
        })
        .count();
    assert!(
        contested_with_is >= 2,
        "{contested_with_is} contested cells"
    );
}

#[test]
fn overlapping_strike_compilations_are_grouped_not_dropped() {
    let ev = support::airstrikes();
    let dedup = find_duplicates(&ev, &DedupParams::default());
    // Only the two compilations' common days (2014-12-19 … 2015-06-25) can hold duplicates.
    assert!(!dedup.groups.is_empty());
    for g in &dedup.groups {
        let datasets: std::collections::BTreeSet<_> = g
            .members
            .iter()
            .map(|&i| ev[i].key.dataset.as_str())
            .collect();
        assert_eq!(datasets.len(), 2);
        let day = ev[g.members[0]].date.first_day();
        assert!(day >= d("2014-12-19") && day <= d("2015-06-25"), "{day}");
    }
    let all: u64 = ev.iter().map(|e| u64::from(e.count)).sum();
    let once = dedup.deduplicated_count(&ev);
    assert!(once < all);
    // Every event is still there, marked.
    assert_eq!(dedup.marks.len(), ev.len());
}

#[test]
fn kobani_is_the_strike_hotspot_of_october_2014() {
    // The coalition's air campaign over Kobani peaked in October 2014, with no strikes there
    // before late September.
    let ev = support::airstrikes();
    let ev = find_duplicates(&ev, &DedupParams::default()).deduplicated(&ev);
    let r = hotspots(
        &ev,
        d("2014-10-20"),
        &HotspotParams::default(),
        cell_zone(Resolution::Five),
    )
    .unwrap();
    let top = r.hotspots().next().expect("a hotspot");
    let kobani = h3o::LatLng::new(36.8909, 38.3535)
        .unwrap()
        .to_cell(Resolution::Five);
    assert_eq!(
        top.zone,
        frontline_core::analysis::hotspot::Zone::Cell(kobani)
    );
    assert!(top.count >= 20, "{top:?}");
    assert!(top.p_value < r.threshold);
    assert_eq!(r.excluded_imprecise, 0);
}
