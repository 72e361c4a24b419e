//! The map's furniture: the title and subtitle, the wrapped credit line, and inside each panel the
//! scale bar, the north arrow and the time-lapse's area counter. Each panel item returns its box
//! so that labels keep clear of it.

use crate::render::projection::Projection;
use crate::render::scene::{Path, Rect, Rgba, Scene};
use crate::render::text::{draw_text, Anchor, Fonts, TextStyle};

use super::layout::MARGIN;
use super::spec::{Counter, MapSpec};
use super::style::{fmt_int, fmt_km, palette};

/// The title and subtitle at the top left; returns where the panels may start.
pub(super) fn draw_header(scene: &mut Scene, fonts: &Fonts, spec: &MapSpec) -> f32 {
    let mut y = MARGIN + 24.0;
    draw_text(
        scene,
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
            scene,
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
    y + 14.0
}

/// The credit line at the foot, wrapped to the page's width `w` (of height `h`); returns the top
/// of its first line.
pub(super) fn draw_credits(scene: &mut Scene, fonts: &Fonts, credit: &str, w: f32, h: f32) -> f32 {
    let credit_style = TextStyle::regular(10.0);
    let credit_lines = wrap(fonts, credit, credit_style, w - 2.0 * MARGIN);
    let mut cy = h - MARGIN + 6.0 - 13.0 * (credit_lines.len() as f32 - 1.0);
    let credit_top = cy - 10.0;
    for line in &credit_lines {
        draw_text(
            scene,
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
    credit_top
}

/// A scale bar geodesically true at the map's middle latitude, in its own white box.
pub(super) fn draw_scale_bar(
    scene: &mut Scene,
    fonts: &Fonts,
    proj: &Projection,
    frame: Rect,
) -> Rect {
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

pub(super) fn draw_north_arrow(scene: &mut Scene, fonts: &Fonts, frame: Rect) -> Rect {
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

pub(super) fn draw_counter(scene: &mut Scene, fonts: &Fonts, c: &Counter, frame: Rect) -> Rect {
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
