//! The control-engine commands: `control`, `area`, `diff`, `explain`, `whois`, `population` and
//! `validate`, plus the library functions the demo calls ([`estimate_map`], [`area_table`],
//! [`write_actor_geojson`]).
//!
//! Every command with `--date D` also takes `--known-on T`: the map for D from only what had been
//! recorded by T (end of that day, UTC, for a plain date).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use chrono::{DateTime, NaiveDate, Utc};
use frontline_core::control_map::{AreaTable, ControlMap, DissolveOptions};
use frontline_core::estimate::{Params, Prepared};
use frontline_core::geometry::make_valid;
use frontline_core::grid::{Grid, RegionPart};
use frontline_core::{ActorId, LatLon, Observation};
use frontline_store::Store;

/// The default region: Syria and Iraq, the countries the bundled observations cover.
pub const DEFAULT_REGION: &str = "SYR,IRQ";

/// Which map: the date, what was known, the region and the grid resolution.
#[derive(Debug, Clone, clap::Args)]
pub struct MapArgs {
    /// The date to estimate control for (YYYY-MM-DD).
    #[arg(long)]
    pub date: NaiveDate,
    /// Use only what had been recorded by then (YYYY-MM-DD = end of that day UTC, or RFC 3339).
    #[arg(long, value_name = "T", value_parser = parse_known_on)]
    pub known_on: Option<DateTime<Utc>>,
    #[command(flatten)]
    pub region: RegionArgs,
}

impl MapArgs {
    /// The control map these arguments name.
    pub fn estimate(&self, store: &Store) -> anyhow::Result<ControlMap> {
        estimate_map(
            store,
            self.date,
            self.known_on,
            &self.region.region,
            self.region.resolution,
        )
    }
}

/// The region and grid.
#[derive(Debug, Clone, clap::Args)]
pub struct RegionArgs {
    /// Codes or names of stored areas whose union is the region (see `frontline import boundaries`).
    #[arg(long, default_value = DEFAULT_REGION, value_delimiter = ',')]
    pub region: Vec<String>,
    /// H3 resolution of the grid (7 ≈ 5.2 km² per cell).
    #[arg(long, default_value_t = 7)]
    pub resolution: u8,
}

fn parse_known_on(s: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(d) = s.parse::<NaiveDate>() {
        return Ok(d.and_hms_opt(23, 59, 59).expect("valid time").and_utc());
    }
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{s:?}: expected YYYY-MM-DD or RFC 3339 ({e})"))
}

fn open(db: &Path) -> anyhow::Result<Store> {
    Store::open(db).with_context(|| format!("opening database {}", db.display()))
}

/// The observations as known on `known_on` (None = now).
pub fn observations(
    store: &Store,
    known_on: Option<DateTime<Utc>>,
) -> anyhow::Result<Vec<Observation>> {
    Ok(store
        .observations(known_on)
        .context("reading observations")?
        .into_iter()
        .map(|s| s.observation)
        .collect())
}

/// Build the grid over the union of the stored areas named in `region`.
pub fn region_grid(store: &Store, region: &[String], resolution: u8) -> anyhow::Result<Grid> {
    let mut parts = Vec::new();
    for code in region {
        let aoi = store
            .area(code.trim())
            .with_context(|| format!("reading area {code}"))?
            .with_context(|| {
                format!("no stored area named {code:?}: import boundaries first (frontline import boundaries FILE --kind country)")
            })?;
        let shape = make_valid(aoi.geometry().clone())
            .with_context(|| format!("repairing the outline of {code}"))?
            .geometry;
        parts.push(RegionPart {
            code: aoi.code.clone(),
            name: aoi.name.clone(),
            shape,
        });
    }
    Grid::build(&parts, resolution).context("building the grid")
}

/// The control map for `date` as known on `known_on`, over `region`.
pub fn estimate_map(
    store: &Store,
    date: NaiveDate,
    known_on: Option<DateTime<Utc>>,
    region: &[String],
    resolution: u8,
) -> anyhow::Result<ControlMap> {
    let grid = region_grid(store, region, resolution)?;
    let obs = observations(store, known_on)?;
    Ok(Prepared::new(&obs, &Params::default())
        .on(date)
        .estimate(&grid))
}

#[allow(dead_code, reason = "library entry for the demo")]
/// Km² and share per actor on `date` (as known on `known_on`) over `region` at resolution 7:
/// the figures `frontline area` prints, for the demo.
pub fn area_table(
    store: &Store,
    date: NaiveDate,
    known_on: Option<DateTime<Utc>>,
    region: &[String],
) -> anyhow::Result<AreaTable> {
    Ok(estimate_map(store, date, known_on, region, 7)?.areas())
}

/// The map's features as a GeoJSON FeatureCollection (per actor and status, clipped to the
/// region), optionally for one actor only.
pub fn features_geojson(
    map: &ControlMap,
    actor: Option<&ActorId>,
) -> anyhow::Result<geojson::FeatureCollection> {
    let feats = map
        .dissolve(&DissolveOptions {
            actor: actor.cloned(),
            clip: true,
            low_confidence_below: None,
        })
        .context("dissolving cells")?;
    let features = feats
        .into_iter()
        .map(|f| {
            let mut props = serde_json::Map::new();
            props.insert("actor".into(), f.actor.as_str().into());
            props.insert(
                "actor2".into(),
                f.actor2
                    .as_ref()
                    .map(|a| a.as_str().into())
                    .unwrap_or(serde_json::Value::Null),
            );
            props.insert("status".into(), f.status.as_str().into());
            props.insert("date".into(), map.date().to_string().into());
            props.insert("area_km2".into(), round(f.area_km2, 1).into());
            props.insert("mean_confidence".into(), round(f.mean_confidence, 3).into());
            props.insert("cells".into(), f.cells.into());
            geojson::Feature {
                bbox: None,
                geometry: Some(geojson::Geometry::new(geojson::GeometryValue::from(
                    &f.geometry,
                ))),
                id: None,
                properties: Some(props),
                foreign_members: None,
            }
        })
        .collect();
    Ok(geojson::FeatureCollection {
        bbox: None,
        features,
        foreign_members: None,
    })
}

#[allow(dead_code, reason = "library entry for the demo")]
/// Write one actor's polygons on the map's date as GeoJSON (the demo writes Islamic State's).
pub fn write_actor_geojson(map: &ControlMap, actor: &ActorId, path: &Path) -> anyhow::Result<()> {
    let fc = features_geojson(map, Some(actor))?;
    std::fs::write(path, fc.to_string()).with_context(|| format!("writing {}", path.display()))
}

fn round(x: f64, digits: i32) -> f64 {
    let k = 10f64.powi(digits);
    (x * k).round() / k
}

fn output(out: Option<&PathBuf>) -> anyhow::Result<Box<dyn Write>> {
    Ok(match out {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => Box::new(std::io::stdout().lock()),
    })
}

/// Output formats of `control`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ControlFormat {
    Geojson,
    Csv,
    Gpkg,
}

/// `frontline control`: per-actor polygons dissolved from cells.
#[derive(Debug, clap::Args)]
pub struct ControlArgs {
    #[command(flatten)]
    pub map: MapArgs,
    /// Only this actor (id).
    #[arg(long)]
    pub actor: Option<ActorId>,
    #[arg(long, value_enum, default_value = "geojson")]
    pub format: ControlFormat,
    /// Write here instead of standard output (required for gpkg).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run_control(db: &Path, args: ControlArgs) -> anyhow::Result<()> {
    let store = open(db)?;
    let m = &args.map;
    let map = m.estimate(&store)?;
    match args.format {
        ControlFormat::Geojson => {
            let fc = features_geojson(&map, args.actor.as_ref())?;
            let mut w = output(args.out.as_ref())?;
            writeln!(w, "{}", fc)?;
        }
        ControlFormat::Csv => {
            let feats = map.dissolve(&DissolveOptions {
                actor: args.actor.clone(),
                clip: false,
                low_confidence_below: None,
            })?;
            let mut w = csv::Writer::from_writer(output(args.out.as_ref())?);
            w.write_record([
                "actor",
                "actor2",
                "status",
                "area_km2",
                "mean_confidence",
                "cells",
            ])?;
            for f in feats {
                w.write_record([
                    f.actor.to_string(),
                    f.actor2.map(|a| a.to_string()).unwrap_or_default(),
                    f.status.to_string(),
                    format!("{:.1}", f.area_km2),
                    format!("{:.3}", f.mean_confidence),
                    f.cells.to_string(),
                ])?;
            }
            w.flush()?;
        }
        ControlFormat::Gpkg => {
            let Some(out) = &args.out else {
                bail!("--format gpkg needs --out FILE");
            };
            let feats = map.dissolve(&DissolveOptions {
                actor: args.actor.clone(),
                clip: true,
                low_confidence_below: None,
            })?;
            // A GeoPackage is a database: replace the file rather than add to an old one.
            if out.exists() {
                std::fs::remove_file(out)
                    .with_context(|| format!("replacing {}", out.display()))?;
            }
            super::gpkg::write(out, &feats, map.date())
                .with_context(|| format!("writing {}", out.display()))?;
        }
    }
    Ok(())
}

/// Output formats of tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TableFormat {
    Table,
    Csv,
}

/// `frontline area`: km² and share per actor (and per country).
#[derive(Debug, clap::Args)]
pub struct AreaArgs {
    #[command(flatten)]
    pub map: MapArgs,
    /// One table per part of the region (country or area).
    #[arg(long, value_parser = ["country"])]
    pub by: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: TableFormat,
}

fn actor_label(a: Option<&ActorId>) -> String {
    a.map_or_else(|| "unassessed".to_owned(), ToString::to_string)
}

pub fn run_area(db: &Path, args: AreaArgs) -> anyhow::Result<()> {
    let store = open(db)?;
    let m = &args.map;
    let map = m.estimate(&store)?;
    let tables: Vec<(Option<String>, AreaTable)> = if args.by.is_some() {
        map.areas_by_part()
            .into_iter()
            .map(|(c, t)| (Some(c), t))
            .collect()
    } else {
        vec![(None, map.areas())]
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        TableFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            if args.by.is_some() {
                w.write_record(["country", "actor", "area_km2", "share_pct"])?;
            } else {
                w.write_record(["actor", "area_km2", "share_pct"])?;
            }
            for (country, t) in &tables {
                for r in &t.rows {
                    let mut rec = Vec::new();
                    if let Some(c) = country {
                        rec.push(c.clone());
                    }
                    rec.push(actor_label(r.actor.as_ref()));
                    rec.push(format!("{:.1}", r.area_km2));
                    rec.push(format!("{:.2}", r.share_pct));
                    w.write_record(&rec)?;
                }
            }
            w.flush()?;
        }
        TableFormat::Table => {
            let known = m
                .known_on
                .map(|t| format!(", as known on {t}"))
                .unwrap_or_default();
            writeln!(
                out,
                "Control on {}{known} (H3 resolution {}, geodesic km²)",
                m.date, m.region.resolution
            )?;
            for (country, t) in &tables {
                if let Some(c) = country {
                    writeln!(out, "\n{c} ({:.0} km²)", t.total_km2)?;
                }
                writeln!(out, "{:<22} {:>12} {:>8}", "actor", "km²", "share")?;
                for r in &t.rows {
                    writeln!(
                        out,
                        "{:<22} {:>12.0} {:>7.2}%",
                        actor_label(r.actor.as_ref()),
                        r.area_km2,
                        r.share_pct
                    )?;
                }
                writeln!(out, "{:<22} {:>12.0} {:>7.2}%", "total", t.total_km2, 100.0)?;
            }
        }
    }
    Ok(())
}

/// `frontline diff D1 D2`: km² gained and lost per actor.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[arg(long, value_name = "T", value_parser = parse_known_on)]
    pub known_on: Option<DateTime<Utc>>,
    #[command(flatten)]
    pub region: RegionArgs,
    /// Write the gained and lost polygons as GeoJSON here.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run_diff(db: &Path, args: DiffArgs) -> anyhow::Result<()> {
    let store = open(db)?;
    let grid = region_grid(&store, &args.region.region, args.region.resolution)?;
    let obs = observations(&store, args.known_on)?;
    let prep = Prepared::new(&obs, &Params::default());
    let a = prep.on(args.from).estimate(&grid);
    let b = prep.on(args.to).estimate(&grid);
    let d = frontline_core::diff::diff(&a, &b)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Change from {} to {} (geodesic km²)",
        args.from, args.to
    )?;
    writeln!(
        out,
        "{:<22} {:>10} {:>10} {:>9} {:>9} {:>9} {:>8}",
        "actor", "before", "after", "gained", "lost", "net", "net %"
    )?;
    for r in &d.rows {
        let pct = r
            .net_pct()
            .map_or_else(|| "-".to_owned(), |p| format!("{p:+.1}%"));
        writeln!(
            out,
            "{:<22} {:>10.0} {:>10.0} {:>9.0} {:>9.0} {:>+9.0} {:>8}",
            actor_label(r.actor.as_ref()),
            r.before_km2,
            r.after_km2,
            r.gained_km2,
            r.lost_km2,
            r.net_km2(),
            pct
        )?;
    }
    if let Some(path) = &args.out {
        let features = d
            .polygons()?
            .into_iter()
            .map(|p| {
                let mut props = serde_json::Map::new();
                props.insert("actor".into(), actor_label(p.actor.as_ref()).into());
                props.insert("change".into(), p.kind.as_str().into());
                props.insert("from".into(), args.from.to_string().into());
                props.insert("to".into(), args.to.to_string().into());
                // The km² that changed hands (as in the table), beside the drawn cells' area.
                props.insert("area_km2".into(), round(p.change_km2, 1).into());
                props.insert("cells_km2".into(), round(p.cells_km2, 1).into());
                geojson::Feature {
                    bbox: None,
                    geometry: Some(geojson::Geometry::new(geojson::GeometryValue::from(
                        &p.geometry,
                    ))),
                    id: None,
                    properties: Some(props),
                    foreign_members: None,
                }
            })
            .collect();
        let fc = geojson::FeatureCollection {
            bbox: None,
            features,
            foreign_members: None,
        };
        std::fs::write(path, fc.to_string())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

fn parse_latlon(s: &str) -> Result<LatLon, String> {
    let (a, b) = s
        .split_once(',')
        .ok_or_else(|| format!("{s:?}: expected LAT,LON"))?;
    let lat = a
        .trim()
        .parse::<f64>()
        .map_err(|e| format!("latitude {a:?}: {e}"))?;
    let lon = b
        .trim()
        .parse::<f64>()
        .map_err(|e| format!("longitude {b:?}: {e}"))?;
    LatLon::new(lat, lon).map_err(|e| e.to_string())
}

/// `frontline explain --date D --at LAT,LON`: the observations that decided a point.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub map: MapArgs,
    /// The point, as LAT,LON.
    #[arg(long, value_parser = parse_latlon, allow_hyphen_values = true)]
    pub at: LatLon,
}

pub fn run_explain(db: &Path, args: ExplainArgs) -> anyhow::Result<()> {
    let store = open(db)?;
    let m = &args.map;
    let obs = observations(&store, m.known_on)?;
    let prep = Prepared::new(&obs, &Params::default());
    let day = prep.on(m.date);
    let est = day.at(args.at);
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}, {} on {}:", args.at.lat(), args.at.lon(), m.date)?;
    match &est.actor {
        Some(a) => writeln!(
            out,
            "  {} ({}{}) confidence {:.2}",
            a,
            est.status,
            est.actor2
                .as_ref()
                .map(|b| format!(" with {b}"))
                .unwrap_or_default(),
            est.confidence
        )?,
        None => writeln!(out, "  unassessed: no observation reaches this point")?,
    }
    let show = |out: &mut dyn Write,
                state: u32,
                weight: Option<(f64, f64, f64, f64)>|
     -> anyhow::Result<()> {
        let d = &day.states[state as usize];
        let s = &d.state;
        match weight {
            Some((w, share, dist, reach)) => writeln!(
                out,
                "\n  {} — {} ({}) place confidence {:.2}; {:.1} km away, reach {:.1} km; weight {:.4} ({:.0} %)",
                d.label.as_deref().unwrap_or("(unnamed)"),
                s.actor,
                s.status,
                s.confidence,
                dist,
                reach,
                w,
                100.0 * share
            )?,
            None => writeln!(
                out,
                "\n  analyst area {} — {} ({}) confidence {:.2}",
                d.label.as_deref().unwrap_or("(unnamed)"),
                s.actor,
                s.status,
                s.confidence
            )?,
        }
        writeln!(out, "    basis: {}", s.basis.as_str())?;
        for &i in &s.observations {
            let o = &obs[i as usize];
            writeln!(
                out,
                "    {} observed {} grading {} — {}{}",
                o.key,
                o.observed,
                o.grading
                    .map_or_else(|| "ungraded".to_owned(), |g| g.to_string()),
                o.source.citation,
                o.source
                    .url
                    .as_ref()
                    .map(|u| format!(" <{u}>"))
                    .unwrap_or_default()
            )?;
            for e in &o.evidence {
                if let frontline_core::Evidence::Events {
                    dataset,
                    ids,
                    summary,
                } = e
                {
                    let ids = ids.join(", ");
                    writeln!(out, "      inferred from {dataset} {ids}: {summary}")?;
                }
            }
        }
        Ok(())
    };
    if let Some(a) = est.area {
        show(&mut out, a, None)?;
    }
    for c in est.contributions.iter().take(12) {
        show(
            &mut out,
            c.state,
            Some((c.weight, c.share, c.distance_km, c.reach_km)),
        )?;
    }
    if est.contributions.len() > 12 {
        writeln!(
            out,
            "\n  … and {} weaker contributions",
            est.contributions.len() - 12
        )?;
    }
    Ok(())
}

/// `frontline whois --date D --points FILE`: who holds each point.
#[derive(Debug, clap::Args)]
pub struct WhoisArgs {
    #[command(flatten)]
    pub map: MapArgs,
    /// CSV with the columns id,lat,lon.
    #[arg(long)]
    pub points: PathBuf,
}

pub fn run_whois(db: &Path, args: WhoisArgs) -> anyhow::Result<()> {
    let store = open(db)?;
    let m = &args.map;
    let obs = observations(&store, m.known_on)?;
    let grid = region_grid(&store, &m.region.region, m.region.resolution)?;
    let prep = Prepared::new(&obs, &Params::default());
    let day = prep.on(m.date);
    let map = day.estimate(&grid);
    let mut rdr = csv::Reader::from_path(&args.points)
        .with_context(|| format!("reading {}", args.points.display()))?;
    let headers = rdr.headers()?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .with_context(|| {
                format!(
                    "{}: no column {name:?} (expected id,lat,lon)",
                    args.points.display()
                )
            })
    };
    let (ci, clat, clon) = (col("id")?, col("lat")?, col("lon")?);
    let mut w = csv::Writer::from_writer(std::io::stdout().lock());
    w.write_record(["id", "lat", "lon", "actor", "status", "confidence"])?;
    for (n, rec) in rdr.records().enumerate() {
        let rec = rec?;
        let line = n + 2;
        let field = |i: usize, name: &str| -> anyhow::Result<f64> {
            rec.get(i)
                .unwrap_or("")
                .trim()
                .parse::<f64>()
                .with_context(|| {
                    format!(
                        "{} line {line}, field {name}: not a number",
                        args.points.display()
                    )
                })
        };
        let (lat, lon) = (field(clat, "lat")?, field(clon, "lon")?);
        let p = LatLon::new(lat, lon)
            .with_context(|| format!("{} line {line}", args.points.display()))?;
        // The estimator at the exact point; where no place reaches it, the map's cell (which
        // may be filled as part of an enclosed pocket).
        let est = day.at(p);
        let (actor, status, conf) = match &est.actor {
            Some(a) => (a.to_string(), est.status.to_string(), est.confidence),
            None => match map.at(p) {
                Some((_, c)) if c.is_assessed() => (
                    map.actor(c.actor)
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                    c.status.to_string(),
                    f64::from(c.confidence),
                ),
                _ => ("unassessed".to_owned(), String::new(), 0.0),
            },
        };
        w.write_record([
            rec.get(ci).unwrap_or(""),
            rec.get(clat).unwrap_or("").trim(),
            rec.get(clon).unwrap_or("").trim(),
            &actor,
            &status,
            &format!("{conf:.3}"),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// `frontline population --date D`: people per actor from the gazetteer.
#[derive(Debug, clap::Args)]
pub struct PopulationArgs {
    #[command(flatten)]
    pub map: MapArgs,
}

pub fn run_population(db: &Path, args: PopulationArgs) -> anyhow::Result<()> {
    let store = open(db)?;
    let m = &args.map;
    let map = m.estimate(&store)?;
    let places = store.places().context("reading places")?;
    let canonical = frontline_store::places::canonical_places(&places);
    let territory = frontline_core::analysis::Territory::from_control_map(&map);
    let report = frontline_core::analysis::population::population(&territory, &canonical, None);
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "People per actor on {} ({} gazetteer entries, {} settlements after deduplication, {} with a population figure)",
        m.date,
        places.len(),
        canonical.len(),
        report.places
    )?;
    writeln!(
        out,
        "{:<22} {:>12} {:>8} {:>7}",
        "actor", "people", "share", "places"
    )?;
    for r in &report.rows {
        writeln!(
            out,
            "{:<22} {:>12} {:>7.2}% {:>7}",
            r.holder.label(),
            r.people,
            r.pct,
            r.places
        )?;
    }
    Ok(())
}

/// `frontline validate`: hold out snapshot towns, estimate them, compare with the baseline.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Share of the snapshot's town places to hold out.
    #[arg(long, default_value_t = 0.1, conflicts_with = "folds")]
    pub holdout: f64,
    /// Cross-validate instead: split the town places into N folds and hold out each in turn,
    /// so that every place is estimated once (per-actor figures on all of an actor's places).
    #[arg(long, value_name = "N")]
    pub folds: Option<usize>,
    /// Validate the past instead: every dated observation besides the snapshot (control
    /// changes, previous holders) estimated on its own date with its whole place held out, in
    /// folds (10 unless --folds says otherwise), beside the snapshot projected back.
    #[arg(long, conflicts_with = "holdout")]
    pub history: bool,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, value_name = "T", value_parser = parse_known_on)]
    pub known_on: Option<DateTime<Utc>>,
    /// Write the held-out places the estimator got wrong to this CSV
    /// (label,lat,lon,truth,truth2,estimate).
    #[arg(long, value_name = "FILE")]
    pub misses: Option<PathBuf>,
}

pub fn run_validate(db: &Path, args: ValidateArgs) -> anyhow::Result<()> {
    let store = open(db)?;
    let obs = observations(&store, args.known_on)?;
    let params = Params::default();
    let r = match (args.history, args.folds) {
        (true, n) => {
            frontline_core::validate::validate_history(&obs, &params, n.unwrap_or(10), args.seed)?
        }
        (false, Some(n)) => frontline_core::validate::cross_validate(&obs, &params, n, args.seed)?,
        (false, None) => {
            frontline_core::validate::validate(&obs, &params, args.holdout, args.seed)?
        }
    };
    if let Some(path) = &args.misses {
        let mut w =
            csv::Writer::from_path(path).with_context(|| format!("creating {}", path.display()))?;
        w.write_record(["label", "lat", "lon", "truth", "truth2", "estimate"])?;
        for m in &r.misses {
            w.write_record([
                m.label.clone().unwrap_or_default(),
                format!("{:.5}", m.truth.location.lat()),
                format!("{:.5}", m.truth.location.lon()),
                m.truth.actor.to_string(),
                m.truth
                    .alt
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                actor_label(m.predicted.as_ref()),
            ])?;
        }
        w.flush()?;
    }
    let mut out = std::io::stdout().lock();
    match args.folds {
        _ if args.history => writeln!(
            out,
            "Estimated {} dated observations besides the snapshot dated {} (control changes and \
             the holders before them), each on its own date, in {} folds of their places (seed \
             {}): a fold's places lose all their observations, snapshot included. The baseline \
             is the snapshot projected back (the k-nearest vote of its remaining marks).",
            r.held_out,
            r.snapshot,
            args.folds.unwrap_or(10),
            args.seed
        )?,
        Some(n) => writeln!(
            out,
            "Cross-validated {} town places of the snapshot dated {} in {n} folds (seed {}): each \
             fold held out in turn and estimated on {} from the rest.",
            r.held_out, r.snapshot, args.seed, r.date
        )?,
        None => writeln!(
            out,
            "Held out {} of {} town places of the snapshot dated {} (seed {}), estimated on {} \
             from the rest.",
            r.held_out, r.candidates, r.snapshot, args.seed, r.date
        )?,
    }
    let best = r.best_k().context("no baseline")?;
    writeln!(
        out,
        "\n{:<22} {:>10} {:>14}",
        "",
        "estimator",
        format!("baseline k={}", best.0)
    )?;
    writeln!(
        out,
        "{:<22} {:>9.1}% {:>13.1}%",
        "overall",
        100.0 * r.estimator.overall(),
        100.0 * best.1.overall()
    )?;
    for ((a, n, c), (_, _, bc)) in r.estimator.per_actor.iter().zip(&best.1.per_actor) {
        writeln!(
            out,
            "{:<22} {:>9.1}% {:>13.1}%   ({n} places)",
            a,
            100.0 * *c as f64 / *n as f64,
            100.0 * *bc as f64 / *n as f64
        )?;
    }
    let e = &r.estimator;
    writeln!(
        out,
        "\nThe estimator left {} of {} places unassessed (beyond every reach; counted wrong \
         above, the baseline always names an actor); among the {} it assessed it is right for \
         {:.1}%.",
        e.unassessed(),
        e.total,
        e.total - e.unassessed(),
        100.0 * e.among_assessed()
    )?;
    writeln!(
        out,
        "\nbaseline by k: {}",
        r.baseline
            .iter()
            .map(|(k, a)| format!("k={k} {:.1}%", 100.0 * a.overall()))
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    writeln!(
        out,
        "\nEstimator confusion matrix (rows: truth, columns: estimate):"
    )?;
    let labels = &r.estimator.labels;
    let short = |s: &str| s.chars().take(10).collect::<String>();
    write!(out, "{:<20}", "")?;
    for l in labels {
        write!(out, " {:>10}", short(l))?;
    }
    writeln!(out)?;
    for (l, row) in labels.iter().zip(&r.estimator.matrix) {
        if row.iter().sum::<usize>() == 0 {
            continue;
        }
        write!(out, "{:<20}", l)?;
        for v in row {
            write!(out, " {:>10}", v)?;
        }
        writeln!(out)?;
    }
    Ok(())
}
