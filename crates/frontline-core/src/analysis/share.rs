//! Share of an area of interest held by each actor on a date ("96 % of Mosul is back in the
//! army's hands").
//!
//! The area of interest is cut out of the control estimate: every H3 cell that touches it
//! contributes the part of the cell inside it (a cell wholly inside contributes its whole area, a
//! cell on the outline is clipped against the outline and measured geodesically). The part of the
//! area of interest outside the region the estimate covers is reported as `outside`, so the rows
//! always sum to the area's own geodesic area and the percentages to 100 %.

use std::collections::BTreeMap;

use geo::{orient::Direction, BooleanOps, MultiPolygon, Orient};
use h3o::geom::{ContainmentMode, TilerBuilder};

use super::{AnalysisError, Territory};
use crate::geometry::geodesic_area_km2;
use crate::ActorId;

/// Who a row of a share table is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Holder {
    Actor(ActorId),
    /// Inside the estimated region but not assessed (beyond every observation's reach).
    Unassessed,
    /// Outside the region the estimate covers.
    Outside,
}

impl Holder {
    pub fn label(&self) -> &str {
        match self {
            Self::Actor(a) => a.as_str(),
            Self::Unassessed => "unassessed",
            Self::Outside => "outside-region",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ShareRow {
    pub holder: Holder,
    pub km2: f64,
    /// Percent of the whole area of interest.
    pub pct: f64,
    /// Percent of the assessed part (actors only); `None` for the unassessed and outside rows.
    pub pct_of_assessed: Option<f64>,
}

/// km² and % of an area of interest per actor.
#[derive(Debug, Clone, PartialEq)]
pub struct ShareReport {
    pub aoi: String,
    /// Geodesic area of the area of interest, km².
    pub aoi_km2: f64,
    /// km² held by some actor.
    pub assessed_km2: f64,
    /// Number of grid cells touching the area.
    pub cells: usize,
    /// Actors first (largest first), then unassessed, then outside; zero rows are left out.
    pub rows: Vec<ShareRow>,
}

impl ShareReport {
    pub fn row(&self, actor: &ActorId) -> Option<&ShareRow> {
        self.rows
            .iter()
            .find(|r| matches!(&r.holder, Holder::Actor(a) if a == actor))
    }

    /// The actor holding the largest part, if any.
    pub fn leader(&self) -> Option<&ShareRow> {
        self.rows
            .iter()
            .find(|r| matches!(r.holder, Holder::Actor(_)))
    }
}

/// Shares of `aoi` (named `name`) per actor in `territory`.
pub fn share(
    territory: &Territory,
    name: &str,
    aoi: &MultiPolygon<f64>,
) -> Result<ShareReport, AnalysisError> {
    let aoi = aoi.orient(Direction::Default);
    let aoi_km2 = geodesic_area_km2(&aoi);
    if aoi_km2 <= 0.0 {
        return Err(AnalysisError::EmptyArea(name.to_owned()));
    }
    let mut by: BTreeMap<Holder, f64> = BTreeMap::new();
    let mut cells = 0;
    if let Some(res) = territory.resolution() {
        let mut tiler = TilerBuilder::new(res)
            .containment_mode(ContainmentMode::Covers)
            .build();
        for poly in &aoi.0 {
            tiler
                .add(poly.clone())
                .map_err(|e| AnalysisError::Geometry(name.to_owned(), e.to_string()))?;
        }
        let mut seen = std::collections::HashSet::new();
        for annotated in tiler.into_annotated_coverage() {
            if !seen.insert(annotated.cell) {
                continue;
            }
            let Some(c) = territory.get(annotated.cell) else {
                continue;
            };
            let piece = if annotated.is_fully_contained {
                c.area_km2
            } else {
                let cell_mp: MultiPolygon<f64> = annotated.cell.into();
                // The engine may already have clipped the cell to the region mask: never count
                // more than the cell's own area in the region.
                geodesic_area_km2(&cell_mp.intersection(&aoi)).min(c.area_km2)
            };
            if piece <= 0.0 {
                continue;
            }
            cells += 1;
            for (a, part) in c.split() {
                if part > 0.0 {
                    let holder = a.cloned().map_or(Holder::Unassessed, Holder::Actor);
                    *by.entry(holder).or_insert(0.0) += part * piece;
                }
            }
        }
    }
    let inside: f64 = by.values().sum();
    // Below a millionth of the area the difference is rounding between the cells' areas and the
    // outline's, not territory outside the region.
    let outside = aoi_km2 - inside;
    let outside = if outside > 1e-6 * aoi_km2 {
        outside
    } else {
        0.0
    };
    if outside > 0.0 {
        by.insert(Holder::Outside, outside);
    }
    // The rows are the denominator, so the percentages sum to exactly 100.
    let total = inside + outside;
    let assessed_km2: f64 = by
        .iter()
        .filter(|(h, _)| matches!(h, Holder::Actor(_)))
        .map(|(_, v)| v)
        .sum();
    let mut rows: Vec<ShareRow> = by
        .into_iter()
        .map(|(holder, km2)| {
            let pct_of_assessed = match holder {
                Holder::Actor(_) if assessed_km2 > 0.0 => Some(100.0 * km2 / assessed_km2),
                _ => None,
            };
            ShareRow {
                holder,
                km2,
                pct: 100.0 * km2 / total,
                pct_of_assessed,
            }
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
            .then(b.km2.total_cmp(&a.km2))
            .then(a.holder.cmp(&b.holder))
    });
    Ok(ShareReport {
        aoi: name.to_owned(),
        aoi_km2,
        assessed_km2,
        cells,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;
    use geo::{polygon, Polygon};

    fn square(lat: f64, lon: f64, half: f64) -> MultiPolygon<f64> {
        let p: Polygon<f64> = polygon![
            (x: lon - half, y: lat - half),
            (x: lon + half, y: lat - half),
            (x: lon + half, y: lat + half),
            (x: lon - half, y: lat + half),
            (x: lon - half, y: lat - half),
        ];
        MultiPolygon(vec![p])
    }

    #[test]
    fn an_area_inside_one_actor_is_all_theirs() {
        let t = island(cell_at(36.34, 43.13, 7), 10, "iraqi-government", 0, None);
        let r = share(&t, "Mosul", &square(36.34, 43.13, 0.05)).unwrap();
        assert_eq!(r.rows.len(), 1);
        assert_eq!(r.rows[0].holder, Holder::Actor(actor("iraqi-government")));
        assert!((r.rows[0].pct - 100.0).abs() < 1e-6, "{r:?}");
        assert!((r.rows[0].km2 - r.aoi_km2).abs() / r.aoi_km2 < 1e-6);
    }

    #[test]
    fn part_outside_the_region_is_reported_not_dropped() {
        let t = island(
            cell_at(36.34, 43.13, 7),
            2,
            "iraqi-government",
            2,
            Some("islamic-state"),
        );
        let r = share(&t, "big", &square(36.34, 43.13, 0.5)).unwrap();
        let sum: f64 = r.rows.iter().map(|x| x.pct).sum();
        assert!((sum - 100.0).abs() < 1e-9);
        let outside = r.rows.iter().find(|x| x.holder == Holder::Outside).unwrap();
        assert!(outside.pct > 90.0);
        assert_eq!(
            r.leader().unwrap().holder,
            Holder::Actor(actor("islamic-state"))
        );
        let gov = r.row(&actor("iraqi-government")).unwrap();
        // 19 cells of ~5.2 km² each.
        assert!((gov.km2 - 19.0 * 5.16).abs() < 8.0, "{gov:?}");
    }

    #[test]
    fn empty_area_is_an_error() {
        let t = island(cell_at(36.34, 43.13, 7), 1, "sdf", 0, None);
        let flat = MultiPolygon(vec![
            polygon![(x: 1.0, y: 1.0), (x: 2.0, y: 1.0), (x: 1.0, y: 1.0)],
        ]);
        assert!(share(&t, "flat", &flat).is_err());
    }
}
