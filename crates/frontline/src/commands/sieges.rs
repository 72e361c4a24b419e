//! `frontline sieges`: every enclave (connected area of one actor) on a date, its km², and who
//! holds its perimeter; encircled ones first.

use std::path::Path;

use chrono::NaiveDate;
use frontline_core::analysis::enclave::{Alignment, EnclaveParams};
use frontline_core::ActorId;

use super::args::{open_engine, parse_date, BasisArgs};

#[derive(Debug, clap::Args)]
pub struct SiegesArgs {
    #[arg(long, value_parser = parse_date)]
    pub date: NaiveDate,
    /// Hostile share of the perimeter (%) from which an enclave counts as encircled.
    #[arg(long, default_value_t = 75.0)]
    pub threshold: f64,
    /// Leave out enclaves smaller than this (km²).
    #[arg(long, default_value_t = 10.0)]
    pub min_km2: f64,
    /// Pairs of actors that are not hostile to each other, e.g. `syrian-opposition:turkey`
    /// (repeatable). By default every other actor is hostile.
    #[arg(long = "friends", value_name = "A:B")]
    pub friends: Vec<String>,
    /// Show every enclave, not only the encircled ones.
    #[arg(long)]
    pub all: bool,
    /// Only this actor's enclaves.
    #[arg(long)]
    pub actor: Option<ActorId>,
    #[arg(long, default_value = "table", value_parser = ["table", "csv"])]
    pub format: String,
    #[command(flatten)]
    pub map: BasisArgs,
}

pub fn params(
    threshold_pct: f64,
    min_km2: f64,
    friends: &[String],
) -> anyhow::Result<EnclaveParams> {
    let mut alignment = Alignment::all_hostile();
    for f in friends {
        let (a, b) = f
            .split_once(':')
            .ok_or_else(|| anyhow::anyhow!("--friends {f:?}: expected ACTOR:ACTOR"))?;
        alignment = alignment.with_friends(ActorId::new(a)?, ActorId::new(b)?);
    }
    Ok(EnclaveParams {
        threshold: threshold_pct / 100.0,
        min_km2,
        alignment,
    })
}

pub fn run(db: &Path, args: SiegesArgs) -> anyhow::Result<()> {
    let engine = open_engine(db)?;
    let p = params(args.threshold, args.min_km2, &args.friends)?;
    let list: Vec<_> = engine
        .sieges(&args.map.request(args.date), &p)?
        .into_iter()
        .filter(|e| args.all || e.encircled)
        .filter(|e| args.actor.as_ref().is_none_or(|a| *a == e.actor))
        .collect();
    if args.format == "csv" {
        println!("actor,km2,lat,lon,perimeter_km,hostile_pct,encircled,besieged_cells,perimeter");
        for e in &list {
            let per: Vec<String> = e
                .perimeter
                .iter()
                .map(|s| format!("{}={:.1}", s.neighbour.label(), s.pct))
                .collect();
            println!(
                "{},{:.1},{:.4},{:.4},{:.1},{:.1},{},{},{}",
                e.actor,
                e.km2,
                e.centre.lat(),
                e.centre.lon(),
                e.perimeter_km,
                e.hostile_pct,
                e.encircled,
                e.besieged_cells,
                per.join(";")
            );
        }
        return Ok(());
    }
    println!(
        "{} enclaves on {} ({} shown; threshold {:.0} % hostile perimeter, ≥ {} km²{})",
        if args.all { "All" } else { "Encircled" },
        args.date,
        list.len(),
        args.threshold,
        args.min_km2,
        args.map
            .known_on
            .and_then(|k| k.label())
            .map_or(String::new(), |k| format!("; as known on {k}"))
    );
    for e in &list {
        let per: Vec<String> = e
            .perimeter
            .iter()
            .map(|s| format!("{} {:.1} %", s.neighbour.label(), s.pct))
            .collect();
        println!(
            "{:<18} {:>9.1} km² at {:.3},{:.3}  perimeter {:.0} km: {}{}",
            e.actor,
            e.km2,
            e.centre.lat(),
            e.centre.lon(),
            e.perimeter_km,
            per.join(", "),
            if e.encircled {
                format!("  ENCIRCLED ({})", e.reason)
            } else {
                String::new()
            }
        );
    }
    Ok(())
}
