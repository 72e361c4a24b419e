//! Lon/lat geometry to projected scene paths, skipping parts outside the visible box and points
//! closer together than a third of a pixel.

use geo::{BoundingRect, MultiPolygon};

use crate::render::projection::{GeoBox, Projection};
use crate::render::scene::Path;

/// Points closer than this (logical px) to the previous one are skipped: invisible detail.
const DECIMATE_PX: f32 = 0.35;

fn ring_into(path: &mut Path, proj: &Projection, ring: &geo::LineString<f64>, closed: bool) {
    let mut last: Option<(f32, f32)> = None;
    let n = ring.0.len();
    for (i, c) in ring.0.iter().enumerate() {
        let (x, y) = proj.project_coord(*c);
        match last {
            None => path.move_to(x, y),
            Some((lx, ly)) => {
                if (x - lx).abs() < DECIMATE_PX && (y - ly).abs() < DECIMATE_PX && i + 1 != n {
                    continue;
                }
                path.line_to(x, y);
            }
        }
        last = Some((x, y));
    }
    if closed && last.is_some() {
        path.close();
    }
}

/// The projected outline of every polygon that reaches into the visible box.
pub(super) fn polygons_path(proj: &Projection, mp: &MultiPolygon<f64>, vis: &GeoBox) -> Path {
    let mut path = Path::new();
    for poly in &mp.0 {
        let Some(r) = poly.exterior().bounding_rect() else {
            continue;
        };
        if !vis.intersects(&GeoBox::new(r.min().x, r.min().y, r.max().x, r.max().y)) {
            continue;
        }
        ring_into(&mut path, proj, poly.exterior(), true);
        for hole in poly.interiors() {
            ring_into(&mut path, proj, hole, true);
        }
    }
    path
}

pub(super) fn lines_path(proj: &Projection, ml: &geo::MultiLineString<f64>, vis: &GeoBox) -> Path {
    let mut path = Path::new();
    for l in &ml.0 {
        let Some(r) = l.bounding_rect() else { continue };
        if !vis.intersects(&GeoBox::new(r.min().x, r.min().y, r.max().x, r.max().y)) {
            continue;
        }
        ring_into(&mut path, proj, l, false);
    }
    path
}
