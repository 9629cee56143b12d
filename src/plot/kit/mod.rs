//! The drawing kit every chart is drawn with: pixels and text on a
//! canvas, axes, legends and the frame around the data, fonts and
//! colours. It knows nothing of results.

pub mod axis;
pub mod canvas;
pub mod font;
pub mod frame;
pub mod style;
