//! Analyses computed from a control estimate and from events: shares of an area held, enclaves
//! and sieges, hotspots, attack trends, duplicate events across datasets, city outlines and the
//! alert rules behind `frontline watch`.
//!
//! Every analysis is pure: it takes a [`Territory`] (who holds each H3 cell on a date, built from
//! the engine's control map) and/or a slice of [`crate::Event`]s and returns plain numbers, so the
//! CLI, the server and the demo print the same figures.

pub mod city;
pub mod dedup;
pub mod enclave;
pub mod hotspot;
pub mod population;
pub mod share;
pub mod trend;
pub mod watch;

use std::collections::HashMap;

use h3o::CellIndex;

use crate::{ActorId, ControlStatus};

/// Why an analysis could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    #[error("the area of interest {0:?} has no area")]
    EmptyArea(String),
    #[error("the area of interest {0:?} has an invalid geometry: {1}")]
    Geometry(String, String),
    #[error("the window must be at least one day long")]
    EmptyWindow,
    #[error("the step must be at least one day long")]
    EmptyStep,
    #[error("the period starts ({from}) after it ends ({to})")]
    Period {
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    },
    #[error("the cells of a territory must all have the same H3 resolution")]
    MixedResolution,
    #[error("invalid parameter: {0}")]
    Parameter(String),
}

/// One cell of a control estimate, as the analyses see it.
#[derive(Debug, Clone, PartialEq)]
pub struct CellControl {
    pub cell: CellIndex,
    /// The cell's area inside the region mask, km² (edge cells are clipped by the engine).
    pub area_km2: f64,
    /// The actor holding the cell, or `None` when the cell is unassessed.
    pub actor: Option<ActorId>,
    /// Status of the cell (held, contested, besieged…); `None` when unassessed.
    pub status: Option<ControlStatus>,
    /// The other party of a shared, contested or besieged cell, if known.
    pub actor2: Option<ActorId>,
}

impl CellControl {
    /// How the cell's area divides between holders, as the engine counts it: a shared cell half
    /// to each party, any other cell whole to its actor (`None` = unassessed).
    pub fn split(&self) -> [(Option<&ActorId>, f64); 2] {
        match (&self.actor, &self.actor2, self.status) {
            (Some(a), Some(b), Some(ControlStatus::Shared)) => [(Some(a), 0.5), (Some(b), 0.5)],
            (a, _, _) => [(a.as_ref(), 1.0), (None, 0.0)],
        }
    }
}

/// Who holds each cell of a region on one date: the part of the engine's control map that the
/// analyses need. Cells outside the region are simply absent.
#[derive(Debug, Clone, Default)]
pub struct Territory {
    cells: Vec<CellControl>,
    index: HashMap<CellIndex, usize>,
}

impl Territory {
    /// The analyses' view of an estimate: each grid cell with its clipped area, actor and status.
    pub fn from_control_map(map: &crate::control_map::ControlMap) -> Self {
        let grid = map.grid();
        let cells = map.cells().iter().enumerate().map(|(i, s)| {
            let actor = map.actor(s.actor).cloned();
            CellControl {
                cell: grid.cell(i),
                area_km2: grid.area_km2(i),
                status: actor.as_ref().map(|_| s.status),
                actor2: map.actor(s.actor2).cloned(),
                actor,
            }
        });
        Self::new(cells).expect("a grid has one resolution")
    }

    /// Build from cells of one H3 resolution (a repeated cell keeps its last entry).
    pub fn new(cells: impl IntoIterator<Item = CellControl>) -> Result<Self, AnalysisError> {
        let mut out: Vec<CellControl> = Vec::new();
        let mut index = HashMap::new();
        for c in cells {
            if let Some(first) = out.first() {
                if first.cell.resolution() != c.cell.resolution() {
                    return Err(AnalysisError::MixedResolution);
                }
            }
            match index.get(&c.cell) {
                Some(&i) => out[i] = c,
                None => {
                    index.insert(c.cell, out.len());
                    out.push(c);
                }
            }
        }
        Ok(Self { cells: out, index })
    }

    pub fn cells(&self) -> &[CellControl] {
        &self.cells
    }

    pub fn len(&self) -> usize {
        self.cells.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// The H3 resolution of the cells, if there are any.
    pub fn resolution(&self) -> Option<h3o::Resolution> {
        self.cells.first().map(|c| c.cell.resolution())
    }

    pub fn get(&self, cell: CellIndex) -> Option<&CellControl> {
        self.index.get(&cell).map(|&i| &self.cells[i])
    }

    /// The cell containing a point, if it is part of the region.
    pub fn at(&self, p: crate::LatLon) -> Option<&CellControl> {
        let res = self.resolution()?;
        let ll = h3o::LatLng::new(p.lat(), p.lon()).ok()?;
        self.get(ll.to_cell(res))
    }

    /// km² held per actor (unassessed cells excluded).
    pub fn area_by_actor(&self) -> std::collections::BTreeMap<ActorId, f64> {
        let mut m = std::collections::BTreeMap::new();
        for c in &self.cells {
            for (a, share) in c.split() {
                if let Some(a) = a.filter(|_| share > 0.0) {
                    *m.entry(a.clone()).or_insert(0.0) += share * c.area_km2;
                }
            }
        }
        m
    }

    /// Total area of the region, km².
    pub fn total_km2(&self) -> f64 {
        self.cells.iter().map(|c| c.area_km2).sum()
    }
}

/// Test helpers shared by the analysis modules' unit tests.
#[cfg(test)]
pub(crate) mod testutil {
    use super::*;

    pub fn actor(s: &str) -> ActorId {
        ActorId::new(s).unwrap()
    }

    /// A cell at resolution `res` containing the point.
    pub fn cell_at(lat: f64, lon: f64, res: u8) -> CellIndex {
        h3o::LatLng::new(lat, lon)
            .unwrap()
            .to_cell(h3o::Resolution::try_from(res).unwrap())
    }

    pub fn held(cell: CellIndex, who: Option<&str>) -> CellControl {
        CellControl {
            cell,
            area_km2: crate::geometry::geodesic_area_km2(&cell.into()),
            actor: who.map(actor),
            status: who.map(|_| ControlStatus::Held),
            actor2: None,
        }
    }

    /// A disk of radius `k` around `center` held by `inner`, ringed by `ring` cells of `outer`.
    pub fn island(
        center: CellIndex,
        k: u32,
        inner: &str,
        ring: u32,
        outer: Option<&str>,
    ) -> Territory {
        let mut cells = Vec::new();
        for (c, d) in center.grid_disk_distances::<Vec<_>>(k + ring) {
            let who = if d <= k { Some(inner) } else { outer };
            cells.push(held(c, who));
        }
        Territory::new(cells).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::*;
    use super::*;

    #[test]
    fn territory_rejects_mixed_resolutions() {
        let a = held(cell_at(35.0, 40.0, 7), Some("sdf"));
        let b = held(cell_at(35.0, 40.0, 6), Some("sdf"));
        assert_eq!(
            Territory::new([a, b]).unwrap_err(),
            AnalysisError::MixedResolution
        );
    }

    #[test]
    fn territory_sums_areas_per_actor() {
        let t = island(
            cell_at(35.3, 40.1, 7),
            1,
            "syrian-government",
            1,
            Some("islamic-state"),
        );
        let by = t.area_by_actor();
        assert_eq!(t.len(), 19);
        let total: f64 = by.values().sum();
        assert!((total - t.total_km2()).abs() < 1e-9);
        assert!(by[&actor("islamic-state")] > by[&actor("syrian-government")]);
        assert!(t.at(crate::LatLon::new(35.3, 40.1).unwrap()).is_some());
    }
}
