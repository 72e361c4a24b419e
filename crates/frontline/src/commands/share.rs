//! `frontline share`: km² and % of an area of interest held by each actor on a date, or over a
//! series of dates (`--from/--to/--step`); with `--population`, the people per actor in it.

use std::path::{Path, PathBuf};

use anyhow::bail;
use chrono::NaiveDate;
use frontline::app::StepSize;
use frontline_core::analysis::share::ShareReport;
use frontline_core::analysis::trend::steps;

use super::aoi::resolve_aoi;
use super::args::{csv_field, open_engine, parse_date, parse_step, BasisArgs};

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
    #[arg(long, default_value = "1mo", value_parser = parse_step)]
    pub step: StepSize,
    /// Also count the people per actor (deduplicated gazetteer).
    #[arg(long)]
    pub population: bool,
    /// Natural Earth urban areas (GeoJSON) for city outlines; default: the bundled file.
    #[arg(long)]
    pub urban_areas: Option<PathBuf>,
    #[arg(long, default_value = "table", value_parser = ["table", "csv"])]
    pub format: String,
    #[command(flatten)]
    pub map: BasisArgs,
}

pub fn run(db: &Path, args: ShareArgs) -> anyhow::Result<()> {
    let engine = open_engine(db)?;
    let aoi = resolve_aoi(&engine, &args.aoi, args.urban_areas.as_deref())?;
    let dates: Vec<NaiveDate> = match (args.from, args.to) {
        (Some(from), Some(to)) => steps(from, to, args.step)?
            .into_iter()
            .map(|s| s.from)
            .chain([to])
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect(),
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
        if let Some(k) = args.map.known_on.and_then(|k| k.label()) {
            println!("as known on {k}");
        }
    }
    for date in dates {
        let req = args.map.request(date);
        let r: ShareReport = engine.share(&req, &aoi)?;
        let pop = match args.population {
            true => Some(engine.population(&req, Some(&aoi.geometry))?.0),
            false => None,
        };
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
