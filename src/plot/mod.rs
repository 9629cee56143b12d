//! Charts, rendered with plotters from results only. Every chart kind has
//! its own file and draws on a [`canvas::Canvas`], generic over the
//! plotters backend, so the same code makes the PNG (a bitmap, encoded
//! here) and the SVG. Rendering returns bytes; `results::store` writes
//! them. [`plan`] decides which charts a report has.

pub mod charts;
pub mod kit;
pub mod metric;
pub mod plan;

use plotters::coord::Shift;
use plotters::prelude::*;

pub use kit::{ChartError, Styles};
pub use plan::{ChartJob, ChartKind};

use crate::results::{CellSummary, SummaryFile, Timeline};
use charts::{bars, cpu_wall, overview, sweep, timeline};
use kit::{Canvas, Format};

/// What charts are drawn from.
pub struct Input<'a> {
    pub summary: &'a SummaryFile,
    pub timelines: &'a [Timeline],
    pub styles: Styles,
}

impl<'a> Input<'a> {
    pub fn new(summary: &'a SummaryFile, timelines: &'a [Timeline]) -> Input<'a> {
        Input {
            summary,
            timelines,
            styles: Styles::new(summary.cells.iter().map(|c| c.model.as_str())),
        }
    }
}

/// Draws `job` on any backend.
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    job: &ChartJob,
    input: &Input,
    format: Format,
) -> Result<(), ChartError> {
    kit::font::ensure_registered()?;
    let c = Canvas::new(area, format);
    c.clear()?;
    let all = &input.summary.cells;
    match &job.kind {
        ChartKind::Metric(chart) => {
            let cells: Vec<&CellSummary> = all.iter().filter(|c| chart.shows(c)).collect();
            if cells.is_empty() {
                return Err(ChartError::NoData(format!(
                    "workload \"{}\" has no cells",
                    chart.workload
                )));
            }
            match chart.x.clone().or_else(|| plan::default_x(&cells)) {
                Some(x) => sweep::draw(&c, chart, &x, &cells, all, &input.styles),
                None => bars::draw(&c, chart, &cells, all, &input.styles),
            }
        }
        ChartKind::CpuWall { workload } => {
            let cells: Vec<&CellSummary> = all.iter().filter(|c| &c.workload == workload).collect();
            cpu_wall::draw(&c, None, &cells, &input.styles)
        }
        ChartKind::Overview => overview::draw(&c, &input.summary.experiment, all),
        ChartKind::Timeline { cell } => {
            let t = input
                .timelines
                .iter()
                .find(|t| t.cell == *cell)
                .ok_or_else(|| ChartError::NoData(format!("no timeline of cell {cell}")))?;
            timeline::draw(&c, t, all.iter().find(|s| s.cell == *cell))
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

/// Renders one chart as PNG and SVG.
pub fn render(job: &ChartJob, input: &Input) -> Result<Rendered, ChartError> {
    let size = (job.width, job.height);
    Ok(Rendered {
        job: job.clone(),
        png: kit::png(size, |area| draw(area, job, input, Format::Png))?,
        svg: kit::svg(size, |area| draw(area, job, input, Format::Svg))?,
    })
}
