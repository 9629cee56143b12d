//! The drawing kit every chart is drawn with. It knows nothing of results:
//! a [`Canvas`] draws lines, shapes and text in pixels on any plotters
//! backend; a [`Frame`] lays out the title, the axes (from a [`Scale`])
//! and the legend and returns the [`PlotArea`] where the data goes; fonts,
//! colours and markers are fixed here so that every chart looks alike;
//! [`picture`] turns a [`Drawing`] into a PNG and an SVG.

mod canvas;
pub mod color;
mod dimension;
mod error;
mod font;
mod frame;
mod legend;
mod marker;
mod picture;
mod plot_area;
mod rect;
mod scale;
mod styles;
mod time_unit;

pub use canvas::{Anchor, Canvas};
pub use dimension::Dimension;
pub use error::ChartError;
pub use frame::{Frame, SUBTITLE_SIZE, TICK_SIZE, TITLE_SIZE};
pub use legend::{Dash, Entry, Symbol};
pub use marker::Marker;
/// The SVG alone, for tests that skip the PNG (`render::fuzz`).
#[cfg(test)]
pub use picture::svg;
pub use picture::{Drawing, Picture, picture};
pub use plot_area::PlotArea;
pub use rect::Rect;
pub use scale::{Scale, Tick, min_max, spans_two_decades};
pub use styles::{SeriesStyle, Styles};
pub use time_unit::TimeUnit;
