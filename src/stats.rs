//! Pure statistics over a cell's measured runs: centre, spread, extremes
//! and a 95 % confidence interval of the mean (Student's t).

use serde::{Deserialize, Serialize};

/// A description of a sample.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub n: usize,
    pub mean: f64,
    pub median: f64,
    /// Sample standard deviation (n − 1); 0 for a single value.
    pub stddev: f64,
    pub min: f64,
    pub max: f64,
    /// 95 % confidence interval of the mean; equal to the mean when n = 1.
    pub ci95_low: f64,
    pub ci95_high: f64,
}

impl Stats {
    /// Coefficient of variation: stddev / mean (0 when the mean is 0).
    pub fn cv(&self) -> f64 {
        if self.mean == 0.0 {
            0.0
        } else {
            self.stddev / self.mean
        }
    }
}

/// Describes `values`; `None` when there are none or any is not finite.
pub fn describe(values: &[f64]) -> Option<Stats> {
    if values.is_empty() || values.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let n = values.len();
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mean = values.iter().sum::<f64>() / n as f64;
    let stddev = if n > 1 {
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
    } else {
        0.0
    };
    let half = if n > 1 {
        t_975(n - 1) * stddev / (n as f64).sqrt()
    } else {
        0.0
    };
    Some(Stats {
        n,
        mean,
        median: median_of_sorted(&sorted),
        stddev,
        min: sorted[0],
        max: sorted[n - 1],
        ci95_low: mean - half,
        ci95_high: mean + half,
    })
}

/// The median of `values` (the mean of the middle two for even counts).
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    Some(median_of_sorted(&sorted))
}

fn median_of_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// The median of integer samples, rounded down; for overshoots in ns.
pub fn median_u64(values: &mut [u64]) -> Option<u64> {
    if values.is_empty() {
        return None;
    }
    let mid = values.len() / 2;
    let (_, m, _) = values.select_nth_unstable(mid);
    let upper = *m;
    if values.len() % 2 == 1 {
        Some(upper)
    } else {
        let lower = values[..mid].iter().copied().max().unwrap_or(upper);
        Some(lower + (upper - lower) / 2)
    }
}

/// The 97.5th percentile of Student's t distribution with `df` degrees of
/// freedom (two-sided 95 %).
pub fn t_975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => TABLE[df - 1],
        // Cornish-Fisher expansion around the normal quantile; within 0.001
        // of the exact value beyond 30 degrees of freedom.
        _ => {
            let z: f64 = 1.959_964;
            let d = df as f64;
            z + (z.powi(3) + z) / (4.0 * d)
                + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * d * d)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_sample() {
        let s = describe(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        let Some(s) = s else { panic!("no stats") };
        assert_eq!(s.n, 8);
        assert_eq!(s.mean, 5.0);
        assert_eq!(s.median, 4.5);
        assert!((s.stddev - 2.138_089_935).abs() < 1e-6);
        assert_eq!((s.min, s.max), (2.0, 9.0));
        let half = 2.365 * s.stddev / 8f64.sqrt();
        assert!((s.ci95_high - 5.0 - half).abs() < 1e-9);
    }

    #[test]
    fn single_and_empty() {
        assert_eq!(describe(&[]), None);
        assert_eq!(describe(&[f64::NAN]), None);
        let Some(s) = describe(&[3.0]) else {
            panic!("no stats")
        };
        assert_eq!(
            (s.median, s.stddev, s.ci95_low, s.ci95_high),
            (3.0, 0.0, 3.0, 3.0)
        );
    }

    #[test]
    fn t_quantiles() {
        assert_eq!(t_975(4), 2.776);
        assert!((t_975(40) - 2.021).abs() < 0.002);
        assert!((t_975(120) - 1.980).abs() < 0.002);
        assert!((t_975(100_000) - 1.960).abs() < 0.001);
    }

    #[test]
    fn integer_median() {
        assert_eq!(median_u64(&mut []), None);
        assert_eq!(median_u64(&mut [5, 1, 3]), Some(3));
        assert_eq!(median_u64(&mut [4, 1, 3, 2]), Some(2));
    }

    proptest! {
        #[test]
        fn order_statistics_are_ordered(values in prop::collection::vec(-1e9f64..1e9, 1..60)) {
            let s = describe(&values).unwrap_or_else(|| panic!("no stats"));
            prop_assert!(s.min <= s.median && s.median <= s.max);
            prop_assert!(s.min <= s.mean + 1e-6 && s.mean <= s.max + 1e-6);
            prop_assert!(s.stddev >= 0.0);
            prop_assert!(s.ci95_low <= s.mean && s.mean <= s.ci95_high);
        }

        #[test]
        fn shifting_moves_centre_not_spread(values in prop::collection::vec(-1e6f64..1e6, 2..40), shift in -1e6f64..1e6) {
            let a = describe(&values).unwrap_or_else(|| panic!("no stats"));
            let shifted: Vec<f64> = values.iter().map(|v| v + shift).collect();
            let b = describe(&shifted).unwrap_or_else(|| panic!("no stats"));
            prop_assert!((b.median - a.median - shift).abs() < 1e-6);
            prop_assert!((b.stddev - a.stddev).abs() < 1e-6 * (1.0 + a.stddev));
        }

        #[test]
        fn median_is_order_independent(mut values in prop::collection::vec(0u64..1_000_000, 1..50)) {
            let floats: Vec<f64> = values.iter().map(|&v| v as f64).collect();
            let m = median(&floats).unwrap_or(0.0);
            let mi = median_u64(&mut values).unwrap_or(0) as f64;
            prop_assert!((m - mi).abs() <= 0.5);
        }
    }
}
