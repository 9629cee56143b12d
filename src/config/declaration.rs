//! What a model kind's declaration says, as plain data: the form of every
//! entry of the registry in `kind.rs`. Each later stage reads the part it
//! needs and none needs the kind's name: the reader and the docs its
//! parameters, `predict` and `queueing` (layer 2) its [`Shape`], the
//! runner's capacity checks its [`PerRun`] counts, and `model` (layer 4)
//! its [`Runs`], which it turns into a run with one exhaustive match.
//! Nothing here runs anything: a declaration at layer 1 cannot name a
//! function of the models above it, so [`Runs`] names them by [`Own`].

use super::field::SharedMode;
use super::param::Param;

/// Everything conlab knows of one model kind besides its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Declaration {
    /// One line on what the model is, for `conlab models`.
    pub summary: &'static str,
    /// The parameters it takes besides `kind` and `name`.
    pub params: &'static [Param],
    /// How its tasks share the time: its prediction, and under open-loop
    /// load its capacity and latency, are read from this.
    pub shape: Shape,
    /// OS threads a run starts in one process, besides the main one.
    pub threads: PerRun,
    /// Worker processes a run starts.
    pub processes: PerRun,
    /// Files a run keeps open at once for its own IO machinery (over
    /// `io = "tcp"` every model also keeps one connection per task).
    pub files: PerRun,
    /// Whether a wait's wake-up delay is its overshoot when `io = "sleep"`:
    /// the model's own timer completes at the deadline and nothing (a
    /// lock, another runtime) stands between it and the task running
    /// again, so the records need not keep wake-up delays apart.
    pub wake_is_overshoot: bool,
    /// `shared` modes the kind cannot run: its cells are skipped, saying
    /// why.
    pub refuses: &'static [Refusal],
    /// What runs it.
    pub runs: Runs,
}

/// How a model's tasks share the time. For task i, I_i is its total IO
/// wait, P_i its total CPU work and S_i = I_i + P_i.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// One task at a time, start to end: Σ S_i; under load one server.
    Serial,
    /// Tasks handed in order to W workers, each running one task at a time
    /// start to end, their CPU work on `cpu` cores at once: the makespan,
    /// and at least Σ P_i over `cpu`; under load W servers.
    Pool { cpu: CpuWays },
    /// Every task at once, their waits overlapping and their CPU work on
    /// `cpu` cores at once: the longest task, and at least Σ P_i over
    /// `cpu`.
    Overlap { cpu: CpuWays },
    /// conlab does not know how the tasks share the time (a user's own
    /// runner): no prediction, no capacity, no efficiency.
    Unknown,
}

/// On how many cores at once a model's CPU work can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CpuWays {
    /// One: one thread, or one interpreter lock.
    One,
    /// Every usable core (C).
    Cores,
    /// As many as it has workers, up to the cores: min(W, C).
    Workers,
}

impl CpuWays {
    /// The number, for `workers` workers on `cores` cores (both at least 1).
    pub fn ways(self, workers: usize, cores: usize) -> f64 {
        let (w, c) = (workers.max(1) as f64, cores.max(1) as f64);
        match self {
            CpuWays::One => 1.0,
            CpuWays::Cores => c,
            CpuWays::Workers => w.min(c),
        }
    }

    /// The number as formulas write it: `1`, `C`, `min(W, C)`.
    pub fn symbol(self) -> &'static str {
        match self {
            CpuWays::One => "1",
            CpuWays::Cores => "C",
            CpuWays::Workers => "min(W, C)",
        }
    }
}

/// How many of something a run needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PerRun {
    Zero,
    One,
    /// One per task.
    PerTask,
    /// One per worker (one if the cell has no workers).
    PerWorker,
}

impl PerRun {
    /// The count for a run of `tasks` tasks with `workers` workers.
    pub fn count(self, tasks: u64, workers: Option<u32>) -> u64 {
        match self {
            PerRun::Zero => 0,
            PerRun::One => 1,
            PerRun::PerTask => tasks,
            PerRun::PerWorker => u64::from(workers.unwrap_or(1)),
        }
    }
}

/// A `shared` mode a kind cannot run, and why (the end of the message
/// its cells are skipped with).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub shared: SharedMode,
    pub why: &'static str,
}

/// What runs a model kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runs {
    /// One of conlab's own Rust models, in the worker's process.
    Own(Own),
    /// A runner program of another runtime, started by the worker, which
    /// runs its `mode` (its name for the model) and answers in the runner
    /// protocol: one generic path per runtime.
    Runner {
        runtime: Runtime,
        mode: &'static str,
    },
}

/// conlab's own models, each a file of `model/` with its `run`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Own {
    Sequential,
    Threads,
    ThreadPool,
    Async,
    AsyncMulti,
    GilThreads,
    Processes,
    AsyncBlocking,
    Polling,
}

/// A runtime besides conlab's own, whose runner a model kind runs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runtime {
    /// A CPython interpreter (the cell's `python`) running `runner.py`.
    Python,
    /// Node.js (the cell's `node`) running `runner.js`.
    Node,
    /// A program of the user's (the cell's `command`) that speaks the
    /// runner protocol.
    Custom,
}
