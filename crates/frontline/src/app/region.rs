//! A region resolved against the store: each part's stored outline, repaired as the importers
//! repair outlines, with overlaps removed so that the union is what is estimated and no ground
//! is counted twice (`IRQ,IQ-NI` is Iraq, not Iraq plus Ninawa again).

use frontline_core::geometry::{difference, geodesic_area_km2 as area_km2, make_valid};
use frontline_core::grid::RegionPart;
use frontline_store::Store;
use geo::{BoundingRect, Intersects, MultiPolygon};

use super::error::{AppError, AppResult};
use super::request::Region;

/// The parts of a region, ready for the grid.
#[derive(Debug, Clone)]
pub struct ResolvedRegion {
    /// The stored areas' codes, upper-case, sorted, comma-joined (e.g. `IRQ,SYR`): the cache key
    /// and what responses name.
    pub key: String,
    /// Non-overlapping parts in `key` order (a part wholly inside another is left out).
    pub parts: Vec<RegionPart>,
    /// Geodesic km² of the union.
    pub km2: f64,
}

/// Resolve `region`'s parts (codes or names) to stored areas and make them disjoint. Refuses a
/// region whose area exceeds `max_km2` before any grid is built.
pub fn resolve(store: &Store, region: &Region, max_km2: f64) -> AppResult<ResolvedRegion> {
    let mut found: Vec<RegionPart> = Vec::new();
    for name in region.parts() {
        let area = store.area(name)?.ok_or_else(|| {
            AppError::Unprocessable(format!(
                "unknown region part {name:?}: use the code or name of a stored area (see /api/areas or `frontline import boundaries`)"
            ))
        })?;
        let code = area.code.to_ascii_uppercase();
        if found.iter().any(|p| p.code == code) {
            continue;
        }
        // Refused before the outline is repaired: repairing Russia's outline alone took
        // seconds. Repair changes a real outline's area little; the margin keeps a region
        // just under the limit from being refused on its raw outline.
        let raw = area_km2(area.geometry());
        if raw > max_km2 * 1.5 {
            return Err(too_large(region, max_km2));
        }
        let shape = make_valid(area.geometry().clone())
            .map_err(|e| {
                AppError::Unprocessable(format!("the outline of {code} is unusable: {e}"))
            })?
            .geometry;
        found.push(RegionPart {
            code,
            name: area.name.clone(),
            shape,
        });
    }
    // Larger parts keep their whole outline; smaller ones lose what a larger one covers.
    let mut by_size: Vec<(f64, RegionPart)> =
        found.into_iter().map(|p| (area_km2(&p.shape), p)).collect();
    by_size.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.code.cmp(&b.1.code)));
    let mut kept: Vec<RegionPart> = Vec::new();
    let mut km2 = 0.0;
    for (size, mut part) in by_size {
        let mut own = size;
        for k in &kept {
            if boxes_meet(&part.shape, &k.shape) && part.shape.intersects(&k.shape) {
                part.shape = difference(&part.shape, &k.shape);
                own = area_km2(&part.shape);
            }
        }
        // A sliver under a hectare is a shared border drawn twice, not ground of its own.
        if own < 0.01 {
            continue;
        }
        km2 += own;
        if km2 > max_km2 {
            return Err(too_large(region, max_km2));
        }
        kept.push(part);
    }
    kept.sort_by(|a, b| a.code.cmp(&b.code));
    let key = kept
        .iter()
        .map(|p| p.code.as_str())
        .collect::<Vec<_>>()
        .join(",");
    Ok(ResolvedRegion {
        key,
        parts: kept,
        km2,
    })
}

fn too_large(region: &Region, max_km2: f64) -> AppError {
    AppError::Unprocessable(format!(
        "the region {region} covers more than {max_km2:.0} km², this server's limit: ask for a smaller region"
    ))
}

fn boxes_meet(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> bool {
    match (a.bounding_rect(), b.bounding_rect()) {
        (Some(x), Some(y)) => x.intersects(&y),
        _ => false,
    }
}
