//! Estimating many dates over one grid: what does not depend on the date is worked out once.
//!
//! Which places could ever vote in a cell, and how far they are from its centre, does not change
//! from day to day: a place's reach never exceeds its feature type's maximum (25 km for towns),
//! so every cell keeps the list of place positions within that bound, nearest first. A date then
//! only decides which places speak, their reach (it follows the density of the places active
//! then), states and votes, and walks each cell's list until `vote_k` places have voted.
//!
//! The result is the same map as [`Day::estimate`], cell for cell and bit for bit: the same
//! distances (one haversine), the same order of voters (distance, then place), the same
//! arithmetic (tested on the real data, with and without analyst polygons).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use rstar::{primitives::GeomWithData, RTree};

use super::spatial::{self, Projection, QUERY_PAD};
use super::{point_cells, Day, Prepared};
use crate::control_map::ControlMap;
use crate::geometry::haversine_km;
use crate::grid::Grid;
use crate::{Footprint, LatLon};

/// Not a position (an area observation).
const NO_POSITION: u32 = u32::MAX;

/// How many (cell, km²) pairs of analyst-polygon coverage are kept between dates (16 bytes
/// each: 64 MB). Past that, coverage is recomputed on each date that needs it.
const COVER_BUDGET: usize = 4 << 20;

/// The cells an analyst polygon covers, with the km² covered.
type Coverage = Arc<Vec<(usize, f64)>>;

/// One position a place is observed at: a place's observations can sit a few hundred metres
/// apart, and its state on a date is placed at the observation that decides it.
#[derive(Debug, Clone, Copy)]
struct Position {
    location: LatLon,
    /// The place (timeline index): the tie-break between equidistant voters.
    timeline: u32,
    /// The largest reach any observation at this position can have.
    max_reach_km: f64,
}

/// Candidate voters per cell of one grid, for one prepared set of observations.
pub struct Candidates {
    grid: Grid,
    positions: Vec<Position>,
    /// Observation index → position index (`NO_POSITION` for areas).
    position_of_obs: Vec<u32>,
    /// Cell i's candidates are `ids[offsets[i]..offsets[i + 1]]`, sorted by (distance, place).
    offsets: Vec<u32>,
    ids: Vec<u32>,
}

impl Candidates {
    /// Work out every cell's candidate voters (threads over fixed chunks of cells: the result
    /// does not depend on their number).
    pub fn new(prep: &Prepared<'_>, grid: &Grid) -> Self {
        let obs = &*prep.obs;
        let reach = &prep.params.reach;
        let mut positions: Vec<Position> = Vec::new();
        let mut position_of_obs = vec![NO_POSITION; obs.len()];
        for (t, tl) in prep.timelines.iter().enumerate() {
            if tl.is_area {
                continue;
            }
            let first = positions.len();
            for &i in &tl.members {
                let o = &obs[i as usize];
                let Footprint::Point(location) = o.footprint else {
                    continue;
                };
                let hi = spatial::reach_bounds(o.feature, reach).1;
                let k = match positions[first..]
                    .iter()
                    .position(|p| p.location == location)
                {
                    Some(k) => first + k,
                    None => {
                        positions.push(Position {
                            location,
                            timeline: t as u32,
                            max_reach_km: 0.0,
                        });
                        positions.len() - 1
                    }
                };
                positions[k].max_reach_km = positions[k].max_reach_km.max(hi);
                position_of_obs[i as usize] = k as u32;
            }
        }
        let proj = Projection::for_points(positions.iter().map(|p| p.location));
        let tree: RTree<GeomWithData<[f64; 2], u32>> = RTree::bulk_load(
            positions
                .iter()
                .enumerate()
                .map(|(k, p)| GeomWithData::new(proj.xy(p.location), k as u32))
                .collect(),
        );
        let bound = positions.iter().map(|p| p.max_reach_km).fold(0.0, f64::max) * QUERY_PAD;
        let n = grid.len();
        let threads = std::thread::available_parallelism()
            .map_or(1, |t| t.get())
            .min(8);
        let chunk = n.div_ceil(threads.max(1)).max(1);
        let lists: Vec<(Vec<u32>, Vec<u32>)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..n)
                .step_by(chunk)
                .map(|start| {
                    let (tree, positions) = (&tree, &positions);
                    scope.spawn(move || {
                        let mut lens = Vec::new();
                        let mut ids = Vec::new();
                        let mut near: Vec<(f64, u32, u32)> = Vec::new();
                        for i in start..(start + chunk).min(n) {
                            let c = grid.center(i);
                            near.clear();
                            for hit in tree.locate_within_distance(proj.xy(c), bound * bound) {
                                let p = &positions[hit.data as usize];
                                let d = haversine_km(c, p.location);
                                if d < p.max_reach_km {
                                    near.push((d, p.timeline, hit.data));
                                }
                            }
                            near.sort_unstable_by(|a, b| {
                                a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2))
                            });
                            lens.push(near.len() as u32);
                            ids.extend(near.iter().map(|x| x.2));
                        }
                        (lens, ids)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("candidate thread"))
                .collect()
        });
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0u32);
        let mut ids = Vec::with_capacity(lists.iter().map(|l| l.1.len()).sum());
        for (lens, part) in lists {
            for l in lens {
                offsets.push(offsets.last().copied().unwrap_or(0) + l);
            }
            ids.extend(part);
        }
        Self {
            grid: grid.clone(),
            positions,
            position_of_obs,
            offsets,
            ids,
        }
    }

    pub fn grid(&self) -> &Grid {
        &self.grid
    }

    /// Candidate voters over all cells (the size of the precomputed lists).
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.ids.len() * 4
            + self.offsets.len() * 4
            + self.position_of_obs.len() * 4
            + self.positions.len() * std::mem::size_of::<Position>()
    }

    fn of_cell(&self, i: usize) -> &[u32] {
        &self.ids[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
}

/// Prepared observations and their candidates over one grid: estimates any date of that grid.
/// `Scrub<'static>` (from [`Prepared::shared`]) can be kept and shared between threads.
pub struct Scrub<'a> {
    prep: Prepared<'a>,
    candidates: Candidates,
    /// Analyst polygons' coverage by observation index, kept while it fits `COVER_BUDGET`.
    covered: Mutex<(usize, HashMap<u32, Coverage>)>,
}

impl<'a> Scrub<'a> {
    pub fn new(prep: Prepared<'a>, grid: &Grid) -> Self {
        let candidates = Candidates::new(&prep, grid);
        Self {
            prep,
            candidates,
            covered: Mutex::new((0, HashMap::new())),
        }
    }

    pub fn prepared(&self) -> &Prepared<'a> {
        &self.prep
    }

    pub fn candidates(&self) -> &Candidates {
        &self.candidates
    }

    pub fn grid(&self) -> &Grid {
        &self.candidates.grid
    }

    /// Bytes held beyond the observations (candidates and cached polygon coverage).
    pub fn bytes(&self) -> usize {
        let cover = self
            .covered
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .0;
        self.candidates.bytes() + cover * 16
    }

    /// The map on `date`: the same as `self.prepared().on(date).estimate(self.grid())`.
    pub fn estimate(&self, date: NaiveDate) -> ControlMap {
        let day = self.prep.on(date);
        self.estimate_day(&day)
    }

    /// The map of a day of this scrub's prepared observations.
    pub fn estimate_day(&self, day: &Day<'_, 'a>) -> ControlMap {
        assert!(
            std::ptr::eq(day.prep, &self.prep),
            "a day of another preparation"
        );
        let c = &self.candidates;
        // Which site (if any) speaks from each position on this date.
        let mut site_at = vec![u32::MAX; c.positions.len()];
        for (k, s) in day.index.sites.iter().enumerate() {
            let o = day.states[s.state as usize].state.observations[0];
            let pos = c.position_of_obs[o as usize];
            debug_assert_ne!(
                pos, NO_POSITION,
                "point states come from point observations"
            );
            site_at[pos as usize] = k as u32;
        }
        let prm = &self.prep.params;
        let grid = &c.grid;
        let cells = point_cells(grid.len(), |i, voters, _, scores| {
            let p = grid.center(i);
            scores.clear();
            voters.clear();
            let mut rank = 0usize;
            for &pos in c.of_cell(i) {
                let k = site_at[pos as usize];
                if k == u32::MAX {
                    continue;
                }
                let s = &day.index.sites[k as usize];
                let d = haversine_km(p, s.location);
                if d >= s.reach_km {
                    continue;
                }
                let divisor = self.prep.rank_divisors[rank];
                let w = spatial::vote_weight(s.confidence, d, s.reach_km, divisor);
                if w <= 0.0 {
                    continue;
                }
                voters.push((s.state, d));
                day.cast(scores, s.state, w);
                rank += 1;
                if rank == prm.vote_k {
                    break;
                }
            }
            if voters.is_empty() {
                return None;
            }
            day.decide(scores, |state| {
                voters.iter().find(|x| x.0 == state).map_or(0.0, |x| x.1)
            })
        });
        day.finish(grid, cells, |a| self.covered(day, a))
    }

    fn covered(&self, day: &Day<'_, 'a>, state: u32) -> Coverage {
        let o = day.states[state as usize].state.observations[0];
        let mut slot = self
            .covered
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(v) = slot.1.get(&o) {
            return v.clone();
        }
        drop(slot);
        let v = Arc::new(self.candidates.grid.cells_covered(day.polygon(state)));
        slot = self
            .covered
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if slot.0 + v.len() <= COVER_BUDGET {
            slot.0 += v.len();
            slot.1.insert(o, v.clone());
        }
        v
    }
}
