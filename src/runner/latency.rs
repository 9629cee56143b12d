//! Each task's IO latencies, drawn once per cell from the workload's
//! distribution with a seeded generator, so that every run of a cell, and
//! every model at the same workload point, waits exactly the same times.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, Normal};

use crate::config::{ArrivalDist, CellArrival, IoLatency, Nanos};
use crate::model::Schedule;

/// The latency of every IO wait in a cell: `tasks × rounds` values, task
/// by task (`table[task * rounds + round]`), in nanoseconds.
pub fn draw(latency: IoLatency, tasks: u64, rounds: u32, seed: u64) -> Vec<u64> {
    let n = (tasks as usize).saturating_mul(rounds as usize);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    match latency {
        IoLatency::Fixed { value } => vec![value.0; n],
        IoLatency::Uniform { min, max } => (0..n)
            .map(|_| {
                if min == max {
                    min.0
                } else {
                    rng.random_range(min.0..=max.0)
                }
            })
            .collect(),
        IoLatency::Exponential { mean } => match Exp::new(1.0 / mean.0.max(1) as f64) {
            Ok(exp) => (0..n).map(|_| to_nanos(exp.sample(&mut rng))).collect(),
            Err(_) => vec![mean.0; n],
        },
        IoLatency::Normal { mean, sd } => match Normal::new(mean.0 as f64, sd.0 as f64) {
            Ok(normal) => (0..n).map(|_| truncated(&normal, &mut rng, mean)).collect(),
            Err(_) => vec![mean.0; n],
        },
    }
}

/// A draw from `normal` conditioned on being at least zero (resampled, not
/// clamped, so no mass piles up at zero); gives up after many tries, which
/// only happens when the mean is many deviations below zero.
fn truncated(normal: &Normal<f64>, rng: &mut ChaCha8Rng, mean: Nanos) -> u64 {
    for _ in 0..1000 {
        let x = normal.sample(rng);
        if x >= 0.0 {
            return to_nanos(x);
        }
    }
    mean.0 / 2
}

/// When each of a group's `requests` arrives, from a seeded generator:
/// evenly spaced needs no table; Poisson arrivals are the running sum of
/// exponential gaps of mean 1/rate, the first at the start.
pub fn draw_arrivals(arrival: CellArrival, requests: u64, seed: u64) -> Schedule {
    let gap_ns = 1e9 / arrival.rate.per_s();
    match arrival.dist {
        ArrivalDist::Uniform => Schedule::Every { gap_ns },
        ArrivalDist::Poisson => {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let Ok(exp) = Exp::new(1.0 / gap_ns) else {
                return Schedule::Every { gap_ns };
            };
            let mut at = 0.0f64;
            let times = (0..requests)
                .map(|k| {
                    if k > 0 {
                        at += exp.sample(&mut rng);
                    }
                    to_nanos(at)
                })
                .collect();
            Schedule::At(times)
        }
    }
}

fn to_nanos(x: f64) -> u64 {
    if x.is_finite() && x > 0.0 {
        x.round().min(u64::MAX as f64 / 2.0) as u64
    } else {
        0
    }
}

/// A stable 64-bit hash (FNV-1a) for deriving per-cell seeds; unlike std's
/// hasher it never changes between Rust versions.
pub fn stable_hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0xff)) {
            h ^= byte as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean(values: &[u64]) -> f64 {
        values.iter().sum::<u64>() as f64 / values.len() as f64
    }

    #[test]
    fn poisson_arrivals_have_their_rate_and_repeat_with_their_seed() {
        use crate::config::{Rate, RequestSpan};
        let arrival = CellArrival {
            rate: Rate(200.0),
            dist: ArrivalDist::Poisson,
            span: RequestSpan::Requests(20_000),
        };
        let Schedule::At(times) = draw_arrivals(arrival, 20_000, 7) else {
            panic!("a Poisson schedule is a table");
        };
        assert_eq!(times.len(), 20_000);
        assert_eq!(times[0], 0);
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
        // 19,999 gaps of mean 5 ms: within 3 % (about 4 standard errors).
        let mean_gap = times[19_999] as f64 / 19_999.0;
        assert!((mean_gap / 5e6 - 1.0).abs() < 0.03, "{mean_gap}");
        assert_eq!(draw_arrivals(arrival, 20_000, 7), Schedule::At(times));
        assert_ne!(
            draw_arrivals(arrival, 20_000, 8),
            draw_arrivals(arrival, 20_000, 7)
        );
        let uniform = CellArrival {
            dist: ArrivalDist::Uniform,
            ..arrival
        };
        assert_eq!(
            draw_arrivals(uniform, 20_000, 7),
            Schedule::Every { gap_ns: 5e6 }
        );
    }

    #[test]
    fn fixed_latency_is_the_value() {
        let t = draw(IoLatency::Fixed { value: Nanos(5) }, 3, 2, 1);
        assert_eq!(t, vec![5; 6]);
    }

    #[test]
    fn the_same_seed_draws_the_same_latencies() {
        let d = IoLatency::Exponential {
            mean: Nanos(20_000_000),
        };
        assert_eq!(draw(d, 100, 3, 42), draw(d, 100, 3, 42));
        assert_ne!(draw(d, 100, 3, 42), draw(d, 100, 3, 43));
    }

    #[test]
    fn distributions_have_their_means_and_bounds() {
        let u = draw(
            IoLatency::Uniform {
                min: Nanos(10_000_000),
                max: Nanos(90_000_000),
            },
            20_000,
            1,
            7,
        );
        assert!(u.iter().all(|&x| (10_000_000..=90_000_000).contains(&x)));
        assert!((mean(&u) / 50e6 - 1.0).abs() < 0.02);
        let e = draw(
            IoLatency::Exponential {
                mean: Nanos(20_000_000),
            },
            20_000,
            1,
            7,
        );
        assert!((mean(&e) / 20e6 - 1.0).abs() < 0.05);
        let n = draw(
            IoLatency::Normal {
                mean: Nanos(20_000_000),
                sd: Nanos(5_000_000),
            },
            20_000,
            1,
            7,
        );
        assert!((mean(&n) / 20e6 - 1.0).abs() < 0.02);
    }

    #[test]
    fn normal_is_truncated_at_zero() {
        let n = draw(
            IoLatency::Normal {
                mean: Nanos(1_000_000),
                sd: Nanos(5_000_000),
            },
            5_000,
            1,
            3,
        );
        // Resampling rather than clamping: almost nothing sits at exactly 0,
        // and the mean moves above the untruncated mean.
        assert!(n.iter().filter(|&&x| x == 0).count() < 5);
        assert!(mean(&n) > 1_000_000.0);
    }

    #[test]
    fn stable_hash_is_stable() {
        assert_eq!(stable_hash(&["a", "b"]), stable_hash(&["a", "b"]));
        assert_ne!(stable_hash(&["ab"]), stable_hash(&["a", "b"]));
        assert_eq!(stable_hash(&[]), 0xcbf2_9ce4_8422_2325);
    }
}
