//! The one font every chart uses, embedded in the binary so that a PNG
//! renders the same on a machine without system fonts and the build needs
//! no font library.
//!
//! DejaVu Sans covers Latin, Greek, Cyrillic and the symbols conlab writes
//! (×, ·, µ, ±, Σ, –). It has no Hangul, CJK or emoji: in a PNG such a
//! character is drawn as the font's "missing glyph" box (never a panic),
//! while SVG text names the family and a fallback (`sans-serif`), so the
//! viewer's own fonts draw every character there.

use std::sync::OnceLock;

use plotters::style::{FontStyle, register_font};

/// DejaVu Sans 2.37; see `assets/fonts/DejaVuSans-LICENSE.txt`.
static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The family name charts ask for. It is also what SVG files write into
/// `font-family`, hence the CSS fallback after the comma.
pub const FAMILY: &str = "DejaVu Sans, sans-serif";

/// Registers the embedded font with plotters, once per process.
pub fn ensure_registered() -> Result<(), super::ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok =
        *REGISTERED.get_or_init(|| register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS).is_ok());
    if ok {
        Ok(())
    } else {
        Err(super::ChartError::Font)
    }
}
