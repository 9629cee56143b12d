//! The concurrency models conlab knows: their names in experiment files,
//! the parameters each accepts and their defaults, and how `conlab models`
//! describes them. Shared vocabulary: the config reader, the matrix, the
//! models and the reports all speak of models in these terms.

use serde::{Deserialize, Serialize};

use super::duration::Nanos;

/// The default `switch_interval` of `gil-threads`, CPython's own 5 ms.
pub const DEFAULT_SWITCH_INTERVAL: Nanos = Nanos(5_000_000);
/// The default `poll_interval` of `polling`: a busy spin.
pub const DEFAULT_POLL_INTERVAL: Nanos = Nanos(0);

/// The workers a model with a `workers` parameter runs: the ones its cell
/// names, or one per usable core.
pub fn workers_or_cores(workers: Option<u32>, cores: usize) -> usize {
    workers.map_or(cores, |w| w as usize).max(1)
}

/// The `kind` of a `[[model]]`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    #[default]
    Sequential,
    Threads,
    ThreadPool,
    Async,
    AsyncMulti,
    GilThreads,
    Processes,
    AsyncBlocking,
    Polling,
    PythonSequential,
    PythonThreads,
    PythonThreadPool,
    PythonAsyncio,
    PythonProcesses,
}

/// A model parameter that a `[[model]]` entry may set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Param {
    Workers,
    SwitchInterval,
    PollInterval,
    Python,
}

impl Param {
    pub const ALL: [Param; 4] = [
        Param::Workers,
        Param::SwitchInterval,
        Param::PollInterval,
        Param::Python,
    ];

    /// The kinds that take this parameter.
    pub fn kinds(self) -> Vec<&'static str> {
        ModelKind::ALL
            .into_iter()
            .filter(|k| k.params().contains(&self))
            .map(ModelKind::name)
            .collect()
    }

    pub fn from_key(key: &str) -> Option<Param> {
        Param::ALL.into_iter().find(|p| p.key() == key)
    }

    pub fn key(self) -> &'static str {
        match self {
            Param::Workers => "workers",
            Param::SwitchInterval => "switch_interval",
            Param::PollInterval => "poll_interval",
            Param::Python => "python",
        }
    }
}

impl ModelKind {
    pub const ALL: [ModelKind; 14] = [
        ModelKind::Sequential,
        ModelKind::Threads,
        ModelKind::ThreadPool,
        ModelKind::Async,
        ModelKind::AsyncMulti,
        ModelKind::GilThreads,
        ModelKind::Processes,
        ModelKind::AsyncBlocking,
        ModelKind::Polling,
        ModelKind::PythonSequential,
        ModelKind::PythonThreads,
        ModelKind::PythonThreadPool,
        ModelKind::PythonAsyncio,
        ModelKind::PythonProcesses,
    ];

    /// Each kind's name in experiment files, in the order of [`ModelKind::ALL`].
    pub const NAMES: [&'static str; 14] = [
        "sequential",
        "threads",
        "thread-pool",
        "async",
        "async-multi",
        "gil-threads",
        "processes",
        "async-blocking",
        "polling",
        "python-sequential",
        "python-threads",
        "python-thread-pool",
        "python-asyncio",
        "python-processes",
    ];

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub fn from_name(name: &str) -> Option<ModelKind> {
        ModelKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The parameters this kind accepts besides `kind` and `name`.
    pub fn params(self) -> &'static [Param] {
        match self {
            ModelKind::ThreadPool | ModelKind::AsyncMulti | ModelKind::Processes => {
                &[Param::Workers]
            }
            ModelKind::GilThreads => &[Param::SwitchInterval],
            ModelKind::Polling => &[Param::PollInterval],
            ModelKind::PythonSequential | ModelKind::PythonThreads | ModelKind::PythonAsyncio => {
                &[Param::Python]
            }
            ModelKind::PythonThreadPool | ModelKind::PythonProcesses => {
                &[Param::Workers, Param::Python]
            }
            ModelKind::Sequential
            | ModelKind::Threads
            | ModelKind::Async
            | ModelKind::AsyncBlocking => &[],
        }
    }

    pub fn is_python(self) -> bool {
        self.name().starts_with("python-")
    }

    /// One line on what the model is, for `conlab models`.
    pub fn summary(self) -> &'static str {
        match self {
            ModelKind::Sequential => {
                "one thread runs the tasks one after another, blocking on each wait"
            }
            ModelKind::Threads => "one OS thread per task (1:1), preemptive",
            ModelKind::ThreadPool => {
                "W OS threads take tasks from a queue (N:M), like ThreadPoolExecutor"
            }
            ModelKind::Async => "one thread, cooperative event loop (N:1), like asyncio",
            ModelKind::AsyncMulti => "multi-threaded work-stealing async runtime (N:M)",
            ModelKind::GilThreads => {
                "one OS thread per task; CPU work needs a global lock modelled on CPython's GIL"
            }
            ModelKind::Processes => {
                "W worker processes, each running its tasks one at a time, like multiprocessing.Pool"
            }
            ModelKind::AsyncBlocking => {
                "the async loop, but each IO wait is a blocking call (the pitfall)"
            }
            ModelKind::Polling => {
                "one thread submits all IO, then polls for completion every poll_interval"
            }
            ModelKind::PythonSequential => "a real CPython runs the tasks one after another",
            ModelKind::PythonThreads => "a real CPython, one threading.Thread per task",
            ModelKind::PythonThreadPool => "a real CPython, concurrent.futures.ThreadPoolExecutor",
            ModelKind::PythonAsyncio => "a real CPython, asyncio.gather on one event loop",
            ModelKind::PythonProcesses => "a real CPython, multiprocessing.Pool, start-up counted",
        }
    }

    /// The ideal wall time this model can reach, as a formula.
    pub fn prediction(self) -> &'static str {
        match self {
            ModelKind::Sequential | ModelKind::AsyncBlocking | ModelKind::PythonSequential => {
                "Σ S_i"
            }
            ModelKind::Threads => "max(max S_i, Σ P_i / C)",
            ModelKind::Async
            | ModelKind::GilThreads
            | ModelKind::Polling
            | ModelKind::PythonThreads
            | ModelKind::PythonAsyncio => "max(max S_i, Σ P_i)",
            ModelKind::AsyncMulti => "max(max S_i, Σ P_i / min(W, C))",
            ModelKind::ThreadPool | ModelKind::Processes | ModelKind::PythonProcesses => {
                "max(makespan of tasks in order on W workers, Σ P_i / min(W, C))"
            }
            ModelKind::PythonThreadPool => "max(makespan of tasks in order on W workers, Σ P_i)",
        }
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
    fn names_round_trip() {
        for kind in ModelKind::ALL {
            assert_eq!(ModelKind::from_name(kind.name()), Some(kind));
            assert_eq!(ModelKind::ALL[kind as usize], kind);
            let json = serde_json::to_string(&kind).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", kind.name()));
        }
        assert_eq!(ModelKind::from_name("fibers"), None);
    }
}
