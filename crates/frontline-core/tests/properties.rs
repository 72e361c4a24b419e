//! Property tests of the estimator's invariants on random observations over a small square
//! region: areas add up, absent actors hold nothing, estimates are deterministic, diffs are
//! antisymmetric, and a new observation only changes cells within its reach.

use chrono::{DateTime, NaiveDate, Utc};
use frontline_core::diff::diff;
use frontline_core::estimate::{estimate, haversine_km, Params};
use frontline_core::grid::{Grid, RegionPart};
use frontline_core::{
    ActorId, ControlStatus, FeatureType, Footprint, LatLon, Observation, ObservationKey,
    ObservedDate, Source,
};
use geo::{polygon, MultiPolygon};
use proptest::prelude::*;
use std::sync::OnceLock;

const ACTORS: [&str; 3] = ["alpha", "bravo", "charlie"];

fn grid() -> &'static Grid {
    static GRID: OnceLock<Grid> = OnceLock::new();
    GRID.get_or_init(|| {
        let shape = MultiPolygon(vec![polygon![
            (x: 40.0, y: 35.0), (x: 40.6, y: 35.0), (x: 40.6, y: 35.5), (x: 40.0, y: 35.5), (x: 40.0, y: 35.0)
        ]]);
        Grid::build(&[RegionPart { code: "SQ".into(), name: "square".into(), shape }], 7).unwrap()
    })
}

fn obs(i: usize, lat: f64, lon: f64, actor: usize, day: u32) -> Observation {
    Observation {
        key: ObservationKey::new(&format!("p{i}")).unwrap(),
        label: None,
        footprint: Footprint::Point(LatLon::new(lat, lon).unwrap()),
        feature: FeatureType::Town,
        actor: ActorId::new(ACTORS[actor]).unwrap(),
        actor2: None,
        status: ControlStatus::Held,
        observed: ObservedDate::day(
            NaiveDate::from_ymd_opt(2017, 1, 1).unwrap() + chrono::Days::new(u64::from(day)),
        ),
        source: Source::default(),
        evidence: Vec::new(),
        grading: None,
        analyst: None,
        note: None,
        recorded_at: DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap(),
    }
}

fn observations() -> impl Strategy<Value = Vec<Observation>> {
    // Actors 0 and 1 only: "charlie" never observed.
    prop::collection::vec((35.0..35.5f64, 40.0..40.6f64, 0..2usize, 0..300u32), 1..25).prop_map(
        |v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (lat, lon, a, d))| obs(i, lat, lon, a, d))
                .collect()
        },
    )
}

fn date(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2017, 1, 1).unwrap() + chrono::Days::new(u64::from(d))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn areas_add_up_and_absent_actors_hold_nothing(o in observations(), d in 0..400u32) {
        let map = estimate(&o, grid(), &Params::default(), date(d));
        let t = map.areas();
        let sum: f64 = t.rows.iter().map(|r| r.area_km2).sum();
        prop_assert!((sum - grid().total_area_km2()).abs() < 1e-6 * sum);
        prop_assert_eq!(t.get(Some(&ActorId::new("charlie").unwrap())), 0.0);
    }

    #[test]
    fn estimating_twice_gives_the_same_map(o in observations(), d in 0..400u32) {
        let a = estimate(&o, grid(), &Params::default(), date(d));
        let b = estimate(&o, grid(), &Params::default(), date(d));
        prop_assert_eq!(a.cells(), b.cells());
        prop_assert_eq!(a.areas(), b.areas());
    }

    #[test]
    fn diff_is_antisymmetric(o in observations(), d1 in 0..400u32, d2 in 0..400u32) {
        let a = estimate(&o, grid(), &Params::default(), date(d1));
        let b = estimate(&o, grid(), &Params::default(), date(d2));
        let ab = diff(&a, &b).unwrap();
        let ba = diff(&b, &a).unwrap();
        for r in &ab.rows {
            let s = ba.row(r.actor.as_ref()).unwrap();
            prop_assert!((r.net_km2() + s.net_km2()).abs() < 1e-6);
            prop_assert!((r.gained_km2 - s.lost_km2).abs() < 1e-6);
            prop_assert!((r.lost_km2 - s.gained_km2).abs() < 1e-6);
        }
    }

    /// With a fixed reach (no density rule) and no enclosure or siege pass, a new observation
    /// changes only the cells within its reach. (The density rule and the enclosure pass are
    /// deliberately non-local: a new place shortens its neighbours' reach and can close a pocket.)
    #[test]
    fn a_new_observation_changes_only_cells_within_its_reach(
        o in observations(), lat in 35.0..35.5f64, lon in 40.0..40.6f64, a in 0..2usize
    ) {
        let mut p = Params::default();
        p.reach.density_factor = 1e6;
        p.enclosure_max_km2 = 0.0;
        p.siege_max_km2 = 0.0;
        let d = date(400);
        let before = estimate(&o, grid(), &p, d);
        let mut more = o.clone();
        more.push(obs(999, lat, lon, a, 350));
        let after = estimate(&more, grid(), &p, d);
        let here = LatLon::new(lat, lon).unwrap();
        let reach = p.reach.town_max_km;
        for i in 0..grid().len() {
            let (x, y) = (&before.cells()[i], &after.cells()[i]);
            if x.actor != y.actor || x.status != y.status {
                let dist = haversine_km(here, grid().center(i));
                prop_assert!(dist < reach, "cell {} km away changed", dist);
            }
        }
    }
}
