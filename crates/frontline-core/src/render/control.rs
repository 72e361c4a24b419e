//! The glue from the engine's [`ControlMap`] to the renderer's plain [`ActorLayer`]s: dissolve
//! the cells into per-actor, per-status polygons (clipped to the region), split off the
//! low-confidence cells, and take each actor's km² from the map's area table (where a shared
//! cell counts half to each party), so the legend prints the same figures as `frontline area`.

use crate::control_map::{AreaTable, ControlFeature, ControlMap, DissolveOptions, MapError};
use crate::diff::{ChangeKind, MapDiff};
use crate::{Actor, ControlStatus};
use geo::{BooleanOps, MultiPolygon};

use super::map::{ActorLayer, ChangeLayer};
use super::scene::Rgba;

/// Cells with a confidence below this are drawn lightened ("low confidence or stale").
pub const LOW_CONFIDENCE_BELOW: f32 = 0.5;

/// One layer per actor holding ground on the map, largest first. Names and colours come from
/// `actors` (an actor missing there is drawn grey under its id). Shared cells are drawn hatched
/// with the contested ones.
pub fn layers_from_map(map: &ControlMap, actors: &[Actor]) -> Result<Vec<ActorLayer>, MapError> {
    let features = map.dissolve(&DissolveOptions {
        actor: None,
        clip: true,
        low_confidence_below: Some(LOW_CONFIDENCE_BELOW),
    })?;
    Ok(layers_from_features(&features, &map.areas(), actors))
}

/// The same layers from features already dissolved that way (clipped, low-confidence split at
/// [`LOW_CONFIDENCE_BELOW`]) and the map's area table: what a cached map is drawn from.
pub fn layers_from_features(
    features: &[ControlFeature],
    areas: &AreaTable,
    actors: &[Actor],
) -> Vec<ActorLayer> {
    let mut layers: Vec<ActorLayer> = Vec::new();
    for row in &areas.rows {
        let Some(id) = &row.actor else { continue };
        let (name, colour) = match actors.iter().find(|a| &a.id == id) {
            Some(a) => (a.name.clone(), Rgba::from(a.colour)),
            None => (id.to_string(), Rgba::rgb(120, 120, 120)),
        };
        let mut layer = ActorLayer::held(
            id.as_str(),
            &name,
            colour,
            row.area_km2,
            geo::MultiPolygon(vec![]),
        );
        for f in features.iter().filter(|f| &f.actor == id) {
            let target = match (f.status, f.low_confidence) {
                (ControlStatus::Besieged, _) => &mut layer.besieged,
                (ControlStatus::Contested | ControlStatus::Shared, _) => &mut layer.contested,
                (ControlStatus::Held, true) => &mut layer.low_confidence,
                (ControlStatus::Held, false) => &mut layer.held,
            };
            target.0.extend(f.geometry.0.iter().cloned());
        }
        layers.push(layer);
    }
    layers
}

/// The change map's layers from the core's diff of two maps: per actor, the ground gained and
/// lost (drawn clipped to `mask`; km² from the diff's table, so the legend prints what
/// `frontline diff` prints) and the ground held on both dates (pale context).
pub fn change_layers_from_diff(
    diff: &MapDiff,
    before: &[ControlFeature],
    after: &[ControlFeature],
    mask: &MultiPolygon<f64>,
    actors: &[Actor],
) -> Result<Vec<ChangeLayer>, MapError> {
    let polygons = diff.polygons()?;
    let mut out = Vec::new();
    for row in &diff.rows {
        let Some(id) = &row.actor else { continue };
        let pick = |kind: ChangeKind| {
            let mut mp = MultiPolygon(vec![]);
            for p in polygons
                .iter()
                .filter(|p| p.kind == kind && p.actor.as_ref() == Some(id))
            {
                mp.0.extend(p.geometry.intersection(mask).0);
            }
            mp
        };
        let held = |features: &[ControlFeature]| {
            MultiPolygon(
                features
                    .iter()
                    .filter(|f| &f.actor == id)
                    .flat_map(|f| f.geometry.0.iter().cloned())
                    .collect(),
            )
        };
        let (gained, lost) = (pick(ChangeKind::Gained), pick(ChangeKind::Lost));
        let kept = held(before).intersection(&held(after));
        if gained.0.is_empty() && lost.0.is_empty() && kept.0.is_empty() {
            continue;
        }
        let (name, colour) = match actors.iter().find(|a| &a.id == id) {
            Some(a) => (a.name.clone(), Rgba::from(a.colour)),
            None => (id.to_string(), Rgba::rgb(120, 120, 120)),
        };
        out.push(ChangeLayer {
            id: id.to_string(),
            name,
            colour,
            gained,
            lost,
            kept,
            gained_km2: row.gained_km2,
            lost_km2: row.lost_km2,
        });
    }
    Ok(out)
}
