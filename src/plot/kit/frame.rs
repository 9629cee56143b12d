//! The parts every chart shares: title and subtitle, axes with ticks, grid
//! and titles, and a legend in its own column right of the plot, so that it
//! never covers data. [`Frame::draw`] lays them out from the sizes of the
//! texts and returns where the data goes.

use plotters::prelude::DrawingBackend;

use super::canvas::{Anchor, Canvas};
use super::color;
use super::dimension::Dimension;
use super::error::ChartError;
use super::legend::{self, Entry, LEGEND_SIZE, Symbol};
use super::plot_area::PlotArea;
use super::rect::Rect;
use super::scale::Tick;

pub const TITLE_SIZE: f64 = 26.0;
pub const SUBTITLE_SIZE: f64 = 16.0;
pub const AXIS_TITLE_SIZE: f64 = 18.0;
pub const TICK_SIZE: f64 = 15.0;

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
    pub fn draw<DB: DrawingBackend>(&self, c: &Canvas<DB>) -> Result<PlotArea, ChartError> {
        let margin = c.px(16.0);
        let mut top = margin;
        let title = self.title.as_str();
        c.text(
            &c.fit(title, TITLE_SIZE, c.width - 2 * margin),
            (c.width / 2, top),
            TITLE_SIZE,
            color::TEXT,
            Anchor::Top,
        )?;
        top += c.px(TITLE_SIZE * 1.15);
        if !self.subtitle.is_empty() {
            top += c.px(6.0);
            c.text(
                &c.fit(&self.subtitle, SUBTITLE_SIZE, c.width - 2 * margin),
                (c.width / 2, top),
                SUBTITLE_SIZE,
                color::MUTED,
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
        let plot = PlotArea {
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
                color::GRID
            } else {
                color::GRID_MINOR
            };
            c.line(&[(area.left, y), (area.right, y)], color, 1.0)?;
        }
        for t in &self.x.ticks {
            if !self.x.grid || !plot.x.shows(t.value) {
                continue;
            }
            let x = plot.x_px(t.value);
            let color = if t.label.is_some() {
                color::GRID
            } else {
                color::GRID_MINOR
            };
            c.line(&[(x, area.top), (x, area.bottom)], color, 1.0)?;
        }
        c.line(
            &[
                (area.left, area.top),
                (area.left, area.bottom),
                (area.right, area.bottom),
            ],
            color::AXIS,
            1.0,
        )?;

        let tick = c.px(5.0);
        for t in &self.y.ticks {
            let Some(label) = &t.label else { continue };
            if !plot.y.shows(t.value) {
                continue;
            }
            let y = plot.y_px(t.value);
            c.line(&[(area.left - tick, y), (area.left, y)], color::AXIS, 1.0)?;
            c.text(
                &c.fit(label, TICK_SIZE, max_y_label),
                (area.left - tick - c.px(4.0), y),
                TICK_SIZE,
                color::TEXT,
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
                color::AXIS,
                1.0,
            )?;
            c.text(
                &c.fit(label, TICK_SIZE, slot),
                (x, area.bottom + tick + c.px(5.0)),
                TICK_SIZE,
                color::TEXT,
                Anchor::Top,
            )?;
        }
        if !self.x.title.is_empty() {
            c.text(
                &c.fit(&self.x.title, AXIS_TITLE_SIZE, area.width()),
                ((area.left + area.right) / 2, c.height - margin),
                AXIS_TITLE_SIZE,
                color::TEXT,
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
                color::TEXT,
            )?;
        }
        if legend_w > 0 {
            legend::draw(
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
