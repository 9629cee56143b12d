//! How models look: one colour and one marker per `[[model]]`, fixed for a
//! whole report so a model is recognisable on every chart.

use plotters::style::RGBColor;

use super::color::{PALETTE, shade};
use super::marker::{MARKERS, Marker};

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

    #[test]
    fn models_of_one_chart_have_a_shape_each() {
        let styles = Styles::new(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"]);
        let markers: Vec<Marker> = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"]
            .iter()
            .map(|m| styles.model(m).marker)
            .collect();
        for (i, a) in markers.iter().enumerate() {
            assert!(!markers[i + 1..].contains(a), "{a:?} twice: {markers:?}");
        }
    }
}
