//! Change between two control maps on the same grid: km² gained and lost per actor, net change,
//! and the cells that changed hands (for gained/lost polygons).

use std::collections::BTreeMap;

use geo::{orient::Direction, MultiPolygon, Orient};
use h3o::geom::SolventBuilder;

use crate::control_map::{ControlMap, MapError, NO_ACTOR};
use crate::ActorId;

/// One actor's change from the first map to the second.
#[derive(Debug, Clone, PartialEq)]
pub struct ActorChange {
    /// `None` for the unassessed remainder.
    pub actor: Option<ActorId>,
    pub before_km2: f64,
    pub after_km2: f64,
    pub gained_km2: f64,
    pub lost_km2: f64,
}

impl ActorChange {
    pub fn net_km2(&self) -> f64 {
        self.after_km2 - self.before_km2
    }

    /// Net change as a percentage of the area before (None if it held nothing before).
    pub fn net_pct(&self) -> Option<f64> {
        (self.before_km2 > 0.0).then(|| 100.0 * self.net_km2() / self.before_km2)
    }
}

/// The change between two maps.
#[derive(Debug, Clone)]
pub struct MapDiff {
    pub rows: Vec<ActorChange>,
    /// Per actor (by id, `None` = unassessed): cells where its share grew / shrank, with the
    /// km² of the change in each (a cell whose share went from ½ to 1 changed by half its area).
    gained: BTreeMap<Option<ActorId>, Vec<(usize, f64)>>,
    lost: BTreeMap<Option<ActorId>, Vec<(usize, f64)>>,
    grid: crate::grid::Grid,
}

fn shares(map: &ControlMap, i: usize) -> Vec<(Option<ActorId>, f64)> {
    let mut out: Vec<(Option<ActorId>, f64)> = Vec::new();
    for (a, s) in map.shares(i) {
        let actor = if a == NO_ACTOR {
            None
        } else {
            map.actor(a).cloned()
        };
        // A cell may hold the same actor twice (a polygon's part and the points' rest).
        match out.iter_mut().find(|o| o.0 == actor) {
            Some(o) => o.1 += s,
            None => out.push((actor, s)),
        }
    }
    out
}

/// Compare `a` (before) with `b` (after). Both must be on the same grid.
pub fn diff(a: &ControlMap, b: &ControlMap) -> Result<MapDiff, MapError> {
    let grid = a.grid();
    if grid.len() != b.grid().len() || grid.cells() != b.grid().cells() {
        return Err(MapError::DifferentGrids);
    }
    let mut rows: BTreeMap<Option<ActorId>, ActorChange> = BTreeMap::new();
    let mut gained: BTreeMap<Option<ActorId>, Vec<(usize, f64)>> = BTreeMap::new();
    let mut lost: BTreeMap<Option<ActorId>, Vec<(usize, f64)>> = BTreeMap::new();
    let row = |rows: &mut BTreeMap<Option<ActorId>, ActorChange>, k: &Option<ActorId>| {
        rows.entry(k.clone())
            .or_insert_with(|| ActorChange {
                actor: k.clone(),
                before_km2: 0.0,
                after_km2: 0.0,
                gained_km2: 0.0,
                lost_km2: 0.0,
            })
            .clone()
    };
    for i in 0..grid.len() {
        let area = grid.area_km2(i);
        let (sa, sb) = (shares(a, i), shares(b, i));
        let mut actors: Vec<Option<ActorId>> = sa.iter().chain(&sb).map(|s| s.0.clone()).collect();
        actors.sort();
        actors.dedup();
        for k in actors {
            let x = sa.iter().find(|s| s.0 == k).map_or(0.0, |s| s.1);
            let y = sb.iter().find(|s| s.0 == k).map_or(0.0, |s| s.1);
            row(&mut rows, &k);
            let r = rows.get_mut(&k).expect("inserted");
            r.before_km2 += x * area;
            r.after_km2 += y * area;
            if y > x {
                r.gained_km2 += (y - x) * area;
                gained
                    .entry(k.clone())
                    .or_default()
                    .push((i, (y - x) * area));
            } else if x > y {
                r.lost_km2 += (x - y) * area;
                lost.entry(k.clone()).or_default().push((i, (x - y) * area));
            }
        }
    }
    let mut rows: Vec<ActorChange> = rows.into_values().collect();
    rows.sort_by(|x, y| {
        x.actor
            .is_none()
            .cmp(&y.actor.is_none())
            .then(x.actor.cmp(&y.actor))
    });
    Ok(MapDiff {
        rows,
        gained,
        lost,
        grid: grid.clone(),
    })
}

/// Gained or lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Gained,
    Lost,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gained => "gained",
            Self::Lost => "lost",
        }
    }
}

/// The cells an actor gained or lost, dissolved.
#[derive(Debug, Clone)]
pub struct ChangePolygon {
    pub actor: Option<ActorId>,
    pub kind: ChangeKind,
    /// km² that changed hands: the row's `gained_km2` / `lost_km2` (a cell whose share
    /// changed by half counts half, as in the areas).
    pub change_km2: f64,
    /// Area of the whole cells drawn, which is what `geometry` covers.
    pub cells_km2: f64,
    pub geometry: MultiPolygon<f64>,
}

impl MapDiff {
    pub fn row(&self, actor: Option<&ActorId>) -> Option<&ActorChange> {
        self.rows.iter().find(|r| r.actor.as_ref() == actor)
    }

    /// Gained and lost polygons per actor (unassessed left out).
    pub fn polygons(&self) -> Result<Vec<ChangePolygon>, MapError> {
        let solvent = SolventBuilder::new().build();
        let mut out = Vec::new();
        for (kind, sets) in [
            (ChangeKind::Gained, &self.gained),
            (ChangeKind::Lost, &self.lost),
        ] {
            for (actor, cells) in sets {
                if actor.is_none() || cells.is_empty() {
                    continue;
                }
                let geometry = solvent
                    .dissolve(cells.iter().map(|&(i, _)| self.grid.cell(i)))
                    .map_err(|e| MapError::Dissolve(e.to_string()))?
                    .orient(Direction::Default);
                out.push(ChangePolygon {
                    actor: actor.clone(),
                    kind,
                    change_km2: cells.iter().map(|&(_, km2)| km2).sum(),
                    cells_km2: cells.iter().map(|&(i, _)| self.grid.area_km2(i)).sum(),
                    geometry,
                });
            }
        }
        Ok(out)
    }
}
