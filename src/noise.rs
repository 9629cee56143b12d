//! How quiet the machine was around each run. The parent reads the
//! kernel's CPU counters (`/proc/stat`) and load average (`/proc/loadavg`)
//! just before it starts a run's worker and just after it has reaped it,
//! outside the window the worker measures, and works out how much CPU the
//! hypervisor stole meanwhile and how much other processes used. Also the
//! rule that says when that is too much for a cell's numbers to be trusted.
//!
//! What counts, and why:
//!
//! - **busy** is `user + nice + system + irq + softirq` of the machine-wide
//!   `cpu` line. `idle` and `iowait` are time no task ran. `steal` is time
//!   the hypervisor ran something else on our virtual CPU: nothing in this
//!   machine ran then, so it is reported on its own (`steal_ms`) and not
//!   counted as busy. `guest` and `guest_nice` are already part of `user`
//!   and `nice` (the kernel adds guest time to both), so adding them would
//!   count it twice.
//! - **own** is the CPU time of the run's whole process tree over its whole
//!   life, from the parent's `getrusage(RUSAGE_CHILDREN)` after it has
//!   reaped the worker: the worker from `exec` to exit (including start-up,
//!   the job's JSON, a delay server, a Python interpreter's start-up and
//!   the pool workers it waited for), not only the window the worker
//!   measures. Using the worker's own figure would count its start-up, and
//!   a Python interpreter's, as another process's CPU.
//! - **conlab's parent is not foreign.** It is the measuring apparatus, not
//!   another program competing with the run; its CPU during the window (the
//!   threads reading the worker's pipes, the wait loop, the progress bar)
//!   is small and the same in every run, and counting it would make every
//!   quiet run look slightly busy. Its `RUSAGE_SELF` is subtracted too.
//! - **foreign** = busy − own, never below 0: the CPU that every other
//!   process and the kernel's interrupt handling used while the run went on.
//!   Kernel work done for the run outside its processes (softirqs of
//!   loopback TCP, kernel threads) lands here too; it is usually small next
//!   to the thresholds below.
//!
//! The counters tick: the kernel samples user and system time at each
//! timer tick and reports them in units of `1 / sysconf(_SC_CLK_TCK)`
//! seconds (10 ms on Linux), so one run's figures are only good to about
//! ±10 ms. [`disturbed`] therefore asks for more than [`FLOOR_MS`] as well
//! as [`SHARE`] of the wall time before it calls a cell's runs disturbed.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::measure::Usage;

/// Steal or foreign CPU above this share of a cell's wall time (medians over
/// its runs) marks its runs as disturbed.
pub const SHARE: f64 = 0.02;

/// Below this many milliseconds the counters cannot tell noise from their
/// own rounding: two counter units of 10 ms (one from each reading).
pub const FLOOR_MS: f64 = 20.0;

/// What one run's parent saw of the rest of the machine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunNoise {
    /// CPU time the hypervisor stole, all CPUs together, during the run.
    pub steal_ns: Option<u64>,
    /// CPU time used by everything but the run's process tree and conlab,
    /// all CPUs together, during the run.
    pub foreign_cpu_ns: Option<u64>,
    /// The 1-minute load average when the run started.
    pub load_1m: Option<f64>,
}

/// The machine-wide CPU counters of `/proc/stat`, in clock ticks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CpuCounters {
    /// user + nice + system + irq + softirq.
    pub busy: u64,
    pub idle: u64,
    pub iowait: u64,
    pub steal: u64,
}

impl CpuCounters {
    /// Reads the `cpu` line of `/proc/stat` text; `None` if it has none.
    /// Kernels older than 2.6.11 have no steal field: it counts as 0.
    pub fn parse(stat: &str) -> Option<CpuCounters> {
        let line = stat.lines().find(|l| l.starts_with("cpu "))?;
        let fields: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .map(|f| f.parse().ok())
            .collect::<Option<Vec<u64>>>()?;
        let at = |i: usize| fields.get(i).copied().unwrap_or(0);
        if fields.len() < 4 {
            return None;
        }
        Some(CpuCounters {
            busy: at(0) + at(1) + at(2) + at(5) + at(6),
            idle: at(3),
            iowait: at(4),
            steal: at(7),
        })
    }

    /// The counters of `root/proc/stat`; `None` if they cannot be read.
    pub fn read(root: &Path) -> Option<CpuCounters> {
        let text = std::fs::read_to_string(root.join("proc/stat")).ok()?;
        CpuCounters::parse(&text)
    }

    /// What the counters advanced by since `earlier` (0 if they went back).
    pub fn since(self, earlier: CpuCounters) -> CpuCounters {
        CpuCounters {
            busy: self.busy.saturating_sub(earlier.busy),
            idle: self.idle.saturating_sub(earlier.idle),
            iowait: self.iowait.saturating_sub(earlier.iowait),
            steal: self.steal.saturating_sub(earlier.steal),
        }
    }
}

/// The load averages of `/proc/loadavg`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoadAverage {
    #[serde(rename = "1m")]
    pub one: f64,
    #[serde(rename = "5m")]
    pub five: f64,
    #[serde(rename = "15m")]
    pub fifteen: f64,
}

impl LoadAverage {
    pub fn parse(text: &str) -> Option<LoadAverage> {
        let mut it = text.split_whitespace().map(|f| f.parse::<f64>().ok());
        Some(LoadAverage {
            one: it.next()??,
            five: it.next()??,
            fifteen: it.next()??,
        })
    }

    /// The load averages of `root/proc/loadavg`, if it can be read.
    pub fn read(root: &Path) -> Option<LoadAverage> {
        LoadAverage::parse(&std::fs::read_to_string(root.join("proc/loadavg")).ok()?)
    }
}

/// How long one clock tick of `/proc/stat` is, in nanoseconds.
pub fn tick_ns() -> u64 {
    // SAFETY: sysconf only reads a configuration value; no memory effects.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    // USER_HZ is 100 on every Linux architecture conlab builds for; a
    // failed sysconf (-1) falls back to it rather than dividing by it.
    let per_second = if per_second > 0 { per_second } else { 100 };
    1_000_000_000 / per_second as u64
}

/// Foreign CPU: busy time minus the run's own, never below 0.
pub fn foreign_ns(busy_ticks: u64, tick_ns: u64, own_ns: u64) -> u64 {
    busy_ticks.saturating_mul(tick_ns).saturating_sub(own_ns)
}

/// The parent's readings just before it starts a run's worker.
#[derive(Clone, Copy, Debug)]
pub struct Probe {
    counters: Option<CpuCounters>,
    children: Usage,
    parent: Usage,
    load_1m: Option<f64>,
}

fn cpu_ns(u: Usage) -> u64 {
    u.user_ns + u.sys_ns
}

impl Probe {
    /// Reads the counters; call right before starting the worker.
    pub fn start() -> Probe {
        let load_1m = LoadAverage::read(Path::new("/")).map(|l| l.one);
        Probe {
            children: Usage::children(),
            parent: Usage::this_process(),
            counters: CpuCounters::read(Path::new("/")),
            load_1m,
        }
    }

    /// Reads them again; call right after the worker has been reaped, so
    /// that its process tree's CPU time is in `RUSAGE_CHILDREN`.
    pub fn finish(self) -> RunNoise {
        let after = CpuCounters::read(Path::new("/"));
        let own = cpu_ns(Usage::children().since(self.children))
            + cpu_ns(Usage::this_process().since(self.parent));
        let (steal_ns, foreign_cpu_ns) = match (self.counters, after) {
            (Some(before), Some(after)) => {
                let d = after.since(before);
                let tick = tick_ns();
                (
                    Some(d.steal.saturating_mul(tick)),
                    Some(foreign_ns(d.busy, tick, own)),
                )
            }
            _ => (None, None),
        };
        RunNoise {
            steal_ns,
            foreign_cpu_ns,
            load_1m: self.load_1m,
        }
    }
}

/// Whether `noise_ms` (median over a cell's runs) disturbs a median wall
/// time of `wall_ms`: above [`SHARE`] of it and above [`FLOOR_MS`].
pub fn disturbed(noise_ms: f64, wall_ms: f64) -> bool {
    noise_ms > FLOOR_MS && noise_ms > SHARE * wall_ms
}

/// What disturbed a cell's runs: the medians over its runs that crossed
/// the line (the other is `None`), beside its median wall time.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Disturbance {
    pub wall_ms: f64,
    pub foreign_cpu_ms: Option<f64>,
    pub steal_ms: Option<f64>,
}

impl Disturbance {
    /// The disturbance of a cell with these medians, if any crossed the line.
    pub fn of(
        wall_ms: Option<f64>,
        foreign_cpu_ms: Option<f64>,
        steal_ms: Option<f64>,
    ) -> Option<Disturbance> {
        let wall_ms = wall_ms?;
        let crossed = |v: Option<f64>| v.filter(|v| disturbed(*v, wall_ms));
        let d = Disturbance {
            wall_ms,
            foreign_cpu_ms: crossed(foreign_cpu_ms),
            steal_ms: crossed(steal_ms),
        };
        (d.foreign_cpu_ms.is_some() || d.steal_ms.is_some()).then_some(d)
    }

    /// `value` as a share of the wall time.
    pub fn share(&self, value: f64) -> f64 {
        if self.wall_ms > 0.0 {
            value / self.wall_ms
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAT: &str = "cpu  52508 3 7961 64152 259 4 69 17 11 0\n\
                        cpu0 25996 0 3898 32475 61 0 30 7 0 0\n\
                        cpu1 26512 0 4062 31676 198 0 38 10 0 0\n\
                        intr 1 2 3\n";

    #[test]
    fn busy_is_user_nice_system_irq_softirq_without_guest() {
        let c = CpuCounters::parse(STAT);
        assert_eq!(
            c,
            Some(CpuCounters {
                busy: 52508 + 3 + 7961 + 4 + 69,
                idle: 64152,
                iowait: 259,
                steal: 17,
            })
        );
    }

    #[test]
    fn old_kernels_without_steal_and_garbage() {
        let c = CpuCounters::parse("cpu  10 0 5 100\n");
        assert_eq!(c.map(|c| (c.busy, c.steal)), Some((15, 0)));
        assert_eq!(CpuCounters::parse(""), None);
        assert_eq!(CpuCounters::parse("cpu  1 x 2 3\n"), None);
        assert_eq!(CpuCounters::parse("cpu  1 2\n"), None);
        assert_eq!(CpuCounters::parse("cpu0 1 2 3 4 5\n"), None);
    }

    #[test]
    fn counters_never_go_back() {
        let a = CpuCounters {
            busy: 10,
            idle: 5,
            iowait: 1,
            steal: 3,
        };
        let b = CpuCounters {
            busy: 4,
            idle: 9,
            iowait: 1,
            steal: 7,
        };
        assert_eq!(
            b.since(a),
            CpuCounters {
                busy: 0,
                idle: 4,
                iowait: 0,
                steal: 4
            }
        );
    }

    #[test]
    fn load_average() {
        let l = LoadAverage::parse("1.86 1.05 0.55 3/98 16894\n");
        assert_eq!(
            l.map(|l| (l.one, l.five, l.fifteen)),
            Some((1.86, 1.05, 0.55))
        );
        assert_eq!(LoadAverage::parse("1.0 2.0"), None);
        assert_eq!(LoadAverage::parse("a b c"), None);
    }

    #[test]
    fn foreign_is_busy_minus_own_and_never_negative() {
        let tick = 10_000_000;
        assert_eq!(foreign_ns(12, tick, 50_000_000), 70_000_000);
        assert_eq!(foreign_ns(3, tick, 50_000_000), 0);
    }

    #[test]
    fn a_tick_is_10_ms_on_linux() {
        assert_eq!(tick_ns(), 10_000_000);
    }

    #[test]
    fn disturbed_needs_the_share_and_the_floor() {
        // 2 % of 10 s is 200 ms.
        assert!(!disturbed(150.0, 10_000.0));
        assert!(disturbed(250.0, 10_000.0));
        // Above 2 % of a 100 ms run, but within the counters' rounding.
        assert!(!disturbed(15.0, 100.0));
        assert!(!disturbed(FLOOR_MS, 100.0));
        assert!(disturbed(25.0, 100.0));
    }

    #[test]
    fn disturbance_keeps_only_what_crossed_the_line() {
        assert_eq!(Disturbance::of(Some(100.0), Some(5.0), Some(0.0)), None);
        assert_eq!(Disturbance::of(None, Some(500.0), None), None);
        assert_eq!(Disturbance::of(Some(100.0), None, None), None);
        let d = Disturbance::of(Some(100.0), Some(90.0), Some(1.0));
        assert_eq!(
            d,
            Some(Disturbance {
                wall_ms: 100.0,
                foreign_cpu_ms: Some(90.0),
                steal_ms: None
            })
        );
        assert_eq!(d.map(|d| d.share(90.0)), Some(0.9));
        let d = Disturbance::of(Some(1000.0), Some(0.0), Some(30.0));
        assert_eq!(d.and_then(|d| d.steal_ms), Some(30.0));
    }
}
