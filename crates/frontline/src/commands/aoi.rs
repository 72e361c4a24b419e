//! `--aoi` on the command line: a GeoJSON file of the user's, else what the engine resolves for
//! every door (a stored area of interest, or a city of the gazetteer drawn from Natural Earth's
//! urban areas, which the command line reads from a file).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use frontline::app::analyses::ResolvedAoi;
use frontline::app::Engine;
use frontline_core::analysis::city::UrbanArea;
use frontline_core::geometry::make_valid;
use geo::MultiPolygon;

/// Natural Earth's urban areas: `--urban-areas FILE`, else the bundled file if present.
pub fn urban_areas(file: Option<&Path>) -> anyhow::Result<(Vec<UrbanArea>, Option<PathBuf>)> {
    let candidates: Vec<PathBuf> = match file {
        Some(f) => vec![f.to_owned()],
        None => vec![
            PathBuf::from("data/boundaries/ne_50m_urban_areas_syr_irq.geojson"),
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../data/boundaries/ne_50m_urban_areas_syr_irq.geojson"
            )),
        ],
    };
    let Some(path) = candidates.into_iter().find(|p| p.exists()) else {
        if let Some(f) = file {
            bail!("urban areas file {} not found", f.display());
        }
        return Ok((Vec::new(), None));
    };
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let fc: geojson::FeatureCollection = text
        .parse::<geojson::GeoJson>()
        .and_then(TryInto::try_into)
        .with_context(|| format!("parsing {}", path.display()))?;
    let mut out = Vec::new();
    for f in fc.features {
        let km2 = f.property("area_sqkm").and_then(|v| v.as_f64());
        let Some(g) = f.geometry else { continue };
        for p in to_multipolygon(g)
            .with_context(|| format!("geometry in {}", path.display()))?
            .0
        {
            out.push(UrbanArea {
                geometry: p,
                source_km2: km2,
            });
        }
    }
    Ok((out, Some(path)))
}

fn to_multipolygon(g: geojson::Geometry) -> anyhow::Result<MultiPolygon<f64>> {
    match geo::Geometry::<f64>::try_from(g)? {
        geo::Geometry::Polygon(p) => Ok(MultiPolygon(vec![p])),
        geo::Geometry::MultiPolygon(mp) => Ok(mp),
        geo::Geometry::GeometryCollection(gc) => {
            let mut out = Vec::new();
            for g in gc {
                match g {
                    geo::Geometry::Polygon(p) => out.push(p),
                    geo::Geometry::MultiPolygon(mp) => out.extend(mp.0),
                    _ => {}
                }
            }
            Ok(MultiPolygon(out))
        }
        other => bail!("expected a polygon, got {other:?}"),
    }
}

/// Resolve `--aoi`: a GeoJSON file, an area of interest in the store (code or name), or a city
/// of the gazetteer (urban-area polygon, else a disc sized by population).
pub fn resolve_aoi(
    engine: &Engine,
    aoi: &str,
    urban_file: Option<&Path>,
) -> anyhow::Result<ResolvedAoi> {
    let as_path = Path::new(aoi);
    if as_path
        .extension()
        .is_some_and(|e| e == "geojson" || e == "json")
        && as_path.exists()
    {
        let text = std::fs::read_to_string(as_path).with_context(|| format!("reading {aoi}"))?;
        let gj: geojson::GeoJson = text.parse().with_context(|| format!("parsing {aoi}"))?;
        let mut polys = Vec::new();
        let geoms: Vec<geojson::Geometry> = match gj {
            geojson::GeoJson::FeatureCollection(fc) => {
                fc.features.into_iter().filter_map(|f| f.geometry).collect()
            }
            geojson::GeoJson::Feature(f) => f.geometry.into_iter().collect(),
            geojson::GeoJson::Geometry(g) => vec![g],
        };
        for g in geoms {
            polys.extend(to_multipolygon(g)?.0);
        }
        if polys.is_empty() {
            bail!("{aoi} holds no polygon");
        }
        let stem = as_path
            .file_stem()
            .map_or(aoi.to_owned(), |s| s.to_string_lossy().into_owned());
        // Repaired as the importers and the API repair outlines: a bowtie drawn by hand still
        // has its area.
        let geometry = make_valid(MultiPolygon(polys))
            .with_context(|| format!("{aoi}: the polygon is unusable"))?
            .geometry;
        return Ok(ResolvedAoi {
            name: stem,
            geometry,
            how: format!("polygon from {aoi}"),
        });
    }
    let (urban, _) = urban_areas(urban_file)?;
    Ok(engine.area_of_interest(aoi, &urban)?)
}
