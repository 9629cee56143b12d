//! Drawing primitives in pixels, generic over the plotters backend: the
//! same calls produce the PNG and the SVG of a chart. Sizes given to a
//! [`Canvas`] are for a 1200 × 800 chart and scale with the chart's size.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontTransform, RGBColor};

use super::color;
use super::error::ChartError;
use super::font::{self, FAMILY};
use super::marker::Marker;
use super::rect::Rect;

/// The two files of a chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Png,
    Svg,
}

/// Where a text's anchor point is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    Left,
    Center,
    Right,
    /// Centred horizontally, top at the point.
    Top,
    /// Centred horizontally, bottom at the point.
    Bottom,
}

impl Anchor {
    fn pos(self) -> Pos {
        match self {
            Anchor::Left => Pos::new(HPos::Left, VPos::Center),
            Anchor::Center => Pos::new(HPos::Center, VPos::Center),
            Anchor::Right => Pos::new(HPos::Right, VPos::Center),
            Anchor::Top => Pos::new(HPos::Center, VPos::Top),
            Anchor::Bottom => Pos::new(HPos::Center, VPos::Bottom),
        }
    }
}

/// A drawing area and the scale of the chart drawn on it.
pub struct Canvas<'a, DB: DrawingBackend> {
    area: &'a DrawingArea<DB, Shift>,
    pub width: i32,
    pub height: i32,
    /// Size factor against a 1200 × 800 chart.
    pub k: f64,
    /// Bitmaps draw characters the font lacks as a box (see `font`).
    bitmap: bool,
}

impl<'a, DB: DrawingBackend> Canvas<'a, DB> {
    pub fn new(area: &'a DrawingArea<DB, Shift>, format: Format) -> Canvas<'a, DB> {
        let (w, h) = area.dim_in_pixel();
        let k = (w as f64 / 1200.0).min(h as f64 / 800.0).clamp(0.5, 3.0);
        Canvas {
            area,
            width: w as i32,
            height: h as i32,
            k,
            bitmap: format == Format::Png,
        }
    }

    /// A length for a 1200 × 800 chart, scaled to this one.
    pub fn px(&self, v: f64) -> i32 {
        (v * self.k).round() as i32
    }

    fn style(&self, size: f64, color: RGBColor, anchor: Anchor) -> TextStyle<'static> {
        self.family_style(FAMILY, size, color, anchor.pos())
    }

    fn family_style(
        &self,
        family: &'static str,
        size: f64,
        color: RGBColor,
        pos: Pos,
    ) -> TextStyle<'static> {
        let mut style = TextStyle::from((FontFamily::Name(family), size * self.k));
        style.color = color.to_backend_color();
        style.pos = pos;
        style
    }

    /// Bitmap text in runs of one font each (see `font::runs`), or None
    /// when the primary font draws all of it.
    fn font_runs<'t>(&self, text: &'t str) -> Option<Vec<(&'static str, &'t str)>> {
        if !self.bitmap {
            return None;
        }
        let runs = font::runs(text);
        (runs.iter().any(|(family, _)| *family != FAMILY)).then_some(runs)
    }

    fn run_width(&self, family: &'static str, text: &str, size: f64) -> i32 {
        let style = self.family_style(family, size, RGBColor(0, 0, 0), Anchor::Left.pos());
        self.area.estimate_text_size(text, &style).map_or(
            (text.chars().count() as f64 * size * self.k * 0.6) as i32,
            |(w, _)| w as i32,
        )
    }

    fn drawable<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        if self.bitmap {
            font::drawable(text)
        } else {
            std::borrow::Cow::Borrowed(text)
        }
    }

    pub fn clear(&self) -> Result<(), ChartError> {
        self.area.fill(&WHITE).map_err(ChartError::draw)
    }

    /// The width of `text` at `size`, in pixels.
    pub fn text_width(&self, text: &str, size: f64) -> i32 {
        let drawn = self.drawable(text);
        if let Some(runs) = self.font_runs(&drawn) {
            return runs.iter().map(|(f, t)| self.run_width(f, t, size)).sum();
        }
        let style = self.style(size, RGBColor(0, 0, 0), Anchor::Left);
        self.area.estimate_text_size(text, &style).map_or(
            (text.chars().count() as f64 * size * self.k * 0.6) as i32,
            |(w, _)| w as i32,
        )
    }

    /// `text`, shortened with an ellipsis until it fits `max` pixels.
    ///
    /// The cut is looked for from the longest start of `text` down, but
    /// only below the first start that is too wide by itself (found by
    /// doubling from 64 characters): a name of ten thousand characters
    /// costs a few dozen measurements, not ten thousand measurements of
    /// ever longer strings.
    pub fn fit(&self, text: &str, size: f64, max: i32) -> String {
        if self.text_width(text, size) <= max {
            return text.to_string();
        }
        let chars: Vec<char> = text.chars().collect();
        let mut n = chars.len();
        let mut probe = 64;
        while probe < n {
            let start: String = chars[..probe].iter().collect();
            if self.text_width(&start, size) > max {
                n = probe;
                break;
            }
            probe *= 2;
        }
        while n > 0 {
            n -= 1;
            let candidate: String = chars[..n].iter().collect::<String>() + "…";
            if self.text_width(&candidate, size) <= max {
                return candidate;
            }
        }
        String::new()
    }

    /// `text` broken into lines of at most `max` pixels at word breaks,
    /// at most `max_lines` of them (the last one shortened if need be).
    pub fn wrap(&self, text: &str, size: f64, max: i32, max_lines: usize) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        let mut current = String::new();
        for word in text.split(' ') {
            let candidate = if current.is_empty() {
                word.to_string()
            } else {
                format!("{current} {word}")
            };
            if current.is_empty() || self.text_width(&candidate, size) <= max {
                current = candidate;
            } else {
                lines.push(std::mem::take(&mut current));
                current = word.to_string();
            }
        }
        lines.push(current);
        if lines.len() > max_lines {
            let rest = lines[max_lines - 1..].join(" ");
            lines.truncate(max_lines - 1);
            lines.push(rest);
        }
        lines.into_iter().map(|l| self.fit(&l, size, max)).collect()
    }

    pub fn text(
        &self,
        text: &str,
        at: (i32, i32),
        size: f64,
        color: RGBColor,
        anchor: Anchor,
    ) -> Result<(), ChartError> {
        if text.is_empty() {
            return Ok(());
        }
        let drawn = self.drawable(text);
        let Some(runs) = self.font_runs(&drawn) else {
            return self
                .area
                .draw_text(&drawn, &self.style(size, color, anchor), at)
                .map_err(ChartError::draw);
        };
        // Lay the runs out left to right from where the whole would start.
        let widths: Vec<i32> = runs
            .iter()
            .map(|(f, t)| self.run_width(f, t, size))
            .collect();
        let total: i32 = widths.iter().sum();
        let pos = anchor.pos();
        let mut x = match pos.h_pos {
            HPos::Left => at.0,
            HPos::Center => at.0 - total / 2,
            HPos::Right => at.0 - total,
        };
        for ((family, run), width) in runs.iter().zip(widths) {
            let style = self.family_style(family, size, color, Pos::new(HPos::Left, pos.v_pos));
            self.area
                .draw_text(run, &style, (x, at.1))
                .map_err(ChartError::draw)?;
            x += width;
        }
        Ok(())
    }

    /// Text turned to read bottom to top (a y-axis title), centred on `at`.
    pub fn text_up(
        &self,
        text: &str,
        at: (i32, i32),
        size: f64,
        color: RGBColor,
    ) -> Result<(), ChartError> {
        let style = self
            .style(size, color, Anchor::Center)
            .transform(FontTransform::Rotate270);
        self.area
            .draw_text(&self.drawable(text), &style, at)
            .map_err(ChartError::draw)
    }

    pub fn line(
        &self,
        points: &[(i32, i32)],
        color: RGBColor,
        width: f64,
    ) -> Result<(), ChartError> {
        if points.len() < 2 {
            return Ok(());
        }
        let style = color.stroke_width(self.stroke(width));
        self.area
            .draw(&PathElement::new(points.to_vec(), style))
            .map_err(ChartError::draw)
    }

    fn stroke(&self, width: f64) -> u32 {
        (width * self.k).round().max(1.0) as u32
    }

    /// A reference line (baseline, 1×, end of run): grey, dashed, the same
    /// on every chart.
    pub fn reference(&self, points: &[(i32, i32)]) -> Result<(), ChartError> {
        self.dashed(points, color::REFERENCE, 2.0, 8.0, 5.0)
    }

    /// A dashed line: `dash` pixels drawn, `gap` pixels left out.
    pub fn dashed(
        &self,
        points: &[(i32, i32)],
        color: RGBColor,
        width: f64,
        dash: f64,
        gap: f64,
    ) -> Result<(), ChartError> {
        if points.len() < 2 {
            return Ok(());
        }
        let style = color.stroke_width(self.stroke(width));
        self.area
            .draw(&DashedPathElement::new(
                points.to_vec(),
                self.px(dash).max(1),
                self.px(gap).max(1),
                style,
            ))
            .map_err(ChartError::draw)
    }

    pub fn rect(&self, r: Rect, color: RGBColor) -> Result<(), ChartError> {
        if r.right <= r.left || r.bottom <= r.top {
            return Ok(());
        }
        self.area
            .draw(&Rectangle::new(
                [(r.left, r.top), (r.right, r.bottom)],
                color.filled(),
            ))
            .map_err(ChartError::draw)
    }

    pub fn outline(&self, r: Rect, color: RGBColor, width: f64) -> Result<(), ChartError> {
        self.area
            .draw(&Rectangle::new(
                [(r.left, r.top), (r.right, r.bottom)],
                color.stroke_width(self.stroke(width)),
            ))
            .map_err(ChartError::draw)
    }

    /// A marker centred on `at`, `size` across (before scaling).
    pub fn marker(
        &self,
        marker: Marker,
        at: (i32, i32),
        size: f64,
        color: RGBColor,
    ) -> Result<(), ChartError> {
        let r = self.px(size / 2.0).max(2);
        let (x, y) = at;
        let filled = color.filled();
        match marker {
            Marker::Circle => self.area.draw(&Circle::new(at, r, filled)),
            Marker::HollowCircle => {
                self.area
                    .draw(&Circle::new(at, r, color.stroke_width(self.stroke(2.0))))
            }
            Marker::HollowSquare => {
                let s = (r as f64 * 0.8) as i32;
                self.area.draw(&Rectangle::new(
                    [(x - s, y - s), (x + s, y + s)],
                    color.stroke_width(self.stroke(2.0)),
                ))
            }
            Marker::HollowTriangleUp => self.area.draw(&PathElement::new(
                vec![
                    (x, y - r - 1),
                    (x - r, y + r - 1),
                    (x + r, y + r - 1),
                    (x, y - r - 1),
                ],
                color.stroke_width(self.stroke(2.0)),
            )),
            Marker::HollowDiamond => self.area.draw(&PathElement::new(
                vec![
                    (x, y - r - 1),
                    (x + r, y),
                    (x, y + r + 1),
                    (x - r, y),
                    (x, y - r - 1),
                ],
                color.stroke_width(self.stroke(2.0)),
            )),
            Marker::Square => {
                let s = (r as f64 * 0.85) as i32;
                self.area
                    .draw(&Rectangle::new([(x - s, y - s), (x + s, y + s)], filled))
            }
            Marker::TriangleUp => self.area.draw(&Polygon::new(
                vec![(x, y - r - 1), (x - r, y + r - 1), (x + r, y + r - 1)],
                filled,
            )),
            Marker::TriangleDown => self.area.draw(&Polygon::new(
                vec![(x, y + r + 1), (x - r, y - r + 1), (x + r, y - r + 1)],
                filled,
            )),
            Marker::Diamond => self.area.draw(&Polygon::new(
                vec![(x, y - r - 1), (x + r, y), (x, y + r + 1), (x - r, y)],
                filled,
            )),
            Marker::Cross => {
                let style = color.stroke_width(self.stroke(2.5));
                self.area
                    .draw(&PathElement::new(
                        vec![(x - r, y - r), (x + r, y + r)],
                        style,
                    ))
                    .and_then(|_| {
                        self.area.draw(&PathElement::new(
                            vec![(x - r, y + r), (x + r, y - r)],
                            style,
                        ))
                    })
            }
            Marker::Plus => {
                let style = color.stroke_width(self.stroke(2.5));
                let r = r + 1;
                self.area
                    .draw(&PathElement::new(vec![(x - r, y), (x + r, y)], style))
                    .and_then(|_| {
                        self.area
                            .draw(&PathElement::new(vec![(x, y - r), (x, y + r)], style))
                    })
            }
        }
        .map_err(ChartError::draw)
    }
}
