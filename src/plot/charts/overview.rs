//! One figure for the whole experiment: a grid of workload points (rows)
//! × model variants (columns), each square coloured by the speedup over
//! `sequential` (blue faster, vermillion slower, white the same) and
//! labelled with it; by efficiency against the prediction when the
//! experiment has no `sequential` model.

use plotters::prelude::DrawingBackend;
use plotters::style::RGBColor;

use crate::plot::kit::{
    Anchor, Canvas, ChartError, Rect, SUBTITLE_SIZE, TICK_SIZE, TITLE_SIZE, color,
};
use crate::results::CellSummary;

const FASTER: RGBColor = RGBColor(0x00, 0x72, 0xB2);
const SLOWER: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
const EMPTY: RGBColor = RGBColor(0xF0, 0xF0, 0xF0);

/// What the squares show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shown {
    Speedup,
    Efficiency,
}

fn color(shown: Shown, v: f64) -> RGBColor {
    match shown {
        Shown::Speedup => {
            let t = (v.log2() / 3.0).clamp(-1.0, 1.0);
            if t >= 0.0 {
                color::mix(color::WHITE, FASTER, t)
            } else {
                color::mix(color::WHITE, SLOWER, -t)
            }
        }
        Shown::Efficiency => color::mix(color::WHITE, FASTER, (v / 100.0).clamp(0.0, 1.0)),
    }
}

fn label(shown: Shown, v: f64) -> String {
    match shown {
        Shown::Speedup if v >= 10.0 => format!("{v:.0}×"),
        Shown::Speedup => format!("{v:.2}×"),
        Shown::Efficiency => format!("{v:.0} %"),
    }
}

pub fn draw<DB: DrawingBackend>(
    c: &Canvas<DB>,
    experiment: &str,
    cells: &[CellSummary],
) -> Result<(), ChartError> {
    let shown = if cells.iter().any(|c| c.speedup.is_some()) {
        Shown::Speedup
    } else {
        Shown::Efficiency
    };
    let value = |cell: &CellSummary| match shown {
        Shown::Speedup => cell.speedup,
        Shown::Efficiency => cell.efficiency.map(|e| e * 100.0),
    };
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut cols: Vec<String> = Vec::new();
    for cell in cells {
        let row = (cell.workload.clone(), cell.workload_point());
        if !rows.contains(&row) {
            rows.push(row);
        }
        if !cols.contains(&cell.variant) {
            cols.push(cell.variant.clone());
        }
    }
    if rows.is_empty() || cols.is_empty() {
        return Err(ChartError::NoData("the experiment has no cells".into()));
    }
    let margin = c.px(16.0);
    let over = crate::results::summary::speedup_over(cells);
    c.text(
        &c.fit(
            &match shown {
                Shown::Speedup => format!("Speedup over {over} · {experiment}"),
                Shown::Efficiency => format!("Efficiency against the prediction · {experiment}"),
            },
            TITLE_SIZE,
            c.width - 2 * margin,
        ),
        (c.width / 2, margin),
        TITLE_SIZE,
        color::TEXT,
        Anchor::Top,
    )?;
    c.text(
        &match shown {
            Shown::Speedup => format!(
                "median wall time of {over} / of the model, at the same workload point; blue is faster, vermillion slower"
            ),
            Shown::Efficiency => {
                "predicted / median wall time; 100 % is as fast as the model can be".to_string()
            }
        },
        (c.width / 2, margin + c.px(TITLE_SIZE * 1.15 + 6.0)),
        SUBTITLE_SIZE,
        color::MUTED,
        Anchor::Top,
    )?;
    let top = margin + c.px(TITLE_SIZE * 1.15 + SUBTITLE_SIZE * 1.15 + 26.0);
    let row_labels: Vec<String> = rows
        .iter()
        .map(|(w, p)| {
            if p.is_empty() {
                w.clone()
            } else {
                format!("{w} · {p}")
            }
        })
        .collect();
    let label_w = row_labels
        .iter()
        .map(|l| c.text_width(l, TICK_SIZE))
        .max()
        .unwrap_or(0)
        .min(c.width * 32 / 100);
    let left = margin + label_w + c.px(12.0);
    let right = c.width - margin;
    let header_h = c.px(TICK_SIZE * 2.6);
    let scale_h = c.px(56.0);
    let grid_top = top + header_h;
    let grid_bottom = c.height - margin - scale_h;
    let col_w = (right - left) / cols.len() as i32;
    let row_h = ((grid_bottom - grid_top) / rows.len() as i32).min(c.px(64.0));
    let text_size = (TICK_SIZE * (row_h as f64 / c.px(30.0) as f64)).clamp(9.0, TICK_SIZE);

    for (j, col) in cols.iter().enumerate() {
        let x = left + col_w * j as i32 + col_w / 2;
        let (first, second) = match col.split_once(' ') {
            Some((a, b)) => (a.to_string(), b.to_string()),
            None => (col.clone(), String::new()),
        };
        c.text(
            &c.fit(&first, TICK_SIZE, col_w - c.px(6.0)),
            (x, top),
            TICK_SIZE,
            color::TEXT,
            Anchor::Top,
        )?;
        c.text(
            &c.fit(&second, TICK_SIZE, col_w - c.px(6.0)),
            (x, top + c.px(TICK_SIZE * 1.25)),
            TICK_SIZE,
            color::MUTED,
            Anchor::Top,
        )?;
    }
    for (i, (row, text)) in rows.iter().zip(&row_labels).enumerate() {
        let y0 = grid_top + row_h * i as i32;
        c.text(
            &c.fit(text, text_size, label_w),
            (left - c.px(10.0), y0 + row_h / 2),
            text_size,
            color::TEXT,
            Anchor::Right,
        )?;
        for (j, col) in cols.iter().enumerate() {
            let x0 = left + col_w * j as i32;
            let r = Rect {
                left: x0 + 1,
                top: y0 + 1,
                right: x0 + col_w - 1,
                bottom: y0 + row_h - 1,
            };
            let cell = cells.iter().find(|cell| {
                cell.workload == row.0 && cell.workload_point() == row.1 && &cell.variant == col
            });
            let (fill, text) = match cell.and_then(value) {
                Some(v) => (color(shown, v), label(shown, v)),
                None => (
                    EMPTY,
                    if cell.is_some() {
                        "–".to_string()
                    } else {
                        String::new()
                    },
                ),
            };
            c.rect(r, fill)?;
            c.text(
                &text,
                ((r.left + r.right) / 2, (r.top + r.bottom) / 2),
                text_size,
                color::text_on(fill),
                Anchor::Center,
            )?;
        }
    }

    // The colour scale.
    let steps: Vec<(f64, String)> = match shown {
        Shown::Speedup => [0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0]
            .iter()
            .map(|&v| (v, label(shown, v).replace(".00", "")))
            .collect(),
        Shown::Efficiency => [0.0, 25.0, 50.0, 75.0, 100.0]
            .iter()
            .map(|&v| (v, label(shown, v)))
            .collect(),
    };
    let sw = c.px(70.0);
    let total = sw * steps.len() as i32;
    let y = c.height - margin - scale_h + c.px(16.0);
    let x_start = (c.width - total) / 2;
    for (k, (v, text)) in steps.iter().enumerate() {
        let x = x_start + sw * k as i32;
        c.rect(
            Rect {
                left: x,
                top: y,
                right: x + sw,
                bottom: y + c.px(14.0),
            },
            color(shown, *v),
        )?;
        c.text(
            text,
            (x + sw / 2, y + c.px(18.0)),
            TICK_SIZE * 0.9,
            color::TEXT,
            Anchor::Top,
        )?;
    }
    c.outline(
        Rect {
            left: x_start,
            top: y,
            right: x_start + total,
            bottom: y + c.px(14.0),
        },
        color::AXIS,
        1.0,
    )?;
    Ok(())
}
