//! `frontline diff D1 D2`: km² gained and lost per actor between two dates — the engine's
//! change (the core's diff), as `/api/diff` gives it — and the gained and lost polygons.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDate;

use super::args::{actor_label, open_engine, parse_date, BasisArgs};

/// `frontline diff D1 D2`: km² gained and lost per actor.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    #[arg(value_parser = parse_date)]
    pub from: NaiveDate,
    #[arg(value_parser = parse_date)]
    pub to: NaiveDate,
    #[command(flatten)]
    pub basis: BasisArgs,
    /// Write the gained and lost polygons as GeoJSON here.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(db: &Path, args: DiffArgs) -> anyhow::Result<()> {
    let engine = open_engine(db)?;
    let change = engine.diff(&args.basis.request(args.from), args.to)?;
    let d = &change.diff;
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
                props.insert("area_km2".into(), round1(p.change_km2).into());
                props.insert("cells_km2".into(), round1(p.cells_km2).into());
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

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
