//! Publication maps, charts and time-lapses, drawn in Rust without a browser.
//!
//! Pure like the rest of the core: plain data in ([`MapSpec`] with per-actor geometry, a
//! [`Basemap`] built from GeoJSON values, an [`AreaChart`]), PNG/SVG/GIF bytes out. Layout builds a
//! [`Scene`] (a display list in logical pixels); [`raster`] draws it with tiny-skia at any scale
//! (2 for print), [`svg`] writes it as SVG. Text is shaped by rustybuzz from the bundled Noto fonts
//! and drawn as outlines, so every output looks the same everywhere.
//!
//! Projection: equirectangular scaled by the cosine of the view's middle latitude (see
//! [`projection`]).

pub mod basemap;
pub mod chart;
pub mod control;
pub mod labels;
pub mod map;
pub mod projection;
pub mod raster;
pub mod scene;
pub mod svg;
pub mod text;
pub mod timelapse;

pub use basemap::{Basemap, City, Country, River};
pub use chart::{chart_scene, AreaChart, Series};
pub use control::{change_layers_from_diff, layers_from_features, layers_from_map};
pub use map::{map_scene, ActorLayer, ChangeLayer, Counter, MapSpec, Panel, PanelContent};
pub use projection::{GeoBox, Projection};
pub use raster::{decode_png, encode_png, rasterize, Image};
pub use scene::{Rgba, Scene};
pub use svg::to_svg;
pub use text::Fonts;
pub use timelapse::encode_gif;

/// Why an image could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("invalid image size: {0}")]
    InvalidSize(String),
    #[error("invalid map view (need west < east, south < north, |lat| ≤ 85): {0}")]
    InvalidView(String),
    #[error("a map has one or two panels, not {0}")]
    Panels(usize),
    #[error("{0}: {1}")]
    GeoJson(&'static str, String),
    #[error("a chart needs at least one series with two or more dated values")]
    EmptyChart,
    #[error("a time-lapse needs at least one frame, all of the same size")]
    Frames,
    #[error("PNG encoding failed")]
    Png(#[source] png::EncodingError),
    #[error("PNG decoding failed")]
    PngDecode(#[source] png::DecodingError),
    #[error("GIF encoding failed")]
    Gif(#[source] gif::EncodingError),
}

/// Output format, chosen from a file name's extension by the CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Png,
    Svg,
}

/// Encodes a scene: PNG at `scale` device pixels per logical pixel, or SVG (scale-free).
pub fn encode(scene: &Scene, format: Format, scale: f32) -> Result<Vec<u8>, RenderError> {
    match format {
        Format::Png => encode_png(&rasterize(scene, scale)?, scale),
        Format::Svg => Ok(to_svg(scene).into_bytes()),
    }
}
