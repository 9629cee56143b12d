//! Whether times read better in µs, ms or s on an axis.

/// The unit a time axis reads best in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeUnit {
    Us,
    Ms,
    S,
}

impl TimeUnit {
    /// For values up to `max_ms`: s from 2 s on, µs below 1 ms if
    /// `allow_us`, else ms.
    pub fn for_max(max_ms: f64, allow_us: bool) -> TimeUnit {
        if max_ms >= 2000.0 {
            TimeUnit::S
        } else if allow_us && max_ms > 0.0 && max_ms < 1.0 {
            TimeUnit::Us
        } else {
            TimeUnit::Ms
        }
    }

    /// Multiply milliseconds by this to get the unit.
    pub fn per_ms(self) -> f64 {
        match self {
            TimeUnit::Us => 1000.0,
            TimeUnit::Ms => 1.0,
            TimeUnit::S => 0.001,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            TimeUnit::Us => "µs",
            TimeUnit::Ms => "ms",
            TimeUnit::S => "s",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_by_range() {
        assert_eq!(TimeUnit::for_max(301.0, false), TimeUnit::Ms);
        assert_eq!(TimeUnit::for_max(2500.0, false), TimeUnit::S);
        assert_eq!(TimeUnit::for_max(0.1, true), TimeUnit::Us);
        assert_eq!(TimeUnit::for_max(0.1, false), TimeUnit::Ms);
    }
}
