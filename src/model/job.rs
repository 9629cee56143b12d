//! What a run is given and what a model hands back: the [`Job`] (a cell and
//! its drawn latencies, sent to the child process as JSON) and the
//! [`ModelRun`] (the model's account of the run; what its tasks measured
//! goes into the run's records).

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::latencies::{Latencies, TaskLatencies};
use super::schedule::Schedule;
use super::shared::{Shared, SharedOutcome};
use crate::config::workers_or_cores;
use crate::matrix::Cell;
use crate::measure;

/// Everything a child process needs to run one cell once.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Job {
    pub cell: Cell,
    /// IO latency of every wait in ns, task by task (tasks numbered group
    /// after group), each task's rounds in order: see [`Job::task`].
    pub latencies: Latencies,
    /// Cores usable by the run (for models that size themselves by them).
    pub cores: usize,
    /// Record per-task IO and CPU spans for a timeline chart.
    pub record_timeline: bool,
    /// The delay server's address (`127.0.0.1:PORT`) when `io = "tcp"`;
    /// the worker fills it in after starting the server.
    #[serde(default)]
    pub tcp_server: Option<String>,
    /// The groups' shared counters; the worker sets them up before the
    /// run (a pool worker attaches to its parent's), so they are never
    /// part of the JSON.
    #[serde(skip)]
    pub shared: Arc<Shared>,
    /// When each group's tasks are due (one per group; empty: all at
    /// once), drawn before the run: see the `arrivals` module.
    #[serde(default)]
    pub arrivals: Vec<Schedule>,
    /// For an open-loop cell: how long after dispatch starts its tasks
    /// stop, leaving what has not completed unfinished (a margin before
    /// the runner's timeout).
    #[serde(default)]
    pub stop_after_ns: Option<u64>,
    /// The run's timeout, after which the parent kills the worker: a
    /// runner is given a deadline a margin before it (see
    /// the generic runner path, `model/external`).
    #[serde(default)]
    pub timeout_ns: Option<u64>,
}

impl Job {
    /// The workers of a model that has them: the cell's, or one per core.
    pub fn workers(&self) -> usize {
        workers_or_cores(self.cell.workers, self.cores)
    }

    /// The delay server's address, which a run with `io = "tcp"` needs.
    pub fn tcp_server(&self) -> std::io::Result<&str> {
        self.tcp_server.as_deref().ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::NotConnected,
                "io = \"tcp\" needs the delay server's address, and this run was not given one \
                 (the delay server did not start?)",
            )
        })
    }

    /// Every task of every group.
    pub fn tasks(&self) -> usize {
        self.cell.tasks() as usize
    }

    /// What task `task` does: its group's CPU work per round and its own
    /// IO latencies, one per round. Tasks are numbered group after group.
    pub fn task(&self, task: usize) -> TaskSpec<'_> {
        match self.cell.locate(task) {
            Some((group, waits)) => TaskSpec {
                group,
                cpu_ns: self.cell.groups.get(group).map_or(0, |g| g.cpu_cost.0),
                latencies: self.latencies.slice(waits.start, waits.len()),
            },
            None => TaskSpec {
                group: 0,
                cpu_ns: 0,
                latencies: TaskLatencies::none(),
            },
        }
    }

    /// Room for a task's timeline: an IO and a CPU span per round, and
    /// under a modelled GIL (a cell with a switch interval) a lock wait and
    /// a CPU span per switch interval of everyone's CPU work (the most
    /// switches a task can see).
    pub fn spans_per_task(&self) -> usize {
        let rounds = self.cell.groups.iter().map(|g| g.rounds).max().unwrap_or(0);
        let mut spans = rounds as usize * 4 + 16;
        if let Some(interval) = self.cell.switch_interval {
            let all_cpu: u64 = self
                .cell
                .groups
                .iter()
                .map(|g| {
                    g.cpu_cost
                        .0
                        .saturating_mul(g.tasks.saturating_mul(u64::from(g.rounds)))
                })
                .fold(0, u64::saturating_add);
            spans = spans.saturating_add(2 * (all_cpu / interval.0.max(1)) as usize);
        }
        spans
    }
}

impl Job {
    /// Whether some group's tasks arrive over time.
    pub fn is_open_loop(&self) -> bool {
        self.arrivals
            .iter()
            .any(|s| !matches!(s, Schedule::Together))
    }

    /// When task `task` is due, in ns from the start of dispatch.
    pub fn due_ns(&self, task: usize) -> u64 {
        match self.cell.position(task) {
            Some((group, k)) => self.arrivals.get(group).map_or(0, |s| s.due_ns(k)),
            None => 0,
        }
    }

    /// Every task, in the order they are due (tasks due together in task
    /// order): the order dispatchers hand them out.
    pub fn dispatch_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.tasks()).collect();
        if self.is_open_loop() {
            order.sort_by_key(|&t| self.due_ns(t));
        }
        order
    }
}

/// What one task does (see [`Job::task`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskSpec<'a> {
    /// Its group's index in the cell.
    pub group: usize,
    /// CPU burned after each IO wait, in ns of the task's thread clock.
    pub cpu_ns: u64,
    /// The latency of each round's IO wait, in ns.
    pub latencies: TaskLatencies<'a>,
}

/// What a model reports beyond its tasks' records.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Extras {
    /// gil-threads: times the lock went from one thread to another.
    pub lock_handoffs: Option<u64>,
    /// gil-threads: total time threads waited for the lock.
    pub lock_wait_total_ns: Option<u64>,
    /// gil-threads: the longest single wait for the lock.
    pub lock_wait_max_ns: Option<u64>,
    /// async-blocking: the longest the event loop was late for its probe.
    pub loop_lag_max_ns: Option<u64>,
    /// What the groups' shared counters came to, when there are any.
    #[serde(default)]
    pub shared: Option<SharedOutcome>,
}

/// A model's account of one run.
#[derive(Debug)]
pub struct ModelRun {
    /// When wall time starts, if not when the worker called the model:
    /// models that run in another interpreter start it when that
    /// interpreter is up, so its start-up counts as setup, not wall time.
    pub wall_start_ns: Option<u64>,
    /// When the model was ready to run tasks (runtime, pool, threads up).
    pub ready_ns: u64,
    /// python-*: what the interpreter used before its model started (its
    /// start-up); the worker subtracts it from the run's usage.
    pub startup_usage: Option<measure::Usage>,
    pub extras: Extras,
}

impl ModelRun {
    /// A run of conlab's own models: wall time starts when the worker
    /// called the model, and nothing beyond the task records to report.
    pub fn new(ready_ns: u64) -> ModelRun {
        ModelRun {
            wall_start_ns: None,
            ready_ns,
            startup_usage: None,
            extras: Extras::default(),
        }
    }
}

/// A job of two groups for unit tests: `a`, 2 tasks × 3 rounds of 1 ms,
/// then `b`, 3 tasks × 1 round of 2 ms, with model `kind` over `io`.
#[cfg(test)]
pub(crate) fn test_job(kind: &str, io: &str, timeline: bool) -> Job {
    let text = format!(
        "[[workload]]\nname = \"w\"\nio = \"{io}\"\ntasks = 2\nio_latency = \"1ms\"\n\
         rounds = 3\n[[model]]\nkind = \"{kind}\"\n"
    );
    let mut cell = match crate::config::from_text("t.toml", &text, "t") {
        Ok(l) => crate::matrix::expand(&l.experiment, 2).remove(0),
        Err(e) => panic!("{e}"),
    };
    let mut b = cell.groups[0].clone();
    cell.groups[0].name = "a".into();
    b.name = "b".into();
    b.tasks = 3;
    b.rounds = 1;
    b.io_latency = crate::config::IoLatency::Fixed {
        value: crate::config::Nanos(2_000_000),
    };
    cell.groups.push(b);
    let table: Vec<u64> = [1_000_000; 6].into_iter().chain([2_000_000; 3]).collect();
    Job {
        cell,
        latencies: Latencies::from(table),
        cores: 2,
        record_timeline: timeline,
        tcp_server: None,
        shared: Default::default(),
        arrivals: Vec::new(),
        stop_after_ns: None,
        timeout_ns: None,
    }
}

/// A job of one group for unit tests: `tasks` × `rounds` waits of 1 ms.
#[cfg(test)]
pub(crate) fn simple_job(kind: &str, tasks: u64, rounds: u32, timeline: bool) -> Job {
    let text = format!(
        "[[workload]]\nname = \"w\"\ntasks = {tasks}\nio_latency = \"1ms\"\nrounds = {rounds}\n\
         [[model]]\nkind = \"{kind}\"\n"
    );
    let cell = match crate::config::from_text("t.toml", &text, "t") {
        Ok(l) => crate::matrix::expand(&l.experiment, 2).remove(0),
        Err(e) => panic!("{e}"),
    };
    Job {
        cell,
        latencies: Latencies::from(vec![1_000_000; (tasks * u64::from(rounds)) as usize]),
        cores: 2,
        record_timeline: timeline,
        tcp_server: None,
        shared: Default::default(),
        arrivals: Vec::new(),
        stop_after_ns: None,
        timeout_ns: None,
    }
}
