//! People per actor, in the whole region or in an area of interest: each settlement of the
//! (deduplicated) gazetteer counts for the actor holding the cell its point lies in. The caller
//! passes one entry per settlement (the store's `canonical_places`), so a city listed twice (two
//! Mosuls in GeoNames) is counted once.

use std::collections::BTreeMap;

use geo::{Contains, MultiPolygon};

use super::share::Holder;
use super::Territory;
use crate::Place;

#[derive(Debug, Clone, PartialEq)]
pub struct PopulationRow {
    pub holder: Holder,
    pub people: u64,
    pub places: usize,
    pub pct: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PopulationReport {
    /// Actors (most people first), then unassessed, then outside the region.
    pub rows: Vec<PopulationRow>,
    pub people: u64,
    /// Settlements inside the area with a population figure.
    pub places: usize,
    /// Settlements inside the area without a population figure (not counted).
    pub without_population: usize,
}

/// People per actor among `settlements` (one entry per settlement) inside `aoi` (or all).
/// A shared cell counts half of its people to each party, as it does for km².
pub fn population(
    territory: &Territory,
    settlements: &[&Place],
    aoi: Option<&MultiPolygon<f64>>,
) -> PopulationReport {
    let mut by: BTreeMap<Holder, (f64, usize)> = BTreeMap::new();
    let (mut people, mut places, mut without) = (0u64, 0usize, 0usize);
    for p in settlements {
        if aoi.is_some_and(|a| !a.contains(&p.point.point())) {
            continue;
        }
        let Some(pop) = &p.population else {
            without += 1;
            continue;
        };
        people += pop.count;
        places += 1;
        match territory.at(p.point) {
            None => {
                let e = by.entry(Holder::Outside).or_insert((0.0, 0));
                e.0 += pop.count as f64;
                e.1 += 1;
            }
            Some(c) => {
                for (a, share) in c.split() {
                    if share > 0.0 {
                        let h = a.cloned().map_or(Holder::Unassessed, Holder::Actor);
                        let e = by.entry(h).or_insert((0.0, 0));
                        e.0 += share * pop.count as f64;
                        e.1 += 1;
                    }
                }
            }
        }
    }
    let mut rows: Vec<PopulationRow> = by
        .into_iter()
        .map(|(holder, (n, k))| PopulationRow {
            holder,
            people: n.round() as u64,
            places: k,
            pct: if people > 0 {
                100.0 * n / people as f64
            } else {
                0.0
            },
        })
        .collect();
    rows.sort_by(|a, b| {
        let rank = |h: &Holder| match h {
            Holder::Actor(_) => 0,
            Holder::Unassessed => 1,
            Holder::Outside => 2,
        };
        rank(&a.holder)
            .cmp(&rank(&b.holder))
            .then(b.people.cmp(&a.people))
            .then(a.holder.cmp(&b.holder))
    });
    PopulationReport {
        rows,
        people,
        places,
        without_population: without,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;
    use crate::{LatLon, PlaceId, Population};

    fn place(name: &str, lat: f64, lon: f64, n: Option<u64>) -> Place {
        let mut p = Place::new(
            PlaceId::new("t", name).unwrap(),
            name,
            LatLon::new(lat, lon).unwrap(),
            "SYR",
        )
        .unwrap();
        p.population = n.map(|count| Population {
            count,
            source: "test".into(),
            year: Some(2010),
        });
        p
    }

    #[test]
    fn people_go_to_the_holder_of_their_cell() {
        let t = island(
            cell_at(35.33, 40.14, 7),
            1,
            "syrian-government",
            2,
            Some("islamic-state"),
        );
        let a = place("a", 35.33, 40.14, Some(100));
        let b = place("b", 35.2, 40.4, Some(50)); // outside the small region
        let c = place("c", 35.33, 40.14, None);
        let r = population(&t, &[&a, &b, &c], None);
        assert_eq!(r.people, 150);
        assert_eq!(r.without_population, 1);
        assert_eq!(r.rows[0].holder, Holder::Actor(actor("syrian-government")));
        assert_eq!(r.rows[0].people, 100);
        assert_eq!(r.rows[1].holder, Holder::Outside);
        let pct: f64 = r.rows.iter().map(|x| x.pct).sum();
        assert!((pct - 100.0).abs() < 1e-9);
    }
}
