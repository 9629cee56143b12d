//! Running an experiment: preparing each cell (its baseline, prediction,
//! and whether this machine can run it), ordering the runs, executing each
//! in a child process, and handing every measured run to the store as soon
//! as it ends. A cell's latencies are drawn when each of its runs starts,
//! from the experiment's seed, so they are the same every time and only
//! one cell's table is ever in memory.

pub mod capacity;
pub mod conformance;
pub mod executor;
mod latency;
pub mod server;
mod tally;
pub mod worker;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub use capacity::Limits;
pub use executor::{ChildExecutor, Executor, Outcome};

use crate::config::workers_or_cores;
use crate::config::{Experiment, Gil};
use crate::matrix::{Cell, CellGroup};
use crate::model::runtimes::Runtimes;
use crate::model::{self, Job, Schedule};
use crate::predict;
use crate::queueing;
use crate::results::{
    CellPlan, Distribution, GroupRecord, RequestPlan, RunRecord, RunStatus, Store, StoreError,
    SummaryFile, summarize,
};

/// In which order runs happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// Repetition 1 of every cell, then repetition 2, …: machine drift
    /// spreads evenly over the cells.
    Interleaved,
    /// All runs of a cell, then the next cell.
    Grouped,
}

/// How to run the cells.
#[derive(Clone, Debug)]
pub struct Settings {
    pub repetitions: u32,
    pub warmup: u32,
    pub order: Order,
    pub timeout: Duration,
    pub cores: usize,
    /// Cells with at most this many tasks record one run's timeline.
    pub timeline_max_tasks: u64,
}

/// A cell ready to run: its plan, and the seed its latencies are drawn
/// from when a run starts.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub plan: CellPlan,
    /// The experiment's seed (see [`group_seed`]).
    pub seed: u64,
}

impl Prepared {
    /// Every IO latency of the cell: drawn afresh, the same every time.
    pub fn latencies(&self) -> Vec<u64> {
        draw_latencies(self.seed, &self.plan.cell)
    }

    /// When each group's tasks are due: drawn afresh, the same every time.
    pub fn arrivals(&self) -> Vec<Schedule> {
        draw_schedules(self.seed, &self.plan.cell)
    }
}

/// Each group's arrival schedule: seeded like its latencies (by the
/// workload point, not the model), but from a seed of their own.
pub fn draw_schedules(seed: u64, cell: &Cell) -> Vec<Schedule> {
    cell.groups
        .iter()
        .map(|g| match g.arrival {
            Some(a) => {
                let key = cell.workload_key();
                let seed = latency::stable_hash(&[&seed.to_string(), &key, &g.name, "arrivals"]);
                latency::draw_arrivals(a, g.tasks, seed)
            }
            None => Schedule::Together,
        })
        .collect()
}

/// For a run that stopped before its timeout with requests unfinished,
/// how many; empty otherwise.
fn unfinished_message(m: &crate::results::Measurement) -> String {
    let unfinished: u64 = m
        .groups
        .iter()
        .filter_map(|g| g.requests.as_ref())
        .map(|r| r.unfinished)
        .sum();
    if unfinished == 0 {
        String::new()
    } else {
        format!("stopped before the timeout with {unfinished} requests unfinished")
    }
}

/// How long after dispatch starts an open-loop run stops its tasks (the
/// config checks arrivals against it: see `config::stop_after`).
pub use crate::config::stop_after;

/// The seed of a group's latency draw: the experiment's seed and the
/// workload point, not the model, so every model waits the same times. A
/// workload of one group is seeded as before groups existed.
pub fn group_seed(seed: u64, cell: &Cell, group: &CellGroup) -> u64 {
    let key = cell.workload_key();
    if cell.groups.len() == 1 {
        latency::stable_hash(&[&seed.to_string(), &key])
    } else {
        latency::stable_hash(&[&seed.to_string(), &key, &group.name])
    }
}

/// Every IO latency of a cell, group after group (the layout of
/// [`Cell::task_layout`]).
pub fn draw_latencies(seed: u64, cell: &Cell) -> Vec<u64> {
    let mut all = Vec::with_capacity(cell.waits() as usize);
    for g in &cell.groups {
        all.extend(latency::draw(
            g.io_latency,
            g.tasks,
            g.rounds,
            group_seed(seed, cell, g),
        ));
    }
    all
}

/// Each task's total IO wait and CPU work, for the prediction; sums
/// saturate rather than wrap.
fn task_times(cell: &Cell, latencies: &[u64]) -> predict::TaskTimes {
    predict::TaskTimes {
        tasks: cell
            .task_layout()
            .map(|(group, waits)| {
                let io = latencies
                    .get(waits.clone())
                    .map_or(0, |l| l.iter().fold(0u64, |a, &b| a.saturating_add(b)));
                let cpu = cell
                    .groups
                    .get(group)
                    .map_or(0, |g| g.cpu_cost.0.saturating_mul(u64::from(g.rounds)));
                (io, cpu)
            })
            .collect(),
    }
}

/// The queueing prediction of each group with arrivals, from its tasks'
/// drawn service times (see [`queueing`]).
fn request_plans(
    cell: &Cell,
    cores: usize,
    gil: Gil,
    times: &predict::TaskTimes,
) -> Vec<Option<RequestPlan>> {
    let mut first = 0usize;
    cell.groups
        .iter()
        .map(|g| {
            let tasks = times
                .tasks
                .get(first..first.saturating_add(g.tasks as usize))
                .unwrap_or(&[]);
            first = first.saturating_add(g.tasks as usize);
            let a = g.arrival?;
            let n = tasks.len().max(1) as f64;
            let s: Vec<f64> = tasks
                .iter()
                .map(|&(io, cpu)| (io as f64 + cpu as f64) / 1e9)
                .collect();
            let service = queueing::Service {
                mean_s: s.iter().sum::<f64>() / n,
                second_moment_s2: s.iter().map(|x| x * x).sum::<f64>() / n,
                cpu_s: g.cpu_cost.0 as f64 * f64::from(g.rounds) / 1e9,
            };
            let workers = workers_or_cores(cell.workers, cores);
            let rate = a.rate.per_s();
            let p = queueing::predict(cell.kind, workers, cores, gil, rate, a.dist, &service);
            Some(RequestPlan {
                capacity_per_s: p.capacity_per_s,
                latency_mean_ms: p.latency_mean_s.map(|s| s * 1e3),
                method: p.method.name().to_string(),
                service_mean_ms: service.mean_s * 1e3,
            })
        })
        .collect()
}

/// How long the cell's arrivals last: its groups' requests over their
/// rates, the longest.
fn schedule_span_ns(cell: &Cell) -> u64 {
    cell.groups
        .iter()
        .filter_map(|g| Some(g.tasks as f64 / g.arrival?.rate.per_s() * 1e9))
        .fold(0.0, f64::max)
        .min(u64::MAX as f64 / 2.0) as u64
}

/// What a workload point's drawn latencies say, kept once they are
/// dropped: each task's times, and the mean latency, overall and per group.
struct Drawn {
    times: predict::TaskTimes,
    io_latency_mean_ns: f64,
    group_io_latency_mean_ns: Vec<f64>,
}

impl Drawn {
    fn of(seed: u64, cell: &Cell) -> Drawn {
        let latencies = draw_latencies(seed, cell);
        let mean = |waits: &[u64]| {
            if waits.is_empty() {
                0.0
            } else {
                // In u128: a sum of drawn latencies can pass u64.
                waits.iter().map(|&w| u128::from(w)).sum::<u128>() as f64 / waits.len() as f64
            }
        };
        let mut at = 0usize;
        let group_io_latency_mean_ns = cell
            .groups
            .iter()
            .map(|g| {
                let n = (g.tasks as usize).saturating_mul(g.rounds as usize);
                let waits = latencies.get(at..at.saturating_add(n)).unwrap_or(&[]);
                at = at.saturating_add(n);
                mean(waits)
            })
            .collect();
        Drawn {
            times: task_times(cell, &latencies),
            io_latency_mean_ns: mean(&latencies),
            group_io_latency_mean_ns,
        }
    }
}

/// Works out each cell's baseline, prediction and whether this machine
/// can run it (python cells: whether their interpreter, in
/// `runtimes`, is usable, and whether its interpreter has a GIL). Latencies are drawn once per workload point
/// (the cells of a point, one per model variant, come together and wait
/// the same times) and dropped: only the means and task times are kept.
pub fn prepare(
    exp: &Experiment,
    cells: Vec<Cell>,
    cores: usize,
    limits: &Limits,
    runtimes: &Runtimes,
) -> Vec<Prepared> {
    let mut point: Option<(String, Drawn)> = None;
    let mut prepared = Vec::with_capacity(cells.len());
    for cell in cells {
        let key = cell.workload_key();
        let drawn = match point.take() {
            Some((k, drawn)) if k == key => drawn,
            _ => Drawn::of(exp.seed, &cell),
        };
        // Interpreter threads compute on one core under a GIL only.
        let gil = runtimes.python.gil(&cell);
        let requests = request_plans(&cell, cores, gil, &drawn.times);
        // An open-loop run lasts at least until its last request arrives.
        let predicted_ns = predict::predict(cell.kind, cell.workers, cores, gil, &drawn.times)
            .max(schedule_span_ns(&cell));
        let skip = limits
            .check(&cell)
            .or_else(|| runtimes.skip_reason(&cell))
            .or_else(|| model::shared::unsupported(&cell));
        prepared.push(Prepared {
            plan: CellPlan {
                io_latency_mean_ns: drawn.io_latency_mean_ns,
                group_io_latency_mean_ns: drawn.group_io_latency_mean_ns.clone(),
                baseline_ns: drawn.times.baseline(),
                predicted_ns,
                skip,
                requests,
                interpreter: runtimes.python.facts_for(&cell),
                cell,
            },
            seed: exp.seed,
        });
        point = Some((key, drawn));
    }
    prepared
}

/// Time to start a worker process and hand it its job, per run, as
/// measured on a 2-core machine (a few milliseconds), rounded up.
const RUN_OVERHEAD: Duration = Duration::from_millis(10);

/// Estimated wall time of running every runnable cell.
pub fn estimate(prepared: &[Prepared], warmup: u32, repetitions: u32) -> Duration {
    let runs = u64::from(warmup) + u64::from(repetitions);
    prepared
        .iter()
        .filter(|p| p.plan.skip.is_none())
        .map(|p| {
            let per_run = Duration::from_nanos(p.plan.predicted_ns).saturating_add(RUN_OVERHEAD);
            per_run.saturating_mul(u32::try_from(runs).unwrap_or(u32::MAX))
        })
        .fold(Duration::ZERO, Duration::saturating_add)
}

/// One warning line per workload whose cells are predicted to take
/// longer than `timeout`: every run of them would time out. It names the
/// longest cell, and the key that makes it long (`io_latency` or
/// `cpu_cost`, with tasks × rounds): a unit slip ("20s" meant as "20ms")
/// shows there. Cells that are skipped, or whose model predicts nothing,
/// are left out.
pub fn longer_than_timeout(prepared: &[Prepared], timeout: Duration) -> Vec<String> {
    let limit = u64::try_from(timeout.as_nanos()).unwrap_or(u64::MAX);
    let over: Vec<&CellPlan> = prepared
        .iter()
        .map(|p| &p.plan)
        .filter(|p| p.skip.is_none() && p.cell.kind.predicts() && p.predicted_ns > limit)
        .collect();
    let mut workloads: Vec<&str> = Vec::new();
    for p in &over {
        if !workloads.contains(&p.cell.workload.as_str()) {
            workloads.push(&p.cell.workload);
        }
    }
    let secs = |ns: u64| {
        humantime::format_duration(
            Duration::from_secs(ns / 1_000_000_000).max(Duration::from_secs(1)),
        )
    };
    workloads
        .into_iter()
        .filter_map(|w| {
            let mine: Vec<&&CellPlan> = over.iter().filter(|p| p.cell.workload == w).collect();
            let longest = mine.iter().max_by_key(|p| p.predicted_ns)?;
            let all = prepared
                .iter()
                .filter(|p| p.plan.cell.workload == w)
                .count();
            let n = mine.len();
            Some(format!(
                "warning: {n} of the {all} cells of workload \"{w}\" {} predicted to take longer \
                 than timeout = \"{}\" (\"{}\": {}), so {} runs will time out; {}",
                if n == 1 { "is" } else { "are" },
                humantime::format_duration(timeout),
                longest.cell.label(),
                secs(longest.predicted_ns),
                if n == 1 { "its" } else { "their" },
                long_part(&longest.cell),
            ))
        })
        .collect()
}

/// What makes a cell long: its group's IO waits or CPU bursts, as the
/// keys say them, and what to do.
fn long_part(cell: &Cell) -> String {
    let part = cell
        .groups
        .iter()
        .flat_map(|g| {
            let times = g.tasks.saturating_mul(u64::from(g.rounds.max(1)));
            let io = g.io_latency.nominal_mean();
            [
                ("io_latency", io, times, g),
                ("cpu_cost", g.cpu_cost, times, g),
            ]
        })
        .max_by_key(|(_, each, times, _)| each.0.saturating_mul(*times));
    match part {
        Some((key, each, _, g)) => format!(
            "{key} = \"{each}\" × {} task{} × {} round{} makes it long (meant \"{}ms\"?), or raise \
             timeout",
            g.tasks,
            if g.tasks == 1 { "" } else { "s" },
            g.rounds.max(1),
            if g.rounds <= 1 { "" } else { "s" },
            each.as_millis_f64() / 1000.0,
        ),
        None => "raise timeout".to_string(),
    }
}

/// Whether a slot is a warm-up or a measured repetition (both from 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Warmup(u32),
    Measured(u32),
}

/// One run in the schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    /// Index into the prepared cells.
    pub cell: usize,
    pub phase: Phase,
}

/// The order of every run: warm-ups first, then measured repetitions,
/// interleaved across cells or grouped by cell. Deterministic.
pub fn schedule(cells: &[usize], warmup: u32, repetitions: u32, order: Order) -> Vec<Slot> {
    let phases: Vec<Phase> = (1..=warmup)
        .map(Phase::Warmup)
        .chain((1..=repetitions).map(Phase::Measured))
        .collect();
    let mut slots = Vec::with_capacity(cells.len() * phases.len());
    match order {
        Order::Interleaved => {
            for &phase in &phases {
                for &cell in cells {
                    slots.push(Slot { cell, phase });
                }
            }
        }
        Order::Grouped => {
            for &cell in cells {
                for &phase in &phases {
                    slots.push(Slot { cell, phase });
                }
            }
        }
    }
    slots
}

/// The runs still to do when the measured runs in `done` (cell,
/// repetition) are kept from before (`run --resume`): every scheduled run
/// but those, and no warm-up for a cell with nothing left to measure.
pub fn pending(slots: Vec<Slot>, done: &HashSet<(usize, u32)>, repetitions: u32) -> Vec<Slot> {
    let complete = |cell: usize| (1..=repetitions).all(|rep| done.contains(&(cell, rep)));
    slots
        .into_iter()
        .filter(|slot| match slot.phase {
            Phase::Measured(rep) => !done.contains(&(slot.cell, rep)),
            Phase::Warmup(_) => !complete(slot.cell),
        })
        .collect()
}

/// Every run to do: the runnable cells' schedule, less what is `done`
/// (cell index and repetition, as in `runs.csv`).
pub fn runs_to_do(
    prepared: &[Prepared],
    settings: &Settings,
    done: &HashSet<(usize, u32)>,
) -> Vec<Slot> {
    let runnable: Vec<usize> = (0..prepared.len())
        .filter(|&i| prepared[i].plan.skip.is_none())
        .collect();
    let slots = schedule(
        &runnable,
        settings.warmup,
        settings.repetitions,
        settings.order,
    );
    // Slots count cells by their place in `prepared`; records by index.
    let done: HashSet<(usize, u32)> = done
        .iter()
        .filter_map(|&(cell, rep)| {
            let i = prepared.iter().position(|p| p.plan.cell.index == cell)?;
            Some((i, rep))
        })
        .collect();
    pending(slots, &done, settings.repetitions)
}

/// Told about each run as it happens (the progress bar).
pub trait Observer {
    fn run_started(&mut self, label: &str, phase: Phase);
    fn run_ended(&mut self, label: &str, phase: Phase, outcome: &Outcome);
    fn note(&mut self, message: &str);
}

/// What running an experiment produced.
#[derive(Debug)]
pub struct Finished {
    pub records: Vec<RunRecord>,
    pub summary: SummaryFile,
    pub interrupted: bool,
}

/// Everything a run of the experiment needs.
pub struct Run<'a> {
    pub prepared: &'a [Prepared],
    pub settings: &'a Settings,
    pub executor: &'a mut dyn Executor,
    pub store: &'a mut Store,
    pub observer: &'a mut dyn Observer,
    pub interrupted: &'a AtomicBool,
    /// Name and description for `summary.json`; its cells are filled here.
    pub summary: SummaryFile,
    /// Measured runs recorded before (`run --resume`): not run again, and
    /// summarised with the new ones.
    pub kept: Vec<RunRecord>,
    /// The `groups.csv` rows of the kept runs.
    pub kept_groups: Vec<GroupRecord>,
}

/// How often the summaries are rewritten while runs go on.
const SUMMARY_EVERY: Duration = Duration::from_secs(2);

impl Run<'_> {
    /// Runs every scheduled run, storing each measured one as it ends.
    pub fn execute(mut self) -> Result<Finished, StoreError> {
        let plans: Vec<CellPlan> = self.prepared.iter().map(|p| p.plan.clone()).collect();
        let mut records = std::mem::take(&mut self.kept);
        let mut group_records = std::mem::take(&mut self.kept_groups);
        let done: HashSet<(usize, u32)> = records.iter().map(|r| (r.cell, r.repetition)).collect();
        let s = self.settings;
        for p in self.prepared.iter().filter(|p| p.plan.skip.is_some()) {
            let reason = p.plan.skip.clone().unwrap_or_default();
            self.observer
                .note(&format!("skipped {}: {reason}", p.plan.cell.label()));
            for rep in 1..=s.repetitions {
                let record = RunRecord::new(&p.plan.cell, rep, RunStatus::Skipped, reason.clone());
                self.store.append_run(&record)?;
                records.push(record);
            }
        }
        let slots = runs_to_do(self.prepared, s, &done);
        // Cells whose run timed out are not run again: their remaining
        // runs would only wait out the timeout too.
        let mut gave_up: Vec<Option<String>> = vec![None; self.prepared.len()];
        let mut last_summary = Instant::now();
        let mut interrupted = false;
        for slot in slots {
            let prepared = &self.prepared[slot.cell];
            let cell = &prepared.plan.cell;
            if let Some(reason) = &gave_up[slot.cell] {
                if let Phase::Measured(rep) = slot.phase {
                    let record = RunRecord::new(cell, rep, RunStatus::Skipped, reason.clone());
                    self.store.append_run(&record)?;
                    records.push(record);
                }
                continue;
            }
            if self.interrupted.load(Ordering::SeqCst) {
                interrupted = true;
                break;
            }
            let label = cell.label();
            let job = Job {
                cell: cell.clone(),
                latencies: prepared.latencies().into(),
                cores: s.cores,
                record_timeline: slot.phase == Phase::Measured(1)
                    && cell.tasks() <= s.timeline_max_tasks,
                tcp_server: None,
                shared: Default::default(),
                arrivals: prepared.arrivals(),
                stop_after_ns: cell
                    .is_open_loop()
                    .then(|| stop_after(s.timeout).as_nanos() as u64),
                timeout_ns: Some(s.timeout.as_nanos() as u64),
            };
            self.observer.run_started(&label, slot.phase);
            let outcome = self.executor.execute(&job, s.timeout, self.interrupted);
            self.observer.run_ended(&label, slot.phase, &outcome);
            if let Outcome::TimedOut(message) = &outcome {
                let run = match slot.phase {
                    Phase::Warmup(i) => format!("warm-up {i}"),
                    Phase::Measured(i) => format!("run {i}"),
                };
                gave_up[slot.cell] = Some(format!("not run: {run} of this cell was {message}"));
            }
            // A runner that cannot run the job refused it: the cell is
            // skipped, every run of it, with the runner's reason.
            if let Outcome::Refused(reason) = &outcome {
                gave_up[slot.cell] = Some(reason.clone());
            }
            let Phase::Measured(rep) = slot.phase else {
                if matches!(outcome, Outcome::Interrupted) {
                    interrupted = true;
                    break;
                }
                continue;
            };
            let record = match outcome {
                Outcome::Done(m, timeline) => {
                    // A run's timeline and group rows are written before
                    // its row in runs.csv, which is what makes it count.
                    if let Some(t) = timeline {
                        self.store.write_timeline(&t)?;
                    }
                    if rep == 1
                        && let Some(d) = Distribution::of_run(cell, &m)
                    {
                        self.store.write_distribution(&d)?;
                    }
                    let rows = GroupRecord::of_run(cell, rep, &m);
                    self.store.append_groups(&rows)?;
                    group_records.extend(rows);
                    let mut record = RunRecord::measured(cell, rep, &m);
                    record.message = unfinished_message(&m);
                    record
                }
                Outcome::Failed(message) => RunRecord::new(cell, rep, RunStatus::Failed, message),
                Outcome::Refused(reason) => RunRecord::new(cell, rep, RunStatus::Skipped, reason),
                Outcome::TimedOut(message) => {
                    RunRecord::new(cell, rep, RunStatus::TimedOut, message)
                }
                Outcome::Interrupted => {
                    interrupted = true;
                    break;
                }
            };
            self.store.append_run(&record)?;
            records.push(record);
            if last_summary.elapsed() >= SUMMARY_EVERY {
                self.summary.cells = summarize(&plans, &records, &group_records);
                self.store.write_summary(&self.summary)?;
                last_summary = Instant::now();
            }
        }
        self.summary.cells = summarize(&plans, &records, &group_records);
        self.store.write_summary(&self.summary)?;
        Ok(Finished {
            records,
            summary: self.summary,
            interrupted,
        })
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod seeding_tests;
