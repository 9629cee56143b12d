//! The fonts charts are drawn with, embedded in the binary so that a PNG
//! renders the same on a machine without system fonts and the build needs
//! no font library.
//!
//! DejaVu Sans covers Latin, Greek, Cyrillic and the symbols conlab writes
//! (×, ·, µ, ±, Σ, –). Names in Korean (the study note's language) and in
//! Chinese or Japanese characters fall back to NanumSquare, which has every
//! Hangul syllable and the common CJK ideographs: PNG text is split into
//! runs, each drawn with the first font that has its characters. A
//! character neither font has (emoji, rarer scripts) is drawn as `□`, so a
//! reader sees that something is missing. SVG text keeps every character
//! and names the family with a fallback (`sans-serif`), so the viewer's
//! fonts draw it (the HTML report inlines the SVGs). `CONLAB_FONT` may name
//! a TrueType or OpenType file to use instead of DejaVu Sans.

use std::borrow::Cow;
use std::sync::OnceLock;

use ab_glyph::{Font, FontRef};
use plotters::style::{FontStyle, register_font};

use super::error::ChartError;

/// DejaVu Sans 2.37; see `assets/fonts/DejaVuSans-LICENSE.txt`.
static DEJAVU_SANS: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
/// NanumSquare Regular (SIL OFL 1.1); see `assets/fonts/NanumSquare-LICENSE.txt`.
static NANUM_SQUARE: &[u8] = include_bytes!("../../../assets/fonts/NanumSquareR.ttf");

/// The family name charts ask for. It is also what SVG files write into
/// `font-family`, hence the CSS fallback after the comma.
pub const FAMILY: &str = "DejaVu Sans, sans-serif";
/// The family PNG text falls back to for characters `FAMILY` lacks.
pub const FALLBACK_FAMILY: &str = "NanumSquare";

/// The environment variable naming a font file to use instead.
pub const FONT_ENV: &str = "CONLAB_FONT";

/// Drawn in PNGs for a character no font has a glyph for.
pub const MISSING: char = '□';

fn font_bytes() -> Result<&'static [u8], String> {
    match std::env::var_os(FONT_ENV) {
        Some(path) if !path.is_empty() => {
            // A regular file, and no more than any font needs.
            let limit = crate::bounded::Limit {
                bytes: 64 << 20,
                what: "a font file",
            };
            let bytes = crate::bounded::read_file(std::path::Path::new(&path), limit)
                .map_err(|e| format!("cannot use {FONT_ENV}: {e}"))?;
            // Registered fonts live as long as the process.
            Ok(Box::leak(bytes.into_boxed_slice()))
        }
        _ => Ok(DEJAVU_SANS),
    }
}

/// The primary font and the fallback, registered with plotters.
struct Fonts {
    primary: FontRef<'static>,
    fallback: FontRef<'static>,
}

fn loaded() -> &'static Result<Fonts, String> {
    static FONTS: OnceLock<Result<Fonts, String>> = OnceLock::new();
    FONTS.get_or_init(|| {
        let bytes = font_bytes()?;
        let primary = FontRef::try_from_slice(bytes)
            .map_err(|_| format!("the font in {FONT_ENV} is not a TrueType or OpenType font"))?;
        let fallback = FontRef::try_from_slice(NANUM_SQUARE)
            .map_err(|_| "the embedded fallback font is damaged".to_string())?;
        register_font(FAMILY, FontStyle::Normal, bytes)
            .map_err(|_| "plotters refused the chart font".to_string())?;
        register_font(FALLBACK_FAMILY, FontStyle::Normal, NANUM_SQUARE)
            .map_err(|_| "plotters refused the fallback font".to_string())?;
        Ok(Fonts { primary, fallback })
    })
}

/// Registers the chart fonts with plotters, once per process.
pub fn ensure_registered() -> Result<(), ChartError> {
    loaded()
        .as_ref()
        .map(|_| ())
        .map_err(|m| ChartError::Font(m.clone()))
}

fn has(font: &FontRef<'_>, c: char) -> bool {
    font.glyph_id(c).0 != 0
}

/// `text` with every character neither font can draw replaced by
/// [`MISSING`] (and emoji joiners dropped), for bitmap output.
pub fn drawable(text: &str) -> Cow<'_, str> {
    let Ok(fonts) = loaded() else {
        return Cow::Borrowed(text);
    };
    let missing =
        |c: char| !c.is_whitespace() && !has(&fonts.primary, c) && !has(&fonts.fallback, c);
    if !text
        .chars()
        .any(|c| missing(c) || c == '\u{FE0F}' || c == '\u{200D}')
    {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .filter(|c| *c != '\u{FE0F}' && *c != '\u{200D}')
            .map(|c| if missing(c) { MISSING } else { c })
            .collect(),
    )
}

/// `text` cut into runs, each with the family that draws it: the primary
/// font wherever it has the glyph (white space stays with the run it is
/// in), the fallback elsewhere.
pub fn runs(text: &str) -> Vec<(&'static str, &str)> {
    let Ok(fonts) = loaded() else {
        return vec![(FAMILY, text)];
    };
    let family = |c: char| {
        if c.is_whitespace() || has(&fonts.primary, c) || !has(&fonts.fallback, c) {
            FAMILY
        } else {
            FALLBACK_FAMILY
        }
    };
    let mut runs: Vec<(&'static str, &str)> = Vec::new();
    let mut start = 0;
    let mut current: Option<&'static str> = None;
    for (i, c) in text.char_indices() {
        let f = if c.is_whitespace() {
            current.unwrap_or(FAMILY)
        } else {
            family(c)
        };
        match current {
            Some(cur) if cur != f => {
                runs.push((cur, &text[start..i]));
                start = i;
                current = Some(f);
            }
            None => current = Some(f),
            _ => {}
        }
    }
    if start < text.len() {
        runs.push((current.unwrap_or(FAMILY), &text[start..]));
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_falls_back_and_emoji_become_boxes() {
        if std::env::var_os(FONT_ENV).is_some() {
            crate::test_skip::skip(
                crate::test_skip::Reason::ChosenByUser,
                &format!("{FONT_ENV} chooses another font"),
            );
            return;
        }
        assert!(ensure_registered().is_ok());
        assert_eq!(drawable("io-bound × 3 µs"), "io-bound × 3 µs");
        assert_eq!(drawable("순차 🚀 ok"), "순차 □ ok");
        assert_eq!(
            runs("io 입출력 대기 × 3"),
            [
                (FAMILY, "io "),
                (FALLBACK_FAMILY, "입출력 대기 "),
                (FAMILY, "× 3")
            ]
        );
        assert_eq!(runs("plain"), [(FAMILY, "plain")]);
        assert!(runs("").is_empty());
    }
}
