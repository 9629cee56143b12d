//! Lost updates of a workload's shared counters when nothing numeric is
//! swept (issue 11): a row per model variant, so every name reads whole,
//! and in each row a bar per workload point (`shared=racy`,
//! `shared=locked`) as long as the median share of updates lost, a whisker
//! from the fewest to the most lost in a run, and beside it how many runs
//! lost any (`2/5 runs`): a median of 0 % with a few losing runs is the
//! rare race. Against a numeric sweep the same metric is a line chart
//! (`sweep`).

use plotters::prelude::DrawingBackend;

use crate::plot::kit::{
    Anchor, Canvas, ChartError, Dimension, Entry, Frame, Rect, Scale, Styles, Symbol, TICK_SIZE,
    color,
};
use crate::plot::metric::Metric;
use crate::plot::plan::MetricChart;
use crate::results::CellSummary;

/// How many of a cell's measured runs lost an update, as `2/5 runs`.
fn runs_text(c: &CellSummary) -> String {
    let share = c.runs_with_loss_share.unwrap_or(0.0);
    let lost = (share * c.n as f64).round() as usize;
    format!("{lost}/{} runs", c.n)
}

/// A workload point as a bar's label: the value alone when one field is
/// swept (`racy` for `shared=racy`), else every field.
fn point_text(point: &str) -> &str {
    match point.split_once('=') {
        Some((_, value)) if !point.contains(' ') => value,
        _ => point,
    }
}

pub fn draw<DB: DrawingBackend>(
    c: &Canvas<DB>,
    chart: &MetricChart,
    cells: &[&CellSummary],
    styles: &Styles,
) -> Result<(), ChartError> {
    let m: Metric = chart.metric;
    let measured: Vec<&CellSummary> = cells
        .iter()
        .copied()
        .filter(|cell| m.value(cell).is_some())
        .collect();
    if measured.is_empty() {
        return Err(ChartError::NoData(format!(
            "workload \"{}\" has no measured shared counter",
            chart.workload
        )));
    }
    let left_out = cells.len() - measured.len();
    // Rows: model variants in order; bars in a row: workload points.
    let mut rows: Vec<(&str, &str)> = Vec::new();
    let mut points: Vec<String> = Vec::new();
    for cell in &measured {
        if !rows.iter().any(|(_, v)| *v == cell.variant) {
            rows.push((cell.model.as_str(), cell.variant.as_str()));
        }
        let point = cell.workload_point();
        if !points.contains(&point) {
            points.push(point);
        }
    }
    let hi = measured
        .iter()
        .filter_map(|cell| m.spread(cell).map(|(_, hi)| hi).or(m.value(cell)))
        .fold(0.0, f64::max);
    // Room right of the longest bar for its runs, and never less than 10 %.
    let x = Scale::linear(0.0, (hi * 1.3).clamp(10.0, 130.0), true);
    let labels: Vec<String> = rows.iter().map(|(_, v)| v.to_string()).collect();
    let mut legend = vec![
        Entry::new(Symbol::Note, "bar: median share of a run's updates lost"),
        Entry::new(Symbol::Note, "whisker: the fewest to the most in a run"),
        Entry::new(Symbol::Note, "k/n runs: runs that lost at least one"),
    ];
    if left_out > 0 {
        legend.push(Entry::new(
            Symbol::Note,
            format!("{left_out} cell(s) without a measurement left out"),
        ));
    }
    let first = measured.first().copied();
    let n = measured.iter().map(|cell| cell.n).max().unwrap_or(0);
    let updates = first
        .and_then(|cell| cell.updates_expected_median)
        .map_or_else(String::new, |u| format!(" · {u:.0} updates per run"));
    let mut subtitle = chart.fixed_subtitle(first);
    // The field the bars' labels leave out.
    let swept: Vec<&str> = points
        .iter()
        .filter_map(|p| p.split_once('=').filter(|_| !p.contains(' ')))
        .map(|(field, _)| field)
        .collect();
    if let Some(field) = swept.first().filter(|_| swept.len() == points.len()) {
        subtitle.push_str(&format!(" · bars by {field}"));
    }
    subtitle.push_str(&format!(
        "{updates} · median of {n} run{}",
        if n == 1 { "" } else { "s" }
    ));
    let frame = Frame {
        title: chart
            .title
            .clone()
            .unwrap_or_else(|| format!("{} · {}", m.title(), chart.workload)),
        subtitle: subtitle.trim_start_matches(" · ").to_string(),
        x: Dimension::numeric(x, m.axis_title("")),
        y: Dimension::categories(&labels, ""),
        legend,
        y_down: true,
    };
    let plot = frame.draw(c)?;
    let row_h = plot.area.height() as f64 / rows.len().max(1) as f64;
    let bar_h = row_h * 0.78 / points.len().max(1) as f64;
    let mut models_seen: Vec<&str> = Vec::new();
    for (i, (model, variant)) in rows.iter().enumerate() {
        let nth = models_seen.iter().filter(|m| *m == model).count();
        models_seen.push(model);
        let color = styles.variant(model, nth).color;
        let row_top = plot.y_px(i as f64) as f64 - row_h * 0.39;
        for (j, point) in points.iter().enumerate() {
            let Some(cell) = measured
                .iter()
                .find(|cell| cell.variant == *variant && cell.workload_point() == *point)
            else {
                continue;
            };
            let Some(v) = m.value(cell) else { continue };
            let top = (row_top + bar_h * j as f64 + bar_h * 0.08).round() as i32;
            let bottom = (row_top + bar_h * (j + 1) as f64 - bar_h * 0.08).round() as i32;
            let mid = (top + bottom) / 2;
            let left = plot.x_px(0.0);
            let right = plot.x_px(v).max(left + 1);
            c.rect(
                Rect {
                    left,
                    top,
                    right,
                    bottom,
                },
                if j == 0 {
                    color
                } else {
                    color::shade(color, j)
                },
            )?;
            let mut end = right;
            if let Some((lo, hi)) = m.spread(cell) {
                let (xl, xh) = (plot.x_px(lo), plot.x_px(hi));
                let cap = ((bottom - top) / 3).max(1);
                c.line(&[(xl, mid), (xh, mid)], color::TEXT, 1.5)?;
                c.line(&[(xl, mid - cap), (xl, mid + cap)], color::TEXT, 1.5)?;
                c.line(&[(xh, mid - cap), (xh, mid + cap)], color::TEXT, 1.5)?;
                end = end.max(xh);
            }
            let mut text = runs_text(cell);
            if !point.is_empty() {
                text = format!("{}: {text}", point_text(point));
            }
            let size = TICK_SIZE.min((bottom - top) as f64 / c.k * 0.95).max(8.0);
            c.text(
                &text,
                (end + c.px(6.0), mid),
                size,
                color::TEXT,
                Anchor::Left,
            )?;
        }
    }
    Ok(())
}
