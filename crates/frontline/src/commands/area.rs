//! `frontline area`: km² and share per actor on a date, for the whole region or per part
//! (country), as a table or CSV — the figures `/api/area` gives.

use std::io::Write;
use std::path::Path;

use frontline_core::control_map::AreaTable;

use super::args::{actor_label, open_engine, MapArgs};

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

pub fn run(db: &Path, args: AreaArgs) -> anyhow::Result<()> {
    let engine = open_engine(db)?;
    let m = &args.map;
    let req = m.request();
    let tables: Vec<(Option<String>, AreaTable)> = if args.by.is_some() {
        engine
            .map(&req)?
            .map
            .areas_by_part()
            .into_iter()
            .map(|(c, t)| (Some(c), t))
            .collect()
    } else {
        vec![(None, (*engine.areas(&req)?).clone())]
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
                .basis
                .known_on
                .and_then(|k| k.label())
                .map(|t| format!(", as known on {t}"))
                .unwrap_or_default();
            writeln!(
                out,
                "Control on {}{known} (H3 resolution {}, geodesic km²)",
                m.date, m.basis.resolution
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
