//! Charts of results, as PNG and SVG files' bytes (`results::store`
//! writes them). [`plan`] decides which charts a report has and names
//! their files; [`metric`] reads what a chart shows from summary rows;
//! [`charts`] holds one file per chart kind; [`kit`] is what they draw
//! with, and its [`kit::picture`] is the one place a drawing becomes a PNG
//! and an SVG, for the charts of a results folder ([`render`]) and for the
//! chart of `conlab compare` ([`render_comparison`]) alike.
//!
//! Why a kit of our own on plotters' backends, and not plotters'
//! `ChartBuilder`: conlab uses plotters for what it does well, one drawing
//! code for a bitmap and an SVG backend with stable SVG output, and lays
//! out everything around the data itself.
//!
//! - **Legends in a column of their own.** `ChartBuilder`'s series labels
//!   are drawn inside the plot area, over the data, which an experiment of
//!   a dozen model variants covers up. The kit's legend sits right of the
//!   plot, wraps long labels onto up to three lines, shrinks its text when
//!   it must, and says how many entries did not fit.
//! - **Korean and CJK names in PNGs.** plotters draws a string with one
//!   font, so a Korean workload name (the study note is Korean) would be a
//!   row of boxes. The kit measures and draws PNG text in runs, each in the
//!   first embedded font that has its glyphs (DejaVu Sans, then
//!   NanumSquare), so layouts that fit text fit it in either script.
//! - **Exact ticks and units.** `ChartBuilder`'s mesh places and formats
//!   tick labels itself; conlab picks the time unit (µs, ms or s) per
//!   chart, 1-2-5 labels on log axes, whole ticks for counts and labels
//!   like `20k`, the same on every chart kind.

pub mod charts;
pub mod kit;
pub mod metric;
pub mod plan;

pub use kit::{ChartError, Picture, Styles};
pub use plan::ChartJob;

use crate::results::{CellComparison, Distribution, SummaryFile, Timeline};
use charts::Chart;
use charts::compare::Comparison;

/// What charts are drawn from.
pub struct Input<'a> {
    pub summary: &'a SummaryFile,
    pub timelines: &'a [Timeline],
    pub distributions: &'a [Distribution],
    pub styles: Styles,
}

impl<'a> Input<'a> {
    pub fn new(
        summary: &'a SummaryFile,
        timelines: &'a [Timeline],
        distributions: &'a [Distribution],
    ) -> Input<'a> {
        Input {
            summary,
            timelines,
            distributions,
            styles: Styles::new(summary.cells.iter().map(|c| c.model.as_str())),
        }
    }
}

/// A chart in both formats.
#[derive(Clone, Debug)]
pub struct Rendered {
    pub job: ChartJob,
    pub png: Vec<u8>,
    pub svg: String,
}

/// Renders one chart of a results folder as PNG and SVG.
pub fn render(job: &ChartJob, input: &Input) -> Result<Rendered, ChartError> {
    let picture = kit::picture((job.width, job.height), &Chart { job, input })?;
    Ok(Rendered {
        job: job.clone(),
        png: picture.png,
        svg: picture.svg,
    })
}

/// Renders the chart of `conlab compare` as PNG and SVG: `rows` compare
/// the results in `a` with those in `b`.
pub fn render_comparison(a: &str, b: &str, rows: &[CellComparison]) -> Result<Picture, ChartError> {
    let chart = Comparison { a, b, rows };
    kit::picture(chart.size(), &chart)
}
