//! A measurement against a workload's sweep axis: one line per model
//! variant with markers and min–max error bars, the baseline as a dashed
//! line, each model's prediction as a thin dotted line in its colour. The
//! default wall-time, speedup and efficiency charts of swept workloads.

use plotters::prelude::DrawingBackend;

use crate::config::Axis;
use crate::plot::kit::{
    Canvas, ChartError, Dash, Dimension, Entry, Frame, PlotArea, Scale, SeriesStyle, Styles,
    Symbol, TimeUnit, color, min_max, spans_two_decades,
};
use crate::results::CellSummary;

use crate::plot::metric::{self, Metric};
use crate::plot::plan::MetricChart;

/// One line: the cells of one model variant along x.
struct Series<'a> {
    model: String,
    label: String,
    /// (x, cell), sorted by x; x is `None` for a model the axis does not
    /// apply to (`sequential` on a `workers` axis): drawn as a flat line.
    points: Vec<(Option<f64>, &'a CellSummary)>,
    style: SeriesStyle,
}

/// The series key of a cell: its model and every swept field except x
/// and those the chart holds fixed.
fn series_label(c: &CellSummary, x: &Axis, fixed: &[(Axis, String)]) -> String {
    let mut label = c.model.clone();
    for (k, v) in metric::axis_values(c) {
        if k != *x && !fixed.iter().any(|(f, _)| *f == k) {
            label.push_str(&format!(" {k}={v}"));
        }
    }
    label
}

fn build_series<'a>(
    cells: &[&'a CellSummary],
    x: &Axis,
    fixed: &[(Axis, String)],
    styles: &Styles,
) -> Vec<Series<'a>> {
    let mut series: Vec<Series> = Vec::new();
    for &c in cells {
        let label = series_label(c, x, fixed);
        let xv = metric::axis_number(c, x);
        match series.iter_mut().find(|s| s.label == label) {
            Some(s) => s.points.push((xv, c)),
            None => {
                let nth = series.iter().filter(|s| s.model == c.model).count();
                series.push(Series {
                    model: c.model.clone(),
                    label,
                    points: vec![(xv, c)],
                    style: styles.variant(&c.model, nth),
                })
            }
        }
    }
    for s in &mut series {
        s.points
            .sort_by(|a, b| a.0.unwrap_or(0.0).total_cmp(&b.0.unwrap_or(0.0)));
    }
    series
}

/// Draws the chart of `chart.metric` against axis `x`.
pub fn draw<DB: DrawingBackend>(
    c: &Canvas<DB>,
    chart: &MetricChart,
    x: &Axis,
    cells: &[&CellSummary],
    all: &[CellSummary],
    styles: &Styles,
) -> Result<(), ChartError> {
    let m = chart.metric;
    let measured: Vec<&CellSummary> = cells
        .iter()
        .copied()
        .filter(|cell| m.value(cell).is_some())
        .collect();
    let left_out = cells.len() - measured.len();
    let series = build_series(&measured, x, &chart.fixed, styles);

    // x axis: its unit, its scale.
    let xs_ms: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().filter_map(|p| p.0))
        .collect();
    let x_unit = TimeUnit::for_max(xs_ms.iter().copied().fold(0.0, f64::max), true);
    let x_factor = if x.field.is_duration() {
        x_unit.per_ms()
    } else {
        1.0
    };
    let xs: Vec<f64> = xs_ms.iter().map(|v| v * x_factor).collect();
    let log_x =
        chart.log_x.unwrap_or_else(|| spans_two_decades(&xs)) && xs.iter().any(|v| *v > 0.0);
    let (x_min, x_max) = min_max(xs.iter().copied().filter(|v| !log_x || *v > 0.0));
    let x_scale = if log_x {
        Scale::logarithmic(x_min, x_max)
    } else {
        Scale::linear(x_min, x_max, false)
    };

    // y axis: everything drawn must fit.
    let mut ys: Vec<f64> = Vec::new();
    for s in &series {
        for (_, cell) in &s.points {
            ys.extend(m.value(cell));
            if let Some((lo, hi)) = m.spread(cell) {
                ys.extend([lo, hi]);
            }
            if chart.predictions {
                ys.extend(m.predicted(cell, all));
            }
        }
    }
    let baselines = baseline_lines(m, &measured, x, x_factor);
    ys.extend(baselines.iter().flat_map(|b| b.iter().map(|p| p.1)));
    if let Some((v, _)) = m.reference() {
        ys.push(v);
    }
    let y_unit = TimeUnit::for_max(ys.iter().copied().fold(0.0, f64::max), false);
    let y_factor = if m.is_time() { y_unit.per_ms() } else { 1.0 };
    let positive: Vec<f64> = ys
        .iter()
        .map(|v| v * y_factor)
        .filter(|v| *v > 0.0)
        .collect();
    // Speedups of an axis over decades span decades too: a log axis by
    // default shows 0.9× and 500× alike. Times stay linear unless asked.
    let log_y =
        chart.log_y || (m.y == crate::config::ChartY::Speedup && spans_two_decades(&positive));
    let y_scale = if log_y {
        let (lo, hi) = min_max(positive.iter().copied());
        Scale::logarithmic(lo, hi)
    } else {
        let (_, hi) = min_max(ys.iter().map(|v| v * y_factor));
        Scale::linear(0.0, hi, true)
    };

    let first = cells.first();
    let mut subtitle = chart.fixed_subtitle(first.copied());
    let n = measured.iter().map(|c| c.n).max().unwrap_or(0);
    subtitle.push_str(&format!(
        "{}median of {n} run{}",
        if subtitle.is_empty() { "" } else { " · " },
        if n == 1 { "" } else { "s" }
    ));
    if m.spread_shown() {
        subtitle.push_str(", error bars min–max");
    }
    let mut legend: Vec<Entry> = series
        .iter()
        .map(|s| {
            Entry::new(
                Symbol::Line {
                    color: s.style.color,
                    dash: Dash::Solid,
                    marker: Some(s.style.marker),
                },
                s.label.clone(),
            )
        })
        .collect();
    let show_predictions = chart.predictions
        && series
            .iter()
            .any(|s| s.points.iter().any(|(_, c)| m.predicted(c, all).is_some()));
    legend.extend(m.reference_entries(
        !baselines.is_empty(),
        show_predictions.then_some((color::MUTED, "prediction (dotted, in the model's colour)")),
        left_out,
    ));
    let workload = first.map_or("", |c| c.workload.as_str());
    let frame = Frame {
        title: chart
            .title
            .clone()
            .unwrap_or_else(|| format!("{} · {workload}", m.title())),
        subtitle,
        x: {
            let mut axis = Dimension::numeric(x_scale, x.title(x_unit.symbol()));
            if !x.field.is_duration() {
                // Counts (tasks, rounds, workers) have no halves.
                axis.ticks.retain(|t| t.value.fract() == 0.0);
            }
            axis
        },
        y: Dimension::numeric(y_scale, m.axis_title(y_unit.symbol())),
        legend,
        y_down: false,
    };
    let plot = frame.draw(c)?;
    let shows = |x: f64, y: f64| x_scale.shows(x) && y_scale.shows(y);

    for line in &baselines {
        let pts: Vec<(i32, i32)> = line
            .iter()
            .map(|(bx, by)| (*bx, by * y_factor))
            .filter(|(bx, by)| shows(*bx, *by))
            .map(|(bx, by)| plot.at(bx, by))
            .collect();
        if let [(_, py)] = pts[..] {
            c.reference(&[(plot.area.left, py), (plot.area.right, py)])?;
        } else {
            c.reference(&pts)?;
        }
    }
    if let Some((v, _)) = m.reference()
        && y_scale.shows(v)
    {
        let y = plot.y_px(v);
        c.reference(&[(plot.area.left, y), (plot.area.right, y)])?;
    }
    if show_predictions {
        for s in &series {
            let pts = s.line(
                |cell| m.predicted(cell, all),
                x_factor,
                y_factor,
                &plot,
                &shows,
            );
            c.dashed(&pts, s.style.color, 1.5, 2.0, 4.0)?;
        }
    }
    for s in &series {
        let pts = s.line(|cell| m.value(cell), x_factor, y_factor, &plot, &shows);
        c.line(&pts, s.style.color, 2.5)?;
        for (xv, cell) in &s.points {
            let (Some(xv), Some(v)) = (xv, m.value(cell)) else {
                continue;
            };
            let xv = xv * x_factor;
            if !shows(xv, v * y_factor) {
                continue;
            }
            if let Some((lo, hi)) = m.spread(cell) {
                let px = plot.x_px(xv);
                let (ylo, yhi) = (plot.y_px(lo * y_factor), plot.y_px(hi * y_factor));
                let cap = c.px(5.0);
                c.line(&[(px, ylo), (px, yhi)], s.style.color, 1.5)?;
                c.line(&[(px - cap, ylo), (px + cap, ylo)], s.style.color, 1.5)?;
                c.line(&[(px - cap, yhi), (px + cap, yhi)], s.style.color, 1.5)?;
            }
            c.marker(
                s.style.marker,
                plot.at(xv, v * y_factor),
                11.0,
                s.style.color,
            )?;
        }
        // A model the x axis does not apply to: a flat line, marker mid-way.
        if s.points.iter().all(|p| p.0.is_none())
            && let Some(v) = s.points.first().and_then(|p| m.value(p.1))
        {
            let y = plot.y_px(v * y_factor);
            let mid = (plot.area.left + plot.area.right) / 2;
            c.marker(s.style.marker, (mid, y), 11.0, s.style.color)?;
        }
    }
    Ok(())
}

impl Series<'_> {
    /// Pixel points of `value` along the series; a flat line across the
    /// plot for a series without x values.
    fn line(
        &self,
        value: impl Fn(&CellSummary) -> Option<f64>,
        x_factor: f64,
        y_factor: f64,
        plot: &PlotArea,
        shows: &dyn Fn(f64, f64) -> bool,
    ) -> Vec<(i32, i32)> {
        if self.points.iter().all(|p| p.0.is_none()) {
            return match self.points.first().and_then(|p| value(p.1)) {
                Some(v) if plot.y.shows(v * y_factor) => {
                    let y = plot.y_px(v * y_factor);
                    vec![(plot.area.left, y), (plot.area.right, y)]
                }
                _ => Vec::new(),
            };
        }
        self.points
            .iter()
            .filter_map(|(xv, cell)| Some((xv.as_ref()? * x_factor, value(cell)? * y_factor)))
            .filter(|(xv, v)| shows(*xv, *v))
            .map(|(xv, v)| plot.at(xv, v))
            .collect()
    }
}

/// The baseline against x for every combination of the other workload
/// axes, in ms; lines that are zero throughout are left out (a pure CPU
/// workload has no IO to wait for).
fn baseline_lines(
    m: Metric,
    cells: &[&CellSummary],
    x: &Axis,
    x_factor: f64,
) -> Vec<Vec<(f64, f64)>> {
    let mut groups: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    for &c in cells {
        let (Some(b), Some(xv)) = (m.baseline(c), metric::axis_number(c, x)) else {
            continue;
        };
        let key: String = metric::axis_values(c)
            .into_iter()
            .filter(|(k, _)| k != x && k.field.of_workload())
            .map(|(k, v)| format!("{k}={v} "))
            .collect();
        let point = (xv * x_factor, b);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, pts)) => {
                if !pts.iter().any(|p| p.0 == point.0) {
                    pts.push(point);
                }
            }
            None => groups.push((key, vec![point])),
        }
    }
    groups
        .into_iter()
        .map(|(_, mut pts)| {
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            pts
        })
        .filter(|pts| pts.iter().any(|p| p.1 > 0.0))
        .collect()
}
