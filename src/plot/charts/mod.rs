//! One file per chart kind, each drawing on the kit's canvas and none
//! importing another: what they share is in the kit (how to draw), in
//! [`crate::plot::metric`] and [`crate::plot::plan`] (what to show), or
//! here: [`GroupCells`], what a chart of one group of a workload is drawn
//! from.
//! [`Chart`] draws a chart of a results folder by its kind; the comparison
//! chart of `conlab compare` is a [`compare::Comparison`].

pub mod bars;
pub mod cdf;
pub mod compare;
pub mod cpu_wall;
pub mod latency;
pub mod lost;
pub mod overview;
pub mod sweep;
pub mod timeline;
pub mod wake;

use plotters::prelude::DrawingBackend;

use crate::config::ChartY;
use crate::plot::Input;
use crate::plot::kit::{Canvas, ChartError, Drawing, Styles};
use crate::plot::plan::{self, ChartJob, ChartKind};
use crate::results::CellSummary;

/// What a chart of one group of a workload is drawn from: the workload's
/// cells (those the chart shows), the group's name, and how each model is
/// drawn.
pub struct GroupCells<'a> {
    pub workload: &'a str,
    pub group: &'a str,
    pub cells: Vec<&'a CellSummary>,
    pub styles: &'a Styles,
}

impl<'a> GroupCells<'a> {
    /// Group `group` of every cell of `workload` in `input`.
    fn of(input: &'a Input<'a>, workload: &'a str, group: &'a str) -> GroupCells<'a> {
        GroupCells {
            workload,
            group,
            cells: input
                .summary
                .cells
                .iter()
                .filter(|c| c.workload == workload)
                .collect(),
            styles: &input.styles,
        }
    }
}

/// One chart of a results folder: a job of the plan, and what it is drawn
/// from.
pub struct Chart<'a> {
    pub job: &'a ChartJob,
    pub input: &'a Input<'a>,
}

impl Drawing for Chart<'_> {
    fn draw<DB: DrawingBackend>(&self, c: &Canvas<DB>) -> Result<(), ChartError> {
        let (job, input) = (self.job, self.input);
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
                    Some(x) => sweep::draw(c, chart, &x, &cells, all, &input.styles),
                    None if chart.metric.y == ChartY::LostUpdates => {
                        lost::draw(c, chart, &cells, &input.styles)
                    }
                    None => bars::draw(c, chart, &cells, all, &input.styles),
                }
            }
            ChartKind::CpuWall { workload } => {
                let cells: Vec<&CellSummary> =
                    all.iter().filter(|c| &c.workload == workload).collect();
                cpu_wall::draw(c, None, &cells, &input.styles)
            }
            ChartKind::Overview => overview::draw(c, &input.summary.experiment, all),
            ChartKind::Timeline { cell } => {
                let t = input
                    .timelines
                    .iter()
                    .find(|t| t.cell == *cell)
                    .ok_or_else(|| ChartError::NoData(format!("no timeline of cell {cell}")))?;
                timeline::draw(c, t, all.iter().find(|s| s.cell == *cell))
            }
            ChartKind::Wake { workload, group } => {
                wake::draw(c, GroupCells::of(input, workload, group))
            }
            ChartKind::Cdf { workload, group } => cdf::draw(
                c,
                GroupCells::of(input, workload, group),
                cdf::Quantity::Wake,
                input.distributions,
            ),
            ChartKind::Latency { workload, group } => {
                latency::draw_latency(c, GroupCells::of(input, workload, group))
            }
            ChartKind::Throughput { workload, group } => {
                latency::draw_throughput(c, GroupCells::of(input, workload, group))
            }
            ChartKind::LatencyCdf {
                workload,
                group,
                rate,
            } => {
                let mut view = GroupCells::of(input, workload, group);
                view.cells.retain(|c| {
                    c.groups
                        .iter()
                        .any(|g| &g.name == group && g.rate == Some(*rate))
                });
                cdf::draw(c, view, cdf::Quantity::Latency, input.distributions)
            }
        }
    }
}
