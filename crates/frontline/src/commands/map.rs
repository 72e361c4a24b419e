//! `frontline map`: publication maps as PNG (1× or 2× for print) or SVG — one dated map, the pair
//! of dated maps with one legend, or the change map between two dates.
//!
//! The control layers come from GeoJSON files of per-actor polygons (`--layers`, one file per
//! panel): the output of `frontline control --format geojson`, or any analyst polygon such as a
//! DeepStateMap day (`--actor` names the actor when the file does not).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use chrono::{DateTime, NaiveDate, Utc};
use frontline_core::render::{
    self, map_scene, ActorLayer, ChangeLayer, Counter, Fonts, Format, GeoBox, MapSpec, Panel,
    PanelContent, Rgba,
};
use geo::{BooleanOps, GeodesicArea, MultiPolygon, Orient};

use frontline::basemap;

#[derive(Debug, clap::Args)]
pub struct MapArgs {
    /// Date of the map, estimated from the observations in the database; twice for the pair of
    /// maps (or, with --diff, the change between the two dates).
    #[arg(long = "date", conflicts_with = "layers")]
    pub dates: Vec<NaiveDate>,
    /// Use only what had been recorded by then (YYYY-MM-DD or RFC 3339), with --date.
    #[arg(long, value_parser = crate::commands::analysis_ctx::parse_known_on)]
    pub known_on: Option<DateTime<Utc>>,
    /// Countries (ISO3 codes of stored areas) forming the estimated region, with --date.
    #[arg(long, default_value = "SYR,IRQ", value_delimiter = ',')]
    pub estimate_region: Vec<String>,
    /// H3 resolution of the estimate, with --date.
    #[arg(long, default_value_t = 7)]
    pub resolution: u8,
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

/// The options every rendering command shares.
#[derive(Debug, Clone, clap::Args)]
pub struct LookArgs {
    /// Area shown: syria-iraq, syria, iraq, mosul, raqqa, ukraine, donbas, or WEST,SOUTH,EAST,NORTH.
    #[arg(long, default_value = "syria-iraq")]
    pub region: String,
    /// Width in logical pixels.
    #[arg(long, default_value_t = 1600)]
    pub width: u32,
    /// Height in logical pixels (default: from the width and the layout).
    #[arg(long)]
    pub height: Option<u32>,
    /// Device pixels per logical pixel for PNG: 2 for print.
    #[arg(long, default_value_t = 1.0)]
    pub scale: f32,
    /// Title (default: the date or dates).
    #[arg(long)]
    pub title: Option<String>,
    /// Subtitle under the title.
    #[arg(long)]
    pub subtitle: Option<String>,
    /// Extra credit text for the control data (appended to the base map's sources).
    #[arg(long)]
    pub credit: Option<String>,
}

/// A named view and its base map.
pub struct Region {
    pub view: GeoBox,
    pub ukraine: bool,
}

impl LookArgs {
    pub fn region(&self) -> anyhow::Result<Region> {
        let me = |view| Region {
            view,
            ukraine: false,
        };
        let uk = |view| Region {
            view,
            ukraine: true,
        };
        Ok(match self.region.as_str() {
            "syria-iraq" => me(GeoBox::SYRIA_IRAQ),
            "syria" => me(GeoBox::new(35.4, 32.2, 42.6, 37.4)),
            "iraq" => me(GeoBox::new(38.6, 28.9, 48.8, 37.5)),
            "mosul" => me(GeoBox::new(41.9, 35.4, 44.3, 36.9)),
            "raqqa" => me(GeoBox::new(37.6, 35.2, 40.6, 36.8)),
            "ukraine" => uk(GeoBox::new(22.0, 44.2, 40.3, 52.5)),
            "donbas" => uk(GeoBox::new(36.0, 46.8, 40.3, 49.7)),
            other => {
                let v: Vec<f64> = other
                    .split(',')
                    .map(|s| s.trim().parse::<f64>())
                    .collect::<Result<_, _>>()
                    .with_context(|| {
                        format!("--region {other}: not a region name or WEST,SOUTH,EAST,NORTH")
                    })?;
                let [w, s, e, n] = v[..] else {
                    bail!("--region {other}: expected four numbers WEST,SOUTH,EAST,NORTH");
                };
                let view = GeoBox::new(w, s, e, n);
                if !view.is_valid() {
                    bail!("--region {other}: need west < east and south < north");
                }
                // The Ukraine base map covers 20–42° E north of 44° N.
                Region {
                    view,
                    ukraine: s > 43.0 && w > 18.0 && e < 45.0,
                }
            }
        })
    }

    pub fn basemap(&self, region: &Region) -> anyhow::Result<render::Basemap> {
        if region.ukraine {
            basemap::ukraine()
        } else {
            basemap::middle_east()
        }
    }

    pub fn focus(&self, region: &Region) -> Vec<String> {
        if region.ukraine {
            vec!["Ukraine".into()]
        } else {
            vec!["Syria".into(), "Iraq".into()]
        }
    }

    pub fn base_credit(&self, region: &Region) -> String {
        let base = if region.ukraine {
            "Boundaries: Natural Earth (public domain; Crimea drawn inside Russia by Natural Earth)."
        } else {
            "Boundaries, rivers, lakes, places: Natural Earth (public domain). Arabic names: Frontline."
        };
        match &self.credit {
            Some(c) => format!("{c} {base}"),
            None => base.to_owned(),
        }
    }

    /// The height: given, or a layout that suits the view and the panels.
    pub fn height_for(&self, region: &Region, panels: usize) -> f32 {
        if let Some(h) = self.height {
            return h as f32;
        }
        let v = region.view;
        let aspect = (v.north - v.south)
            / ((v.east - v.west) * ((v.south + v.north) / 2.0).to_radians().cos());
        let map_w = if panels == 2 {
            (self.width as f64 - 56.0) / 2.0
        } else {
            self.width as f64 - 40.0
        };
        let chrome = if panels == 2 { 230.0 } else { 200.0 };
        (map_w * aspect + chrome).round().clamp(300.0, 4000.0) as f32
    }
}

/// Output format from the file extension.
pub fn format_of(out: &Path) -> anyhow::Result<Format> {
    match out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("png") => Ok(Format::Png),
        Some("svg") => Ok(Format::Svg),
        _ => bail!("{}: the output must end in .png or .svg", out.display()),
    }
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
    let region = args.look.region()?;
    let mut panels_layers = Vec::new();
    let mut captions = args.captions.clone();
    if args.dates.is_empty() {
        for path in &args.layers {
            panels_layers.push(read_layers(path, args.actor.as_deref())?);
        }
    } else {
        let engine = Engine::load(db, args.known_on, &args.estimate_region, args.resolution)?;
        for (i, d) in args.dates.iter().enumerate() {
            panels_layers.push(engine.layers_on(*d)?);
            if captions.len() <= i {
                captions.push(crate::commands::timelapse::long_date(*d));
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
    let panels = if args.diff {
        vec![Panel {
            caption: format!("{} to {}", caption(0), caption(1)),
            content: PanelContent::Change(change_layers(&panels_layers[0], &panels_layers[1])),
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

/// The control engine over the stored observations, with the actors' names and colours.
pub struct Engine {
    estimator: crate::commands::analysis_ctx::Estimator,
    actors: Vec<frontline_core::Actor>,
}

impl Engine {
    pub fn load(
        db: &Path,
        known_on: Option<DateTime<Utc>>,
        region: &[String],
        resolution: u8,
    ) -> anyhow::Result<Self> {
        use crate::commands::analysis_ctx::{open, Estimator, MapOpts};
        let store = open(db)?;
        let opts = MapOpts {
            known_on,
            region: region.to_vec(),
            resolution,
        };
        let estimator = Estimator::load(&store, &opts)?;
        let actors = store.actors().context("reading actors")?;
        Ok(Self { estimator, actors })
    }

    /// Per-actor layers of the estimate for `date`.
    pub fn layers_on(&self, date: NaiveDate) -> anyhow::Result<Vec<ActorLayer>> {
        let map = self
            .estimator
            .prepared()
            .on(date)
            .estimate(&self.estimator.grid);
        Ok(render::layers_from_map(&map, &self.actors)?)
    }
}

/// Renders and writes one map image.
pub fn write_map(
    spec: &MapSpec,
    base: &render::Basemap,
    format: Format,
    scale: f32,
    out: &Path,
) -> anyhow::Result<()> {
    let fonts = Fonts::embedded();
    let scene = map_scene(spec, base, &fonts)?;
    let bytes = render::encode(&scene, format, scale)?;
    std::fs::write(out, bytes).with_context(|| format!("writing {}", out.display()))?;
    tracing::info!(out = %out.display(), "map written");
    println!("{}", out.display());
    Ok(())
}

/// Display name and colour of an actor id. Islamic State is black, as in the newspaper maps.
pub fn actor_style(id: &str) -> (String, Rgba) {
    let (name, hex) = match id {
        "islamic-state" => ("Islamic State", 0x161616),
        "syrian-government" => ("Syrian government", 0xd1413b),
        "iraqi-government" => ("Iraqi government", 0xe58f7d),
        "sdf" => ("Syrian Democratic Forces", 0xe9c430),
        "kurdistan-region" => ("Kurdistan Region", 0xb9892c),
        "syrian-opposition" => ("Syrian opposition", 0x5aa55a),
        "hts" => ("Hayat Tahrir al-Sham", 0x7b6bb0),
        "turkey" => ("Turkey and allies", 0x4f8fc9),
        "russia" => ("Russian-occupied", 0xc43b35),
        other => return (other.to_owned(), Rgba::rgb(120, 120, 120)),
    };
    (
        name.to_owned(),
        Rgba::rgb((hex >> 16) as u8, (hex >> 8) as u8, hex as u8),
    )
}

fn read_text(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    if path.extension().is_some_and(|e| e == "gz") {
        use std::io::Read;
        let mut s = String::new();
        flate2::read::GzDecoder::new(bytes.as_slice())
            .read_to_string(&mut s)
            .with_context(|| format!("decompressing {}", path.display()))?;
        Ok(s)
    } else {
        String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8", path.display()))
    }
}

fn geodesic_km2(mp: &MultiPolygon<f64>) -> f64 {
    // Per polygon: a ring wound the wrong way after a boolean operation measures the rest of the
    // globe; an area above half the Earth's is that complement, so take it back.
    const EARTH_M2: f64 = 510_065_621_724_088.0;
    mp.0.iter()
        .map(|p| {
            let a = p
                .orient(geo::orient::Direction::Default)
                .geodesic_area_unsigned();
            if a > EARTH_M2 / 2.0 {
                EARTH_M2 - a
            } else {
                a
            }
        })
        .sum::<f64>()
        / 1e6
}

/// Reads per-actor polygons from a GeoJSON file into layers, one per actor, in order of first
/// appearance. Areas are the features' `area_km2` when given, else their geodesic area.
pub fn read_layers(path: &Path, default_actor: Option<&str>) -> anyhow::Result<Vec<ActorLayer>> {
    let text = read_text(path)?;
    let gj: geojson::GeoJson = text
        .parse()
        .with_context(|| format!("{} is not GeoJSON", path.display()))?;
    let features = match gj {
        geojson::GeoJson::FeatureCollection(fc) => fc.features,
        geojson::GeoJson::Feature(f) => vec![f],
        geojson::GeoJson::Geometry(g) => vec![geojson::Feature {
            geometry: Some(g),
            ..Default::default()
        }],
    };
    let mut layers: Vec<ActorLayer> = Vec::new();
    let mut given_area: Vec<Option<f64>> = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let Some(geom) = &f.geometry else { continue };
        let g = geo::Geometry::<f64>::try_from(&geom.value)
            .with_context(|| format!("{}: feature {i}", path.display()))?;
        let mp = match g {
            geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
            geo::Geometry::MultiPolygon(mp) => mp,
            _ => continue,
        };
        let prop = |k: &str| f.property(k).and_then(|v| v.as_str()).map(str::to_owned);
        let actor = prop("actor")
            .or_else(|| default_actor.map(str::to_owned))
            .with_context(|| {
                format!(
                    "{}: feature {i} has no `actor` property; pass --actor",
                    path.display()
                )
            })?;
        let status = prop("status").unwrap_or_else(|| "held".into());
        let confidence = f.property("confidence").and_then(|v| v.as_f64());
        let area = f.property("area_km2").and_then(|v| v.as_f64());
        let idx = match layers.iter().position(|l| l.id == actor) {
            Some(i) => i,
            None => {
                let (name, colour) = actor_style(&actor);
                layers.push(ActorLayer::held(
                    &actor,
                    &name,
                    colour,
                    0.0,
                    MultiPolygon(vec![]),
                ));
                given_area.push(Some(0.0));
                layers.len() - 1
            }
        };
        let l = &mut layers[idx];
        given_area[idx] = match (given_area[idx], area) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
        let target = match status.as_str() {
            "contested" | "shared" => &mut l.contested,
            "besieged" => &mut l.besieged,
            "stale" | "low_confidence" => &mut l.low_confidence,
            "held" if confidence.is_some_and(|c| c < 0.5) => &mut l.low_confidence,
            "held" => &mut l.held,
            other => bail!("{}: feature {i}: unknown status {other:?}", path.display()),
        };
        target.0.extend(mp.0);
    }
    for (l, given) in layers.iter_mut().zip(given_area) {
        l.area_km2 = match given {
            Some(a) => a,
            None => [&l.held, &l.contested, &l.besieged, &l.low_confidence]
                .iter()
                .map(|m| geodesic_km2(m))
                .sum(),
        };
    }
    Ok(layers)
}

/// Gains, losses and kept ground per actor between two sets of layers.
pub fn change_layers(before: &[ActorLayer], after: &[ActorLayer]) -> Vec<ChangeLayer> {
    let all = |l: &ActorLayer| {
        let mut mp = l.held.clone();
        for m in [&l.contested, &l.besieged, &l.low_confidence] {
            mp.0.extend(m.0.iter().cloned());
        }
        mp
    };
    let empty = MultiPolygon::<f64>(vec![]);
    let mut ids: Vec<&ActorLayer> = Vec::new();
    for l in before.iter().chain(after) {
        if !ids.iter().any(|x| x.id == l.id) {
            ids.push(l);
        }
    }
    ids.into_iter()
        .map(|proto| {
            let a = before
                .iter()
                .find(|l| l.id == proto.id)
                .map(all)
                .unwrap_or_else(|| empty.clone());
            let b = after
                .iter()
                .find(|l| l.id == proto.id)
                .map(all)
                .unwrap_or_else(|| empty.clone());
            let gained = b.difference(&a);
            let lost = a.difference(&b);
            let kept = a.intersection(&b);
            ChangeLayer {
                id: proto.id.clone(),
                name: proto.name.clone(),
                colour: proto.colour,
                gained_km2: geodesic_km2(&gained),
                lost_km2: geodesic_km2(&lost),
                gained,
                lost,
                kept,
            }
        })
        .collect()
}

/// A counter of one actor's km² for the time-lapse.
pub fn counter_for(layers: &[ActorLayer], actor: &str) -> Counter {
    let (name, colour) = actor_style(actor);
    Counter {
        label: format!("{name} holds"),
        value_km2: layers
            .iter()
            .filter(|l| l.id == actor)
            .map(|l| l.area_km2)
            .sum(),
        colour,
    }
}
