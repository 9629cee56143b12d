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
//!
//! Also their command line, read alike by all of them ([`Args`]).

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

/// A reference program's command line:
/// `[WORD…] TASKS LATENCY_NS [--workers W] [FLAG…]`, the same in every
/// reference so that the side-by-side benchmark calls them alike.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Args {
    /// The words before TASKS (`reference-tokio`'s flavour).
    pub words: Vec<String>,
    pub tasks: u64,
    pub latency_ns: u64,
    /// Everything after LATENCY_NS.
    options: Vec<String>,
}

impl Args {
    /// `args` (the program's name left out) with `leading` words before
    /// TASKS; `None` when TASKS or LATENCY_NS is missing or not a number.
    pub fn parse(mut args: Vec<String>, leading: usize) -> Option<Args> {
        let number = |i: usize| args.get(i)?.parse::<u64>().ok();
        let (tasks, latency_ns) = (number(leading)?, number(leading + 1)?);
        let options = args.split_off(leading + 2);
        args.truncate(leading);
        Some(Args {
            words: args,
            tasks,
            latency_ns,
            options,
        })
    }

    /// This process's command line, as [`Args::parse`] reads it; when it
    /// does not fit, prints `usage: {usage}` and exits with 2.
    pub fn from_env(leading: usize, usage: &str) -> Args {
        match Args::parse(std::env::args().skip(1).collect(), leading) {
            Some(args) => args,
            None => {
                eprintln!("usage: {usage}");
                std::process::exit(2);
            }
        }
    }

    /// `--workers W`, or without it (or with a W that is no number) the
    /// usable cores, as conlab's `thread-pool` and `async-multi` default.
    pub fn workers(&self) -> usize {
        self.options
            .iter()
            .position(|a| a == "--workers")
            .and_then(|i| self.options.get(i + 1)?.parse().ok())
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    }

    /// Whether `flag` (such as `--precise`) is on the line.
    pub fn has(&self, flag: &str) -> bool {
        self.options.iter().any(|a| a == flag)
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

    fn words(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn args_read_tasks_latency_and_options_after_the_leading_words() {
        let a = Args::parse(words("multi 10 2000000 --workers 3 --precise"), 1);
        let Some(a) = a else {
            panic!("not parsed");
        };
        assert_eq!(a.words, ["multi"]);
        assert_eq!((a.tasks, a.latency_ns), (10, 2_000_000));
        assert_eq!(a.workers(), 3);
        assert!(a.has("--precise"));
        assert!(!a.has("--workers=3"));
        let b = Args::parse(words("7 100"), 0);
        assert_eq!(b.as_ref().map(|b| (b.tasks, b.latency_ns)), Some((7, 100)));
        assert_eq!(b.as_ref().map(|b| b.words.len()), Some(0));
        assert_eq!(b.as_ref().map(|b| b.has("--precise")), Some(false));
    }

    #[test]
    fn args_without_workers_take_the_usable_cores() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        for line in ["4 100", "4 100 --workers", "4 100 --workers many"] {
            let a = Args::parse(words(line), 0).map(|a| a.workers());
            assert_eq!(a, Some(cores), "{line}");
        }
    }

    #[test]
    fn args_missing_or_not_numbers_are_refused() {
        for (line, leading) in [
            ("", 0),
            ("4", 0),
            ("x 100", 0),
            ("4 -1", 0),
            ("4 100", 1),
            ("multi", 1),
            ("multi 4 1.5ms", 1),
        ] {
            assert_eq!(Args::parse(words(line), leading), None, "{line:?}");
        }
    }
}
