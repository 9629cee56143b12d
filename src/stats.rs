//! Pure statistics over a cell's measured runs: centre, spread, extremes
//! and a 95 % confidence interval of the mean (Student's t), and Student's
//! t distribution for fractional degrees of freedom (Welch's test).

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

/// Whether values spread over two decades or more, and so read better on
/// a logarithmic axis: the rule for a chart's automatic log axes, and for
/// the space crossovers are interpolated in. Non-positive values rule a
/// log axis out.
pub fn spans_two_decades(values: &[f64]) -> bool {
    let mut lo = f64::INFINITY;
    let mut hi = 0.0f64;
    for &v in values {
        if !(v.is_finite() && v > 0.0) {
            return false;
        }
        lo = lo.min(v);
        hi = hi.max(v);
    }
    lo.is_finite() && hi / lo >= 100.0 * (1.0 - 1e-9)
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

/// The natural logarithm of the gamma function, for x > 0 (Lanczos
/// approximation, g = 7, nine coefficients: relative error below 1e-13).
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x) Γ(1 − x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let sum = C[1..]
        .iter()
        .enumerate()
        .fold(C[0], |acc, (i, c)| acc + c / (x + i as f64 + 1.0));
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The continued fraction of the incomplete beta function (modified
/// Lentz's method), which converges fast for x < (a + 1) / (a + b + 2).
fn beta_continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    const EPS: f64 = 1e-15;
    let guard = |v: f64| if v.abs() < TINY { TINY } else { v };
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 / guard(1.0 - qab * x / qap);
    let mut h = d;
    for m in 1..=10_000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let even = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 / guard(1.0 + even * d);
        c = guard(1.0 + even / c);
        h *= d * c;
        let odd = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 / guard(1.0 + odd * d);
        c = guard(1.0 + odd / c);
        let step = d * c;
        h *= step;
        if (step - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// The regularized incomplete beta function I_x(a, b), for a, b > 0 and
/// 0 ≤ x ≤ 1.
pub fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front =
        (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_continued_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_continued_fraction(b, a, 1.0 - x) / b
    }
}

/// P(T ≤ t) for Student's t with `df` > 0 degrees of freedom, fractional
/// ones included.
pub fn t_cdf(t: f64, df: f64) -> f64 {
    let tail = 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t));
    if t > 0.0 { 1.0 - tail } else { tail }
}

/// The `p` quantile of Student's t with `df` > 0 degrees of freedom,
/// fractional ones included (Welch–Satterthwaite gives those): the t at
/// which [`t_cdf`] reaches `p`, found by bisection to 1e-12. Infinite for
/// p ≥ 1 or df ≤ 0 (no finite interval), negative below p = 0.5.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if df.is_nan() || df <= 0.0 || p >= 1.0 {
        return f64::INFINITY;
    }
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p < 0.5 {
        return -t_quantile(1.0 - p, df);
    }
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    while t_cdf(hi, df) < p {
        lo = hi;
        hi *= 2.0;
        if hi > 1e300 {
            return f64::INFINITY;
        }
    }
    while hi - lo > 1e-12 * hi.max(1.0) {
        let mid = 0.5 * (lo + hi);
        if t_cdf(mid, df) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
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
    fn two_decades() {
        assert!(spans_two_decades(&[1.0, 10.0, 100.0]));
        assert!(!spans_two_decades(&[1.0, 2.0, 4.0, 8.0]));
        assert!(!spans_two_decades(&[0.0, 100.0]));
        assert!(!spans_two_decades(&[]));
        // The ratio decides, not the size: 10–20 is one decade's
        // fraction, 0.01–1 exactly two, 0.5–49.9 just under.
        assert!(!spans_two_decades(&[10.0, 20.0]));
        assert!(spans_two_decades(&[1.0, 0.01, 0.1]));
        assert!(!spans_two_decades(&[0.5, 49.9]));
        assert!(!spans_two_decades(&[5.0, f64::INFINITY]));
        assert!(!spans_two_decades(&[5.0, -500.0]));
    }

    #[test]
    fn t_quantiles() {
        assert_eq!(t_975(4), 2.776);
        assert!((t_975(40) - 2.021).abs() < 0.002);
        assert!((t_975(120) - 1.980).abs() < 0.002);
        assert!((t_975(100_000) - 1.960).abs() < 0.001);
    }

    /// Reference quantiles computed independently with mpmath 1.3.0 at 40
    /// significant digits (bisection on the t CDF written with mpmath's
    /// regularized incomplete beta): `python3
    /// tests/fixtures/welch_reference.py`. The integer ones agree with R's
    /// `qt(0.975, df)`.
    #[test]
    fn t_quantiles_for_fractional_degrees_of_freedom() {
        for (p, df, expected) in [
            (0.975, 1.0, 12.706_204_736_174_7),
            (0.975, 4.0, 2.776_445_105_197_79),
            (0.975, 30.0, 2.042_272_456_301_24),
            (0.975, 2.5, 3.574_654_842_003_68),
            (0.975, 8.98, 2.262_925_398_186_15),
            (0.975, 100.5, 1.983_850_655_335_8),
            (0.995, 3.3, 5.344_306_069_721_08),
            (0.9, 0.7, 5.009_947_959_646_4),
        ] {
            let got = t_quantile(p, df);
            assert!(
                (got - expected).abs() < 1e-9 * expected,
                "t_quantile({p}, {df}) = {got}, expected {expected}"
            );
            assert!((t_quantile(1.0 - p, df) + expected).abs() < 1e-9 * expected);
        }
        assert_eq!(t_quantile(0.975, 0.0), f64::INFINITY);
        assert_eq!(t_quantile(0.975, f64::NAN), f64::INFINITY);
        assert!(t_quantile(0.5, 7.3).abs() < 1e-9);
    }

    #[test]
    fn the_t_table_agrees_with_the_quantile_function() {
        for df in 1..=30 {
            assert!((t_975(df) - t_quantile(0.975, df as f64)).abs() < 0.0005);
        }
    }

    #[test]
    fn integer_median() {
        assert_eq!(median_u64(&mut []), None);
        assert_eq!(median_u64(&mut [5, 1, 3]), Some(3));
        assert_eq!(median_u64(&mut [4, 1, 3, 2]), Some(2));
    }

    #[test]
    fn coefficient_of_variation() {
        let Some(s) = describe(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]) else {
            panic!("no stats")
        };
        assert!((s.cv() - 2.138_089_935_299_395 / 5.0).abs() < 1e-12);
        let Some(zero) = describe(&[-1.0, 1.0]) else {
            panic!("no stats")
        };
        assert_eq!(zero.cv(), 0.0);
    }

    /// The interval of the mean of the known sample: 5 ∓ t(7) × s / √8 with
    /// t(7) = 2.365 from the table and s = 2.138089935299395 (computed by
    /// hand in Python).
    #[test]
    fn confidence_bounds_of_the_known_sample() {
        let Some(s) = describe(&[9.0, 2.0, 4.0, 5.0, 4.0, 7.0, 4.0, 5.0]) else {
            panic!("no stats")
        };
        assert!((s.stddev - 2.138_089_935_299_395).abs() < 1e-12);
        assert!((s.ci95_low - 3.212_228_042_666_355_4).abs() < 1e-12);
        assert!((s.ci95_high - 6.787_771_957_333_645).abs() < 1e-12);
        assert_eq!((s.min, s.max, s.median), (2.0, 9.0, 4.5));
        let Some(two) = describe(&[1.0, 3.0]) else {
            panic!("no stats")
        };
        // t(1) = 12.706, s = √2, n = 2: half-width 12.706.
        assert!((two.ci95_low - (2.0 - 12.706)).abs() < 1e-12);
        assert!((two.ci95_high - (2.0 + 12.706)).abs() < 1e-12);
    }

    #[test]
    fn medians_of_even_and_odd_counts() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0]), Some(3.0));
        assert_eq!(median(&[40.0, 0.0, 20.0, 10.0]), Some(15.0));
        assert_eq!(median(&[5.0, 1.0, 9.0]), Some(5.0));
        assert_eq!(median_u64(&mut [40, 0, 20, 10]), Some(15));
        assert_eq!(median_u64(&mut [7, 8]), Some(7));
        assert_eq!(median_u64(&mut [9]), Some(9));
    }

    /// Every entry of the t table (R's `qt(0.975, df)` to three places) and
    /// the Cornish–Fisher values beyond it, pinned literally.
    #[test]
    fn the_t_table_and_its_extension() {
        let table = [
            12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
            2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
            2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
        ];
        for (i, t) in table.iter().enumerate() {
            assert_eq!(t_975(i + 1), *t, "df {}", i + 1);
        }
        assert_eq!(t_975(0), f64::INFINITY);
        for (df, expected) in [
            (31, 2.039_425_923_356_073_4),
            (40, 2.021_034_843_658_458),
            (120, 1.979_928_934_177_079_4),
            (1000, 1.962_339_093_777_410_6),
        ] {
            assert!(
                (t_975(df) - expected).abs() < 1e-12,
                "df {df}: {}",
                t_975(df)
            );
        }
    }

    /// ln Γ, I_x(a, b) and the t CDF against mpmath 1.3.0 at 40 digits
    /// (`mp.loggamma`, `mp.betainc(a, b, 0, x, regularized=True)`; the t
    /// CDF as in `tests/fixtures/welch_reference.py`).
    #[test]
    fn special_functions_match_reference_values() {
        for (x, expected) in [
            (0.1, 2.252_712_651_734_206),
            (0.5, 0.572_364_942_924_700_1),
            (1.0, 0.0),
            (1.5, -0.120_782_237_635_245_22),
            (2.5, 0.284_682_870_472_919_2),
            (4.49, 2.439_860_308_106_122_4),
            (10.2, 13.254_266_744_235_55),
            (171.3, 708.114_947_038_996_9),
        ] {
            let got = ln_gamma(x);
            assert!(
                (got - expected).abs() < 1e-12 * expected.abs().max(1.0),
                "ln_gamma({x}) = {got}, expected {expected}"
            );
        }
        for (a, b, x, expected) in [
            (2.0, 3.0, 0.4, 0.524_8),
            (0.5, 0.5, 0.2, 0.295_167_235_300_866_6),
            (4.5, 0.5, 0.9, 0.343_436_396_137_913_57),
            (2.05, 0.5, 0.3, 0.035_279_622_806_235_87),
            (10.0, 3.0, 0.85, 0.735_818_086_223_450_8),
            (1.2, 7.5, 0.05, 0.238_235_133_529_561_93),
            (50.0, 0.5, 0.97, 0.081_699_333_721_822_63),
        ] {
            let got = incomplete_beta(a, b, x);
            assert!(
                (got - expected).abs() < 1e-12,
                "I_{x}({a}, {b}) = {got}, expected {expected}"
            );
        }
        assert_eq!(incomplete_beta(2.0, 3.0, 0.0), 0.0);
        assert_eq!(incomplete_beta(2.0, 3.0, 1.0), 1.0);
        for (t, df, expected) in [
            (2.0, 4.0, 0.941_941_738_241_592_2),
            (-1.3, 2.5, 0.150_243_394_635_354_12),
            (0.7, 30.2, 0.755_357_519_737_679_5),
            (3.1, 1.0, 0.900_673_907_800_881_5),
        ] {
            let got = t_cdf(t, df);
            assert!(
                (got - expected).abs() < 1e-12,
                "t_cdf({t}, {df}) = {got}, expected {expected}"
            );
        }
        assert_eq!(t_cdf(0.0, 3.0), 0.5);
        assert_eq!(t_quantile(0.0, 3.0), f64::NEG_INFINITY);
        assert_eq!(t_quantile(1.0, 3.0), f64::INFINITY);
    }

    fn assert_relative(got: f64, expected: f64, tolerance: f64, what: &str) {
        assert!(
            (got - expected).abs() <= tolerance * expected.abs(),
            "{what} = {got:e}, expected {expected:e} within {tolerance:e} of it"
        );
    }

    /// Small values of I_x(a, b) keep their relative precision: each is
    /// computed from its own side's series, not as 1 minus the other
    /// side's (which leaves an absolute error near 1e-16, and for x near 1
    /// converges slowly). Closed forms, evaluated with mpmath 1.3.0 at 40
    /// digits: I_x(2, 10) = Σ_{j=2..11} C(11, j) xʲ (1 − x)¹¹⁻ʲ (integer
    /// parameters; also exact with Python's `fractions`), I_x(½, ½) =
    /// (2/π) asin √x, I_x(1, b) = 1 − (1 − x)ᵇ.
    #[test]
    fn small_incomplete_betas_are_computed_on_their_own_side() {
        // x = 1e-5 is below (a + 1) / (a + b + 2) = 3/14 and below the
        // `a − b + 2` of a misspelt threshold, which is negative here.
        assert_relative(
            incomplete_beta(2.0, 10.0, 1e-5),
            5.499_670_009_899_815e-9,
            1e-12,
            "I_1e-5(2, 10)",
        );
        // a < 1: a threshold of (a − 1) / (a + b + 2) would be negative.
        assert_relative(
            incomplete_beta(0.5, 0.5, 1e-10),
            6.366_197_723_781_917e-6,
            1e-12,
            "I_1e-10(1/2, 1/2)",
        );
        // x = 0.4 lies between a / (a + b + 2) = 1/3 and (a + 1) / (a + b +
        // 2) = 2/3 (b = 1e-6): still the direct side.
        assert_relative(
            incomplete_beta(1.0, 1e-6, 0.4),
            5.108_254_932_946_04e-7,
            1e-12,
            "I_0.4(1, 1e-6)",
        );
    }

    /// Modified Lentz's method survives a convergent whose denominator is
    /// exactly zero: here the first one, 1 − (a + b) x / (a + 1), vanishes
    /// at x = (a + 1) / (a + b). The fraction's value is a I_x(a, b) / (xᵃ
    /// (1 − x)ᵇ / B(a, b)); with integer parameters exactly (Python's
    /// `fractions`): (1, 3, ½): I = 7/8, front 3/16, so 14/3; (2, 4, ½):
    /// I = 26/32, front 20/64, so 26/5. Without the guard, 1/0 makes it NaN.
    #[test]
    fn the_continued_fraction_steps_over_a_zero_denominator() {
        for (a, b, x, expected) in [(1.0, 3.0, 0.5, 14.0 / 3.0), (2.0, 4.0, 0.5, 26.0 / 5.0)] {
            assert_eq!(1.0 - (a + b) * x / (a + 1.0), 0.0);
            assert_relative(
                beta_continued_fraction(a, b, x),
                expected,
                1e-13,
                &format!("the fraction at ({a}, {b}, {x})"),
            );
        }
    }

    /// The fraction stops once a step changes it by less than 1e-15: every
    /// further step multiplies in another rounding error, and running all
    /// 10 000 steps would move these values by about 1e-12 (0.7³) and 1e-10
    /// (the second, computed as 1 − 0.995…) relative. References: 0.7³ =
    /// I_0.7(3, 1) exactly; I_0.8(3, 0.01) with mpmath 1.3.0 at 40 digits
    /// (`mp.betainc(3, 0.01, 0, 0.8, regularized=True)`).
    #[test]
    fn the_continued_fraction_stops_once_converged() {
        assert_relative(incomplete_beta(3.0, 1.0, 0.7), 0.343, 1e-13, "I_0.7(3, 1)");
        assert_relative(
            incomplete_beta(3.0, 0.01, 0.8),
            4.912_881_768_684_042e-3,
            1e-12,
            "I_0.8(3, 0.01)",
        );
    }

    /// The bracket around a quantile doubles: t_quantile(0.99, 0.1) ≈ 1.6e16
    /// is bracketed in 54 doublings, where growing the bracket by a
    /// constant step would take some 1e16 steps and never answer. Run on a
    /// thread with a deadline a million times what it takes, so that a
    /// regression fails instead of hanging. Reference: mpmath 1.3.0 at 50
    /// digits, t = √(df (1 − x) / x) where ½ I_x(df/2, ½) = 1 − p (x found
    /// by bisection on `mp.betainc(..., regularized=True)`).
    #[test]
    fn far_quantiles_are_bracketed_by_doubling() {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(t_quantile(0.99, 0.1));
        });
        let got = rx
            .recv_timeout(std::time::Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("t_quantile(0.99, 0.1) did not answer within 30 s"));
        assert_relative(
            got,
            1.604_425_705_666_551_2e16,
            1e-12,
            "t_quantile(0.99, 0.1)",
        );
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
        fn t_cdf_inverts_t_quantile(p in 0.0001f64..0.9999, df in 0.3f64..500.0) {
            let t = t_quantile(p, df);
            prop_assert!((t_cdf(t, df) - p).abs() < 1e-9);
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
