//! What a run is given and what a model hands back: the [`Job`] (a cell and
//! its drawn latencies, sent to the child process as JSON) and the
//! [`TaskLog`]s a model fills while its tasks run.

use serde::{Deserialize, Serialize};

use super::latencies::{Latencies, TaskLatencies};
use crate::config::{ModelKind, workers_or_cores};
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

    /// Empty logs for every task, allocated before the run starts so that
    /// recording never allocates while tasks run.
    pub fn new_logs(&self) -> Vec<TaskLog> {
        let spans = if self.record_timeline {
            self.spans_per_task()
        } else {
            0
        };
        (0..self.tasks())
            .map(|task| TaskLog::new(task as u32, self.task(task).latencies.len(), spans))
            .collect()
    }

    /// Room for a task's timeline: an IO and a CPU span per round, and
    /// for `gil-threads` a lock wait and a CPU span per switch interval of
    /// everyone's CPU work (the most switches a task can see).
    pub fn spans_per_task(&self) -> usize {
        let rounds = self.cell.groups.iter().map(|g| g.rounds).max().unwrap_or(0);
        let mut spans = rounds as usize * 4 + 16;
        if let (ModelKind::GilThreads, Some(interval)) = (self.cell.kind, self.cell.switch_interval)
        {
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

thread_local! {
    /// The kernel id of this thread, read once.
    static THREAD_ID: u32 = measure::thread_id();
}

/// What one span of a task's timeline was spent on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpanKind {
    Io,
    Cpu,
    LockWait,
}

/// One interval of one task, on the thread (or worker) it ran on.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Span {
    pub task: u32,
    pub kind: SpanKind,
    pub start_ns: u64,
    pub end_ns: u64,
    /// Kernel thread id (or worker process id) it ran on.
    pub thread: u32,
}

/// What a task recorded about itself while it ran.
#[derive(Clone, Debug)]
pub struct TaskLog {
    pub task: u32,
    pub start_ns: u64,
    pub end_ns: u64,
    /// Each IO wait, in order.
    pub waits: Vec<WaitLog>,
    pub trace: bool,
    pub spans: Vec<Span>,
}

/// One IO wait of a task.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitLog {
    /// How late the wait ended compared with its deadline (the time the
    /// task asked for, from when it began to wait).
    pub overshoot_ns: u64,
    /// From the moment the IO completed (the timer's deadline; for tcp,
    /// when the delay server sent its answer) until the task was running
    /// again: woken, scheduled and, under a GIL, holding it.
    pub wake_ns: u64,
}

impl TaskLog {
    /// A log for `rounds` IO waits that records a timeline of up to
    /// `spans` spans without allocating, or none when `spans` is 0.
    pub fn new(task: u32, rounds: usize, spans: usize) -> TaskLog {
        TaskLog {
            task,
            start_ns: 0,
            end_ns: 0,
            waits: Vec::with_capacity(rounds),
            trace: spans > 0,
            spans: Vec::with_capacity(spans),
        }
    }

    pub fn span(&mut self, kind: SpanKind, start_ns: u64, end_ns: u64) {
        if self.trace {
            self.spans.push(Span {
                task: self.task,
                kind,
                start_ns,
                end_ns,
                thread: THREAD_ID.with(|id| *id),
            });
        }
    }

    /// Records an IO wait that began at `start_ns`, was due at
    /// `deadline_ns`, completed at `completed_ns` and ended (the task
    /// running again) at `end_ns`.
    pub fn io(&mut self, start_ns: u64, deadline_ns: u64, completed_ns: u64, end_ns: u64) {
        self.waits.push(WaitLog {
            overshoot_ns: end_ns.saturating_sub(deadline_ns),
            wake_ns: end_ns.saturating_sub(completed_ns),
        });
        self.span(SpanKind::Io, start_ns, end_ns);
    }

    /// The task ran again only `extra_ns` after its last IO wait ended
    /// (it waited for a lock first): its wake-up delay includes that.
    pub fn woke_later(&mut self, extra_ns: u64) {
        if let Some(w) = self.waits.last_mut() {
            w.wake_ns = w.wake_ns.saturating_add(extra_ns);
        }
    }
}

/// What a model reports beyond its task logs.
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
    pub logs: Vec<TaskLog>,
    pub extras: Extras,
}

impl ModelRun {
    /// A run of conlab's own models: wall time starts when the worker
    /// called the model, and nothing beyond the task logs to report.
    pub fn new(ready_ns: u64, logs: Vec<TaskLog>) -> ModelRun {
        ModelRun {
            wall_start_ns: None,
            ready_ns,
            startup_usage: None,
            logs,
            extras: Extras::default(),
        }
    }
}

/// Why a model could not complete a run.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("could not start thread {index}: {source}")]
    Thread {
        index: usize,
        source: std::io::Error,
    },
    #[error("a task panicked: {0}")]
    TaskPanicked(String),
    #[error("{0}")]
    Io(String),
    #[error("could not build the {what}: {source}")]
    Setup {
        what: &'static str,
        source: std::io::Error,
    },
    #[error("model kind `{0}` cannot run in this build")]
    Unavailable(&'static str),
    #[error(transparent)]
    Python(#[from] super::python::PythonError),
}
