//! Durations as the experiment file writes them: a number with a unit
//! (`"250us"`, `"1.5ms"`, `"2s"`), parsed exactly into whole nanoseconds
//! and printed back in the shortest unit that keeps them exact.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A span of time in whole nanoseconds, as written in an experiment file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Nanos(pub u64);

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

impl FromStr for Nanos {
    type Err = DurationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let s = text.trim();
        if s.is_empty() {
            return Err(DurationError::Empty);
        }
        if s.starts_with('-') {
            return Err(DurationError::Negative(text.to_string()));
        }
        let split = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_' || c == '+'))
            .unwrap_or(s.len());
        let (number, unit) = s.split_at(split);
        let unit = unit.trim();
        let number: String = number.chars().filter(|&c| c != '_' && c != '+').collect();
        if number.is_empty() || number == "." {
            return Err(DurationError::NoNumber(text.to_string()));
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
        exact_nanos(&number, scale).map(Nanos).map_err(|e| match e {
            Exact::Malformed => DurationError::NoNumber(text.to_string()),
            Exact::Overflow => DurationError::TooLong(text.to_string()),
            Exact::Fractional => DurationError::TooFine(text.to_string()),
        })
    }
}

enum Exact {
    Malformed,
    Overflow,
    Fractional,
}

/// Multiplies a decimal string by `scale` without going through floating
/// point, so `"1.1ms"` is exactly 1,100,000 ns.
fn exact_nanos(number: &str, scale: u64) -> Result<u64, Exact> {
    let (whole, frac) = match number.split_once('.') {
        Some((w, f)) => (w, f),
        None => (number, ""),
    };
    if frac.contains('.') {
        return Err(Exact::Malformed);
    }
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| Exact::Malformed)?
    };
    let mut total = whole.checked_mul(scale as u128).ok_or(Exact::Overflow)?;
    let mut place = scale as u128;
    for digit in frac.chars() {
        let d = digit.to_digit(10).ok_or(Exact::Malformed)? as u128;
        if d != 0 && place < 10 {
            return Err(Exact::Fractional);
        }
        if place >= 10 {
            place /= 10;
            total += d * place;
        }
    }
    u64::try_from(total).map_err(|_| Exact::Overflow)
}

impl fmt::Display for Nanos {
    /// Prints the largest unit that keeps the value exact to three
    /// decimals: `250us`, `1.5ms`, `2s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        if n == 0 {
            return write!(f, "0ms");
        }
        for (unit, scale) in [("s", 1_000_000_000u64), ("ms", 1_000_000), ("us", 1_000)] {
            if n >= scale && (n * 1000).is_multiple_of(scale) {
                return write!(f, "{}{unit}", trim_decimal(n as f64 / scale as f64));
            }
        }
        write!(f, "{n}ns")
    }
}

fn trim_decimal(value: f64) -> String {
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
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
        assert_eq!(parse(" 10 ms "), Ok(10_000_000));
        assert_eq!(parse("0ms"), Ok(0));
        assert_eq!(parse(".5s"), Ok(500_000_000));
        assert_eq!(parse("1_000ms"), Ok(1_000_000_000));
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
            parse("50 sec"),
            Err(DurationError::UnknownUnit { .. })
        ));
        assert!(matches!(parse("ms"), Err(DurationError::NoNumber(_))));
        assert!(matches!(parse("-5ms"), Err(DurationError::Negative(_))));
        assert!(matches!(parse("1.5ns"), Err(DurationError::TooFine(_))));
        assert!(matches!(parse("1.2.3ms"), Err(DurationError::NoNumber(_))));
        assert!(matches!(
            parse("99999999999h"),
            Err(DurationError::TooLong(_))
        ));
        assert_eq!(parse(""), Err(DurationError::Empty));
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
        ] {
            assert_eq!(Nanos(n).to_string().parse::<Nanos>(), Ok(Nanos(n)), "{n}");
        }
    }
}
