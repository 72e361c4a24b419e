//! The SVG backend: writes a [`Scene`] as a standalone SVG 1.1 document. Text arrives as glyph
//! outlines (shaped once, in [`super::text`]), so the SVG looks the same without the font installed
//! and Arabic is already joined; hatching becomes `<pattern>`s, clips `<clipPath>`s.

use std::collections::HashMap;
use std::fmt::Write;

use super::scene::{FillRule, Hatch, Item, Paint, Path, Rgba, Scene, Seg};

/// The SVG document for `scene`, sized in logical pixels.
pub fn to_svg(scene: &Scene) -> String {
    let mut defs = String::new();
    let mut body = String::new();
    let mut patterns: HashMap<String, String> = HashMap::new();
    let mut clip_count = 0;
    for item in &scene.items {
        match item {
            Item::Fill { path, paint, rule } => {
                let fill = match paint {
                    Paint::Solid(c) => colour_attrs("fill", *c),
                    Paint::Hatch(h) => {
                        let key = hatch_key(h);
                        let n = patterns.len();
                        let id = patterns
                            .entry(key)
                            .or_insert_with(|| {
                                let id = format!("hatch{n}");
                                write_pattern(&mut defs, &id, h);
                                id
                            })
                            .clone();
                        format!("fill=\"url(#{id})\"")
                    }
                };
                let rule = match rule {
                    FillRule::NonZero => "",
                    FillRule::EvenOdd => " fill-rule=\"evenodd\"",
                };
                let _ = writeln!(body, "<path d=\"{}\" {fill}{rule}/>", path_data(path));
            }
            Item::Stroke {
                path,
                colour,
                width,
                dash,
            } => {
                let dash = dash
                    .map(|(on, off)| format!(" stroke-dasharray=\"{} {}\"", num(on), num(off)))
                    .unwrap_or_default();
                let _ = writeln!(
                    body,
                    "<path d=\"{}\" fill=\"none\" {} stroke-width=\"{}\" \
                     stroke-linejoin=\"round\" stroke-linecap=\"round\"{dash}/>",
                    path_data(path),
                    colour_attrs("stroke", *colour),
                    num(*width)
                );
            }
            Item::Clip(r) => {
                clip_count += 1;
                let _ = writeln!(
                    defs,
                    "<clipPath id=\"clip{clip_count}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" \
                     height=\"{}\"/></clipPath>",
                    num(r.x),
                    num(r.y),
                    num(r.w),
                    num(r.h)
                );
                let _ = writeln!(body, "<g clip-path=\"url(#clip{clip_count})\">");
            }
            Item::EndClip => body.push_str("</g>\n"),
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{w}\" height=\"{h}\" \
         viewBox=\"0 0 {w} {h}\">\n<defs>\n{defs}</defs>\n{body}</svg>\n",
        w = num(scene.width),
        h = num(scene.height)
    )
}

fn hatch_key(h: &Hatch) -> String {
    format!(
        "{:?}-{}-{}-{}",
        h.colour,
        num(h.spacing),
        num(h.width),
        h.cross
    )
}

fn write_pattern(defs: &mut String, id: &str, h: &Hatch) {
    let s = h.spacing;
    let stroke = format!(
        "{} stroke-width=\"{}\" stroke-linecap=\"square\"",
        colour_attrs("stroke", h.colour),
        num(h.width)
    );
    let _ = write!(
        defs,
        "<pattern id=\"{id}\" patternUnits=\"userSpaceOnUse\" width=\"{s}\" height=\"{s}\">\
         <path d=\"M0 {s} L{s} 0 M{m} {p} L{p} {m} M{q} {r} L{r} {q}\" fill=\"none\" {stroke}/>",
        s = num(s),
        m = num(-s / 2.0),
        p = num(s / 2.0),
        q = num(s / 2.0),
        r = num(1.5 * s),
    );
    if h.cross {
        let _ = write!(
            defs,
            "<path d=\"M0 0 L{s} {s} M{m} {p} L{p} {q} M{p} {m} L{q} {p}\" fill=\"none\" {stroke}/>",
            s = num(s),
            m = num(-s / 2.0),
            p = num(s / 2.0),
            q = num(1.5 * s),
        );
    }
    defs.push_str("</pattern>\n");
}

fn colour_attrs(attr: &str, c: Rgba) -> String {
    let mut s = format!("{attr}=\"#{:02x}{:02x}{:02x}\"", c.r, c.g, c.b);
    if c.a != 255 {
        let _ = write!(s, " {attr}-opacity=\"{}\"", num(c.a as f32 / 255.0));
    }
    s
}

/// Path data with two decimals (a hundredth of a pixel is below anything visible).
fn path_data(path: &Path) -> String {
    let mut d = String::with_capacity(path.segs.len() * 12);
    for s in &path.segs {
        match *s {
            Seg::Move(x, y) => {
                let _ = write!(d, "M{} {}", num(x), num(y));
            }
            Seg::Line(x, y) => {
                let _ = write!(d, "L{} {}", num(x), num(y));
            }
            Seg::Quad(x1, y1, x, y) => {
                let _ = write!(d, "Q{} {} {} {}", num(x1), num(y1), num(x), num(y));
            }
            Seg::Cubic(x1, y1, x2, y2, x, y) => {
                let _ = write!(
                    d,
                    "C{} {} {} {} {} {}",
                    num(x1),
                    num(y1),
                    num(x2),
                    num(y2),
                    num(x),
                    num(y)
                );
            }
            Seg::Close => d.push('Z'),
        }
    }
    d
}

/// A number with at most two decimals and no trailing zeros.
fn num(v: f32) -> String {
    let r = (v * 100.0).round() / 100.0;
    let r = if r == 0.0 { 0.0 } else { r };
    let s = format!("{r:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_owned()
}

#[cfg(test)]
mod tests {
    use super::super::scene::Rect;
    use super::*;

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(1.256), "1.26");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(12.5), "12.5");
    }

    #[test]
    fn a_scene_becomes_a_document_with_shared_patterns_and_clips() {
        let mut s = Scene::new(20.0, 10.0);
        s.clip(Rect::new(0.0, 0.0, 10.0, 10.0));
        let hatch = Paint::Hatch(Hatch {
            colour: Rgba::BLACK,
            spacing: 6.0,
            width: 1.0,
            cross: true,
        });
        for _ in 0..2 {
            s.fill_with(
                Path::rect(Rect::new(1.0, 1.0, 4.0, 4.0)),
                hatch,
                FillRule::EvenOdd,
            );
        }
        s.end_clip();
        let svg = to_svg(&s);
        assert_eq!(svg.matches("<pattern ").count(), 1);
        assert_eq!(svg.matches("url(#hatch0)").count(), 2);
        assert!(svg.contains("<clipPath id=\"clip1\">"));
        assert!(svg.contains("viewBox=\"0 0 20 10\""));
    }
}
