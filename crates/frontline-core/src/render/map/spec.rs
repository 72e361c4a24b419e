//! What one map image shows, as plain data: per-actor geometry for one or two dated panels (or a
//! change map), the title, the credit line and the optional area counter.
//!
//! Control layers carry plain geometry (`ActorLayer`), not the engine's types, so the renderer can
//! draw any per-actor polygons: the engine's `ControlMap`, a DeepStateMap polygon, a GeoJSON file.

use geo::MultiPolygon;

use crate::render::projection::GeoBox;
use crate::render::scene::Rgba;

/// One actor's territory on one date, split by how it is held.
#[derive(Debug, Clone, PartialEq)]
pub struct ActorLayer {
    pub id: String,
    pub name: String,
    pub colour: Rgba,
    /// The actor's total geodesic area on the date (all four parts), km².
    pub area_km2: f64,
    pub held: MultiPolygon<f64>,
    pub contested: MultiPolygon<f64>,
    pub besieged: MultiPolygon<f64>,
    /// Held, but with low confidence or from stale observations: drawn lightened.
    pub low_confidence: MultiPolygon<f64>,
}

impl ActorLayer {
    /// A layer whose whole area is plainly held.
    pub fn held(
        id: &str,
        name: &str,
        colour: Rgba,
        area_km2: f64,
        held: MultiPolygon<f64>,
    ) -> Self {
        Self {
            id: id.to_owned(),
            name: name.to_owned(),
            colour,
            area_km2,
            held,
            contested: MultiPolygon(vec![]),
            besieged: MultiPolygon(vec![]),
            low_confidence: MultiPolygon(vec![]),
        }
    }
}

/// One actor's change between two dates.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeLayer {
    pub id: String,
    pub name: String,
    pub colour: Rgba,
    pub gained: MultiPolygon<f64>,
    pub lost: MultiPolygon<f64>,
    /// Held on both dates (drawn pale, for context).
    pub kept: MultiPolygon<f64>,
    pub gained_km2: f64,
    pub lost_km2: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PanelContent {
    Control(Vec<ActorLayer>),
    Change(Vec<ChangeLayer>),
}

/// One map frame; with two panels each is captioned (with its date).
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    pub caption: String,
    pub content: PanelContent,
}

/// A big running figure in the map's corner (the time-lapse's area counter).
#[derive(Debug, Clone, PartialEq)]
pub struct Counter {
    pub label: String,
    pub value_km2: f64,
    pub colour: Rgba,
}

/// Everything one map image shows.
#[derive(Debug, Clone, PartialEq)]
pub struct MapSpec {
    pub title: String,
    pub subtitle: Option<String>,
    /// Size in logical pixels (the PNG has `scale` times as many).
    pub width: f32,
    pub height: f32,
    pub view: GeoBox,
    /// Names of the countries the map is about: drawn as blank paper, the rest as grey land.
    pub focus: Vec<String>,
    pub panels: Vec<Panel>,
    /// Sources, always printed at the foot.
    pub credit: String,
    pub counter: Option<Counter>,
}
