//! Turning a drawing into files: the one place where a chart becomes a
//! PNG (drawn on a bitmap, encoded here) and an SVG document of the same
//! size. Every chart, the comparison chart of `conlab compare` too, is a
//! [`Drawing`] and goes through [`picture`], so the fonts are registered
//! in one place (once per process) and every canvas starts white.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::canvas::{Canvas, Format};
use super::error::ChartError;
use super::font;

/// Something drawn on a canvas of any size: a chart. The same code draws
/// the PNG and the SVG, so `draw` is generic over the plotters backend.
pub trait Drawing {
    fn draw<DB: DrawingBackend>(&self, c: &Canvas<DB>) -> Result<(), ChartError>;
}

/// A drawing in both formats.
#[derive(Clone, Debug)]
pub struct Picture {
    pub png: Vec<u8>,
    pub svg: String,
}

/// `drawing` on a canvas of `size` (width, height in pixels), as a PNG
/// and as an SVG.
pub fn picture(size: (u32, u32), drawing: &impl Drawing) -> Result<Picture, ChartError> {
    Ok(Picture {
        png: png(size, drawing)?,
        svg: svg(size, drawing)?,
    })
}

/// Draws `drawing` on `area`, after the fonts and a white background.
fn paint<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    format: Format,
    drawing: &impl Drawing,
) -> Result<(), ChartError> {
    font::ensure_registered()?;
    let c = Canvas::new(area, format);
    c.clear()?;
    drawing.draw(&c)
}

/// `drawing` as a PNG of `size`: drawn on a bitmap, then encoded.
pub fn png(size: (u32, u32), drawing: &impl Drawing) -> Result<Vec<u8>, ChartError> {
    let (w, h) = size;
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area();
        paint(&root, Format::Png, drawing)?;
        root.present().map_err(ChartError::draw)?;
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder
            .write_header()
            .map_err(|e| ChartError::Encode(e.to_string()))?;
        writer
            .write_image_data(&rgb)
            .map_err(|e| ChartError::Encode(e.to_string()))?;
        writer
            .finish()
            .map_err(|e| ChartError::Encode(e.to_string()))?;
    }
    Ok(out)
}

/// `drawing` as an SVG document of `size`.
pub fn svg(size: (u32, u32), drawing: &impl Drawing) -> Result<String, ChartError> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        paint(&root, Format::Svg, drawing)?;
        root.present().map_err(ChartError::draw)?;
    }
    Ok(out)
}
