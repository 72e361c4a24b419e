//! `frontline area`: km² and share per actor on a date, for the whole region or per part
//! (country), as a table or CSV — the figures `/api/area` gives; or, with `--from`/`--to`, the
//! series of them (`date,actor,area_km2,share_pct`) through the engine's one series path.

use std::io::Write;
use std::path::Path;

use chrono::NaiveDate;
use frontline::app::StepSize;
use frontline_core::control_map::AreaTable;

use super::args::{actor_label, open_engine, parse_date, parse_step, BasisArgs};

/// Output formats of tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TableFormat {
    Table,
    Csv,
}

/// `frontline area`: km² and share per actor (and per country).
#[derive(Debug, clap::Args)]
pub struct AreaArgs {
    /// The date to estimate control for (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date, required_unless_present = "from", conflicts_with_all = ["from", "to"])]
    pub date: Option<NaiveDate>,
    /// First date of a series (with --to): one table per date, every --step.
    #[arg(long, value_parser = parse_date, requires = "to")]
    pub from: Option<NaiveDate>,
    /// Last date of a series (included).
    #[arg(long, value_parser = parse_date, requires = "from")]
    pub to: Option<NaiveDate>,
    /// Step of a series: Nd, Nw or Nmo (1d, 1w, 1mo).
    #[arg(long, default_value = "1d", value_parser = parse_step)]
    pub step: StepSize,
    /// With --from/--to: a folder of dated per-actor GeoJSON files (`*_YYYYMMDD.geojson[.gz]`,
    /// as the DeepStateMap archive is laid out) measured instead of the estimate: the latest
    /// file on or before each date, its geodesic km² per actor.
    #[arg(long, value_name = "DIR", requires = "from")]
    pub layers_dir: Option<std::path::PathBuf>,
    /// Actor id of features without one (with --layers-dir).
    #[arg(long, requires = "layers_dir")]
    pub actor: Option<String>,
    #[command(flatten)]
    pub basis: BasisArgs,
    /// One table per part of the region (country or area).
    #[arg(long, value_parser = ["country"], conflicts_with = "from")]
    pub by: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: TableFormat,
}

pub fn run(db: &Path, args: AreaArgs) -> anyhow::Result<()> {
    if let Some(dir) = &args.layers_dir {
        return files_series(dir, &args);
    }
    let engine = open_engine(db)?;
    let (Some(date), None) = (args.date, args.from) else {
        return series(&engine, &args);
    };
    let req = args.basis.request(date);
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
            let known = args
                .basis
                .known_on
                .and_then(|k| k.label())
                .map(|t| format!(", as known on {t}"))
                .unwrap_or_default();
            writeln!(
                out,
                "Control on {date}{known} (H3 resolution {}, geodesic km²)",
                args.basis.resolution
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

/// The series from `--from` to `--to`: one block of rows per date.
fn series(engine: &frontline::app::Engine, args: &AreaArgs) -> anyhow::Result<()> {
    let (Some(from), Some(to)) = (args.from, args.to) else {
        anyhow::bail!("give --date, or --from and --to");
    };
    let dates = super::layers::dates(from, to, args.step)?;
    let tables = engine.area_series(&args.basis.request(from), &dates)?;
    let mut out = std::io::stdout().lock();
    match args.format {
        TableFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(["date", "actor", "area_km2", "share_pct"])?;
            for (d, t) in &tables {
                for r in &t.rows {
                    w.write_record([
                        d.to_string(),
                        actor_label(r.actor.as_ref()),
                        format!("{:.1}", r.area_km2),
                        format!("{:.2}", r.share_pct),
                    ])?;
                }
            }
            w.flush()?;
        }
        TableFormat::Table => {
            writeln!(
                out,
                "Control from {from} to {to} (H3 resolution {}, geodesic km²)",
                args.basis.resolution
            )?;
            writeln!(
                out,
                "{:<10} {:<22} {:>12} {:>8}",
                "date", "actor", "km²", "share"
            )?;
            for (d, t) in &tables {
                for r in &t.rows {
                    writeln!(
                        out,
                        "{d:<10} {:<22} {:>12.0} {:>7.2}%",
                        actor_label(r.actor.as_ref()),
                        r.area_km2,
                        r.share_pct
                    )?;
                }
            }
        }
    }
    Ok(())
}

/// The km² of dated layer files from `--from` to `--to`: one row per actor of each distinct file.
fn files_series(dir: &Path, args: &AreaArgs) -> anyhow::Result<()> {
    let (Some(from), Some(to)) = (args.from, args.to) else {
        anyhow::bail!("--layers-dir needs --from and --to");
    };
    let dates = super::layers::dates(from, to, args.step)?;
    let files = super::layers::LayerSource::Files(super::layers::DatedFiles::open(
        dir,
        args.actor.clone(),
    )?);
    let mut out = std::io::stdout().lock();
    let mut w = csv::Writer::from_writer(&mut out);
    w.write_record(["date", "actor", "area_km2", "share_pct"])?;
    let mut last = None;
    for (used, rows) in files.areas_on(&dates)? {
        // A step that falls in a gap between files repeats no file.
        if last == Some(used) {
            continue;
        }
        last = Some(used);
        let total: f64 = rows.iter().map(|r| r.1).sum();
        for (actor, km2) in rows {
            let share = if total > 0.0 {
                100.0 * km2 / total
            } else {
                0.0
            };
            w.write_record([
                used.to_string(),
                actor,
                format!("{km2:.1}"),
                format!("{share:.2}"),
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}
