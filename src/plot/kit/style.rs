//! How models look: one colour and one marker per `[[model]]`, fixed for a
//! whole report so a model is recognisable on every chart. Colours are the
//! Okabe–Ito palette, which readers with any common colour-vision
//! deficiency can tell apart, continued with six colours of Paul Tol's
//! colour-blind-safe "muted" scheme, so the fourteen model kinds of one
//! experiment never share a colour; markers make lines distinguishable in
//! grey-scale print too.

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

/// The shape drawn at each data point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    Circle,
    Square,
    TriangleUp,
    Diamond,
    TriangleDown,
    Cross,
    Plus,
    HollowCircle,
}

pub const MARKERS: [Marker; 8] = [
    Marker::Circle,
    Marker::Square,
    Marker::TriangleUp,
    Marker::Diamond,
    Marker::TriangleDown,
    Marker::Cross,
    Marker::Plus,
    Marker::HollowCircle,
];

/// The look of one series: a model's colour, possibly shaded for one of
/// its variants, and a marker.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SeriesStyle {
    pub color: RGBColor,
    pub marker: Marker,
}

/// The colour and marker of every model of a report, by order of first
/// appearance (in a summary, the order of the experiment file).
#[derive(Clone, Debug, Default)]
pub struct Styles {
    models: Vec<String>,
}

impl Styles {
    /// Styles for `models` in this order; a name seen again keeps its
    /// first place.
    pub fn new<'a>(models: impl IntoIterator<Item = &'a str>) -> Styles {
        let mut seen: Vec<String> = Vec::new();
        for m in models {
            if !seen.iter().any(|s| s == m) {
                seen.push(m.to_string());
            }
        }
        Styles { models: seen }
    }

    fn index(&self, model: &str) -> usize {
        self.models
            .iter()
            .position(|m| m == model)
            .unwrap_or(self.models.len())
    }

    /// The model's own colour and marker. Past fourteen models colours
    /// repeat, but with another marker.
    pub fn model(&self, model: &str) -> SeriesStyle {
        let i = self.index(model);
        SeriesStyle {
            color: PALETTE[i % PALETTE.len()],
            marker: MARKERS[(i + i / PALETTE.len()) % MARKERS.len()],
        }
    }

    /// The style of the `nth` series (from 0) of one model on a chart:
    /// the model's colour, darker or lighter, and the next marker.
    pub fn variant(&self, model: &str, nth: usize) -> SeriesStyle {
        let base = self.model(model);
        if nth == 0 {
            return base;
        }
        let marker_index = MARKERS.iter().position(|m| *m == base.marker).unwrap_or(0);
        SeriesStyle {
            color: shade(base.color, nth),
            marker: MARKERS[(marker_index + nth) % MARKERS.len()],
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_keeps_its_style_and_models_differ() {
        let styles = Styles {
            models: (0..10).map(|i| format!("m{i}")).collect(),
        };
        let all: Vec<SeriesStyle> = (0..10).map(|i| styles.model(&format!("m{i}"))).collect();
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a, b, "two models look alike");
            }
        }
        assert_eq!(styles.model("m3"), styles.model("m3"));
        assert_eq!(styles.variant("m3", 0), styles.model("m3"));
        assert_ne!(styles.variant("m3", 1).color, styles.model("m3").color);
    }
}
