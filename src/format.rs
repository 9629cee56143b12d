//! How conlab writes numbers, times and names for people: every report,
//! chart and terminal table formats through here, so one value reads the
//! same everywhere; and [`visible`], which every line conlab prints on a
//! terminal goes through. Pure; the lowest layer, importing nothing of
//! conlab's.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` is a bidirectional text control: the embeddings and
/// overrides U+202A–U+202E, the isolates U+2066–U+2069, and the marks
/// U+200E, U+200F and U+061C. They are invisible and reorder what follows
/// them, so a name with one can show as something it is not.
pub fn is_hidden_control(c: char) -> bool {
    matches!(
        c,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}'
    )
}

/// `text` as it may reach a terminal: control characters (escape
/// sequences among them) and bidirectional controls written out visibly
/// as `\u{1b}`, `\u{202e}`, `\t`, `\r`; only line breaks are kept. Text
/// from an experiment file or a results folder can hold anything, and a
/// terminal would act on it (move the cursor, retitle the window, reorder
/// the line) instead of showing it.
pub fn visible(text: &str) -> Cow<'_, str> {
    let hidden = |c: char| (c.is_control() && c != '\n') || is_hidden_control(c);
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if hidden(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// At most `max` characters of `text`, made visible and escaped for one
/// line (`\n` too): what a message may quote of something a file or a
/// child wrote, however long it is (a line of 200 MB is quoted as its
/// first characters and `…`).
pub fn excerpt(text: &str, max: usize) -> Cow<'_, str> {
    let plain = |c: char| !(c.is_control() || is_hidden_control(c));
    if text.chars().nth(max).is_none() && text.chars().all(plain) {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut shown = 0;
    // Where to cut if what follows does not fit: room for the `…`.
    let mut cut = None;
    for c in text.chars() {
        let piece = match c {
            '\n' => "\\n".to_string(),
            '\t' => "\\t".to_string(),
            '\r' => "\\r".to_string(),
            c if !plain(c) => format!("\\u{{{:x}}}", c as u32),
            c => c.to_string(),
        };
        let width = piece.chars().count();
        if cut.is_none() && shown + width >= max {
            cut = Some(out.len());
        }
        if shown + width > max {
            out.truncate(cut.unwrap_or(0));
            out.push('…');
            return Cow::Owned(out);
        }
        out.push_str(&piece);
        shown += width;
    }
    Cow::Owned(out)
}

/// Milliseconds as a short human string: `0.85 ms`, `301 ms`, `1.24 s`;
/// past a million seconds (from a folder edited by hand) in scientific
/// notation, so no value makes it longer than a dozen characters.
pub fn format_ms(ms: f64) -> String {
    if !ms.is_finite() {
        "-".to_string()
    } else if ms.abs() >= 1e9 {
        format!("{:.2e} s", ms / 1000.0)
    } else if ms >= 10_000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else if ms >= 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.2} ms")
    }
}

/// A ratio (or any plain number) with `decimals` decimals, and in
/// scientific notation when that would be long or show nothing (at or
/// above a million, or below 0.001): `0.812`, `1.50e12`, `3.20e-7`.
pub fn format_ratio(v: f64, decimals: usize) -> String {
    let a = v.abs();
    if !v.is_finite() {
        "-".to_string()
    } else if a >= 1e6 || (a > 0.0 && a < 1e-3) {
        format!("{v:.2e}")
    } else {
        format!("{v:.decimals$}")
    }
}

/// A number with at most `decimals` decimals, trailing zeros dropped, and
/// large values shortened: `0.25`, `40`, `20k`, `1.5M`.
pub fn format_number(v: f64, decimals: usize) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    let a = v.abs();
    if a >= 1e9 || !v.is_finite() {
        return format!("{v:.1e}");
    }
    if a >= 1e6 {
        return format!("{}M", trim(format!("{:.1}", v / 1e6)));
    }
    if a >= 1e4 {
        return format!("{}k", trim(format!("{:.1}", v / 1e3)));
    }
    trim(format!("{v:.decimals$}"))
}

fn trim(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A duration in ms written as in experiment files: `0`, `250us`, `1.5ms`, `2s`.
pub fn duration_text(ms: f64) -> String {
    if ms == 0.0 {
        "0".to_string()
    } else if ms < 1.0 {
        format!("{}us", format_number(ms * 1000.0, 3))
    } else if ms < 1000.0 {
        format!("{}ms", format_number(ms, 3))
    } else {
        format!("{}s", format_number(ms / 1000.0, 3))
    }
}

/// The most bytes of UTF-8 a [`slug`] has: a chart's file name joins up
/// to three slugs (workload, model, sweep point) and must stay well under
/// the 255 bytes file systems allow, in any script (60 Hangul syllables
/// are 180 bytes).
pub const SLUG_MAX_BYTES: usize = 60;

/// A file-name-safe form of `text`: letters and digits (of any script)
/// lower-cased, everything else a single `-`, at most [`SLUG_MAX_BYTES`]
/// bytes, cut at a character boundary.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &ch) in chars.iter().enumerate() {
        let between_digits = i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        if ch.is_alphanumeric() {
            out.extend(ch.to_lowercase());
        } else if ch == '.' && between_digits {
            out.push('.');
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = cut_at_char_boundary(out.trim_matches('-'), SLUG_MAX_BYTES)
        .trim_end_matches('-')
        .to_string();
    if trimmed.is_empty() {
        "chart".to_string()
    } else {
        trimmed
    }
}

/// The longest start of `text` that has at most `max` bytes and ends at a
/// character boundary.
pub fn cut_at_char_boundary(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 22: `compare` printed a 230-digit interval for wall times of
    /// 1e300 ms; every number has a bounded width.
    #[test]
    fn huge_and_tiny_numbers_stay_short() {
        assert_eq!(format_ms(1e300), "1.00e297 s");
        assert_eq!(format_ms(999_999_999.0), "1000000.0 s");
        assert_eq!(format_ratio(0.8123, 3), "0.812");
        assert_eq!(format_ratio(1e230, 3), "1.00e230");
        assert_eq!(format_ratio(3.2e-7, 3), "3.20e-7");
        assert_eq!(format_ratio(0.0, 3), "0.000");
        assert_eq!(format_ratio(f64::INFINITY, 3), "-");
        for v in [1e300, 1e-300, -1e300, 123.456] {
            assert!(format_ms(v).len() <= 16, "{}", format_ms(v));
            assert!(format_ratio(v, 3).len() <= 16, "{}", format_ratio(v, 3));
        }
    }

    #[test]
    fn an_excerpt_is_short_escaped_and_on_one_line() {
        assert_eq!(excerpt("tasks = 3", 20), "tasks = 3");
        assert_eq!(excerpt("a\nb\tc", 20), "a\\nb\\tc");
        assert_eq!(excerpt("abcdef", 6), "abcdef");
        assert_eq!(excerpt("abcdefg", 6), "abcde…");
        // 20 MB of NUL bytes are quoted as their first few.
        let nul = "\0".repeat(200_000_000);
        assert_eq!(excerpt(&nul, 20), "\\u{0}\\u{0}\\u{0}…");
        assert_eq!(excerpt("가나다라마바", 4), "가나다…");
    }

    #[test]
    fn times_read_by_range() {
        assert_eq!(format_ms(0.853), "0.85 ms");
        assert_eq!(format_ms(30.14), "30.1 ms");
        assert_eq!(format_ms(301.2), "301 ms");
        assert_eq!(format_ms(1240.0), "1.24 s");
        assert_eq!(format_ms(61_000.0), "61.0 s");
        assert_eq!(format_ms(f64::NAN), "-");
    }

    #[test]
    fn numbers_read_short() {
        assert_eq!(format_number(0.25, 2), "0.25");
        assert_eq!(format_number(40.0, 1), "40");
        assert_eq!(format_number(20_000.0, 0), "20k");
        assert_eq!(format_number(1_500_000.0, 0), "1.5M");
        assert_eq!(format_number(1000.0, 0), "1000");
        assert_eq!(format_number(1e300, 0), "1.0e300");
    }

    #[test]
    fn durations_read_as_in_experiment_files() {
        assert_eq!(duration_text(0.0), "0");
        assert_eq!(duration_text(0.25), "250us");
        assert_eq!(duration_text(1.5), "1.5ms");
        assert_eq!(duration_text(2000.0), "2s");
    }

    /// Issue 8: escape sequences and U+202E in names and descriptions
    /// reached the terminal as they were.
    #[test]
    fn terminal_text_shows_controls_instead_of_obeying_them() {
        assert_eq!(visible("plain 동시성\nnext"), "plain 동시성\nnext");
        assert_eq!(
            visible("\u{1b}]0;owned\u{7}title"),
            "\\u{1b}]0;owned\\u{7}title"
        );
        assert_eq!(visible("evil\u{202e}txt.exe"), "evil\\u{202e}txt.exe");
        assert_eq!(
            visible("a\tb\rc\u{2066}d\u{85}"),
            "a\\tb\\rc\\u{2066}d\\u{85}"
        );
        assert!(matches!(visible("ok"), Cow::Borrowed(_)));
        for c in ['\u{202a}', '\u{202e}', '\u{2066}', '\u{2069}', '\u{200f}'] {
            assert!(is_hidden_control(c), "{c:?}");
        }
        assert!(!is_hidden_control('\u{2070}') && !is_hidden_control('a'));
    }

    #[test]
    fn slugs_are_safe() {
        assert_eq!(slug("io-bound"), "io-bound");
        assert_eq!(slug("Pool workers=2"), "pool-workers-2");
        assert_eq!(slug("io_latency=1.5ms"), "io-latency-1.5ms");
        assert_eq!(slug("../etc/passwd"), "etc-passwd");
        assert_eq!(slug("입출력 작업"), "입출력-작업");
        assert_eq!(slug("🚀🚀"), "chart");
        assert_eq!(slug(""), "chart");
        assert_eq!(slug(&"x".repeat(200)), "x".repeat(60));
    }

    #[test]
    fn slugs_are_cut_in_bytes_at_a_character_boundary() {
        // 60 Hangul syllables are 180 bytes; a slug keeps 20 of them.
        let korean = "가".repeat(60);
        assert_eq!(slug(&korean), "가".repeat(20));
        // A cut inside a character backs off to its start.
        assert_eq!(
            slug(&format!("a{}", "é".repeat(40))),
            format!("a{}", "é".repeat(29))
        );
        // A cut that ends on a separator drops it.
        assert_eq!(slug(&format!("{} b", "a".repeat(59))), "a".repeat(59));
        assert_eq!(cut_at_char_boundary("가나", 4), "가");
        assert_eq!(cut_at_char_boundary("가나", 6), "가나");
        assert_eq!(cut_at_char_boundary("가나", 2), "");
    }
}
