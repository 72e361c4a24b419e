//! Map layout: the title, one or two dated map panels (or a change map), the shared legend with
//! each actor's km², the scale bar, the north arrow and the credit line, composed into a [`Scene`].
//!
//! Control layers carry plain geometry (`ActorLayer`), not the engine's types, so the renderer can
//! draw any per-actor polygons: the engine's `ControlMap`, a DeepStateMap polygon, a GeoJSON file.

use geo::{BoundingRect, Contains, Coord, MultiPolygon, Point};

use super::basemap::{Basemap, City, River};
use super::labels::Placer;
use super::projection::{GeoBox, Projection};
use super::scene::{FillRule, Hatch, Paint, Path, Rect, Rgba, Scene};
use super::text::{draw_label, draw_text, layout, Anchor, Fonts, Halo, TextStyle};
use super::RenderError;

/// The palette: muted land and sea so that actor colours carry the map.
pub mod palette {
    use super::Rgba;
    pub const PAPER: Rgba = Rgba::rgb(255, 255, 255);
    pub const SEA: Rgba = Rgba::rgb(214, 228, 238);
    pub const LAND: Rgba = Rgba::rgb(233, 230, 223);
    /// The subject countries: near-white, so that unassessed land reads as blank.
    pub const FOCUS_LAND: Rgba = Rgba::rgb(253, 252, 249);
    pub const RIVER: Rgba = Rgba::rgb(120, 164, 198);
    pub const RIVER_TEXT: Rgba = Rgba::rgb(52, 104, 150);
    pub const BORDER: Rgba = Rgba::rgb(120, 120, 120);
    pub const COAST: Rgba = Rgba::rgb(150, 176, 196);
    pub const INK: Rgba = Rgba::rgb(26, 26, 26);
    pub const GREY_TEXT: Rgba = Rgba::rgb(96, 96, 96);
    pub const ARABIC_TEXT: Rgba = Rgba::rgb(58, 58, 58);
    pub const COUNTRY_TEXT: Rgba = Rgba::rgb(128, 120, 108);
    pub const FRAME: Rgba = Rgba::rgb(110, 110, 110);
    /// Hatching and swatches of the uncertainty key.
    pub const KEY: Rgba = Rgba::rgb(90, 90, 90);
}

/// How much white is mixed into an actor's colour for low-confidence or stale areas.
pub const LOW_CONFIDENCE_LIGHTEN: f32 = 0.55;
/// The pale background under contested/besieged hatching and under "held on both dates".
pub const PALE_LIGHTEN: f32 = 0.78;

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

const MARGIN: f32 = 20.0;
const GAP: f32 = 16.0;

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

    // Header.
    let mut y = MARGIN + 24.0;
    draw_text(
        &mut scene,
        fonts,
        &spec.title,
        TextStyle::bold(24.0),
        MARGIN,
        y,
        Anchor::Start,
        palette::INK,
        None,
    );
    if let Some(sub) = &spec.subtitle {
        y += 23.0;
        draw_text(
            &mut scene,
            fonts,
            sub,
            TextStyle::regular(14.5),
            MARGIN,
            y,
            Anchor::Start,
            palette::GREY_TEXT,
            None,
        );
    }
    let top = y + 14.0;

    // Footer: credit lines, then the legend above them.
    let credit_style = TextStyle::regular(10.0);
    let credit_lines = wrap(fonts, &spec.credit, credit_style, w - 2.0 * MARGIN);
    let mut cy = h - MARGIN + 6.0 - 13.0 * (credit_lines.len() as f32 - 1.0);
    let credit_top = cy - 10.0;
    for line in &credit_lines {
        draw_text(
            &mut scene,
            fonts,
            line,
            credit_style,
            MARGIN,
            cy,
            Anchor::Start,
            palette::GREY_TEXT,
            None,
        );
        cy += 13.0;
    }
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

/// Where each panel's caption baseline and frame go. Two panels go side by side or stacked,
/// whichever draws them larger.
fn panel_frames(spec: &MapSpec, area: Rect) -> Vec<(Option<(f32, f32)>, Rect)> {
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

fn draw_panel(
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
                scene.fill(
                    polygons_path(&proj, &l.low_confidence, &vis),
                    l.colour.lighten(LOW_CONFIDENCE_LIGHTEN),
                );
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

fn actor_hatch(colour: Rgba, cross: bool) -> Hatch {
    Hatch {
        colour,
        spacing: if cross { 8.0 } else { 7.0 },
        width: if cross { 1.0 } else { 1.2 },
        cross,
    }
}

fn loss_hatch(colour: Rgba) -> Hatch {
    Hatch {
        colour,
        spacing: 5.0,
        width: 1.5,
        cross: false,
    }
}

/// Points closer than this (logical px) to the previous one are skipped: invisible detail.
const DECIMATE_PX: f32 = 0.35;

fn ring_into(path: &mut Path, proj: &Projection, ring: &geo::LineString<f64>, closed: bool) {
    let mut last: Option<(f32, f32)> = None;
    let n = ring.0.len();
    for (i, c) in ring.0.iter().enumerate() {
        let (x, y) = proj.project_coord(*c);
        match last {
            None => path.move_to(x, y),
            Some((lx, ly)) => {
                if (x - lx).abs() < DECIMATE_PX && (y - ly).abs() < DECIMATE_PX && i + 1 != n {
                    continue;
                }
                path.line_to(x, y);
            }
        }
        last = Some((x, y));
    }
    if closed && last.is_some() {
        path.close();
    }
}

/// The projected outline of every polygon that reaches into the visible box.
pub(crate) fn polygons_path(proj: &Projection, mp: &MultiPolygon<f64>, vis: &GeoBox) -> Path {
    let mut path = Path::new();
    for poly in &mp.0 {
        let Some(r) = poly.exterior().bounding_rect() else {
            continue;
        };
        if !vis.intersects(&GeoBox::new(r.min().x, r.min().y, r.max().x, r.max().y)) {
            continue;
        }
        ring_into(&mut path, proj, poly.exterior(), true);
        for hole in poly.interiors() {
            ring_into(&mut path, proj, hole, true);
        }
    }
    path
}

fn lines_path(proj: &Projection, ml: &geo::MultiLineString<f64>, vis: &GeoBox) -> Path {
    let mut path = Path::new();
    for l in &ml.0 {
        let Some(r) = l.bounding_rect() else { continue };
        if !vis.intersects(&GeoBox::new(r.min().x, r.min().y, r.max().x, r.max().y)) {
            continue;
        }
        ring_into(&mut path, proj, l, false);
    }
    path
}

/// A scale bar geodesically true at the map's middle latitude, in its own white box.
fn draw_scale_bar(scene: &mut Scene, fonts: &Fonts, proj: &Projection, frame: Rect) -> Rect {
    let km_per_px = proj.km_per_px();
    let max_px = (frame.w * 0.25).max(100.0) as f64;
    const NICE: [f64; 14] = [
        1., 2., 5., 10., 20., 25., 50., 100., 150., 200., 250., 300., 500., 1000.,
    ];
    let km = NICE
        .iter()
        .rev()
        .copied()
        .find(|k| k / km_per_px <= max_px)
        .unwrap_or(1.0);
    let len = (km / km_per_px) as f32;
    let style = TextStyle::regular(10.0);
    let label = format!("{} km", fmt_int(km));
    let label_w = fonts.measure(&label, style);
    let box_w = len + label_w / 2.0 + 22.0;
    let b = Rect::new(frame.x + 8.0, frame.bottom() - 38.0, box_w.max(70.0), 30.0);
    scene.rect(b, Rgba::WHITE.with_alpha(215));
    let x0 = b.x + 8.0;
    let y0 = b.y + 7.0;
    let half = len / 2.0;
    scene.rect(Rect::new(x0, y0, half, 4.0), palette::INK);
    scene.rect(Rect::new(x0 + half, y0, half, 4.0), Rgba::WHITE);
    scene.stroke(Path::rect(Rect::new(x0, y0, len, 4.0)), palette::INK, 0.8);
    let ty = y0 + 17.0;
    draw_text(
        scene,
        fonts,
        "0",
        style,
        x0,
        ty,
        Anchor::Middle,
        palette::INK,
        None,
    );
    // The middle figure only where it clears the two others.
    let mid = fmt_km(km / 2.0);
    let mid_w = fonts.measure(&mid, style);
    if half - mid_w / 2.0 - label_w / 2.0 > 6.0 {
        draw_text(
            scene,
            fonts,
            &mid,
            style,
            x0 + half,
            ty,
            Anchor::Middle,
            palette::INK,
            None,
        );
    }
    draw_text(
        scene,
        fonts,
        &label,
        style,
        x0 + len,
        ty,
        Anchor::Middle,
        palette::INK,
        None,
    );
    b
}

fn draw_north_arrow(scene: &mut Scene, fonts: &Fonts, frame: Rect) -> Rect {
    let cx = frame.right() - 22.0;
    let top = frame.y + 10.0;
    let b = Rect::new(cx - 12.0, top, 24.0, 40.0);
    scene.rect(b, Rgba::WHITE.with_alpha(215));
    draw_text(
        scene,
        fonts,
        "N",
        TextStyle::bold(11.0),
        cx,
        top + 13.0,
        Anchor::Middle,
        palette::INK,
        None,
    );
    let (tip, base_y, notch) = (top + 16.0, top + 36.0, top + 31.0);
    let mut left = Path::new();
    left.move_to(cx, tip);
    left.line_to(cx - 6.5, base_y);
    left.line_to(cx, notch);
    left.close();
    let mut right = Path::new();
    right.move_to(cx, tip);
    right.line_to(cx + 6.5, base_y);
    right.line_to(cx, notch);
    right.close();
    scene.fill(left, palette::INK);
    scene.fill(right.clone(), Rgba::WHITE);
    scene.stroke(right, palette::INK, 0.8);
    b
}

fn draw_counter(scene: &mut Scene, fonts: &Fonts, c: &Counter, frame: Rect) -> Rect {
    let label_style = TextStyle::regular(13.0);
    let value_style = TextStyle::bold(24.0);
    let value = format!("{} km²", fmt_int(c.value_km2));
    let w = fonts
        .measure(&c.label, label_style)
        .max(fonts.measure(&value, value_style))
        + 20.0;
    let b = Rect::new(frame.x + 8.0, frame.y + 8.0, w, 56.0);
    scene.rect(b, Rgba::WHITE.with_alpha(225));
    let ink = if c.colour.luminance() > 0.6 {
        palette::INK
    } else {
        c.colour
    };
    draw_text(
        scene,
        fonts,
        &c.label,
        label_style,
        b.x + 10.0,
        b.y + 18.0,
        Anchor::Start,
        palette::GREY_TEXT,
        None,
    );
    draw_text(
        scene,
        fonts,
        &value,
        value_style,
        b.x + 10.0,
        b.y + 45.0,
        Anchor::Start,
        ink,
        None,
    );
    b
}

const HALO: Halo = Halo {
    colour: Rgba::WHITE,
    width: 3.2,
};

fn place_cities(
    scene: &mut Scene,
    fonts: &Fonts,
    proj: &Projection,
    cities: &[City],
    placer: &mut Placer,
) {
    let mut order: Vec<&City> = cities.iter().collect();
    order.sort_by(|a, b| {
        b.priority()
            .cmp(&a.priority())
            .then_with(|| a.name.cmp(&b.name))
    });
    let frame = proj.frame();
    for city in order {
        let (x, y) = proj.project(city.lon, city.lat);
        if !frame
            .inflate(-4.0)
            .contains(&Rect::new(x - 1.0, y - 1.0, 2.0, 2.0))
        {
            continue;
        }
        let r = if city.capital { 3.6 } else { 2.7 };
        let dot = Rect::new(x - r - 1.0, y - r - 1.0, 2.0 * r + 2.0, 2.0 * r + 2.0);
        let style = if city.capital {
            TextStyle::bold(13.0)
        } else {
            TextStyle::regular(12.0)
        };
        let ar_style = TextStyle::regular(11.0);
        let latin = fonts.shape(&city.name, style);
        let arabic = city.name_ar.as_ref().map(|a| fonts.shape(a, ar_style));
        // Candidate positions of the text block's left-top corner, relative to the dot:
        // right, left, above right, below right, above left, below left, above, below.
        let cap = style.size * 0.72;
        let block_h = cap + arabic.as_ref().map_or(0.0, |_| ar_style.size * 1.35);
        let mut found = None;
        'outer: for with_ar in [true, false] {
            if with_ar && arabic.is_none() {
                continue;
            }
            let ar_w = if with_ar {
                arabic.as_ref().map_or(0.0, |a| a.width)
            } else {
                0.0
            };
            let bw = latin.width.max(ar_w);
            let bh = if with_ar { block_h } else { cap };
            let d = r + 3.0;
            let candidates = [
                (x + d, y - cap / 2.0 - 1.0),
                (x - d - bw, y - cap / 2.0 - 1.0),
                (x + d - 2.0, y - d - bh + 1.0),
                (x + d - 2.0, y + d - 1.0),
                (x - d - bw + 2.0, y - d - bh + 1.0),
                (x - d - bw + 2.0, y + d - 1.0),
                (x - bw / 2.0, y - d - bh - 1.0),
                (x - bw / 2.0, y + d + 1.0),
            ];
            let groups: Vec<Vec<Rect>> = candidates
                .iter()
                .map(|&(bx, by)| vec![dot, Rect::new(bx, by, bw, bh).inflate(2.0)])
                .collect();
            if let Some(i) = placer.place(&groups) {
                found = Some((candidates[i], bw, with_ar));
                break 'outer;
            }
        }
        let Some(((bx, by), bw, with_ar)) = found else {
            continue;
        };
        // Centre the lines on each other within the block when it sits left or right of the dot.
        let align = |w: f32| {
            if bx + bw / 2.0 < x - 1.0 {
                bx + bw - w
            } else if bx > x {
                bx
            } else {
                bx + (bw - w) / 2.0
            }
        };
        let mut l = latin.clone();
        let lx = align(latin.width);
        l.path.transform(1.0, 0.0, 0.0, 1.0, lx, by + cap);
        let label = super::text::Label {
            path: l.path,
            bbox: Rect::new(lx, by, latin.width, cap),
        };
        draw_label(scene, &label, palette::INK, Some(HALO));
        if with_ar {
            if let Some(a) = &arabic {
                let mut p = a.path.clone();
                p.transform(1.0, 0.0, 0.0, 1.0, align(a.width), by + block_h - 1.0);
                let label = super::text::Label {
                    path: p,
                    bbox: Rect::new(align(a.width), by + cap, a.width, block_h - cap),
                };
                draw_label(scene, &label, palette::ARABIC_TEXT, Some(HALO));
            }
        }
        let (fill, ring) = if city.capital {
            (Rgba::WHITE, palette::INK)
        } else {
            (palette::INK, Rgba::WHITE)
        };
        scene.fill(Path::circle(x, y, r), fill);
        scene.stroke(
            Path::circle(x, y, r),
            ring,
            if city.capital { 1.6 } else { 1.0 },
        );
        if city.capital {
            scene.fill(Path::circle(x, y, 1.5), palette::INK);
        }
    }
}

/// River names set along the river, upright, on its straightest visible stretch.
fn place_rivers(
    scene: &mut Scene,
    fonts: &Fonts,
    proj: &Projection,
    rivers: &[River],
    vis: &GeoBox,
    placer: &mut Placer,
) {
    let style = TextStyle::regular(11.5).tracked(0.8);
    let mut names: Vec<&str> = rivers
        .iter()
        .filter(|r| r.labelled)
        .map(|r| r.name.as_str())
        .collect();
    names.dedup();
    names.sort_unstable();
    names.dedup();
    let frame = proj.frame();
    for name in names {
        // The longest visible projected polyline of this river.
        let mut best: Vec<(f32, f32)> = Vec::new();
        let mut best_len = 0.0;
        for r in rivers.iter().filter(|r| r.name == name) {
            for l in &r.lines.0 {
                let Some(b) = l.bounding_rect() else { continue };
                if !vis.intersects(&GeoBox::new(b.min().x, b.min().y, b.max().x, b.max().y)) {
                    continue;
                }
                let pts: Vec<(f32, f32)> =
                    l.0.iter()
                        .map(|c| proj.project_coord(*c))
                        .filter(|&(x, y)| frame.contains(&Rect::new(x, y, 0.0, 0.0)))
                        .collect();
                let len = polyline_len(&pts);
                if len > best_len {
                    best_len = len;
                    best = pts;
                }
            }
        }
        let shaped = fonts.shape(name, style);
        let w = shaped.width;
        if best_len < w * 1.6 {
            continue;
        }
        // Middle first, then outwards in 4 % steps.
        let fractions = (0..=10).flat_map(|i| {
            let d = i as f32 * 0.04;
            [0.5 - d, 0.5 + d]
        });
        for f in fractions {
            let s = best_len * f;
            let (Some(a), Some(m), Some(b)) = (
                point_at(&best, s - w / 2.0),
                point_at(&best, s),
                point_at(&best, s + w / 2.0),
            ) else {
                continue;
            };
            let chord = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
            if chord < 0.8 * w {
                continue; // too curved here for straight text
            }
            let mut ang = (b.1 - a.1).atan2(b.0 - a.0);
            if ang.abs() > std::f32::consts::FRAC_PI_2 {
                ang += std::f32::consts::PI;
            }
            let (sin, cos) = ang.sin_cos();
            // Text centred on the point, its baseline 4 px above the line.
            let mut p = shaped.path.clone();
            p.transform(1.0, 0.0, 0.0, 1.0, -w / 2.0, -4.0);
            p.transform(cos, sin, -sin, cos, m.0, m.1);
            let corners = [
                (-w / 2.0, -4.0 - style.size * 0.75),
                (w / 2.0, -4.0 - style.size * 0.75),
                (-w / 2.0, -2.0),
                (w / 2.0, -2.0),
            ]
            .map(|(x, y)| (m.0 + x * cos - y * sin, m.1 + x * sin + y * cos));
            let (x0, x1) = corners
                .iter()
                .fold((f32::MAX, f32::MIN), |(a, b), c| (a.min(c.0), b.max(c.0)));
            let (y0, y1) = corners
                .iter()
                .fold((f32::MAX, f32::MIN), |(a, b), c| (a.min(c.1), b.max(c.1)));
            let bbox = Rect::new(x0, y0, x1 - x0, y1 - y0);
            if placer.place(&[vec![bbox]]).is_some() {
                let label = super::text::Label { path: p, bbox };
                draw_label(scene, &label, palette::RIVER_TEXT, Some(HALO));
                break;
            }
        }
    }
}

fn polyline_len(pts: &[(f32, f32)]) -> f32 {
    pts.windows(2)
        .map(|w| ((w[1].0 - w[0].0).powi(2) + (w[1].1 - w[0].1).powi(2)).sqrt())
        .sum()
}

fn point_at(pts: &[(f32, f32)], s: f32) -> Option<(f32, f32)> {
    if s < 0.0 {
        return None;
    }
    let mut acc = 0.0;
    for w in pts.windows(2) {
        let d = ((w[1].0 - w[0].0).powi(2) + (w[1].1 - w[0].1).powi(2)).sqrt();
        if acc + d >= s && d > 0.0 {
            let t = (s - acc) / d;
            return Some((
                w[0].0 + (w[1].0 - w[0].0) * t,
                w[0].1 + (w[1].1 - w[0].1) * t,
            ));
        }
        acc += d;
    }
    None
}

/// Country names in spaced capitals, inside the visible part of the country, where they fit.
fn place_countries(
    scene: &mut Scene,
    fonts: &Fonts,
    proj: &Projection,
    base: &Basemap,
    spec: &MapSpec,
    vis: &GeoBox,
    placer: &mut Placer,
) {
    for c in &base.countries {
        if !c.bbox.intersects(vis) || c.name.is_empty() {
            continue;
        }
        let focus = spec.focus.iter().any(|f| f == &c.name);
        let text = c.name.to_uppercase();
        let styles = if focus {
            [
                TextStyle::bold(15.0).tracked(3.0),
                TextStyle::bold(12.0).tracked(2.0),
            ]
        } else {
            [
                TextStyle::regular(12.5).tracked(2.5),
                TextStyle::regular(10.5).tracked(1.5),
            ]
        };
        // Sample the visible part of the country's box on a grid; candidates are the inside
        // points, nearest to the middle of the visible part first.
        let west = c.bbox.west.max(vis.west);
        let east = c.bbox.east.min(vis.east);
        let south = c.bbox.south.max(vis.south);
        let north = c.bbox.north.min(vis.north);
        if west >= east || south >= north {
            continue;
        }
        const N: usize = 14;
        let mut inside = Vec::new();
        for i in 0..N {
            for j in 0..N {
                let lon = west + (east - west) * (i as f64 + 0.5) / N as f64;
                let lat = south + (north - south) * (j as f64 + 0.5) / N as f64;
                if c.shape.contains(&Point::new(lon, lat)) {
                    inside.push(Coord { x: lon, y: lat });
                }
            }
        }
        if inside.is_empty() {
            continue;
        }
        let n = inside.len() as f64;
        let mid = inside.iter().fold(Coord { x: 0.0, y: 0.0 }, |a, c| Coord {
            x: a.x + c.x / n,
            y: a.y + c.y / n,
        });
        inside.sort_by(|a, b| {
            let da = (a.x - mid.x).powi(2) + (a.y - mid.y).powi(2);
            let db = (b.x - mid.x).powi(2) + (b.y - mid.y).powi(2);
            da.total_cmp(&db)
        });
        'styles: for style in styles {
            let shaped = fonts.shape(&text, style);
            let cap = style.size * 0.72;
            for p in inside.iter().take(40) {
                let (x, y) = proj.project_coord(*p);
                let b = Rect::new(x - shaped.width / 2.0, y - cap / 2.0, shaped.width, cap);
                // The whole label must lie over the country (its corners inside it).
                let corners_inside = [
                    (b.x, b.y),
                    (b.right(), b.y),
                    (b.x, b.bottom()),
                    (b.right(), b.bottom()),
                ]
                .iter()
                .all(|&(cx, cy)| {
                    let (lon, lat) = proj.unproject(cx, cy);
                    c.shape.contains(&Point::new(lon, lat))
                });
                if !corners_inside {
                    continue;
                }
                if placer.place(&[vec![b.inflate(3.0)]]).is_some() {
                    let label = layout(fonts, &text, style, b.x, b.bottom(), Anchor::Start);
                    let colour = if focus {
                        palette::GREY_TEXT
                    } else {
                        palette::COUNTRY_TEXT
                    };
                    draw_label(
                        scene,
                        &label,
                        colour,
                        Some(Halo {
                            colour: Rgba::WHITE.with_alpha(200),
                            width: 2.0,
                        }),
                    );
                    break 'styles;
                }
            }
        }
    }
}

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
fn layout_legend(fonts: &Fonts, entries: &[LegendEntry], width: f32) -> (Vec<(f32, usize)>, f32) {
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

fn draw_legend(
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

/// Splits `text` into lines no wider than `width`.
fn wrap(fonts: &Fonts, text: &str, style: TextStyle, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if !line.is_empty() && fonts.measure(&candidate, style) > width {
            lines.push(std::mem::take(&mut line));
            line = word.to_owned();
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A scale-bar distance: whole numbers plain, halves with one decimal (12.5).
fn fmt_km(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        fmt_int(v)
    } else {
        format!("{v:.1}")
    }
}

/// An integer with thousands separators: 78412.4 gives "78,412". Negative numbers take an en
/// dash: the bundled Noto Sans has no U+2212 minus sign.
pub fn fmt_int(v: f64) -> String {
    let n = v.round() as i64;
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && matches!((digits.len() - i) % 3, 0) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 {
        format!("–{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_get_thousands_separators() {
        assert_eq!(fmt_int(0.4), "0");
        assert_eq!(fmt_int(999.0), "999");
        assert_eq!(fmt_int(78_412.4), "78,412");
        assert_eq!(fmt_int(1_234_567.0), "1,234,567");
        assert_eq!(fmt_int(-4500.0), "–4,500");
    }

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
