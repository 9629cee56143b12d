//! The one font every chart uses, embedded in the binary so that a PNG
//! renders the same on a machine without system fonts and the build needs
//! no font library.
//!
//! DejaVu Sans covers Latin, Greek, Cyrillic and the symbols conlab writes
//! (×, ·, µ, ±, Σ, –), but no Hangul, CJK or emoji. In a PNG, a character
//! the font lacks would be drawn as nothing at all; it is drawn as `□`
//! instead, so a reader sees that something is missing. SVG text keeps
//! every character and names the family with a fallback (`sans-serif`),
//! so the viewer's fonts draw it (the HTML report inlines the SVGs). To
//! get such names into PNGs too, point `CONLAB_FONT` at a TrueType or
//! OpenType file that has them (e.g. a Noto Sans CJK or Nanum Gothic
//! file): it replaces the embedded font.

use std::borrow::Cow;
use std::sync::OnceLock;

use ab_glyph::{Font, FontRef};
use plotters::style::{FontStyle, register_font};

use super::ChartError;

/// DejaVu Sans 2.37; see `assets/fonts/DejaVuSans-LICENSE.txt`.
static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The family name charts ask for. It is also what SVG files write into
/// `font-family`, hence the CSS fallback after the comma.
pub const FAMILY: &str = "DejaVu Sans, sans-serif";

/// The environment variable naming a font file to use instead.
pub const FONT_ENV: &str = "CONLAB_FONT";

/// Drawn in PNGs for a character the font has no glyph for.
pub const MISSING: char = '□';

fn font_bytes() -> Result<&'static [u8], String> {
    match std::env::var_os(FONT_ENV) {
        Some(path) if !path.is_empty() => {
            let bytes = std::fs::read(&path)
                .map_err(|e| format!("cannot read {FONT_ENV}={}: {e}", path.to_string_lossy()))?;
            // Registered fonts live as long as the process.
            Ok(Box::leak(bytes.into_boxed_slice()))
        }
        _ => Ok(DEJAVU_SANS),
    }
}

fn loaded() -> &'static Result<FontRef<'static>, String> {
    static FONT: OnceLock<Result<FontRef<'static>, String>> = OnceLock::new();
    FONT.get_or_init(|| {
        let bytes = font_bytes()?;
        let font = FontRef::try_from_slice(bytes)
            .map_err(|_| format!("the font in {FONT_ENV} is not a TrueType or OpenType font"))?;
        register_font(FAMILY, FontStyle::Normal, bytes)
            .map_err(|_| "plotters refused the chart font".to_string())?;
        Ok(font)
    })
}

/// Registers the chart font with plotters, once per process.
pub fn ensure_registered() -> Result<(), ChartError> {
    loaded()
        .as_ref()
        .map(|_| ())
        .map_err(|m| ChartError::Font(m.clone()))
}

/// `text` with every character the font cannot draw replaced by
/// [`MISSING`], for bitmap output.
pub fn drawable(text: &str) -> Cow<'_, str> {
    let Ok(font) = loaded() else {
        return Cow::Borrowed(text);
    };
    let missing = |c: char| !c.is_whitespace() && font.glyph_id(c).0 == 0;
    if !text.chars().any(missing) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .filter(|c| *c != '\u{FE0F}' && *c != '\u{200D}')
            .map(|c| if missing(c) { MISSING } else { c })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_glyphs_become_boxes() {
        if std::env::var_os(FONT_ENV).is_some() {
            return;
        }
        assert!(ensure_registered().is_ok());
        assert_eq!(drawable("io-bound × 3 µs"), "io-bound × 3 µs");
        assert_eq!(drawable("순차 🚀 ok"), "□□ □ ok");
    }
}
