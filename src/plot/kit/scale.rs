//! Axis arithmetic, free of drawing: the range a chart shows, where its
//! ticks go and how tick values read. Charts draw their own axes from a
//! [`Scale`] so that linear and logarithmic axes, and every chart kind,
//! look the same.

use crate::format::format_number;

/// A one-dimensional mapping from data values to a fraction of the axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    pub lo: f64,
    pub hi: f64,
    pub log: bool,
}

/// A tick: where it is, and whether it gets a label (minor ticks of a
/// logarithmic axis only get a light grid line).
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub value: f64,
    pub label: Option<String>,
}

/// A "nice" step near `raw`: 1, 2, 2.5 or 5 times a power of ten.
pub fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let power = 10f64.powf(raw.log10().floor());
    let m = raw / power;
    let nice = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 2.5 {
        2.5
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * power
}

impl Scale {
    /// A linear axis covering `min..=max` with a little headroom, from 0
    /// when `from_zero`, its ends on tick values.
    pub fn linear(min: f64, max: f64, from_zero: bool) -> Scale {
        let (mut lo, mut hi) = finite_range(min, max);
        if from_zero {
            lo = lo.min(0.0);
            hi = hi.max(0.0);
        }
        if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
            let pad = if hi == 0.0 { 1.0 } else { hi.abs() * 0.5 };
            hi += pad;
            if !from_zero || lo != 0.0 {
                lo -= pad;
            }
        }
        let span = hi - lo;
        let hi = hi + span * 0.04;
        let lo = if from_zero && lo == 0.0 {
            0.0
        } else {
            lo - span * 0.04
        };
        let step = nice_step((hi - lo) / 6.0);
        Scale {
            lo: if lo == 0.0 {
                0.0
            } else {
                (lo / step).floor() * step
            },
            hi: (hi / step).ceil() * step,
            log: false,
        }
    }

    /// A logarithmic axis covering the positive values `min..=max`, its
    /// ends on 1, 2 or 5 times a power of ten.
    pub fn logarithmic(min: f64, max: f64) -> Scale {
        let (lo, hi) = finite_range(min, max);
        let hi = if hi > 0.0 {
            hi.max(SMALLEST * 10.0)
        } else {
            1.0
        };
        let lo = if lo > 0.0 {
            lo.max(SMALLEST)
        } else {
            hi / 10.0
        };
        let (lo, hi) = if hi / lo < 1.5 {
            (lo / 1.25, hi * 1.25)
        } else {
            (lo, hi)
        };
        Scale {
            lo: round_125(lo / 1.08, false),
            hi: round_125(hi * 1.08, true),
            log: true,
        }
    }

    /// Where `v` falls, from 0 (the low end) to 1 (the high end); values
    /// outside the range land outside 0..1, non-positive values of a log
    /// axis at its low end.
    pub fn fraction(&self, v: f64) -> f64 {
        let f = if self.log {
            if v <= 0.0 {
                return 0.0;
            }
            (v.ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        };
        if f.is_finite() { f } else { 0.0 }
    }

    /// Whether `v` can be placed on this axis.
    pub fn shows(&self, v: f64) -> bool {
        v.is_finite() && (!self.log || v > 0.0)
    }

    /// The ticks of the axis: about `target` labelled ones.
    pub fn ticks(&self, target: usize) -> Vec<Tick> {
        if self.log {
            return self.log_ticks(target);
        }
        let step = nice_step((self.hi - self.lo) / target.max(2) as f64);
        let decimals = decimals_for(step);
        let mut ticks = Vec::new();
        let mut i = (self.lo / step).ceil() as i64;
        loop {
            let v = i as f64 * step;
            if v > self.hi + step * 1e-9 || ticks.len() > 100 {
                break;
            }
            ticks.push(Tick {
                value: v,
                label: Some(format_number(v, decimals)),
            });
            i += 1;
        }
        ticks
    }

    fn log_ticks(&self, target: usize) -> Vec<Tick> {
        let first = self.lo.log10().floor() as i32;
        let last = self.hi.log10().ceil() as i32;
        let decades = (last - first).max(1) as usize;
        // Labelled multiples of each power of ten: decades only when there
        // are many, 1-2-5 when few, and every integer when very few.
        let labelled: &[f64] = if decades >= target.max(2) / 2 {
            &[1.0]
        } else if decades >= 2 {
            &[1.0, 2.0, 5.0]
        } else {
            &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]
        };
        let step_decades = decades.div_ceil(target.max(1) * 2).max(1) as i32;
        let mut ticks = Vec::new();
        for p in first..=last {
            let power = 10f64.powi(p);
            for m in 1..=9 {
                let v = m as f64 * power;
                if v < self.lo * (1.0 - 1e-9) || v > self.hi * (1.0 + 1e-9) {
                    continue;
                }
                let show =
                    labelled.contains(&(m as f64)) && (m != 1 || (p - first) % step_decades == 0);
                let label = show.then(|| format_number(v, decimals_for(power)));
                if label.is_some() || decades <= 6 {
                    ticks.push(Tick { value: v, label });
                }
            }
        }
        ticks
    }
}

/// The largest magnitude an axis shows. Results come from files people
/// edit: 1.8e308 ms is a number, but headroom on top of it is infinite,
/// and an axis from 1e-300 to infinity has no end of decades to tick.
const LARGEST: f64 = 1e300;
/// The smallest positive value a logarithmic axis shows.
const SMALLEST: f64 = 1e-300;

/// `min..=max` in order, finite, within ±[`LARGEST`].
fn finite_range(min: f64, max: f64) -> (f64, f64) {
    let (lo, hi) = match (min.is_finite(), max.is_finite()) {
        (true, true) if min <= max => (min, max),
        (true, true) => (max, min),
        (true, false) => (min, min),
        (false, true) => (max, max),
        (false, false) => (0.0, 1.0),
    };
    (lo.clamp(-LARGEST, LARGEST), hi.clamp(-LARGEST, LARGEST))
}

/// Rounds a positive value to 1, 2 or 5 times a power of ten.
fn round_125(v: f64, up: bool) -> f64 {
    let power = 10f64.powf(v.log10().floor());
    let m = v / power;
    let steps = [1.0, 2.0, 5.0, 10.0];
    let pick = if up {
        steps.iter().copied().find(|&s| s >= m * (1.0 - 1e-9))
    } else {
        steps.iter().rev().copied().find(|&s| s <= m * (1.0 + 1e-9))
    };
    pick.unwrap_or(1.0) * power
}

/// Decimal places that show a value on a grid of `step`.
fn decimals_for(step: f64) -> usize {
    if !(step.is_finite() && step > 0.0) {
        return 0;
    }
    let mut d = (-step.log10().floor()).max(0.0) as usize;
    let scaled = step * 10f64.powi(d as i32);
    if (scaled - scaled.round()).abs() > 1e-6 {
        d += 1;
    }
    d.min(9)
}

/// The smallest and largest finite value, or (∞, −∞) when there is none.
pub fn min_max(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        })
}

/// The rule for automatic log axes lives with the statistics, beside the
/// crossovers that interpolate in the same space.
pub use crate::stats::spans_two_decades;

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(scale: &Scale, target: usize) -> Vec<String> {
        scale
            .ticks(target)
            .into_iter()
            .filter_map(|t| t.label)
            .collect()
    }

    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(0.7), 1.0);
        assert_eq!(nice_step(1.6), 2.0);
        assert_eq!(nice_step(2.3), 2.5);
        assert_eq!(nice_step(37.0), 50.0);
        assert_eq!(nice_step(0.0), 1.0);
    }

    #[test]
    fn linear_axis_starts_at_zero_and_ends_on_a_tick() {
        let s = Scale::linear(101.0, 301.0, true);
        assert_eq!(s.lo, 0.0);
        assert!(s.hi >= 301.0 && s.hi <= 400.0, "{s:?}");
        assert_eq!(labels(&s, 6).first().map(String::as_str), Some("0"));
    }

    #[test]
    fn degenerate_ranges_do_not_collapse() {
        let s = Scale::linear(5.0, 5.0, false);
        assert!(s.lo < 5.0 && s.hi > 5.0);
        let z = Scale::linear(0.0, 0.0, true);
        assert!(z.hi > 0.0);
        let n = Scale::linear(f64::NAN, f64::INFINITY, true);
        assert!(n.hi > n.lo);
    }

    #[test]
    fn extreme_values_give_a_finite_axis_with_few_ticks() {
        for (lo, hi) in [
            (1e-320, f64::MAX),
            (5e-324, 1.0),
            (1.0, 1.7976931348623157e308),
        ] {
            let s = Scale::logarithmic(lo, hi);
            assert!(s.lo > 0.0 && s.hi.is_finite() && s.lo < s.hi, "{s:?}");
            assert!(s.ticks(7).len() < 10_000, "{s:?}");
        }
        let s = Scale::linear(-f64::MAX, f64::MAX, true);
        assert!(s.lo.is_finite() && s.hi.is_finite() && s.lo < s.hi, "{s:?}");
        assert!(s.ticks(7).len() <= 101, "{s:?}");
    }

    #[test]
    fn log_axis_labels_decades() {
        let s = Scale::logarithmic(1.0, 1000.0);
        assert_eq!(labels(&s, 6), ["1", "10", "100", "1000"]);
        assert!((s.fraction(10.0) - 1.0 / 3.0).abs() < 0.05);
        assert_eq!(s.fraction(0.0), 0.0);
        let narrow = Scale::logarithmic(3.0, 40.0);
        assert!(labels(&narrow, 6).contains(&"20".to_string()));
    }

    #[test]
    fn two_decades() {
        assert!(spans_two_decades(&[1.0, 10.0, 100.0]));
        assert!(!spans_two_decades(&[1.0, 2.0, 4.0, 8.0]));
        assert!(!spans_two_decades(&[0.0, 100.0]));
    }
}
