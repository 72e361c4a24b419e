//! City outlines for shares and alerts. Natural Earth's urban-area polygons (1:50 m) are the
//! preferred outline; a city that has none gets a disc whose size follows its population. Every
//! outline says which method made it, so a share "of Mosul" can be read correctly.

use geo::{Contains, Distance, Geodesic, MultiPolygon, Point, Polygon};

use crate::geometry::geodesic_area_km2;
use crate::LatLon;

/// People per km² assumed when a city's outline is derived from its population. 8,000/km² is
/// the order of the built-up density of Syrian and Iraqi cities (Aleppo ≈ 2 M people on ≈ 190 km²,
/// Mosul ≈ 1.5 M on ≈ 180 km² of Natural Earth's urban area).
pub const DEFAULT_DENSITY_PER_KM2: f64 = 8_000.0;
/// Radius of the disc for a city of unknown or very small population, km.
pub const MIN_RADIUS_KM: f64 = 1.0;
/// How far (km) an urban polygon may lie from the city's point and still be taken as its outline
/// (Natural Earth's urban areas are generalised at 1:50 m, so a town point may sit just outside).
pub const URBAN_SNAP_KM: f64 = 3.0;

/// How a city's outline was made.
#[derive(Debug, Clone, PartialEq)]
pub enum CityMethod {
    /// Natural Earth's urban-area polygon containing (or within [`URBAN_SNAP_KM`] of) the point;
    /// `source_km2` is the area Natural Earth gives for it.
    UrbanArea { source_km2: Option<f64> },
    /// A disc of `radius_km` around the point, sized for `population` people at `density` per km².
    Radius {
        radius_km: f64,
        population: Option<u64>,
        density: f64,
    },
}

impl CityMethod {
    pub fn describe(&self) -> String {
        match self {
            Self::UrbanArea { .. } => "Natural Earth 1:50m urban-area polygon".to_owned(),
            Self::Radius {
                radius_km,
                population: Some(p),
                density,
            } => {
                format!("disc of {radius_km:.1} km radius from population {p} at {density:.0}/km²")
            }
            Self::Radius { radius_km, .. } => {
                format!("disc of {radius_km:.1} km radius (population unknown)")
            }
        }
    }
}

/// A city outline.
#[derive(Debug, Clone, PartialEq)]
pub struct CityArea {
    pub name: String,
    pub geometry: MultiPolygon<f64>,
    pub km2: f64,
    pub method: CityMethod,
}

/// An urban-area polygon with the area its source gives (Natural Earth's `area_sqkm`).
#[derive(Debug, Clone, PartialEq)]
pub struct UrbanArea {
    pub geometry: Polygon<f64>,
    pub source_km2: Option<f64>,
}

/// The outline of the city at `point`: the urban area containing it (or the nearest within
/// [`URBAN_SNAP_KM`]), else a disc sized by `population`.
pub fn city_area(
    name: &str,
    point: LatLon,
    population: Option<u64>,
    urban: &[UrbanArea],
) -> CityArea {
    let p = point.point();
    let containing = urban.iter().find(|u| u.geometry.contains(&p));
    let near = containing.or_else(|| {
        urban
            .iter()
            .map(|u| (u, distance_km(&u.geometry, p)))
            .filter(|(_, d)| *d <= URBAN_SNAP_KM)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(u, _)| u)
    });
    if let Some(u) = near {
        let geometry = MultiPolygon(vec![u.geometry.clone()]);
        return CityArea {
            name: name.to_owned(),
            km2: geodesic_area_km2(&geometry),
            geometry,
            method: CityMethod::UrbanArea {
                source_km2: u.source_km2,
            },
        };
    }
    let radius_km = radius_for_population(population, DEFAULT_DENSITY_PER_KM2);
    let geometry = MultiPolygon(vec![disc(point, radius_km, 64)]);
    CityArea {
        name: name.to_owned(),
        km2: geodesic_area_km2(&geometry),
        geometry,
        method: CityMethod::Radius {
            radius_km,
            population,
            density: DEFAULT_DENSITY_PER_KM2,
        },
    }
}

/// Radius (km) of a disc holding `population` people at `density` per km², at least
/// [`MIN_RADIUS_KM`].
pub fn radius_for_population(population: Option<u64>, density: f64) -> f64 {
    match population {
        Some(p) if p > 0 && density > 0.0 => (p as f64 / density / std::f64::consts::PI)
            .sqrt()
            .max(MIN_RADIUS_KM),
        _ => MIN_RADIUS_KM,
    }
}

/// A geodesic disc of `radius_km` around `centre`, as a polygon of `n` vertices.
pub fn disc(centre: LatLon, radius_km: f64, n: usize) -> Polygon<f64> {
    use geo::Destination;
    let c = centre.point();
    let mut ring: Vec<geo::Coord<f64>> = (0..n)
        .map(|i| {
            let bearing = 360.0 * i as f64 / n as f64;
            Geodesic.destination(c, bearing, radius_km * 1000.0).0
        })
        .collect();
    ring.push(ring[0]);
    // Vertices go clockwise by bearing; orient counter-clockwise as GeoJSON expects.
    ring.reverse();
    Polygon::new(geo::LineString(ring), vec![])
}

fn distance_km(poly: &Polygon<f64>, p: Point<f64>) -> f64 {
    // Nearest vertex distance: enough to decide a snap of a few km on polygons of a few km.
    poly.exterior()
        .points()
        .map(|v| Geodesic.distance(v, p) / 1000.0)
        .fold(f64::INFINITY, f64::min)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disc_area_matches_population() {
        let r = radius_for_population(Some(1_000_000), 8_000.0);
        assert!((r - (125.0 / std::f64::consts::PI).sqrt()).abs() < 1e-9);
        let a = city_area("X", LatLon::new(36.0, 40.0).unwrap(), Some(1_000_000), &[]);
        assert!((a.km2 - 125.0).abs() < 1.0, "{}", a.km2);
        assert!(matches!(a.method, CityMethod::Radius { .. }));
        assert!(a.method.describe().contains("population 1000000"));
    }

    #[test]
    fn unknown_population_gets_the_minimum_disc() {
        let a = city_area("X", LatLon::new(36.0, 40.0).unwrap(), None, &[]);
        assert!((a.km2 - std::f64::consts::PI).abs() < 0.05, "{}", a.km2);
    }

    #[test]
    fn urban_polygon_wins_when_it_contains_the_point() {
        let sq = Polygon::new(
            geo::LineString::from(vec![
                (39.9, 35.9),
                (40.1, 35.9),
                (40.1, 36.1),
                (39.9, 36.1),
                (39.9, 35.9),
            ]),
            vec![],
        );
        let urban = [UrbanArea {
            geometry: sq,
            source_km2: Some(400.0),
        }];
        let a = city_area("X", LatLon::new(36.0, 40.0).unwrap(), Some(10), &urban);
        assert!(matches!(a.method, CityMethod::UrbanArea { .. }));
        assert!(a.km2 > 300.0 && a.km2 < 500.0);
        let far = city_area("Y", LatLon::new(37.0, 40.0).unwrap(), Some(10), &urban);
        assert!(matches!(far.method, CityMethod::Radius { .. }));
    }
}
