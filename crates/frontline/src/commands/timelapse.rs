//! `frontline timelapse`: an animated GIF, one map per step between two dates, each with its
//! date and a running km² counter for the chosen actor.

use std::path::PathBuf;

use anyhow::{bail, Context};
use chrono::NaiveDate;
use frontline_core::render::{self, map_scene, Fonts, MapSpec, Panel, PanelContent};

use frontline::app::StepSize;

use super::args::{parse_date, parse_step, progress, BasisArgs};
use super::layers::{dates, LayerSource};
use super::look::{counter_for, long_date, LookArgs};

#[derive(Debug, clap::Args)]
pub struct TimelapseArgs {
    /// Folder of dated per-actor GeoJSON files (`*_YYYYMMDD.geojson[.gz]`); without it, the
    /// control engine's estimate over the database (Syria + Iraq) is drawn.
    #[arg(long, value_name = "DIR")]
    pub layers_dir: Option<PathBuf>,
    #[arg(long, value_parser = parse_date)]
    pub from: NaiveDate,
    #[arg(long, value_parser = parse_date)]
    pub to: NaiveDate,
    /// Time between frames: 1d, 1w, 1mo …
    #[arg(long, default_value = "1w", value_parser = parse_step)]
    pub step: StepSize,
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
    /// Without --layers-dir: what was known, the estimated region and the resolution.
    #[command(flatten)]
    pub basis: BasisArgs,
}

pub fn run(db: &std::path::Path, args: TimelapseArgs) -> anyhow::Result<()> {
    if args
        .out
        .extension()
        .is_none_or(|e| !e.eq_ignore_ascii_case("gif"))
    {
        bail!("{}: the time-lapse is written as .gif", args.out.display());
    }
    let region = args.look.view()?;
    let base = args.look.basemap(&region)?;
    let source = LayerSource::open(
        db,
        args.layers_dir.as_deref(),
        Some(args.actor.clone()),
        &args.basis,
    )?;
    let steps = dates(args.from, args.to, args.step)?;
    let fonts = Fonts::embedded();
    let bar = progress(steps.len() as u64, "drawing frames");
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
