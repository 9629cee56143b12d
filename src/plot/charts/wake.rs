//! How late one group's tasks ran again after their IO completed, in a
//! workload of several groups: a row per cell, a bar to the median of its
//! runs' p50 wake-up delays, a whisker on to the p99 and a mark at the
//! longest, on a log axis (a GIL convoy is milliseconds against tens of
//! microseconds). The group's delays alone in each model are the reference
//! a reader holds them against.

use plotters::prelude::DrawingBackend;

use super::GroupCells;
use crate::plot::kit::{
    Canvas, ChartError, Dash, Dimension, Entry, Frame, Marker, Rect, Scale, Symbol, TimeUnit,
    color, min_max,
};
use crate::results::{CellSummary, GroupSummary};

/// The group `group` of `cell`, if it has one.
fn group_of<'a>(cell: &'a CellSummary, group: &str) -> Option<&'a GroupSummary> {
    cell.groups.iter().find(|g| g.name == group)
}

/// A cell's row label: its variant and the workload point.
fn row_label(c: &CellSummary) -> String {
    let point = c.workload_point();
    if point.is_empty() {
        c.variant.clone()
    } else {
        format!("{} · {point}", c.variant)
    }
}

pub fn draw<DB: DrawingBackend>(c: &Canvas<DB>, view: GroupCells<'_>) -> Result<(), ChartError> {
    let (workload, group, cells, styles) = (view.workload, view.group, view.cells, view.styles);
    let rows: Vec<(&CellSummary, &GroupSummary)> = cells
        .iter()
        .filter_map(|&cell| {
            let g = group_of(cell, group)?;
            g.wake_delay_p50_median_us.map(|_| (cell, g))
        })
        .collect();
    if rows.is_empty() {
        return Err(ChartError::NoData(format!(
            "group \"{group}\" of workload \"{workload}\" has no wake-up delays"
        )));
    }
    // In µs; a log axis needs positive values.
    let values = rows.iter().flat_map(|(_, g)| {
        [
            g.wake_delay_p50_median_us,
            g.wake_delay_p99_median_us,
            g.wake_delay_max_median_us,
        ]
        .into_iter()
        .flatten()
    });
    let (lo, hi) = min_max(values.map(|v| v.max(0.1)));
    let unit = TimeUnit::for_max(hi / 1000.0, true);
    let f = unit.per_ms() / 1000.0;
    let x = Scale::logarithmic(lo * f / 1.5, hi * f * 1.5);
    let labels: Vec<String> = rows.iter().map(|(cell, _)| row_label(cell)).collect();
    let mut legend: Vec<Entry> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (cell, _) in &rows {
        if !seen.contains(&cell.model.as_str()) {
            seen.push(&cell.model);
            legend.push(Entry::new(
                Symbol::Swatch(styles.model(&cell.model).color),
                cell.model.clone(),
            ));
        }
    }
    legend.push(Entry::new(
        Symbol::Line {
            color: color::TEXT,
            dash: Dash::Solid,
            marker: Some(Marker::Diamond),
        },
        "bar: p50 · whisker: p99 · ◆ longest",
    ));
    legend.push(Entry::new(
        Symbol::Note,
        "medians over the runs of each run's figure",
    ));
    let n = rows.iter().map(|(cell, _)| cell.n).max().unwrap_or(0);
    let frame = Frame {
        title: format!("Wake-up delay of group {group} · {workload}"),
        subtitle: format!(
            "from the moment an IO wait completed until its task ran again · {n} run{} per cell",
            if n == 1 { "" } else { "s" }
        ),
        x: Dimension::numeric(x, format!("wake-up delay ({}, log scale)", unit.symbol())),
        y: Dimension::categories(&labels, ""),
        legend,
        y_down: true,
    };
    let plot = frame.draw(c)?;
    let row_h = plot.area.height() as f64 / rows.len().max(1) as f64;
    let half = ((row_h * 0.32).round() as i32).clamp(2, c.px(12.0));
    for (i, (cell, g)) in rows.iter().enumerate() {
        let y = plot.y_px(i as f64);
        let style = styles.model(&cell.model);
        if let Some(p50) = g.wake_delay_p50_median_us {
            c.rect(
                Rect {
                    left: plot.area.left,
                    top: y - half,
                    right: plot.x_px(p50.max(0.1) * f),
                    bottom: y + half,
                },
                style.color,
            )?;
            if let Some(p99) = g.wake_delay_p99_median_us {
                let (from, to) = (plot.x_px(p50.max(0.1) * f), plot.x_px(p99.max(0.1) * f));
                let cap = (half * 2 / 3).max(2);
                c.line(&[(from, y), (to, y)], color::TEXT, 1.5)?;
                c.line(&[(to, y - cap), (to, y + cap)], color::TEXT, 1.5)?;
            }
        }
        if let Some(max) = g.wake_delay_max_median_us {
            c.marker(
                Marker::Diamond,
                (plot.x_px(max.max(0.1) * f), y),
                9.0,
                color::TEXT,
            )?;
        }
    }
    Ok(())
}
