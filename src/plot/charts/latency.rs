//! Charts of a group with arrivals (open-loop load), against the offered
//! rate, a series per model variant: the latency "hockey stick" (p50 solid
//! and p99 dashed, log y) with each model's capacity as a vertical dashed
//! line and its predicted mean latency as a dotted line, both in its
//! colour; and the achieved throughput against the offered one, beside the
//! diagonal where every request is served as it comes.

use plotters::prelude::DrawingBackend;

use super::GroupCells;
use crate::plot::kit::{
    Canvas, ChartError, Dash, Dimension, Entry, Frame, Scale, SeriesStyle, Styles, Symbol,
    TimeUnit, min_max,
};
use crate::results::{CellSummary, RequestSummary};

/// One model variant's cells, by rate.
struct Series<'a> {
    variant: &'a str,
    style: SeriesStyle,
    /// (rate, the group's requests) in increasing rate.
    points: Vec<(f64, &'a RequestSummary)>,
}

/// The series of `group` of `cells`: one per model variant, the cells of a
/// variant in increasing rate.
fn series<'a>(cells: &[&'a CellSummary], group: &str, styles: &Styles) -> Vec<Series<'a>> {
    let mut all: Vec<Series<'a>> = Vec::new();
    let mut nth: Vec<(&str, usize)> = Vec::new();
    for cell in cells {
        let Some(g) = cell.groups.iter().find(|g| g.name == group) else {
            continue;
        };
        let (Some(rate), Some(r)) = (g.rate, g.requests.as_ref()) else {
            continue;
        };
        let i = match all.iter().position(|s| s.variant == cell.variant) {
            Some(i) => i,
            None => {
                let model = cell.model.as_str();
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
                all.push(Series {
                    variant: &cell.variant,
                    style: styles.variant(model, k),
                    points: Vec::new(),
                });
                all.len() - 1
            }
        };
        all[i].points.push((rate, r));
    }
    for s in &mut all {
        s.points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    all
}

/// A legend entry per model variant: its colour, a solid line, its marker.
fn legend(all: &[Series]) -> Vec<Entry> {
    all.iter()
        .map(|s| {
            Entry::new(
                Symbol::Line {
                    color: s.style.color,
                    dash: Dash::Solid,
                    marker: Some(s.style.marker),
                },
                s.variant,
            )
        })
        .collect()
}

fn no_data(workload: &str, group: &str) -> ChartError {
    ChartError::NoData(format!(
        "no cell of workload \"{workload}\" measured the requests of group \"{group}\""
    ))
}

/// Latency (p50 and p99, log y) against the offered rate.
pub fn draw_latency<DB: DrawingBackend>(
    c: &Canvas<DB>,
    view: GroupCells<'_>,
) -> Result<(), ChartError> {
    let (workload, group, cells, styles) = (view.workload, view.group, view.cells, view.styles);
    let all = series(&cells, group, styles);
    let ys = all.iter().flat_map(|s| {
        s.points.iter().flat_map(|(_, r)| {
            [
                r.latency_p50_median_ms,
                r.latency_p99_median_ms,
                r.predicted_latency_mean_ms,
            ]
            .into_iter()
            .flatten()
        })
    });
    let ys: Vec<f64> = ys.filter(|v| v.is_finite() && *v > 0.0).collect();
    if ys.is_empty() {
        return Err(no_data(workload, group));
    }
    let rates: Vec<f64> = all
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .collect();
    let (_, most_rate) = min_max(rates.iter().copied());
    // Capacities up to half again the highest rate are shown.
    let capacities: Vec<(usize, f64)> = all
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let cap = s.points.iter().find_map(|(_, r)| r.capacity_per_s)?;
            (cap.is_finite() && cap <= most_rate * 1.5).then_some((i, cap))
        })
        .collect();
    let (_, hi_x) = min_max(rates.iter().copied().chain(capacities.iter().map(|c| c.1)));
    let x = Scale::linear(0.0, hi_x, true);
    let (lo, hi) = min_max(ys.iter().copied());
    let unit = TimeUnit::for_max(hi, true);
    let f = unit.per_ms();
    let y = Scale::logarithmic(lo * f / 1.3, hi * f * 1.3);
    let mut legend = legend(&all);
    legend.push(Entry::new(Symbol::Note, "solid: p50 · dashed: p99"));
    legend.push(Entry::new(Symbol::Note, "dotted: predicted mean"));
    legend.push(Entry::new(Symbol::Note, "vertical dashed: capacity"));
    let frame = Frame {
        title: format!("Latency against offered load · {workload}"),
        subtitle: format!(
            "group {group} · from each request's scheduled arrival to its completion · median \
             of runs"
        ),
        x: Dimension::numeric(x, "offered rate (requests/s)"),
        y: Dimension::numeric(y, format!("latency ({}, log scale)", unit.symbol())),
        legend,
        y_down: false,
    };
    let plot = frame.draw(c)?;
    let path = |s: &Series, field: fn(&RequestSummary) -> Option<f64>| -> Vec<(f64, f64)> {
        s.points
            .iter()
            .filter_map(|(rate, r)| Some((*rate, field(r)? * f)))
            .filter(|(_, v)| *v > 0.0)
            .collect()
    };
    for (i, cap) in &capacities {
        let color = all[*i].style.color;
        let top = plot.at(*cap, y.hi);
        let bottom = plot.at(*cap, y.lo);
        c.dashed(&[bottom, top], color, 1.5, 8.0, 5.0)?;
    }
    for s in &all {
        let predicted = path(s, |r| r.predicted_latency_mean_ms);
        let px: Vec<(i32, i32)> = predicted.iter().map(|&(a, b)| plot.at(a, b)).collect();
        c.dashed(&px, s.style.color, 1.5, 2.0, 4.0)?;
        let p99 = path(s, |r| r.latency_p99_median_ms);
        let px: Vec<(i32, i32)> = p99.iter().map(|&(a, b)| plot.at(a, b)).collect();
        c.dashed(&px, s.style.color, 2.0, 8.0, 5.0)?;
        for &at in &px {
            c.marker(s.style.marker, at, 8.0, s.style.color)?;
        }
        let p50 = path(s, |r| r.latency_p50_median_ms);
        let px: Vec<(i32, i32)> = p50.iter().map(|&(a, b)| plot.at(a, b)).collect();
        c.line(&px, s.style.color, 2.0)?;
        for &at in &px {
            c.marker(s.style.marker, at, 10.0, s.style.color)?;
        }
    }
    Ok(())
}

/// Achieved throughput against the offered rate.
pub fn draw_throughput<DB: DrawingBackend>(
    c: &Canvas<DB>,
    view: GroupCells<'_>,
) -> Result<(), ChartError> {
    let (workload, group, cells, styles) = (view.workload, view.group, view.cells, view.styles);
    let all = series(&cells, group, styles);
    let values: Vec<f64> = all
        .iter()
        .flat_map(|s| {
            s.points
                .iter()
                .flat_map(|(rate, r)| [Some(*rate), r.achieved_per_s_median])
                .flatten()
        })
        .filter(|v| v.is_finite())
        .collect();
    if all.iter().all(|s| s.points.is_empty()) || values.is_empty() {
        return Err(no_data(workload, group));
    }
    let (_, hi) = min_max(values.iter().copied());
    let x = Scale::linear(0.0, hi, true);
    let y = Scale::linear(0.0, hi, true);
    let mut legend = legend(&all);
    legend.push(Entry::reference("achieved = offered"));
    let frame = Frame {
        title: format!("Throughput against offered load · {workload}"),
        subtitle: format!(
            "group {group} · completions per second while requests completed · median of runs"
        ),
        x: Dimension::numeric(x, "offered rate (requests/s)"),
        y: Dimension::numeric(y, "achieved throughput (requests/s)"),
        legend,
        y_down: false,
    };
    let plot = frame.draw(c)?;
    let top = x.hi.min(y.hi);
    c.reference(&[plot.at(0.0, 0.0), plot.at(top, top)])?;
    for s in &all {
        let px: Vec<(i32, i32)> = s
            .points
            .iter()
            .filter_map(|(rate, r)| Some(plot.at(*rate, r.achieved_per_s_median?)))
            .collect();
        c.line(&px, s.style.color, 2.0)?;
        for &at in &px {
            c.marker(s.style.marker, at, 10.0, s.style.color)?;
        }
    }
    Ok(())
}
