//! The distribution of one group's wake-up delays in a workload of several
//! groups, or of a group's request latencies at one offered rate (open-loop
//! load): the share of its IO waits (y) whose task ran again within a
//! given delay (x, log scale), a line per cell, from the first measured run
//! of each. Where one model's line sits far right of another's, its tasks
//! wait for the CPU after their IO: a GIL, or an event loop held by
//! another task's computation.

use plotters::prelude::DrawingBackend;

use super::GroupCells;
use crate::plot::kit::{
    Canvas, ChartError, Dash, Dimension, Entry, Frame, Scale, Symbol, TimeUnit, min_max,
};
use crate::results::{CellSummary, Distribution};

/// One line: a cell and its delays (µs) at each quantile.
struct Line<'a> {
    cell: &'a CellSummary,
    points: Vec<(f64, f64)>,
}

/// Which of a group's distributions a CDF shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantity {
    /// Its IO waits' wake-up delays.
    Wake,
    /// Its requests' latencies (a group with arrivals).
    Latency,
}

pub fn draw<DB: DrawingBackend>(
    c: &Canvas<DB>,
    view: GroupCells<'_>,
    quantity: Quantity,
    distributions: &[Distribution],
) -> Result<(), ChartError> {
    let (workload, group, cells, styles) = (view.workload, view.group, view.cells, view.styles);
    let lines: Vec<Line> = cells
        .iter()
        .filter_map(|&cell| {
            let d = distributions.iter().find(|d| d.cell == cell.cell)?;
            let g = d.groups.iter().find(|g| g.name == group)?;
            let values = match quantity {
                Quantity::Wake => &g.wake_ns,
                Quantity::Latency => &g.latency_ns,
            };
            let points: Vec<(f64, f64)> = d
                .quantiles
                .iter()
                .zip(values)
                .map(|(&q, &ns)| ((ns as f64 / 1000.0).max(0.1), q))
                .collect();
            (!points.is_empty()).then_some(Line { cell, points })
        })
        .collect();
    let (what, title, share) = match quantity {
        Quantity::Wake => (
            "wake-up delay",
            "Wake-up delays",
            "share of IO waits whose task ran again within the delay",
        ),
        Quantity::Latency => (
            "latency",
            "Request latencies",
            "share of requests completed within the latency of their scheduled arrival",
        ),
    };
    if lines.is_empty() {
        return Err(ChartError::NoData(format!(
            "no run of group \"{group}\" of workload \"{workload}\" kept its {what}s"
        )));
    }
    let (lo, hi) = min_max(lines.iter().flat_map(|l| l.points.iter().map(|p| p.0)));
    let unit = TimeUnit::for_max(hi / 1000.0, true);
    let f = unit.per_ms() / 1000.0;
    let x = Scale::logarithmic(lo * f / 1.2, hi * f * 1.2);
    // Exactly 0 to 1: a share, with no room above it.
    let y = Scale {
        lo: 0.0,
        hi: 1.0,
        log: false,
    };
    let mut legend: Vec<Entry> = Vec::new();
    let mut nth: Vec<(&str, usize)> = Vec::new();
    let mut styled = Vec::with_capacity(lines.len());
    for line in &lines {
        let model = line.cell.model.as_str();
        let k = match nth.iter_mut().find(|(m, _)| *m == model) {
            Some((_, k)) => {
                *k += 1;
                *k
            }
            None => {
                nth.push((model, 0));
                0
            }
        };
        let style = styles.variant(model, k);
        let point = line.cell.workload_point();
        let label = if point.is_empty() {
            line.cell.variant.clone()
        } else {
            format!("{} · {point}", line.cell.variant)
        };
        legend.push(Entry::new(
            Symbol::Line {
                color: style.color,
                dash: Dash::Solid,
                marker: None,
            },
            label,
        ));
        styled.push(style);
    }
    let frame = Frame {
        title: format!("{title} of group {group} · {workload}"),
        subtitle: format!("{share} · first measured run"),
        x: Dimension::numeric(x, format!("{what} ({}, log scale)", unit.symbol())),
        y: Dimension::numeric(
            y,
            match quantity {
                Quantity::Wake => "share of IO waits",
                Quantity::Latency => "share of requests",
            },
        ),
        legend,
        y_down: false,
    };
    let plot = frame.draw(c)?;
    for (line, style) in lines.iter().zip(&styled) {
        // A step at each quantile: the share reached at that delay.
        let mut path: Vec<(i32, i32)> = Vec::with_capacity(line.points.len() * 2);
        let mut last_share = 0.0;
        for &(delay, share) in &line.points {
            path.push(plot.at(delay * f, last_share));
            path.push(plot.at(delay * f, share));
            last_share = share;
        }
        c.line(&path, style.color, 2.0)?;
    }
    Ok(())
}
