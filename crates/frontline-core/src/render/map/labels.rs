//! The names a map panel shows: cities (Latin name, Arabic beneath where it fits), rivers set
//! along their straightest visible stretch, and countries in spaced capitals. Placement without
//! overlaps is the generic [`Placer`]'s; this module chooses the candidates and their order.

use geo::{BoundingRect, Contains, Coord, Point};

use crate::render::basemap::{Basemap, City, River};
use crate::render::labels::Placer;
use crate::render::projection::{GeoBox, Projection};
use crate::render::scene::{Path, Rect, Rgba, Scene};
use crate::render::text::{draw_label, layout, Anchor, Fonts, Halo, Label, TextStyle};

use super::spec::MapSpec;
use super::style::{palette, HALO};

pub(super) fn place_cities(
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
        let label = Label {
            path: l.path,
            bbox: Rect::new(lx, by, latin.width, cap),
        };
        draw_label(scene, &label, palette::INK, Some(HALO));
        if with_ar {
            if let Some(a) = &arabic {
                let mut p = a.path.clone();
                p.transform(1.0, 0.0, 0.0, 1.0, align(a.width), by + block_h - 1.0);
                let label = Label {
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
pub(super) fn place_rivers(
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
                let label = Label { path: p, bbox };
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
pub(super) fn place_countries(
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
