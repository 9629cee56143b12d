//! One row per cell: the statistics of its measured runs, its baseline and
//! prediction, and how it compares with `sequential` at the same workload
//! point. Built from run records only, so `conlab plot` can rebuild it.

use serde::{Deserialize, Serialize};

use super::record::{GroupRecord, RunRecord, RunStatus, ms};
use crate::config::{Axes, GroupPoint, ModelKind, Nanos, Point, SharedMode};
use crate::matrix::Cell;
use crate::model::python::InterpreterFacts;
use crate::noise::Disturbance;
use crate::stats::{self, Stats};

/// What the runner knew about a cell before running it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellPlan {
    pub cell: Cell,
    /// Mean of the cell's drawn IO latencies, in ns.
    pub io_latency_mean_ns: f64,
    /// The same for each group, in the cell's group order.
    pub group_io_latency_mean_ns: Vec<f64>,
    /// tasks × rounds × avg(io_latency), in ns.
    pub baseline_ns: u64,
    /// The model's ideal wall time, in ns.
    pub predicted_ns: u64,
    /// Why the cell is not run, if it is not.
    pub skip: Option<String>,
    /// Per group, in the cell's group order: for a group with arrivals,
    /// what queueing theory predicts of it (None for other groups).
    #[serde(default)]
    pub requests: Vec<Option<RequestPlan>>,
    /// A runner-backed cell's interpreter, as it described itself when
    /// the run started (`None` for conlab's own models, and for a cell
    /// whose interpreter could not be asked).
    #[serde(default)]
    pub interpreter: Option<InterpreterFacts>,
}

/// The queueing prediction for a group with arrivals (see
/// `crate::queueing`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequestPlan {
    /// The most requests per second the model sustains; None when nothing
    /// bounds it.
    pub capacity_per_s: Option<f64>,
    /// The predicted mean latency; None at or above capacity.
    pub latency_mean_ms: Option<f64>,
    /// How it was predicted (`M/G/1`, …, or that no closed form is used).
    pub method: String,
    /// A request's mean service time E[S] (its IO waits and CPU work).
    pub service_mean_ms: f64,
}

/// The status of a cell as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CellStatus {
    /// Every measured run succeeded.
    Ok,
    /// Some runs failed or timed out; the statistics use the others.
    Partial,
    /// No run succeeded.
    Failed,
    Skipped,
    /// Not run yet (an interrupted experiment).
    Pending,
}

/// The summary of one cell; times in milliseconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellSummary {
    pub cell: usize,
    pub label: String,
    pub workload: String,
    pub model: String,
    pub variant: String,
    pub kind: ModelKind,
    /// Every task of every group.
    pub tasks: u64,
    /// The workload's fields when it has one group; empty when several
    /// groups differ (see `groups`).
    pub io_latency: String,
    /// The mean of all the cell's drawn IO latencies.
    pub io_latency_mean_ms: f64,
    pub cpu_cost_ms: Option<f64>,
    pub rounds: Option<u32>,
    pub io: String,
    pub workers: Option<u32>,
    pub switch_interval_ms: Option<f64>,
    pub poll_interval_ms: Option<f64>,
    /// Swept fields; `;`-separated in files, e.g. `tasks;workers`.
    pub axes: Axes,
    pub status: CellStatus,
    pub message: String,
    pub n: usize,
    pub n_failed: usize,
    pub wall_mean_ms: Option<f64>,
    pub wall_median_ms: Option<f64>,
    pub wall_stddev_ms: Option<f64>,
    pub wall_min_ms: Option<f64>,
    pub wall_max_ms: Option<f64>,
    pub wall_ci95_low_ms: Option<f64>,
    pub wall_ci95_high_ms: Option<f64>,
    pub wall_cv: Option<f64>,
    pub setup_median_ms: Option<f64>,
    pub cpu_median_ms: Option<f64>,
    pub user_median_ms: Option<f64>,
    pub sys_median_ms: Option<f64>,
    pub ctx_voluntary_median: Option<f64>,
    pub ctx_involuntary_median: Option<f64>,
    pub peak_rss_median_kb: Option<f64>,
    pub io_overshoot_median_us: Option<f64>,
    pub server_overshoot_median_us: Option<f64>,
    pub lock_handoffs_median: Option<f64>,
    pub lock_wait_total_median_ms: Option<f64>,
    pub lock_wait_max_ms: Option<f64>,
    pub loop_lag_max_median_ms: Option<f64>,
    pub baseline_ms: f64,
    pub predicted_ms: f64,
    /// predicted / median wall: 1 is ideal, lower is slower than ideal.
    pub efficiency: Option<f64>,
    /// sequential's median / this median, at the same workload point.
    pub speedup: Option<f64>,
    /// The most OS threads a run's process tree had at once (absent from
    /// results of conlab 0.1).
    #[serde(default)]
    pub threads_max_median: Option<f64>,
    /// Medians over the measured runs of the CPU the hypervisor stole and
    /// that other processes used, and of the load at each run's start.
    /// Last, and absent from summaries written before they existed.
    #[serde(default)]
    pub steal_median_ms: Option<f64>,
    #[serde(default)]
    pub foreign_cpu_median_ms: Option<f64>,
    #[serde(default)]
    pub load_1m_median: Option<f64>,
    /// Shared counters, over the measured runs: the median of the updates
    /// made and of those lost, the fewest and most lost in a run, the share
    /// of runs that lost at least one, and the median wait for `locked`
    /// counters' locks. Absent without counters, and from summaries written
    /// before they existed.
    #[serde(default)]
    pub updates_expected_median: Option<f64>,
    #[serde(default)]
    pub updates_lost_median: Option<f64>,
    #[serde(default)]
    pub updates_lost_min: Option<f64>,
    #[serde(default)]
    pub updates_lost_max: Option<f64>,
    #[serde(default)]
    pub runs_with_loss_share: Option<f64>,
    #[serde(default)]
    pub shared_lock_wait_median_ms: Option<f64>,
    /// The machine the cell ran on, in results `conlab merge` joined from
    /// several machines (its `--label`, or the host's name); absent
    /// everywhere else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<String>,
    /// Each group's fields, in file order (absent from `summary.csv`, and
    /// from results of conlab 0.1, whose workloads had one group).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupSummary>,
    /// The interpreter of a runner-backed cell, as the file names it
    /// (`python3` when it names none); `null` for conlab's own models.
    /// Absent from summaries written before it existed.
    #[serde(default)]
    pub python: Option<String>,
    /// What that interpreter is (implementation, version, GIL, start-up),
    /// as asked when the run started; absent for conlab's own models, from
    /// `summary.csv` (a row is flat) and from summaries written before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interpreter: Option<InterpreterFacts>,
}

/// One group of a cell's summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupSummary {
    pub name: String,
    pub tasks: u64,
    pub io_latency: String,
    /// The mean of the group's drawn IO latencies.
    pub io_latency_mean_ms: f64,
    pub cpu_cost_ms: f64,
    pub rounds: u32,
    /// The group's shared counter (absent from results written before
    /// counters existed: none).
    #[serde(default)]
    pub shared: SharedMode,
    #[serde(default)]
    pub await_inside: bool,
    /// A group with arrivals: its schedule (`poisson 50/s, 2000
    /// requests`) and rate; absent for tasks that start together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrival: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// Medians over the cell's measured runs of each run's figure.
    pub completion_p50_median_ms: Option<f64>,
    pub completion_p99_median_ms: Option<f64>,
    pub completion_max_median_ms: Option<f64>,
    pub wake_delay_p50_median_us: Option<f64>,
    pub wake_delay_p99_median_us: Option<f64>,
    pub wake_delay_max_median_us: Option<f64>,
    pub rounds_per_s_median: Option<f64>,
    /// A group with arrivals (absent for others): medians over the
    /// measured runs, the unfinished requests summed over them, and the
    /// queueing prediction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<RequestSummary>,
}

/// The requests of a group with arrivals, over a cell's measured runs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RequestSummary {
    pub offered_per_s_median: Option<f64>,
    pub achieved_per_s_median: Option<f64>,
    pub latency_mean_median_ms: Option<f64>,
    pub latency_p50_median_ms: Option<f64>,
    pub latency_p90_median_ms: Option<f64>,
    pub latency_p99_median_ms: Option<f64>,
    pub latency_p999_median_ms: Option<f64>,
    pub latency_max_median_ms: Option<f64>,
    pub completed_median: Option<f64>,
    /// Summed over the measured runs.
    pub unfinished_total: u64,
    pub predicted_latency_mean_ms: Option<f64>,
    pub capacity_per_s: Option<f64>,
    pub prediction_method: String,
    pub service_mean_ms: Option<f64>,
}

impl GroupSummary {
    /// Fills the medians from the group's rows of measured runs.
    fn measured(&mut self, rows: &[&GroupRecord]) {
        let median = |field: fn(&GroupRecord) -> Option<f64>| {
            let values: Vec<f64> = rows.iter().filter_map(|r| field(r)).collect();
            stats::median(&values)
        };
        self.completion_p50_median_ms = median(|r| Some(r.completion_p50_ms));
        self.completion_p99_median_ms = median(|r| Some(r.completion_p99_ms));
        self.completion_max_median_ms = median(|r| Some(r.completion_max_ms));
        self.wake_delay_p50_median_us = median(|r| r.wake_delay_p50_us);
        self.wake_delay_p99_median_us = median(|r| r.wake_delay_p99_us);
        self.wake_delay_max_median_us = median(|r| r.wake_delay_max_us);
        self.rounds_per_s_median = median(|r| r.rounds_per_s);
        if let Some(q) = &mut self.requests {
            q.offered_per_s_median = median(|r| r.offered_per_s);
            q.achieved_per_s_median = median(|r| r.achieved_per_s);
            q.latency_mean_median_ms = median(|r| r.latency_mean_ms);
            q.latency_p50_median_ms = median(|r| r.latency_p50_ms);
            q.latency_p90_median_ms = median(|r| r.latency_p90_ms);
            q.latency_p99_median_ms = median(|r| r.latency_p99_ms);
            q.latency_p999_median_ms = median(|r| r.latency_p999_ms);
            q.latency_max_median_ms = median(|r| r.latency_max_ms);
            q.completed_median = median(|r| r.requests_completed.map(|n| n as f64));
            q.unfinished_total = rows.iter().filter_map(|r| r.requests_unfinished).sum();
        }
    }
}

impl CellSummary {
    /// Where this cell sits in the sweeps, read back from its row.
    pub fn point(&self) -> Point {
        let ns = |ms: f64| Nanos((ms * 1e6).round() as u64);
        let groups = if self.groups.is_empty() {
            // Results of conlab 0.1: one group, in the row's own fields.
            vec![GroupPoint {
                name: self.workload.clone(),
                tasks: self.tasks,
                io_latency: self.io_latency.clone(),
                io_latency_mean_ms: self.io_latency_mean_ms,
                cpu_cost: ns(self.cpu_cost_ms.unwrap_or(0.0)),
                rounds: self.rounds.unwrap_or(1),
                shared: SharedMode::None,
                arrival: None,
                rate: None,
            }]
        } else {
            self.groups
                .iter()
                .map(|g| GroupPoint {
                    name: g.name.clone(),
                    tasks: g.tasks,
                    io_latency: g.io_latency.clone(),
                    io_latency_mean_ms: g.io_latency_mean_ms,
                    cpu_cost: ns(g.cpu_cost_ms),
                    rounds: g.rounds,
                    shared: g.shared,
                    arrival: g.arrival.clone(),
                    rate: g.rate,
                })
                .collect()
        };
        Point {
            workload: self.workload.clone(),
            groups,
            workers: self.workers,
            switch_interval: self.switch_interval_ms.map(ns),
            poll_interval: self.poll_interval_ms.map(ns),
            python: self.python.clone(),
            machine: self.machine.clone(),
        }
    }

    /// The CPU work the cell's tasks ask for, in ms: Σ tasks × rounds ×
    /// cpu_cost over its groups.
    pub fn cpu_asked_ms(&self) -> f64 {
        self.point()
            .groups
            .iter()
            .map(|g| g.tasks as f64 * f64::from(g.rounds) * g.cpu_cost.as_millis_f64())
            .sum()
    }

    /// The workload's swept fields at this cell, and its machine in
    /// results of several: `tasks=10 io_latency=2ms machine=laptop`.
    pub fn workload_point(&self) -> String {
        let point = self.point();
        self.axes
            .of_workload()
            .filter_map(|f| Some(format!("{f}={}", f.value(&point)?.chart_text())))
            .chain(self.machine.iter().map(|m| format!("machine={m}")))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Whether other processes or the hypervisor took enough CPU during
    /// this cell's runs to matter (see `noise::disturbed`).
    pub fn disturbance(&self) -> Option<Disturbance> {
        Disturbance::of(
            self.wall_median_ms,
            self.foreign_cpu_median_ms,
            self.steal_median_ms,
        )
    }
}

/// The updates a run's shared counters lost.
fn lost(r: &RunRecord) -> Option<f64> {
    r.updates_lost.map(|v| v as f64)
}

/// The share of `records` for which `test` says true, among those it says
/// anything about; `None` when it says nothing about any.
fn share_of(records: &[&RunRecord], test: impl Fn(&RunRecord) -> Option<bool>) -> Option<f64> {
    let said: Vec<bool> = records.iter().filter_map(|r| test(r)).collect();
    (!said.is_empty()).then(|| said.iter().filter(|b| **b).count() as f64 / said.len() as f64)
}

fn median_of(records: &[&RunRecord], field: impl Fn(&RunRecord) -> Option<f64>) -> Option<f64> {
    let values: Vec<f64> = records.iter().filter_map(|r| field(r)).collect();
    stats::median(&values)
}

/// Summarises every planned cell from the records measured so far: its
/// runs and the rows of its groups.
pub fn summarize(
    plans: &[CellPlan],
    records: &[RunRecord],
    groups: &[GroupRecord],
) -> Vec<CellSummary> {
    let mut rows: Vec<CellSummary> = plans
        .iter()
        .map(|plan| {
            let mine: Vec<&RunRecord> = records
                .iter()
                .filter(|r| r.cell == plan.cell.index)
                .collect();
            let mut row = summarize_cell(plan, &mine);
            for g in &mut row.groups {
                let of_group: Vec<&GroupRecord> = groups
                    .iter()
                    .filter(|r| r.cell == plan.cell.index && r.group == g.name)
                    .filter(|r| {
                        mine.iter()
                            .any(|m| m.repetition == r.repetition && m.status == RunStatus::Ok)
                    })
                    .collect();
                g.measured(&of_group);
            }
            row
        })
        .collect();
    let baseline = ModelKind::speedup_baseline(plans.iter().map(|p| p.cell.kind));
    let sequential: Vec<(String, f64)> = plans
        .iter()
        .zip(&rows)
        .filter(|(p, _)| Some(p.cell.kind) == baseline)
        .filter_map(|(p, r)| Some((p.cell.workload_key(), r.wall_median_ms?)))
        .collect();
    for (plan, row) in plans.iter().zip(rows.iter_mut()) {
        let key = plan.cell.workload_key();
        let reference = sequential.iter().find(|(k, _)| *k == key).map(|(_, m)| *m);
        row.speedup = speedup(reference, row.wall_median_ms);
    }
    rows
}

fn speedup(sequential: Option<f64>, median: Option<f64>) -> Option<f64> {
    match (sequential, median) {
        (Some(seq), Some(me)) if me > 0.0 => Some(seq / me),
        _ => None,
    }
}

/// The name of the model speedups are over among `cells`
/// ([`ModelKind::speedup_baseline`]); `sequential` when none is there, as
/// the model a speedup needs.
pub fn speedup_over(cells: &[CellSummary]) -> &'static str {
    ModelKind::speedup_baseline(cells.iter().map(|c| c.kind))
        .unwrap_or(ModelKind::Sequential)
        .name()
}

/// Works out every cell's speedup again from the cells themselves, the
/// baseline's cell ([`ModelKind::speedup_baseline`]) at the same workload
/// point (and machine) as the reference: for results joined by `conlab
/// merge`, where a shard may have run a cell without its baseline.
pub fn fill_speedups(cells: &mut [CellSummary]) {
    let baseline = ModelKind::speedup_baseline(cells.iter().map(|c| c.kind));
    let sequential: std::collections::HashMap<String, f64> = cells
        .iter()
        .filter(|c| Some(c.kind) == baseline)
        .filter_map(|c| Some((c.point().workload_key(), c.wall_median_ms?)))
        .collect();
    for c in cells.iter_mut() {
        let reference = sequential.get(&c.point().workload_key()).copied();
        c.speedup = speedup(reference, c.wall_median_ms);
    }
}

fn summarize_cell(plan: &CellPlan, records: &[&RunRecord]) -> CellSummary {
    let c = &plan.cell;
    let ok: Vec<&RunRecord> = records
        .iter()
        .copied()
        .filter(|r| r.status == RunStatus::Ok)
        .collect();
    let failed: Vec<&RunRecord> = records
        .iter()
        .copied()
        .filter(|r| matches!(r.status, RunStatus::Failed | RunStatus::TimedOut))
        .collect();
    let walls: Vec<f64> = ok.iter().filter_map(|r| r.wall_ms).collect();
    let wall: Option<Stats> = stats::describe(&walls);
    let (status, message) = if let Some(reason) = &plan.skip {
        (CellStatus::Skipped, reason.clone())
    } else if records.is_empty() {
        (CellStatus::Pending, String::new())
    } else if records.iter().all(|r| r.status == RunStatus::Skipped)
        && !first_message(records).starts_with("not run: ")
    {
        // Skipped while running: its runner refused the job (a cell given
        // up after a timeout says "not run: …", and failed).
        (CellStatus::Skipped, first_message(records))
    } else if ok.is_empty() {
        let all: Vec<&RunRecord> = records.to_vec();
        (CellStatus::Failed, first_message(&all))
    } else if !failed.is_empty() {
        (CellStatus::Partial, first_message(&failed))
    } else {
        (CellStatus::Ok, String::new())
    };
    let predicted_ms = ms(plan.predicted_ns);
    // A workload of one group keeps its fields in the row itself.
    let one = match c.groups.as_slice() {
        [g] => Some(g),
        _ => None,
    };
    CellSummary {
        cell: c.index,
        label: c.label(),
        workload: c.workload.clone(),
        model: c.model.clone(),
        variant: c.variant.clone(),
        kind: c.kind,
        tasks: c.tasks(),
        io_latency: one.map(|g| g.io_latency.to_string()).unwrap_or_default(),
        io_latency_mean_ms: plan.io_latency_mean_ns / 1e6,
        cpu_cost_ms: one.map(|g| g.cpu_cost.as_millis_f64()),
        rounds: one.map(|g| g.rounds),
        io: c.io.as_str().to_string(),
        workers: c.workers,
        switch_interval_ms: c.switch_interval.map(|d| d.as_millis_f64()),
        poll_interval_ms: c.poll_interval.map(|d| d.as_millis_f64()),
        axes: c.axes.clone(),
        status,
        message,
        n: ok.len(),
        n_failed: failed.len(),
        wall_mean_ms: wall.map(|s| s.mean),
        wall_median_ms: wall.map(|s| s.median),
        wall_stddev_ms: wall.map(|s| s.stddev),
        wall_min_ms: wall.map(|s| s.min),
        wall_max_ms: wall.map(|s| s.max),
        wall_ci95_low_ms: wall.map(|s| s.ci95_low),
        wall_ci95_high_ms: wall.map(|s| s.ci95_high),
        wall_cv: wall.map(|s| s.cv()),
        setup_median_ms: median_of(&ok, |r| r.setup_ms),
        cpu_median_ms: median_of(&ok, |r| r.cpu_ms),
        user_median_ms: median_of(&ok, |r| r.user_ms),
        sys_median_ms: median_of(&ok, |r| r.sys_ms),
        ctx_voluntary_median: median_of(&ok, |r| r.ctx_voluntary.map(|v| v as f64)),
        ctx_involuntary_median: median_of(&ok, |r| r.ctx_involuntary.map(|v| v as f64)),
        peak_rss_median_kb: median_of(&ok, |r| r.peak_rss_kb.map(|v| v as f64)),
        io_overshoot_median_us: median_of(&ok, |r| r.io_overshoot_median_us),
        server_overshoot_median_us: median_of(&ok, |r| r.server_overshoot_median_us),
        lock_handoffs_median: median_of(&ok, |r| r.lock_handoffs.map(|v| v as f64)),
        lock_wait_total_median_ms: median_of(&ok, |r| r.lock_wait_total_ms),
        lock_wait_max_ms: ok
            .iter()
            .filter_map(|r| r.lock_wait_max_ms)
            .reduce(f64::max),
        loop_lag_max_median_ms: median_of(&ok, |r| r.loop_lag_max_ms),
        threads_max_median: median_of(&ok, |r| r.threads_max.map(|v| v as f64)),
        baseline_ms: ms(plan.baseline_ns),
        predicted_ms,
        efficiency: wall
            .filter(|s| s.median > 0.0 && c.kind.predicts())
            .map(|s| predicted_ms / s.median),
        speedup: None,
        steal_median_ms: median_of(&ok, |r| r.steal_ms),
        foreign_cpu_median_ms: median_of(&ok, |r| r.foreign_cpu_ms),
        load_1m_median: median_of(&ok, |r| r.load_1m),
        updates_expected_median: median_of(&ok, |r| r.updates_expected.map(|v| v as f64)),
        updates_lost_median: median_of(&ok, lost),
        updates_lost_min: ok.iter().filter_map(|r| lost(r)).reduce(f64::min),
        updates_lost_max: ok.iter().filter_map(|r| lost(r)).reduce(f64::max),
        runs_with_loss_share: share_of(&ok, |r| Some(lost(r)? > 0.0)),
        shared_lock_wait_median_ms: median_of(&ok, |r| r.shared_lock_wait_ms),
        machine: None,
        python: c.interpreter().map(str::to_string),
        interpreter: plan.interpreter.clone(),
        groups: c
            .groups
            .iter()
            .zip(&plan.group_io_latency_mean_ns)
            .enumerate()
            .map(|(i, (g, mean_ns))| GroupSummary {
                name: g.name.clone(),
                tasks: g.tasks,
                io_latency: g.io_latency.to_string(),
                io_latency_mean_ms: mean_ns / 1e6,
                cpu_cost_ms: g.cpu_cost.as_millis_f64(),
                rounds: g.rounds,
                shared: g.shared,
                await_inside: g.await_inside,
                arrival: g.arrival.map(|a| a.to_string()),
                rate: g.arrival.map(|a| a.rate.per_s()),
                completion_p50_median_ms: None,
                completion_p99_median_ms: None,
                completion_max_median_ms: None,
                wake_delay_p50_median_us: None,
                wake_delay_p99_median_us: None,
                wake_delay_max_median_us: None,
                rounds_per_s_median: None,
                requests: g.arrival.map(|_| {
                    let p = plan.requests.get(i).and_then(Option::as_ref);
                    RequestSummary {
                        predicted_latency_mean_ms: p.and_then(|p| p.latency_mean_ms),
                        capacity_per_s: p.and_then(|p| p.capacity_per_s),
                        prediction_method: p.map(|p| p.method.clone()).unwrap_or_default(),
                        service_mean_ms: p.map(|p| p.service_mean_ms),
                        ..RequestSummary::default()
                    }
                }),
            })
            .collect(),
    }
}

fn first_message(records: &[&RunRecord]) -> String {
    records
        .iter()
        .map(|r| r.message.as_str())
        .find(|m| !m.is_empty())
        .unwrap_or("")
        .to_string()
}
