//! `frontline population --date D`: people per actor, each settlement of the deduplicated
//! gazetteer given to the holder of its cell (what `/api/population` returns).

use std::io::Write;
use std::path::Path;

use super::args::{open_engine, MapArgs};

/// `frontline population --date D`: people per actor from the gazetteer.
#[derive(Debug, clap::Args)]
pub struct PopulationArgs {
    #[command(flatten)]
    pub map: MapArgs,
}

pub fn run(db: &Path, args: PopulationArgs) -> anyhow::Result<()> {
    let engine = open_engine(db)?;
    let m = &args.map;
    let (report, basis) = engine.population(&m.request(), None)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "People per actor on {} ({} gazetteer entries, {} settlements after deduplication, {} with a population figure)",
        m.date,
        basis.gazetteer_entries,
        basis.settlements,
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
