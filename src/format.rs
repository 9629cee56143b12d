//! How conlab writes numbers, times and names for people: every report,
//! chart and terminal table formats through here, so one value reads the
//! same everywhere. Pure; the lowest layer, importing nothing of conlab's.

/// Milliseconds as a short human string: `0.85 ms`, `301 ms`, `1.24 s`.
pub fn format_ms(ms: f64) -> String {
    if !ms.is_finite() {
        "-".to_string()
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

/// A number with at most `decimals` decimals, trailing zeros dropped, and
/// large values shortened: `0.25`, `40`, `20k`, `1.5M`.
pub fn format_number(v: f64, decimals: usize) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    let a = v.abs();
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
    }

    #[test]
    fn durations_read_as_in_experiment_files() {
        assert_eq!(duration_text(0.0), "0");
        assert_eq!(duration_text(0.25), "250us");
        assert_eq!(duration_text(1.5), "1.5ms");
        assert_eq!(duration_text(2000.0), "2s");
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
