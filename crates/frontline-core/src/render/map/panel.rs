//! One map panel: sea and land, the control (or change) layers, water and borders over them, then
//! the furniture and the labels, clipped to the panel's frame.

use crate::render::basemap::Basemap;
use crate::render::labels::Placer;
use crate::render::projection::Projection;
use crate::render::scene::{FillRule, Paint, Path, Rect, Scene};
use crate::render::text::Fonts;

use super::furniture::{draw_counter, draw_north_arrow, draw_scale_bar};
use super::labels::{place_cities, place_countries, place_rivers};
use super::paths::{lines_path, polygons_path};
use super::spec::{MapSpec, Panel, PanelContent};
use super::style::{actor_hatch, loss_hatch, palette, LOW_CONFIDENCE_LIGHTEN, PALE_LIGHTEN};

pub(super) fn draw_panel(
    scene: &mut Scene,
    fonts: &Fonts,
    spec: &MapSpec,
    base: &Basemap,
    panel: &Panel,
    frame: Rect,
) {
    let proj = Projection::fit(spec.view, frame);
    let vis = proj.visible();
    scene.clip(frame);
    scene.rect(frame, palette::SEA);
    let mut land = Path::new();
    let mut focus = Path::new();
    for c in &base.countries {
        if !c.bbox.intersects(&vis) {
            continue;
        }
        let target = if spec.focus.iter().any(|f| f == &c.name) {
            &mut focus
        } else {
            &mut land
        };
        target.extend(&polygons_path(&proj, &c.shape, &vis));
    }
    let mut coast = land.clone();
    coast.extend(&focus);
    scene.fill(land, palette::LAND);
    scene.fill(focus, palette::FOCUS_LAND);

    match &panel.content {
        PanelContent::Control(layers) => {
            for l in layers {
                let pale = l.colour.lighten(PALE_LIGHTEN);
                scene.fill(polygons_path(&proj, &l.held, &vis), l.colour);
                // Lightened, and outlined in the full colour so that the actor stays recognisable.
                let low = polygons_path(&proj, &l.low_confidence, &vis);
                scene.fill(low.clone(), l.colour.lighten(LOW_CONFIDENCE_LIGHTEN));
                scene.stroke(low, l.colour, 0.6);
                for (mp, cross) in [(&l.contested, false), (&l.besieged, true)] {
                    let p = polygons_path(&proj, mp, &vis);
                    if p.is_empty() {
                        continue;
                    }
                    scene.fill(p.clone(), pale);
                    scene.fill_with(
                        p,
                        Paint::Hatch(actor_hatch(l.colour, cross)),
                        FillRule::EvenOdd,
                    );
                }
            }
        }
        PanelContent::Change(layers) => {
            for l in layers {
                scene.fill(
                    polygons_path(&proj, &l.kept, &vis),
                    l.colour.lighten(PALE_LIGHTEN),
                );
            }
            for l in layers {
                scene.fill(polygons_path(&proj, &l.gained, &vis), l.colour);
            }
            // Losses on top, hatched, so the new holder's colour shows between the lines.
            for l in layers {
                let p = polygons_path(&proj, &l.lost, &vis);
                scene.fill_with(
                    p.clone(),
                    Paint::Hatch(loss_hatch(l.colour)),
                    FillRule::EvenOdd,
                );
                scene.stroke(p, l.colour, 0.8);
            }
        }
    }

    let lakes = polygons_path(&proj, &base.lakes, &vis);
    scene.fill(lakes.clone(), palette::SEA);
    scene.stroke(lakes, palette::COAST, 0.5);
    scene.stroke(coast, palette::COAST, 0.6);
    for r in &base.rivers {
        let width = if r.major { 1.3 } else { 0.7 };
        scene.stroke(lines_path(&proj, &r.lines, &vis), palette::RIVER, width);
    }
    scene.stroke_dashed(
        lines_path(&proj, &base.borders, &vis),
        palette::BORDER,
        0.9,
        None,
    );

    // Furniture first, so that labels keep clear of it.
    let mut placer = Placer::new(frame.inflate(-3.0));
    let scale_box = draw_scale_bar(scene, fonts, &proj, frame);
    placer.block(scale_box);
    let arrow_box = draw_north_arrow(scene, fonts, frame);
    placer.block(arrow_box);
    if let Some(c) = &spec.counter {
        placer.block(draw_counter(scene, fonts, c, frame));
    }
    place_cities(scene, fonts, &proj, &base.cities, &mut placer);
    place_rivers(scene, fonts, &proj, &base.rivers, &vis, &mut placer);
    place_countries(scene, fonts, &proj, base, spec, &vis, &mut placer);
    scene.end_clip();
    scene.stroke(Path::rect(frame), palette::FRAME, 0.8);
}
