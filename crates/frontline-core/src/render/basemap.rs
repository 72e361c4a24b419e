//! The base map under the control layers: countries, borders, rivers, lakes and cities. Built from
//! GeoJSON values the caller has already read (the core reads no files), e.g. the Natural Earth
//! extracts bundled in `data/boundaries`.

use geo::{BoundingRect, Geometry, LineString, MultiLineString, MultiPolygon};
use geojson::GeoJson;

use super::projection::GeoBox;
use super::RenderError;

/// A country (or any named land area) drawn as land and labelled with its name.
#[derive(Debug, Clone, PartialEq)]
pub struct Country {
    pub name: String,
    pub shape: MultiPolygon<f64>,
    pub bbox: GeoBox,
}

/// A river drawn as a line; `labelled` rivers get their name along the line.
#[derive(Debug, Clone, PartialEq)]
pub struct River {
    pub name: String,
    pub lines: MultiLineString<f64>,
    pub labelled: bool,
    /// Main rivers are drawn wider.
    pub major: bool,
}

/// A populated place that may be labelled.
#[derive(Debug, Clone, PartialEq)]
pub struct City {
    pub name: String,
    /// The Arabic name, drawn under the Latin one where it fits.
    pub name_ar: Option<String>,
    pub lon: f64,
    pub lat: f64,
    pub population: u64,
    /// National capitals get a distinct symbol and priority.
    pub capital: bool,
}

impl City {
    /// Label priority: larger places first, capitals before everything of similar size.
    pub fn priority(&self) -> u64 {
        if self.capital {
            self.population.saturating_mul(10)
        } else {
            self.population
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Basemap {
    pub countries: Vec<Country>,
    pub borders: MultiLineString<f64>,
    pub rivers: Vec<River>,
    pub lakes: MultiPolygon<f64>,
    pub cities: Vec<City>,
}

impl Default for Basemap {
    fn default() -> Self {
        Self {
            countries: Vec::new(),
            borders: MultiLineString(Vec::new()),
            rivers: Vec::new(),
            lakes: MultiPolygon(Vec::new()),
            cities: Vec::new(),
        }
    }
}

impl Basemap {
    /// Builds a base map from GeoJSON FeatureCollections: countries (polygons, name in `name` or
    /// `NAME`), land borders (lines), rivers (lines, name in `name`) and lakes (polygons).
    /// Invalid (self-touching) rings, as in the Natural Earth 10m extracts, are kept as they are:
    /// they are filled with the even-odd rule, which draws them correctly without repair.
    pub fn from_geojson(
        countries: &GeoJson,
        borders: &GeoJson,
        rivers: &GeoJson,
        lakes: &GeoJson,
        cities: Vec<City>,
    ) -> Result<Self, RenderError> {
        let mut out = Basemap {
            cities,
            ..Default::default()
        };
        for (name, g) in features(countries, "countries")? {
            let shape = polygons(g);
            if let Some(r) = shape.bounding_rect() {
                out.countries.push(Country {
                    name: name.unwrap_or_default(),
                    bbox: GeoBox::new(r.min().x, r.min().y, r.max().x, r.max().y),
                    shape,
                });
            }
        }
        for (_, g) in features(borders, "borders")? {
            out.borders.0.extend(lines(g).0);
        }
        for (name, g) in features(rivers, "rivers")? {
            let Some(name) = name else { continue };
            out.rivers.push(River {
                name,
                lines: lines(g),
                labelled: false,
                major: false,
            });
        }
        for (_, g) in features(lakes, "lakes")? {
            out.lakes.0.extend(polygons(g).0);
        }
        Ok(out)
    }
}

/// A feature's name (if any) and geometry.
type NamedGeometry = (Option<String>, Geometry<f64>);

fn features(gj: &GeoJson, what: &'static str) -> Result<Vec<NamedGeometry>, RenderError> {
    let GeoJson::FeatureCollection(fc) = gj else {
        return Err(RenderError::GeoJson(what, "not a FeatureCollection".into()));
    };
    let mut out = Vec::with_capacity(fc.features.len());
    for f in &fc.features {
        let Some(geom) = &f.geometry else { continue };
        let g = Geometry::<f64>::try_from(&geom.value)
            .map_err(|e| RenderError::GeoJson(what, e.to_string()))?;
        let name = ["name", "NAME", "name_en"]
            .iter()
            .find_map(|k| f.property(k).and_then(|v| v.as_str()))
            .map(str::to_owned);
        out.push((name, g));
    }
    Ok(out)
}

fn polygons(g: Geometry<f64>) -> MultiPolygon<f64> {
    match g {
        Geometry::Polygon(p) => MultiPolygon(vec![p]),
        Geometry::MultiPolygon(mp) => mp,
        Geometry::GeometryCollection(gc) => {
            MultiPolygon(gc.0.into_iter().flat_map(|g| polygons(g).0).collect())
        }
        _ => MultiPolygon(vec![]),
    }
}

fn lines(g: Geometry<f64>) -> MultiLineString<f64> {
    match g {
        Geometry::LineString(l) => MultiLineString(vec![l]),
        Geometry::MultiLineString(m) => m,
        Geometry::Polygon(p) => {
            let (ext, ints) = p.into_inner();
            MultiLineString(
                std::iter::once(ext)
                    .chain(ints)
                    .collect::<Vec<LineString<f64>>>(),
            )
        }
        Geometry::GeometryCollection(gc) => {
            MultiLineString(gc.0.into_iter().flat_map(|g| lines(g).0).collect())
        }
        _ => MultiLineString(vec![]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fc(s: &str) -> GeoJson {
        s.parse().unwrap()
    }

    #[test]
    fn features_become_layers_with_names() {
        let countries = fc(
            r#"{"type":"FeatureCollection","features":[{"type":"Feature",
            "properties":{"name":"Syria"},"geometry":{"type":"Polygon",
            "coordinates":[[[36,33],[42,33],[42,37],[36,37],[36,33]]]}}]}"#,
        );
        let rivers = fc(
            r#"{"type":"FeatureCollection","features":[{"type":"Feature",
            "properties":{"name":"Euphrates"},"geometry":{"type":"LineString",
            "coordinates":[[38,36],[40,35]]}},{"type":"Feature","properties":{"name":null},
            "geometry":{"type":"LineString","coordinates":[[1,1],[2,2]]}}]}"#,
        );
        let empty = fc(r#"{"type":"FeatureCollection","features":[]}"#);
        let b = Basemap::from_geojson(&countries, &empty, &rivers, &empty, vec![]).unwrap();
        assert_eq!(b.countries[0].name, "Syria");
        assert_eq!(b.countries[0].bbox, GeoBox::new(36.0, 33.0, 42.0, 37.0));
        assert_eq!(b.rivers.len(), 1, "unnamed rivers are dropped");
        assert_eq!(b.rivers[0].name, "Euphrates");
    }

    #[test]
    fn a_bare_geometry_is_rejected_with_the_layer_named() {
        let g = fc(r#"{"type":"Point","coordinates":[1,2]}"#);
        let err = Basemap::from_geojson(&g, &g, &g, &g, vec![]).unwrap_err();
        assert!(err.to_string().contains("countries"), "{err}");
    }
}
