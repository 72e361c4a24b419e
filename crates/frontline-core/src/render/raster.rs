//! The raster backend: draws a [`Scene`] with tiny-skia and encodes it as PNG (or hands the RGBA
//! frame to the GIF encoder). `scale` multiplies every coordinate, so `scale = 2` is the print
//! version of the same layout, not a different one.

use tiny_skia as sk;

use super::scene::{FillRule, Hatch, Item, Paint, Path, Rgba, Scene, Seg};
use super::RenderError;

/// An RGBA image, straight alpha, row-major.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

impl Image {
    /// The pixel at `(x, y)` as `[r, g, b, a]`.
    pub fn pixel(&self, x: u32, y: u32) -> [u8; 4] {
        let i = ((y * self.width + x) * 4) as usize;
        [
            self.rgba[i],
            self.rgba[i + 1],
            self.rgba[i + 2],
            self.rgba[i + 3],
        ]
    }
}

/// Rasterises `scene` at `scale` device pixels per logical pixel.
pub fn rasterize(scene: &Scene, scale: f32) -> Result<Image, RenderError> {
    if !(scale.is_finite() && scale > 0.0) {
        return Err(RenderError::InvalidSize(format!("scale {scale}")));
    }
    let w = (scene.width * scale).round() as u32;
    let h = (scene.height * scale).round() as u32;
    let mut pixmap =
        sk::Pixmap::new(w, h).ok_or_else(|| RenderError::InvalidSize(format!("{w}×{h} pixels")))?;
    let ts = sk::Transform::from_scale(scale, scale);
    let mut clips: Vec<sk::Mask> = Vec::new();
    for item in &scene.items {
        match item {
            Item::Fill { path, paint, rule } => {
                let Some(p) = to_skia(path) else { continue };
                let rule = match rule {
                    FillRule::NonZero => sk::FillRule::Winding,
                    FillRule::EvenOdd => sk::FillRule::EvenOdd,
                };
                let tile;
                let mut sp = sk::Paint {
                    anti_alias: true,
                    ..Default::default()
                };
                match paint {
                    Paint::Solid(c) => sp.set_color(color(*c)),
                    Paint::Hatch(hatch) => {
                        tile = hatch_tile(hatch, scale)?;
                        // The fill's transform also applies to its shader: undo the scale so
                        // the device-pixel tile stays one device pixel per tile pixel.
                        sp.shader = sk::Pattern::new(
                            tile.as_ref(),
                            sk::SpreadMode::Repeat,
                            sk::FilterQuality::Nearest,
                            1.0,
                            sk::Transform::from_scale(1.0 / scale, 1.0 / scale),
                        );
                    }
                }
                pixmap.fill_path(&p, &sp, rule, ts, clips.last());
            }
            Item::Stroke {
                path,
                colour,
                width,
                dash,
            } => {
                let Some(p) = to_skia(path) else { continue };
                let mut sp = sk::Paint {
                    anti_alias: true,
                    ..Default::default()
                };
                sp.set_color(color(*colour));
                let stroke = sk::Stroke {
                    width: *width,
                    line_cap: sk::LineCap::Round,
                    line_join: sk::LineJoin::Round,
                    dash: dash.and_then(|(on, off)| sk::StrokeDash::new(vec![on, off], 0.0)),
                    ..Default::default()
                };
                pixmap.stroke_path(&p, &sp, &stroke, ts, clips.last());
            }
            Item::Clip(r) => {
                let rect = sk::Rect::from_xywh(r.x, r.y, r.w, r.h)
                    .ok_or_else(|| RenderError::InvalidSize(format!("clip {r:?}")))?;
                let path = sk::PathBuilder::from_rect(rect);
                let mask = match clips.last() {
                    Some(outer) => {
                        let mut m = outer.clone();
                        m.intersect_path(&path, sk::FillRule::Winding, false, ts);
                        m
                    }
                    None => {
                        let mut m = sk::Mask::new(w, h)
                            .ok_or_else(|| RenderError::InvalidSize(format!("{w}×{h}")))?;
                        m.fill_path(&path, sk::FillRule::Winding, false, ts);
                        m
                    }
                };
                clips.push(mask);
            }
            Item::EndClip => {
                clips.pop();
            }
        }
    }
    let rgba = pixmap
        .pixels()
        .iter()
        .flat_map(|p| {
            let c = p.demultiply();
            [c.red(), c.green(), c.blue(), c.alpha()]
        })
        .collect();
    Ok(Image {
        width: w,
        height: h,
        rgba,
    })
}

/// Encodes an image as PNG. Fast compression on purpose: at default settings encoding took as long
/// as drawing (STACK.md), and map images compress well anyway. The pHYs chunk says 72 dpi × scale,
/// so a 2× image opens at its intended print size.
pub fn encode_png(image: &Image, scale: f32) -> Result<Vec<u8>, RenderError> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, image.width, image.height);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        enc.set_filter(png::FilterType::Sub);
        let ppm = (72.0 / 0.0254 * scale).round() as u32;
        enc.set_pixel_dims(Some(png::PixelDimensions {
            xppu: ppm,
            yppu: ppm,
            unit: png::Unit::Meter,
        }));
        let mut writer = enc.write_header().map_err(RenderError::Png)?;
        writer
            .write_image_data(&image.rgba)
            .map_err(RenderError::Png)?;
    }
    Ok(out)
}

/// Decodes an 8-bit RGB or RGBA PNG (as written by [`encode_png`]); used by golden-image tests.
pub fn decode_png(bytes: &[u8]) -> Result<Image, RenderError> {
    let mut dec = png::Decoder::new(bytes);
    dec.set_transformations(png::Transformations::EXPAND);
    let mut reader = dec.read_info().map_err(RenderError::PngDecode)?;
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader
        .next_frame(&mut buf)
        .map_err(RenderError::PngDecode)?;
    buf.truncate(info.buffer_size());
    let rgba = match info.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::Rgb => buf
            .chunks_exact(3)
            .flat_map(|c| [c[0], c[1], c[2], 255])
            .collect(),
        other => {
            return Err(RenderError::InvalidSize(format!(
                "unsupported PNG colour type {other:?}"
            )))
        }
    };
    Ok(Image {
        width: info.width,
        height: info.height,
        rgba,
    })
}

fn color(c: Rgba) -> sk::Color {
    sk::Color::from_rgba8(c.r, c.g, c.b, c.a)
}

fn to_skia(path: &Path) -> Option<sk::Path> {
    let mut pb = sk::PathBuilder::new();
    for s in &path.segs {
        match *s {
            Seg::Move(x, y) => pb.move_to(x, y),
            Seg::Line(x, y) => pb.line_to(x, y),
            Seg::Quad(x1, y1, x, y) => pb.quad_to(x1, y1, x, y),
            Seg::Cubic(x1, y1, x2, y2, x, y) => pb.cubic_to(x1, y1, x2, y2, x, y),
            Seg::Close => pb.close(),
        }
    }
    pb.finish()
}

/// A square tile of diagonal lines in device pixels, repeated over the fill. The lines run
/// corner to corner (and through the two other corners), so tiles join without seams.
fn hatch_tile(h: &Hatch, scale: f32) -> Result<sk::Pixmap, RenderError> {
    let n = (h.spacing * scale).round().max(3.0) as u32;
    let mut tile =
        sk::Pixmap::new(n, n).ok_or_else(|| RenderError::InvalidSize(format!("hatch {n}")))?;
    let s = n as f32;
    let mut pb = sk::PathBuilder::new();
    for k in [-1.0, 0.0, 1.0] {
        // "/" lines: x + y = s·(1 + k)
        pb.move_to(s * k - s, 2.0 * s);
        pb.line_to(s * k + 2.0 * s, -s);
        if h.cross {
            // "\" lines: y − x = s·k
            pb.move_to(-s, s * k - s);
            pb.line_to(2.0 * s, s * k + 2.0 * s);
        }
    }
    let Some(path) = pb.finish() else {
        return Ok(tile);
    };
    let mut paint = sk::Paint {
        anti_alias: true,
        ..Default::default()
    };
    paint.set_color(color(h.colour));
    let stroke = sk::Stroke {
        width: h.width * scale,
        ..Default::default()
    };
    tile.stroke_path(&path, &paint, &stroke, sk::Transform::identity(), None);
    Ok(tile)
}

#[cfg(test)]
mod tests {
    use super::super::scene::Rect;
    use super::*;

    #[test]
    fn a_filled_rectangle_covers_its_pixels_at_every_scale() {
        let mut s = Scene::new(10.0, 10.0);
        s.rect(Rect::new(0.0, 0.0, 10.0, 10.0), Rgba::WHITE);
        s.rect(Rect::new(2.0, 2.0, 4.0, 4.0), Rgba::rgb(200, 0, 0));
        for scale in [1.0, 2.0] {
            let img = rasterize(&s, scale).unwrap();
            assert_eq!(img.width, (10.0 * scale) as u32);
            let at = |x: f32, y: f32| img.pixel((x * scale) as u32, (y * scale) as u32);
            assert_eq!(at(3.0, 3.0), [200, 0, 0, 255]);
            assert_eq!(at(8.0, 8.0), [255, 255, 255, 255]);
        }
    }

    #[test]
    fn clips_keep_drawing_inside_the_rectangle() {
        let mut s = Scene::new(10.0, 10.0);
        s.rect(Rect::new(0.0, 0.0, 10.0, 10.0), Rgba::WHITE);
        s.clip(Rect::new(0.0, 0.0, 5.0, 10.0));
        s.rect(Rect::new(0.0, 0.0, 10.0, 10.0), Rgba::BLACK);
        s.end_clip();
        let img = rasterize(&s, 1.0).unwrap();
        assert_eq!(img.pixel(2, 5), [0, 0, 0, 255]);
        assert_eq!(img.pixel(7, 5), [255, 255, 255, 255]);
    }

    #[test]
    fn hatching_leaves_gaps_between_lines() {
        let mut s = Scene::new(40.0, 40.0);
        s.rect(Rect::new(0.0, 0.0, 40.0, 40.0), Rgba::WHITE);
        let hatch = Hatch {
            colour: Rgba::BLACK,
            spacing: 8.0,
            width: 1.5,
            cross: false,
        };
        s.fill_with(
            Path::rect(Rect::new(0.0, 0.0, 40.0, 40.0)),
            Paint::Hatch(hatch),
            FillRule::EvenOdd,
        );
        let img = rasterize(&s, 1.0).unwrap();
        let dark = img.rgba.chunks(4).filter(|p| p[0] < 128).count();
        let share = dark as f32 / (40.0 * 40.0);
        assert!(share > 0.1 && share < 0.5, "dark share {share}");
    }

    #[test]
    fn png_round_trips() {
        let mut s = Scene::new(6.0, 4.0);
        s.rect(Rect::new(0.0, 0.0, 6.0, 4.0), Rgba::rgb(10, 20, 30));
        let img = rasterize(&s, 1.0).unwrap();
        let back = decode_png(&encode_png(&img, 1.0).unwrap()).unwrap();
        assert_eq!(back, img);
    }
}
