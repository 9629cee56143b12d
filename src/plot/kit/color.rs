//! The colours of charts: the palette models take their colours from, the
//! greys of text, grid and reference lines, and mixing. The palette is
//! Okabe–Ito, which readers with any common colour-vision deficiency can
//! tell apart, continued with six colours of Paul Tol's colour-blind-safe
//! "muted" scheme, so the fourteen model kinds of one experiment never
//! share a colour.

use plotters::style::RGBColor;

/// Okabe–Ito, then Tol's muted colours, in the order models get them.
/// Okabe–Ito's yellow is darkened a little so thin lines stay visible on
/// white.
pub const PALETTE: [RGBColor; 14] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x00, 0x00), // black
    RGBColor(0xC9, 0xB2, 0x00), // yellow, darkened
    RGBColor(0x88, 0x22, 0x55), // wine
    RGBColor(0x44, 0xAA, 0x99), // teal
    RGBColor(0x33, 0x22, 0x88), // indigo
    RGBColor(0x99, 0x99, 0x33), // olive
    RGBColor(0xCC, 0x66, 0x77), // rose
    RGBColor(0x11, 0x77, 0x33), // green
];

/// Reference lines (baseline, speedup 1, ideal efficiency).
pub const REFERENCE: RGBColor = RGBColor(0x55, 0x55, 0x55);
pub const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
pub const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
pub const GRID_MINOR: RGBColor = RGBColor(0xF2, 0xF2, 0xF2);
pub const AXIS: RGBColor = RGBColor(0x88, 0x88, 0x88);
pub const WHITE: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);

/// Alternately darker and lighter versions of `c`, further with each step.
pub fn shade(c: RGBColor, nth: usize) -> RGBColor {
    let step = nth.div_ceil(2) as f64;
    if nth % 2 == 1 {
        mix(c, RGBColor(0, 0, 0), (0.3 * step).min(0.7))
    } else {
        mix(c, WHITE, (0.3 * step).min(0.7))
    }
}

/// `a` moved towards `b` by `t` (0..1).
pub fn mix(a: RGBColor, b: RGBColor, t: f64) -> RGBColor {
    let m = |x: u8, y: u8| {
        (x as f64 + (y as f64 - x as f64) * t)
            .round()
            .clamp(0.0, 255.0) as u8
    };
    RGBColor(m(a.0, b.0), m(a.1, b.1), m(a.2, b.2))
}

/// Black or white, whichever reads better on `background`.
pub fn text_on(background: RGBColor) -> RGBColor {
    let l =
        0.2126 * background.0 as f64 + 0.7152 * background.1 as f64 + 0.0722 * background.2 as f64;
    if l > 140.0 { TEXT } else { WHITE }
}
