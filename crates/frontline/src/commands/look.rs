//! How the rendering commands (`map`, `timelapse`, `chart`) look: the view (`--view`, the area
//! shown — not `--region`, which everywhere names the estimated region), size, titles and
//! credits; the output format from the file name; actors' display names and colours for files
//! that carry none; dates as captions.

use std::path::Path;

use anyhow::{bail, Context};
use chrono::NaiveDate;
use frontline_core::render::{
    self, map_scene, ActorLayer, Counter, Fonts, Format, GeoBox, MapSpec, Rgba,
};

use frontline::basemap;

/// The options every rendering command shares.
#[derive(Debug, Clone, clap::Args)]
pub struct LookArgs {
    /// Area shown: syria-iraq, syria, iraq, mosul, raqqa, ukraine, donbas, or WEST,SOUTH,EAST,NORTH.
    #[arg(long, default_value = "syria-iraq")]
    pub view: String,
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
pub struct View {
    pub view: GeoBox,
    pub ukraine: bool,
}

impl LookArgs {
    pub fn view(&self) -> anyhow::Result<View> {
        let me = |view| View {
            view,
            ukraine: false,
        };
        let uk = |view| View {
            view,
            ukraine: true,
        };
        Ok(match self.view.as_str() {
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
                        format!("--view {other}: not a region name or WEST,SOUTH,EAST,NORTH")
                    })?;
                let [w, s, e, n] = v[..] else {
                    bail!("--view {other}: expected four numbers WEST,SOUTH,EAST,NORTH");
                };
                let view = GeoBox::new(w, s, e, n);
                if !view.is_valid() {
                    bail!("--view {other}: need west < east and south < north");
                }
                // The Ukraine base map covers 20–42° E north of 44° N.
                View {
                    view,
                    ukraine: s > 43.0 && w > 18.0 && e < 45.0,
                }
            }
        })
    }

    pub fn basemap(&self, region: &View) -> anyhow::Result<render::Basemap> {
        if region.ukraine {
            basemap::ukraine()
        } else {
            basemap::middle_east()
        }
    }

    pub fn focus(&self, region: &View) -> Vec<String> {
        if region.ukraine {
            vec!["Ukraine".into()]
        } else {
            vec!["Syria".into(), "Iraq".into()]
        }
    }

    pub fn base_credit(&self, region: &View) -> String {
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
    pub fn height_for(&self, region: &View, panels: usize) -> f32 {
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

/// "1 February 2016".
pub fn long_date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}
