//! One run's result: the [`Measurement`] a worker takes around a model,
//! and the [`RunRecord`], the row of `runs.csv` that ties it to its cell.

use serde::{Deserialize, Serialize};

use crate::matrix::Cell;
use crate::measure::Usage;
use crate::model::{Extras, Span};
use crate::noise::RunNoise;

/// What the worker measured around one run of a model.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// From the start of model setup to the end of the last task.
    pub wall_ns: u64,
    /// From the start of model setup until it could run tasks.
    pub setup_ns: u64,
    pub usage: Usage,
    pub io_waits: u64,
    pub io_overshoot_median_ns: Option<u64>,
    pub io_overshoot_max_ns: Option<u64>,
    /// With `io = "tcp"`: how late the delay server itself answered.
    pub server_overshoot_median_ns: Option<u64>,
    pub extras: Extras,
    /// The most OS threads the run's process tree had at once, as sampled
    /// by the parent every millisecond (the delay server left out).
    #[serde(default)]
    pub threads_max: Option<u64>,
    /// Per group, in the cell's group order.
    #[serde(default)]
    pub groups: Vec<GroupMeasurement>,
    /// What the parent saw of the rest of the machine around the run; the
    /// worker leaves it empty and the parent fills it in.
    #[serde(default)]
    pub noise: RunNoise,
}

/// What the tasks of one group of a run measured: when they completed
/// (from the start of the run to the end of their last round) and how
/// long each IO wait took to get its task running again after the IO
/// completed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupMeasurement {
    pub tasks: u64,
    pub completion_p50_ns: u64,
    pub completion_p99_ns: u64,
    pub completion_max_ns: u64,
    /// `None` when the group does no IO.
    pub wake_p50_ns: Option<u64>,
    pub wake_p99_ns: Option<u64>,
    pub wake_max_ns: Option<u64>,
    /// The group's rounds over the time its last task took to complete.
    pub rounds_per_s: Option<f64>,
    /// The wake-up delays at each of [`CURVE_QUANTILES`], in ns: the
    /// distribution a CDF chart draws (empty when the group does no IO).
    #[serde(default)]
    pub wake_curve_ns: Vec<u64>,
    /// A group with arrivals: what its requests measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<RequestMeasurement>,
}

/// What the requests of one group with arrivals measured in one run. A
/// request's latency runs from its scheduled arrival to its completion.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RequestMeasurement {
    /// The schedule's rate: (requests − 1) over the time from the first
    /// arrival to the last.
    pub offered_per_s: Option<f64>,
    /// Completions per second: (completed − 1) over the time from the
    /// first completion to the last.
    pub achieved_per_s: Option<f64>,
    pub completed: u64,
    /// Requests not completed when the run stopped, before its timeout.
    pub unfinished: u64,
    /// `None` when no request completed.
    pub latency_mean_ns: Option<f64>,
    pub latency_p50_ns: Option<u64>,
    pub latency_p90_ns: Option<u64>,
    pub latency_p99_ns: Option<u64>,
    pub latency_p999_ns: Option<u64>,
    pub latency_max_ns: Option<u64>,
    /// The latencies at each of [`CURVE_QUANTILES`], in ns (empty when no
    /// request completed).
    pub latency_curve_ns: Vec<u64>,
}

/// The quantiles at which a distribution is kept for charts: every
/// percent, then the tail.
pub const CURVE_QUANTILES: [f64; 104] = {
    let mut q = [0.0; 104];
    let mut i = 0;
    while i < 100 {
        q[i] = i as f64 / 100.0;
        i += 1;
    }
    q[100] = 0.995;
    q[101] = 0.999;
    q[102] = 0.9999;
    q[103] = 1.0;
    q
};

/// The wake-up delays of one run per group, for CDF charts: each group's
/// delays at [`CURVE_QUANTILES`]. Kept for the first measured run of
/// every cell, as `distributions/cell-<index>.json`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    pub cell: usize,
    pub label: String,
    pub quantiles: Vec<f64>,
    pub groups: Vec<GroupDistribution>,
}

/// One group's wake-up delays in a [`Distribution`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupDistribution {
    pub name: String,
    /// At each of the distribution's quantiles, in ns; empty without IO.
    pub wake_ns: Vec<u64>,
    /// A group with arrivals: its requests' latencies at the same
    /// quantiles, in ns (empty otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub latency_ns: Vec<u64>,
}

impl Distribution {
    /// The distribution of a measured run of `cell`, if any group did IO
    /// or completed requests.
    pub fn of_run(cell: &Cell, m: &Measurement) -> Option<Distribution> {
        let groups: Vec<GroupDistribution> = cell
            .groups
            .iter()
            .zip(&m.groups)
            .map(|(g, gm)| GroupDistribution {
                name: g.name.clone(),
                wake_ns: gm.wake_curve_ns.clone(),
                latency_ns: gm
                    .requests
                    .as_ref()
                    .map(|r| r.latency_curve_ns.clone())
                    .unwrap_or_default(),
            })
            .collect();
        groups
            .iter()
            .any(|g| !g.wake_ns.is_empty() || !g.latency_ns.is_empty())
            .then(|| Distribution {
                cell: cell.index,
                label: cell.label(),
                quantiles: CURVE_QUANTILES.to_vec(),
                groups,
            })
    }
}

/// Per-task spans of one run, times relative to the start of the run and
/// threads numbered from 0 in order of first appearance.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    pub cell: usize,
    pub label: String,
    pub wall_ns: u64,
    pub spans: Vec<Span>,
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Ok,
    Failed,
    TimedOut,
    Skipped,
}

/// One row of `runs.csv`: a measured run (or a run that failed, timed out
/// or was skipped), with its cell's coordinates. Times in milliseconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub cell: usize,
    pub workload: String,
    pub model: String,
    pub variant: String,
    pub kind: String,
    pub tasks: u64,
    pub io_latency: String,
    pub cpu_cost: String,
    /// Empty for a workload of several groups (see `groups.csv`).
    pub rounds: Option<u32>,
    pub io: String,
    pub workers: Option<u32>,
    pub switch_interval: Option<String>,
    pub poll_interval: Option<String>,
    pub repetition: u32,
    pub status: RunStatus,
    pub message: String,
    pub wall_ms: Option<f64>,
    pub setup_ms: Option<f64>,
    pub user_ms: Option<f64>,
    pub sys_ms: Option<f64>,
    pub cpu_ms: Option<f64>,
    pub ctx_voluntary: Option<u64>,
    pub ctx_involuntary: Option<u64>,
    pub peak_rss_kb: Option<u64>,
    pub io_waits: Option<u64>,
    pub io_overshoot_median_us: Option<f64>,
    pub io_overshoot_max_us: Option<f64>,
    pub server_overshoot_median_us: Option<f64>,
    pub lock_handoffs: Option<u64>,
    pub lock_wait_total_ms: Option<f64>,
    pub lock_wait_max_ms: Option<f64>,
    pub loop_lag_max_ms: Option<f64>,
    /// Absent from results of conlab 0.1.
    #[serde(default)]
    pub threads_max: Option<u64>,
    /// CPU the hypervisor stole during the run, all CPUs together. The
    /// three noise columns come last, and results written before they
    /// existed read back without them.
    #[serde(default)]
    pub steal_ms: Option<f64>,
    /// CPU used by other processes during the run, all CPUs together.
    #[serde(default)]
    pub foreign_cpu_ms: Option<f64>,
    /// The 1-minute load average when the run started.
    #[serde(default)]
    pub load_1m: Option<f64>,
    /// The shared counter of a workload of one group: its mode (`none`
    /// without one) and whether tasks yield inside its window; empty for a
    /// workload of several groups (see `summary.json`). The counter columns
    /// come last, and results written before they existed read back
    /// without them.
    #[serde(default)]
    pub shared: String,
    #[serde(default)]
    pub await_inside: Option<bool>,
    /// Updates the tasks made to shared counters (tasks × rounds of every
    /// group with one), and how many of them the counters lost.
    #[serde(default)]
    pub updates_expected: Option<u64>,
    #[serde(default)]
    pub updates_lost: Option<u64>,
    /// Time tasks waited for `locked` counters' locks, all together.
    #[serde(default)]
    pub shared_lock_wait_ms: Option<f64>,
    /// The machine the run ran on, in results `conlab merge` joined from
    /// several machines; absent (no column) everywhere else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<String>,
    /// The interpreter of a runner-backed cell, as the file names it
    /// (`python3` when it names none), a coordinate like `workers`; empty
    /// for conlab's own models. The last column, absent from results
    /// written before it existed.
    #[serde(default)]
    pub python: Option<String>,
}

/// One row of `groups.csv`: one group of one measured run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupRecord {
    pub cell: usize,
    pub repetition: u32,
    pub group: String,
    pub tasks: u64,
    pub completion_p50_ms: f64,
    pub completion_p99_ms: f64,
    pub completion_max_ms: f64,
    pub wake_delay_p50_us: Option<f64>,
    pub wake_delay_p99_us: Option<f64>,
    pub wake_delay_max_us: Option<f64>,
    pub rounds_per_s: Option<f64>,
    /// A group with arrivals (empty for others, and in results written
    /// before arrivals existed): see [`RequestMeasurement`].
    #[serde(default)]
    pub offered_per_s: Option<f64>,
    #[serde(default)]
    pub achieved_per_s: Option<f64>,
    #[serde(default)]
    pub latency_mean_ms: Option<f64>,
    #[serde(default)]
    pub latency_p50_ms: Option<f64>,
    #[serde(default)]
    pub latency_p90_ms: Option<f64>,
    #[serde(default)]
    pub latency_p99_ms: Option<f64>,
    #[serde(default)]
    pub latency_p999_ms: Option<f64>,
    #[serde(default)]
    pub latency_max_ms: Option<f64>,
    #[serde(default)]
    pub requests_completed: Option<u64>,
    #[serde(default)]
    pub requests_unfinished: Option<u64>,
}

impl GroupRecord {
    /// The rows of a measured run, one per group of its cell.
    pub fn of_run(cell: &Cell, repetition: u32, m: &Measurement) -> Vec<GroupRecord> {
        cell.groups
            .iter()
            .zip(&m.groups)
            .map(|(g, gm)| GroupRecord {
                cell: cell.index,
                repetition,
                group: g.name.clone(),
                tasks: gm.tasks,
                completion_p50_ms: ms(gm.completion_p50_ns),
                completion_p99_ms: ms(gm.completion_p99_ns),
                completion_max_ms: ms(gm.completion_max_ns),
                wake_delay_p50_us: gm.wake_p50_ns.map(us),
                wake_delay_p99_us: gm.wake_p99_ns.map(us),
                wake_delay_max_us: gm.wake_max_ns.map(us),
                rounds_per_s: gm.rounds_per_s,
                offered_per_s: gm.requests.as_ref().and_then(|r| r.offered_per_s),
                achieved_per_s: gm.requests.as_ref().and_then(|r| r.achieved_per_s),
                latency_mean_ms: gm
                    .requests
                    .as_ref()
                    .and_then(|r| r.latency_mean_ns)
                    .map(|ns| ns / 1e6),
                latency_p50_ms: request_ms(gm, |r| r.latency_p50_ns),
                latency_p90_ms: request_ms(gm, |r| r.latency_p90_ns),
                latency_p99_ms: request_ms(gm, |r| r.latency_p99_ns),
                latency_p999_ms: request_ms(gm, |r| r.latency_p999_ns),
                latency_max_ms: request_ms(gm, |r| r.latency_max_ns),
                requests_completed: gm.requests.as_ref().map(|r| r.completed),
                requests_unfinished: gm.requests.as_ref().map(|r| r.unfinished),
            })
            .collect()
    }
}

/// One of a group's request latencies in ms, if it has requests.
fn request_ms(gm: &GroupMeasurement, field: fn(&RequestMeasurement) -> Option<u64>) -> Option<f64> {
    gm.requests.as_ref().and_then(field).map(ms)
}

pub fn ms(ns: u64) -> f64 {
    ns as f64 / 1e6
}

fn us(ns: u64) -> f64 {
    ns as f64 / 1e3
}

impl RunRecord {
    /// A record of `cell`'s repetition `repetition` (from 1).
    pub fn new(cell: &Cell, repetition: u32, status: RunStatus, message: String) -> RunRecord {
        // A workload of one group keeps its fields in the row itself.
        let one = match cell.groups.as_slice() {
            [g] => Some(g),
            _ => None,
        };
        RunRecord {
            cell: cell.index,
            workload: cell.workload.clone(),
            model: cell.model.clone(),
            variant: cell.variant.clone(),
            kind: cell.kind.name().to_string(),
            tasks: cell.tasks(),
            io_latency: one.map(|g| g.io_latency.to_string()).unwrap_or_default(),
            cpu_cost: one.map(|g| g.cpu_cost.to_string()).unwrap_or_default(),
            rounds: one.map(|g| g.rounds),
            io: cell.io.as_str().to_string(),
            workers: cell.workers,
            switch_interval: cell.switch_interval.map(|d| d.to_string()),
            poll_interval: cell.poll_interval.map(|d| d.to_string()),
            repetition,
            status,
            message,
            wall_ms: None,
            setup_ms: None,
            user_ms: None,
            sys_ms: None,
            cpu_ms: None,
            ctx_voluntary: None,
            ctx_involuntary: None,
            peak_rss_kb: None,
            io_waits: None,
            io_overshoot_median_us: None,
            io_overshoot_max_us: None,
            server_overshoot_median_us: None,
            lock_handoffs: None,
            lock_wait_total_ms: None,
            lock_wait_max_ms: None,
            loop_lag_max_ms: None,
            threads_max: None,
            steal_ms: None,
            foreign_cpu_ms: None,
            load_1m: None,
            shared: one.map(|g| g.shared.to_string()).unwrap_or_default(),
            await_inside: one.map(|g| g.await_inside),
            updates_expected: None,
            updates_lost: None,
            shared_lock_wait_ms: None,
            machine: None,
            python: cell.interpreter().map(str::to_string),
        }
    }

    /// A successful run's record.
    pub fn measured(cell: &Cell, repetition: u32, m: &Measurement) -> RunRecord {
        let u = m.usage;
        RunRecord {
            wall_ms: Some(ms(m.wall_ns)),
            setup_ms: Some(ms(m.setup_ns)),
            user_ms: Some(ms(u.user_ns)),
            sys_ms: Some(ms(u.sys_ns)),
            cpu_ms: Some(ms(u.user_ns + u.sys_ns)),
            ctx_voluntary: Some(u.ctx_voluntary),
            ctx_involuntary: Some(u.ctx_involuntary),
            peak_rss_kb: Some(u.peak_rss_kb),
            io_waits: Some(m.io_waits),
            io_overshoot_median_us: m.io_overshoot_median_ns.map(us),
            io_overshoot_max_us: m.io_overshoot_max_ns.map(us),
            server_overshoot_median_us: m.server_overshoot_median_ns.map(us),
            lock_handoffs: m.extras.lock_handoffs,
            lock_wait_total_ms: m.extras.lock_wait_total_ns.map(ms),
            lock_wait_max_ms: m.extras.lock_wait_max_ns.map(ms),
            loop_lag_max_ms: m.extras.loop_lag_max_ns.map(ms),
            threads_max: m.threads_max,
            steal_ms: m.noise.steal_ns.map(ms),
            foreign_cpu_ms: m.noise.foreign_cpu_ns.map(ms),
            load_1m: m.noise.load_1m,
            updates_expected: m.extras.shared.map(|s| s.expected),
            updates_lost: m.extras.shared.map(|s| s.lost),
            shared_lock_wait_ms: m.extras.shared.and_then(|s| s.lock_wait_ns).map(ms),
            ..RunRecord::new(cell, repetition, RunStatus::Ok, String::new())
        }
    }
}
