//! `frontline timelapse`: an animated GIF, one map per step between two dates, each with its
//! date and a running km² counter for the chosen actor.

use std::path::PathBuf;

use anyhow::{bail, Context};
use chrono::NaiveDate;
use frontline_core::render::{self, map_scene, Fonts, MapSpec, Panel, PanelContent};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::map::{counter_for, LookArgs};
use super::series::{dates, DatedFiles, Step};

#[derive(Debug, clap::Args)]
pub struct TimelapseArgs {
    /// Folder of dated per-actor GeoJSON files (`*_YYYYMMDD.geojson[.gz]`).
    #[arg(long, value_name = "DIR")]
    pub layers_dir: PathBuf,
    #[arg(long)]
    pub from: NaiveDate,
    #[arg(long)]
    pub to: NaiveDate,
    /// Time between frames: 1d, 1w, 1m …
    #[arg(long, default_value = "1w")]
    pub step: Step,
    /// The actor whose area is counted (also the actor of features that name none).
    #[arg(long, default_value = "islamic-state")]
    pub actor: String,
    /// Milliseconds per frame (the last frame is held 2 s).
    #[arg(long, default_value_t = 400)]
    pub delay_ms: u32,
    /// Output file (.gif).
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub look: LookArgs,
}

/// "1 February 2016".
pub fn long_date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

pub fn run(args: TimelapseArgs) -> anyhow::Result<()> {
    if args
        .out
        .extension()
        .is_none_or(|e| !e.eq_ignore_ascii_case("gif"))
    {
        bail!("{}: the time-lapse is written as .gif", args.out.display());
    }
    let region = args.look.region()?;
    let base = args.look.basemap(&region)?;
    let source = DatedFiles::open(&args.layers_dir, Some(args.actor.clone()))?;
    let steps = dates(args.from, args.to, args.step)?;
    let fonts = Fonts::embedded();
    let bar = progress(steps.len() as u64);
    let mut frames = Vec::with_capacity(steps.len());
    for d in steps {
        bar.inc(1);
        let Some((used, layers)) = source.on(d)? else {
            tracing::warn!(date = %d, "no layers on or before this date: frame skipped");
            continue;
        };
        let subtitle = if used == d {
            args.look.subtitle.clone()
        } else {
            Some(format!("Latest map available: {}", long_date(used)))
        };
        let spec = MapSpec {
            title: args.look.title.clone().unwrap_or_else(|| long_date(d)),
            subtitle,
            width: args.look.width as f32,
            height: args.look.height_for(&region, 1),
            view: region.view,
            focus: args.look.focus(&region),
            counter: Some(counter_for(&layers, &args.actor)),
            panels: vec![Panel {
                caption: long_date(d),
                content: PanelContent::Control(layers),
            }],
            credit: args.look.base_credit(&region),
        };
        let scene = map_scene(&spec, &base, &fonts)?;
        frames.push(render::rasterize(&scene, args.look.scale)?);
    }
    bar.finish_and_clear();
    if frames.is_empty() {
        bail!(
            "no layers on or before any date from {} to {}",
            args.from,
            args.to
        );
    }
    let delay = (args.delay_ms / 10).clamp(2, 6000) as u16;
    let gif = render::encode_gif(&frames, delay, 200)?;
    std::fs::write(&args.out, gif).with_context(|| format!("writing {}", args.out.display()))?;
    println!("{} ({} frames)", args.out.display(), frames.len());
    Ok(())
}

/// A progress bar on a terminal, hidden otherwise.
pub fn progress(len: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
