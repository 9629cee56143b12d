//! The parts every chart shares: title and subtitle, axes with ticks, grid
//! and titles, and a legend in its own column right of the plot, so that it
//! never covers data. [`Frame::draw`] lays them out from the sizes of the
//! texts and returns where the data goes.

use plotters::prelude::DrawingBackend;
use plotters::style::RGBColor;

use super::axis::{Scale, Tick};
use super::canvas::{Anchor, Canvas, Rect};
use super::style::{self, Marker};
use crate::plot::ChartError;

pub const TITLE_SIZE: f64 = 26.0;
pub const SUBTITLE_SIZE: f64 = 16.0;
pub const AXIS_TITLE_SIZE: f64 = 18.0;
pub const TICK_SIZE: f64 = 15.0;
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
                color: style::REFERENCE,
                dash: Dash::Dashed,
                marker: None,
            },
            label,
        )
    }
}

/// One axis: its scale, its ticks (in scale values), its title.
#[derive(Clone, Debug)]
pub struct Dimension {
    pub scale: Scale,
    pub ticks: Vec<Tick>,
    pub title: String,
    /// Draw grid lines at the ticks (not for category axes).
    pub grid: bool,
}

impl Dimension {
    pub fn numeric(scale: Scale, title: impl Into<String>) -> Dimension {
        Dimension {
            scale,
            ticks: scale.ticks(7),
            title: title.into(),
            grid: true,
        }
    }

    /// Categories at 0, 1, 2, …, labelled in order.
    pub fn categories(labels: &[String], title: impl Into<String>) -> Dimension {
        Dimension {
            scale: Scale {
                lo: -0.5,
                hi: labels.len() as f64 - 0.5,
                log: false,
            },
            ticks: labels
                .iter()
                .enumerate()
                .map(|(i, l)| Tick {
                    value: i as f64,
                    label: Some(l.clone()),
                })
                .collect(),
            title: title.into(),
            grid: false,
        }
    }
}

/// Everything around the data.
pub struct Frame {
    pub title: String,
    pub subtitle: String,
    pub x: Dimension,
    pub y: Dimension,
    pub legend: Vec<Entry>,
    /// Category labels on y read top to bottom (rows), not bottom to top.
    pub y_down: bool,
}

/// Where the data goes, once the frame is drawn.
#[derive(Clone, Debug)]
pub struct Plot {
    pub area: Rect,
    pub x: Scale,
    pub y: Scale,
    pub y_down: bool,
}

impl Plot {
    pub fn x_px(&self, x: f64) -> i32 {
        let f = self.x.fraction(x).clamp(-0.05, 1.05);
        self.area.left + (f * self.area.width() as f64).round() as i32
    }

    pub fn y_px(&self, y: f64) -> i32 {
        let f = self.y.fraction(y).clamp(-0.05, 1.05);
        if self.y_down {
            self.area.top + (f * self.area.height() as f64).round() as i32
        } else {
            self.area.bottom - (f * self.area.height() as f64).round() as i32
        }
    }

    pub fn at(&self, x: f64, y: f64) -> (i32, i32) {
        (self.x_px(x), self.y_px(y))
    }
}

/// Draws a legend symbol in a box `w` wide centred vertically on `y`.
pub fn draw_symbol<DB: DrawingBackend>(
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

impl Frame {
    fn legend_width<DB: DrawingBackend>(&self, c: &Canvas<DB>) -> i32 {
        if self.legend.is_empty() {
            return 0;
        }
        let widest = self
            .legend
            .iter()
            .map(|e| {
                let symbol = if e.symbol == Symbol::Note {
                    0
                } else {
                    c.px(48.0)
                };
                symbol + c.text_width(&e.label, LEGEND_SIZE)
            })
            .max()
            .unwrap_or(0);
        (widest + c.px(28.0)).min(c.width * 34 / 100)
    }

    /// Draws title, axes and legend; returns where the data goes.
    pub fn draw<DB: DrawingBackend>(&self, c: &Canvas<DB>) -> Result<Plot, ChartError> {
        let margin = c.px(16.0);
        let mut top = margin;
        let title = self.title.as_str();
        c.text(
            &c.fit(title, TITLE_SIZE, c.width - 2 * margin),
            (c.width / 2, top),
            TITLE_SIZE,
            style::TEXT,
            Anchor::Top,
        )?;
        top += c.px(TITLE_SIZE * 1.15);
        if !self.subtitle.is_empty() {
            top += c.px(6.0);
            c.text(
                &c.fit(&self.subtitle, SUBTITLE_SIZE, c.width - 2 * margin),
                (c.width / 2, top),
                SUBTITLE_SIZE,
                style::MUTED,
                Anchor::Top,
            )?;
            top += c.px(SUBTITLE_SIZE * 1.15);
        }
        top += c.px(22.0);

        let legend_w = self.legend_width(c);
        let y_labels: Vec<&str> = self
            .y
            .ticks
            .iter()
            .filter_map(|t| t.label.as_deref())
            .collect();
        let max_y_label = c.width * 30 / 100;
        let y_label_w = y_labels
            .iter()
            .map(|l| c.text_width(l, TICK_SIZE))
            .max()
            .unwrap_or(0)
            .min(max_y_label);
        let y_title_w = if self.y.title.is_empty() {
            0
        } else {
            c.px(AXIS_TITLE_SIZE * 1.2) + c.px(10.0)
        };
        let left = margin + y_title_w + y_label_w + c.px(12.0);
        let right = c.width
            - margin
            - if legend_w > 0 {
                legend_w + c.px(20.0)
            } else {
                0
            };
        let x_title_h = if self.x.title.is_empty() {
            0
        } else {
            c.px(AXIS_TITLE_SIZE * 1.2) + c.px(8.0)
        };
        let bottom = c.height - margin - x_title_h - c.px(TICK_SIZE * 1.2) - c.px(12.0);
        let area = Rect {
            left,
            top,
            right: right.max(left + 10),
            bottom: bottom.max(top + 10),
        };
        let plot = Plot {
            area,
            x: self.x.scale,
            y: self.y.scale,
            y_down: self.y_down,
        };

        // Grid first, so data and axes go over it.
        for t in &self.y.ticks {
            if !self.y.grid || !plot.y.shows(t.value) {
                continue;
            }
            let y = plot.y_px(t.value);
            let color = if t.label.is_some() {
                style::GRID
            } else {
                style::GRID_MINOR
            };
            c.line(&[(area.left, y), (area.right, y)], color, 1.0)?;
        }
        for t in &self.x.ticks {
            if !self.x.grid || !plot.x.shows(t.value) {
                continue;
            }
            let x = plot.x_px(t.value);
            let color = if t.label.is_some() {
                style::GRID
            } else {
                style::GRID_MINOR
            };
            c.line(&[(x, area.top), (x, area.bottom)], color, 1.0)?;
        }
        c.line(
            &[
                (area.left, area.top),
                (area.left, area.bottom),
                (area.right, area.bottom),
            ],
            style::AXIS,
            1.0,
        )?;

        let tick = c.px(5.0);
        for t in &self.y.ticks {
            let Some(label) = &t.label else { continue };
            if !plot.y.shows(t.value) {
                continue;
            }
            let y = plot.y_px(t.value);
            c.line(&[(area.left - tick, y), (area.left, y)], style::AXIS, 1.0)?;
            c.text(
                &c.fit(label, TICK_SIZE, max_y_label),
                (area.left - tick - c.px(4.0), y),
                TICK_SIZE,
                style::TEXT,
                Anchor::Right,
            )?;
        }
        let x_labelled: Vec<&Tick> = self.x.ticks.iter().filter(|t| t.label.is_some()).collect();
        let slot = if self.x.grid {
            i32::MAX
        } else {
            (area.width() / x_labelled.len().max(1) as i32 - c.px(6.0)).max(c.px(20.0))
        };
        for t in x_labelled {
            let Some(label) = &t.label else { continue };
            if !plot.x.shows(t.value) {
                continue;
            }
            let x = plot.x_px(t.value);
            c.line(
                &[(x, area.bottom), (x, area.bottom + tick)],
                style::AXIS,
                1.0,
            )?;
            c.text(
                &c.fit(label, TICK_SIZE, slot),
                (x, area.bottom + tick + c.px(5.0)),
                TICK_SIZE,
                style::TEXT,
                Anchor::Top,
            )?;
        }
        if !self.x.title.is_empty() {
            c.text(
                &c.fit(&self.x.title, AXIS_TITLE_SIZE, area.width()),
                ((area.left + area.right) / 2, c.height - margin),
                AXIS_TITLE_SIZE,
                style::TEXT,
                Anchor::Bottom,
            )?;
        }
        if !self.y.title.is_empty() {
            c.text_up(
                &c.fit(&self.y.title, AXIS_TITLE_SIZE, area.height()),
                (
                    margin + c.px(AXIS_TITLE_SIZE * 0.6),
                    (area.top + area.bottom) / 2,
                ),
                AXIS_TITLE_SIZE,
                style::TEXT,
            )?;
        }
        if legend_w > 0 {
            draw_legend(
                c,
                &self.legend,
                Rect {
                    left: area.right + c.px(20.0),
                    top: area.top,
                    right: c.width - margin,
                    bottom: c.height - margin,
                },
            )?;
        }
        Ok(plot)
    }
}

/// Draws legend entries top-down in `r`, long labels on up to three
/// lines, smaller if they do not fit, and says how many were left out if
/// even that is not enough.
pub fn draw_legend<DB: DrawingBackend>(
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
                style::MUTED,
                Anchor::Left,
            )?;
            break;
        }
        let color = if e.symbol == Symbol::Note {
            style::MUTED
        } else {
            draw_symbol(c, e.symbol, r.left, y + line_h(size) / 2, symbol_w)?;
            style::TEXT
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
