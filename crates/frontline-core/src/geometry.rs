//! Geometry repair and measures shared by the importers, the estimator and the analyses: the one
//! great-circle distance ([`haversine_km`]) and the one geodesic area ([`geodesic_area_km2`]).
//!
//! Natural Earth's 10m polygons, decoded from TopoJSON, have self-touching rings (Jordan, Saudi
//! Arabia, Palestine, Ukraine): invalid by OGC rules, and boolean operations or areas on them
//! can go wrong. [`make_valid`] repairs such polygons without dropping any of them.
//!
//! # Units
//! Areas are geodesic, in km² on the WGS84 ellipsoid ([`geo::GeodesicArea`]). Distances are
//! great-circle km on a sphere of the mean Earth radius (within 0.5 % of the ellipsoid's).

use geo::{
    orient::Direction, unary_union, BooleanOps, GeodesicArea, MultiPolygon, Orient, Polygon,
    Validation,
};

use crate::LatLon;

/// Mean Earth radius (IUGG), km.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Great-circle distance between two points, km (haversine on [`EARTH_RADIUS_KM`]).
///
/// # Examples
/// ```
/// use frontline_core::{geometry::haversine_km, LatLon};
/// let aleppo = LatLon::new(36.2021, 37.1343).unwrap();
/// let damascus = LatLon::new(33.5138, 36.2765).unwrap();
/// assert!((haversine_km(aleppo, damascus) - 309.5).abs() < 3.0);
/// ```
pub fn haversine_km(a: LatLon, b: LatLon) -> f64 {
    let (la, lb) = (a.lat().to_radians(), b.lat().to_radians());
    let dlat = lb - la;
    let dlon = (b.lon() - a.lon()).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la.cos() * lb.cos() * (dlon / 2.0).sin().powi(2);
    // Rounding can push h a hair above 1 for antipodal points; asin would give NaN.
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// Why a geometry could not be repaired.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeometryError {
    #[error("the geometry has no polygon to repair")]
    Empty,
    #[error("repairing the geometry left nothing (input area {area_km2:.1} km²)")]
    RepairFailed { area_km2: f64 },
}

/// A valid geometry and whether it had to be repaired.
#[derive(Debug, Clone, PartialEq)]
pub struct Repaired {
    /// Valid, with exteriors counter-clockwise and holes clockwise.
    pub geometry: MultiPolygon<f64>,
    /// True if the input was invalid.
    pub repaired: bool,
    /// The first validation problem found in the input, if any (for reports).
    pub problem: Option<String>,
}

/// Make `mp` valid: a valid input is only re-oriented; an invalid one (self-touching or
/// self-crossing rings, overlapping parts) is rebuilt as the union of its rings, which keeps
/// every part of its area. Never drops a polygon silently: if the union came out empty the
/// result is an error.
///
/// # Examples
/// ```
/// use frontline_core::geometry::make_valid;
/// use geo::wkt;
/// // Two squares touching at one point written as a single ring: invalid.
/// let touching = wkt!(MULTIPOLYGON(((0. 0.,2. 0.,2. 2.,4. 2.,4. 4.,2. 4.,2. 2.,0. 2.,0. 0.))));
/// let fixed = make_valid(touching).unwrap();
/// assert!(fixed.repaired);
/// ```
pub fn make_valid(mp: MultiPolygon<f64>) -> Result<Repaired, GeometryError> {
    if mp.0.is_empty() {
        return Err(GeometryError::Empty);
    }
    let oriented = mp.orient(Direction::Default);
    let problem = match oriented.check_validation() {
        Ok(()) => {
            return Ok(Repaired {
                geometry: oriented,
                repaired: false,
                problem: None,
            })
        }
        Err(e) => e.to_string(),
    };
    // The triangulation-based repair (odd-even rule) keeps both lobes of a self-crossing ring
    // and every part of a self-touching one; the union of the oriented rings is the fallback.
    let union = match geo::MakeValid::make_valid(&oriented) {
        Ok(fixed) if !fixed.0.is_empty() => fixed.orient(Direction::Default),
        _ => unary_union(std::iter::once(&oriented)).orient(Direction::Default),
    };
    if union.0.is_empty() {
        return Err(GeometryError::RepairFailed {
            area_km2: geodesic_area_km2(&oriented),
        });
    }
    Ok(Repaired {
        geometry: canonical_order(union),
        repaired: true,
        problem: Some(problem),
    })
}

/// The same rings in a canonical order: each ring starts at its smallest vertex (by x, then
/// y), holes and polygons are sorted by that vertex. The repair's output order is not stable
/// between runs; this makes a repaired geometry byte-identical each time, so that re-importing
/// a file is recognised as unchanged.
pub fn canonical_order(mp: MultiPolygon<f64>) -> MultiPolygon<f64> {
    use geo::{Coord, LineString, Polygon};
    fn key(c: &Coord<f64>) -> (f64, f64) {
        (c.x, c.y)
    }
    fn cmp(a: &Coord<f64>, b: &Coord<f64>) -> std::cmp::Ordering {
        key(a)
            .partial_cmp(&key(b))
            .unwrap_or(std::cmp::Ordering::Equal)
    }
    fn ring(ls: &LineString<f64>) -> LineString<f64> {
        let mut pts: Vec<Coord<f64>> = ls.0.clone();
        if pts.len() > 1 && pts.first() == pts.last() {
            pts.pop();
        }
        let Some((start, _)) = pts.iter().enumerate().min_by(|a, b| cmp(a.1, b.1)) else {
            return ls.clone();
        };
        pts.rotate_left(start);
        pts.push(pts[0]);
        LineString(pts)
    }
    let mut polys: Vec<Polygon<f64>> =
        mp.0.iter()
            .map(|p| {
                let mut holes: Vec<LineString<f64>> = p.interiors().iter().map(ring).collect();
                holes.sort_by(|a, b| cmp(&a.0[0], &b.0[0]));
                Polygon::new(ring(p.exterior()), holes)
            })
            .collect();
    polys.sort_by(|a, b| cmp(&a.exterior().0[0], &b.exterior().0[0]));
    MultiPolygon(polys)
}

/// Geodesic area in km², whatever way the rings are wound: after a union, holes may be wound the
/// wrong way and the signed sum would be garbage (about −2×10⁹ km²), and geo's unsigned area of a
/// clockwise exterior is that of the rest of the globe.
///
/// # Assumptions
/// Each ring encloses less than half the globe (true of any country or region).
pub fn geodesic_area_km2(mp: &MultiPolygon<f64>) -> f64 {
    // Ring by ring, by the absolute signed area: a sliver left by clipping (or by rounding
    // coordinates) can have no reliable winding, and orienting it then measures the rest of the
    // globe instead of the sliver.
    mp.0.iter()
        .map(|p| {
            let outer = ring_area_km2(p.exterior().0.clone());
            let holes: f64 = p
                .interiors()
                .iter()
                .map(|r| ring_area_km2(r.0.clone()))
                .sum();
            (outer - holes).max(0.0)
        })
        .sum()
}

/// Geodesic area of one ring of unknown winding, km², for the pieces that clipping produces: a
/// clipped ring can come out clockwise (from a hole) or as a near-zero sliver whose sign is
/// noise, and geo's unsigned area of a clockwise ring is that of the rest of the globe. The
/// absolute signed area is right whichever way the ring runs.
pub fn ring_area_km2(ring: Vec<geo::Coord<f64>>) -> f64 {
    if ring.len() < 3 {
        return 0.0;
    }
    Polygon::new(geo::LineString::from(ring), vec![])
        .geodesic_area_signed()
        .abs()
        / 1e6
}

/// `a` minus `b`, oriented (a convenience for change-between-dates analyses).
pub fn difference(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    a.difference(b).orient(Direction::Default)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;
    use geo::wkt;

    fn data(rel: &str) -> String {
        format!("{}/../../data/{rel}", env!("CARGO_MANIFEST_DIR"))
    }

    /// The named country's geometry from a Natural Earth GeoJSON file.
    fn country(file: &str, iso3: &str) -> MultiPolygon<f64> {
        let text = std::fs::read_to_string(data(file)).unwrap();
        let fc: geojson::FeatureCollection = text.parse().unwrap();
        let f = fc
            .features
            .into_iter()
            .find(|f| f.property("iso_a3").and_then(|v| v.as_str()) == Some(iso3))
            .unwrap();
        match geo::Geometry::<f64>::try_from(f.geometry.unwrap()).unwrap() {
            geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
            geo::Geometry::MultiPolygon(mp) => mp,
            other => panic!("{iso3}: unexpected {other:?}"),
        }
    }

    fn assert_repaired_keeping_area(file: &str, iso3: &str) {
        let raw = country(file, iso3);
        assert!(!raw.is_valid(), "{iso3} is expected to be invalid as given");
        let before = raw.geodesic_area_signed().abs() / 1e6;
        let fixed = make_valid(raw.clone()).unwrap();
        assert!(fixed.repaired);
        assert!(fixed.geometry.is_valid(), "{iso3} still invalid");
        let after = geodesic_area_km2(&fixed.geometry);
        // Self-touching rings enclose no area at the touching points: the area must not move
        // by more than 0.1 %.
        assert_relative_eq!(after, geodesic_area_km2(&raw), max_relative = 1e-3);
        assert!(after > 0.5 * before, "{iso3}: {after} km² vs {before} km²");
        assert!(fixed.geometry.0.len() >= raw.0.len().min(1));
    }

    #[test]
    fn natural_earth_jordan_is_repaired_not_dropped() {
        assert_repaired_keeping_area("boundaries/ne_10m_admin_0_countries_mideast.geojson", "JOR");
    }

    #[test]
    fn natural_earth_saudi_arabia_is_repaired_not_dropped() {
        assert_repaired_keeping_area("boundaries/ne_10m_admin_0_countries_mideast.geojson", "SAU");
    }

    #[test]
    fn natural_earth_palestine_is_repaired_not_dropped() {
        assert_repaired_keeping_area("boundaries/ne_10m_admin_0_countries_mideast.geojson", "PSE");
    }

    #[test]
    fn natural_earth_ukraine_is_repaired_not_dropped() {
        assert_repaired_keeping_area(
            "ukraine/ne_10m_admin_0_countries_ukraine_region.geojson",
            "UKR",
        );
    }

    #[test]
    fn valid_syria_is_left_alone_and_measures_185_941_km2() {
        let syria = country("boundaries/ne_10m_admin_0_countries_mideast.geojson", "SYR");
        let r = make_valid(syria).unwrap();
        assert!(!r.repaired);
        // The data README's geodesic area.
        assert_relative_eq!(
            geodesic_area_km2(&r.geometry),
            185_941.0,
            max_relative = 1e-4
        );
    }

    #[test]
    fn a_bowtie_keeps_both_lobes() {
        let bowtie = wkt!(MULTIPOLYGON(((0. 0., 0. 1., 1. 0., 1. 1., 0. 0.))));
        let r = make_valid(bowtie).unwrap();
        assert!(r.repaired && r.geometry.is_valid());
        assert_eq!(r.geometry.0.len(), 2);
    }

    #[test]
    fn area_ignores_ring_winding() {
        let cw = wkt!(MULTIPOLYGON(((0. 0., 0. 1., 1. 1., 1. 0., 0. 0.))));
        let ccw = wkt!(MULTIPOLYGON(((0. 0., 1. 0., 1. 1., 0. 1., 0. 0.))));
        assert_relative_eq!(
            geodesic_area_km2(&cw),
            geodesic_area_km2(&ccw),
            max_relative = 1e-12
        );
        assert!(geodesic_area_km2(&cw) > 12_000.0 && geodesic_area_km2(&cw) < 12_500.0);
    }

    #[test]
    fn a_ring_measures_the_same_whichever_way_it_runs() {
        let ccw = vec![
            geo::coord! { x: 0.0, y: 0.0 },
            geo::coord! { x: 1.0, y: 0.0 },
            geo::coord! { x: 1.0, y: 1.0 },
            geo::coord! { x: 0.0, y: 1.0 },
            geo::coord! { x: 0.0, y: 0.0 },
        ];
        let cw: Vec<_> = ccw.iter().rev().copied().collect();
        let square = wkt!(MULTIPOLYGON(((0. 0., 1. 0., 1. 1., 0. 1., 0. 0.))));
        assert_relative_eq!(
            ring_area_km2(cw),
            geodesic_area_km2(&square),
            max_relative = 1e-12
        );
        assert_relative_eq!(
            ring_area_km2(ccw),
            geodesic_area_km2(&square),
            max_relative = 1e-12
        );
        assert_eq!(ring_area_km2(vec![geo::coord! { x: 0.0, y: 0.0 }; 2]), 0.0);
    }

    #[test]
    fn haversine_matches_a_known_distance() {
        // Aleppo to Damascus ≈ 310 km.
        let aleppo = LatLon::new(36.2021, 37.1343).unwrap();
        let damascus = LatLon::new(33.5138, 36.2765).unwrap();
        assert_relative_eq!(haversine_km(aleppo, damascus), 309.5, max_relative = 0.01);
    }

    #[test]
    fn haversine_is_symmetric_zero_at_a_point_and_finite_at_antipodes() {
        let a = LatLon::new(36.2, 37.1).unwrap();
        let b = LatLon::new(-36.2, -142.9).unwrap();
        assert_eq!(haversine_km(a, a), 0.0);
        assert_eq!(haversine_km(a, b), haversine_km(b, a));
        assert_relative_eq!(
            haversine_km(a, b),
            std::f64::consts::PI * EARTH_RADIUS_KM,
            max_relative = 1e-9
        );
    }

    #[test]
    fn canonical_order_does_not_depend_on_ring_start_or_polygon_order() {
        let a = wkt!(MULTIPOLYGON(((0. 0., 1. 0., 1. 1., 0. 0.)),((5. 5., 6. 5., 6. 6., 5. 5.))));
        let b = wkt!(MULTIPOLYGON(((6. 5., 6. 6., 5. 5., 6. 5.)),((1. 1., 0. 0., 1. 0., 1. 1.))));
        assert_eq!(canonical_order(a), canonical_order(b));
    }

    #[test]
    fn empty_input_is_an_error() {
        assert_eq!(make_valid(MultiPolygon(vec![])), Err(GeometryError::Empty));
    }
}
