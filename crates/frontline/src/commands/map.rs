//! `frontline map`: publication maps as PNG (1× or 2× for print) or SVG — one dated map, the pair
//! of dated maps with one legend, or the change map between two dates.
//!
//! The control layers are the engine's estimate for each `--date` (its features, as every door
//! draws them; `--diff` draws the core's diff, so its km² are `frontline diff`'s), or GeoJSON files
//! of per-actor polygons (`--layers`, one file per panel): the output of `frontline control
//! --format geojson`, or any analyst polygon such as a DeepStateMap day (`--actor` names the
//! actor when the file does not).

use std::path::{Path, PathBuf};

use anyhow::bail;
use chrono::NaiveDate;
use frontline_core::render::{change_layers_from_diff, MapSpec, Panel, PanelContent};

use super::args::{parse_date, BasisArgs};
use super::layers::{change_layers, read_layers, EngineLayers};
use super::look::{format_of, long_date, write_map, LookArgs};

#[derive(Debug, clap::Args)]
pub struct MapArgs {
    /// Date of the map, estimated from the observations in the database; twice for the pair of
    /// maps (or, with --diff, the change between the two dates).
    #[arg(long = "date", conflicts_with = "layers", value_parser = parse_date)]
    pub dates: Vec<NaiveDate>,
    /// With --date: what was known, the estimated region (not the view: see --view) and the
    /// grid resolution.
    #[command(flatten)]
    pub basis: BasisArgs,
    /// GeoJSON of per-actor polygons for a panel (properties: `actor` id; optional `status`
    /// held|contested|besieged|stale, `confidence` 0–1, `area_km2`), instead of --date. Give two
    /// for the pair of maps. `.gz` files are read transparently.
    #[arg(long = "layers", value_name = "FILE")]
    pub layers: Vec<PathBuf>,
    /// Caption of each panel (its date), in the order of --layers.
    #[arg(long = "caption")]
    pub captions: Vec<String>,
    /// Draw the change from the first --layers file to the second instead of the two maps.
    #[arg(long)]
    pub diff: bool,
    /// Actor id for features that have no `actor` property (e.g. a DeepStateMap file).
    #[arg(long)]
    pub actor: Option<String>,
    /// Output file: .png or .svg.
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub look: LookArgs,
}

pub fn run(db: &Path, args: MapArgs) -> anyhow::Result<()> {
    let format = format_of(&args.out)?;
    let sources = args.layers.len() + args.dates.len();
    if sources == 0 || sources > 2 {
        bail!("give one or two --date (or --layers FILE): one map, or the pair / the change map");
    }
    if args.diff && sources != 2 {
        bail!("--diff needs two dates (or two --layers files): before and after");
    }
    let region = args.look.view()?;
    let mut panels_layers = Vec::new();
    let mut change = None;
    let mut captions = args.captions.clone();
    if args.dates.is_empty() {
        for path in &args.layers {
            panels_layers.push(read_layers(path, args.actor.as_deref())?);
        }
        if args.diff {
            change = Some(change_layers(&panels_layers[0], &panels_layers[1]));
        }
    } else {
        let source = EngineLayers::open(db, args.basis.clone())?;
        for (i, d) in args.dates.iter().enumerate() {
            if captions.len() <= i {
                captions.push(long_date(*d));
            }
        }
        if args.diff {
            // The change the core's diff measures, drawn: the legend's km² are `frontline diff`'s.
            let c = source
                .engine
                .diff(&source.request(args.dates[0]), args.dates[1])?;
            change = Some(change_layers_from_diff(
                &c.diff,
                &c.from.features,
                &c.to.features,
                c.from.map.grid().mask(),
                &source.actors,
            )?);
        } else {
            for d in &args.dates {
                panels_layers.push(source.on(*d)?);
            }
        }
    }
    let mut args = MapArgs { captions, ..args };
    if !args.dates.is_empty() && args.look.credit.is_none() {
        args.look.credit = Some(
            "Control: Frontline's estimate from the stored observations (Wikipedia detailed-map \
             modules, CC BY-SA; dated control changes with their sources)."
                .to_owned(),
        );
    }
    let caption = |i: usize| {
        args.captions.get(i).cloned().unwrap_or_else(|| {
            args.layers[i]
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
    };
    let panels = if let Some(change) = change {
        vec![Panel {
            caption: format!("{} to {}", caption(0), caption(1)),
            content: PanelContent::Change(change),
        }]
    } else {
        panels_layers
            .into_iter()
            .enumerate()
            .map(|(i, layers)| Panel {
                caption: caption(i),
                content: PanelContent::Control(layers),
            })
            .collect()
    };
    let title = args
        .look
        .title
        .clone()
        .unwrap_or_else(|| match (args.diff, panels.len()) {
            (true, _) => format!("Change in control, {} to {}", caption(0), caption(1)),
            (false, 1) => caption(0),
            _ => format!("{} and {}", caption(0), caption(1)),
        });
    let spec = MapSpec {
        title,
        subtitle: args.look.subtitle.clone(),
        width: args.look.width as f32,
        height: args.look.height_for(&region, panels.len()),
        view: region.view,
        focus: args.look.focus(&region),
        panels,
        credit: args.look.base_credit(&region),
        counter: None,
    };
    let base = args.look.basemap(&region)?;
    write_map(&spec, &base, format, args.look.scale, &args.out)
}
