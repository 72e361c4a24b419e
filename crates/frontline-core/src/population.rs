//! People per actor: each gazetteer place's population goes to the actor holding its cell on the
//! map (half to each party of a shared cell). The caller passes deduplicated places (one entry
//! per settlement, e.g. `frontline_store::canonical_places`), since gazetteers list some cities
//! twice (two Mosuls).

use std::collections::BTreeMap;

use crate::control_map::{ControlMap, NO_ACTOR};
use crate::{ActorId, Place};

/// People per actor (`None` = unassessed or outside the grid), with the number of places.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationRow {
    pub actor: Option<ActorId>,
    pub people: f64,
    pub places: usize,
}

/// Sum the populations of `places` by the actor holding each one's cell on `map`.
pub fn population(map: &ControlMap, places: &[&Place]) -> Vec<PopulationRow> {
    let mut sums: BTreeMap<Option<ActorId>, (f64, usize)> = BTreeMap::new();
    for p in places {
        let Some(pop) = &p.population else { continue };
        let people = pop.count as f64;
        let shares: Vec<(Option<ActorId>, f64)> = match map.at(p.point) {
            Some((i, _)) => map
                .shares(i)
                .into_iter()
                .filter(|s| s.1 > 0.0)
                .map(|(a, s)| {
                    (
                        if a == NO_ACTOR {
                            None
                        } else {
                            map.actor(a).cloned()
                        },
                        s,
                    )
                })
                .collect(),
            None => vec![(None, 1.0)],
        };
        for (a, s) in shares {
            let e = sums.entry(a).or_default();
            e.0 += s * people;
            e.1 += 1;
        }
    }
    let mut rows: Vec<PopulationRow> = sums
        .into_iter()
        .map(|(actor, (people, places))| PopulationRow {
            actor,
            people,
            places,
        })
        .collect();
    rows.sort_by(|a, b| {
        a.actor
            .is_none()
            .cmp(&b.actor.is_none())
            .then(b.people.total_cmp(&a.people))
    });
    rows
}
