//! One file per chart kind, each drawing on the kit's canvas.

pub mod bars;
pub mod compare;
pub mod cpu_wall;
pub mod overview;
pub mod sweep;
pub mod timeline;
