//! `frontline control`: the map's per-actor polygons — the engine's features, clipped to the
//! region with low-confidence ground split off — as GeoJSON (the bytes `/api/control` serves), a
//! CSV table, or a GeoPackage layer (the file `/api/export/control?format=gpkg` gives).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use frontline::export::{self, Format};
use frontline_core::ActorId;

use super::args::{open_engine, output, MapArgs};

/// `frontline control`: per-actor polygons dissolved from cells.
#[derive(Debug, clap::Args)]
pub struct ControlArgs {
    #[command(flatten)]
    pub map: MapArgs,
    /// Only this actor (id).
    #[arg(long)]
    pub actor: Option<ActorId>,
    #[arg(long, value_enum, default_value = "geojson")]
    pub format: Format,
    /// Write here instead of standard output (required for gpkg).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(db: &Path, args: ControlArgs) -> anyhow::Result<()> {
    let engine = open_engine(db)?;
    let map = engine.map(&args.map.request())?;
    if let Some(a) = &args.actor {
        if !map.map.actors().contains(a) && !engine.store().actors()?.iter().any(|x| &x.id == a) {
            bail!(
                "unknown actor {:?}: see `frontline import actors`",
                a.as_str()
            );
        }
    }
    match args.format {
        Format::Geojson => {
            let mut w = output(args.out.as_ref())?;
            match &args.actor {
                None => w.write_all(&map.geojson().plain)?,
                Some(a) => w.write_all(&map.geojson_of(a))?,
            }
            writeln!(w)?;
            w.flush()?;
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(output(args.out.as_ref())?);
            w.write_record([
                "actor",
                "actor2",
                "status",
                "low_confidence",
                "area_km2",
                "mean_confidence",
                "cells",
            ])?;
            for f in map
                .features
                .iter()
                .filter(|f| args.actor.as_ref().is_none_or(|a| &f.actor == a))
            {
                w.write_record([
                    f.actor.to_string(),
                    f.actor2.as_ref().map(|a| a.to_string()).unwrap_or_default(),
                    f.status.to_string(),
                    f.low_confidence.to_string(),
                    format!("{:.1}", f.area_km2),
                    format!("{:.3}", f.mean_confidence),
                    f.cells.to_string(),
                ])?;
            }
            w.flush()?;
        }
        Format::Gpkg => {
            let Some(out) = &args.out else {
                bail!("--format gpkg needs --out FILE");
            };
            let features = export::control_features(&map, args.actor.as_ref());
            let description = format!("Frontline control estimate on {}", map.key.date);
            let bytes = export::encode(&features, Format::Gpkg, "control", &description)
                .with_context(|| format!("writing {}", out.display()))?;
            std::fs::write(out, bytes).with_context(|| format!("writing {}", out.display()))?;
        }
    }
    Ok(())
}
