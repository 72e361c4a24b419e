//! The estimator's output: who controls every cell of a grid on a date, how sure the estimate is,
//! and which observations decided it; with the tables and polygons made from it (km² per actor,
//! per-actor dissolved MultiPolygons for maps and exports).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use geo::{orient::Direction, BooleanOps, MultiPolygon, Orient};
use h3o::geom::SolventBuilder;

use crate::grid::Grid;
use crate::place_state::PlaceState;
use crate::{ActorId, ControlStatus, LatLon, ObservationKey};

/// Marks "no actor" in [`CellState::actor`] and [`CellState::actor2`].
pub const NO_ACTOR: u16 = u16::MAX;

/// What decided a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellSource {
    /// Nothing reaches the cell: it is unassessed.
    None,
    /// The strongest of the places whose reach covers the cell (index into `decisions`).
    Place(u32),
    /// An analyst polygon covering the cell's centre (index into `decisions`).
    Area(u32),
    /// Beyond every place's reach, but enclosed by one actor's cells; the index names the place
    /// deciding a neighbouring cell.
    Enclosed(u32),
}

/// One cell of the map.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellState {
    /// Index into [`ControlMap::actors`], or [`NO_ACTOR`] when unassessed.
    pub actor: u16,
    /// The other party of a shared, contested or besieged cell, or [`NO_ACTOR`].
    pub actor2: u16,
    pub status: ControlStatus,
    /// In [0, 1]; 0 when unassessed.
    pub confidence: f32,
    pub source: CellSource,
}

impl CellState {
    pub const UNASSESSED: CellState = CellState {
        actor: NO_ACTOR,
        actor2: NO_ACTOR,
        status: ControlStatus::Held,
        confidence: 0.0,
        source: CellSource::None,
    };

    pub fn is_assessed(&self) -> bool {
        self.actor != NO_ACTOR
    }
}

/// A place's (or an analyst area's) state on the map's date, as used by the map.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub label: Option<String>,
    pub location: LatLon,
    pub is_area: bool,
    pub reach_km: f64,
    pub state: PlaceState,
}

/// Who controls every cell of a grid on a date.
#[derive(Debug, Clone)]
pub struct ControlMap {
    pub(crate) date: NaiveDate,
    pub(crate) grid: Grid,
    pub(crate) actors: Vec<ActorId>,
    pub(crate) cells: Vec<CellState>,
    pub(crate) decisions: Vec<Decision>,
    pub(crate) keys: Vec<ObservationKey>,
    /// Cells that analyst polygons cover only in part, sorted by cell: their km² are split by
    /// the covered fraction, so that areas match the polygons' own areas.
    pub(crate) covers: Vec<Cover>,
}

/// A cell covered in part by analyst polygons.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cover {
    pub cell: u32,
    /// (actor, other party, status, fraction of the cell's area), strongest polygon first;
    /// the fractions sum to at most 1.
    pub parts: Vec<(u16, u16, ControlStatus, f64)>,
    /// What the rest of the cell is (the estimate from the points, or unassessed).
    pub rest: CellState,
}

fn state_shares(c: &CellState) -> [(u16, f64); 2] {
    if c.status == ControlStatus::Shared && c.actor2 != NO_ACTOR && c.actor != NO_ACTOR {
        [(c.actor, 0.5), (c.actor2, 0.5)]
    } else {
        [(c.actor, 1.0), (NO_ACTOR, 0.0)]
    }
}

/// One row of an area table.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaRow {
    /// `None` for the unassessed remainder.
    pub actor: Option<ActorId>,
    pub area_km2: f64,
    /// Share of the table's total (the region, or the country).
    pub share_pct: f64,
}

/// Km² per actor plus the unassessed remainder; the rows sum to the total.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaTable {
    pub rows: Vec<AreaRow>,
    pub total_km2: f64,
}

impl AreaTable {
    pub fn get(&self, actor: Option<&ActorId>) -> f64 {
        self.rows
            .iter()
            .find(|r| r.actor.as_ref() == actor)
            .map_or(0.0, |r| r.area_km2)
    }

    fn from_sums(sums: BTreeMap<Option<ActorId>, f64>, total_km2: f64) -> Self {
        let mut rows: Vec<AreaRow> = sums
            .into_iter()
            .map(|(actor, area_km2)| AreaRow {
                actor,
                area_km2,
                share_pct: if total_km2 > 0.0 {
                    100.0 * area_km2 / total_km2
                } else {
                    0.0
                },
            })
            .collect();
        // Actors by area (largest first), unassessed last; ties by id for determinism.
        rows.sort_by(|a, b| {
            a.actor
                .is_none()
                .cmp(&b.actor.is_none())
                .then(b.area_km2.total_cmp(&a.area_km2))
                .then_with(|| a.actor.cmp(&b.actor))
        });
        Self { rows, total_km2 }
    }
}

/// One dissolved polygon of the map: all cells of one actor with one status.
#[derive(Debug, Clone)]
pub struct ControlFeature {
    pub actor: ActorId,
    pub actor2: Option<ActorId>,
    pub status: ControlStatus,
    /// True for the cells below the low-confidence threshold, when they are split out.
    pub low_confidence: bool,
    /// Sum of the cells' clipped geodesic areas, km² (shared cells counted whole here).
    pub area_km2: f64,
    /// Area-weighted mean confidence of the cells.
    pub mean_confidence: f64,
    pub cells: usize,
    /// Lon/lat MultiPolygon, oriented (exterior counter-clockwise).
    pub geometry: MultiPolygon<f64>,
}

/// How to dissolve a map into features.
#[derive(Debug, Clone, Default)]
pub struct DissolveOptions {
    /// Only this actor's features.
    pub actor: Option<ActorId>,
    /// Clip the hexagons to the region mask (exact outlines; slower).
    pub clip: bool,
    /// Split each actor's cells into confident and low-confidence features at this threshold.
    pub low_confidence_below: Option<f32>,
}

/// Why a map could not be turned into polygons.
#[derive(Debug, thiserror::Error)]
pub enum MapError {
    #[error("dissolving cells failed: {0}")]
    Dissolve(String),
    #[error("the two maps are on different grids")]
    DifferentGrids,
}

impl ControlMap {
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    pub fn grid(&self) -> &Grid {
        &self.grid
    }

    /// The actors the map can name, sorted by id; [`CellState::actor`] indexes this list.
    pub fn actors(&self) -> &[ActorId] {
        &self.actors
    }

    pub fn cells(&self) -> &[CellState] {
        &self.cells
    }

    pub fn decisions(&self) -> &[Decision] {
        &self.decisions
    }

    /// The key of input observation `i` (as listed in [`PlaceState::observations`]).
    pub fn observation_key(&self, i: u32) -> &ObservationKey {
        &self.keys[i as usize]
    }

    pub fn actor(&self, index: u16) -> Option<&ActorId> {
        self.actors.get(index as usize)
    }

    pub fn actor_index(&self, id: &ActorId) -> Option<u16> {
        self.actors.binary_search(id).ok().map(|i| i as u16)
    }

    /// The cell containing `p` and its state, if `p` is on the grid.
    pub fn at(&self, p: LatLon) -> Option<(usize, &CellState)> {
        self.grid.locate(p).map(|i| (i, &self.cells[i]))
    }

    /// The actors' shares of cell `i` (actor index or `NO_ACTOR`, share), summing to 1: the
    /// fractions analyst polygons cover first, the rest to the points' state; a shared cell
    /// counts half to each party, everything else whole to its actor (contested and besieged
    /// cells to the holder). Areas, per-part areas and diffs all count cells through this.
    pub fn shares(&self, i: usize) -> Vec<(u16, f64)> {
        let cover = self
            .covers
            .binary_search_by_key(&(i as u32), |c| c.cell)
            .ok()
            .map(|k| &self.covers[k]);
        let Some(cover) = cover else {
            return state_shares(&self.cells[i])
                .into_iter()
                .filter(|s| s.1 > 0.0)
                .collect();
        };
        let mut out = Vec::with_capacity(cover.parts.len() + 2);
        let mut rest = 1.0;
        for &(a, b, status, f) in &cover.parts {
            rest -= f;
            if status == ControlStatus::Shared && b != NO_ACTOR {
                out.push((a, 0.5 * f));
                out.push((b, 0.5 * f));
            } else {
                out.push((a, f));
            }
        }
        for (a, share) in state_shares(&cover.rest) {
            if share > 0.0 && rest > 0.0 {
                out.push((a, share * rest));
            }
        }
        out
    }

    fn sums<'a>(
        &self,
        cells: impl Iterator<Item = (usize, f64)> + 'a,
    ) -> BTreeMap<Option<ActorId>, f64> {
        let mut by_index = vec![0.0; self.actors.len() + 1];
        let n = self.actors.len();
        for (i, area) in cells {
            for (a, share) in self.shares(i) {
                by_index[if a == NO_ACTOR { n } else { a as usize }] += share * area;
            }
        }
        let mut sums = BTreeMap::new();
        for (k, v) in by_index.into_iter().enumerate() {
            let actor = self.actors.get(k).cloned();
            if v > 0.0 || actor.is_none() {
                sums.insert(actor, v);
            }
        }
        sums
    }

    /// Km² per actor over the whole region, plus an unassessed row.
    pub fn areas(&self) -> AreaTable {
        let areas = self.grid.areas_km2();
        let sums = self.sums(areas.iter().copied().enumerate());
        AreaTable::from_sums(sums, self.grid.total_area_km2())
    }

    /// Km² per actor within each part of the region (country or area of interest), in the
    /// grid's part order. A cell on a border is split by its pieces' areas.
    pub fn areas_by_part(&self) -> Vec<(String, AreaTable)> {
        let mut per_part: Vec<Vec<(usize, f64)>> = vec![Vec::new(); self.grid.parts().len()];
        for piece in self.grid.pieces() {
            per_part[piece.part as usize].push((piece.cell as usize, piece.area_km2));
        }
        per_part
            .into_iter()
            .zip(self.grid.parts())
            .map(|(cells, info)| {
                let total: f64 = cells.iter().map(|c| c.1).sum();
                (
                    info.code.clone(),
                    AreaTable::from_sums(self.sums(cells.into_iter()), total),
                )
            })
            .collect()
    }

    /// Dissolve the map into one MultiPolygon per (actor, status, other party), with area and
    /// mean confidence. Unassessed cells are left out.
    pub fn dissolve(&self, opts: &DissolveOptions) -> Result<Vec<ControlFeature>, MapError> {
        let only = opts.actor.as_ref().and_then(|a| self.actor_index(a));
        if opts.actor.is_some() && only.is_none() {
            return Ok(Vec::new());
        }
        type Key = (u16, ControlStatus, u16, bool);
        let mut groups: BTreeMap<Key, Vec<usize>> = BTreeMap::new();
        for (i, c) in self.cells.iter().enumerate() {
            if !c.is_assessed() || only.is_some_and(|a| a != c.actor) {
                continue;
            }
            let low = opts.low_confidence_below.is_some_and(|t| c.confidence < t);
            groups
                .entry((c.actor, c.status, c.actor2, low))
                .or_default()
                .push(i);
        }
        let solvent = SolventBuilder::new().build();
        let mut out = Vec::with_capacity(groups.len());
        for ((actor, status, actor2, low), idx) in groups {
            let geometry = solvent
                .dissolve(idx.iter().map(|&i| self.grid.cell(i)))
                .map_err(|e| MapError::Dissolve(e.to_string()))?;
            let geometry = if opts.clip {
                geometry
                    .intersection(self.grid.mask())
                    .orient(Direction::Default)
            } else {
                geometry.orient(Direction::Default)
            };
            let area_km2: f64 = idx.iter().map(|&i| self.grid.area_km2(i)).sum();
            let conf: f64 = idx
                .iter()
                .map(|&i| self.grid.area_km2(i) * f64::from(self.cells[i].confidence))
                .sum();
            out.push(ControlFeature {
                actor: self.actors[actor as usize].clone(),
                actor2: self.actor(actor2).cloned(),
                status,
                low_confidence: low,
                area_km2,
                mean_confidence: if area_km2 > 0.0 { conf / area_km2 } else { 0.0 },
                cells: idx.len(),
                geometry,
            });
        }
        Ok(out)
    }
}
