//! The display list every renderer draws into: filled and stroked paths in logical pixels, with
//! rectangular clips. Building a `Scene` is the only place where layout happens; the two backends
//! ([`super::raster`] for PNG/GIF, [`super::svg`] for SVG) only translate it, so PNG and SVG of the
//! same map always agree, and 2× print output is the same scene drawn with a scale transform.

/// An sRGB colour with straight (not premultiplied) alpha.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgba {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub a: u8,
}

impl Rgba {
    pub const WHITE: Rgba = Rgba::rgb(255, 255, 255);
    pub const BLACK: Rgba = Rgba::rgb(0, 0, 0);

    pub const fn rgb(r: u8, g: u8, b: u8) -> Self {
        Self { r, g, b, a: 255 }
    }

    pub const fn with_alpha(self, a: u8) -> Self {
        Self { a, ..self }
    }

    /// Mixes `t` (0…1) of white into the colour: how low-confidence areas are lightened while
    /// keeping the actor's hue recognisable.
    pub fn lighten(self, t: f32) -> Self {
        let mix = |c: u8| (c as f32 + (255.0 - c as f32) * t).round() as u8;
        Self {
            r: mix(self.r),
            g: mix(self.g),
            b: mix(self.b),
            a: self.a,
        }
    }

    /// Perceived luminance in 0…1 (Rec. 709 weights), used to pick text colour on a swatch.
    pub fn luminance(self) -> f32 {
        (0.2126 * self.r as f32 + 0.7152 * self.g as f32 + 0.0722 * self.b as f32) / 255.0
    }
}

impl From<crate::model::Colour> for Rgba {
    fn from(c: crate::model::Colour) -> Self {
        Rgba::rgb(c.r, c.g, c.b)
    }
}

/// An axis-aligned rectangle in logical pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl Rect {
    pub const fn new(x: f32, y: f32, w: f32, h: f32) -> Self {
        Self { x, y, w, h }
    }

    pub fn right(&self) -> f32 {
        self.x + self.w
    }

    pub fn bottom(&self) -> f32 {
        self.y + self.h
    }

    pub fn intersects(&self, o: &Rect) -> bool {
        self.x < o.right() && o.x < self.right() && self.y < o.bottom() && o.y < self.bottom()
    }

    pub fn contains(&self, o: &Rect) -> bool {
        o.x >= self.x && o.y >= self.y && o.right() <= self.right() && o.bottom() <= self.bottom()
    }

    /// The rectangle grown by `d` on every side.
    pub fn inflate(&self, d: f32) -> Rect {
        Rect::new(self.x - d, self.y - d, self.w + 2.0 * d, self.h + 2.0 * d)
    }
}

/// One path segment, in logical pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Seg {
    Move(f32, f32),
    Line(f32, f32),
    Quad(f32, f32, f32, f32),
    Cubic(f32, f32, f32, f32, f32, f32),
    Close,
}

/// A vector path made of sub-paths.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Path {
    pub segs: Vec<Seg>,
}

impl Path {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn is_empty(&self) -> bool {
        !self
            .segs
            .iter()
            .any(|s| !matches!(s, Seg::Move(..) | Seg::Close))
    }

    pub fn move_to(&mut self, x: f32, y: f32) {
        self.segs.push(Seg::Move(x, y));
    }

    pub fn line_to(&mut self, x: f32, y: f32) {
        self.segs.push(Seg::Line(x, y));
    }

    pub fn close(&mut self) {
        self.segs.push(Seg::Close);
    }

    pub fn rect(r: Rect) -> Self {
        let mut p = Path::new();
        p.move_to(r.x, r.y);
        p.line_to(r.right(), r.y);
        p.line_to(r.right(), r.bottom());
        p.line_to(r.x, r.bottom());
        p.close();
        p
    }

    /// A circle approximated by four cubic Béziers.
    pub fn circle(cx: f32, cy: f32, r: f32) -> Self {
        const K: f32 = 0.552_284_8;
        let k = K * r;
        let mut p = Path::new();
        p.move_to(cx + r, cy);
        p.segs
            .push(Seg::Cubic(cx + r, cy + k, cx + k, cy + r, cx, cy + r));
        p.segs
            .push(Seg::Cubic(cx - k, cy + r, cx - r, cy + k, cx - r, cy));
        p.segs
            .push(Seg::Cubic(cx - r, cy - k, cx - k, cy - r, cx, cy - r));
        p.segs
            .push(Seg::Cubic(cx + k, cy - r, cx + r, cy - k, cx + r, cy));
        p.close();
        p
    }

    /// Appends every sub-path of `other`.
    pub fn extend(&mut self, other: &Path) {
        self.segs.extend_from_slice(&other.segs);
    }

    /// Applies the affine map `(x, y) -> (a·x + c·y + e, b·x + d·y + f)` to every point.
    pub fn transform(&mut self, a: f32, b: f32, c: f32, d: f32, e: f32, f: f32) {
        let t = |x: f32, y: f32| (a * x + c * y + e, b * x + d * y + f);
        for s in &mut self.segs {
            *s = match *s {
                Seg::Move(x, y) => {
                    let (x, y) = t(x, y);
                    Seg::Move(x, y)
                }
                Seg::Line(x, y) => {
                    let (x, y) = t(x, y);
                    Seg::Line(x, y)
                }
                Seg::Quad(x1, y1, x, y) => {
                    let (x1, y1) = t(x1, y1);
                    let (x, y) = t(x, y);
                    Seg::Quad(x1, y1, x, y)
                }
                Seg::Cubic(x1, y1, x2, y2, x, y) => {
                    let (x1, y1) = t(x1, y1);
                    let (x2, y2) = t(x2, y2);
                    let (x, y) = t(x, y);
                    Seg::Cubic(x1, y1, x2, y2, x, y)
                }
                Seg::Close => Seg::Close,
            }
        }
    }
}

/// How the inside of a path with several sub-paths is decided. Polygons with holes use
/// even-odd (holes are sub-paths inside the shell whatever their winding); glyphs use non-zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FillRule {
    NonZero,
    EvenOdd,
}

/// Diagonal line hatching: how contested and besieged areas are drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hatch {
    pub colour: Rgba,
    /// Distance between lines, logical pixels.
    pub spacing: f32,
    /// Line width, logical pixels.
    pub width: f32,
    /// Both diagonals (cross-hatching) rather than one.
    pub cross: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Paint {
    Solid(Rgba),
    Hatch(Hatch),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Fill {
        path: Path,
        paint: Paint,
        rule: FillRule,
    },
    /// Strokes have round joins and caps: they serve borders, rivers and text halos, where
    /// mitred corners would spike.
    Stroke {
        path: Path,
        colour: Rgba,
        width: f32,
        /// Dash and gap lengths, logical pixels.
        dash: Option<(f32, f32)>,
    },
    /// Everything until the matching `EndClip` is clipped to the rectangle.
    Clip(Rect),
    EndClip,
}

/// A drawing of `width` × `height` logical pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    pub width: f32,
    pub height: f32,
    pub items: Vec<Item>,
}

impl Scene {
    pub fn new(width: f32, height: f32) -> Self {
        Self {
            width,
            height,
            items: Vec::new(),
        }
    }

    pub fn fill(&mut self, path: Path, colour: Rgba) {
        self.fill_with(path, Paint::Solid(colour), FillRule::EvenOdd);
    }

    pub fn fill_with(&mut self, path: Path, paint: Paint, rule: FillRule) {
        if !path.is_empty() {
            self.items.push(Item::Fill { path, paint, rule });
        }
    }

    pub fn stroke(&mut self, path: Path, colour: Rgba, width: f32) {
        self.stroke_dashed(path, colour, width, None);
    }

    pub fn stroke_dashed(
        &mut self,
        path: Path,
        colour: Rgba,
        width: f32,
        dash: Option<(f32, f32)>,
    ) {
        if !path.is_empty() {
            self.items.push(Item::Stroke {
                path,
                colour,
                width,
                dash,
            });
        }
    }

    pub fn rect(&mut self, r: Rect, colour: Rgba) {
        self.fill(Path::rect(r), colour);
    }

    pub fn clip(&mut self, r: Rect) {
        self.items.push(Item::Clip(r));
    }

    pub fn end_clip(&mut self) {
        self.items.push(Item::EndClip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lightening_moves_towards_white_and_keeps_alpha() {
        let c = Rgba::rgb(0, 100, 200).with_alpha(10).lighten(0.5);
        assert_eq!(
            c,
            Rgba {
                r: 128,
                g: 178,
                b: 228,
                a: 10
            }
        );
    }

    #[test]
    fn a_path_of_only_moves_is_empty_and_is_not_drawn() {
        let mut p = Path::new();
        p.move_to(1.0, 1.0);
        assert!(p.is_empty());
        let mut s = Scene::new(10.0, 10.0);
        s.fill(p, Rgba::BLACK);
        assert!(s.items.is_empty());
    }

    #[test]
    fn rectangles_overlap_only_when_they_share_area() {
        let a = Rect::new(0.0, 0.0, 10.0, 10.0);
        assert!(a.intersects(&Rect::new(9.0, 9.0, 5.0, 5.0)));
        assert!(!a.intersects(&Rect::new(10.0, 0.0, 5.0, 5.0)));
        assert!(a.contains(&Rect::new(1.0, 1.0, 2.0, 2.0)));
    }
}
