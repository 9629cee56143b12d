//! Where the data goes once the frame is drawn, and how data values map
//! to its pixels.

use super::rect::Rect;
use super::scale::Scale;

/// Where the data goes, once the frame is drawn.
#[derive(Clone, Debug)]
pub struct PlotArea {
    pub area: Rect,
    pub x: Scale,
    pub y: Scale,
    pub y_down: bool,
}

impl PlotArea {
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
