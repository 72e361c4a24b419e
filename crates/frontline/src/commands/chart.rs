//! `frontline chart area`: km² per actor over time as a line chart (SVG or PNG), with labelled
//! axes and marked dates.

use std::path::PathBuf;

use anyhow::{bail, Context};
use chrono::NaiveDate;
use frontline_core::render::{self, chart_scene, AreaChart, Fonts, Series};

use frontline::app::StepSize;

use super::args::{parse_date, parse_step, progress, BasisArgs};
use super::layers::{dates, LayerSource};
use super::look::{actor_style, format_of, long_date};

#[derive(Debug, clap::Args)]
pub struct ChartArgs {
    #[command(subcommand)]
    pub chart: ChartKind,
}

#[derive(Debug, clap::Subcommand)]
pub enum ChartKind {
    /// km² per actor over time.
    Area(AreaArgs),
}

#[derive(Debug, clap::Args)]
pub struct AreaArgs {
    /// Folder of dated per-actor GeoJSON files (`*_YYYYMMDD.geojson[.gz]`); without it, the
    /// control engine's estimate over the database (Syria + Iraq) is drawn.
    #[arg(long, value_name = "DIR")]
    pub layers_dir: Option<PathBuf>,
    #[arg(long, value_parser = parse_date)]
    pub from: NaiveDate,
    #[arg(long, value_parser = parse_date)]
    pub to: NaiveDate,
    #[arg(long, default_value = "1w", value_parser = parse_step)]
    pub step: StepSize,
    /// Only these actors (repeatable; default: all). Also names the actor of features without one.
    #[arg(long = "actor")]
    pub actors: Vec<String>,
    /// Dates to mark with a dashed line (repeatable).
    #[arg(long = "mark", value_parser = parse_date)]
    pub marks: Vec<NaiveDate>,
    #[arg(long)]
    pub title: Option<String>,
    #[arg(long, default_value_t = 1200)]
    pub width: u32,
    #[arg(long, default_value_t = 700)]
    pub height: u32,
    #[arg(long, default_value_t = 1.0)]
    pub scale: f32,
    /// Credit line naming the data source.
    #[arg(long, default_value = "Data: per-day control polygons as given.")]
    pub credit: String,
    /// Output file: .svg or .png.
    #[arg(long)]
    pub out: PathBuf,
    /// Without --layers-dir: what was known, the estimated region and the resolution.
    #[command(flatten)]
    pub basis: BasisArgs,
}

pub fn run(db: &std::path::Path, args: ChartArgs) -> anyhow::Result<()> {
    let ChartKind::Area(args) = args.chart;
    let format = format_of(&args.out)?;
    let source = LayerSource::open(
        db,
        args.layers_dir.as_deref(),
        args.actors.first().cloned(),
        &args.basis,
    )?;
    let steps = dates(args.from, args.to, args.step)?;
    let mut series: Vec<(String, Series)> = Vec::new();
    let bar = progress(1, "estimating km² per date");
    let mut used_dates = Vec::new();
    let all = source.areas_on(&steps)?;
    bar.inc(1);
    for (used, areas) in all {
        // A point per distinct source file, dated by the file: a step that falls in a gap
        // repeats no value and invents none.
        if used_dates.last() == Some(&used) {
            continue;
        }
        used_dates.push(used);
        for (id, km2) in areas {
            if !args.actors.is_empty() && !args.actors.contains(&id) {
                continue;
            }
            let i = match series.iter().position(|(s, _)| *s == id) {
                Some(i) => i,
                None => {
                    let (name, colour) = actor_style(&id);
                    series.push((
                        id.clone(),
                        Series {
                            name,
                            colour,
                            points: Vec::new(),
                        },
                    ));
                    series.len() - 1
                }
            };
            series[i].1.points.push((used, km2));
        }
    }
    bar.finish_and_clear();
    if series.is_empty() {
        bail!("no layers between {} and {}", args.from, args.to);
    }
    let chart = AreaChart {
        title: args.title.clone().unwrap_or_else(|| "Area held".to_owned()),
        subtitle: Some(format!(
            "{} to {}, km², one point per available map",
            long_date(args.from),
            long_date(args.to)
        )),
        width: args.width as f32,
        height: args.height as f32,
        series: series.into_iter().map(|(_, s)| s).collect(),
        marks: args.marks.iter().map(|d| (*d, long_date(*d))).collect(),
        credit: args.credit.clone(),
    };
    let scene = chart_scene(&chart, &Fonts::embedded())?;
    let bytes = render::encode(&scene, format, args.scale)?;
    std::fs::write(&args.out, bytes).with_context(|| format!("writing {}", args.out.display()))?;
    println!("{}", args.out.display());
    Ok(())
}
