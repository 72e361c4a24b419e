//! Text: the bundled Noto fonts (SIL OFL 1.1, see `assets/fonts/`), shaped by rustybuzz and
//! turned into outlines. Shaping by a library matters for Arabic: letters join and change form,
//! and the run is right-to-left; rustybuzz returns the glyphs in visual order, so they are simply
//! laid out left to right. A label in Arabic script is set in Noto Sans Arabic, others in Noto Sans.

use rustybuzz::ttf_parser;
use rustybuzz::{Face, UnicodeBuffer};

use super::scene::{FillRule, Paint, Path, Rect, Rgba, Scene, Seg};

static NOTO_SANS: &[u8] = include_bytes!("../../../../assets/fonts/NotoSans-Regular.ttf");
static NOTO_SANS_BOLD: &[u8] = include_bytes!("../../../../assets/fonts/NotoSans-Bold.ttf");
static NOTO_SANS_ARABIC: &[u8] =
    include_bytes!("../../../../assets/fonts/NotoSansArabic-Regular.ttf");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

/// Size (logical pixels per em), weight and extra spacing between letters (logical pixels; used
/// for the spaced capitals of country names).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextStyle {
    pub size: f32,
    pub weight: Weight,
    pub tracking: f32,
}

impl TextStyle {
    pub const fn regular(size: f32) -> Self {
        Self {
            size,
            weight: Weight::Regular,
            tracking: 0.0,
        }
    }

    pub const fn bold(size: f32) -> Self {
        Self {
            size,
            weight: Weight::Bold,
            tracking: 0.0,
        }
    }

    pub const fn tracked(self, tracking: f32) -> Self {
        Self { tracking, ..self }
    }
}

/// Where the given x lies on the text's advance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

/// Shaped text as an outline whose origin is the left end of the baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct Shaped {
    pub path: Path,
    /// Total advance, logical pixels.
    pub width: f32,
    /// Font ascender and descender (positive, below the baseline) at this size: the line box.
    pub ascent: f32,
    pub descent: f32,
}

/// The three embedded faces.
pub struct Fonts {
    regular: Face<'static>,
    bold: Face<'static>,
    arabic: Face<'static>,
}

impl std::fmt::Debug for Fonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fonts(Noto Sans, Noto Sans Bold, Noto Sans Arabic)")
    }
}

impl Fonts {
    /// The fonts bundled under `assets/fonts/`.
    pub fn embedded() -> Self {
        // The files are compiled in and known to parse; a failure here is a broken build.
        let face = |data: &'static [u8]| Face::from_slice(data, 0).expect("bundled font parses");
        Self {
            regular: face(NOTO_SANS),
            bold: face(NOTO_SANS_BOLD),
            arabic: face(NOTO_SANS_ARABIC),
        }
    }

    fn face_for(&self, text: &str, weight: Weight) -> &Face<'static> {
        if text.chars().any(is_arabic) {
            &self.arabic
        } else if weight == Weight::Bold {
            &self.bold
        } else {
            &self.regular
        }
    }

    /// Shapes `text` and returns its outline at the origin.
    pub fn shape(&self, text: &str, style: TextStyle) -> Shaped {
        let face = self.face_for(text, style.weight);
        let mut buf = UnicodeBuffer::new();
        buf.push_str(text);
        buf.guess_segment_properties();
        let glyphs = rustybuzz::shape(face, &[], buf);
        let upem = face.units_per_em() as f32;
        let k = style.size / upem;
        let mut path = Path::new();
        let mut pen = 0.0f32;
        let n = glyphs.len();
        for (i, (info, pos)) in glyphs
            .glyph_infos()
            .iter()
            .zip(glyphs.glyph_positions())
            .enumerate()
        {
            let ox = pen + pos.x_offset as f32 * k;
            let oy = -(pos.y_offset as f32) * k;
            let mut sink = Outline {
                path: &mut path,
                k,
                ox,
                oy,
            };
            face.outline_glyph(ttf_parser::GlyphId(info.glyph_id as u16), &mut sink);
            pen += pos.x_advance as f32 * k;
            if i + 1 < n {
                pen += style.tracking;
            }
        }
        Shaped {
            path,
            width: pen,
            ascent: face.ascender() as f32 * k,
            descent: -(face.descender() as f32) * k,
        }
    }

    /// The characters of `text` the chosen face has no glyph for (they would print as boxes).
    pub fn missing_glyphs(&self, text: &str, weight: Weight) -> Vec<char> {
        let face = self.face_for(text, weight);
        text.chars()
            .filter(|c| !c.is_whitespace() && face.glyph_index(*c).is_none())
            .collect()
    }

    /// The advance width of `text`, logical pixels.
    pub fn measure(&self, text: &str, style: TextStyle) -> f32 {
        self.shape(text, style).width
    }
}

/// True for characters of the Arabic script blocks (Arabic, Supplement, Extended-A,
/// Presentation Forms A and B).
pub fn is_arabic(c: char) -> bool {
    matches!(c as u32,
        0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF)
}

struct Outline<'a> {
    path: &'a mut Path,
    k: f32,
    ox: f32,
    oy: f32,
}

impl Outline<'_> {
    fn p(&self, x: f32, y: f32) -> (f32, f32) {
        // Font units are y-up; the scene is y-down.
        (self.ox + x * self.k, self.oy - y * self.k)
    }
}

impl ttf_parser::OutlineBuilder for Outline<'_> {
    fn move_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.p(x, y);
        self.path.segs.push(Seg::Move(x, y));
    }
    fn line_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.p(x, y);
        self.path.segs.push(Seg::Line(x, y));
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let (x1, y1) = self.p(x1, y1);
        let (x, y) = self.p(x, y);
        self.path.segs.push(Seg::Quad(x1, y1, x, y));
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let (x1, y1) = self.p(x1, y1);
        let (x2, y2) = self.p(x2, y2);
        let (x, y) = self.p(x, y);
        self.path.segs.push(Seg::Cubic(x1, y1, x2, y2, x, y));
    }
    fn close(&mut self) {
        self.path.segs.push(Seg::Close);
    }
}

/// A white (or any) outline drawn under text so that it reads over any background.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Halo {
    pub colour: Rgba,
    pub width: f32,
}

/// A piece of text ready to draw: outline translated to its place, and its box.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub path: Path,
    /// The line box (advance × ascent+descent), used for collisions and layout.
    pub bbox: Rect,
}

/// Shapes `text` and places it with its baseline at `y` and `anchor` at `x`.
pub fn layout(
    fonts: &Fonts,
    text: &str,
    style: TextStyle,
    x: f32,
    y: f32,
    anchor: Anchor,
) -> Label {
    let mut s = fonts.shape(text, style);
    let x0 = match anchor {
        Anchor::Start => x,
        Anchor::Middle => x - s.width / 2.0,
        Anchor::End => x - s.width,
    };
    s.path.transform(1.0, 0.0, 0.0, 1.0, x0, y);
    Label {
        path: s.path,
        bbox: Rect::new(x0, y - s.ascent, s.width, s.ascent + s.descent),
    }
}

/// Draws a laid-out label (halo first, then the letters).
pub fn draw_label(scene: &mut Scene, label: &Label, colour: Rgba, halo: Option<Halo>) {
    if let Some(h) = halo {
        scene.stroke(label.path.clone(), h.colour, h.width);
    }
    scene.fill_with(label.path.clone(), Paint::Solid(colour), FillRule::NonZero);
}

/// Lays out and draws `text`; returns its box.
#[allow(clippy::too_many_arguments)]
pub fn draw_text(
    scene: &mut Scene,
    fonts: &Fonts,
    text: &str,
    style: TextStyle,
    x: f32,
    y: f32,
    anchor: Anchor,
    colour: Rgba,
    halo: Option<Halo>,
) -> Rect {
    let label = layout(fonts, text, style, x, y, anchor);
    draw_label(scene, &label, colour, halo);
    label.bbox
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_text_has_width_growing_with_size_and_tracking() {
        let f = Fonts::embedded();
        let a = f.measure("Mosul", TextStyle::regular(10.0));
        let b = f.measure("Mosul", TextStyle::regular(20.0));
        assert!(a > 15.0 && a < 40.0, "{a}");
        assert!((b - 2.0 * a).abs() < 0.01);
        let t = f.measure("Mosul", TextStyle::regular(10.0).tracked(1.0));
        assert!((t - a - 4.0).abs() < 0.01);
    }

    #[test]
    fn arabic_is_shaped_with_joined_forms() {
        let f = Fonts::embedded();
        let face = &f.arabic;
        // Unjoined, each letter would be set in its isolated form: shaping must pick contextual
        // forms, so the glyph ids differ from the isolated-letter ids.
        let shaped_ids = |s: &str| {
            let mut b = UnicodeBuffer::new();
            b.push_str(s);
            b.guess_segment_properties();
            rustybuzz::shape(face, &[], b)
                .glyph_infos()
                .iter()
                .map(|g| g.glyph_id)
                .collect::<Vec<_>>()
        };
        let word = shaped_ids("حلب");
        let isolated: Vec<u32> = "حلب"
            .chars()
            .flat_map(|c| shaped_ids(&c.to_string()))
            .collect();
        assert_eq!(word.len(), 3);
        assert_ne!(word, isolated);
        // Right to left: the first logical letter (ḥāʾ) is drawn last, at the right.
        assert_eq!(word[2], shaped_ids("حل")[1]);
        assert!(f.measure("حلب", TextStyle::regular(12.0)) > 5.0);
    }

    #[test]
    fn every_character_the_layouts_print_has_a_glyph() {
        let f = Fonts::embedded();
        for w in [Weight::Regular, Weight::Bold] {
            let text = "Islamic State 78,412 km², then 23,100 km² +7,550 / –25 km² Deir ez-Zor Ḩ 1 February 2016";
            assert_eq!(f.missing_glyphs(text, w), Vec::<char>::new());
        }
        // The reason minus signs and arrows are not used: this Noto Sans build lacks them.
        assert_eq!(f.missing_glyphs("−→", Weight::Regular), vec!['−', '→']);
        assert!(f
            .missing_glyphs("الموصل دير الزور", Weight::Regular)
            .is_empty());
    }

    #[test]
    fn anchors_place_the_box() {
        let f = Fonts::embedded();
        let st = TextStyle::bold(12.0);
        let s = layout(&f, "Raqqa", st, 100.0, 50.0, Anchor::Start).bbox;
        let m = layout(&f, "Raqqa", st, 100.0, 50.0, Anchor::Middle).bbox;
        let e = layout(&f, "Raqqa", st, 100.0, 50.0, Anchor::End).bbox;
        assert_eq!(s.x, 100.0);
        assert!((m.x + m.w / 2.0 - 100.0).abs() < 1e-3);
        assert!((e.right() - 100.0).abs() < 1e-3);
        assert!(s.y < 50.0 && s.bottom() > 50.0);
    }
}
