//! Where something is: a validated WGS84 point, or an observation's footprint (a point or an
//! analyst-drawn polygon).

use geo::{Coord, MultiPolygon, Point};
use serde::{Deserialize, Serialize};

use super::ModelError;

/// A WGS84 coordinate with latitude in [-90, 90] and longitude in [-180, 180].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "(f64, f64)", into = "(f64, f64)")]
pub struct LatLon {
    lat: f64,
    lon: f64,
}

impl LatLon {
    pub fn new(lat: f64, lon: f64) -> Result<Self, ModelError> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(ModelError::Latitude(lat));
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err(ModelError::Longitude(lon));
        }
        Ok(Self { lat, lon })
    }

    pub fn lat(&self) -> f64 {
        self.lat
    }

    pub fn lon(&self) -> f64 {
        self.lon
    }

    /// As a `geo` point (x = longitude, y = latitude).
    pub fn point(&self) -> Point<f64> {
        Point::new(self.lon, self.lat)
    }
}

impl TryFrom<(f64, f64)> for LatLon {
    type Error = ModelError;
    fn try_from((lat, lon): (f64, f64)) -> Result<Self, Self::Error> {
        Self::new(lat, lon)
    }
}

impl From<LatLon> for (f64, f64) {
    fn from(p: LatLon) -> Self {
        (p.lat, p.lon)
    }
}

/// What an observation covers: a place (point) or an area drawn by an analyst.
#[derive(Debug, Clone, PartialEq)]
pub enum Footprint {
    Point(LatLon),
    /// A non-empty multipolygon with valid WGS84 coordinates (lon, lat order, as GeoJSON).
    Area(MultiPolygon<f64>),
}

impl Footprint {
    /// Accept a multipolygon if it has at least one ring and all coordinates are finite and in
    /// range. Ring validity (self-intersections) is repaired by the importer, not here.
    pub fn area(mp: MultiPolygon<f64>) -> Result<Self, ModelError> {
        if mp.0.is_empty() || mp.0.iter().any(|p| p.exterior().0.len() < 4) {
            return Err(ModelError::Geometry);
        }
        let ok = |c: &Coord<f64>| {
            c.x.is_finite()
                && c.y.is_finite()
                && (-180.0..=180.0).contains(&c.x)
                && (-90.0..=90.0).contains(&c.y)
        };
        let all_ok = mp.0.iter().all(|p| {
            p.exterior().0.iter().all(ok) && p.interiors().iter().all(|r| r.0.iter().all(ok))
        });
        if all_ok {
            Ok(Self::Area(mp))
        } else {
            Err(ModelError::Geometry)
        }
    }

    /// A representative point: the point itself, or the area's centroid.
    pub fn anchor(&self) -> LatLon {
        match self {
            Self::Point(p) => *p,
            Self::Area(mp) => {
                use geo::Centroid;
                let c = mp.centroid().expect("non-empty area has a centroid");
                LatLon::new(c.y(), c.x()).expect("centroid of valid coordinates is valid")
            }
        }
    }
}

/// A GeoJSON geometry as a `geo` geometry, or why not. The geojson crate's own conversion
/// indexes `[x, y]` without checking and panics on a position with fewer than two numbers
/// (`[35.8]`, `[]`), which any client or file can send: such positions are refused here first.
pub fn geojson_to_geo(g: geojson::Geometry) -> Result<geo::Geometry<f64>, String> {
    fn short(g: &geojson::Geometry) -> bool {
        use geojson::GeometryValue as V;
        let bad = |p: &geojson::Position| p.as_slice().len() < 2;
        match &g.value {
            V::Point { coordinates } => bad(coordinates),
            V::MultiPoint { coordinates } | V::LineString { coordinates } => {
                coordinates.iter().any(bad)
            }
            V::MultiLineString { coordinates } | V::Polygon { coordinates } => {
                coordinates.iter().flatten().any(bad)
            }
            V::MultiPolygon { coordinates } => coordinates.iter().flatten().flatten().any(bad),
            V::GeometryCollection { geometries } => geometries.iter().any(short),
        }
    }
    if short(&g) {
        return Err(
            "a position has fewer than two coordinates (expected [longitude, latitude])".into(),
        );
    }
    g.try_into().map_err(|e: geojson::Error| e.to_string())
}

/// Footprints serialise as GeoJSON geometries.
impl Serialize for Footprint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let g: geojson::Geometry = match self {
            Self::Point(p) => geojson::Geometry::new(geojson::GeometryValue::from(&p.point())),
            Self::Area(mp) => geojson::Geometry::new(geojson::GeometryValue::from(mp)),
        };
        g.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Footprint {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let g = geojson::Geometry::deserialize(d)?;
        let geom = geojson_to_geo(g).map_err(D::Error::custom)?;
        match geom {
            geo::Geometry::Point(p) => LatLon::new(p.y(), p.x())
                .map(Footprint::Point)
                .map_err(D::Error::custom),
            geo::Geometry::Polygon(p) => {
                Footprint::area(MultiPolygon(vec![p])).map_err(D::Error::custom)
            }
            geo::Geometry::MultiPolygon(mp) => Footprint::area(mp).map_err(D::Error::custom),
            _ => Err(D::Error::custom(
                "footprint must be a Point, Polygon or MultiPolygon",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_coordinates_are_rejected() {
        // Kharab Suluq in the Wikipedia module: long = 366514 (meant 36.6514).
        assert_eq!(
            LatLon::new(36.5, 366514.0),
            Err(ModelError::Longitude(366514.0))
        );
        assert!(LatLon::new(91.0, 0.0).is_err());
        assert!(LatLon::new(f64::NAN, 0.0).is_err());
        assert!(LatLon::new(36.35, 43.155).is_ok());
    }

    #[test]
    fn footprints_round_trip_through_geojson() {
        let f = Footprint::Point(LatLon::new(36.35, 43.155).unwrap());
        let json = serde_json::to_string(&f).unwrap();
        assert!(json.contains("Point"));
        let back: Footprint = serde_json::from_str(&json).unwrap();
        assert_eq!(back, f);
    }
}
