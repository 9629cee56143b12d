//! CPU time beside wall time for every model variant of a workload, at its
//! heaviest point (the last of its sweep): CPU split into user and system
//! time. A model that burns CPU while it waits (polling) or cannot use more
//! than one core (a GIL) shows here.

use plotters::prelude::DrawingBackend;

use crate::plot::kit::{
    Anchor, Canvas, ChartError, Dimension, Entry, Frame, Rect, Scale, Styles, Symbol, TICK_SIZE,
    TimeUnit, color,
};
use crate::results::CellSummary;

use crate::plot::metric::{self, same_point};

fn user_tint(c: plotters::style::RGBColor) -> plotters::style::RGBColor {
    color::mix(c, color::WHITE, 0.45)
}

fn sys_tint(c: plotters::style::RGBColor) -> plotters::style::RGBColor {
    color::mix(c, color::WHITE, 0.75)
}

pub fn draw<DB: DrawingBackend>(
    c: &Canvas<DB>,
    title: Option<&str>,
    cells: &[&CellSummary],
    styles: &Styles,
) -> Result<(), ChartError> {
    let Some(last) = cells.last() else {
        return Err(ChartError::NoData("no cells".into()));
    };
    let point: Vec<&CellSummary> = cells
        .iter()
        .copied()
        .filter(|cell| same_point(cell, last))
        .collect();
    let shown: Vec<&CellSummary> = point
        .iter()
        .copied()
        .filter(|cell| cell.wall_median_ms.is_some())
        .collect();
    let max_ms = shown
        .iter()
        .flat_map(|c| [c.wall_median_ms, c.cpu_median_ms])
        .flatten()
        .fold(0.0, f64::max);
    let unit = TimeUnit::for_max(max_ms, false);
    let f = unit.per_ms();
    let y = Scale::linear(0.0, max_ms * f * 1.08, true);
    let names: Vec<String> = shown.iter().map(|c| c.variant.clone()).collect();
    let gray = color::REFERENCE;
    let mut legend = vec![
        Entry::new(Symbol::Swatch(gray), "wall time (left bar)"),
        Entry::new(Symbol::Swatch(user_tint(gray)), "CPU, user (right bar)"),
        Entry::new(Symbol::Swatch(sys_tint(gray)), "CPU, system (on top)"),
        Entry::new(Symbol::Note, "bars take each model's colour"),
    ];
    if shown.len() < point.len() {
        legend.push(Entry::new(
            Symbol::Note,
            format!(
                "{} cell(s) without a measurement left out",
                point.len() - shown.len()
            ),
        ));
    }
    let wp = last.workload_point();
    let n = shown.iter().map(|c| c.n).max().unwrap_or(0);
    let frame = Frame {
        title: title
            .map(str::to_string)
            .unwrap_or_else(|| format!("CPU time vs wall time · {}", last.workload)),
        subtitle: format!(
            "{}{} · median of {n} run{}",
            if wp.is_empty() {
                String::new()
            } else {
                format!("at {wp} · ")
            },
            metric::fixed_fields(last),
            if n == 1 { "" } else { "s" }
        ),
        x: Dimension::categories(&names, "model"),
        y: Dimension::numeric(y, format!("time, median ({})", unit.symbol())),
        legend,
        y_down: false,
    };
    let plot = frame.draw(c)?;
    let slot = plot.area.width() as f64 / shown.len().max(1) as f64;
    for (i, cell) in shown.iter().enumerate() {
        let color = styles.model(&cell.model).color;
        let x0 = plot.area.left as f64 + slot * i as f64 + slot * 0.14;
        let w = slot * 0.72 / 2.0;
        let bottom = plot.y_px(0.0);
        let wall = cell.wall_median_ms.unwrap_or(0.0);
        let wall_left = x0.round() as i32;
        let wall_right = (x0 + w * 0.94).round() as i32;
        let wall_top = plot.y_px(wall * f);
        c.rect(
            Rect {
                left: wall_left,
                top: wall_top,
                right: wall_right,
                bottom,
            },
            color,
        )?;
        bar_label(
            c,
            wall * f,
            w,
            ((wall_left + wall_right) / 2, wall_top - c.px(5.0)),
        )?;
        let user = cell.user_median_ms.unwrap_or(0.0);
        let sys = cell.sys_median_ms.unwrap_or(0.0);
        let cpu = cell.cpu_median_ms.unwrap_or(user + sys);
        let cpu_left = (x0 + w * 1.06).round() as i32;
        let cpu_right = (x0 + w * 2.0).round() as i32;
        let user_top = plot.y_px(user * f);
        c.rect(
            Rect {
                left: cpu_left,
                top: user_top,
                right: cpu_right,
                bottom,
            },
            user_tint(color),
        )?;
        let sys_top = plot.y_px((user + sys) * f);
        c.rect(
            Rect {
                left: cpu_left,
                top: sys_top,
                right: cpu_right,
                bottom: user_top,
            },
            sys_tint(color),
        )?;
        c.outline(
            Rect {
                left: cpu_left,
                top: sys_top.min(user_top),
                right: cpu_right,
                bottom,
            },
            color,
            1.0,
        )?;
        bar_label(
            c,
            cpu * f,
            w,
            (
                (cpu_left + cpu_right) / 2,
                sys_top.min(user_top) - c.px(5.0),
            ),
        )?;
    }
    Ok(())
}

/// The value above a bar, in the y axis's unit (the axis title names it),
/// made small enough to stay over its own bar, `width` pixels wide.
fn bar_label<DB: DrawingBackend>(
    c: &Canvas<DB>,
    value: f64,
    width: f64,
    at: (i32, i32),
) -> Result<(), ChartError> {
    let text = if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    };
    let natural = c.text_width(&text, TICK_SIZE).max(1) as f64;
    let size = (TICK_SIZE * (width * 1.05 / natural).min(1.0)).max(TICK_SIZE * 0.6);
    c.text(&text, at, size, color::TEXT, Anchor::Bottom)
}
