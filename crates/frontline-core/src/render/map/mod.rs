//! Map layout: the title, one or two dated map panels (or a change map), the shared legend with
//! each actor's km², the scale bar, the north arrow and the credit line, composed into a [`Scene`].
//!
//! [`map_scene`] is the entry point; the parts live beside it: `spec` (what a map shows),
//! `layout` (page geometry), `panel` (one map frame), `furniture` (title, credits, scale bar,
//! north arrow, counter), `labels` (city, river and country names), `legend`, `paths`
//! (geometry to projected paths) and `style` (palette, hatching, number formats).

mod furniture;
mod labels;
mod layout;
mod legend;
mod panel;
mod paths;
mod spec;
mod style;

use super::basemap::Basemap;
use super::scene::{Rect, Scene};
use super::text::{draw_text, Anchor, Fonts, TextStyle};
use super::RenderError;

pub use legend::{legend_entries, LegendEntry, Swatch};
pub use spec::{ActorLayer, ChangeLayer, Counter, MapSpec, Panel, PanelContent};
pub use style::{fmt_int, palette, LOW_CONFIDENCE_LIGHTEN, PALE_LIGHTEN};

use furniture::{draw_credits, draw_header};
use layout::{panel_frames, MARGIN};
use legend::{draw_legend, layout_legend};
use panel::draw_panel;

/// Lays out the whole map image.
pub fn map_scene(spec: &MapSpec, base: &Basemap, fonts: &Fonts) -> Result<Scene, RenderError> {
    if !(spec.width >= 200.0
        && spec.height >= 150.0
        && spec.width.is_finite()
        && spec.height.is_finite())
    {
        return Err(RenderError::InvalidSize(format!(
            "{}×{}",
            spec.width, spec.height
        )));
    }
    if !spec.view.is_valid() {
        return Err(RenderError::InvalidView(format!("{:?}", spec.view)));
    }
    if spec.panels.is_empty() || spec.panels.len() > 2 {
        return Err(RenderError::Panels(spec.panels.len()));
    }
    let (w, h) = (spec.width, spec.height);
    let mut scene = Scene::new(w, h);
    scene.rect(Rect::new(0.0, 0.0, w, h), palette::PAPER);

    let top = draw_header(&mut scene, fonts, spec);

    // Footer: credit lines, then the legend above them.
    let credit_top = draw_credits(&mut scene, fonts, &spec.credit, w, h);
    let legend = legend_entries(spec);
    let legend_h = layout_legend(fonts, &legend, w - 2.0 * MARGIN).1;
    let legend_top = credit_top - 10.0 - legend_h;
    draw_legend(
        &mut scene,
        fonts,
        &legend,
        MARGIN,
        legend_top,
        w - 2.0 * MARGIN,
    );

    // Panels.
    let area = Rect::new(MARGIN, top, w - 2.0 * MARGIN, legend_top - 12.0 - top);
    if area.h < 60.0 || area.w < 60.0 {
        return Err(RenderError::InvalidSize(format!(
            "{w}×{h} leaves no room for the map under the title and legend"
        )));
    }
    let frames = panel_frames(spec, area);
    for (panel, (caption_at, frame)) in spec.panels.iter().zip(frames) {
        if let Some((cx, cy)) = caption_at {
            draw_text(
                &mut scene,
                fonts,
                &panel.caption,
                TextStyle::bold(16.0),
                cx,
                cy,
                Anchor::Start,
                palette::INK,
                None,
            );
        }
        draw_panel(&mut scene, fonts, spec, base, panel, frame);
    }
    Ok(scene)
}
