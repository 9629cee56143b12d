//! The legend: entries of a symbol (a line with its dash and marker, a
//! colour swatch, or nothing for a note) and a label, drawn top-down in a
//! column of their own beside the plot, so that they never cover data.

use plotters::prelude::DrawingBackend;
use plotters::style::RGBColor;

use super::canvas::{Anchor, Canvas};
use super::color;
use super::error::ChartError;
use super::marker::Marker;
use super::rect::Rect;

/// The size of a legend entry's text.
pub const LEGEND_SIZE: f64 = 16.0;

/// How a line is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dash {
    Solid,
    Dashed,
    Dotted,
}

/// What a legend entry shows left of its label.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Symbol {
    Line {
        color: RGBColor,
        dash: Dash,
        marker: Option<Marker>,
    },
    Swatch(RGBColor),
    /// Text only: a note on how to read the chart.
    Note,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub symbol: Symbol,
    pub label: String,
}

impl Entry {
    pub fn new(symbol: Symbol, label: impl Into<String>) -> Entry {
        Entry {
            symbol,
            label: label.into(),
        }
    }

    /// A dashed grey line: a reference such as the baseline.
    pub fn reference(label: impl Into<String>) -> Entry {
        Entry::new(
            Symbol::Line {
                color: color::REFERENCE,
                dash: Dash::Dashed,
                marker: None,
            },
            label,
        )
    }
}

/// Draws a legend symbol in a box `w` wide centred vertically on `y`.
fn draw_symbol<DB: DrawingBackend>(
    c: &Canvas<DB>,
    symbol: Symbol,
    x: i32,
    y: i32,
    w: i32,
) -> Result<(), ChartError> {
    match symbol {
        Symbol::Line {
            color,
            dash,
            marker,
        } => {
            let pts = [(x, y), (x + w, y)];
            match dash {
                Dash::Solid => c.line(&pts, color, 2.5)?,
                Dash::Dashed => c.dashed(&pts, color, 2.0, 8.0, 5.0)?,
                Dash::Dotted => c.dashed(&pts, color, 1.5, 2.0, 4.0)?,
            }
            if let Some(m) = marker {
                c.marker(m, (x + w / 2, y), 11.0, color)?;
            }
            Ok(())
        }
        Symbol::Swatch(color) => {
            let h = c.px(7.0);
            c.rect(
                Rect {
                    left: x + w / 2 - c.px(11.0),
                    top: y - h,
                    right: x + w / 2 + c.px(11.0),
                    bottom: y + h,
                },
                color,
            )
        }
        Symbol::Note => Ok(()),
    }
}

/// Draws legend entries top-down in `r`, long labels on up to three
/// lines, smaller if they do not fit, and says how many were left out if
/// even that is not enough.
pub fn draw<DB: DrawingBackend>(
    c: &Canvas<DB>,
    entries: &[Entry],
    r: Rect,
) -> Result<(), ChartError> {
    let symbol_w = c.px(40.0);
    let text_left = |e: &Entry| {
        if e.symbol == Symbol::Note {
            r.left
        } else {
            r.left + symbol_w + c.px(8.0)
        }
    };
    let layout = |size: f64| -> Vec<Vec<String>> {
        entries
            .iter()
            .map(|e| c.wrap(&e.label, size, r.right - text_left(e), 3))
            .collect()
    };
    let line_h = |size: f64| c.px(size * 1.25).max(1);
    let gap = |size: f64| c.px(size * 0.45).max(1);
    let height = |lines: &[Vec<String>], size: f64| -> i32 {
        lines
            .iter()
            .map(|l| l.len() as i32 * line_h(size) + gap(size))
            .sum()
    };
    let mut size = LEGEND_SIZE;
    let mut lines = layout(size);
    while size > 11.0 && height(&lines, size) > r.height() {
        size -= 1.0;
        lines = layout(size);
    }
    let mut y = r.top;
    for (i, (e, text)) in entries.iter().zip(&lines).enumerate() {
        let h = text.len() as i32 * line_h(size);
        if y + h + line_h(size) > r.bottom && i + 1 < entries.len() {
            c.text(
                &format!("… and {} more", entries.len() - i),
                (r.left, y + line_h(size) / 2),
                size,
                color::MUTED,
                Anchor::Left,
            )?;
            break;
        }
        let color = if e.symbol == Symbol::Note {
            color::MUTED
        } else {
            draw_symbol(c, e.symbol, r.left, y + line_h(size) / 2, symbol_w)?;
            color::TEXT
        };
        for (k, line) in text.iter().enumerate() {
            c.text(
                line,
                (text_left(e), y + line_h(size) / 2 + k as i32 * line_h(size)),
                size,
                color,
                Anchor::Left,
            )?;
        }
        y += h + gap(size);
    }
    Ok(())
}
