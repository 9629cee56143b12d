//! Durations as the experiment file writes them: a number with a unit
//! (`"250us"`, `"1.5ms"`, `"2s"`), parsed exactly into whole nanoseconds
//! and printed back in the shortest unit that keeps them exact.
//!
//! The grammar is strict on purpose ([`GRAMMAR`]): digits with at most one
//! `.`, then a unit, and nothing else — no sign, no `_` separators, no
//! spaces. A lenient reader once read `"1+2ms"` as 12 ms and `"_1__0_ms"`
//! as 10 ms; a typo in a duration must be an error, never another number.
//! Surrounding whitespace is refused too: inside a quoted TOML string it
//! can only be a typo, and the JSON Schema's pattern says the same.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A span of time in whole nanoseconds, as written in an experiment file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Nanos(pub u64);

/// What a duration may look like, for help lines and the book.
pub const GRAMMAR: &str = "a duration is digits with at most one `.`, then a unit \
     (ns, us, µs, ms, s, m, min, h) and nothing else: \"250us\", \"1.5ms\", \"2s\"";

/// The same grammar as a regular expression (for the JSON Schema).
pub const PATTERN: &str = r"^([0-9]+\.?[0-9]*|\.[0-9]+)(ns|us|µs|ms|s|m|min|h)$";

/// Why a duration string was rejected; the text is shown to users.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("the duration is empty")]
    Empty,
    #[error("`{0}` has no unit")]
    NoUnit(String),
    #[error("`{text}` has an unknown unit `{unit}`")]
    UnknownUnit { text: String, unit: String },
    #[error("`{0}` does not start with a number")]
    NoNumber(String),
    #[error("`{0}` is negative")]
    Negative(String),
    #[error("`{0}` is too long (more than 584 years)")]
    TooLong(String),
    #[error("`{0}` is finer than a nanosecond")]
    TooFine(String),
    #[error("`{text}` contains {what}, which a duration cannot contain")]
    Stray { text: String, what: String },
    #[error("`{0}` has more than one `.`")]
    TwoPoints(String),
}

impl DurationError {
    /// The help line for this mistake.
    pub fn help(&self) -> String {
        let units: Vec<&str> = UNITS.iter().map(|(u, _)| *u).collect();
        match self {
            DurationError::NoUnit(t) => {
                format!("add a unit: \"{t}ms\" (units: {})", units.join(", "))
            }
            DurationError::UnknownUnit { .. } => {
                format!("use one of the units {}", units.join(", "))
            }
            DurationError::Negative(_) => "durations cannot be negative".to_string(),
            _ => GRAMMAR.to_string(),
        }
    }
}

/// The units a duration may carry, with their length in nanoseconds.
pub const UNITS: &[(&str, u64)] = &[
    ("ns", 1),
    ("us", 1_000),
    ("µs", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("min", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

impl Nanos {
    pub const ZERO: Nanos = Nanos(0);

    pub fn as_millis_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }

    pub fn as_std(self) -> std::time::Duration {
        std::time::Duration::from_nanos(self.0)
    }
}

/// How a character that has no place in a duration reads in a message.
fn describe(c: char) -> String {
    match c {
        ' ' => "a space".to_string(),
        c if c.is_whitespace() || c.is_control() => format!("the character U+{:04X}", c as u32),
        c => format!("`{c}`"),
    }
}

impl FromStr for Nanos {
    type Err = DurationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.is_empty() {
            return Err(DurationError::Empty);
        }
        if text.starts_with('-') {
            return Err(DurationError::Negative(text.to_string()));
        }
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        if let Some(c) = text
            .chars()
            .find(|&c| !(c.is_ascii_digit() || c == '.' || c.is_alphabetic()))
        {
            return Err(DurationError::Stray {
                text: text.to_string(),
                what: describe(c),
            });
        }
        if !number.chars().any(|c| c.is_ascii_digit()) {
            return Err(DurationError::NoNumber(text.to_string()));
        }
        if number.matches('.').count() > 1 {
            return Err(DurationError::TwoPoints(text.to_string()));
        }
        if unit.is_empty() {
            return Err(DurationError::NoUnit(text.to_string()));
        }
        let scale = UNITS
            .iter()
            .find(|(name, _)| *name == unit)
            .map(|&(_, scale)| scale)
            .ok_or_else(|| DurationError::UnknownUnit {
                text: text.to_string(),
                unit: unit.to_string(),
            })?;
        exact_nanos(number, scale).map(Nanos).map_err(|e| match e {
            Exact::Overflow => DurationError::TooLong(text.to_string()),
            Exact::Fractional => DurationError::TooFine(text.to_string()),
        })
    }
}

enum Exact {
    Overflow,
    Fractional,
}

/// Multiplies a decimal string (digits with at most one `.`, checked by
/// the caller) by `scale` without going through floating point, so
/// `"1.1ms"` is exactly 1,100,000 ns.
fn exact_nanos(number: &str, scale: u64) -> Result<u64, Exact> {
    let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
    let mut total: u128 = 0;
    for digit in whole.chars().filter_map(|c| c.to_digit(10)) {
        total = total * 10 + u128::from(digit);
        if total > u128::from(u64::MAX) {
            return Err(Exact::Overflow);
        }
    }
    total *= u128::from(scale);
    let mut place = u128::from(scale);
    for digit in frac.chars().filter_map(|c| c.to_digit(10)) {
        if digit != 0 && place < 10 {
            return Err(Exact::Fractional);
        }
        if place >= 10 {
            place /= 10;
            total += u128::from(digit) * place;
        }
    }
    u64::try_from(total).map_err(|_| Exact::Overflow)
}

impl fmt::Display for Nanos {
    /// Prints the largest unit that keeps the value exact to three
    /// decimals: `250us`, `1.5ms`, `2s`. Integer arithmetic only, so every
    /// value up to `u64::MAX` prints exactly and nothing can overflow.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        if n == 0 {
            return write!(f, "0ms");
        }
        for (unit, scale) in [("s", 1_000_000_000u64), ("ms", 1_000_000), ("us", 1_000)] {
            let milli = scale / 1000;
            if n >= scale && n.is_multiple_of(milli) {
                let (whole, thousandths) = (n / scale, (n % scale) / milli);
                if thousandths == 0 {
                    return write!(f, "{whole}{unit}");
                }
                let decimals = format!("{thousandths:03}");
                return write!(f, "{whole}.{}{unit}", decimals.trim_end_matches('0'));
            }
        }
        write!(f, "{n}ns")
    }
}

impl Serialize for Nanos {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.0)
    }
}

impl<'de> Deserialize<'de> for Nanos {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        u64::deserialize(deserializer).map(Nanos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<u64, DurationError> {
        s.parse::<Nanos>().map(|n| n.0)
    }

    #[test]
    fn parses_every_unit() {
        assert_eq!(parse("250us"), Ok(250_000));
        assert_eq!(parse("250µs"), Ok(250_000));
        assert_eq!(parse("1.5ms"), Ok(1_500_000));
        assert_eq!(parse("2s"), Ok(2_000_000_000));
        assert_eq!(parse("3ns"), Ok(3));
        assert_eq!(parse("1m"), Ok(60_000_000_000));
        assert_eq!(parse("1min"), Ok(60_000_000_000));
        assert_eq!(parse("1h"), Ok(3_600_000_000_000));
        assert_eq!(parse("0ms"), Ok(0));
        assert_eq!(parse(".5s"), Ok(500_000_000));
        assert_eq!(parse("2.s"), Ok(2_000_000_000));
    }

    #[test]
    fn decimals_are_exact() {
        assert_eq!(parse("1.1ms"), Ok(1_100_000));
        assert_eq!(parse("0.000001ms"), Ok(1));
        assert_eq!(parse("1.000ns"), Ok(1));
    }

    #[test]
    fn rejects_what_users_get_wrong() {
        assert_eq!(parse("50"), Err(DurationError::NoUnit("50".into())));
        assert!(matches!(
            parse("50sec"),
            Err(DurationError::UnknownUnit { .. })
        ));
        assert!(matches!(parse("ms"), Err(DurationError::NoNumber(_))));
        assert!(matches!(parse("-5ms"), Err(DurationError::Negative(_))));
        assert!(matches!(parse("1.5ns"), Err(DurationError::TooFine(_))));
        assert_eq!(
            parse("1.2.3ms"),
            Err(DurationError::TwoPoints("1.2.3ms".into()))
        );
        assert!(matches!(
            parse("99999999999h"),
            Err(DurationError::TooLong(_))
        ));
        assert_eq!(parse(""), Err(DurationError::Empty));
    }

    /// Issue 8: `"1+2ms"` was read as 12 ms and `"_1__0_ms"` as 10 ms.
    #[test]
    fn stray_characters_are_errors_not_other_numbers() {
        let stray = |text: &str| parse(text).map_err(|e| e.to_string());
        assert_eq!(
            stray("1+2ms"),
            Err("`1+2ms` contains `+`, which a duration cannot contain".into())
        );
        assert_eq!(
            stray("_1__0_ms"),
            Err("`_1__0_ms` contains `_`, which a duration cannot contain".into())
        );
        assert_eq!(
            stray("10 ms"),
            Err("`10 ms` contains a space, which a duration cannot contain".into())
        );
        assert_eq!(
            stray(" 10ms"),
            Err("` 10ms` contains a space, which a duration cannot contain".into())
        );
        assert_eq!(
            stray("1\tms"),
            Err("`1\tms` contains the character U+0009, which a duration cannot contain".into())
        );
        assert_eq!(
            stray("+5ms"),
            Err("`+5ms` contains `+`, which a duration cannot contain".into())
        );
        assert_eq!(stray("."), Err("`.` does not start with a number".into()));
        assert_eq!(
            stray(".ms"),
            Err("`.ms` does not start with a number".into())
        );
    }

    /// Every string the parser accepts matches the schema's pattern, and
    /// the other way round, on a sample of both.
    #[test]
    fn the_pattern_says_what_the_parser_accepts() {
        for text in ["250us", "1.5ms", ".5s", "2.s", "0ms", "3µs", "1min", "7h"] {
            assert!(parse(text).is_ok(), "{text}");
        }
        for text in [
            "1+2ms", "_1ms", "1 ms", "ms", ".", "1.2.3s", "5", "5 s", "-1s", "1e3ms",
        ] {
            assert!(parse(text).is_err(), "{text}");
        }
    }

    /// Issue 8: `"6000h"` printed a garbage number (the old `Display`
    /// multiplied by 1000 and wrapped).
    #[test]
    fn printing_never_overflows() {
        assert_eq!(Nanos(21_600_000_000_000_000).to_string(), "21600000s");
        assert_eq!(
            parse("6000h").map(|n| Nanos(n).to_string()),
            Ok("21600000s".into())
        );
        assert_eq!(Nanos(u64::MAX).to_string(), "18446744073709551.615us");
        assert_eq!(
            Nanos(u64::MAX / 1000 * 1000).to_string(),
            "18446744073709.551ms"
        );
        let max = Nanos(u64::MAX).to_string();
        assert_eq!(max.parse::<Nanos>(), Ok(Nanos(u64::MAX)));
    }

    #[test]
    fn displays_shortest_exact_form() {
        assert_eq!(Nanos(250_000).to_string(), "250us");
        assert_eq!(Nanos(1_500_000).to_string(), "1.5ms");
        assert_eq!(Nanos(2_000_000_000).to_string(), "2s");
        assert_eq!(Nanos(1).to_string(), "1ns");
        assert_eq!(Nanos(0).to_string(), "0ms");
        assert_eq!(Nanos(100_000_000).to_string(), "100ms");
    }

    #[test]
    fn display_round_trips() {
        for n in [
            1u64,
            999,
            1_000,
            1_500,
            250_000,
            1_234_567,
            50_000_000,
            3_000_000_000,
            1_234_567_000_000,
            u64::MAX / 1000 * 1000,
            u64::MAX,
        ] {
            assert_eq!(Nanos(n).to_string().parse::<Nanos>(), Ok(Nanos(n)), "{n}");
        }
    }

    /// The edges of the arithmetic: `u64::MAX` ns itself parses (one
    /// more does not), a whole unit prints as `1s`, `1ms`, `1us`, and a
    /// fraction digit at the last exact place (the third of `us`) still
    /// counts while a non-zero one past it is an error.
    #[test]
    fn the_edges_of_exact_parsing_and_printing() {
        assert_eq!(parse("18446744073709551615ns"), Ok(u64::MAX));
        assert!(matches!(
            parse("18446744073709551616ns"),
            Err(DurationError::TooLong(_))
        ));
        assert!(matches!(
            parse("18446744073709551.616us"),
            Err(DurationError::TooLong(_))
        ));
        assert_eq!(parse("1.001us"), Ok(1_001));
        assert_eq!(parse("1.0010us"), Ok(1_001));
        assert!(matches!(parse("1.0001us"), Err(DurationError::TooFine(_))));
        assert_eq!(parse("0.5ns"), Err(DurationError::TooFine("0.5ns".into())));
        assert_eq!(
            parse("2.50ns"),
            Err(DurationError::TooFine("2.50ns".into()))
        );
        assert_eq!(parse("3.0ns"), Ok(3));
        assert_eq!(Nanos(1_000_000_000).to_string(), "1s");
        assert_eq!(Nanos(1_000_000).to_string(), "1ms");
        assert_eq!(Nanos(1_000).to_string(), "1us");
        assert_eq!(Nanos(999_999_999).to_string(), "999999.999us");
        assert_eq!(Nanos(1_000_001).to_string(), "1000.001us");
        assert_eq!(Nanos(999).to_string(), "999ns");
        assert_eq!(Nanos(1_001_000).to_string(), "1.001ms");
        assert_eq!(Nanos(1_010_000_000).to_string(), "1.01s");
        assert_eq!(Nanos(1_500).to_string(), "1.5us");
    }

    #[test]
    fn conversions() {
        assert_eq!(Nanos(2_500_000).as_millis_f64(), 2.5);
        assert_eq!(Nanos(1_500).as_millis_f64(), 0.0015);
        assert_eq!(
            Nanos(1_000_000_007).as_std(),
            std::time::Duration::new(1, 7)
        );
        assert_eq!(serde_json::to_string(&Nanos(42)).ok(), Some("42".into()));
        assert_eq!(serde_json::from_str::<Nanos>("42").ok(), Some(Nanos(42)));
    }

    /// What each mistake's help line says, and how characters without a
    /// place in a duration are named: a whitespace that is not a control
    /// character (no-break space) and a control character that is not
    /// whitespace both by code point.
    #[test]
    fn help_lines_and_stray_character_names() {
        let help = |text: &str| parse(text).err().map(|e| e.help());
        assert_eq!(
            help("50"),
            Some("add a unit: \"50ms\" (units: ns, us, µs, ms, s, m, min, h)".into())
        );
        assert_eq!(
            help("50sec"),
            Some("use one of the units ns, us, µs, ms, s, m, min, h".into())
        );
        assert_eq!(help("-5ms"), Some("durations cannot be negative".into()));
        assert_eq!(help("1.2.3ms"), Some(GRAMMAR.to_string()));
        assert_eq!(describe('\u{a0}'), "the character U+00A0");
        assert_eq!(describe('\u{1}'), "the character U+0001");
        assert_eq!(describe(' '), "a space");
        assert_eq!(describe('#'), "`#`");
        assert_eq!(
            parse("50sec").map_err(|e| e.to_string()),
            Err("`50sec` has an unknown unit `sec`".into())
        );
        assert_eq!(
            parse("5").map_err(|e| e.to_string()),
            Err("`5` has no unit".into())
        );
    }
}
