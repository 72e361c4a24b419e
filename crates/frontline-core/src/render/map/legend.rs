//! The shared legend under the panels: each actor with its km² (per panel, in panel order), then
//! the key to the uncertainty symbols (or, on a change map, to gained, lost and kept ground).

use crate::render::scene::{FillRule, Hatch, Paint, Path, Rect, Rgba, Scene};
use crate::render::text::{draw_text, Anchor, Fonts, TextStyle};

use super::spec::{MapSpec, PanelContent};
use super::style::{
    actor_hatch, fmt_int, loss_hatch, palette, LOW_CONFIDENCE_LIGHTEN, PALE_LIGHTEN,
};

/// What a legend swatch shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Swatch {
    Solid(Rgba),
    Hatched {
        background: Option<Rgba>,
        hatch: Hatch,
    },
    /// Unassessed land: left blank.
    Blank,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LegendEntry {
    pub swatch: Swatch,
    pub name: String,
    pub value: String,
    /// Starts a new legend row.
    pub row_break: bool,
}

/// The legend: actors with their km² (per panel, in panel order), then the key to the
/// uncertainty (or change) symbols.
pub fn legend_entries(spec: &MapSpec) -> Vec<LegendEntry> {
    let mut out = Vec::new();
    let grey = palette::KEY;
    let is_change = spec
        .panels
        .iter()
        .any(|p| matches!(p.content, PanelContent::Change(_)));
    if is_change {
        for p in &spec.panels {
            let PanelContent::Change(layers) = &p.content else {
                continue;
            };
            for l in layers {
                if l.gained_km2 <= 0.0 && l.lost_km2 <= 0.0 {
                    continue;
                }
                out.push(LegendEntry {
                    swatch: Swatch::Solid(l.colour),
                    name: l.name.clone(),
                    value: format!("+{} / –{} km²", fmt_int(l.gained_km2), fmt_int(l.lost_km2)),
                    row_break: false,
                });
            }
        }
        let key = [
            (Swatch::Solid(grey), "Gained"),
            (
                Swatch::Hatched {
                    background: None,
                    hatch: loss_hatch(grey),
                },
                "Lost",
            ),
            (
                Swatch::Solid(grey.lighten(PALE_LIGHTEN)),
                "Held on both dates",
            ),
            (Swatch::Blank, "Unassessed / no change"),
        ];
        for (i, (swatch, name)) in key.into_iter().enumerate() {
            out.push(LegendEntry {
                swatch,
                name: name.into(),
                value: String::new(),
                row_break: i == 0,
            });
        }
        return out;
    }
    // Actors in order of first appearance; an actor missing from a panel holds 0 km² there.
    let mut actors: Vec<(&str, &str, Rgba)> = Vec::new();
    for p in &spec.panels {
        if let PanelContent::Control(layers) = &p.content {
            for l in layers {
                if !actors.iter().any(|a| a.0 == l.id) {
                    actors.push((&l.id, &l.name, l.colour));
                }
            }
        }
    }
    for (id, name, colour) in actors {
        let areas: Vec<f64> = spec
            .panels
            .iter()
            .map(|p| match &p.content {
                PanelContent::Control(ls) => {
                    ls.iter().filter(|l| l.id == id).map(|l| l.area_km2).sum()
                }
                PanelContent::Change(_) => 0.0,
            })
            .collect();
        if areas.iter().all(|a| *a <= 0.0) {
            continue;
        }
        let value = areas
            .iter()
            .map(|a| fmt_int(*a))
            .collect::<Vec<_>>()
            .join(" km², then ")
            + " km²";
        out.push(LegendEntry {
            swatch: Swatch::Solid(colour),
            name: name.to_owned(),
            value,
            row_break: false,
        });
    }
    let key = [
        (
            Swatch::Hatched {
                background: Some(grey.lighten(PALE_LIGHTEN)),
                hatch: actor_hatch(grey, false),
            },
            "Contested",
        ),
        (
            Swatch::Hatched {
                background: Some(grey.lighten(PALE_LIGHTEN)),
                hatch: actor_hatch(grey, true),
            },
            "Besieged",
        ),
        (
            Swatch::Solid(grey.lighten(LOW_CONFIDENCE_LIGHTEN)),
            "Low confidence or stale (lightened)",
        ),
        (Swatch::Blank, "Unassessed (left blank)"),
    ];
    for (i, (swatch, name)) in key.into_iter().enumerate() {
        out.push(LegendEntry {
            swatch,
            name: name.into(),
            value: String::new(),
            row_break: i == 0,
        });
    }
    out
}

const SWATCH_W: f32 = 22.0;
const SWATCH_H: f32 = 13.0;
const ROW_H: f32 = 22.0;
const NAME: TextStyle = TextStyle::bold(12.5);
const VALUE: TextStyle = TextStyle::regular(12.5);

/// Positions of each entry (x, row) and the legend's height.
pub(super) fn layout_legend(
    fonts: &Fonts,
    entries: &[LegendEntry],
    width: f32,
) -> (Vec<(f32, usize)>, f32) {
    let mut pos = Vec::with_capacity(entries.len());
    let (mut x, mut row) = (0.0f32, 0usize);
    for (i, e) in entries.iter().enumerate() {
        let w = entry_width(fonts, e);
        if i > 0 && (e.row_break || x + w > width) {
            row += 1;
            x = 0.0;
        }
        pos.push((x, row));
        x += w + 22.0;
    }
    let rows = if entries.is_empty() { 0 } else { row + 1 };
    (pos, rows as f32 * ROW_H)
}

fn entry_width(fonts: &Fonts, e: &LegendEntry) -> f32 {
    let mut w = SWATCH_W + 7.0 + fonts.measure(&e.name, NAME);
    if !e.value.is_empty() {
        w += 6.0 + fonts.measure(&e.value, VALUE);
    }
    w
}

pub(super) fn draw_legend(
    scene: &mut Scene,
    fonts: &Fonts,
    entries: &[LegendEntry],
    x0: f32,
    y0: f32,
    width: f32,
) {
    let (pos, _) = layout_legend(fonts, entries, width);
    for (e, (x, row)) in entries.iter().zip(pos) {
        let x = x0 + x;
        let y = y0 + row as f32 * ROW_H;
        let sw = Rect::new(x, y + 3.0, SWATCH_W, SWATCH_H);
        match e.swatch {
            Swatch::Solid(c) => scene.rect(sw, c),
            Swatch::Hatched { background, hatch } => {
                if let Some(bg) = background {
                    scene.rect(sw, bg);
                }
                scene.fill_with(Path::rect(sw), Paint::Hatch(hatch), FillRule::EvenOdd);
            }
            Swatch::Blank => scene.rect(sw, palette::FOCUS_LAND),
        }
        scene.stroke(Path::rect(sw), palette::FRAME, 0.6);
        let tx = sw.right() + 7.0;
        let ty = y + 14.0;
        let name_box = draw_text(
            scene,
            fonts,
            &e.name,
            NAME,
            tx,
            ty,
            Anchor::Start,
            palette::INK,
            None,
        );
        if !e.value.is_empty() {
            draw_text(
                scene,
                fonts,
                &e.value,
                VALUE,
                name_box.right() + 6.0,
                ty,
                Anchor::Start,
                palette::GREY_TEXT,
                None,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::map::{ActorLayer, Panel};
    use crate::render::projection::GeoBox;
    use geo::MultiPolygon;

    #[test]
    fn the_legend_lists_each_actor_once_with_both_dates() {
        let sq = |x: f64| {
            MultiPolygon(vec![geo::Polygon::new(
                geo::LineString::from(vec![(x, 33.0), (x + 1.0, 33.0), (x + 1.0, 34.0), (x, 33.0)]),
                vec![],
            )])
        };
        let is = |a| ActorLayer::held("islamic-state", "Islamic State", Rgba::BLACK, a, sq(40.0));
        let gov = ActorLayer::held(
            "iraqi-government",
            "Iraqi government",
            Rgba::rgb(200, 0, 0),
            5.0,
            sq(44.0),
        );
        let spec = MapSpec {
            title: "t".into(),
            subtitle: None,
            width: 800.0,
            height: 600.0,
            view: GeoBox::SYRIA_IRAQ,
            focus: vec![],
            panels: vec![
                Panel {
                    caption: "a".into(),
                    content: PanelContent::Control(vec![is(78_000.0), gov]),
                },
                Panel {
                    caption: "b".into(),
                    content: PanelContent::Control(vec![is(23_000.4)]),
                },
            ],
            credit: "c".into(),
            counter: None,
        };
        let l = legend_entries(&spec);
        assert_eq!(l[0].name, "Islamic State");
        assert_eq!(l[0].value, "78,000 km², then 23,000 km²");
        assert_eq!(l[1].value, "5 km², then 0 km²");
        assert!(l.iter().any(|e| e.name == "Contested"));
        assert!(l.iter().any(|e| e.name.starts_with("Unassessed")));
    }
}
