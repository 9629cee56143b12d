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
    /// A module its runtime must be able to import beyond its standard
    /// library (`gevent`), or `None`: cells whose interpreter lacks it are
    /// skipped, saying how to get it.
    pub needs_module: Option<&'static str>,
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
    /// One: one thread, or one event loop.
    One,
    /// Every usable core (C).
    Cores,
    /// As many as it has workers, up to the cores: min(W, C).
    Workers,
    /// The threads of an interpreter: one core where it runs them under a
    /// global interpreter lock (CPython before free-threading, PyPy), as
    /// `free` says where it does not (a free-threaded CPython). Which one
    /// a cell has is a fact of its interpreter, asked before the run.
    Gil { free: Parallel },
}

/// How many cores the threads of a runtime without a GIL use at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parallel {
    /// Every usable core (C): a thread per task.
    Cores,
    /// min(W, C): a pool of W threads.
    Workers,
}

/// Whether a runtime runs its threads' code one at a time under a global
/// interpreter lock. Every runtime but a free-threaded CPython has one (or
/// has one thread); conlab's own models ignore it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Gil {
    /// One thread runs interpreted code at a time.
    #[default]
    On,
    /// Threads run interpreted code on several cores at once.
    Off,
}

impl CpuWays {
    /// The number, for `workers` workers on `cores` cores (both at least 1)
    /// in a runtime with or without a GIL.
    pub fn ways(self, workers: usize, cores: usize, gil: Gil) -> f64 {
        let (w, c) = (workers.max(1) as f64, cores.max(1) as f64);
        match (self, gil) {
            (CpuWays::One, _) | (CpuWays::Gil { .. }, Gil::On) => 1.0,
            (CpuWays::Cores, _)
            | (
                CpuWays::Gil {
                    free: Parallel::Cores,
                },
                Gil::Off,
            ) => c,
            (CpuWays::Workers, _)
            | (
                CpuWays::Gil {
                    free: Parallel::Workers,
                },
                Gil::Off,
            ) => w.min(c),
        }
    }

    /// The number as formulas write it: `1`, `C`, `min(W, C)`,
    /// `(1 with a GIL, else C)`.
    pub fn symbol(self) -> &'static str {
        match self {
            CpuWays::One => "1",
            CpuWays::Cores => "C",
            CpuWays::Workers => "min(W, C)",
            CpuWays::Gil {
                free: Parallel::Cores,
            } => "(1 with a GIL, else C)",
            CpuWays::Gil {
                free: Parallel::Workers,
            } => "(1 with a GIL, else min(W, C))",
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
    /// A Python interpreter (the cell's `python`) running `runner.py`.
    Python,
    /// Node.js (the cell's `node`) running `runner.js`.
    Node,
    /// Go (the cell's `go`) building and running `runner.go`.
    Go,
    /// A JVM (the cell's `java`) running `Runner.java`, compiled by `javac`.
    Java,
    /// A program of the user's (the cell's `command`) that speaks the
    /// runner protocol.
    Custom,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Threads of an interpreter use one core under a GIL and the cores
    /// (or the workers, up to the cores) without one; the other ways do
    /// not ask.
    #[test]
    fn a_gil_is_one_core_for_interpreter_threads_only() {
        let threads = CpuWays::Gil {
            free: Parallel::Cores,
        };
        let pool = CpuWays::Gil {
            free: Parallel::Workers,
        };
        assert_eq!(threads.ways(3, 4, Gil::On), 1.0);
        assert_eq!(threads.ways(3, 4, Gil::Off), 4.0);
        assert_eq!(pool.ways(3, 4, Gil::On), 1.0);
        assert_eq!(pool.ways(3, 4, Gil::Off), 3.0);
        assert_eq!(pool.ways(8, 4, Gil::Off), 4.0);
        for gil in [Gil::On, Gil::Off] {
            assert_eq!(CpuWays::One.ways(3, 4, gil), 1.0);
            assert_eq!(CpuWays::Cores.ways(3, 4, gil), 4.0);
            assert_eq!(CpuWays::Workers.ways(3, 4, gil), 3.0);
        }
        assert_eq!(threads.symbol(), "(1 with a GIL, else C)");
    }
}
