//! Page geometry: the margins and where each panel's caption and frame go.

use crate::render::scene::Rect;

use super::spec::MapSpec;

pub(super) const MARGIN: f32 = 20.0;
const GAP: f32 = 16.0;

/// Where each panel's caption baseline and frame go. Two panels go side by side or stacked,
/// whichever draws them larger.
pub(super) fn panel_frames(spec: &MapSpec, area: Rect) -> Vec<(Option<(f32, f32)>, Rect)> {
    if spec.panels.len() == 1 {
        return vec![(None, area)];
    }
    const CAPTION: f32 = 26.0;
    let scale_of = |fw: f32, fh: f32| {
        let c = ((spec.view.south + spec.view.north) / 2.0)
            .to_radians()
            .cos();
        ((fw as f64) / ((spec.view.east - spec.view.west) * c))
            .min(fh as f64 / (spec.view.north - spec.view.south))
    };
    let side_w = (area.w - GAP) / 2.0;
    let side = scale_of(side_w, area.h - CAPTION);
    let stack_h = (area.h - GAP) / 2.0 - CAPTION;
    let stack = scale_of(area.w, stack_h);
    if side >= stack {
        (0..2)
            .map(|i| {
                let x = area.x + i as f32 * (side_w + GAP);
                (
                    Some((x, area.y + 16.0)),
                    Rect::new(x, area.y + CAPTION, side_w, area.h - CAPTION),
                )
            })
            .collect()
    } else {
        (0..2)
            .map(|i| {
                let y = area.y + i as f32 * (stack_h + CAPTION + GAP);
                (
                    Some((area.x, y + 16.0)),
                    Rect::new(area.x, y + CAPTION, area.w, stack_h),
                )
            })
            .collect()
    }
}
