//! `frontline chart area`: km² per actor over time as a line chart (SVG or PNG), with labelled
//! axes and marked dates.

use std::path::PathBuf;

use anyhow::{bail, Context};
use chrono::NaiveDate;
use frontline_core::render::{self, chart_scene, AreaChart, Fonts, Series};

use super::map::{actor_style, format_of};
use super::series::{dates, DatedFiles, Step};
use super::timelapse::{long_date, progress};

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
    /// Folder of dated per-actor GeoJSON files (`*_YYYYMMDD.geojson[.gz]`).
    #[arg(long, value_name = "DIR")]
    pub layers_dir: PathBuf,
    #[arg(long)]
    pub from: NaiveDate,
    #[arg(long)]
    pub to: NaiveDate,
    #[arg(long, default_value = "1w")]
    pub step: Step,
    /// Only these actors (repeatable; default: all). Also names the actor of features without one.
    #[arg(long = "actor")]
    pub actors: Vec<String>,
    /// Dates to mark with a dashed line (repeatable).
    #[arg(long = "mark")]
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
}

pub fn run(args: ChartArgs) -> anyhow::Result<()> {
    let ChartKind::Area(args) = args.chart;
    let format = format_of(&args.out)?;
    let source = DatedFiles::open(&args.layers_dir, args.actors.first().cloned())?;
    let steps = dates(args.from, args.to, args.step)?;
    let mut series: Vec<(String, Series)> = Vec::new();
    let bar = progress(steps.len() as u64);
    let mut used_dates = Vec::new();
    for d in steps {
        bar.inc(1);
        let Some((used, layers)) = source.on(d)? else {
            continue;
        };
        // A point per distinct source file, dated by the file: a step that falls in a gap
        // repeats no value and invents none.
        if used_dates.last() == Some(&used) {
            continue;
        }
        used_dates.push(used);
        for l in layers {
            if !args.actors.is_empty() && !args.actors.contains(&l.id) {
                continue;
            }
            let i = match series.iter().position(|(id, _)| *id == l.id) {
                Some(i) => i,
                None => {
                    let (name, colour) = actor_style(&l.id);
                    series.push((
                        l.id.clone(),
                        Series {
                            name,
                            colour,
                            points: Vec::new(),
                        },
                    ));
                    series.len() - 1
                }
            };
            series[i].1.points.push((used, l.area_km2));
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
