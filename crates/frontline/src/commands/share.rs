//! `frontline share`: km² and % of an area of interest held by each actor on a date, or over a
//! series of dates (`--from/--to/--step`); with `--population`, the people per actor in it.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use chrono::NaiveDate;
use frontline_core::analysis::population::population;
use frontline_core::analysis::share::{share, ShareReport};
use frontline_core::analysis::trend::{steps, StepSize};

use super::analysis_ctx::{open, parse_date, resolve_aoi, Estimator, MapOpts};

#[derive(Debug, clap::Args)]
pub struct ShareArgs {
    /// The date (YYYY-MM-DD); or use --from/--to/--step for a series.
    #[arg(long, value_parser = parse_date, required_unless_present = "from")]
    pub date: Option<NaiveDate>,
    /// An area of interest: its code or name in the store (SYR, IQ-NI, Ninawa…), a city of the
    /// gazetteer (Mosul), or a GeoJSON file.
    #[arg(long)]
    pub aoi: String,
    #[arg(long, value_parser = parse_date, requires = "to")]
    pub from: Option<NaiveDate>,
    #[arg(long, value_parser = parse_date, requires = "from")]
    pub to: Option<NaiveDate>,
    /// Step of the series: 14d, 2w, 1mo, 1y.
    #[arg(long, default_value = "1mo")]
    pub step: String,
    /// Also count the people per actor (deduplicated gazetteer).
    #[arg(long)]
    pub population: bool,
    /// Natural Earth urban areas (GeoJSON) for city outlines; default: the bundled file.
    #[arg(long)]
    pub urban_areas: Option<PathBuf>,
    #[arg(long, default_value = "table", value_parser = ["table", "csv"])]
    pub format: String,
    #[command(flatten)]
    pub map: MapOpts,
}

pub fn run(db: &Path, args: ShareArgs) -> anyhow::Result<()> {
    let store = open(db)?;
    let aoi = resolve_aoi(&store, &args.aoi, args.urban_areas.as_deref())?;
    let est = Estimator::load(&store, &args.map)?;
    let dates: Vec<NaiveDate> = match (args.from, args.to) {
        (Some(from), Some(to)) => {
            let size: StepSize = args.step.parse().context("--step")?;
            steps(from, to, size)?
                .into_iter()
                .map(|s| s.from)
                .chain([to])
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect()
        }
        _ => vec![args.date.expect("clap requires --date without --from")],
    };
    if dates.is_empty() {
        bail!("no dates to compute");
    }
    let csv = args.format == "csv";
    if csv {
        let extra = if args.population {
            ",people,people_pct"
        } else {
            ""
        };
        println!("date,aoi,actor,area_km2,share_pct,share_of_assessed_pct{extra}");
    } else {
        println!("{} — {}", aoi.name, aoi.how);
        if let Some(k) = args.map.known_on {
            println!("as known on {}", k.to_rfc3339());
        }
    }
    let places = if args.population {
        store.places().context("reading the gazetteer")?
    } else {
        Vec::new()
    };
    let settlements = frontline_store::places::canonical_places(&places);
    for date in dates {
        let t = est.territory(date);
        let r: ShareReport = share(&t, &aoi.name, &aoi.geometry)?;
        let pop = args
            .population
            .then(|| population(&t, &settlements, Some(&aoi.geometry)));
        if csv {
            for row in &r.rows {
                let mut line = format!(
                    "{date},{},{},{:.3},{:.3},{}",
                    csv_field(&aoi.name),
                    row.holder.label(),
                    row.km2,
                    row.pct,
                    row.pct_of_assessed
                        .map_or(String::new(), |p| format!("{p:.3}"))
                );
                if let Some(p) = &pop {
                    let people = p.rows.iter().find(|x| x.holder == row.holder);
                    line.push_str(&format!(
                        ",{},{:.3}",
                        people.map_or(0, |x| x.people),
                        people.map_or(0.0, |x| x.pct)
                    ));
                }
                println!("{line}");
            }
        } else {
            println!("\n{date}: {:.1} km², {} grid cells", r.aoi_km2, r.cells);
            println!(
                "  {:<22} {:>12} {:>8} {:>12}",
                "actor", "km²", "%", "% assessed"
            );
            for row in &r.rows {
                println!(
                    "  {:<22} {:>12.1} {:>8.1} {:>12}",
                    row.holder.label(),
                    row.km2,
                    row.pct,
                    row.pct_of_assessed
                        .map_or("-".to_owned(), |p| format!("{p:.1}"))
                );
            }
            if let Some(p) = &pop {
                println!(
                    "  population: {} people in {} settlements ({} without a figure; gazetteer deduplicated)",
                    p.people, p.places, p.without_population
                );
                for row in &p.rows {
                    println!(
                        "  {:<22} {:>12} {:>8.1} % ({} places)",
                        row.holder.label(),
                        row.people,
                        row.pct,
                        row.places
                    );
                }
            }
        }
    }
    Ok(())
}

pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}
