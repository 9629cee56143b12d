//! The chart of `conlab compare`: per cell, the ratio of B's median wall
//! time to A's on a log axis, with its 95 % interval, coloured by verdict;
//! the band of differences too small to count is shaded.

use plotters::prelude::DrawingBackend;
use plotters::style::RGBColor;

use crate::config::{DEFAULT_CHART_HEIGHT, DEFAULT_CHART_WIDTH};
use crate::plot::kit::{
    Canvas, ChartError, Dash, Dimension, Drawing, Entry, Frame, Marker, Rect, Scale, Symbol,
    min_max,
};
use crate::results::compare::MIN_EFFECT;
use crate::results::{CellComparison, Verdict};

const FASTER: RGBColor = RGBColor(0x00, 0x72, 0xB2);
const SLOWER: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
const SAME: RGBColor = RGBColor(0x77, 0x77, 0x77);
const BAND: RGBColor = RGBColor(0xEE, 0xEE, 0xEE);

fn look(v: Verdict) -> (RGBColor, Marker) {
    match v {
        Verdict::Faster => (FASTER, Marker::TriangleDown),
        Verdict::Slower => (SLOWER, Marker::TriangleUp),
        Verdict::NoSignificantDifference => (SAME, Marker::Circle),
        Verdict::NotEnoughRuns | Verdict::ZeroWallTimes => (SAME, Marker::HollowCircle),
    }
}

/// The comparison of the results in `a` with those in `b`, a row per cell.
pub struct Comparison<'a> {
    pub a: &'a str,
    pub b: &'a str,
    pub rows: &'a [CellComparison],
}

/// The tallest comparison chart: past this many pixels rows get closer
/// instead, so that no results folder can ask for an image of any size.
const MAX_HEIGHT: u32 = 8000;

impl Comparison<'_> {
    /// The default width, and the height that gives every row room.
    pub fn size(&self) -> (u32, u32) {
        let rows = u32::try_from(self.rows.len()).unwrap_or(u32::MAX);
        let height = rows
            .saturating_mul(26)
            .saturating_add(260)
            .clamp(DEFAULT_CHART_HEIGHT, MAX_HEIGHT);
        (DEFAULT_CHART_WIDTH, height)
    }
}

impl Drawing for Comparison<'_> {
    fn draw<DB: DrawingBackend>(&self, c: &Canvas<DB>) -> Result<(), ChartError> {
        let (a, b, rows) = (self.a, self.b, self.rows);
        let values = rows.iter().flat_map(|r| {
            r.ratio
                .into_iter()
                .chain(r.ratio_ci95.into_iter().flat_map(|(lo, hi)| [lo, hi]))
        });
        let (lo, hi) = min_max(values.chain([1.0 - MIN_EFFECT, 1.0 + MIN_EFFECT]));
        // Symmetric around 1 on the log scale, so faster and slower look alike.
        let reach = (1.0 / lo.max(1e-6)).max(hi).max(1.1);
        let x = Scale::logarithmic(1.0 / reach, reach);
        let labels: Vec<String> = rows.iter().map(|r| r.label.clone()).collect();
        let mut legend = Vec::new();
        for v in [
            Verdict::Faster,
            Verdict::Slower,
            Verdict::NoSignificantDifference,
            Verdict::NotEnoughRuns,
            Verdict::ZeroWallTimes,
        ] {
            if rows.iter().any(|r| r.verdict == v) {
                let (color, marker) = look(v);
                legend.push(Entry::new(
                    Symbol::Line {
                        color,
                        dash: Dash::Solid,
                        marker: Some(marker),
                    },
                    match v {
                        Verdict::ZeroWallTimes => v.text().to_string(),
                        _ => format!("B {}", v.text()),
                    },
                ));
            }
        }
        legend.push(Entry::new(
            Symbol::Swatch(BAND),
            "within ±5 % (too small to count)",
        ));
        legend.push(Entry::new(
            Symbol::Note,
            "bars: 95 % interval (Welch, log times)",
        ));
        let frame = Frame {
        title: format!("B / A median wall time · A = {a} · B = {b}"),
        subtitle:
            "below 1: B is faster; a verdict needs the interval to exclude 1 and a 5 % difference"
                .to_string(),
        x: Dimension::numeric(x, "ratio of medians, B / A (log scale)"),
        y: Dimension::categories(&labels, ""),
        legend,
        y_down: true,
    };
        let plot = frame.draw(c)?;
        c.rect(
            Rect {
                left: plot.x_px(1.0 - MIN_EFFECT),
                top: plot.area.top,
                right: plot.x_px(1.0 + MIN_EFFECT),
                bottom: plot.area.bottom,
            },
            BAND,
        )?;
        let one = plot.x_px(1.0);
        c.reference(&[(one, plot.area.top), (one, plot.area.bottom)])?;
        for (i, r) in rows.iter().enumerate() {
            let y = plot.y_px(i as f64);
            let (color, marker) = look(r.verdict);
            if let Some((lo, hi)) = r.ratio_ci95 {
                let cap = c.px(4.0);
                let (xl, xh) = (plot.x_px(lo), plot.x_px(hi));
                c.line(&[(xl, y), (xh, y)], color, 1.5)?;
                c.line(&[(xl, y - cap), (xl, y + cap)], color, 1.5)?;
                c.line(&[(xh, y - cap), (xh, y + cap)], color, 1.5)?;
            }
            if let Some(ratio) = r.ratio {
                c.marker(marker, (plot.x_px(ratio), y), 10.0, color)?;
            }
        }
        Ok(())
    }
}
