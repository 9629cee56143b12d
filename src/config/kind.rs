//! The registry of model kinds: every kind conlab knows, each declared
//! once. [`ModelKind`] lists them, one line each with its word in files;
//! [`ModelKind::declaration`] holds each one's entry (what it is, the
//! parameters it takes, how its tasks share the time, what a run needs,
//! what runs it), in one exhaustive match, so a kind without an entry does
//! not compile. Everything else asks these: the reader and its messages,
//! `conlab validate --help`, the JSON Schema, `conlab models`, the matrix's
//! defaults, `predict`, `queueing`, the runner's capacity checks and the
//! models' dispatch.
//!
//! Why one table and not a file per kind: a declaration is plain data at
//! layer 1 (the config reader needs its name and parameters), while the
//! code that runs a kind lives in `model` (layer 4), which may import
//! this but not be imported by it. A file per kind here would hold a
//! dozen lines of data each; the code of conlab's own models is a file
//! per model in `model/` already, and runner-backed kinds have none.

use serde::{Deserialize, Serialize};

use super::declaration::{
    CpuWays, Declaration, Own, Parallel, PerRun, Refusal, Runs, Runtime, Shape,
};
use super::field::SharedMode;
use super::io_kind::IoKind;
use super::named::named;
use super::param::Param;

named! {
    serde,
    /// The `kind` of a `[[model]]`: every kind, its word in files.
    #[derive(
        Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
    )]
    pub enum ModelKind {
        #[default]
        Sequential = "sequential",
        Threads = "threads",
        ThreadPool = "thread-pool",
        Async = "async",
        AsyncMulti = "async-multi",
        GilThreads = "gil-threads",
        Processes = "processes",
        AsyncBlocking = "async-blocking",
        Polling = "polling",
        PythonSequential = "python-sequential",
        PythonThreads = "python-threads",
        PythonThreadPool = "python-thread-pool",
        PythonAsyncio = "python-asyncio",
        PythonProcesses = "python-processes",
        PythonAsyncioBlocking = "python-asyncio-blocking",
        PythonGevent = "python-gevent",
        NodeAsync = "node-async",
        NodeWorkers = "node-workers",
        GoGoroutines = "go-goroutines",
        GoPool = "go-pool",
        JavaThreads = "java-threads",
        JavaPool = "java-pool",
        JavaVirtual = "java-virtual",
        Custom = "custom",
    }
}

/// A kind of conlab's own, run in the worker's process: its waits end on
/// its own timers, and it takes no `python`.
const fn own(summary: &'static str, shape: Shape, threads: PerRun, model: Own) -> Declaration {
    Declaration {
        summary,
        params: &[],
        shape,
        threads,
        processes: PerRun::Zero,
        files: PerRun::Zero,
        wake_is_overshoot: true,
        refuses: &[],
        runs: Runs::Own(model),
        needs_module: None,
    }
}

/// A kind run by `runner.py` in a real CPython, in its `mode`: the
/// interpreter measures its wake-ups itself.
const fn python(
    summary: &'static str,
    shape: Shape,
    threads: PerRun,
    mode: &'static str,
) -> Declaration {
    Declaration {
        summary,
        params: &[Param::Python],
        shape,
        threads,
        processes: PerRun::Zero,
        files: PerRun::Zero,
        wake_is_overshoot: false,
        refuses: &[],
        runs: Runs::Runner {
            runtime: Runtime::Python,
            mode,
        },
        needs_module: None,
    }
}

/// A kind run by `runner.js` in a real Node.js, in its `mode`.
const fn node(
    summary: &'static str,
    shape: Shape,
    threads: PerRun,
    mode: &'static str,
) -> Declaration {
    Declaration {
        summary,
        params: &[Param::Node],
        shape,
        threads,
        processes: PerRun::Zero,
        files: PerRun::Zero,
        wake_is_overshoot: false,
        refuses: &[],
        runs: Runs::Runner {
            runtime: Runtime::Node,
            mode,
        },
        needs_module: None,
    }
}

/// A kind run by a runner of `runtime` (Go or the JVM) in its `mode`,
/// taking `params`.
const fn compiled(
    summary: &'static str,
    params: &'static [Param],
    shape: Shape,
    threads: PerRun,
    runtime: Runtime,
    mode: &'static str,
) -> Declaration {
    Declaration {
        summary,
        params,
        shape,
        threads,
        processes: PerRun::Zero,
        files: PerRun::Zero,
        wake_is_overshoot: false,
        refuses: &[],
        runs: Runs::Runner { runtime, mode },
        needs_module: None,
    }
}

const SERIAL: Shape = Shape::Serial;
const ONE_CORE: Shape = Shape::Overlap { cpu: CpuWays::One };

/// The kinds a speedup can be taken over, in the order they are chosen:
/// `sequential` when the cells have it, else `python-sequential`, so that
/// an experiment of `python-*` models alone has speedups too.
pub const SPEEDUP_BASELINES: [ModelKind; 2] = [ModelKind::Sequential, ModelKind::PythonSequential];

/// Python's names for what a `python-*` kind runs, as a Python user may
/// write them for `kind`: "did you mean" offers the kind.
pub const PYTHON_NAMES: [(&str, ModelKind); 7] = [
    ("asyncio", ModelKind::PythonAsyncio),
    ("threading", ModelKind::PythonThreads),
    ("multiprocessing", ModelKind::PythonProcesses),
    ("concurrent.futures", ModelKind::PythonThreadPool),
    ("threadpoolexecutor", ModelKind::PythonThreadPool),
    ("processpoolexecutor", ModelKind::PythonProcesses),
    ("python", ModelKind::PythonSequential),
];

impl ModelKind {
    /// The `python-*` kind that runs what `word` names in Python
    /// ("asyncio", "threading", "multiprocessing", ...), any case.
    pub fn from_python_name(word: &str) -> Option<ModelKind> {
        let word = word.to_ascii_lowercase();
        PYTHON_NAMES
            .into_iter()
            .find(|(name, _)| *name == word)
            .map(|(_, kind)| kind)
    }

    /// The kind speedups are taken over among `kinds` (the kinds of an
    /// experiment's cells): the first of [`SPEEDUP_BASELINES`] there;
    /// `None` when none is.
    pub fn speedup_baseline(kinds: impl IntoIterator<Item = ModelKind>) -> Option<ModelKind> {
        let kinds: Vec<ModelKind> = kinds.into_iter().collect();
        SPEEDUP_BASELINES.into_iter().find(|b| kinds.contains(b))
    }

    /// The kind's entry in the registry.
    pub const fn declaration(self) -> Declaration {
        match self {
            ModelKind::Sequential => own(
                "one thread runs the tasks one after another, blocking on each wait",
                SERIAL,
                PerRun::One,
                Own::Sequential,
            ),
            ModelKind::Threads => own(
                "one OS thread per task (1:1), preemptive",
                Shape::Overlap {
                    cpu: CpuWays::Cores,
                },
                PerRun::PerTask,
                Own::Threads,
            ),
            ModelKind::ThreadPool => Declaration {
                params: &[Param::Workers],
                ..own(
                    "W OS threads take tasks from a queue (N:M), like ThreadPoolExecutor",
                    Shape::Pool {
                        cpu: CpuWays::Workers,
                    },
                    PerRun::PerWorker,
                    Own::ThreadPool,
                )
            },
            ModelKind::Async => own(
                "one thread, cooperative event loop (N:1), like asyncio",
                ONE_CORE,
                PerRun::One,
                Own::Async,
            ),
            ModelKind::AsyncMulti => Declaration {
                params: &[Param::Workers],
                ..own(
                    "multi-threaded work-stealing async runtime (N:M)",
                    Shape::Overlap {
                        cpu: CpuWays::Workers,
                    },
                    PerRun::PerWorker,
                    Own::AsyncMulti,
                )
            },
            ModelKind::GilThreads => Declaration {
                params: &[Param::SwitchInterval],
                // A waking thread waits for the lock too.
                wake_is_overshoot: false,
                ..own(
                    "one OS thread per task; CPU work needs a global lock modelled on CPython's GIL",
                    ONE_CORE,
                    PerRun::PerTask,
                    Own::GilThreads,
                )
            },
            ModelKind::Processes => Declaration {
                params: &[Param::Workers],
                processes: PerRun::PerWorker,
                ..own(
                    "W worker processes, each running its tasks one at a time, like \
                     multiprocessing.Pool",
                    Shape::Pool {
                        cpu: CpuWays::Workers,
                    },
                    PerRun::One,
                    Own::Processes,
                )
            },
            ModelKind::AsyncBlocking => own(
                "the async loop, but each IO wait is a blocking call (the pitfall)",
                SERIAL,
                PerRun::One,
                Own::AsyncBlocking,
            ),
            ModelKind::Polling => Declaration {
                params: &[Param::PollInterval],
                // One timerfd per pending IO.
                files: PerRun::PerTask,
                ..own(
                    "one thread submits all IO, then polls for completion every poll_interval",
                    ONE_CORE,
                    PerRun::One,
                    Own::Polling,
                )
            },
            ModelKind::PythonSequential => python(
                "a real CPython runs the tasks one after another",
                SERIAL,
                PerRun::One,
                "sequential",
            ),
            ModelKind::PythonThreads => python(
                "a real CPython, one threading.Thread per task",
                // One GIL; a free-threaded CPython's threads use the cores.
                Shape::Overlap {
                    cpu: CpuWays::Gil {
                        free: Parallel::Cores,
                    },
                },
                PerRun::PerTask,
                "threads",
            ),
            ModelKind::PythonThreadPool => Declaration {
                params: &[Param::Workers, Param::Python],
                ..python(
                    "a real CPython, concurrent.futures.ThreadPoolExecutor",
                    // W threads, one GIL (or min(W, C) cores without one).
                    Shape::Pool {
                        cpu: CpuWays::Gil {
                            free: Parallel::Workers,
                        },
                    },
                    PerRun::PerWorker,
                    "thread-pool",
                )
            },
            ModelKind::PythonAsyncio => python(
                "a real CPython, asyncio.gather on one event loop",
                ONE_CORE,
                PerRun::One,
                "asyncio",
            ),
            ModelKind::PythonProcesses => Declaration {
                params: &[Param::Workers, Param::Python],
                processes: PerRun::PerWorker,
                refuses: &[Refusal {
                    shared: SharedMode::Atomic,
                    why: "CPython has no atomic increment of memory shared between processes \
                          (multiprocessing.Value's own lock makes it \"locked\"); use shared = \
                          \"locked\", or \"atomic\" with processes",
                }],
                ..python(
                    "a real CPython, multiprocessing.Pool, start-up counted",
                    Shape::Pool {
                        cpu: CpuWays::Workers,
                    },
                    PerRun::One,
                    "processes",
                )
            },
            ModelKind::PythonAsyncioBlocking => python(
                "a real CPython, asyncio, but each IO wait is a blocking call (the pitfall)",
                SERIAL,
                PerRun::One,
                "asyncio-blocking",
            ),
            ModelKind::PythonGevent => Declaration {
                needs_module: Some("gevent"),
                ..python(
                    "a real CPython with gevent: one greenlet per task on gevent's hub (N:1 user \
                     threads)",
                    ONE_CORE,
                    PerRun::One,
                    "gevent",
                )
            },
            ModelKind::NodeAsync => node(
                "a real Node.js, one promise per task on its event loop (N:1)",
                ONE_CORE,
                PerRun::One,
                "async",
            ),
            ModelKind::NodeWorkers => Declaration {
                params: &[Param::Workers, Param::Node],
                ..node(
                    "a real Node.js, a worker_threads pool, an event loop on each (N:M)",
                    Shape::Overlap {
                        cpu: CpuWays::Workers,
                    },
                    PerRun::PerWorker,
                    "workers",
                )
            },
            ModelKind::GoGoroutines => compiled(
                "real Go, one goroutine per task; workers sets GOMAXPROCS (N:M, preemptive)",
                &[Param::Workers, Param::Go],
                Shape::Overlap {
                    cpu: CpuWays::Workers,
                },
                PerRun::PerWorker,
                Runtime::Go,
                "goroutines",
            ),
            ModelKind::GoPool => compiled(
                "real Go, W goroutines take tasks from a channel in order",
                &[Param::Workers, Param::Go],
                Shape::Pool {
                    cpu: CpuWays::Workers,
                },
                // GOMAXPROCS threads, the usable cores: one per run here.
                PerRun::One,
                Runtime::Go,
                "goroutine-pool",
            ),
            ModelKind::JavaThreads => compiled(
                "a real JVM, one platform thread per task (1:1)",
                &[Param::Java],
                Shape::Overlap {
                    cpu: CpuWays::Cores,
                },
                PerRun::PerTask,
                Runtime::Java,
                "platform-threads",
            ),
            ModelKind::JavaPool => compiled(
                "a real JVM, Executors.newFixedThreadPool(W)",
                &[Param::Workers, Param::Java],
                Shape::Pool {
                    cpu: CpuWays::Workers,
                },
                PerRun::PerWorker,
                Runtime::Java,
                "fixed-pool",
            ),
            ModelKind::JavaVirtual => compiled(
                "a real JVM (21+), one virtual thread per task (N:M on the cores)",
                &[Param::Java],
                Shape::Overlap {
                    cpu: CpuWays::Cores,
                },
                // Carrier threads, one per core: one per run here.
                PerRun::One,
                Runtime::Java,
                "virtual",
            ),
            ModelKind::Custom => Declaration {
                summary: "your own runner: a command that speaks the runner protocol",
                params: &[Param::Command, Param::Workers],
                shape: Shape::Unknown,
                threads: PerRun::One,
                processes: PerRun::Zero,
                files: PerRun::Zero,
                wake_is_overshoot: false,
                refuses: &[],
                runs: Runs::Runner {
                    runtime: Runtime::Custom,
                    mode: "custom",
                },
                needs_module: None,
            },
        }
    }

    /// The kind's word in experiment files.
    pub const fn name(self) -> &'static str {
        self.as_str()
    }

    /// The parameters this kind accepts besides `kind` and `name`.
    pub const fn params(self) -> &'static [Param] {
        self.declaration().params
    }

    /// Whether this kind takes `param`.
    pub fn takes(self, param: Param) -> bool {
        self.params().contains(&param)
    }

    /// The names of the kinds that take `param`, in the order of
    /// [`ModelKind::ALL`].
    pub fn taking(param: Param) -> Vec<&'static str> {
        ModelKind::ALL
            .into_iter()
            .filter(|k| k.takes(param))
            .map(ModelKind::name)
            .collect()
    }

    /// One line on what the model is, for `conlab models`.
    pub const fn summary(self) -> &'static str {
        self.declaration().summary
    }

    /// How the kind's tasks share the time.
    pub const fn shape(self) -> Shape {
        self.declaration().shape
    }

    /// Whether conlab predicts the kind's wall time (it does for all but a
    /// user's own runner, whose shape it does not know).
    pub fn predicts(self) -> bool {
        self.shape() != Shape::Unknown
    }

    /// What runs the kind.
    pub const fn runs(self) -> Runs {
        self.declaration().runs
    }

    /// Whether a real CPython runs the kind.
    pub fn is_python(self) -> bool {
        matches!(
            self.runs(),
            Runs::Runner {
                runtime: Runtime::Python,
                ..
            }
        )
    }

    /// The runtime whose runner runs the kind; `None` for conlab's own.
    pub fn runtime(self) -> Option<Runtime> {
        match self.runs() {
            Runs::Runner { runtime, .. } => Some(runtime),
            Runs::Own(_) => None,
        }
    }

    /// Threads a run of `tasks` tasks with `workers` starts in one
    /// process, besides the main one.
    pub fn threads_needed(self, tasks: u64, workers: Option<u32>) -> u64 {
        self.declaration().threads.count(tasks, workers)
    }

    /// Worker processes a run with `workers` starts.
    pub fn processes_needed(self, workers: Option<u32>) -> u64 {
        self.declaration().processes.count(0, workers)
    }

    /// Files a run of `tasks` tasks over `io` keeps open at once for its
    /// tasks' IO: its own machinery's, or one connection per task.
    pub fn files_needed(self, io: IoKind, tasks: u64) -> u64 {
        let connections = if io == IoKind::Tcp { tasks } else { 0 };
        self.declaration().files.count(tasks, None).max(connections)
    }

    /// A module the kind's runtime must import beyond its standard library.
    pub const fn needs_module(self) -> Option<&'static str> {
        self.declaration().needs_module
    }

    /// Why the kind cannot keep a counter in `shared` mode, if it cannot.
    pub fn refusal(self, shared: SharedMode) -> Option<&'static str> {
        self.declaration()
            .refuses
            .iter()
            .find(|r| r.shared == shared)
            .map(|r| r.why)
    }
}

impl std::fmt::Display for ModelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speedups_are_over_sequential_else_python_sequential_else_nothing() {
        use ModelKind::*;
        let baseline = |kinds: &[ModelKind]| ModelKind::speedup_baseline(kinds.iter().copied());
        assert_eq!(
            baseline(&[Threads, PythonSequential, Sequential]),
            Some(Sequential)
        );
        assert_eq!(
            baseline(&[PythonAsyncio, PythonSequential]),
            Some(PythonSequential)
        );
        assert_eq!(baseline(&[PythonThreads, Threads]), None);
        assert_eq!(baseline(&[]), None);
    }

    #[test]
    fn names_round_trip() {
        for kind in ModelKind::ALL {
            assert_eq!(ModelKind::from_name(kind.name()), Some(kind));
            assert_eq!(ModelKind::ALL[kind as usize], kind);
            let json = serde_json::to_string(&kind).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", kind.name()));
        }
        assert_eq!(ModelKind::from_name("fibers"), None);
    }

    /// The counts `model::{threads,processes,files}_needed` gave before
    /// the registry, for 7 tasks and 3 workers.
    #[test]
    fn runs_need_what_they_needed_before_the_registry() {
        let needs = |k: ModelKind, io| {
            (
                k.threads_needed(7, Some(3)),
                k.processes_needed(Some(3)),
                k.files_needed(io, 7),
            )
        };
        use ModelKind::*;
        let before = [
            (Sequential, (1, 0, 0)),
            (Threads, (7, 0, 0)),
            (ThreadPool, (3, 0, 0)),
            (Async, (1, 0, 0)),
            (AsyncMulti, (3, 0, 0)),
            (GilThreads, (7, 0, 0)),
            (Processes, (1, 3, 0)),
            (AsyncBlocking, (1, 0, 0)),
            (Polling, (1, 0, 7)),
            (PythonSequential, (1, 0, 0)),
            (PythonThreads, (7, 0, 0)),
            (PythonThreadPool, (3, 0, 0)),
            (PythonAsyncio, (1, 0, 0)),
            (PythonProcesses, (1, 3, 0)),
            (PythonGevent, (1, 0, 0)),
            (NodeAsync, (1, 0, 0)),
            (NodeWorkers, (3, 0, 0)),
            (GoGoroutines, (3, 0, 0)),
            (GoPool, (1, 0, 0)),
            (JavaThreads, (7, 0, 0)),
            (JavaPool, (3, 0, 0)),
            (JavaVirtual, (1, 0, 0)),
            (Custom, (1, 0, 0)),
        ];
        for (kind, counts) in before {
            assert_eq!(needs(kind, IoKind::Sleep), counts, "{kind}");
        }
        assert!(
            ModelKind::ALL
                .into_iter()
                .all(|k| needs(k, IoKind::Tcp).2 == 7)
        );
        assert_eq!(ModelKind::Processes.processes_needed(None), 1);
    }

    #[test]
    fn only_runner_kinds_take_an_interpreter() {
        for kind in ModelKind::ALL {
            assert_eq!(kind.takes(Param::Python), kind.is_python(), "{kind}");
        }
    }
}
