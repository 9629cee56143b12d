//! A measurement against a workload's sweep axis: one line per model
//! variant with markers and min–max error bars, the baseline as a dashed
//! line, each model's prediction as a thin dotted line in its colour. The
//! default wall-time, speedup and efficiency charts of swept workloads.

use plotters::prelude::DrawingBackend;

use crate::config::Axis;
use crate::plot::kit::{
    Anchor, Canvas, ChartError, Dash, Dimension, Entry, Frame, PlotArea, Scale, SeriesStyle,
    Styles, Symbol, TimeUnit, color, min_max, spans_two_decades,
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

/// The series key of a cell: its model, every swept field except x and
/// those the chart holds fixed, and its machine (results of several).
fn series_label(c: &CellSummary, x: &Axis, fixed: &[(Axis, String)]) -> String {
    let mut label = c.model.clone();
    for (k, v) in metric::axis_values(c) {
        if k != *x && !fixed.iter().any(|(f, _)| *f == k) {
            label.push_str(&format!(" {k}={v}"));
        }
    }
    if let Some(m) = &c.machine {
        label.push_str(&format!(" · {m}"));
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
    // Medians over two decades or more (1 ms to 1 s; 0.9× to 500×) take a
    // log axis, as x does: on a linear one the small ones lie flat on it.
    let medians: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().filter_map(|(_, cell)| m.value(cell)))
        .map(|v| v * y_factor)
        .collect();
    let log_y = chart.log_y.unwrap_or_else(|| spans_two_decades(&medians));
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
    let mut ends: Vec<Option<(i32, i32)>> = Vec::with_capacity(series.len());
    for s in &series {
        let pts = s.line(|cell| m.value(cell), x_factor, y_factor, &plot, &shows);
        c.line(&pts, s.style.color, 2.5)?;
        ends.push(if s.points.iter().any(|p| p.0.is_some()) {
            pts.last().copied()
        } else {
            None
        });
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
    label_ends(c, &plot, &series, &ends)
}

const END_LABEL_SIZE: f64 = 14.0;

/// Lines that end on top of each other are named at their right end: the
/// labels stacked left of the ends, each in its line's colour (no box
/// behind them, so the lines' ends stay in sight).
fn label_ends<DB: DrawingBackend>(
    c: &Canvas<DB>,
    plot: &PlotArea,
    series: &[Series],
    ends: &[Option<(i32, i32)>],
) -> Result<(), ChartError> {
    let line_h = c.px(END_LABEL_SIZE * 1.3);
    let places = stacked_labels(
        ends,
        c.px(8.0),
        line_h,
        (plot.area.top + line_h / 2, plot.area.bottom - line_h / 2),
    );
    for ((s, end), place) in series.iter().zip(ends).zip(places) {
        let (Some((x, _)), Some(y)) = (end, place) else {
            continue;
        };
        let right = x - c.px(12.0);
        c.text(
            &s.label,
            (right, y),
            END_LABEL_SIZE,
            s.style.color,
            Anchor::Right,
        )?;
    }
    Ok(())
}

/// Where to write the labels of lines ending at `ends` (pixels): for
/// each line whose end is within `near` pixels across and a label's
/// height `line_h` up or down of another's, the height of its label;
/// the labels of such a group stacked in the order of their ends, centred
/// on them and kept within `(top, bottom)`. Lines ending apart get none.
fn stacked_labels(
    ends: &[Option<(i32, i32)>],
    near: i32,
    line_h: i32,
    (top, bottom): (i32, i32),
) -> Vec<Option<i32>> {
    let mut order: Vec<(usize, (i32, i32))> = ends
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.map(|e| (i, e)))
        .collect();
    order.sort_by_key(|(i, (x, y))| (*x, *y, *i));
    let mut places = vec![None; ends.len()];
    let mut used = vec![false; order.len()];
    for a in 0..order.len() {
        if used[a] {
            continue;
        }
        // A group: every end chained to this one by ends close to each other.
        let mut group = vec![a];
        used[a] = true;
        let mut k = 0;
        while k < group.len() {
            let (_, (gx, gy)) = order[group[k]];
            for (b, (_, (x, y))) in order.iter().enumerate() {
                if !used[b] && (x - gx).abs() <= near && (y - gy).abs() < line_h {
                    used[b] = true;
                    group.push(b);
                }
            }
            k += 1;
        }
        if group.len() < 2 {
            continue;
        }
        group.sort_by_key(|&g| (order[g].1.1, order[g].0));
        let n = group.len() as i32;
        let centre = group.iter().map(|&g| order[g].1.1).sum::<i32>() / n;
        let span = (n - 1) * line_h;
        let first = (centre - span / 2).min(bottom - span).max(top);
        for (j, &g) in group.iter().enumerate() {
            places[order[g].0] = Some(first + j as i32 * line_h);
        }
    }
    places
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lines_ending_on_top_of_each_other_are_labelled() {
        // Two lines end at the same pixel, a third far below, a fourth has
        // no end.
        let ends = [Some((500, 100)), Some((500, 104)), Some((500, 300)), None];
        let places = stacked_labels(&ends, 8, 20, (10, 390));
        assert_eq!(places[2], None);
        assert_eq!(places[3], None);
        let (a, b) = (places[0].unwrap_or(0), places[1].unwrap_or(0));
        assert_eq!(b - a, 20, "{places:?}");
        assert_eq!((a + b) / 2, 102, "{places:?}");
    }

    #[test]
    fn a_stack_of_labels_stays_in_the_plot() {
        let ends = [Some((500, 385)), Some((500, 388)), Some((500, 390))];
        let places = stacked_labels(&ends, 8, 20, (10, 390));
        assert_eq!(places, vec![Some(350), Some(370), Some(390)]);
        // Ends apart across are not a group, however close in height.
        let ends = [Some((100, 50)), Some((500, 50))];
        assert_eq!(stacked_labels(&ends, 8, 20, (10, 390)), vec![None, None]);
    }
}
