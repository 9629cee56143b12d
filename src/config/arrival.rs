//! Open-loop load, as an experiment file describes it: requests arriving at
//! a rate (`arrival = { rate = 100, dist = "poisson" }`) instead of a batch
//! of tasks that start together, and how many of them arrive
//! (`requests = 2000` or `duration = "10s"`). Shared vocabulary: the reader,
//! the matrix, the runner that draws the schedule and the queueing
//! predictions all speak of arrivals in these terms.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::duration::Nanos;
use super::field::Sweep;
use super::named::named;

/// The highest rate an experiment may ask for, in requests per second.
pub const MAX_RATE: f64 = 10_000_000.0;

/// Requests per second: a finite number above 0 (the reader refuses any
/// other), compared and hashed by its bits so that a sweep can find
/// repeated values.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Rate(pub f64);

impl Rate {
    pub fn per_s(self) -> f64 {
        self.0
    }
}

impl Eq for Rate {}

impl std::hash::Hash for Rate {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.to_bits().hash(state);
    }
}

impl fmt::Display for Rate {
    /// As a file writes it: `50`, `12.5`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for Rate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.0)
    }
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        f64::deserialize(deserializer).map(Rate)
    }
}

named! {
    serde,
    /// How requests are spaced in time.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum ArrivalDist {
        /// A Poisson process: independent, exponentially distributed gaps.
        #[default]
        Poisson = "poisson",
        /// Evenly spaced, 1/rate apart.
        Uniform = "uniform",
    }
}

/// The `arrival` table of a group: its rate (a sweep axis) and spacing.
#[derive(Clone, Debug, PartialEq)]
pub struct ArrivalSpec {
    pub rate: Sweep<Rate>,
    pub dist: ArrivalDist,
}

impl Default for ArrivalSpec {
    /// A placeholder: files must give the rate.
    fn default() -> Self {
        ArrivalSpec {
            rate: Sweep::one(Rate(1.0)),
            dist: ArrivalDist::Poisson,
        }
    }
}

/// How many requests arrive: a count, or as many as arrive at the rate
/// within a duration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestSpan {
    Requests(u64),
    Duration(Nanos),
}

impl RequestSpan {
    /// The requests of a schedule at `rate`: the count, or
    /// round(rate × duration), saturating.
    pub fn requests(self, rate: Rate) -> u64 {
        match self {
            RequestSpan::Requests(n) => n,
            RequestSpan::Duration(d) => {
                let n = (rate.per_s() * d.0 as f64 / 1e9).round();
                if n >= u64::MAX as f64 {
                    u64::MAX
                } else {
                    n as u64
                }
            }
        }
    }
}

/// How long after dispatch starts an open-loop run stops its tasks: a
/// quarter of the timeout (at least a second, at most a minute) before it,
/// so that the worker ends, and reports, on its own.
pub fn stop_after(timeout: std::time::Duration) -> std::time::Duration {
    use std::time::Duration;
    let margin = (timeout / 4).clamp(Duration::from_secs(1), Duration::from_secs(60));
    timeout.saturating_sub(margin).max(timeout / 2)
}

/// The shortest timeout (in whole seconds) whose [`stop_after`] is at
/// least `span_s` seconds: what a file must give for arrivals that long.
pub fn timeout_for(span_s: f64) -> std::time::Duration {
    let t = if span_s <= 1.0 {
        2.0 * span_s
    } else if span_s <= 3.0 {
        span_s + 1.0
    } else if span_s <= 180.0 {
        span_s * 4.0 / 3.0
    } else {
        span_s + 60.0
    };
    std::time::Duration::from_secs(t.ceil().clamp(1.0, 1e12) as u64)
}

/// The expected time from a schedule's first arrival to its last, in
/// seconds: (requests − 1) / rate, the first one arriving at once.
pub fn expected_span_s(rate: Rate, requests: u64) -> f64 {
    requests.saturating_sub(1) as f64 / rate.per_s()
}

/// One group's arrivals at one point of the sweeps.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellArrival {
    pub rate: Rate,
    pub dist: ArrivalDist,
    pub span: RequestSpan,
}

impl fmt::Display for CellArrival {
    /// `poisson 50/s, 2000 requests` or `uniform 50/s for 10s`: what
    /// tells two schedules apart (it is part of the workload key).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}/s", self.dist.as_str(), self.rate)?;
        match self.span {
            RequestSpan::Requests(n) => write!(f, ", {n} requests"),
            RequestSpan::Duration(d) => write!(f, " for {d}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_timeout_for_a_span_lets_it_end_before_the_stop() {
        use std::time::Duration;
        for span in [0.2, 1.0, 1.5, 3.0, 4.0, 100.0, 180.0, 181.0, 5000.0] {
            let t = timeout_for(span);
            assert!(stop_after(t).as_secs_f64() >= span, "{span}: {t:?}");
            // And not much more: a second less would not do.
            let less = t.saturating_sub(Duration::from_secs(1));
            assert!(
                stop_after(less).as_secs_f64() < span || less.as_secs() == 0,
                "{span}: {t:?}"
            );
        }
        assert_eq!(expected_span_s(Rate(2.0), 5), 2.0);
        assert_eq!(expected_span_s(Rate(2.0), 0), 0.0);
    }

    #[test]
    fn requests_of_a_duration_are_rate_times_duration() {
        let ten_s = RequestSpan::Duration(Nanos(10_000_000_000));
        assert_eq!(ten_s.requests(Rate(50.0)), 500);
        assert_eq!(ten_s.requests(Rate(0.04)), 0);
        assert_eq!(ten_s.requests(Rate(0.06)), 1);
        assert_eq!(RequestSpan::Requests(7).requests(Rate(1e6)), 7);
        let forever = RequestSpan::Duration(Nanos(u64::MAX));
        assert_eq!(forever.requests(Rate(1e12)), u64::MAX, "saturates");
    }

    #[test]
    fn arrivals_read_as_files_write_them() {
        let a = CellArrival {
            rate: Rate(12.5),
            dist: ArrivalDist::Uniform,
            span: RequestSpan::Duration(Nanos(2_000_000_000)),
        };
        assert_eq!(a.to_string(), "uniform 12.5/s for 2s");
        let b = CellArrival {
            rate: Rate(50.0),
            dist: ArrivalDist::Poisson,
            span: RequestSpan::Requests(2000),
        };
        assert_eq!(b.to_string(), "poisson 50/s, 2000 requests");
        for d in [ArrivalDist::Poisson, ArrivalDist::Uniform] {
            assert_eq!(ArrivalDist::from_name(d.as_str()), Some(d));
        }
        assert_eq!(ArrivalDist::from_name("gauss"), None);
    }
}
