//! What the reference programs (`examples/reference-*.rs`) borrow from
//! conlab, and nothing more: the clock, `getrusage` and the precise
//! timer the worker uses, and one JSON line that reports a run the way
//! the worker would (wall time, CPU time, peak RSS, wake-up delays).
//!
//! Why a public module and not hidden subcommands of `conlab`: a reference
//! is the bare program a model stands for, so it must be its own small
//! binary that a reader can hold against conlab's (and that carries none of
//! conlab's code or start-up), measured with the same clocks. Everything
//! else in the crate stays private; this module is the whole of what the
//! examples may use, and it is not a stable interface.

use hdrhistogram::Histogram;

pub use crate::measure::{Usage, now_ns};
pub use crate::workload::timer::PreciseTimer;

/// Wake-up delays of a run's IO waits: how long after its deadline each
/// waiting task ran again. Kept as conlab's worker keeps them (an
/// HdrHistogram with three significant digits, the maximum exact), so a
/// million waits cost a few kilobytes and medians are computed the same.
pub struct Wakes {
    histogram: Option<Histogram<u64>>,
    max: Option<u64>,
}

impl Default for Wakes {
    fn default() -> Wakes {
        Wakes::new()
    }
}

impl Wakes {
    pub fn new() -> Wakes {
        Wakes {
            histogram: Histogram::new(3).ok(),
            max: None,
        }
    }

    /// Records one wake-up `delay_ns` after its deadline.
    pub fn record(&mut self, delay_ns: u64) {
        if let Some(h) = &mut self.histogram
            && h.record(delay_ns).is_err()
        {
            h.saturating_record(delay_ns);
        }
        self.max = Some(self.max.map_or(delay_ns, |m| m.max(delay_ns)));
    }

    /// The `q` quantile, never above the exact maximum.
    pub fn quantile(&self, q: f64) -> Option<u64> {
        let max = self.max?;
        let h = self.histogram.as_ref().filter(|h| !h.is_empty())?;
        Some(h.value_at_quantile(q).min(max))
    }
}

/// One reference run as the side-by-side benchmark reads it.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Report {
    pub tasks: u64,
    /// From just before the runtime, pool or first thread is made until
    /// the last task has been joined.
    pub wall_ns: u64,
    pub user_ns: u64,
    pub sys_ns: u64,
    pub ctx_voluntary: u64,
    pub ctx_involuntary: u64,
    pub peak_rss_kb: u64,
    pub wake_p50_ns: Option<u64>,
    pub wake_max_ns: Option<u64>,
}

impl Report {
    /// The run of `tasks` tasks that began at `start_ns` and ended at
    /// `end_ns`; CPU time and peak RSS are the whole process's so far.
    pub fn new(tasks: u64, start_ns: u64, end_ns: u64, wakes: &Wakes) -> Report {
        let usage = Usage::this_process();
        Report {
            tasks,
            wall_ns: end_ns.saturating_sub(start_ns),
            user_ns: usage.user_ns,
            sys_ns: usage.sys_ns,
            ctx_voluntary: usage.ctx_voluntary,
            ctx_involuntary: usage.ctx_involuntary,
            peak_rss_kb: usage.peak_rss_kb,
            wake_p50_ns: wakes.quantile(0.5),
            wake_max_ns: wakes.max,
        }
    }

    /// The report as one line of JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wakes_give_the_median_and_never_more_than_the_maximum() {
        let mut w = Wakes::new();
        assert_eq!(w.quantile(0.5), None);
        for d in [10_000, 20_000, 30_000, 40_000, 1_000_000] {
            w.record(d);
        }
        let p50 = w.quantile(0.5).unwrap_or(0);
        assert!((29_970..=30_030).contains(&p50), "{p50}");
        assert_eq!(w.quantile(1.0), Some(1_000_000));
        let r = Report::new(5, 100, 350, &w);
        assert_eq!(r.wall_ns, 250);
        assert_eq!(r.wake_max_ns, Some(1_000_000));
        assert!(r.to_json().contains("\"tasks\":5"));
    }
}
