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

pub use kit::style::Styles;
pub use plan::{ChartJob, ChartKind};

use crate::results::{CellSummary, SummaryFile, Timeline};
use charts::{bars, cpu_wall, overview, sweep, timeline};
use kit::canvas::Canvas;
use kit::font;

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("the chart font could not be loaded: {0}")]
    Font(String),
    #[error("drawing failed: {0}")]
    Draw(String),
    #[error("nothing to draw: {0}")]
    NoData(String),
    #[error("PNG encoding failed: {0}")]
    Encode(String),
}

/// The two files of a chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Png,
    Svg,
}

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
    font::ensure_registered()?;
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

fn draw_err<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> ChartError {
    ChartError::Draw(e.to_string())
}

/// Renders with `paint` into a PNG of `size`.
pub fn png(
    size: (u32, u32),
    paint: impl FnOnce(&DrawingArea<BitMapBackend, Shift>) -> Result<(), ChartError>,
) -> Result<Vec<u8>, ChartError> {
    let (w, h) = size;
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area();
        paint(&root)?;
        root.present().map_err(draw_err)?;
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder
            .write_header()
            .map_err(|e| ChartError::Encode(e.to_string()))?;
        writer
            .write_image_data(&rgb)
            .map_err(|e| ChartError::Encode(e.to_string()))?;
        writer
            .finish()
            .map_err(|e| ChartError::Encode(e.to_string()))?;
    }
    Ok(out)
}

/// Renders with `paint` into an SVG document of `size`.
pub fn svg(
    size: (u32, u32),
    paint: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<(), ChartError>,
) -> Result<String, ChartError> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        paint(&root)?;
        root.present().map_err(draw_err)?;
    }
    Ok(out)
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
        png: png(size, |area| draw(area, job, input, Format::Png))?,
        svg: svg(size, |area| draw(area, job, input, Format::Svg))?,
    })
}
