//! Counting each settlement once: gazetteers list some places twice (GeoNames has "Mosul" and
//! "Al Mawşil al Jadīdah" 1.2 km apart, "Basrah" and "Al Başrah al Qadīmah"; Natural Earth
//! repeats the GeoNames cities). Every entry is kept; this module groups entries that stand for
//! the same settlement so that population is summed once.
//!
//! # Rule
//! Two entries of the same country are the same settlement if
//! 1. their points are within [`SAME_POINT_KM`] (1.5 km) of each other, or
//! 2. they are within [`SAME_NAME_KM`] (10 km) and one normalised name
//!    ([`frontline_core::names::normalize`]) equals the other or starts with it followed by a
//!    space ("basrah qadimah" / "basrah"), or their skeletons are equal.
//!
//! Groups are closed transitively. The group's canonical entry is the one with the largest
//! population (ties: the smallest id), and the group's population is that entry's figure — never
//! a sum. The rule does not depend on import order.

use frontline_core::geometry::haversine_km;
use frontline_core::names::{normalize, skeleton};
use frontline_core::Place;

/// Entries closer than this are one settlement whatever their names.
pub const SAME_POINT_KM: f64 = 1.5;
/// Entries closer than this with matching names are one settlement.
pub const SAME_NAME_KM: f64 = 10.0;

fn names_match(a: &str, b: &str) -> bool {
    let (na, nb) = (normalize(a), normalize(b));
    let prefix = |long: &str, short: &str| {
        long.len() > short.len() && long.starts_with(short) && long.as_bytes()[short.len()] == b' '
    };
    na == nb || prefix(&na, &nb) || prefix(&nb, &na) || {
        let (sa, sb) = (skeleton(a), skeleton(b));
        sa.len() >= 3 && sa == sb
    }
}

fn same_settlement(a: &Place, b: &Place) -> bool {
    if a.country != b.country {
        return false;
    }
    let d = haversine_km(a.point, b.point);
    d <= SAME_POINT_KM || (d <= SAME_NAME_KM && names_match(&a.name, &b.name))
}

/// One settlement: indices into the slice given to [`settlements`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    /// The entry whose population stands for the settlement.
    pub canonical: usize,
    /// Every entry of the settlement, canonical included, in input order.
    pub members: Vec<usize>,
}

/// Group `places` into settlements (see the module docs for the rule).
pub fn settlements(places: &[Place]) -> Vec<Settlement> {
    let n = places.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for i in 0..n {
        for j in i + 1..n {
            if same_settlement(&places[i], &places[j]) {
                let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
                if ri != rj {
                    parent[ri.max(rj)] = ri.min(rj);
                }
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for i in 0..n {
        let r = find(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    groups
        .into_values()
        .map(|members| {
            let canonical = *members
                .iter()
                .max_by(|&&a, &&b| {
                    let pop = |i: usize| places[i].population.as_ref().map_or(0, |p| p.count);
                    pop(a)
                        .cmp(&pop(b))
                        .then_with(|| places[b].id.cmp(&places[a].id))
                })
                .expect("groups are not empty");
            Settlement { canonical, members }
        })
        .collect()
}

/// The canonical entry of every settlement: sum their populations to count each place once.
pub fn canonical_places(places: &[Place]) -> Vec<&Place> {
    settlements(places)
        .into_iter()
        .map(|s| &places[s.canonical])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use frontline_core::{LatLon, PlaceId, Population};

    fn place(id: &str, name: &str, lat: f64, lon: f64, pop: u64) -> Place {
        let mut p = Place::new(
            PlaceId::new("geonames", id).unwrap(),
            name,
            LatLon::new(lat, lon).unwrap(),
            "IRQ",
        )
        .unwrap();
        p.population = Some(Population {
            count: pop,
            source: "test".into(),
            year: None,
        });
        p
    }

    #[test]
    fn the_two_mosuls_are_one_settlement_counted_once() {
        let places = vec![
            place(
                "99071",
                "Al Mawşil al Jadīdah",
                36.33271,
                43.10555,
                2_065_597,
            ),
            place("99072", "Mosul", 36.335, 43.11889, 1_683_000),
            place("1", "Bashiqa", 36.455, 43.338, 10_000),
        ];
        let groups = settlements(&places);
        assert_eq!(groups.len(), 2);
        let total: u64 = canonical_places(&places)
            .iter()
            .map(|p| p.population.as_ref().unwrap().count)
            .sum();
        assert_eq!(total, 2_065_597 + 10_000);
    }

    #[test]
    fn old_basra_joins_basra_by_name_prefix() {
        let places = vec![
            place(
                "388349",
                "Al Başrah al Qadīmah",
                30.50316,
                47.81507,
                2_015_483,
            ),
            place("99532", "Basrah", 30.50852, 47.7804, 1_326_564),
        ];
        assert_eq!(settlements(&places).len(), 1);
    }

    #[test]
    fn neighbouring_towns_with_other_names_stay_apart() {
        let places = vec![
            place("1", "Al Bāb", 36.37, 37.517, 130_745),
            place("2", "Tādif", 36.348, 37.53, 34_670),
        ];
        assert_eq!(settlements(&places).len(), 2);
    }
}
