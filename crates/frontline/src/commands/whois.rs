//! `frontline whois --date D --points FILE`: who holds each point of a CSV (id,lat,lon), as
//! `/api/whois` answers for one point.

use std::path::{Path, PathBuf};

use anyhow::Context;
use frontline_core::LatLon;

use super::args::{open_engine, MapArgs};

/// `frontline whois --date D --points FILE`: who holds each point.
#[derive(Debug, clap::Args)]
pub struct WhoisArgs {
    #[command(flatten)]
    pub map: MapArgs,
    /// CSV with the columns id,lat,lon.
    #[arg(long)]
    pub points: PathBuf,
}

pub fn run(db: &Path, args: WhoisArgs) -> anyhow::Result<()> {
    let engine = open_engine(db)?;
    let m = &args.map;
    let product = engine.map(&m.request())?;
    let map = &product.map;
    engine.with_day(m.date, m.basis.known_on.unwrap_or_default(), |day, _| {
        write_points(day, map, &args)
    })?
}

fn write_points(
    day: &frontline_core::estimate::Day<'_, '_>,
    map: &frontline_core::control_map::ControlMap,
    args: &WhoisArgs,
) -> anyhow::Result<()> {
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
