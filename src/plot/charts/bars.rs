//! A measurement of a workload that has no sweep axis: a grouped bar chart,
//! a group per model and a bar per variant, with min–max error bars, the
//! value over each bar, the baseline as a dashed horizontal line and each
//! prediction as a dotted mark across its bar (the note's 3-task case).

use plotters::prelude::DrawingBackend;

use crate::plot::kit::{
    Anchor, Canvas, ChartError, Dimension, Entry, Frame, Rect, Scale, SeriesStyle, Styles, Symbol,
    TICK_SIZE, TimeUnit, color, min_max,
};
use crate::results::CellSummary;

use crate::plot::plan::MetricChart;

struct Bar<'a> {
    cell: &'a CellSummary,
    label: String,
    style: SeriesStyle,
}

struct Group<'a> {
    model: String,
    bars: Vec<Bar<'a>>,
}

pub fn draw<DB: DrawingBackend>(
    c: &Canvas<DB>,
    chart: &MetricChart,
    cells: &[&CellSummary],
    all: &[CellSummary],
    styles: &Styles,
) -> Result<(), ChartError> {
    let m = chart.metric;
    let mut groups: Vec<Group> = Vec::new();
    let mut left_out = 0;
    for &cell in cells {
        if m.value(cell).is_none() {
            left_out += 1;
            continue;
        }
        let group = match groups.iter().position(|g| g.model == cell.model) {
            Some(i) => &mut groups[i],
            None => {
                groups.push(Group {
                    model: cell.model.clone(),
                    bars: Vec::new(),
                });
                let last = groups.len() - 1;
                &mut groups[last]
            }
        };
        let nth = group.bars.len();
        group.bars.push(Bar {
            cell,
            // Results of several machines: a bar per machine.
            label: match &cell.machine {
                Some(m) => format!("{} · {m}", cell.variant),
                None => cell.variant.clone(),
            },
            style: styles.variant(&cell.model, nth),
        });
    }
    let bars = || groups.iter().flat_map(|g| g.bars.iter());
    let mut ys: Vec<f64> = Vec::new();
    for b in bars() {
        ys.extend(m.value(b.cell));
        if let Some((lo, hi)) = m.spread(b.cell) {
            ys.extend([lo, hi]);
        }
        if chart.predictions {
            ys.extend(m.predicted(b.cell, all));
        }
    }
    let baseline = bars()
        .filter_map(|b| m.baseline(b.cell))
        .fold(0.0, f64::max);
    ys.push(baseline);
    if let Some((v, _)) = m.reference() {
        ys.push(v);
    }
    let unit = TimeUnit::for_max(ys.iter().copied().fold(0.0, f64::max), false);
    let f = if m.is_time() { unit.per_ms() } else { 1.0 };
    let y_scale = if chart.log_y == Some(true) {
        let (lo, hi) = min_max(ys.iter().map(|v| v * f).filter(|v| *v > 0.0));
        Scale::logarithmic(lo, hi * 1.15)
    } else {
        let (_, hi) = min_max(ys.iter().map(|v| v * f));
        // Room over the tallest bar for its value.
        Scale::linear(0.0, hi * 1.08, true)
    };

    let mut legend: Vec<Entry> = Vec::new();
    let many_variants = groups.iter().any(|g| g.bars.len() > 1);
    for b in bars() {
        legend.push(Entry::new(Symbol::Swatch(b.style.color), b.label.clone()));
    }
    let show_predictions = chart.predictions && bars().any(|b| m.predicted(b.cell, all).is_some());
    legend.extend(m.reference_entries(
        baseline > 0.0,
        show_predictions.then_some((color::TEXT, "prediction (dotted, across its bar)")),
        left_out,
    ));
    let first = cells.first();
    let n = bars().map(|b| b.cell.n).max().unwrap_or(0);
    let mut subtitle = chart.fixed_subtitle(first.copied());
    subtitle.push_str(&format!(
        " · median of {n} run{}",
        if n == 1 { "" } else { "s" }
    ));
    if m.spread_shown() {
        subtitle.push_str(", error bars min–max");
    }
    let names: Vec<String> = groups.iter().map(|g| g.model.clone()).collect();
    let frame = Frame {
        title: chart.title.clone().unwrap_or_else(|| {
            format!(
                "{} · {}",
                m.title(),
                first.map_or("", |c| c.workload.as_str())
            )
        }),
        subtitle,
        x: Dimension::categories(
            &names,
            if many_variants {
                "model (bars: variants)"
            } else {
                "model"
            },
        ),
        y: Dimension::numeric(y_scale, m.axis_title(unit.symbol())),
        legend,
        y_down: false,
    };
    let plot = frame.draw(c)?;
    let group_w = plot.area.width() as f64 / groups.len().max(1) as f64;
    let floor = if y_scale.log { y_scale.lo } else { 0.0 };
    for (gi, g) in groups.iter().enumerate() {
        let inner = group_w * 0.72;
        let bar_w = inner / g.bars.len() as f64;
        let x0 = plot.area.left as f64 + group_w * gi as f64 + (group_w - inner) / 2.0;
        for (bi, b) in g.bars.iter().enumerate() {
            let Some(v) = m.value(b.cell) else { continue };
            let left = (x0 + bar_w * bi as f64 + bar_w * 0.06).round() as i32;
            let right = (x0 + bar_w * (bi + 1) as f64 - bar_w * 0.06).round() as i32;
            let top = plot.y_px(v * f);
            c.rect(
                Rect {
                    left,
                    top,
                    right,
                    bottom: plot.y_px(floor),
                },
                b.style.color,
            )?;
            let mid = (left + right) / 2;
            let mut label_y = top;
            if let Some((lo, hi)) = m.spread(b.cell) {
                let (ylo, yhi) = (plot.y_px(lo * f), plot.y_px(hi * f));
                let cap = c.px(7.0).min((right - left) / 3);
                c.line(&[(mid, ylo), (mid, yhi)], color::TEXT, 1.5)?;
                c.line(&[(mid - cap, ylo), (mid + cap, ylo)], color::TEXT, 1.5)?;
                c.line(&[(mid - cap, yhi), (mid + cap, yhi)], color::TEXT, 1.5)?;
                label_y = label_y.min(yhi);
            }
            if show_predictions
                && let Some(p) = m.predicted(b.cell, all).filter(|p| y_scale.shows(p * f))
            {
                let y = plot.y_px(p * f);
                let ext = c.px(6.0);
                c.dashed(
                    &[(left - ext, y), (right + ext, y)],
                    color::TEXT,
                    2.0,
                    2.0,
                    3.0,
                )?;
                if y < label_y + c.px(4.0) && y > label_y - c.px(24.0) {
                    label_y = y;
                }
            }
            let text = m.format(v * if m.is_time() { 1.0 } else { f });
            c.text(
                &c.fit(&text, TICK_SIZE, right - left + c.px(30.0)),
                (mid, label_y - c.px(6.0)),
                TICK_SIZE,
                color::TEXT,
                Anchor::Bottom,
            )?;
        }
    }
    if baseline > 0.0 && y_scale.shows(baseline * f) {
        let y = plot.y_px(baseline * f);
        c.reference(&[(plot.area.left, y), (plot.area.right, y)])?;
    }
    if let Some((v, _)) = m.reference()
        && y_scale.shows(v)
    {
        let y = plot.y_px(v);
        c.reference(&[(plot.area.left, y), (plot.area.right, y)])?;
    }
    Ok(())
}
