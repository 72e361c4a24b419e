//! Property tests of the analyses: shares of an area sum to 100 %, an enclave's perimeter
//! shares sum to 100 % and its cells partition the actor's territory.

use frontline_core::analysis::enclave::{enclaves, EnclaveParams};
use frontline_core::analysis::share::share;
use frontline_core::analysis::{CellControl, Territory};
use frontline_core::ActorId;
use geo::{LineString, MultiPolygon, Polygon};
use h3o::{LatLng, Resolution};
use proptest::prelude::*;

const ACTORS: [&str; 4] = ["islamic-state", "syrian-government", "sdf", "hts"];

/// A random patchwork of actors (and unassessed cells) over a disk of cells near Deir ez-Zor.
fn territory(labels: &[u8]) -> Territory {
    let centre = LatLng::new(35.33, 40.14)
        .unwrap()
        .to_cell(Resolution::Seven);
    let disk: Vec<_> = centre.grid_disk::<Vec<_>>(6);
    let cells = disk
        .into_iter()
        .zip(labels.iter().cycle())
        .map(|(cell, &l)| {
            let actor = ACTORS.get(l as usize).map(|a| ActorId::new(a).unwrap());
            CellControl {
                cell,
                area_km2: cell.area_km2(),
                status: actor.as_ref().map(|_| frontline_core::ControlStatus::Held),
                actor2: None,
                actor,
            }
        });
    Territory::new(cells).unwrap()
}

fn rect(lat: f64, lon: f64, dlat: f64, dlon: f64) -> MultiPolygon<f64> {
    MultiPolygon(vec![Polygon::new(
        LineString::from(vec![
            (lon, lat),
            (lon + dlon, lat),
            (lon + dlon, lat + dlat),
            (lon, lat + dlat),
            (lon, lat),
        ]),
        vec![],
    )])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn shares_sum_to_100(labels in prop::collection::vec(0u8..6, 1..40),
                         lat in 35.1f64..35.5, lon in 39.9f64..40.3,
                         dlat in 0.01f64..0.4, dlon in 0.01f64..0.4) {
        let t = territory(&labels);
        let r = share(&t, "box", &rect(lat, lon, dlat, dlon)).unwrap();
        let pct: f64 = r.rows.iter().map(|x| x.pct).sum();
        prop_assert!((pct - 100.0).abs() < 1e-6, "sum {}", pct);
        let km2: f64 = r.rows.iter().map(|x| x.km2).sum();
        // The rows cover the box: its own area, up to the cells' clipping rounding.
        prop_assert!((km2 - r.aoi_km2).abs() <= 0.01 * r.aoi_km2 + 0.5, "{} vs {}", km2, r.aoi_km2);
        let assessed: f64 = r.rows.iter().filter_map(|x| x.pct_of_assessed).sum();
        prop_assert!(r.assessed_km2 == 0.0 || (assessed - 100.0).abs() < 1e-6);
    }

    #[test]
    fn perimeter_shares_sum_to_100_and_enclaves_partition(labels in prop::collection::vec(0u8..6, 1..40)) {
        let t = territory(&labels);
        let all = enclaves(&t, &EnclaveParams::default());
        let mut seen = std::collections::HashSet::new();
        for e in &all {
            let pct: f64 = e.perimeter.iter().map(|p| p.pct).sum();
            prop_assert!((pct - 100.0).abs() < 1e-6, "sum {}", pct);
            let km: f64 = e.perimeter.iter().map(|p| p.km).sum();
            prop_assert!((km - e.perimeter_km).abs() < 1e-9);
            for c in &e.cells {
                prop_assert!(seen.insert(*c), "cell in two enclaves");
                prop_assert_eq!(t.get(*c).unwrap().actor.as_ref(), Some(&e.actor));
            }
        }
        let held = t.cells().iter().filter(|c| c.actor.is_some()).count();
        prop_assert_eq!(seen.len(), held);
        let by = t.area_by_actor();
        for (a, km2) in by {
            let sum: f64 = all.iter().filter(|e| e.actor == a).map(|e| e.km2).sum();
            prop_assert!((sum - km2).abs() < 1e-6);
        }
    }
}
