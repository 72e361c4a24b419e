//! What the analysis commands share: the `--date/--known-on/--region/--resolution` options, the
//! control estimate for a date as the analyses' [`Territory`], and resolving `--aoi NAME` to a
//! polygon (an area of interest in the store, a GeoJSON file, or a city of the gazetteer).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use frontline_core::analysis::city::{city_area, CityArea, UrbanArea};
use frontline_core::analysis::Territory;
use frontline_core::estimate::{Params, Prepared};
use frontline_core::grid::Grid;
use frontline_core::{Observation, Place};
use frontline_store::Store;
use geo::MultiPolygon;

/// Options for commands that estimate control on a date.
#[derive(Debug, Clone, clap::Args)]
pub struct MapOpts {
    /// Record cut-off: use only what had been recorded by this time (YYYY-MM-DD = end of that
    /// day UTC, or an RFC 3339 time), to reproduce what was known then.
    #[arg(long, value_parser = parse_known_on)]
    pub known_on: Option<DateTime<Utc>>,
    /// Countries (ISO3 codes of areas in the store) forming the estimated region.
    #[arg(long, default_value = "SYR,IRQ", value_delimiter = ',')]
    pub region: Vec<String>,
    /// H3 resolution of the grid (7 ≈ 5.2 km² per cell).
    #[arg(long, default_value_t = 7)]
    pub resolution: u8,
}

pub fn parse_known_on(s: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let d: NaiveDate = s
        .parse()
        .map_err(|_| format!("{s:?}: expected YYYY-MM-DD or an RFC 3339 time"))?;
    Ok(
        d.and_time(NaiveTime::from_hms_opt(23, 59, 59).expect("valid time"))
            .and_utc(),
    )
}

pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    s.parse().map_err(|_| format!("{s:?}: expected YYYY-MM-DD"))
}

pub fn open(db: &Path) -> anyhow::Result<Store> {
    Store::open(db).with_context(|| format!("opening {}", db.display()))
}

/// The grid and the observations, ready to estimate any date.
pub struct Estimator {
    pub grid: Grid,
    pub observations: Vec<Observation>,
    pub params: Params,
}

impl Estimator {
    /// The region's grid and the observations as known on `opts.known_on`, read the same way
    /// as the control commands read them.
    pub fn load(store: &Store, opts: &MapOpts) -> anyhow::Result<Self> {
        let grid = super::control::region_grid(store, &opts.region, opts.resolution)?;
        let observations = super::control::observations(store, opts.known_on)?;
        if observations.is_empty() {
            bail!(
                "no observations in the store (as known on {:?}): import some first",
                opts.known_on
            );
        }
        Ok(Self {
            grid,
            observations,
            params: Params::default(),
        })
    }

    pub fn prepared(&self) -> Prepared<'_> {
        Prepared::new(&self.observations, &self.params)
    }

    pub fn territory(&self, date: NaiveDate) -> Territory {
        Territory::from_control_map(&self.prepared().on(date).estimate(&self.grid))
    }
}

/// An area of interest resolved to a polygon, with how it was obtained.
pub struct ResolvedAoi {
    pub name: String,
    pub geometry: MultiPolygon<f64>,
    pub how: String,
}

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

/// The place named `name` (or with it as an alternate name), from the settlement with the most
/// people: its own name and point, and the settlement's population (the gazetteer deduplicated,
/// so the two GeoNames Mosuls give one city of the larger figure).
pub fn find_city(places: &[Place], name: &str) -> Option<(Place, Option<u64>)> {
    let n = frontline_core::names::normalize(name);
    let matches = |p: &Place| {
        frontline_core::names::normalize(&p.name) == n
            || p.alternate_names
                .iter()
                .any(|a| frontline_core::names::normalize(a) == n)
    };
    frontline_store::places::settlements(places)
        .into_iter()
        .filter_map(|s| {
            let hit = s.members.iter().copied().find(|&i| matches(&places[i]))?;
            let pop = places[s.canonical].population.as_ref().map(|p| p.count);
            Some((places[hit].clone(), pop))
        })
        .max_by_key(|(_, pop)| pop.unwrap_or(0))
}

/// Resolve `--aoi`: a GeoJSON file, an area of interest in the store (code or name), or a city
/// of the gazetteer (urban-area polygon, else a disc sized by population).
pub fn resolve_aoi(
    store: &Store,
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
        return Ok(ResolvedAoi {
            name: stem,
            geometry: MultiPolygon(polys),
            how: format!("polygon from {aoi}"),
        });
    }
    if let Some(area) = store.area(aoi).context("reading areas of interest")? {
        return Ok(ResolvedAoi {
            how: format!("{} {} from {}", area.kind, area.code, area.source),
            name: area.name.clone(),
            geometry: area.geometry().clone(),
        });
    }
    let places = store.places().context("reading the gazetteer")?;
    let Some((city, people)) = find_city(&places, aoi) else {
        bail!("{aoi:?} is neither a GeoJSON file, an area of interest in the store, nor a place of the gazetteer");
    };
    let (urban, path) = urban_areas(urban_file)?;
    let CityArea {
        name,
        geometry,
        km2,
        method,
    } = city_area(&city.name, city.point, people, &urban);
    let from = path.map_or("no urban-area file found".to_owned(), |p| {
        p.display().to_string()
    });
    Ok(ResolvedAoi {
        name,
        geometry,
        how: format!(
            "city {} ({}): {} ({km2:.1} km²; urban areas: {from})",
            city.name,
            city.id,
            method.describe()
        ),
    })
}

/// A progress bar on a terminal, hidden otherwise.
pub fn progress(len: u64, what: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} {bar:30} {pos}/{len} {elapsed}")
            .expect("valid template"),
    );
    bar.set_message(what.to_owned());
    bar
}
