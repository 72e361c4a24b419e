//! Enclaves and sieges: the connected areas held by one actor, their size and who holds the
//! other side of their perimeter ("Raqqa is attacked from all sides").
//!
//! An enclave is a connected component of one actor's cells on the H3 grid (cells sharing an
//! edge). Its perimeter is the set of H3 edges between a cell of the enclave and a cell outside
//! it; each edge is weighted by its length in km (`DirectedEdgeIndex::length_km`), so a long
//! border counts for more than a short one. The perimeter is split by what lies beyond each edge:
//! another actor, an unassessed cell, or the edge of the estimated region. The shares of these
//! sum to 100 %.
//!
//! An enclave is *encircled* when the actors hostile to it hold at least `threshold` of its
//! perimeter, or when one of its cells is marked besieged by an observation (the analyst's word
//! is honoured even where the grid shows a gap in the ring).

use std::collections::{BTreeMap, HashMap, VecDeque};

use h3o::CellIndex;

use super::{CellControl, Territory};
use crate::{ActorId, ControlStatus, LatLon};

/// Who lies beyond a stretch of an enclave's perimeter.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Neighbour {
    Actor(ActorId),
    Unassessed,
    /// Beyond the estimated region (a border with a country outside it, or the sea).
    OutsideRegion,
}

impl Neighbour {
    pub fn label(&self) -> &str {
        match self {
            Self::Actor(a) => a.as_str(),
            Self::Unassessed => "unassessed",
            Self::OutsideRegion => "outside-region",
        }
    }
}

/// Which pairs of actors are not hostile to each other.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Alignment {
    friends: Vec<(ActorId, ActorId)>,
}

impl Alignment {
    /// Every other actor is hostile.
    pub fn all_hostile() -> Self {
        Self::default()
    }

    /// Declare two actors friendly (symmetric).
    pub fn with_friends(mut self, a: ActorId, b: ActorId) -> Self {
        self.friends.push((a, b));
        self
    }

    pub fn hostile(&self, a: &ActorId, b: &ActorId) -> bool {
        a != b
            && !self
                .friends
                .iter()
                .any(|(x, y)| (x == a && y == b) || (x == b && y == a))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnclaveParams {
    /// Hostile share of the perimeter (0–1) from which an enclave counts as encircled.
    pub threshold: f64,
    /// Components smaller than this (km²) are left out of the report.
    pub min_km2: f64,
    pub alignment: Alignment,
}

impl Default for EnclaveParams {
    fn default() -> Self {
        Self {
            threshold: 0.75,
            min_km2: 0.0,
            alignment: Alignment::all_hostile(),
        }
    }
}

/// One stretch of an enclave's perimeter.
#[derive(Debug, Clone, PartialEq)]
pub struct PerimeterShare {
    pub neighbour: Neighbour,
    pub km: f64,
    /// Percent of the enclave's perimeter.
    pub pct: f64,
    pub hostile: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Enclave {
    pub actor: ActorId,
    pub cells: Vec<CellIndex>,
    pub km2: f64,
    /// Total perimeter length, km.
    pub perimeter_km: f64,
    /// Largest stretch first; the percentages sum to 100.
    pub perimeter: Vec<PerimeterShare>,
    /// Percent of the perimeter held by hostile actors.
    pub hostile_pct: f64,
    /// Cells marked besieged by an observation.
    pub besieged_cells: usize,
    pub encircled: bool,
    /// Why it is (or is not) encircled, in words.
    pub reason: String,
    /// Area-weighted centre of the enclave's cells.
    pub centre: LatLon,
}

impl Enclave {
    /// The hostile actors around it, largest stretch first.
    pub fn surrounding(&self) -> Vec<&ActorId> {
        self.perimeter
            .iter()
            .filter(|p| p.hostile)
            .filter_map(|p| match &p.neighbour {
                Neighbour::Actor(a) => Some(a),
                _ => None,
            })
            .collect()
    }

    pub fn contains(&self, cell: CellIndex) -> bool {
        self.cells.binary_search(&cell).is_ok()
    }
}

/// Every enclave in `territory`: encircled ones first, then by size.
pub fn enclaves(territory: &Territory, params: &EnclaveParams) -> Vec<Enclave> {
    let mut component: HashMap<CellIndex, usize> = HashMap::with_capacity(territory.len());
    let mut out = Vec::new();
    for start in territory.cells() {
        let Some(actor) = &start.actor else { continue };
        if component.contains_key(&start.cell) {
            continue;
        }
        // Breadth-first flood over edge-sharing cells of the same actor.
        let id = out.len();
        let mut members = vec![start.cell];
        component.insert(start.cell, id);
        let mut queue = VecDeque::from([start.cell]);
        while let Some(c) = queue.pop_front() {
            for edge in c.edges() {
                let n = edge.destination();
                if component.contains_key(&n) {
                    continue;
                }
                if territory.get(n).and_then(|x| x.actor.as_ref()) == Some(actor) {
                    component.insert(n, id);
                    members.push(n);
                    queue.push_back(n);
                }
            }
        }
        members.sort_unstable();
        out.push(describe(territory, actor, members, params));
    }
    out.retain(|e| e.km2 >= params.min_km2);
    out.sort_by(|a, b| {
        b.encircled
            .cmp(&a.encircled)
            .then(b.km2.total_cmp(&a.km2))
            .then(a.actor.cmp(&b.actor))
    });
    out
}

fn describe(
    territory: &Territory,
    actor: &ActorId,
    cells: Vec<CellIndex>,
    params: &EnclaveParams,
) -> Enclave {
    let mut by: BTreeMap<Neighbour, f64> = BTreeMap::new();
    let (mut km2, mut lat, mut lon, mut besieged_cells) = (0.0, 0.0, 0.0, 0);
    for &c in &cells {
        let cc: &CellControl = territory.get(c).expect("member cells are in the territory");
        km2 += cc.area_km2;
        let ll = h3o::LatLng::from(c);
        lat += ll.lat() * cc.area_km2;
        lon += ll.lng() * cc.area_km2;
        if cc.status == Some(ControlStatus::Besieged) {
            besieged_cells += 1;
        }
        for edge in c.edges() {
            let n = edge.destination();
            let who = match territory.get(n) {
                None => Neighbour::OutsideRegion,
                Some(x) => match &x.actor {
                    Some(a) if a == actor => continue,
                    Some(a) => Neighbour::Actor(a.clone()),
                    None => Neighbour::Unassessed,
                },
            };
            *by.entry(who).or_insert(0.0) += edge.length_km();
        }
    }
    let perimeter_km: f64 = by.values().sum();
    let mut perimeter: Vec<PerimeterShare> = by
        .into_iter()
        .map(|(neighbour, km)| {
            let hostile =
                matches!(&neighbour, Neighbour::Actor(b) if params.alignment.hostile(actor, b));
            PerimeterShare {
                pct: if perimeter_km > 0.0 {
                    100.0 * km / perimeter_km
                } else {
                    0.0
                },
                neighbour,
                km,
                hostile,
            }
        })
        .collect();
    perimeter.sort_by(|a, b| b.km.total_cmp(&a.km).then(a.neighbour.cmp(&b.neighbour)));
    let hostile_pct: f64 = perimeter.iter().filter(|p| p.hostile).map(|p| p.pct).sum();
    let by_ring = perimeter_km > 0.0 && hostile_pct >= 100.0 * params.threshold;
    let encircled = by_ring || besieged_cells > 0;
    let reason = match (by_ring, besieged_cells > 0) {
        (true, true) => format!(
            "{hostile_pct:.1} % of the perimeter hostile (threshold {:.0} %) and {besieged_cells} cell(s) marked besieged",
            100.0 * params.threshold
        ),
        (true, false) => format!(
            "{hostile_pct:.1} % of the perimeter hostile (threshold {:.0} %)",
            100.0 * params.threshold
        ),
        (false, true) => format!(
            "{besieged_cells} cell(s) marked besieged by an observation ({hostile_pct:.1} % of the perimeter hostile)"
        ),
        (false, false) => format!(
            "{hostile_pct:.1} % of the perimeter hostile, below the {:.0} % threshold",
            100.0 * params.threshold
        ),
    };
    let centre = if km2 > 0.0 {
        LatLon::new(lat / km2, lon / km2).expect("mean of valid coordinates")
    } else {
        let ll = h3o::LatLng::from(cells[0]);
        LatLon::new(ll.lat(), ll.lng()).expect("valid H3 centre")
    };
    Enclave {
        actor: actor.clone(),
        cells,
        km2,
        perimeter_km,
        perimeter,
        hostile_pct,
        besieged_cells,
        encircled,
        reason,
        centre,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    #[test]
    fn an_island_ringed_by_one_enemy_is_encircled() {
        let t = island(
            cell_at(35.33, 40.14, 7),
            2,
            "syrian-government",
            2,
            Some("islamic-state"),
        );
        let all = enclaves(&t, &EnclaveParams::default());
        let gov: Vec<_> = all
            .iter()
            .filter(|e| e.actor.as_str() == "syrian-government")
            .collect();
        assert_eq!(gov.len(), 1);
        let e = gov[0];
        assert_eq!(e.cells.len(), 19);
        assert!(e.encircled);
        assert_eq!(e.perimeter.len(), 1);
        assert!((e.perimeter[0].pct - 100.0).abs() < 1e-9);
        assert_eq!(e.surrounding(), vec![&actor("islamic-state")]);
        // A radius-2 disk has 12 boundary cells and 30 outward edges (6 corners × 3 + 6 sides × 2).
        let edge = e.perimeter_km / 30.0;
        assert!((1.0..2.0).contains(&edge), "edge {edge} km");
        // The ring is one enclave too, bordered by the government inside and the region's edge.
        let ring = all
            .iter()
            .find(|e| e.actor.as_str() == "islamic-state")
            .unwrap();
        assert_eq!(ring.cells.len(), 61 - 19);
        assert!(!ring.encircled);
        let sum: f64 = ring.perimeter.iter().map(|p| p.pct).sum();
        assert!((sum - 100.0).abs() < 1e-9);
    }

    #[test]
    fn friends_do_not_encircle_and_gaps_count_against() {
        let t = island(cell_at(35.33, 40.14, 7), 1, "syrian-government", 1, None);
        let e = &enclaves(&t, &EnclaveParams::default())[0];
        assert!(!e.encircled);
        assert_eq!(e.perimeter[0].neighbour, Neighbour::Unassessed);

        let t = island(
            cell_at(35.33, 40.14, 7),
            1,
            "syrian-government",
            1,
            Some("russia"),
        );
        let params = EnclaveParams {
            alignment: Alignment::all_hostile()
                .with_friends(actor("russia"), actor("syrian-government")),
            ..EnclaveParams::default()
        };
        let gov = enclaves(&t, &params)
            .into_iter()
            .find(|e| e.actor.as_str() == "syrian-government")
            .unwrap();
        assert!(!gov.encircled);
        assert_eq!(gov.hostile_pct, 0.0);
    }

    #[test]
    fn besieged_marks_are_honoured() {
        let c = cell_at(35.33, 40.14, 7);
        let mut cells: Vec<CellControl> =
            island(c, 1, "syrian-government", 1, None).cells().to_vec();
        for x in &mut cells {
            if x.cell == c {
                x.status = Some(ControlStatus::Besieged);
            }
        }
        let t = Territory::new(cells).unwrap();
        let e = &enclaves(&t, &EnclaveParams::default())[0];
        assert!(e.encircled);
        assert_eq!(e.besieged_cells, 1);
        assert!(e.reason.contains("besieged"), "{}", e.reason);
    }

    #[test]
    fn two_separate_pockets_are_two_enclaves() {
        let a = cell_at(35.33, 40.14, 7);
        let b = cell_at(35.60, 40.60, 7);
        let mut cells: Vec<CellControl> = Vec::new();
        for c in a
            .grid_disk::<Vec<_>>(1)
            .into_iter()
            .chain(b.grid_disk::<Vec<_>>(1))
        {
            cells.push(held(c, Some("sdf")));
        }
        let t = Territory::new(cells).unwrap();
        let all = enclaves(&t, &EnclaveParams::default());
        assert_eq!(all.len(), 2);
        assert!(all.iter().all(|e| e.cells.len() == 7));
        assert!(all
            .iter()
            .all(|e| e.perimeter[0].neighbour == Neighbour::OutsideRegion));
    }
}
