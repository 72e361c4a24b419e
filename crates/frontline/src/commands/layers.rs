//! Dated control layers for the rendering commands: the engine's estimate for a date (its
//! features, as every door draws them), a GeoJSON file of per-actor polygons, or a folder of
//! per-day files whose names end in `_YYYYMMDD.geojson[.gz]` (as the DeepStateMap archive is
//! laid out). For a folder, the latest file on or before each date is used and its date reported:
//! missing days are never interpolated.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use chrono::NaiveDate;
use frontline::app::{Engine, MapRequest};
use frontline_core::render::{layers_from_features, ActorLayer};
use geo::{BooleanOps, MultiPolygon};

use super::args::{open_engine, BasisArgs};
use super::look::actor_style;

/// The dates from `from` to `to` inclusive, every `step` (a month step keeps the day of the
/// month where it can: 31 Jan, 29 Feb, 31 Mar).
pub fn dates(
    from: NaiveDate,
    to: NaiveDate,
    step: frontline::app::StepSize,
) -> anyhow::Result<Vec<NaiveDate>> {
    use frontline::app::StepSize;
    if to < from {
        bail!("--to {to} is before --from {from}");
    }
    let mut out = Vec::new();
    let mut d = from;
    let mut i = 0u32;
    while d <= to {
        out.push(d);
        i += 1;
        d = match step {
            StepSize::Days(n) => from + chrono::Days::new(u64::from(n) * u64::from(i)),
            StepSize::Months(n) => from
                .checked_add_months(chrono::Months::new(n * i))
                .context("date out of range")?,
        };
        if out.len() > 5000 {
            bail!("more than 5000 steps from {from} to {to}: use a longer --step");
        }
    }
    Ok(out)
}

/// The engine's maps on one basis (known-on, region, resolution), as layers with the stored
/// actors' names and colours.
pub struct EngineLayers {
    pub engine: Engine,
    pub basis: BasisArgs,
    pub actors: Vec<frontline_core::Actor>,
}

impl EngineLayers {
    pub fn open(db: &Path, basis: BasisArgs) -> anyhow::Result<Self> {
        let engine = open_engine(db)?;
        let actors = engine.store().actors().context("reading actors")?;
        Ok(Self {
            engine,
            basis,
            actors,
        })
    }

    pub fn request(&self, date: NaiveDate) -> MapRequest {
        self.basis.request(date)
    }

    /// Per-actor layers of the estimate for `date`.
    pub fn on(&self, date: NaiveDate) -> anyhow::Result<Vec<ActorLayer>> {
        let m = self.engine.map(&self.request(date))?;
        Ok(layers_from_features(&m.features, m.areas(), &self.actors))
    }
}

/// Km² per actor id.
pub type ActorAreas = Vec<(String, f64)>;

/// Where a series' layers come from.
pub enum LayerSource {
    /// The control engine's estimate for each date.
    Engine(Box<EngineLayers>),
    /// A folder of dated files (the latest on or before each date).
    Files(DatedFiles),
}

impl LayerSource {
    /// The folder if one is given, else the engine over `db` on `basis`.
    pub fn open(
        db: &Path,
        dir: Option<&Path>,
        actor: Option<String>,
        basis: &BasisArgs,
    ) -> anyhow::Result<Self> {
        Ok(match dir {
            Some(dir) => Self::Files(DatedFiles::open(dir, actor)?),
            None => Self::Engine(Box::new(EngineLayers::open(db, basis.clone())?)),
        })
    }

    /// The layers in force on `date` and the date they are for.
    pub fn on(&self, date: NaiveDate) -> anyhow::Result<Option<(NaiveDate, Vec<ActorLayer>)>> {
        match self {
            Self::Engine(e) => Ok(Some((date, e.on(date)?))),
            Self::Files(f) => f.on(date),
        }
    }

    /// Km² per actor in force on each of `dates` and the date they are for: from the engine's
    /// area series (one preparation for every date; no polygons are drawn for a chart), or from
    /// the files' layers.
    pub fn areas_on(&self, dates: &[NaiveDate]) -> anyhow::Result<Vec<(NaiveDate, ActorAreas)>> {
        match self {
            Self::Engine(e) => {
                let Some(&first) = dates.first() else {
                    return Ok(Vec::new());
                };
                let series = e.engine.area_series(&e.request(first), dates)?;
                Ok(series
                    .into_iter()
                    .map(|(d, t)| {
                        let rows = t
                            .rows
                            .iter()
                            .filter_map(|r| r.actor.as_ref().map(|a| (a.to_string(), r.area_km2)))
                            .collect();
                        (d, rows)
                    })
                    .collect())
            }
            Self::Files(f) => {
                let mut out = Vec::new();
                for &d in dates {
                    if let Some((used, layers)) = f.on(d)? {
                        out.push((
                            used,
                            layers.into_iter().map(|l| (l.id, l.area_km2)).collect(),
                        ));
                    }
                }
                Ok(out)
            }
        }
    }
}

/// A folder of dated layer files.
pub struct DatedFiles {
    files: Vec<(NaiveDate, PathBuf)>,
    actor: Option<String>,
}

impl DatedFiles {
    pub fn open(dir: &Path, actor: Option<String>) -> anyhow::Result<Self> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let path = entry?.path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let stem = name
                .trim_end_matches(".gz")
                .trim_end_matches(".geojson")
                .trim_end_matches(".json");
            let Some(tail) = stem.rsplit('_').next() else {
                continue;
            };
            if let Ok(d) = NaiveDate::parse_from_str(tail, "%Y%m%d") {
                files.push((d, path));
            }
        }
        files.sort();
        if files.is_empty() {
            bail!("{}: no files named *_YYYYMMDD.geojson[.gz]", dir.display());
        }
        Ok(Self { files, actor })
    }

    /// The layers in force on `date` and the date of the file they come from.
    pub fn on(&self, date: NaiveDate) -> anyhow::Result<Option<(NaiveDate, Vec<ActorLayer>)>> {
        let Some((d, path)) = self.files.iter().rev().find(|(d, _)| *d <= date) else {
            return Ok(None);
        };
        let layers = read_layers(path, self.actor.as_deref())?;
        Ok(Some((*d, layers)))
    }
}

fn read_text(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    if path.extension().is_some_and(|e| e == "gz") {
        use std::io::Read;
        let mut s = String::new();
        flate2::read::GzDecoder::new(bytes.as_slice())
            .read_to_string(&mut s)
            .with_context(|| format!("decompressing {}", path.display()))?;
        Ok(s)
    } else {
        String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8", path.display()))
    }
}

/// Reads per-actor polygons from a GeoJSON file into layers, one per actor, in order of first
/// appearance. Areas are the features' `area_km2` when given, else their geodesic area.
pub fn read_layers(path: &Path, default_actor: Option<&str>) -> anyhow::Result<Vec<ActorLayer>> {
    let text = read_text(path)?;
    let gj: geojson::GeoJson = text
        .parse()
        .with_context(|| format!("{} is not GeoJSON", path.display()))?;
    let features = match gj {
        geojson::GeoJson::FeatureCollection(fc) => fc.features,
        geojson::GeoJson::Feature(f) => vec![f],
        geojson::GeoJson::Geometry(g) => vec![geojson::Feature {
            geometry: Some(g),
            ..Default::default()
        }],
    };
    let mut layers: Vec<ActorLayer> = Vec::new();
    let mut given_area: Vec<Option<f64>> = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let Some(geom) = &f.geometry else { continue };
        let g = geo::Geometry::<f64>::try_from(&geom.value)
            .with_context(|| format!("{}: feature {i}", path.display()))?;
        let mp = match g {
            geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
            geo::Geometry::MultiPolygon(mp) => mp,
            _ => continue,
        };
        let prop = |k: &str| f.property(k).and_then(|v| v.as_str()).map(str::to_owned);
        let actor = prop("actor")
            .or_else(|| default_actor.map(str::to_owned))
            .with_context(|| {
                format!(
                    "{}: feature {i} has no `actor` property; pass --actor",
                    path.display()
                )
            })?;
        let status = prop("status").unwrap_or_else(|| "held".into());
        let confidence = f.property("confidence").and_then(|v| v.as_f64());
        let area = f.property("area_km2").and_then(|v| v.as_f64());
        let idx = match layers.iter().position(|l| l.id == actor) {
            Some(i) => i,
            None => {
                let (name, colour) = actor_style(&actor);
                layers.push(ActorLayer::held(
                    &actor,
                    &name,
                    colour,
                    0.0,
                    MultiPolygon(vec![]),
                ));
                given_area.push(Some(0.0));
                layers.len() - 1
            }
        };
        let l = &mut layers[idx];
        given_area[idx] = match (given_area[idx], area) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
        let target = match status.as_str() {
            "contested" | "shared" => &mut l.contested,
            "besieged" => &mut l.besieged,
            "stale" | "low_confidence" => &mut l.low_confidence,
            "held" if confidence.is_some_and(|c| c < 0.5) => &mut l.low_confidence,
            "held" => &mut l.held,
            other => bail!("{}: feature {i}: unknown status {other:?}", path.display()),
        };
        target.0.extend(mp.0);
    }
    for (l, given) in layers.iter_mut().zip(given_area) {
        l.area_km2 = match given {
            Some(a) => a,
            None => [&l.held, &l.contested, &l.besieged, &l.low_confidence]
                .iter()
                .map(|m| frontline_core::geometry::geodesic_area_km2(m))
                .sum(),
        };
    }
    Ok(layers)
}

/// Gains, losses and kept ground per actor between two files' layers (files have no grid; the
/// engine's dates use the core's diff instead).
pub fn change_layers(
    before: &[ActorLayer],
    after: &[ActorLayer],
) -> Vec<frontline_core::render::ChangeLayer> {
    let all = |l: &ActorLayer| {
        let mut mp = l.held.clone();
        for m in [&l.contested, &l.besieged, &l.low_confidence] {
            mp.0.extend(m.0.iter().cloned());
        }
        mp
    };
    let empty = MultiPolygon::<f64>(vec![]);
    let mut ids: Vec<&ActorLayer> = Vec::new();
    for l in before.iter().chain(after) {
        if !ids.iter().any(|x| x.id == l.id) {
            ids.push(l);
        }
    }
    ids.into_iter()
        .map(|proto| {
            let a = before
                .iter()
                .find(|l| l.id == proto.id)
                .map(all)
                .unwrap_or_else(|| empty.clone());
            let b = after
                .iter()
                .find(|l| l.id == proto.id)
                .map(all)
                .unwrap_or_else(|| empty.clone());
            let gained = b.difference(&a);
            let lost = a.difference(&b);
            let kept = a.intersection(&b);
            frontline_core::render::ChangeLayer {
                id: proto.id.clone(),
                name: proto.name.clone(),
                colour: proto.colour,
                gained_km2: frontline_core::geometry::geodesic_area_km2(&gained),
                lost_km2: frontline_core::geometry::geodesic_area_km2(&lost),
                gained,
                lost,
                kept,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn steps_parse_and_step() {
        use frontline::app::StepSize;
        assert_eq!("1w".parse::<StepSize>().unwrap(), StepSize::Days(7));
        assert_eq!("2m".parse::<StepSize>().unwrap(), StepSize::Months(2));
        assert!("0d".parse::<StepSize>().is_err());
        assert!("w".parse::<StepSize>().is_err());
        let ds = dates(d("2016-01-31"), d("2016-04-30"), StepSize::Months(1)).unwrap();
        assert_eq!(
            ds,
            vec![
                d("2016-01-31"),
                d("2016-02-29"),
                d("2016-03-31"),
                d("2016-04-30")
            ]
        );
        assert_eq!(
            dates(d("2016-01-01"), d("2016-01-15"), StepSize::Days(7))
                .unwrap()
                .len(),
            3
        );
    }

    #[test]
    fn the_latest_file_on_or_before_a_date_is_used() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../data/ukraine/deepstatemap"
        );
        let files = DatedFiles::open(Path::new(dir), Some("russia".into())).unwrap();
        assert!(files.on(d("2024-07-31")).unwrap().is_none());
        let (used, layers) = files.on(d("2025-01-20")).unwrap().unwrap();
        assert_eq!(
            used,
            d("2024-12-01"),
            "January 2025 is missing from the bundle"
        );
        assert_eq!(layers.len(), 1);
        assert!(layers[0].area_km2 > 100_000.0 && layers[0].area_km2 < 130_000.0);
    }
}
