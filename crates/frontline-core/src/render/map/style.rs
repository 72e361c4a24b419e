//! The map's look shared by its parts: the palette, how much actor colours are lightened, the
//! hatching of contested, besieged and lost ground, the label halo, and number formats.

use crate::render::scene::{Hatch, Rgba};
use crate::render::text::Halo;

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
pub const LOW_CONFIDENCE_LIGHTEN: f32 = 0.4;
/// The pale background under contested/besieged hatching and under "held on both dates".
pub const PALE_LIGHTEN: f32 = 0.78;

pub(super) fn actor_hatch(colour: Rgba, cross: bool) -> Hatch {
    Hatch {
        colour,
        spacing: if cross { 8.0 } else { 7.0 },
        width: if cross { 1.0 } else { 1.2 },
        cross,
    }
}

pub(super) fn loss_hatch(colour: Rgba) -> Hatch {
    Hatch {
        colour,
        spacing: 5.0,
        width: 1.5,
        cross: false,
    }
}

/// Under place names, so that they read over any fill.
pub(super) const HALO: Halo = Halo {
    colour: Rgba::WHITE,
    width: 3.2,
};

/// A scale-bar distance: whole numbers plain, halves with one decimal (12.5).
pub(super) fn fmt_km(v: f64) -> String {
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
}
